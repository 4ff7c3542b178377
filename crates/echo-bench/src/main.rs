//! echo-bench — a load generator for the echo protocol, for measuring the
//! four server designs side by side (scripts/bench.sh runs it).
//!
//! - `pingpong`: C connections, each sending M messages of S bytes and waiting
//!   for each echo; messages/s and round-trip latency p50/p99/max.
//! - `bulk`: N connections streaming B bytes each while reading the echo back; MB/s.
//! - `churn`: connect, one echo, close, K times; connections/s.
//! - `chart`: SVG figures (one per panel) of throughput, p99 latency and the server's memory
//!   against connection count, from the JSON lines that scripts/bench.sh collects.
//! - `medians`: bench.sh's Markdown tables from the same lines, each figure a median of runs.
//!
//! With `--server-pid`, the server's peak resident memory and thread count
//! during the run are reported too (from /proc).
//!
//! Every run is bounded: a connection that gets no echo within `--timeout`
//! stops the run, which is then reported as stalled (what a sequential server
//! does to its second client) instead of hanging.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

mod chart;
mod conn;
mod medians;
mod server_stats;

/// Load generator for the kit's echo servers.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    mode: Mode,
}

/// Where the server is, and how to report.
#[derive(clap::Args, Clone)]
struct Target {
    /// Server address.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server port.
    #[arg(long, default_value_t = 65432)]
    port: u16,
    /// Seconds to wait for a connection or an echo before the run counts as stalled (e.g. 2, 0.5, 250ms).
    #[arg(long, default_value = "2", allow_hyphen_values = true, value_parser = kit::duration::positive_seconds)]
    timeout: Duration,
    /// One JSON object on stdout instead of a sentence.
    #[arg(long)]
    json: bool,
    /// A label copied into the JSON (e.g. the server's name).
    #[arg(long, default_value = "")]
    label: String,
    /// The server's process id: report its peak memory and thread count during the run.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Spread connections over source addresses 127.0.0.1 … 127.0.0.N (each has its own ephemeral ports).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=254))]
    sources: u8,
}

#[derive(Subcommand)]
enum Mode {
    /// C connections, M messages of S bytes each, one at a time per connection.
    Pingpong {
        #[command(flatten)]
        target: Target,
        /// Concurrent connections.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        conns: u32,
        /// Messages per connection.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
        messages: u32,
        /// Bytes per message.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
        size: u32,
    },
    /// N connections, each streaming B bytes and reading the echo back.
    Bulk {
        #[command(flatten)]
        target: Target,
        /// Concurrent connections.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        conns: u32,
        /// Bytes per connection.
        #[arg(long, default_value_t = 256 << 20)]
        bytes: u64,
        /// Bytes per send() call.
        #[arg(long, default_value_t = 65536, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
        chunk: u32,
    },
    /// Connect, one echo, close, K times; exits 1 when not one connection was served.
    Churn {
        #[command(flatten)]
        target: Target,
        /// Connections to make, one after another.
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        count: u32,
    },
    /// Draws throughput and p99 latency against connection count as SVG.
    Chart {
        /// JSON lines from `pingpong --json` (scripts/bench.sh collects them); at most 16 MiB.
        #[arg(long)]
        input: PathBuf,
        /// Where the figures go: `DIR/pingpong.svg` writes `DIR/pingpong-throughput.svg`,
        /// `-latency.svg` and (when measured) `-memory.svg`, one panel each; their paths are printed.
        #[arg(long)]
        output: PathBuf,
    },
    /// Prints scripts/bench.sh's Markdown tables: each figure the median of its runs.
    Medians {
        /// The JSON lines bench.sh collects (its results.jsonl); at most 16 MiB.
        #[arg(long)]
        input: PathBuf,
        /// Runs per figure, as the tables' titles say.
        #[arg(long, default_value_t = 3)]
        runs: u32,
        /// osi-trace's summary line of its live capture during ping-pong, if measured.
        #[arg(long, default_value = "")]
        trace_line: String,
    },
}

