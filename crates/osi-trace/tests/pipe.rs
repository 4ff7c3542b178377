//! A closed stdout ends osi-trace quietly, as tcpdump and grep end:
//! `osi-trace --read big.pcap | head -1` shows one line, and no error.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A capture whose trace is far bigger than a pipe holds (64 KiB): the frames of
/// bulk-echo.pcap, over and over.
fn big_capture(dir: &Path) -> std::io::Result<std::path::PathBuf> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bulk-echo.pcap");
    let bytes = std::fs::read(fixture)?;
    let (header, records) = bytes.split_at(24);
    let mut big = header.to_vec();
    (0..40).for_each(|_| big.extend_from_slice(records));
    let path = dir.join("big.pcap");
    std::fs::write(&path, big)?;
    Ok(path)
}

#[test]
fn a_reader_that_stops_after_one_line_ends_the_trace_quietly_and_removes_a_half_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_capture(dir.path()).unwrap();
    for view in [&[][..], &["--json"], &["--layers"]] {
        let saved = dir.path().join("saved.pcap");
        let mut child = Command::new(harness::bin("osi-trace"))
            .arg("--read")
            .arg(&big)
            .arg("--write")
            .arg(&saved)
            .args(view)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: one line read, then the pipe's only reader closes it.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{view:?}: no first line");
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "{view:?}: osi-trace still runs with nobody reading");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        // Killed by SIGPIPE, as tcpdump would be (a shell shows 141), and nothing on stderr.
        assert_eq!(status.signal(), Some(libc::SIGPIPE), "{view:?}: {status:?}, stderr {stderr}");
        assert_eq!(stderr, "", "{view:?}");
        // The --write file is put in place only when the whole capture was read.
        assert!(!saved.exists(), "{view:?}: a half-written --write file was left");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "{view:?}: a temporary file was left");
    }
}
