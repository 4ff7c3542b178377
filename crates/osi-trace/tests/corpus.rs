//! The corpus (tests/corpus: real kit captures and captures derived from them
//! with every link type, encapsulation and oddity osi-trace reads): each file
//! is read whole, and every TCP row agrees with tshark's, field by field —
//! frame number, stream, relative seq and ack, length, flags, analysis flags.
//! Prints the agreement per file and overall; fails below 99.5 %.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::tcp_rows::{ours, theirs};

const T: Duration = Duration::from_secs(120);

/// Agreement the corpus must reach, in per cent of TCP rows.
const TARGET: f64 = 99.5;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_is_read_whole_and_agrees_with_tshark() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let files = corpus();
    assert!(files.len() >= 20, "the corpus is missing: {files:?}");
    let (mut all, mut agree) = (0usize, 0usize);
    let mut not_whole = Vec::new();
    for file in &files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let ((ours, our_frames), (theirs, their_frames)) = (ours(file)?, theirs(file)?);
        if our_frames != their_frames {
            not_whole.push(format!("{name}: osi-trace read {our_frames} frames, tshark {their_frames}"));
        }
        let frames: std::collections::BTreeSet<u64> = ours.keys().chain(theirs.keys()).copied().collect();
        let same = frames.iter().filter(|f| ours.get(f) == theirs.get(f)).count();
        for f in frames.iter().filter(|f| ours.get(f) != theirs.get(f)) {
            println!("{name} frame {f}: osi-trace {:?}, tshark {:?}", ours.get(f), theirs.get(f));
        }
        eprintln!(
            "{name}: {our_frames} frames, {same} of {} TCP rows agree ({:.2} %)",
            frames.len(),
            100.0 * same as f64 / frames.len().max(1) as f64
        );
        all += frames.len();
        agree += same;
    }
    let pct = 100.0 * agree as f64 / all.max(1) as f64;
    eprintln!("corpus: {} files, {agree} of {all} TCP rows agree with tshark ({pct:.2} %)", files.len());
    assert!(not_whole.is_empty(), "files not read whole: {not_whole:#?}");
    assert!(pct >= TARGET, "agreement {pct:.2} % is below {TARGET} %");
    Ok(())
}

/// `flags_hex` is Wireshark's `tcp.flags`: all 12 bits after the data offset,
/// AE (Accurate ECN, formerly NS) and the reserved bits too, not the low byte.
#[test]
fn flags_hex_carries_all_12_flag_bits_as_tshark_shows_them() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/tcp-flags12.pcap");
    let ((ours, _), (theirs, _)) = (ours(&file)?, theirs(&file)?);
    let high: Vec<(u64, u64)> = theirs.iter().filter(|(_, r)| r.4 > 0xff).map(|(f, r)| (*f, r.4)).collect();
    assert!(high.iter().any(|(_, x)| x & 0x100 != 0), "no AE bit in tshark's rows: {high:?}");
    assert!(high.iter().any(|(_, x)| x & 0x800 != 0), "no reserved bit in tshark's rows: {high:?}");
    for (frame, theirs) in high {
        assert_eq!(ours.get(&frame).map(|r| r.4), Some(theirs), "frame {frame}: tcp.flags 0x{theirs:03x}");
    }
    Ok(())
}

/// The done-criterion of issue 10: a `tcpdump -s 96` capture of a 200 KB echo
/// (every data frame cut to its first 96 bytes) is read whole, and each
/// direction's bytes come from the IP headers: 200 000 each way.
#[test]
fn a_tcpdump_s96_capture_of_a_200_kb_echo_is_read_whole_with_the_right_lengths() -> anyhow::Result<()> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/echo-200k-s96.pcap");
    let (rows, frames) = ours(&file)?;
    assert_eq!(rows.len() as u64, frames, "every frame is a TCP segment");
    assert!(rows.values().filter(|r| r.3 > 1000).count() >= 4, "big segments, cut by the snap length");
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(&file).arg("--json");
    let out = harness::run(cmd, b"", T)?;
    let summary = text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|j| j["type"] == "connection")
        .ok_or_else(|| anyhow::anyhow!("no connection summary"))?;
    assert_eq!(summary["client_to_server"]["bytes"], 200_000, "{summary}");
    assert_eq!(summary["server_to_client"]["bytes"], 200_000, "{summary}");
    assert_eq!(summary["end"], "graceful", "{summary}");
    Ok(())
}

/// Encapsulation is itself the OSI lesson: `--layers` shows each outer header
/// as one more layer line, between the link and the segment's own IP header;
/// and a reassembled datagram says so on its L3 line.
#[test]
fn layers_show_the_outer_headers_of_a_tunnel_and_reassembly() -> anyhow::Result<()> {
    let layers = |name: &str| -> anyhow::Result<String> {
        let mut cmd = Command::new(harness::bin("osi-trace"));
        cmd.arg("--read").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(name));
        cmd.args(["--layers", "--color", "never", "--count", "1", "--width", "0"]);
        let out = harness::run(cmd, b"", T)?;
        anyhow::ensure!(out.status.success(), "{}", text(&out.stderr));
        Ok(text(&out.stdout))
    };
    let vx = layers("vxlan.pcap")?;
    let order: Vec<usize> = [
        "L2 Ethernet 02:00:00:00:00:01 → 02:00:00:00:00:02, type 0x0800",
        "L3 IPv4 10.0.0.1 → 10.0.0.2 (tunnel endpoints",
        "L4 UDP 49152 → 4789 (a tunnel over UDP)",
        "L4 VXLAN network 42: a whole Ethernet frame inside",
        "L2 Ethernet 02:00:00:00:00:02 → 02:00:00:00:00:01, type 0x0800 (inside the tunnel)",
        "L3 IPv4 127.0.0.1 → 127.0.0.1",
    ]
    .iter()
    .map(|l| vx.find(l).unwrap_or_else(|| panic!("no {l:?} in:\n{vx}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "layers out of order:\n{vx}");
    let q = layers("qinq.pcap")?;
    assert!(q.contains("L2 802.1ad service tag (QinQ, TPID 0x88a8): VLAN 100, priority 1"), "{q}");
    assert!(q.contains("L2 802.1Q VLAN tag: VLAN 200, priority 0"), "{q}");
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ipv4-fragments.pcap"));
    cmd.args(["--layers", "--color", "never", "--width", "0"]);
    let out = text(&harness::run(cmd, b"", T)?.stdout);
    assert!(out.contains("skipped, IP fragment"), "{out}");
    assert!(out.contains("(reassembled from 2 fragments: this frame completed the datagram)"), "{out}");
    Ok(())
}