/// What a run measured.
#[derive(Serialize, Default)]
struct Report {
    mode: &'static str,
    label: String,
    conns: u32,
    /// Connections that were made and got every echo.
    served: u32,
    /// Why the run stopped early, if it did.
    stalled: Option<String>,
    seconds: f64,
    messages: u64,
    msgs_per_sec: f64,
    p50_us: Option<u64>,
    p99_us: Option<u64>,
    max_us: Option<u64>,
    bytes: u64,
    mb_per_sec: f64,
    conns_per_sec: f64,
    /// The server's peak resident memory during the run, in KiB (with `--server-pid`).
    server_rss_kib: Option<u64>,
    /// The server's peak thread count during the run (with `--server-pid`).
    server_threads: Option<u64>,
}

fn main() -> std::process::ExitCode {
    kit::run("echo-bench", || {
        let args = kit::parse_args::<Args>();
        let (report, json) = match args.mode {
            Mode::Pingpong { target, conns, messages, size } => {
                (pingpong(&target, conns, messages, size as usize)?, target.json)
            }
            Mode::Bulk { target, conns, bytes, chunk } => {
                (bulk(&target, conns, bytes, chunk as usize)?, target.json)
            }
            Mode::Churn { target, count } => {
                let report = churn(&target, count)?;
                if report.served == 0 {
                    // Not one connection: the server is not serving, which is no rate to report.
                    println!(
                        "{}",
                        if target.json { serde_json::to_string(&report)? } else { sentence(&report) }
                    );
                    let why = report.stalled.unwrap_or_default();
                    bail!("every connection stalled, none was served: {why}");
                }
                (report, target.json)
            }
            Mode::Chart { input, output } => {
                for figure in chart::draw(&input, &output)? {
                    println!("{}", kit::escape_controls(&figure.display().to_string()));
                }
                return Ok(());
            }
            Mode::Medians { input, runs, trace_line } => {
                kit::PipeOut(io::stdout())
                    .write_all(medians::tables(&input, runs, &trace_line)?.as_bytes())?;
                return Ok(());
            }
        };
        if json {
            println!("{}", serde_json::to_string(&report)?);
        } else {
            println!("{}", sentence(&report));
        }
        Ok(())
    })
}

fn sentence(r: &Report) -> String {
    let mut s = match r.mode {
        "pingpong" => format!(
            "{} messages over {} connections in {:.2} s: {:.0} messages/s, latency p50 {} µs, p99 {} µs, max {} µs",
            r.messages,
            r.conns,
            r.seconds,
            r.msgs_per_sec,
            r.p50_us.unwrap_or(0),
            r.p99_us.unwrap_or(0),
            r.max_us.unwrap_or(0)
        ),
        "bulk" => format!(
            "{} MiB echoed over {} connections in {:.2} s: {:.0} MB/s",
            r.bytes >> 20,
            r.conns,
            r.seconds,
            r.mb_per_sec
        ),
        _ => format!("{} connections in {:.2} s: {:.0} connections/s", r.served, r.seconds, r.conns_per_sec),
    };
    if let (Some(rss), Some(threads)) = (r.server_rss_kib, r.server_threads) {
        s.push_str(&format!("; server peak {:.1} MB resident, {threads} threads", rss as f64 / 1024.0));
    }
    if let Some(why) = &r.stalled {
        s.push_str(&format!(" — STALLED: {why}"));
    }
    s
}

fn addr(t: &Target) -> anyhow::Result<SocketAddr> {
    kit::resolve(&t.host, t.port)
}

fn progress(total: u64, what: &str) -> ProgressBar {
    // Drawn only on a terminal, and only once the run has lasted a second.
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    let shown = bar.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_secs(1));
        if !shown.is_finished() && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            shown.set_draw_target(ProgressDrawTarget::stderr());
        }
    });
    bar
}

