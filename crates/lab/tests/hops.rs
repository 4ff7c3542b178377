//! One echo two hops away, on real links: ARP on each link, the router rewriting
//! MAC addresses and lowering TTL / hop limit by one, IP addresses and TCP unchanged.

use std::time::Duration;

use harness::Need;
use lab::{fields, serve_and_capture, Lab};

const CLIENT_MAC: &str = "02:00:00:00:01:02";
const ROUTER1_MAC: &str = "02:00:00:00:01:01";
const ROUTER2_MAC: &str = "02:00:00:00:02:01";
const SERVER_MAC: &str = "02:00:00:00:02:02";

fn lab_available(test: &str) -> bool {
    harness::require_all(test, &[Need::Netns, Need::Tool("tshark")])
}

fn echo_script(server_host: &str, target: &str) -> String {
    serve_and_capture("server-basic", server_host)
        + &format!(
            "on client client --host {target} --message Hello --color never >\"$LAB_DIR/client.log\" 2>&1\n\
             capture stop\n"
        )
}

#[test]
fn client_reaches_server_two_hops_away_with_arp_and_rewritten_macs() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = Lab::default().run(&echo_script("10.0.2.2", "10.0.2.2"), Duration::from_secs(60)).unwrap();
    assert!(run.status.success(), "lab failed: {}\n{}", run.stdout, run.stderr);
    assert!(run.read("client.log").contains("Received \"Hello\""), "{}", run.read("client.log"));

    // ARP: the client asks for its gateway on link1, the router for the server on link2.
    let arp1 = fields(&run.path("link1.pcap"), "arp", &["arp.opcode", "arp.dst.proto_ipv4"]).unwrap();
    assert_eq!(arp1, [["1", "10.0.1.1"], ["2", "10.0.1.2"]], "link1 ARP");
    let arp2 = fields(&run.path("link2.pcap"), "arp", &["arp.opcode", "arp.dst.proto_ipv4"]).unwrap();
    assert_eq!(arp2, [["1", "10.0.2.2"], ["2", "10.0.2.1"]], "link2 ARP");

    // The same SYN on both links: new MACs, TTL one lower, same IPs and sequence number.
    let f = ["eth.src", "eth.dst", "ip.src", "ip.dst", "ip.ttl", "tcp.seq_raw"];
    let syn1 = fields(&run.path("link1.pcap"), "tcp.flags.syn == 1 && tcp.flags.ack == 0", &f).unwrap();
    let syn2 = fields(&run.path("link2.pcap"), "tcp.flags.syn == 1 && tcp.flags.ack == 0", &f).unwrap();
    assert_eq!(syn1.len(), 1, "{syn1:?}");
    assert_eq!(syn1[0][..5], [CLIENT_MAC, ROUTER1_MAC, "10.0.1.2", "10.0.2.2", "64"]);
    assert_eq!(syn2[0][..5], [ROUTER2_MAC, SERVER_MAC, "10.0.1.2", "10.0.2.2", "63"]);
    assert_eq!(syn1[0][5], syn2[0][5], "the router does not touch TCP");

    // Every TCP segment crossed: as many on link2 as on link1, and the server's
    // replies arrive on link1 with TTL 63.
    let tcp1 = fields(&run.path("link1.pcap"), "tcp", &["ip.src", "ip.ttl"]).unwrap();
    let tcp2 = fields(&run.path("link2.pcap"), "tcp", &["ip.src", "ip.ttl"]).unwrap();
    assert_eq!(tcp1.len(), tcp2.len());
    assert!(tcp1.len() >= 10, "handshake, echo and teardown: {tcp1:?}");
    for row in &tcp1 {
        let want = if row[0] == "10.0.2.2" { "63" } else { "64" };
        assert_eq!(row[1], want, "{row:?}");
    }
}

