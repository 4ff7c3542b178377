//! Wireshark's last rules (issue 23, item 7), each on a capture crafted for it
//! (`tests/fixtures/make-last-rules.py`): every TCP row of osi-trace agrees with
//! tshark's — stream, relative seq and ack, length, flags, every analysis flag
//! (`ack_lost_segment` too) and each ACK's `acks_frame` and `ack_rtt`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::fixture;
use harness::tcp_rows;

const T: Duration = Duration::from_secs(60);

/// Per frame: `ack_lost_segment` flagged, and the RTT sample (acks_frame, ack_rtt in µs).
type Extra = (bool, Option<(u64, u64)>);

fn ours(pcap: &Path) -> anyhow::Result<BTreeMap<u64, Extra>> {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(pcap).args(["--json", "--rtt"]);
    let out = harness::run(cmd, b"", T)?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let j: serde_json::Value = serde_json::from_str(line)?;
        if j["type"] != "segment" {
            continue;
        }
        let lost = j["analysis"].as_array().is_some_and(|a| a.iter().any(|f| f == "ack_lost_segment"));
        let rtt = j["acks_frame"].as_u64().zip(j["ack_rtt"].as_f64().map(|s| (s * 1e6).round() as u64));
        rows.insert(j["frame"].as_u64().unwrap_or(0), (lost, rtt));
    }
    Ok(rows)
}

fn theirs(pcap: &Path) -> anyhow::Result<BTreeMap<u64, Extra>> {
    let fields =
        ["frame.number", "tcp.analysis.ack_lost_segment", "tcp.analysis.acks_frame", "tcp.analysis.ack_rtt"]
            .map(String::from);
    let out = harness::tshark::fields(pcap, &fields)?;
    let mut rows = BTreeMap::new();
    for l in out.lines() {
        let c: Vec<&str> = l.split('\t').collect();
        let frame = c[0].parse()?;
        let acks = c.get(2).and_then(|s| s.parse::<u64>().ok());
        let rtt = c.get(3).and_then(|s| s.parse::<f64>().ok()).map(|s| (s * 1e6).round() as u64);
        // tshark leaves out an RTT of 0 (README): compare the frame with 0 then.
        let sample = acks.map(|f| (f, rtt.unwrap_or(0)));
        rows.insert(frame, (c.get(1).is_some_and(|s| !s.is_empty()), sample));
    }
    Ok(rows)
}

/// Every rule of the list, one connection each: the rows, the ACKed-unseen flags and
/// the RTT samples are tshark's.
#[test]
fn each_last_rule_agrees_with_tshark() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let pcap = fixture("last-rules.pcap");
    let ((rows, _), (their_rows, _)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
    assert!(rows.len() > 40, "{rows:?}");
    let differ = tcp_rows::differences(&rows, &their_rows);
    assert!(differ.is_empty(), "osi-trace and tshark disagree:\n{}", differ.join("\n"));
    let (extra, their_extra) = (ours(&pcap)?, theirs(&pcap)?);
    let differ: Vec<String> = their_extra
        .iter()
        .filter(|(f, t)| extra.get(f) != Some(t))
        .map(|(f, t)| format!("frame {f}: osi-trace {:?}, tshark {t:?}", extra.get(f)))
        .collect();
    assert!(differ.is_empty(), "ACKed unseen or RTT differ:\n{}", differ.join("\n"));
    Ok(())
}

/// The README says `--rtt`'s fields are in the JSON: `--json --rtt` is accepted, and
/// gives the same records as `--json` (which always carries them).
#[test]
fn json_and_rtt_combine() -> anyhow::Result<()> {
    let pcap = fixture("last-rules.pcap");
    let run = |args: &[&str]| -> anyhow::Result<std::process::Output> {
        let mut cmd = Command::new(harness::bin("osi-trace"));
        cmd.arg("--read").arg(&pcap).args(args);
        harness::run(cmd, b"", T)
    };
    let (both, json) = (run(&["--json", "--rtt"])?, run(&["--json"])?);
    assert!(both.status.success(), "{}", String::from_utf8_lossy(&both.stderr));
    assert_eq!(both.stdout, json.stdout);
    assert!(String::from_utf8_lossy(&both.stdout).contains("\"acks_frame\":5,"));
    Ok(())
}

