//! No torn or leftover file: `--write` and `--tsg` on a full disk (a small
//! tmpfs in a mount namespace the test makes, never the machine's disk) fail
//! in one line and leave the folder as it was; Ctrl-C (or SIGTERM) while `--read … --write`
//! runs removes the partial file.

mod common;

use common::{fixture, text};
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::Signal;

/// Runs `script` in a new mount namespace where `$1` is a tmpfs of 8 KiB
/// holding `old.svg` (one page): one page is left, less than any SVG or pcap
/// below. `$2` is osi-trace. The namespace (and its tmpfs) go when it exits.
fn on_full_disk(script: &str) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let setup = "mount -t tmpfs -o size=8k,mode=0755 osi-trace-full \"$1\" && cd \"$1\" && \
                 printf 'my own notes\\n' > old.svg && ";
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("{setup}{script}"))
        .arg("sh")
        .arg(dir.path())
        .arg(harness::bin("osi-trace"));
    let out = harness::run(cmd, b"", Duration::from_secs(120))?;
    anyhow::ensure!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    Ok(text(&out.stdout))
}

#[test]
fn a_full_disk_leaves_no_torn_file_and_no_temporary_one() -> anyhow::Result<()> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = if unsafe { libc::geteuid() } == 0 { Ok(()) } else { Err("mount needs root".into()) };
    if !harness::require_that!("root", root) || !harness::require!(harness::Need::Tool("unshare")) {
        return Ok(());
    }
    let pcap = fixture("bulk-loss.pcap");
    let pcap = pcap.to_string_lossy();
    // Each run's exit status and stderr (kept off the full disk), then what the folder holds.
    let script = format!(
        "for run in '--tsg new.svg' '--tsg old.svg --force' '--write new.pcap'; do \
           err=$(\"$2\" --read '{pcap}' -q $run 2>&1 >/dev/null); echo \"$run: exit $? $err\"; \
         done; ls -A; cat old.svg"
    );
    let said = on_full_disk(&script)?;
    let lines: Vec<&str> = said.lines().collect();
    for (i, run) in ["--tsg new.svg", "--tsg old.svg --force", "--write new.pcap"].iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or_default();
        assert!(line.starts_with(&format!("{run}: exit 1 osi-trace: error: ")), "{said}");
        assert!(line.ends_with("No space left on device (os error 28)"), "{said}");
    }
    assert_eq!(&lines[3..], ["old.svg", "my own notes"], "only the old file, whole: {said}");
    Ok(())
}

/// A pcap of `n` small TCP segments (a long run of ACKs of one connection).
fn long_capture(path: &Path, n: u32) -> anyhow::Result<()> {
    let mut f = BufWriter::new(std::fs::File::create(path)?);
    f.write_all(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])?;
    for i in 0..n {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]);
        frame.extend_from_slice(&[10, 0, 0, 1, 127, 0, 0, 1]);
        frame.extend_from_slice(&[0x9c, 0x40, 0, 80]);
        frame.extend_from_slice(&1000u32.to_be_bytes());
        frame.extend_from_slice(&[
            0,
            0,
            0,
            0,
            5 << 4,
            if i == 0 { 0x02 } else { 0x10 },
            0xff,
            0xff,
            0,
            0,
            0,
            0,
        ]);
        for v in [1_700_000_000 + i / 1_000_000, i % 1_000_000, frame.len() as u32, frame.len() as u32] {
            f.write_all(&v.to_le_bytes())?;
        }
        f.write_all(&frame)?;
    }
    f.flush()?;
    Ok(())
}

/// Ctrl-C while a file is read and written: the partial file is removed, the
/// old one is as it was, and the run says so in one line.
#[test]
fn ctrl_c_while_reading_removes_the_partial_file() -> anyhow::Result<()> {
    stopped_while_reading(Signal::SIGINT, "Ctrl-C")
}

/// SIGTERM (a plain `kill`) does what Ctrl-C does, and the line names it.
#[test]
fn sigterm_while_reading_removes_the_partial_file() -> anyhow::Result<()> {
    stopped_while_reading(Signal::SIGTERM, "SIGTERM")
}

/// `signal` while a file is read and written; `by` is how the error line names it.
fn stopped_while_reading(signal: Signal, by: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let big = dir.path().join("big.pcap");
    long_capture(&big, 400_000)?;
    let old = dir.path().join("v2.pcap");
    std::fs::write(&old, "the previous run")?;
    let mut child = Command::new(harness::bin("osi-trace"))
        .args(["--read", &big.to_string_lossy(), "--write", &old.to_string_lossy(), "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    // Wait until the partial file has data: the run is well under way.
    let dir_path = dir.path().to_path_buf();
    let partial = move || -> anyhow::Result<bool> {
        for e in std::fs::read_dir(&dir_path)? {
            let e = e?;
            if e.file_name().to_string_lossy().ends_with(".part") && e.metadata()?.len() > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    };
    let started =
        harness::wait::until("a partial file while osi-trace reads", Duration::from_secs(60), partial);
    if started.is_err() {
        let _ = child.kill();
    }
    started?;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal)?;
    let mut status = None;
    let exited = harness::wait::until("osi-trace to exit after the signal", Duration::from_secs(60), || {
        status = child.try_wait()?;
        Ok(status.is_some())
    });
    if exited.is_err() {
        let _ = child.kill();
    }
    exited?;
    let mut err = String::new();
    child.stderr.take().map(|mut e| e.read_to_string(&mut err)).transpose()?;
    let out = std::process::Output {
        status: status.unwrap_or_default(),
        stdout: Vec::new(),
        stderr: err.into_bytes(),
    };
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("stopped by {by} before the end of")), "{err}");
    assert_eq!(std::fs::read(&old)?, b"the previous run");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<anyhow::Result<_>>()?;
    names.sort();
    assert_eq!(names, ["big.pcap", "v2.pcap"], "no partial file left");
    Ok(())
}
