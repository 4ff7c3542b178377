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
    if !harness::require!(Need::Tool("tshark")) {
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

/// The fields a lesson's exercise asks of a link, in `--json` as tshark reads
/// them, on every capture: each segment's MSS option and SACK blocks (relative,
/// as tshark shows them), each ARP message's sender MAC, each ICMP "fragmentation
/// needed" (ICMPv6 "packet too big") MTU.
#[test]
fn json_gives_mss_sack_mac_and_mtu_as_tshark_reads_them() {
    if !harness::require!(Need::Tool("tshark")) {
        return;
    }
    let names = ["frame.number", "tcp.options.mss_val", "tcp.options.sack_le", "tcp.options.sack_re"];
    let names = names.iter().chain(&["arp.src.hw_mac", "icmp.mtu", "icmpv6.mtu"]).map(|s| s.to_string());
    let names: Vec<String> = names.collect();
    let (mut mss, mut sack, mut mac, mut mtu) = (0, 0, 0, 0);
    for pcap in std::fs::read_dir(capture("")).expect("the captures folder") {
        let pcap = pcap.expect("a folder entry").path();
        if pcap.extension().is_none_or(|x| x != "pcap") {
            continue;
        }
        let theirs = harness::tshark::fields(&pcap, &names).expect("tshark reads it");
        let theirs: Vec<Vec<&str>> = theirs.lines().map(|l| l.split('\t').collect()).collect();
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--json"]);
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let record = serde_json::from_str::<Record>(line).expect("a record");
            let (frame, segment, ours) = match record {
                Record::Segment(s) => {
                    mss += usize::from(s.mss.is_some());
                    sack += usize::from(!s.sack.is_empty());
                    let (le, re): (Vec<String>, Vec<String>) =
                        s.sack.iter().map(|[l, r]| (l.to_string(), r.to_string())).unzip();
                    let mss = s.mss.map(|m| m.to_string()).unwrap_or_default();
                    (s.frame, true, [mss, le.join(","), re.join(","), String::new(), String::new()])
                }
                Record::Control(c) => {
                    mac += usize::from(c.mac.is_some());
                    mtu += usize::from(c.mtu.is_some());
                    let (v4, v6) = match c.protocol.as_str() {
                        "icmp" => (c.mtu, None),
                        _ => (None, c.mtu),
                    };
                    let [v4, v6] = [v4, v6].map(|m| m.map(|m| m.to_string()).unwrap_or_default());
                    let none = String::new;
                    (c.frame, false, [none(), none(), none(), c.mac.unwrap_or_default(), v4 + &v6])
                }
                _ => continue,
            };
            let row = &theirs[frame as usize - 1];
            let what = format!("{} frame {frame}", pcap.display());
            if segment {
                // A segment: its own options (an ICMP error's quoted header is not one).
                assert_eq!(
                    [row[1], row[2], row[3]],
                    [&ours[0], &ours[1], &ours[2]].map(String::as_str),
                    "{what}"
                );
            } else {
                assert_eq!(row[4], ours[3], "{what}");
                assert_eq!(format!("{}{}", row[5], row[6]), ours[4], "{what}");
            }
        }
    }
    assert!(mss >= 20 && sack >= 20 && mac >= 10 && mtu >= 2, "too few to check: {mss} {sack} {mac} {mtu}");
}