/// A pcapng whose obsolete Packet Blocks (type 2) leave the padding out of their length
/// fields (86 where the block takes 88 bytes): read whole, as tshark reads it.
#[test]
fn obsolete_packet_blocks_without_their_padding_are_read_whole() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let pcap = fixture("obsolete-packet-block.pcapng");
    let ((rows, frames), (their_rows, their_frames)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
    assert_eq!((frames, their_frames), (3, 3));
    let differ = tcp_rows::differences(&rows, &their_rows);
    assert!(differ.is_empty(), "osi-trace and tshark disagree:\n{}", differ.join("\n"));
    Ok(())
}

/// A frame whose TCP header was cut before the capture (20 of its 32 bytes): shown, with
/// its stream, ports and flags as tshark has them. tshark 4.0 stops at the short header and
/// shows raw numbers; osi-trace keeps the relative ones (WIRESHARK.md).
#[test]
fn a_tcp_header_cut_before_the_capture_is_still_shown() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let pcap = fixture("tcp-header-cut.pcap");
    let ((rows, frames), (their_rows, _)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
    assert_eq!(frames, 4);
    let (ours, theirs) = (&rows[&4], &their_rows[&4]);
    assert_eq!((ours.0, ours.4), (theirs.0, theirs.4), "stream and flags: {ours:?} {theirs:?}");
    assert_eq!((ours.1, ours.2, ours.3), (1, 1, 0), "relative seq and ack, no payload: {ours:?}");
    let out = harness::run(
        {
            let mut cmd = Command::new(harness::bin("osi-trace"));
            cmd.arg("--read").arg(&pcap).arg("--json");
            cmd
        },
        b"",
        T,
    )?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"srcport\":40000") && text.contains("\"frame\":4,"), "{text}");
    Ok(())
}

/// Where osi-trace keeps its answer and tshark 4.0 differs (README, "Checked against
/// Wireshark"), on `tshark-4.0-differs.pcap`: the differences are exactly these three.
/// - A split handshake (frames 1–5: the server ACKs the SYN, then sends a SYN of its own):
///   one connection to osi-trace; tshark 4.0 opens a stream at the server's SYN (and calls
///   the client's SYN+ACK, which repeats its SYN, no retransmission), so every later
///   stream number is one higher.
/// - Frame 9, a SYN whose IPv4 Timestamp option claims 3 bytes: tshark 4.0 stops at the IP
///   header (no TCP row); osi-trace shows the segment.
/// - Stream 3: the server's data comes before the client's handshake ACK. tshark 4.0's
///   initial RTT ends at that data segment (6 ms); osi-trace's handshake RTT at the ACK (7 ms).
#[test]
fn where_tshark_4_0_differs_osi_trace_keeps_its_answer() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let pcap = fixture("tshark-4.0-differs.pcap");
    let ((rows, frames), (their_rows, their_frames)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
    assert_eq!((frames, their_frames), (15, 15));
    assert!(rows[&9].4 == 0x002 && !their_rows.contains_key(&9), "frame 9: {:?}", their_rows.get(&9));
    for (frame, theirs) in &their_rows {
        let mut ours = rows[frame].clone();
        let (split, shift) = ((1..=5).contains(frame), u64::from(*frame >= 3));
        assert_eq!(ours.0 + shift, theirs.0, "frame {frame}: tshark's stream");
        ours.0 = theirs.0;
        if *frame == 4 {
            assert_eq!(ours.5, ["retransmission"], "frame 4 repeats the client's SYN");
            ours.5.clear();
        }
        assert_eq!(&ours, theirs, "frame {frame} (split handshake: {split})");
    }
    let ours: Vec<serde_json::Value> = {
        let mut cmd = Command::new(harness::bin("osi-trace"));
        cmd.arg("--read").arg(&pcap).arg("--json");
        let out = harness::run(cmd, b"", T)?;
        String::from_utf8_lossy(&out.stdout).lines().map(serde_json::from_str).collect::<Result<_, _>>()?
    };
    // The server's own SYN (a split handshake, or a simultaneous open): its connect(), not the client's.
    let syn = ours.iter().find(|j| j["type"] == "segment" && j["frame"] == 3).expect("frame 3");
    assert_eq!((syn["from"].as_str(), syn["cause"].as_str()), (Some("server"), Some("server's connect()")));
    let conn = ours.iter().find(|j| j["type"] == "connection" && j["stream"] == 3).expect("stream 3");
    assert_eq!(conn["handshake_rtt"].as_f64(), Some(0.007));
    let fields = ["frame.number", "tcp.analysis.initial_rtt"].map(String::from);
    let initial = harness::tshark::fields(&pcap, &fields)?;
    assert!(initial.lines().any(|l| l == "15\t0.006000000"), "{initial}");
    Ok(())
}
