//! scripts/demo.sh end to end, as an instructor runs it (without pauses): each
//! scenario leaves a trace with a complete handshake and teardown, a pcap,
//! JSON and an explorer page, and no server is left running; in a Vietnamese
//! terminal its headings are Vietnamese, as osi-trace's words under them.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{bin_dir, repo};

use osi_trace::json::Record;

/// osi-trace's `--json` records, after the first (the start record, which gives the schema).
fn records(jsonl: &str) -> anyhow::Result<Vec<Record>> {
    let mut all = jsonl.lines().map(serde_json::from_str).collect::<Result<Vec<Record>, _>>()?;
    anyhow::ensure!(matches!(all.first(), Some(Record::Start(_))), "no start record first: {jsonl}");
    all.remove(0);
    Ok(all)
}

/// The records an explorer page embeds (its one JSON element).
fn embedded(html: &str) -> anyhow::Result<serde_json::Value> {
    let open = r#"<script id="data" type="application/json">"#;
    let start = html.find(open).map(|i| i + open.len()).ok_or_else(|| anyhow::anyhow!("no data"))?;
    let end = html[start..].find("</script>").ok_or_else(|| anyhow::anyhow!("data not closed"))?;
    Ok(serde_json::from_str(&html[start..start + end])?)
}

#[test]
fn demo_runs_every_scenario_and_keeps_complete_traces() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Netns) {
        return Ok(());
    }
    let bin_dir = bin_dir();
    let out = tempfile::tempdir()?;
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/demo.sh"))
        .args(["--no-pause", "--out"])
        .arg(out.path())
        .env("KIT_BIN_DIR", &bin_dir);
    let run = harness::run(cmd, b"", Duration::from_secs(120))?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "demo failed: {stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains(&out.path().display().to_string()), "the demo names its folder: {stdout}");

    // What an instructor projects: every scenario's client narration under a heading; the two
    // clients of server-loop, which run at once, labelled line by line; each summary once.
    assert_eq!(stdout.matches("What the client").count(), 4, "a client heading per scenario: {stdout}");
    let loop_part = stdout
        .split("server-loop (article")
        .nth(1)
        .and_then(|s| s.split("What went over the wire").next())
        .unwrap_or_default();
    let client_lines: Vec<&str> =
        loop_part.lines().skip_while(|l| !l.starts_with("What the clients")).skip(1).collect();
    assert!(client_lines.iter().any(|l| l.starts_with("A: Received \"first\"")), "{loop_part}");
    assert!(client_lines.iter().any(|l| l.starts_with("B: Received \"second\"")), "{loop_part}");
    assert!(
        client_lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.starts_with("A: ") || l.starts_with("B: ")),
        "every line of the two clients is labelled: {loop_part}"
    );
    let counts: Vec<&str> =
        stdout.lines().filter(|l| l.contains(" frames, ") && l.contains(" TCP segments")).collect();
    assert!(counts.is_empty(), "the readers' summary lines are not shown again: {counts:?}");
    assert_eq!(stdout.matches("Summary: ").count(), 4, "one trace summary per scenario: {stdout}");

    // (scenario, connections it makes, how many end gracefully)
    for (name, conns, graceful) in
        [("server-basic", 2, 1), ("server-loop", 2, 2), ("server-threads", 2, 2), ("server-select", 3, 3)]
    {
        let dir = out.path();
        for ext in ["trace.txt", "ladder.txt", "trace.jsonl", "pcap"] {
            let f = dir.join(format!("{name}.{ext}"));
            assert!(
                f.metadata().map(|m| m.len() > 0).unwrap_or(false),
                "{} is missing or empty",
                f.display()
            );
        }
        let json = records(&std::fs::read_to_string(dir.join(format!("{name}.trace.jsonl")))?)?;
        let summaries: Vec<_> = json
            .iter()
            .filter_map(|r| match r {
                Record::Connection(c) => Some(c),
                _ => None,
            })
            .collect();
        assert_eq!(summaries.len(), conns, "{name}: connections");
        let ended_well = summaries.iter().filter(|s| s.end == "graceful").count();
        assert_eq!(ended_well, graceful, "{name}: graceful endings");
        for stream in 0..graceful as u64 {
            let roles: Vec<&str> = json
                .iter()
                .filter_map(|r| match r {
                    Record::Segment(s) if s.stream == stream => Some(s.role.as_str()),
                    _ => None,
                })
                .collect();
            let ended = summaries.iter().any(|s| s.stream == stream && s.end == "graceful");
            if !ended {
                continue;
            }
            assert_eq!(roles[..3], ["syn", "syn_ack", "handshake_ack"], "{name} stream {stream}: {roles:?}");
            assert!(roles.contains(&"data"), "{name} stream {stream}: {roles:?}");
            assert!(roles.iter().filter(|r| **r == "fin").count() == 2, "{name} stream {stream}: {roles:?}");
            assert_eq!(roles.last(), Some(&"fin_ack"), "{name} stream {stream}: {roles:?}");
        }
        if name == "server-basic" {
            assert!(summaries.iter().any(|s| s.end == "refused"), "the second client is refused");
        }
        let text = std::fs::read_to_string(dir.join(format!("{name}.trace.txt")))?;
        assert!(text.contains("handshake 1/3: SYN"), "{name}: {text}");
        // The explorer's page: said where it is, and holding the same records as the JSON,
        // with the listings of the two programs that ran.
        let page = dir.join(format!("{name}.html"));
        assert!(stdout.contains(&page.display().to_string()), "{name}: the page is named: {stdout}");
        let data = embedded(&std::fs::read_to_string(&page)?)?;
        let embedded: Vec<Record> = serde_json::from_value(data["records"].clone())?;
        assert_eq!(embedded, json, "{name}: the page's records are the JSON's");
        assert_eq!(data["page"]["programs"], serde_json::json!([name, "client"]), "{name}");
    }
    // Nothing left running from the demo.
    let left = Command::new("pgrep").args(["-f", &bin_dir.join("server-").display().to_string()]).output()?;
    assert!(left.stdout.is_empty(), "servers left running: {}", String::from_utf8_lossy(&left.stdout));
    Ok(())
}

