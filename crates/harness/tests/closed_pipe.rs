//! A reader that went away (`lesson-check answers 03 x.pcap | head -1`): every
//! program ends as tcpdump and grep do, killed by SIGPIPE (141 in a shell), and
//! never panics with "failed printing to stdout: Broken pipe". stdout is a pipe
//! whose read end is closed before the program starts, so its first write fails
//! every time (no race with a reader); then stderr too. (A client refused says
//! so in its error line, as it would have anyway; a server whose stdout is gone
//! goes on serving, as one started with `> /dev/null` does: neither is walked
//! for SIGPIPE.)

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../osi-trace/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into()
}

/// Runs `name args…` with stdout (and, if `stderr_too`, stderr) a pipe nobody
/// reads; what went wrong, if anything.
fn run(name: &str, args: &[&str], stderr_too: bool) -> anyhow::Result<Option<String>> {
    let (reader, writer) = nix::unistd::pipe()?;
    drop(reader);
    let mut cmd = Command::new(harness::bin(name));
    cmd.args(args).stdin(Stdio::null()).stdout(writer.try_clone()?).env("NO_COLOR", "1");
    let (err_reader, err_writer) = nix::unistd::pipe()?;
    match stderr_too {
        true => cmd.stderr(writer),
        false => cmd.stderr(err_writer.try_clone()?),
    };
    let mut child = cmd.spawn()?;
    // Our copies of the write ends go, so reading stderr ends with the program.
    drop((cmd, err_writer));
    let gather = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::fs::File::from(err_reader).read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            return Ok(Some("still running after 30 s".into()));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = gather.join().unwrap_or_default();
    if status.code() == Some(101) || stderr.contains("panicked") {
        return Ok(Some(format!("panicked ({status}): {stderr}")));
    }
    if status.signal() != Some(nix::libc::SIGPIPE) {
        return Ok(Some(format!("ended with {status}, not by SIGPIPE: {stderr}")));
    }
    Ok(None)
}

#[test]
fn a_reader_gone_ends_every_program_by_sigpipe_never_a_panic() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let results = dir.path().join("results.jsonl");
    std::fs::write(
        &results,
        "{\"label\":\"a\",\"conns\":1,\"msgs_per_sec\":10,\"p99_us\":5,\"stalled\":null}\n",
    )?;
    let results = results.to_string_lossy().into_owned();
    let pcap = fixture("three-clients.pcap");
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("osi-trace", vec!["--read", &pcap]),
        ("lesson-check", vec!["answers", "03", &pcap]),
        ("echo-bench", vec!["churn", "--port", "1", "--count", "1"]),
        ("echo-bench", vec!["medians", "--input", &results]),
    ];
    let mut failed = Vec::new();
    for (name, args) in &runs {
        for stderr_too in [false, true] {
            if let Some(what) = run(name, args, stderr_too)? {
                failed.push(format!("{name} {args:?} (stderr closed too: {stderr_too}): {what}"));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    Ok(())
}
