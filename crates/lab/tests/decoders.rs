//! osi-trace's ARP / ICMP / ICMPv6 decoders on every frame of the lab's recorded
//! captures, checked frame by frame against tshark's reading of the same files.

use std::path::{Path, PathBuf};

use harness::Need;
use osi_trace::decode::control::Message;
use osi_trace::decode::icmp::Icmp;
use osi_trace::decode::icmpv6::Icmpv6;
use osi_trace::decode::{decode, Decoded};
use osi_trace::pcap::CaptureReader;

fn captures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the captures folder")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    all.sort();
    all
}

/// Our reading of one frame in tshark's terms: (protocol, type, code) as the
/// `arp.opcode` / `icmp.type,icmp.code` / `icmpv6.type,icmpv6.code` fields give them.
fn ours(message: &Message) -> String {
    match message {
        Message::Arp(a) => format!(
            "arp {}",
            match a.op {
                osi_trace::decode::arp::ArpOp::Request => 1,
                osi_trace::decode::arp::ArpOp::Reply => 2,
                osi_trace::decode::arp::ArpOp::Other(n) => n,
            }
        ),
        Message::Icmp { icmp, .. } => match icmp {
            Icmp::EchoRequest { .. } => "icmp 8,0".into(),
            Icmp::EchoReply { .. } => "icmp 0,0".into(),
            Icmp::FragNeeded { next_hop_mtu, .. } => format!("icmp 3,4 mtu {next_hop_mtu}"),
            Icmp::Unreachable { .. } => "icmp 3".into(),
            Icmp::TimeExceeded { .. } => "icmp 11".into(),
            Icmp::Other { kind, code } => format!("icmp {kind},{code}"),
        },
        Message::Icmpv6 { icmp, .. } => match icmp {
            Icmpv6::EchoRequest { .. } => "icmpv6 128".into(),
            Icmpv6::EchoReply { .. } => "icmpv6 129".into(),
            Icmpv6::Unreachable { .. } => "icmpv6 1".into(),
            Icmpv6::PacketTooBig { mtu, .. } => format!("icmpv6 2 mtu {mtu}"),
            Icmpv6::TimeExceeded { .. } => "icmpv6 3".into(),
            Icmpv6::NeighbourSolicitation { .. } => "icmpv6 135".into(),
            Icmpv6::NeighbourAdvertisement { .. } => "icmpv6 136".into(),
            other => format!("icmpv6 other {other:?}"),
        },
    }
}

/// tshark's reading of the same frame, in the same words.
fn theirs(row: &[String]) -> Option<String> {
    let [arp, it, ic, mtu, i6t, i6mtu] = row else { return None };
    if !arp.is_empty() {
        return Some(format!("arp {arp}"));
    }
    if !it.is_empty() {
        return Some(match (it.as_str(), ic.as_str()) {
            ("3", "4") => format!("icmp 3,4 mtu {mtu}"),
            ("3", _) | ("11", _) => format!("icmp {it}"),
            _ => format!("icmp {it},{ic}"),
        });
    }
    if !i6t.is_empty() {
        return Some(match i6t.as_str() {
            "2" => format!("icmpv6 2 mtu {i6mtu}"),
            _ => format!("icmpv6 {i6t}"),
        });
    }
    None
}

#[test]
fn every_control_frame_of_the_lab_captures_reads_as_tshark_reads_it() {
    if !harness::require!(Need::Tool("tshark")) {
        return;
    }
    let mut checked = 0;
    for pcap in captures() {
        let fields = ["arp.opcode", "icmp.type", "icmp.code", "icmp.mtu", "icmpv6.type", "icmpv6.mtu"];
        let rows = lab::fields(&pcap, "", &fields).unwrap();
        let frames: Vec<_> = CaptureReader::open(&pcap).unwrap().map(|f| f.unwrap()).collect();
        assert_eq!(frames.len(), rows.len(), "{}", pcap.display());
        for (i, (frame, row)) in frames.iter().zip(&rows).enumerate() {
            let got = match decode(frame) {
                Ok(Decoded::Control(c)) => Some(ours(&c.message)),
                _ => None,
            };
            assert_eq!(got, theirs(row), "{} frame {}", pcap.display(), i + 1);
            checked += usize::from(got.is_some());
        }
    }
    assert!(checked >= 30, "only {checked} control frames in the captures");
}