#[test]
fn ipv6_hops_use_neighbour_discovery_and_lower_the_hop_limit() {
    if !lab_available(&harness::test_name!()) {
        return;
    }
    let run = Lab::default().run(&echo_script("::", "fd00:2::2"), Duration::from_secs(60)).unwrap();
    assert!(run.status.success(), "lab failed: {}\n{}", run.stdout, run.stderr);
    assert!(run.read("client.log").contains("Received \"Hello\""), "{}", run.read("client.log"));
    // Neighbour solicitation (135) for the router, advertisement (136) back: IPv6's ARP.
    let nd = fields(
        &run.path("link1.pcap"),
        "icmpv6.type == 135 || icmpv6.type == 136",
        &["icmpv6.type", "icmpv6.nd.ns.target_address", "icmpv6.nd.na.target_address"],
    )
    .unwrap();
    assert_eq!(nd[0], ["135", "fd00:1::1", ""], "{nd:?}");
    assert_eq!(nd[1], ["136", "", "fd00:1::1"], "{nd:?}");
    let f = ["eth.src", "ipv6.hlim"];
    let syn = "tcp.flags.syn == 1 && tcp.flags.ack == 0";
    let syn1 = fields(&run.path("link1.pcap"), syn, &f).unwrap();
    let syn2 = fields(&run.path("link2.pcap"), syn, &f).unwrap();
    assert_eq!(syn1, [[CLIENT_MAC, "64"]]);
    assert_eq!(syn2, [[ROUTER2_MAC, "63"]]);
}

#[test]
fn an_unprivileged_user_runs_the_lab_and_it_leaves_nothing_behind() {
    if !lab_available(&harness::test_name!()) || !harness::require!(Need::Unprivileged) {
        return;
    }
    let before = std::process::Command::new("ip").args(["netns", "list"]).output().unwrap();
    let script =
        echo_script("10.0.2.2", "10.0.2.2") + "echo \"uid $(id -u) in $(readlink /proc/self/ns/user)\"\n";
    let run = Lab::default().as_nobody().run(&script, Duration::from_secs(60)).unwrap();
    assert!(run.status.success(), "lab failed: {}\n{}", run.stdout, run.stderr);
    assert!(run.read("client.log").contains("Received \"Hello\""), "{}", run.read("client.log"));
    // Root inside, but in a user namespace of its own (not the machine's).
    let host_userns = std::fs::read_link("/proc/self/ns/user").unwrap();
    assert!(run.stdout.contains("uid 0 in user:"), "{}", run.stdout);
    assert!(!run.stdout.contains(&*host_userns.to_string_lossy()), "{}", run.stdout);
    assert!(fields(&run.path("link2.pcap"), "tcp", &["tcp.flags"]).unwrap().len() >= 10);
    let after = std::process::Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert_eq!(before.stdout, after.stdout, "the lab's namespaces are gone");
}

#[test]
fn the_lab_removes_its_scratch_folder_and_processes() {
    if !harness::require!(Need::Netns) {
        return;
    }
    // Without --out the lab makes its own folder; print it, and leave a server running.
    let script =
        "echo \"dir $LAB_DIR\"\non server server-basic --host 10.0.2.2 --port 0 > \"$LAB_DIR/s.log\" &\n\
                  wait-ready \"$LAB_DIR/s.log\"\ngrep -o 'READY.*' \"$LAB_DIR/s.log\"\n";
    let mut cmd = std::process::Command::new(lab::lab_sh());
    let bin = harness::bin("server-basic");
    harness::bin("client");
    cmd.env("KIT_BIN_DIR", bin.parent().unwrap()).args(["--", "bash", "-c", script]);
    let out = harness::run(cmd, b"", Duration::from_secs(60)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let dir = stdout.lines().find_map(|l| l.strip_prefix("dir ")).unwrap();
    assert!(!std::path::Path::new(dir).exists(), "{dir} was left behind");
    assert!(stdout.contains("READY 10.0.2.2:"), "{stdout}");
    // The server died with the lab's PID namespace: no server-basic bound to the lab's address.
    let ps = std::process::Command::new("ps").args(["-eo", "args"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&ps.stdout).contains("--host 10.0.2.2 --port 0"));
}
