//! Loss and a bottleneck on the router: TCP retransmits what was lost and the
//! application sees only delay; through a rate limit the throughput is the link's
//! rate and the queue makes the round trip longer.

use std::time::Duration;

use harness::Need;
use lab::{fields, serve_and_capture, Lab, Run};

fn lab_available(test: &str) -> bool {
    harness::require_all(test, &[Need::Netns, Need::Tool("tshark")])
}

/// Echo a file of `kib` KiB of random bytes through a lab with `flags`.
fn bulk_echo(flags: &[&str], kib: usize) -> Run {
    let script = serve_and_capture("server-basic", "10.0.2.2")
        + &format!("head -c {} /dev/urandom >\"$LAB_DIR/payload\"\n", kib * 1024)
        + "on client client --host 10.0.2.2 --file \"$LAB_DIR/payload\" --quiet --timeout 60 --color never \
           >\"$LAB_DIR/client.log\" 2>&1\n\
           capture stop\n";
    let run = Lab::with(flags).run(&script, Duration::from_secs(120)).expect("the lab runs");
    assert!(
        run.status.success(),
        "lab or client failed: {}\n{}\n{}",
        run.stdout,
        run.stderr,
        run.read("client.log")
    );
    run
}

fn count(run: &Run, link: &str, filter: &str) -> usize {
    fields(&run.path(link), filter, &["frame.number"]).expect("tshark reads the capture").len()
}

#[test]
fn loss_causes_retransmissions_duplicate_acks_and_sack_but_the_echo_arrives() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = bulk_echo(&["--loss", "5"], 256);
    assert!(!run.read("client.log").contains("error"), "{}", run.read("client.log"));
    let retransmitted =
        count(&run, "link1.pcap", "tcp.analysis.retransmission || tcp.analysis.fast_retransmission");
    let dup_acks = count(&run, "link1.pcap", "tcp.analysis.duplicate_ack");
    let sacks = count(&run, "link1.pcap", "tcp.options.sack_le");
    assert!(retransmitted > 0, "no retransmission through 5 % loss");
    assert!(dup_acks > 0, "no duplicate ACK through 5 % loss");
    assert!(sacks > 0, "no SACK block through 5 % loss");
    // The router dropped what link1 carried and link2 never saw: fewer TCP frames there.
    assert!(
        count(&run, "link2.pcap", "tcp && ip.src == 10.0.1.2")
            < count(&run, "link1.pcap", "tcp && ip.src == 10.0.1.2")
    );
}

#[test]
fn through_a_bottleneck_throughput_is_the_link_rate_and_the_queue_delays() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = bulk_echo(&["--rate", "2mbit"], 256);
    // The client's data as it leaves the router on link2: bytes over time.
    let data = fields(
        &run.path("link2.pcap"),
        "ip.src == 10.0.1.2 && tcp.len > 0",
        &["frame.time_relative", "frame.len"],
    )
    .unwrap();
    let t = |i: usize| -> f64 { data[i][0].parse().unwrap() };
    // The link's rate while it is busy: each frame's bits over the time since the one
    // before. A gap over 20 ms (a full frame takes 6 ms at 2 Mbit/s) means the queue was
    // empty — the sender waited (a timeout after a tail drop, or a CPU shared with
    // parallel tests), not the link — and is left out with its frame.
    let busy: Vec<usize> = (1..data.len()).filter(|&i| t(i) - t(i - 1) < 0.020).collect();
    let bits: f64 = busy.iter().map(|&i| data[i][1].parse::<f64>().unwrap() * 8.0).sum();
    let rate = bits / busy.iter().map(|&i| t(i) - t(i - 1)).sum::<f64>() / 1e6;
    assert!((1.7..2.2).contains(&rate), "{rate:.2} Mbit/s through a 2 Mbit/s link while busy");
    // Round trips seen by the client (tshark's ack_rtt on link1) grow with the queue.
    let rtts: Vec<f64> = fields(
        &run.path("link1.pcap"),
        "ip.src == 10.0.2.2 && tcp.analysis.ack_rtt",
        &["tcp.analysis.ack_rtt"],
    )
    .unwrap()
    .iter()
    .map(|r| r[0].parse().unwrap())
    .collect();
    let max = rtts.iter().cloned().fold(0.0, f64::max);
    assert!(max > 0.05, "largest RTT sample {max:.3} s: the queue did not build");
}

#[test]
fn lost_data_waits_for_a_loss_probe_then_timeouts_that_double() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    // The handshake passes; every data segment from the client is dropped.
    let script = serve_and_capture("server-basic", "10.0.2.2")
        + "on client client --host 10.0.2.2 --timeout 3 --quiet --color never >\"$LAB_DIR/client.log\" 2>&1 || true\n\
           on client nstat -az TcpExtTCPLossProbes TcpExtTCPTimeouts >\"$LAB_DIR/nstat.txt\"\n\
           capture stop\n";
    let run = Lab::with(&["--drop-data"]).run(&script, Duration::from_secs(60)).expect("the lab runs");
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    // What the application sees: nothing but waiting, until its own 3 s timeout.
    let log = run.read("client.log");
    assert!(log.contains("no whole echo (0 of 5 bytes back) within 3 s"), "{log}");
    let nstat = run.read("nstat.txt");
    assert!(nstat.lines().any(|l| l.split_whitespace().take(2).eq(["TcpExtTCPLossProbes", "1"])), "{nstat}");
    let times: Vec<f64> =
        fields(&run.path("link1.pcap"), "ip.src == 10.0.1.2 && tcp.len > 0", &["frame.time_relative"])
            .unwrap()
            .iter()
            .map(|r| r[0].parse().unwrap())
            .collect();
    // Sent, probed after ~200 ms, then RTOs of ~200, 400, 800, 1600 ms (the last may miss the capture).
    assert!(times.len() >= 5, "{times:?}");
    let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!((0.19..0.3).contains(&gaps[0]) && (0.19..0.3).contains(&gaps[1]), "{gaps:?}");
    for pair in gaps[1..].windows(2) {
        assert!((1.8..2.3).contains(&(pair[1] / pair[0])), "the RTO doubles: {gaps:?}");
    }
}