/// In a Vietnamese terminal (`LANG=vi_VN.UTF-8`, the locale compiled for the test) the
/// demo's headings are Vietnamese, and so is osi-trace's trace under them.
#[test]
fn demo_headings_follow_the_terminals_language() -> anyhow::Result<()> {
    if !harness::require("demo in Vietnamese", harness::Need::Netns) {
        return Ok(());
    }
    let locales = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("locales");
    let locales = lesson_check::compile_vietnamese_locale(&locales)?;
    let out = tempfile::tempdir()?;
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/demo.sh"))
        .args(["--no-pause", "--only", "server-basic", "--out"])
        .arg(out.path())
        .env("KIT_BIN_DIR", bin_dir());
    for v in ["LC_ALL", "LC_MESSAGES", "LANGUAGE"] {
        cmd.env_remove(v);
    }
    cmd.env("LANG", "vi_VN.UTF-8").env("LOCPATH", &locales);
    let run = harness::run(cmd, b"", Duration::from_secs(120))?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "demo failed: {stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    for heading in [
        "Bài 03–05 · server-basic (bài viết §2): một lần echo, từ bắt tay tới đóng",
        "Server, trước gói tin đầu tiên:",
        "Client đã nói gì:",
        "Những gì đã đi trên đường truyền (osi-trace):",
        "Server đã nói gì lúc đó:",
        "Đã xong",
        "Trace, ladder, JSON, trang web và pcap của mỗi lần chạy nằm trong:",
    ] {
        assert!(stdout.contains(heading), "{heading:?} in:\n{stdout}");
    }
    for english in ["Lesson 03", "What the client said", "What went over the wire", "Done"] {
        assert!(!stdout.contains(english), "{english:?} left in:\n{stdout}");
    }
    // osi-trace reads the same terminal: its roles under the heading are Vietnamese too.
    assert!(stdout.contains("bắt tay 1/3"), "osi-trace in Vietnamese: {stdout}");
    Ok(())
}
