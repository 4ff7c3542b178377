//! Files and time: `--write` never destroys what it reads nor leaves a torn
//! file, and `--duration` with `--read` is the capture's own time.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{fixture, osi_trace};
use osi_trace::json::Record;

#[test]
fn writing_the_file_being_read_is_refused_and_leaves_it_whole() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("run.pcap");
    std::fs::copy(fixture("three-clients.pcap"), &pcap)?;
    let before = std::fs::read(&pcap)?;
    let link = dir.path().join("link.pcap");
    std::fs::hard_link(&pcap, &link)?;
    for target in [&pcap, &link] {
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--write", &target.to_string_lossy()])?;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("is the file --read reads") && err.contains("hint: write to another file"),
            "{err}"
        );
        assert_eq!(std::fs::read(&pcap)?, before, "the capture was not touched");
    }
    // To another file: the same frames, and no temporary file left beside it.
    let copy = dir.path().join("copy.pcap");
    let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--write", &copy.to_string_lossy(), "--json"])?;
    assert!(out.status.success());
    let again = osi_trace(&["--read", &copy.to_string_lossy(), "--json"])?;
    assert_eq!(again.stdout, out.stdout);
    let names: Vec<_> =
        std::fs::read_dir(dir.path())?.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    Ok(())
}

/// A live `--write` killed outright leaves the old file as it was, not a torn one.
#[test]
fn a_killed_write_leaves_no_torn_file() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("old.pcap");
    std::fs::write(&target, b"the previous run's capture")?;
    let mut child = Command::new(harness::bin("osi-trace"))
        .args(["--port", "1", "--write", &target.to_string_lossy(), "--duration", "30"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?;
    let first = BufReader::new(stderr).lines().next().transpose()?.unwrap_or_default();
    assert!(first.starts_with("READY"), "{first}");
    child.kill()?; // SIGKILL: no chance to clean up
    child.wait()?;
    assert_eq!(std::fs::read(&target)?, b"the previous run's capture");
    Ok(())
}

#[test]
fn duration_with_read_is_capture_time() -> anyhow::Result<()> {
    let pcap = fixture("accept-queue.pcap");
    let times = |extra: &[&str]| -> anyhow::Result<Vec<f64>> {
        let out = osi_trace(&[&["--read", &pcap.to_string_lossy(), "--json"][..], extra].concat())?;
        assert!(out.status.success());
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| match serde_json::from_str::<Record>(l) {
                Ok(Record::Segment(s)) => Some(s.time),
                _ => None,
            })
            .collect())
    };
    let all = times(&[])?;
    let first_second = times(&["--duration", "1"])?;
    assert!(all.iter().any(|&t| t > 1.0), "the capture lasts more than 1 s");
    assert_eq!(first_second, all.iter().copied().filter(|&t| t <= 1.0).collect::<Vec<_>>());
    Ok(())
}

/// `--write` of frames that mix link types (a pcapng with a raw-IP and an
/// Ethernet interface): the file becomes pcapng, still through the temporary
/// file renamed at the end, and tshark reads every TCP frame of both links.
#[test]
fn writing_mixed_link_types_gives_a_whole_pcapng() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("out.pcap");
    let mixed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/mixed-links.pcapng");
    let run = osi_trace(&["--read", &mixed.to_string_lossy(), "--write", &out.to_string_lossy(), "--quiet"])?;
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let bytes = std::fs::read(&out)?;
    assert_eq!(bytes[..4], [0x0a, 0x0d, 0x0d, 0x0a], "a pcapng section header");
    let names: Vec<_> =
        std::fs::read_dir(dir.path())?.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(&out).args(["-T", "fields", "-e", "frame.interface_id", "-e", "tcp.stream"]);
    let theirs = harness::run(cmd, b"", Duration::from_secs(60))?;
    assert!(theirs.status.success(), "{}", String::from_utf8_lossy(&theirs.stderr));
    let rows = String::from_utf8_lossy(&theirs.stdout).into_owned();
    let tcp = rows.lines().filter(|l| l.split('\t').nth(1).is_some_and(|s| !s.is_empty())).count();
    assert_eq!(tcp, 118, "the 118 TCP frames of mixed-links.pcapng:\n{rows}");
    let interfaces: std::collections::BTreeSet<&str> =
        rows.lines().filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(interfaces.len(), 2, "one interface per link type: {interfaces:?}");
    Ok(())
}
