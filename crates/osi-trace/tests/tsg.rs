//! The time-sequence graph (`--tsg`): well-formed SVG with its axes, one red
//! mark per retransmission tshark finds in the graphed direction, from a file
//! and from a live run; and never written over a file by accident.

mod common;

use common::{fixture, osi_trace, text};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const T: Duration = Duration::from_secs(60);

/// What a test reads from the SVG: retransmission marks, segments, axis labels, the title.
struct Graph {
    retransmissions: usize,
    segments: usize,
    sacks: usize,
    axis_labels: Vec<String>,
    title: String,
}

fn parse(svg: &Path) -> anyhow::Result<Graph> {
    let doc = std::fs::read_to_string(svg)?;
    let xml = roxmltree::Document::parse(&doc)?;
    let class = |c: &str| xml.descendants().filter(|n| n.attribute("class") == Some(c)).count();
    Ok(Graph {
        retransmissions: class("retransmission"),
        segments: class("segment"),
        sacks: class("sack"),
        axis_labels: xml
            .descendants()
            .filter(|n| n.attribute("class") == Some("axis-label"))
            .filter_map(|n| n.text().map(str::to_string))
            .collect(),
        title: xml
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap_or("")
            .into(),
    })
}

/// tshark's `tcp.analysis.retransmission` count for the segments of stream `stream` sent from `port`.
fn tshark_retransmissions(pcap: &Path, stream: u64, port: u16) -> anyhow::Result<usize> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap).args([
        "-Y",
        &format!("tcp.stream == {stream} && tcp.srcport == {port} && tcp.analysis.retransmission"),
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    let out = harness::run(cmd, b"", T)?;
    anyhow::ensure!(out.status.success(), "tshark: {}", text(&out.stderr));
    Ok(text(&out.stdout).lines().count())
}

/// tshark's SACK blocks in the ACKs of stream `stream` sent from `port`.
fn tshark_sack_blocks(pcap: &Path, stream: u64, port: u16) -> anyhow::Result<usize> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap).args([
        "-Y",
        &format!("tcp.stream == {stream} && tcp.srcport == {port} && tcp.options.sack_le"),
        "-T",
        "fields",
        "-e",
        "tcp.options.sack_le",
    ]);
    let out = harness::run(cmd, b"", T)?;
    anyhow::ensure!(out.status.success(), "tshark: {}", text(&out.stderr));
    // One line per ACK, its left edges joined by commas.
    Ok(text(&out.stdout).lines().map(|l| l.split(',').count()).sum())
}

/// The receiver's port, from the title "…segments 127.0.0.1:47002 → 127.0.0.1:47900".
fn receiver_port(title: &str) -> anyhow::Result<u16> {
    Ok(title.rsplit(':').next().unwrap_or("").parse()?)
}

/// The sender's port, from the title "…segments 127.0.0.1:47002 → …".
fn sender_port(title: &str) -> anyhow::Result<u16> {
    let from = title.split(" → ").next().and_then(|s| s.rsplit(':').next()).unwrap_or("");
    Ok(from.parse()?)
}

#[test]
fn the_graph_of_a_lossy_bulk_transfer_marks_each_retransmission_tshark_finds() -> anyhow::Result<()> {
    let pcap = fixture("bulk-loss.pcap");
    let dir = tempfile::tempdir()?;
    let svg = dir.path().join("loss.svg");
    let out =
        osi_trace(&["--read", &pcap.to_string_lossy(), "--summary-only", "--tsg", &svg.to_string_lossy()])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let g = parse(&svg)?;
    assert!(g.title.contains("stream 0, the server's segments"), "{}", g.title);
    assert!(
        text(&out.stderr).contains("stream 0, the server's segments, 6 retransmissions"),
        "{}",
        text(&out.stderr)
    );
    assert!(g.segments > 100, "{} segments drawn", g.segments);
    assert_eq!(
        g.axis_labels,
        ["time (s, since the capture's first frame)", "sequence number (bytes, relative: the SYN is 0)"]
    );
    if harness::require!(harness::Need::Tool("tshark")) {
        let want = tshark_retransmissions(&pcap, 0, sender_port(&g.title)?)?;
        assert!(want > 0, "the loss capture has retransmissions");
        assert_eq!(g.retransmissions, want, "red marks vs tshark's tcp.analysis.retransmission");
        let sacks = tshark_sack_blocks(&pcap, 0, receiver_port(&g.title)?)?;
        assert!(sacks > 0, "the receiver SACKed what arrived after a loss");
        assert_eq!(g.sacks, sacks, "SACK blocks drawn vs tshark's in the receiver's ACKs");
    }
    // --stream 0 names the stream picked by bytes: the same graph.
    let again = dir.path().join("again.svg");
    let out = osi_trace(&[
        "--read",
        &pcap.to_string_lossy(),
        "-q",
        "--tsg",
        &again.to_string_lossy(),
        "--stream",
        "0",
    ])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&svg)?, std::fs::read(&again)?);
    Ok(())
}

#[test]
fn an_existing_file_is_kept_unless_force_and_a_missing_stream_is_one_line() -> anyhow::Result<()> {
    let pcap = fixture("echo-and-refused.pcap");
    let dir = tempfile::tempdir()?;
    let svg = dir.path().join("mine.svg");
    std::fs::write(&svg, "my own notes")?;
    let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--tsg", &svg.to_string_lossy()])?;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("mine.svg\" exists; hint: give another file name, or --force to replace it"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "refused before any work");
    assert_eq!(std::fs::read_to_string(&svg)?, "my own notes");

    let out =
        osi_trace(&["--read", &pcap.to_string_lossy(), "-q", "--tsg", &svg.to_string_lossy(), "--force"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(parse(&svg)?.segments > 0);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())?.collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");

    let none = dir.path().join("none.svg");
    let out = osi_trace(&[
        "--read",
        &pcap.to_string_lossy(),
        "-q",
        "--tsg",
        &none.to_string_lossy(),
        "--stream",
        "9",
    ])?;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("stream 9 is not in the trace; hint:"), "{err}");
    assert!(!none.exists());

    let nowhere = dir.path().join("no-such-dir/x.svg");
    let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--tsg", &nowhere.to_string_lossy()])?;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no-such-dir\"; hint: create it first"), "{err}");
    assert!(out.stdout.is_empty(), "refused before any work");

    let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--stream", "0"])?;
    assert!(!out.status.success(), "--stream needs --tsg");
    Ok(())
}

/// Live on lo: a 256 KiB echo through server-threads, graphed when the connection ends.
#[test]
fn a_live_run_is_graphed_when_it_ends() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let srv = harness::Server::start("server-threads", &["--quiet"])?;
    let dir = tempfile::tempdir()?;
    let svg = dir.path().join("live.svg");
    let mut cap = Command::new(harness::bin("osi-trace"))
        .args(["--port", &srv.port().to_string(), "--connections", "1", "--duration", "30", "-q"])
        .args(["--tsg", &svg.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stderr = BufReader::new(cap.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?);
    let mut ready = String::new();
    stderr.read_line(&mut ready)?;
    let echoed = harness::echo(srv.addr, &harness::binary_payload(256 * 1024));
    let status = cap.wait()?;
    assert_eq!(echoed?.len(), 256 * 1024);
    assert!(ready.starts_with("READY capturing on lo"), "{ready}");
    assert!(status.success());
    let g = parse(&svg)?;
    assert!(g.segments >= 3, "SYN, data and FIN at least: {}", g.segments);
    assert_eq!(g.axis_labels.len(), 2);
    Ok(())
}
