//! echo-bench against the kit's real servers: what it reports, and that a
//! sequential server's second client is reported as stalled, not waited for.

use std::process::Command;
use std::time::{Duration, Instant};

use harness::Server;

fn bench(port: u16, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let mut cmd = Command::new(harness::bin("echo-bench"));
    cmd.args(args).args(["--port", &port.to_string(), "--json"]);
    let out = harness::run(cmd, b"", Duration::from_secs(60))?;
    anyhow::ensure!(out.status.success(), "echo-bench: {}", String::from_utf8_lossy(&out.stderr));
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[test]
fn pingpong_counts_every_message_and_reports_latency() -> anyhow::Result<()> {
    let srv = Server::start("server-threads", &["--quiet"])?;
    let r = bench(srv.port(), &["pingpong", "--conns", "5", "--messages", "40", "--size", "100"])?;
    assert_eq!(r["stalled"], serde_json::Value::Null, "{r}");
    assert_eq!((r["messages"].as_u64(), r["served"].as_u64()), (Some(200), Some(5)), "{r}");
    let (p50, p99, max) = (r["p50_us"].as_u64(), r["p99_us"].as_u64(), r["max_us"].as_u64());
    assert!(p50 <= p99 && p99 <= max && max.is_some(), "{r}");
    assert!(r["msgs_per_sec"].as_f64().unwrap_or(0.0) > 0.0, "{r}");
    Ok(())
}

#[test]
fn a_sequential_server_stalls_the_run_instead_of_hanging_it() -> anyhow::Result<()> {
    let srv = Server::start("server-loop", &["--quiet"])?;
    // Someone else holds the sequential server: connected, silent.
    let _first = harness::connect(srv.addr)?;
    let started = Instant::now();
    let r = bench(srv.port(), &["pingpong", "--conns", "3", "--messages", "10", "--timeout", "0.5"])?;
    assert!(started.elapsed() < Duration::from_secs(20));
    let why = r["stalled"].as_str().unwrap_or_default();
    assert!(why.contains("no echo in time"), "{r}");
    assert_eq!(r["served"].as_u64(), Some(0));
    Ok(())
}

#[test]
fn bulk_and_churn() -> anyhow::Result<()> {
    let srv = Server::start("server-select", &["--quiet", "--buffer", "65536"])?;
    let r = bench(srv.port(), &["bulk", "--conns", "2", "--bytes", &(8u64 << 20).to_string()])?;
    assert_eq!(r["bytes"].as_u64(), Some(16 << 20), "{r}");
    assert_eq!(r["stalled"], serde_json::Value::Null, "{r}");
    let r = bench(srv.port(), &["churn", "--count", "50"])?;
    assert_eq!(r["served"].as_u64(), Some(50), "{r}");
    Ok(())
}

#[test]
fn refused_is_one_clear_line() -> anyhow::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut cmd = Command::new(harness::bin("echo-bench"));
    cmd.args(["pingpong", "--port", &port.to_string()]);
    let out = harness::run(cmd, b"", Duration::from_secs(30))?;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("echo-bench: error: connect to 127.0.0.1:")
            && err.contains("hint: no server listens there"),
        "{err}"
    );
    Ok(())
}

