//! When the network says no: what the client's connect() returns for each kind of
//! refusal on the router, and what the capture shows happened on the wire.

use std::time::Duration;

use harness::Need;
use lab::{fields, serve_and_capture, Lab, Run};

fn lab_available(test: &str) -> bool {
    harness::require_all(test, &[Need::Netns, Need::Tool("tshark")])
}

/// One client connecting through the impaired router; its output in client.log.
/// `before` and `after` are script lines run around the client.
fn connect_through(flags: &[&str], before: &str, after: &str) -> Run {
    let script = serve_and_capture("server-basic", "10.0.2.2")
        + before
        + "on client client --host 10.0.2.2 --timeout 60 --color never >\"$LAB_DIR/client.log\" 2>&1 || true\n"
        + after
        + "capture stop\n";
    let run = Lab::with(flags).run(&script, Duration::from_secs(90)).expect("the lab runs");
    assert!(run.status.success(), "lab failed: {}\n{}", run.stdout, run.stderr);
    run
}

#[test]
fn reject_with_rst_is_connection_refused() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = connect_through(&["--reject-rst"], "", "");
    let log = run.read("client.log");
    assert!(log.contains("Connection refused (os error 111)"), "{log}");
    // The RST comes from the router (TTL 64: it was not forwarded), on the server's behalf.
    let rst = fields(&run.path("link1.pcap"), "tcp.flags.reset == 1", &["ip.src", "ip.ttl"]).unwrap();
    assert_eq!(rst, [["10.0.2.2", "64"]]);
    assert!(fields(&run.path("link2.pcap"), "tcp", &["tcp.flags"]).unwrap().is_empty());
}

#[test]
fn reject_with_icmp_is_no_route_to_host() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = connect_through(&["--reject-icmp"], "", "");
    let log = run.read("client.log");
    assert!(log.contains("No route to host (os error 113)"), "{log}");
    // ICMP type 3 code 1 from the router, quoting the client's SYN (its port and sequence number).
    // (Inside an ICMP message tshark gives the quoted sequence number as tcp.seq, absolute.)
    let f = ["ip.src", "icmp.type", "icmp.code", "tcp.srcport", "tcp.seq"];
    let icmp = fields(&run.path("link1.pcap"), "icmp", &f).unwrap();
    let syn = fields(&run.path("link1.pcap"), "tcp.flags.syn == 1 && !icmp", &["tcp.srcport", "tcp.seq_raw"])
        .unwrap();
    assert_eq!(icmp.len(), 1, "{icmp:?}");
    assert_eq!(icmp[0][..3], ["10.0.1.1", "3", "1"]);
    assert_eq!(icmp[0][3..], syn[0][..], "the ICMP message quotes the SYN's TCP header");
}

#[test]
fn a_server_nobody_answers_arp_for_is_unreachable_after_three_seconds() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = connect_through(&["--no-arp"], "", "");
    let log = run.read("client.log");
    assert!(log.contains("No route to host (os error 113)"), "{log}");
    // The router asked for the server's MAC on link2 and got no answer...
    let arp = fields(&run.path("link2.pcap"), "arp", &["arp.opcode", "frame.time_relative"]).unwrap();
    assert!(arp.len() >= 3 && arp.iter().all(|r| r[0] == "1"), "only requests: {arp:?}");
    // ...then told the client, ~3 s after its first SYN.
    let t = |filter| -> f64 {
        fields(&run.path("link1.pcap"), filter, &["frame.time_epoch"]).unwrap()[0][0].parse().unwrap()
    };
    let waited = t("icmp.type == 3 && icmp.code == 1") - t("tcp.flags.syn == 1");
    assert!((2.5..4.5).contains(&waited), "ICMP host unreachable after {waited:.2} s");
}

#[test]
fn dropped_syns_are_retransmitted_with_doubling_intervals_then_etimedout() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    // Exponential back-off from the first retransmission (no linear phase), 2 retries.
    let sysctl = "on client sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 net.ipv4.tcp_syn_retries=2\n";
    let run = connect_through(&["--drop-syn"], sysctl, "");
    let log = run.read("client.log");
    assert!(log.contains("Connection timed out (os error 110)"), "{log}");
    let times: Vec<f64> = fields(&run.path("link1.pcap"), "tcp.flags.syn == 1", &["frame.time_relative"])
        .unwrap()
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(times.len(), 3, "one SYN and two retransmissions: {times:?}");
    let (first, second) = (times[1] - times[0], times[2] - times[1]);
    assert!((0.9..1.3).contains(&first), "first RTO {first:.2} s");
    assert!((1.8..2.6).contains(&second), "the RTO doubled: {second:.2} s");
    assert!(fields(&run.path("link2.pcap"), "tcp", &["tcp.flags"]).unwrap().is_empty());
}

#[test]
fn a_smaller_mtu_on_link2_shrinks_the_mss_and_earns_frag_needed() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let probe = format!("{}/../../scripts/lab/df-probe.py", env!("CARGO_MANIFEST_DIR"));
    // After the echo: the path MTU the probe teaches the client's kernel would
    // otherwise shrink the client's own MSS too (it applies to TCP as well).
    let after = format!("on client python3 {probe} 10.0.2.2 1472 >\"$LAB_DIR/probe.log\"\n");
    let run = connect_through(&["--mtu", "1400"], "", &after);
    assert!(run.read("client.log").contains("Received"), "{}", run.read("client.log"));
    // The server, on the 1400-byte link, announces MSS 1360; the client announced 1460.
    let mss =
        fields(&run.path("link1.pcap"), "tcp.flags.syn == 1", &["tcp.flags.ack", "tcp.options.mss_val"])
            .unwrap();
    assert_eq!(mss, [["0", "1460"], ["1", "1360"]]);
    // The DF datagram too big for link2: ICMP type 3 code 4 with the next-hop MTU.
    let icmp = fields(&run.path("link1.pcap"), "icmp", &["icmp.type", "icmp.code", "icmp.mtu"]).unwrap();
    assert_eq!(icmp, [["3", "4", "1400"]]);
    let probe = run.read("probe.log");
    assert!(probe.contains("send 2: EMSGSIZE: path MTU now 1400"), "{probe}");
}
