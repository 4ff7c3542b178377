//! ARP, ICMP and ICMPv6 wherever the decoder walks for TCP (issue 23, item 1):
//! inside QinQ, PPPoE, MPLS and GRE (`tests/fixtures/make-control-encap.py`), each
//! frame's control record agrees with tshark's reading of it — protocol, type and
//! code, MTU, and the addresses of the header that carried the message.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use harness::Need;

const CAPTURE: &str = "tests/fixtures/control-encap.pcap";

/// One frame's message, in tshark's terms: (protocol, type or opcode, MTU, source, destination).
type Message = (String, u32, Option<u32>, String, String);

fn ours(pcap: &Path) -> anyhow::Result<BTreeMap<u64, Message>> {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(pcap).arg("--json");
    let out = harness::run(cmd, b"", Duration::from_secs(60))?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let j: serde_json::Value = serde_json::from_str(line)?;
        if j["type"] != "control" {
            continue;
        }
        let kind = match (j["protocol"].as_str(), j["message"].as_str()) {
            (Some("arp"), Some("request")) => 1,
            (Some("arp"), Some("reply")) => 2,
            (Some("icmp"), Some("echo_request")) => 8,
            (Some("icmp"), Some("echo_reply")) => 0,
            (Some("icmp"), Some("frag_needed")) => 3,
            (Some("icmpv6"), Some("echo_request")) => 128,
            (Some("icmpv6"), Some("packet_too_big")) => 2,
            (Some("icmpv6"), Some("neighbour_solicitation")) => 135,
            other => anyhow::bail!("frame {}: a message this test does not expect: {other:?}", j["frame"]),
        };
        let mtu = j["mtu"].as_u64().map(|m| m as u32);
        let text = |k: &str| j[k].as_str().unwrap_or_default().to_string();
        let row = (text("protocol"), kind, mtu, text("src"), text("dst"));
        rows.insert(j["frame"].as_u64().unwrap_or(0), row);
    }
    Ok(rows)
}

/// tshark's reading. Its `ip.src` lists every IPv4 header of the frame, outermost
/// first: a tunnel's before the message's, and an error's quoted header after it.
fn theirs(pcap: &Path) -> anyhow::Result<BTreeMap<u64, Message>> {
    let fields = [
        "frame.number",
        "arp.opcode",
        "arp.src.proto_ipv4",
        "arp.dst.proto_ipv4",
        "icmp.type",
        "icmp.mtu",
        "icmpv6.type",
        "icmpv6.mtu",
        "ip.src",
        "ip.dst",
        "ipv6.src",
        "ipv6.dst",
    ]
    .map(String::from);
    let out = harness::tshark::fields(pcap, &fields)?;
    let mut rows = BTreeMap::new();
    for l in out.lines() {
        let c: Vec<&str> = l.split('\t').collect();
        let get = |i: usize| c.get(i).copied().unwrap_or_default();
        let (frame, arp, icmp, icmpv6) = (get(0).parse()?, get(1), get(4), get(6));
        // The message's own header: the last, or the one before an error's quote.
        let carrier = |list: &str, error: bool| {
            let all: Vec<&str> = list.split(',').collect();
            all[all.len() - 1 - usize::from(error && all.len() > 1)].to_string()
        };
        let row = if !arp.is_empty() {
            ("arp".into(), arp.parse()?, None, get(2).into(), get(3).into())
        } else if !icmp.is_empty() {
            let error = icmp == "3";
            (
                "icmp".into(),
                icmp.parse()?,
                get(5).parse().ok(),
                carrier(get(8), error),
                carrier(get(9), error),
            )
        } else if !icmpv6.is_empty() {
            let error = icmpv6 == "2";
            (
                "icmpv6".into(),
                icmpv6.parse()?,
                get(7).parse().ok(),
                carrier(get(10), error),
                carrier(get(11), error),
            )
        } else {
            continue;
        };
        rows.insert(frame, row);
    }
    Ok(rows)
}

#[test]
fn arp_and_icmp_inside_qinq_pppoe_mpls_and_gre_read_as_tshark_reads_them() {
    if !harness::require!(Need::Tool("tshark")) {
        return;
    }
    let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join(CAPTURE);
    let (ours, theirs) = (ours(&pcap).unwrap(), theirs(&pcap).unwrap());
    assert_eq!(theirs.len(), 11, "every frame of the capture is ARP, ICMP or ICMPv6 to tshark");
    assert_eq!(ours, theirs);
}

#[test]
fn a_message_inside_a_tunnel_is_said_from_its_own_link() {
    let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join(CAPTURE);
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(&pcap).args(["--color", "never", "--width", "0"]);
    let out = harness::run(cmd, b"", Duration::from_secs(60)).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 11, "{text}");
    // In QinQ the ARP request went to the Ethernet broadcast; in GRE (no Ethernet
    // inside) nothing says to which MAC, so no "broadcast" or "unicast" is claimed.
    assert!(lines[0].contains("ARP request, broadcast:"), "{}", lines[0]);
    assert!(lines[8].contains("ARP request: 10.0.0.1's kernel needs"), "{}", lines[8]);
    // In GRE's whole Ethernet frame (TEB), the inner frame's MACs: to the asker only.
    assert!(lines[9].contains("ARP reply, to 10.0.0.1 only"), "{}", lines[9]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().last(),
        Some("11 frames, 0 TCP segments, 0 connections, 11 frames not decoded as TCP")
    );
}
