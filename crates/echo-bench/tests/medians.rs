//! `echo-bench medians`, the tables scripts/bench.sh prints: on the book's
//! reference run (lessons/charts/pingpong.jsonl), on a stall a server explained,
//! and on a line that is not JSON (one error line, never a panic).

use std::process::Command;
use std::time::Duration;

fn medians(input: &std::path::Path) -> anyhow::Result<std::process::Output> {
    let mut cmd = Command::new(harness::bin("echo-bench"));
    cmd.arg("medians").arg("--input").arg(input).args(["--runs", "3"]);
    harness::run(cmd, b"", Duration::from_secs(60))
}

#[test]
fn the_reference_run_gives_every_design_its_row_and_the_targets() -> anyhow::Result<()> {
    let run = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons/charts/pingpong.jsonl");
    let out = medians(&run)?;
    let table = String::from_utf8(out.stdout)?;
    assert!(out.status.success(), "{table}{}", String::from_utf8_lossy(&out.stderr));
    assert!(table.starts_with("\n### Ping-pong, 64-byte messages (median of 3 runs)\n"), "{table}");
    for row in
        ["| basic | 1 | 59,261 | 16 / 21 | 2.5 / 1 | echo_loop.py --once | 55,222 |", "| epoll | 10,000 |"]
    {
        assert!(table.contains(row), "no row {row}: {table}");
    }
    for target in [
        "- server-epoll ≥ 1.5 × server-select at C = 1 000: 0.92× → NOT met",
        "- server-epoll serves all 10 000 under 64 MB: 5.8 MB → met",
        "- server-threads at C = 10 000: 107.9 / 10,001 (MB / threads)",
    ] {
        assert!(table.contains(target), "no target {target}: {table}");
    }
    // No bulk in a --pingpong-only run: no bulk table.
    assert!(!table.contains("### Bulk"), "{table}");
    Ok(())
}

#[test]
fn a_stall_is_noted_with_what_the_server_said_escaped() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("results.jsonl");
    let said = "fd 1024 \u{1b}[2J over FD_SETSIZE";
    let lines = [
        serde_json::json!({"mode": "pingpong", "design": "select", "lang": "rust", "conns": 10,
            "msgs_per_sec": 1000.0, "stalled": "no echo", "server_said": said}),
        serde_json::json!({"mode": "pingpong", "design": "select", "lang": "python", "conns": 10,
            "msgs_per_sec": 1500.0, "stalled": null}),
        serde_json::json!({"mode": "pingpong", "design": "select", "lang": "python", "conns": 10,
            "msgs_per_sec": 2500.0, "stalled": null}),
    ];
    std::fs::write(&input, lines.map(|l| format!("{l}\n")).concat())?;
    let out = medians(&input)?;
    let table = String::from_utf8(out.stdout)?;
    assert!(out.status.success(), "{table}");
    assert!(
        table.contains("| select | 10 | stalled | stalled | – | selectors | 2,000 | – | – | – |"),
        "{table}"
    );
    assert!(
        table.contains("- select (Rust) at C = 10: stalled: no echo; the server said: `fd 1024 "),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'), "an ESC reached the terminal: {table}");
    Ok(())
}

#[test]
fn a_line_that_is_not_json_is_one_error_line() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("results.jsonl");
    std::fs::write(&input, "{\"mode\": \"pingpong\"}\n\nnot json\n")?;
    let out = medians(&input)?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("echo-bench: error: ") && err.contains("results.jsonl\":3: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    Ok(())
}
