//! Round-trip times on captures recorded from real runs of the kit
//! (tests/fixtures/record-rtt.sh: a bulk echo on lo, and one through 5 % loss):
//! every ACK's `ack_rtt` and `acks_frame` as tshark gives them, Karn's rule,
//! and RFC 6298's estimate in the `--rtt` summary.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{fixture, osi_trace_ok};
use osi_trace::json::{ConnectionRecord, Record, SegmentRecord};

const T: Duration = Duration::from_secs(60);
const FIXTURES: [&str; 7] = [
    "bulk-echo.pcap",
    "bulk-loss.pcap",
    "echo-and-refused.pcap",
    "three-clients.pcap",
    "anomalies.pcap",
    "accept-queue.pcap",
    "zero-window.pcap",
];

fn json(pcap: &Path) -> anyhow::Result<(Vec<SegmentRecord>, Vec<ConnectionRecord>)> {
    let (mut segs, mut conns) = (Vec::new(), Vec::new());
    for line in osi_trace_ok(&["--read", &pcap.to_string_lossy(), "--json"])?.lines() {
        match serde_json::from_str(line)? {
            Record::Segment(s) => segs.push(*s),
            Record::Connection(c) => conns.push(c),
            _ => {}
        }
    }
    Ok((segs, conns))
}

/// Seconds as nanoseconds, to compare times without float noise.
fn ns(s: f64) -> i64 {
    (s * 1e9).round() as i64
}

/// (frame, acks_frame, ack_rtt in ns) for every frame that has a sample.
type Sample = (u64, u64, i64);

fn tshark_samples(pcap: &Path) -> anyhow::Result<Vec<Sample>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap).args(["-T", "fields", "-E", "separator=/t"]);
    for f in ["frame.number", "tcp.analysis.acks_frame", "tcp.analysis.ack_rtt"] {
        cmd.args(["-e", f]);
    }
    let out = harness::run(cmd, b"", T)?;
    anyhow::ensure!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    let mut v = Vec::new();
    for line in String::from_utf8(out.stdout)?.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        if c.get(1).is_none_or(|s| s.is_empty()) {
            continue;
        }
        // Wireshark leaves ack_rtt out when it is 0 (same microsecond).
        let rtt = c.get(2).filter(|s| !s.is_empty()).map_or(Ok(0.0), |s| s.parse::<f64>())?;
        v.push((c[0].parse()?, c[1].parse()?, ns(rtt)));
    }
    Ok(v)
}

#[test]
fn every_ack_rtt_and_acks_frame_is_the_one_tshark_gives() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    for name in FIXTURES {
        let pcap = fixture(name);
        let (segs, _) = json(&pcap)?;
        let ours: Vec<Sample> =
            segs.iter().filter_map(|s| Some((s.frame, s.acks_frame?, ns(s.ack_rtt?)))).collect();
        let theirs = tshark_samples(&pcap)?;
        assert!(!theirs.is_empty(), "{name}: tshark found no RTT sample");
        for (o, t) in ours.iter().zip(&theirs) {
            assert_eq!(o, t, "{name}: (frame, acks_frame, ack_rtt ns) differ");
        }
        assert_eq!(ours.len(), theirs.len(), "{name}: number of samples");
        // Every sample says whether Karn's rule may use it, and only samples do.
        for s in &segs {
            assert_eq!(s.acks_frame.is_some(), s.ack_rtt_retransmitted.is_some(), "frame {}", s.frame);
        }
    }
    Ok(())
}