/// Ping-pong. Connections are shared among a few threads; each thread sends
/// one message on each of its connections, then reads each echo, so that all
/// C messages are in flight at once, as C independent clients would have them.
fn pingpong(t: &Target, conns: u32, messages: u32, size: usize) -> anyhow::Result<Report> {
    let addr = addr(t)?;
    let timeout = t.timeout;
    conn::fd_room(conns)?;
    let sampler = t.server_pid.map(server_stats::Sampler::start);
    let mut socks = Vec::with_capacity(conns as usize);
    let mut stalled = None;
    for i in 0..conns {
        match conn::connect(addr, i, t.sources, timeout) {
            Ok(s) => socks.push(s),
            Err(e) if i == 0 => return Err(e).with_context(|| format!("connect to {addr}")),
            Err(e) => {
                stalled = Some(format!("connection {} of {conns} failed: {e}", i + 1));
                break;
            }
        }
    }
    let threads = socks.len().clamp(1, 8);
    let mut groups: Vec<Vec<TcpStream>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, s) in socks.into_iter().enumerate() {
        groups[i % threads].push(s);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let bar = progress(u64::from(conns) * u64::from(messages), "ping-pong");
    let started = Instant::now();
    let results: Vec<anyhow::Result<(Vec<u32>, Option<String>)>> = thread::scope(|s| {
        let handles: Vec<_> = groups
            .into_iter()
            .map(|group| {
                let (stop, done, bar) = (Arc::clone(&stop), Arc::clone(&done), bar.clone());
                s.spawn(move || lockstep(group, messages, size, &stop, &done, &bar))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a worker panicked"))))
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let peak = sampler.map(server_stats::Sampler::stop);
    let mut lat = Vec::new();
    for r in results {
        let (l, why) = r?;
        lat.extend(l);
        if stalled.is_none() {
            stalled = why;
        }
    }
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).map(|&v| u64::from(v))
    };
    let n = lat.len() as u64;
    Ok(Report {
        mode: "pingpong",
        label: t.label.clone(),
        conns,
        served: if stalled.is_some() { 0 } else { conns },
        stalled,
        seconds,
        messages: n,
        msgs_per_sec: n as f64 / seconds.max(1e-9),
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        max_us: lat.last().map(|&v| u64::from(v)),
        bytes: n * size as u64,
        server_rss_kib: peak.map(|p| p.rss_kib),
        server_threads: peak.map(|p| p.threads),
        ..Report::default()
    })
}

/// One worker's connections, in lock step; returns latencies in µs and why it stopped early.
fn lockstep(
    mut conns: Vec<TcpStream>,
    messages: u32,
    size: usize,
    stop: &AtomicBool,
    done: &AtomicU64,
    bar: &ProgressBar,
) -> anyhow::Result<(Vec<u32>, Option<String>)> {
    let msg: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let mut buf = vec![0u8; size];
    let mut lat = Vec::with_capacity(conns.len() * messages as usize);
    let mut sent_at = vec![Instant::now(); conns.len()];
    for _ in 0..messages {
        if stop.load(Ordering::Relaxed) {
            return Ok((lat, None));
        }
        for (c, at) in conns.iter_mut().zip(sent_at.iter_mut()) {
            *at = Instant::now();
            if let Err(e) = c.write_all(&msg) {
                stop.store(true, Ordering::Relaxed);
                return Ok((lat, Some(format!("send failed: {e}"))));
            }
        }
        for (c, at) in conns.iter_mut().zip(&sent_at) {
            if let Err(e) = c.read_exact(&mut buf) {
                stop.store(true, Ordering::Relaxed);
                let why = match e.kind() {
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                        "a connection got no echo in time (the server is busy with another client)"
                            .to_string()
                    }
                    io::ErrorKind::UnexpectedEof => {
                        "the server closed a connection without an echo (it refused it)".to_string()
                    }
                    _ => format!("recv failed: {e}"),
                };
                return Ok((lat, Some(why)));
            }
            if buf != msg {
                bail!("the echo differs from the message");
            }
            lat.push(at.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        }
        let n = done.fetch_add(conns.len() as u64, Ordering::Relaxed) + conns.len() as u64;
        bar.set_position(n);
    }
    Ok((lat, None))
}

/// Bulk: each connection's writer thread streams `bytes`, its reader reads them back.
fn bulk(t: &Target, conns: u32, bytes: u64, chunk: usize) -> anyhow::Result<Report> {
    let addr = addr(t)?;
    let timeout = t.timeout;
    let socks: Vec<TcpStream> = (0..conns)
        .map(|i| conn::connect(addr, i, t.sources, timeout).with_context(|| format!("connect to {addr}")))
        .collect::<anyhow::Result<_>>()?;
    let bar = progress(bytes * u64::from(conns), "bulk");
    let started = Instant::now();
    let results: Vec<Result<u64, String>> = thread::scope(|s| {
        let handles: Vec<_> = socks
            .into_iter()
            .map(|sock| {
                let bar = bar.clone();
                s.spawn(move || stream_one(sock, bytes, chunk, &bar))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a worker panicked".into()))).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let mut total = 0;
    let mut stalled = None;
    for r in results {
        match r {
            Ok(n) => total += n,
            Err(why) => stalled = Some(why),
        }
    }
    Ok(Report {
        mode: "bulk",
        label: t.label.clone(),
        conns,
        served: if stalled.is_some() { 0 } else { conns },
        stalled,
        seconds,
        bytes: total,
        mb_per_sec: total as f64 / 1e6 / seconds.max(1e-9),
        ..Report::default()
    })
}

fn stream_one(sock: TcpStream, bytes: u64, chunk: usize, bar: &ProgressBar) -> Result<u64, String> {
    let mut writer = sock.try_clone().map_err(|e| e.to_string())?;
    let sender = thread::spawn(move || -> io::Result<()> {
        let data = vec![0x5au8; chunk];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk as u64) as usize;
            writer.write_all(&data[..n])?;
            left -= n as u64;
        }
        Ok(())
    });
    let mut reader = sock;
    let mut buf = vec![0u8; 1 << 20];
    let mut got = 0u64;
    while got < bytes {
        match reader.read(&mut buf) {
            Ok(0) => return Err(format!("the server closed after {got} of {bytes} bytes")),
            Ok(n) => {
                got += n as u64;
                bar.inc(n as u64);
            }
            Err(e) => return Err(format!("no echo in time after {got} of {bytes} bytes ({e})")),
        }
    }
    sender.join().map_err(|_| "sender panicked".to_string())?.map_err(|e| e.to_string())?;
    Ok(got)
}

/// Churn: connect, echo one byte, close, `count` times.
fn churn(t: &Target, count: u32) -> anyhow::Result<Report> {
    let addr = addr(t)?;
    let timeout = t.timeout;
    let bar = progress(u64::from(count), "churn");
    let started = Instant::now();
    let mut served = 0;
    let mut stalled = None;
    for _ in 0..count {
        let one = || -> io::Result<()> {
            let mut s = conn::connect(addr, 0, t.sources, timeout)?;
            s.write_all(b"x")?;
            let mut b = [0u8; 1];
            s.read_exact(&mut b)
        };
        match one() {
            Ok(()) => served += 1,
            Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => {
                stalled = Some(
                    "no ephemeral port left: closed connections hold theirs in TIME_WAIT for 60 s (lesson 5)"
                        .to_string(),
                );
                break;
            }
            Err(e) => {
                stalled = Some(format!("connection {} failed: {e}", served + 1));
                break;
            }
        }
        bar.inc(1);
    }
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    Ok(Report {
        mode: "churn",
        label: t.label.clone(),
        conns: count,
        served,
        stalled,
        seconds,
        conns_per_sec: f64::from(served) / seconds.max(1e-9),
        ..Report::default()
    })
}
