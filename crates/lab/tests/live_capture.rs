//! osi-trace capturing live on one of the lab's links, in the same run as tcpdump
//! on the same link: it captures as many frames as tcpdump — both directions, the
//! router's own frames and ARP included — and writes (`--write`) the same
//! frames in the same order, ARP included.

use std::time::Duration;

use harness::Need;
use lab::{fields, Lab};

/// The lab's script: a server, osi-trace and tcpdump on link2 (the router's eth1),
/// one echo from the client; osi-trace stops when the connection has ended, tcpdump
/// once its file holds as many frames as osi-trace counted (with --immediate-mode it
/// writes each frame at once).
const SCRIPT: &str = r#"
on server server-basic --host 0.0.0.0 -q >"$LAB_DIR/server.log" 2>&1 &
wait-ready "$LAB_DIR/server.log"
on router osi-trace --interface eth1 --port 65432 --connections 1 --duration 30 --json \
  --write "$LAB_DIR/ours.pcap" >"$LAB_DIR/ours.json" 2>"$LAB_DIR/ours.log" &
ours=$!
wait-ready "$LAB_DIR/ours.log"
# -Z root: as real root tcpdump keeps root (by default it would switch to the user
# tcpdump, who may not write here); in a user namespace it cannot switch at all.
on router tcpdump -Z root -B 32768 -U --immediate-mode -i eth1 -w "$LAB_DIR/theirs.pcap" \
  'tcp port 65432 or arp or icmp or icmp6' 2>"$LAB_DIR/theirs.log" &
theirs=$!
for ((i = 0; i < 200; i++)); do grep -qs 'listening on' "$LAB_DIR/theirs.log" && break; sleep 0.05; done
on client client --host "$LAB_SERVER" --message Hello --color never >"$LAB_DIR/client.log" 2>&1
wait "$ours"
want=$(sed -n 's/^\([0-9]*\) frames, .*/\1/p' "$LAB_DIR/ours.log")
for ((i = 0; i < 200; i++)); do
  (($(tshark -r "$LAB_DIR/theirs.pcap" 2>/dev/null | wc -l) >= want)) && break
  sleep 0.05
done
kill -INT "$theirs"
wait "$theirs" || true
"#;

#[test]
fn osi_trace_on_a_lab_link_writes_the_frames_tcpdump_sees() {
    if !harness::require!(Need::Netns, Need::Tool("tshark"), Need::Tool("tcpdump")) {
        return;
    }
    // As an ordinary user the lab is a user namespace, where tcpdump cannot run.
    let uid = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:").and_then(|v| v.split_whitespace().nth(1)).map(String::from));
    let root = if uid.as_deref() == Some("0") {
        Ok(())
    } else {
        Err("tcpdump runs in the lab only as root: in a user namespace it cannot give up privileges".into())
    };
    if !harness::require_that!("root", root) {
        return;
    }
    let run = Lab::default().run(SCRIPT, Duration::from_secs(90)).unwrap();
    assert!(run.status.success(), "lab failed: {}\n{}", run.stdout, run.stderr);
    assert!(run.read("client.log").contains("Received \"Hello\""), "{}", run.read("client.log"));
    // osi-trace's count: "12 frames, 10 TCP segments, …" at the end of its stderr.
    let log = run.read("ours.log");
    let counted: usize = log.lines().find_map(|l| l.split(" frames, ").next()?.parse().ok()).unwrap_or(0);
    let json = run.read("ours.json");
    let control =
        |protocol: &str| json.lines().filter(|l| l.contains(&format!("\"protocol\":\"{protocol}\""))).count();
    let theirs = |filter: &str| fields(&run.path("theirs.pcap"), filter, &["frame.number"]).unwrap().len();
    // IPv6 multicast listener reports come when the kernel likes, maybe after osi-trace
    // has stopped (tcpdump ran on a moment): the counts are compared without ICMPv6.
    let (ours_n, theirs_n) = (counted - control("icmpv6"), theirs("!icmpv6"));
    // One echo: handshake (3), two data segments and their ACKs (4), teardown (3), and
    // ARP, when the router does not know the server's MAC yet.
    assert!(ours_n >= 10, "osi-trace counted {ours_n} frames:\n{log}\n{json}");
    assert_eq!(ours_n, theirs_n, "frames: osi-trace {ours_n}, tcpdump {theirs_n}\n{log}");
    assert_eq!(control("arp"), theirs("arp"), "ARP frames");
    // The frames it wrote are tcpdump's, in the same order: TCP, and ARP too.
    let frame =
        ["frame.len", "eth.src", "eth.dst", "eth.type", "ip.ttl", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags"];
    let written = fields(&run.path("ours.pcap"), "!icmpv6", &frame).unwrap();
    assert_eq!(written, fields(&run.path("theirs.pcap"), "!icmpv6", &frame).unwrap(), "the same frames");
    let ours = fields(&run.path("ours.pcap"), "tcp", &frame).unwrap();
    // Both directions: frames from the router (its eth1 sends them) and from the server.
    let from = |mac: &str| ours.iter().filter(|f| f[1] == mac).count();
    assert!(from("02:00:00:00:02:01") >= 5 && from("02:00:00:00:02:02") >= 4, "{ours:?}");
}
