//! One capture's TCP rows as osi-trace and tshark each read them — stream,
//! relative seq and ack, length, flags, Wireshark's analysis flags — by frame
//! number, so a test compares the two field by field (tshark is the oracle).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, ensure, Result};

/// The analysis flags compared (`tcp.analysis.*`; osi-trace's README says why
/// `ack_lost_segment` is not).
pub const COMPARED: [&str; 9] = [
    "retransmission",
    "spurious_retransmission",
    "fast_retransmission",
    "out_of_order",
    "duplicate_ack",
    "lost_segment",
    "keep_alive",
    "window_update",
    "zero_window",
];

/// One TCP row: stream, seq, ack, len, flags (`tcp.flags`), sorted analysis flags.
pub type Row = (u64, u64, u64, u64, u64, Vec<String>);

/// osi-trace's rows (`--json`) by frame number, and the frame count it reports.
pub fn ours(file: &Path) -> Result<(BTreeMap<u64, Row>, u64)> {
    let mut cmd = Command::new(crate::bin("osi-trace"));
    cmd.arg("--read").arg(file).arg("--json");
    let out = crate::run(cmd, b"", Duration::from_secs(120))?;
    let err = String::from_utf8_lossy(&out.stderr);
    ensure!(out.status.success(), "osi-trace failed: {err}");
    let frames = err
        .lines()
        .find_map(|l| l.split(" frames,").next()?.parse().ok())
        .ok_or_else(|| anyhow!("no frame count in: {err}"))?;
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let j: serde_json::Value = serde_json::from_str(line)?;
        if j["type"] != "segment" {
            continue;
        }
        let mut flags: Vec<String> = j["analysis"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f.as_str().map(String::from)).collect())
            .unwrap_or_default();
        flags.retain(|f| COMPARED.contains(&f.as_str()));
        flags.sort();
        let hex = j["flags_hex"].as_str().unwrap_or("").trim_start_matches("0x");
        let n = |k: &str| j[k].as_u64().unwrap_or(0);
        let row = (
            n("stream"),
            n("seq"),
            n("ack"),
            n("len"),
            u64::from_str_radix(hex, 16).unwrap_or(u64::MAX),
            flags,
        );
        rows.insert(n("frame"), row);
    }
    Ok((rows, frames))
}

/// tshark's TCP rows by frame number, and its frame count.
pub fn theirs(file: &Path) -> Result<(BTreeMap<u64, Row>, u64)> {
    let mut fields: Vec<String> =
        ["frame.number", "tcp.stream", "tcp.seq", "tcp.ack", "tcp.len", "tcp.flags"]
            .map(String::from)
            .to_vec();
    fields.extend(COMPARED.iter().map(|f| format!("tcp.analysis.{f}")));
    let stdout = crate::tshark::fields(file, &fields)?;
    let (mut rows, mut frames) = (BTreeMap::new(), 0);
    for l in stdout.lines() {
        frames += 1;
        let c: Vec<&str> = l.split('\t').collect();
        if c.get(1).is_none_or(|s| s.is_empty()) {
            continue; // not TCP
        }
        let n = |i: usize| c.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        let hex = c.get(5).map_or("", |s| s.trim_start_matches("0x"));
        let mut flags: Vec<String> = COMPARED
            .iter()
            .enumerate()
            .filter(|(i, _)| c.get(6 + i).is_some_and(|s| !s.is_empty()))
            .map(|(_, f)| f.to_string())
            .collect();
        flags.sort();
        let tcp_flags = u64::from_str_radix(hex, 16).unwrap_or(u64::MAX);
        // Without the ACK flag the field means nothing: tshark shows what is there,
        // osi-trace's JSON has null (its schema says so). Both compare as 0.
        let ack = if tcp_flags & 0x10 != 0 { n(3) } else { 0 };
        rows.insert(n(0), (n(1), n(2), ack, n(4), tcp_flags, flags));
    }
    Ok((rows, frames))
}

/// The frames whose rows differ, each with both readings (empty: they agree).
pub fn differences(ours: &BTreeMap<u64, Row>, theirs: &BTreeMap<u64, Row>) -> Vec<String> {
    let frames: std::collections::BTreeSet<u64> = ours.keys().chain(theirs.keys()).copied().collect();
    frames
        .iter()
        .filter(|f| ours.get(f) != theirs.get(f))
        .map(|f| format!("frame {f}: osi-trace {:?}, tshark {:?}", ours.get(f), theirs.get(f)))
        .collect()
}
