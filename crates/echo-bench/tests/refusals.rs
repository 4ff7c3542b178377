//! What echo-bench refuses, and when a run is a failure: a `--timeout` that is
//! no duration is clap's one error (it used to panic), a churn that served not
//! one connection exits 1, and a chart `--input` past its cap is one line read
//! in bounded memory. Its own test binary, so that the peak resident size of its
//! children is echo-bench's.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use harness::Server;

fn echo_bench(args: &[&str]) -> anyhow::Result<std::process::Output> {
    let mut cmd = Command::new(harness::bin("echo-bench"));
    cmd.args(args);
    harness::run(cmd, b"", Duration::from_secs(60))
}

#[test]
fn a_timeout_that_is_no_duration_is_one_error_never_a_panic() -> anyhow::Result<()> {
    let hostile = ["-1", "nan", "inf", "-inf", "1e309", "18446744073709551615", "0", "\x1b[2J"];
    for mode in ["pingpong", "bulk", "churn"] {
        for value in hostile {
            let out = echo_bench(&[mode, "--port", "1", "--timeout", value])?;
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{mode} --timeout {value:?}: {err}");
            assert!(err.starts_with("error: invalid value") && err.contains("--timeout"), "{err}");
            assert!(!err.contains("panicked") && !out.stderr.contains(&0x1b), "{mode} {value:?}: {err}");
        }
    }
    Ok(())
}

/// Every connection to a sequential server that someone else holds stalls:
/// the report says so, and the exit status too.
#[test]
fn a_churn_that_served_no_connection_exits_1() -> anyhow::Result<()> {
    let srv = Server::start("server-loop", &["--quiet"])?;
    let _first = harness::connect(srv.addr)?;
    let port = srv.port().to_string();
    let out = echo_bench(&["churn", "--port", &port, "--count", "3", "--timeout", "0.3", "--json"])?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(report["served"].as_u64(), Some(0), "{report}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("echo-bench: error: every connection stalled, none was served: "), "{err}");
    Ok(())
}

/// The largest resident set of any child this process waited for, in MiB.
fn children_peak_mib() -> anyhow::Result<i64> {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    Ok(usage.max_rss() / 1024)
}

/// 64 MiB through a FIFO (an endless input, as /dev/zero would be): refused
/// once past 16 MiB, in one line, with the resident memory bounded.
#[test]
fn a_chart_input_past_its_cap_is_one_line_in_bounded_memory() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let fifo = dir.path().join("endless");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600))?;
    let path = fifo.clone();
    // The writer stops by itself: after 64 MiB, or when the reader has gone (EPIPE).
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..64 {
            f.write_all(&chunk)?;
        }
        Ok(())
    });
    let svg = dir.path().join("chart.svg");
    let out = echo_bench(&["chart", "--input", &fifo.to_string_lossy(), "--output", &svg.to_string_lossy()])?;
    let _ = writer.join();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("endless\" holds more than 16 MiB of results; hint: "), "{err}");
    assert!(!svg.exists());
    let peak = children_peak_mib()?;
    assert!(peak < 64, "echo-bench chart peaked at {peak} MiB");
    Ok(())
}