#[test]
fn the_chart_is_an_svg_with_one_line_per_server() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("r.jsonl");
    let mut lines = String::new();
    for (label, c, rate, p99) in
        [("a", 1, 1000.0, 50), ("a", 10, 5000.0, 90), ("b", 1, 800.0, 60), ("b", 10, 900.0, 900)]
    {
        lines.push_str(&format!(
            "{{\"label\":\"{label}\",\"conns\":{c},\"msgs_per_sec\":{rate},\"p99_us\":{p99},\"stalled\":null}}\n"
        ));
    }
    lines.push_str(
        "{\"label\":\"c\",\"conns\":10,\"msgs_per_sec\":0,\"p99_us\":null,\"stalled\":\"no echo\"}\n",
    );
    std::fs::write(&input, lines)?;
    let output = dir.path().join("chart.svg");
    let mut cmd = Command::new(harness::bin("echo-bench"));
    cmd.arg("chart").arg("--input").arg(&input).arg("--output").arg(&output);
    let out = harness::run(cmd, b"", Duration::from_secs(30))?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // One figure per panel (no memory measured here: no memory figure), their paths printed.
    let figures: Vec<&str> = std::str::from_utf8(&out.stdout)?.lines().collect();
    let names = ["chart-throughput.svg", "chart-latency.svg"];
    assert_eq!(figures.len(), 2, "{figures:?}");
    for (figure, name) in figures.iter().zip(names) {
        assert_eq!(*figure, dir.path().join(name).display().to_string());
        let svg = std::fs::read_to_string(figure)?;
        assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
        // Sized for a book's column, and read without colour: each series has a legend
        // entry of its own and a marker at each point, the stalled server none.
        let width: f64 =
            svg.split("width=\"").nth(1).and_then(|w| w.split('"').next()).unwrap_or("0").parse()?;
        assert!(width <= 750.0, "{name} is {width} px wide");
        let legend = |l: &str| {
            svg.lines()
                .any(|line| line.contains(r#"class="legend""#) && line.ends_with(&format!(">{l}</text>")))
        };
        assert!(legend("a") && legend("b") && !legend("c"), "{name}: one legend entry per completed server");
        assert_eq!(svg.matches(r#"class="legend-item""#).count(), 2, "{name}");
        // 2 points per server, and one marker more per legend entry.
        assert_eq!(svg.matches(r#"class="marker""#).count(), 2 * 2 + 2, "{name}");
        let markers: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains(r#"class="marker""#))
            .map(|l| l.split_whitespace().next().unwrap_or(""))
            .collect();
        assert!(
            markers.iter().any(|m| *m != markers[0]),
            "{name}: every series has the same marker: {markers:?}"
        );
    }
    Ok(())
}

/// With --server-pid, the report carries the server's peak memory and thread
/// count; with --sources 4, the connections come from 127.0.0.1 to .4.
#[test]
fn pingpong_reports_server_memory_and_spreads_sources() -> anyhow::Result<()> {
    let mut srv = Server::start("server-epoll", &[])?;
    let pid = srv.pid().to_string();
    let r = bench(
        srv.port(),
        &["pingpong", "--conns", "40", "--messages", "5", "--sources", "4", "--server-pid", &pid],
    )?;
    assert_eq!(r["served"].as_u64(), Some(40), "{r}");
    // One thread serves every client; the second is kit's narration writer,
    // which a `--quiet` server does not start (bench.sh runs them quiet).
    assert_eq!(r["server_threads"].as_u64(), Some(2), "server-epoll serves on one thread: {r}");
    let rss = r["server_rss_kib"].as_u64().unwrap_or(0);
    assert!(rss > 100 && rss < 64 * 1024, "{r}");
    srv.expect_line(|l| l.contains("connected by 127.0.0.4:"), Duration::from_secs(10))?;
    Ok(())
}

/// A `--quiet` server starts no narration writer: server-epoll is one thread.
#[test]
fn a_quiet_epoll_server_is_one_thread() -> anyhow::Result<()> {
    let mut srv = Server::start("server-epoll", &["--quiet"])?;
    let pid = srv.pid().to_string();
    let r = bench(srv.port(), &["pingpong", "--conns", "10", "--messages", "5", "--server-pid", &pid])?;
    assert_eq!(r["served"].as_u64(), Some(10), "{r}");
    assert_eq!(r["server_threads"].as_u64(), Some(1), "a quiet server-epoll is one thread: {r}");
    srv.kill()?;
    Ok(())
}

/// A server that refuses connections past its wall: the run stops, and says why.
#[test]
fn connections_closed_without_echo_are_reported_as_refused() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -n 2200 && exec "$0" --port 0 --color never --quiet"#)
        .arg(harness::bin("server-select"));
    let srv = Server::spawn(cmd)?;
    // echo-bench raises its own fd limit for 1 050 connections; the last ones land past the wall.
    let r = bench(srv.port(), &["pingpong", "--conns", "1050", "--messages", "2"])?;
    let why = r["stalled"].as_str().unwrap_or_default();
    assert!(why.contains("closed a connection without an echo") || why.contains("reset"), "{r}");
    Ok(())
}

/// scripts/bench.sh in its quick mode, on the debug binaries: every design's
/// row, the ratios, the targets and a chart whose tick labels are short.
#[test]
fn bench_sh_quick_prints_every_design_and_draws_the_chart() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("python3")) {
        return Ok(());
    }
    for b in
        ["server-basic", "server-loop", "server-threads", "server-select", "server-epoll", "server-tokio"]
    {
        harness::bin(b);
    }
    let bin_dir = harness::bin("echo-bench").parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    let dir = tempfile::tempdir()?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .args(["--quick", "--runs", "1", "--pingpong-only", "--bin"])
        .arg(&bin_dir)
        .arg("--out")
        .arg(dir.path());
    let out = harness::run(cmd, b"", Duration::from_secs(300))?;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{table}\n{}", String::from_utf8_lossy(&out.stderr));
    for row in ["| basic | 1 |", "| select | 10 |", "| epoll | 10 |", "| tokio | 10 |", "| threads | 10 |"] {
        assert!(table.contains(row), "no row {row}: {table}");
    }
    assert!(table.contains("| tokio | 10 |") && table.contains("| asyncio |"), "{table}");
    assert!(table.contains("server-epoll ≥ Python selectors at C = 10:"), "{table}");
    for figure in ["throughput", "latency", "memory"] {
        let svg = std::fs::read_to_string(dir.path().join(format!("pingpong-{figure}.svg")))?;
        assert!(!svg.contains("0000000"), "{figure}: a tick label with float noise");
        assert!(
            svg.contains(">select (rust)</text>") && svg.contains(">selectors (python)</text>"),
            "{figure}: legend"
        );
    }
    let memory = std::fs::read_to_string(dir.path().join("pingpong-memory.svg"))?;
    assert!(memory.contains("Server peak resident memory (MB)"), "no memory figure");
    Ok(())
}