/// Through loss, the ACKs of retransmitted bytes are left out of the estimate:
/// each such sample covers bytes tshark flags as retransmitted.
#[test]
fn karn_leaves_out_the_acks_of_retransmitted_bytes() -> anyhow::Result<()> {
    let (segs, conns) = json(&fixture("bulk-loss.pcap"))?;
    let retransmitted: Vec<&SegmentRecord> =
        segs.iter().filter(|s| s.analysis.iter().any(|a| a == "retransmission")).collect();
    assert!(!retransmitted.is_empty(), "the loss capture has retransmissions");
    let skipped: Vec<&SegmentRecord> =
        segs.iter().filter(|s| s.ack_rtt_retransmitted == Some(true)).collect();
    assert!(!skipped.is_empty());
    for ack in &skipped {
        // Some retransmission from the other side, sent before this ACK, ends at or below its ack.
        let covered = retransmitted
            .iter()
            .any(|r| r.from != ack.from && r.frame < ack.frame && ack.ack.is_some_and(|a| r.seq < a));
        assert!(covered, "frame {}: left out, yet it covers no retransmission", ack.frame);
    }
    // The summary counts what it used and what it left out, per direction.
    let c = &conns[0];
    let used_and_left: u64 = [&c.client_to_server_rtt, &c.server_to_client_rtt]
        .iter()
        .filter_map(|r| r.as_ref().map(|r| r.samples + r.karn_skipped))
        .sum();
    let samples = segs.iter().filter(|s| s.acks_frame.is_some()).count() as u64;
    assert_eq!(used_and_left, samples);
    let left: u64 = [&c.client_to_server_rtt, &c.server_to_client_rtt]
        .iter()
        .filter_map(|r| r.as_ref().map(|r| r.karn_skipped))
        .sum();
    assert_eq!(left, skipped.len() as u64);
    Ok(())
}

/// `--rtt` prints each sample under its ACK and RFC 6298's SRTT and RTO per
/// direction, with the RFC's 1 s floor and Linux's 200 ms beside it.
#[test]
fn the_rtt_view_shows_samples_and_the_rfc6298_estimate() -> anyhow::Result<()> {
    let pcap = fixture("echo-and-refused.pcap");
    let text = osi_trace_ok(&["--read", &pcap.to_string_lossy(), "--rtt"])?;
    let (segs, conns) = json(&pcap)?;
    // The SYN+ACK times the SYN: frame 2 ACKs frame 1.
    let synack = segs.iter().find(|s| s.role == "syn_ack").expect("a SYN+ACK");
    assert_eq!(synack.acks_frame, Some(1));
    let rtt_ms = synack.ack_rtt.unwrap_or_default() * 1000.0;
    assert!(text.contains(&format!("    RTT {rtt_ms:.3} ms: ACKs frame 1 (ack_rtt)")), "{text}");
    let c = conns[0].client_to_server_rtt.clone().expect("the client's segments were timed");
    let line = text
        .lines()
        .find(|l| l.starts_with("  RTT of client → server segments:"))
        .unwrap_or_else(|| panic!("no RTT summary in:\n{text}"));
    assert!(line.contains(&format!("SRTT {:.3} ms", c.srtt * 1000.0)), "{line}");
    assert!(
        line.contains(&format!("= {:.3} ms → 1 s (the RFC's minimum is 1 s)", c.rto_computed * 1000.0)),
        "{line}"
    );
    assert!(line.contains("Linux keeps its 4·RTTVAR term ≥ 200 ms (TCP_RTO_MIN)"), "{line}");
    assert_eq!(c.rto_rfc6298, 1.0, "a loopback RTO is the RFC's floor");
    // The refused connection's RST ACKs the SYN: one sample, nothing smoothed beyond it.
    assert!(text.contains("RTT of server → client segments: no sample"), "{text}");
    // Without --rtt the views are as before.
    assert!(!osi_trace_ok(&["--read", &pcap.to_string_lossy()])?.contains("ack_rtt"));
    Ok(())
}

/// The new fields read back into the schema's types and write out byte for byte.
#[test]
fn rtt_fields_round_trip_through_the_typed_schema() -> anyhow::Result<()> {
    for name in ["bulk-echo.pcap", "bulk-loss.pcap"] {
        for line in osi_trace_ok(&["--read", &fixture(name).to_string_lossy(), "--json"])?.lines() {
            let r: Record = serde_json::from_str(line)?;
            assert_eq!(serde_json::to_string(&r)?, line, "{name}");
        }
    }
    Ok(())
}
