//! osi-trace on the lab's recorded captures: the ARP, ICMP and ICMPv6 frames
//! show as rows in their place between the TCP segments, in the line view
//! (checked word for word on one capture) and in `--json` (checked frame by
//! frame against tshark on every capture).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::Need;
use osi_trace::json::Record;

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures").join(name)
}

fn osi_trace(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(args);
    let out = harness::run(cmd, b"", Duration::from_secs(60)).expect("osi-trace runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// icmp-link1.pcap (ping, traceroute, a path MTU probe, a SYN to a host that
/// is gone): every frame has its row, the SYN's between the others.
#[test]
fn the_line_view_shows_arp_and_icmp_rows_in_their_place() {
    let pcap = capture("icmp-link1.pcap");
    let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--width", "0", "--color", "never"]);
    let expected = std::fs::read_to_string(capture("icmp-link1.expected.txt")).expect("the expected rows");
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

/// Every control record of `--json` is a frame tshark reads as ARP, ICMP or
/// ICMPv6, with the same protocol, and none is missing; every line reads into
/// the schema's types.
#[test]
fn json_has_a_control_record_for_each_arp_and_icmp_frame_tshark_sees() {
    if !harness::require(
        "json_has_a_control_record_for_each_arp_and_icmp_frame_tshark_sees",
        Need::Tool("tshark"),
    ) {
        return;
    }
    let mut checked = 0;
    for pcap in std::fs::read_dir(capture("")).expect("the captures folder") {
        let pcap = pcap.expect("a folder entry").path();
        if pcap.extension().is_none_or(|x| x != "pcap") {
            continue;
        }
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--json"]);
        let ours: Vec<(u64, String)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let r = serde_json::from_str::<Record>(l)
                    .unwrap_or_else(|e| panic!("{}: {e}: {l}", pcap.display()));
                match r {
                    Record::Control(c) => Some((c.frame, c.protocol)),
                    _ => None,
                }
            })
            .collect();
        let theirs: Vec<(u64, String)> =
            lab::fields(&pcap, "arp || icmp || icmpv6", &["frame.number", "frame.protocols"])
                .unwrap()
                .iter()
                .map(|r| {
                    let protocols: Vec<&str> = r[1].split(':').collect();
                    let p =
                        ["arp", "icmpv6", "icmp"].into_iter().find(|p| protocols.contains(p)).unwrap_or("?");
                    (r[0].parse().unwrap(), p.to_string())
                })
                .collect();
        assert_eq!(ours, theirs, "{}", pcap.display());
        checked += ours.len();
    }
    assert!(checked >= 30, "only {checked} control records in the captures");
}
