//! osi-trace live under load, with its capture thread and bounded buffer:
//! echo-bench against server-threads on the loopback of a network namespace
//! the test creates (no other traffic). A full buffer drops frames and says
//! how many; every frame the kernel kept is shown, in order; Ctrl-C shows
//! what was captured, a second Ctrl-C stops at once.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use common::{possible, tcpdump, text, Netns, Proc};
use osi_trace::decode::{decode, Decoded};
use osi_trace::pcap::CaptureReader;

const T: Duration = Duration::from_secs(60);

/// A network namespace with only `lo`, up, for this test.
fn netns(tag: &str) -> anyhow::Result<Netns> {
    Netns::new(format!("osi-buf-{}-{tag}", std::process::id()))
}

/// server-threads in `ns`, and its port.
fn server(ns: &Netns) -> anyhow::Result<(harness::Server, u16)> {
    let srv = harness::Server::spawn(ns.cmd(harness::bin("server-threads"), &["--port", "0", "--quiet"]))?;
    let port = srv.port();
    Ok((srv, port))
}

/// osi-trace on the namespace's lo, for `port`, with `args`; waits for READY.
fn osi_trace(ns: &Netns, port: u16, args: &[&str]) -> anyhow::Result<Proc> {
    let port = port.to_string();
    let mut all = vec!["--port", &port, "--color", "never", "--width", "0"];
    all.extend_from_slice(args);
    Proc::start(ns.cmd(harness::bin("osi-trace"), &all), "READY capturing on lo", T)
}

/// `echo-bench pingpong` against `port`: C connections, M messages each.
fn pingpong(ns: &Netns, port: u16, conns: u32, messages: u32) -> anyhow::Result<()> {
    let (port, conns, messages) = (port.to_string(), conns.to_string(), messages.to_string());
    let args = ["pingpong", "--port", &port, "--conns", &conns, "--messages", &messages];
    let out = harness::run(ns.cmd(harness::bin("echo-bench"), &args), b"", T)?;
    anyhow::ensure!(out.status.success(), "echo-bench: {}", text(&out.stderr));
    Ok(())
}

/// The closing counts: the frames shown, and those the kernel kept, dropped,
/// and osi-trace dropped (its buffer full).
#[derive(Debug, PartialEq, Eq)]
struct Tail {
    shown: u64,
    received: u64,
    kernel_dropped: u64,
    ours_dropped: u64,
    not_shown: u64,
}

/// The number just before `word` in `line` ("12 frames" → 12 for " frame").
fn count_before(line: &str, word: &str) -> Option<u64> {
    let at = line.find(word)?;
    line[..at].rsplit([' ', ';', ',']).next()?.parse().ok()
}

fn tail(stderr: &[String]) -> anyhow::Result<Tail> {
    let line =
        stderr.iter().find(|l| l.contains("; kernel: ")).with_context(|| format!("no tail: {stderr:?}"))?;
    let after = |s: &str| line.split(s).nth(1).unwrap_or("");
    Ok(Tail {
        shown: count_before(line, " frame").context("frames")?,
        received: count_before(line, " frames passed the filter").context("received")?,
        kernel_dropped: count_before(after("passed the filter, "), " dropped").context("kernel drops")?,
        ours_dropped: count_before(line, " dropped by osi-trace").unwrap_or(0),
        not_shown: count_before(line, " captured but not shown").unwrap_or(0),
    })
}

/// With a 1 MiB buffer and stdout in a pipe nobody reads, the capture
/// thread keeps draining the kernel's ring until the buffer is full, then
/// drops frames and counts them: a warning as it starts, the count in the
/// closing line. Every frame the kernel kept is either shown or counted.
#[test]
fn a_full_buffer_drops_frames_and_says_how_many() -> anyhow::Result<()> {
    if !possible(&harness::test_name!(), &[]) {
        return Ok(());
    }
    let ns = netns("full")?;
    let (_srv, port) = server(&ns)?;
    let mut cap = osi_trace(&ns, port, &["--buffer", "1", "--json"])?;
    pingpong(&ns, port, 10, 2000)?;
    cap.expect("warning: its buffer of 1 MiB is full, frames are being dropped (raise --buffer)")?;
    cap.interrupt()?;
    let (status, stdout, stderr) = cap.finish()?;
    assert!(status.success(), "{stderr:?}");
    let t = tail(&stderr)?;
    let line = stderr.iter().find(|l| l.contains("; kernel: ")).cloned().unwrap_or_default();
    assert!(
        line.ends_with(&format!(
            "; {} dropped by osi-trace: its buffer of 1 MiB was full, raise --buffer",
            t.ours_dropped
        )),
        "{line}"
    );
    assert!(t.ours_dropped > 10_000, "{t:?}");
    // Shown, or dropped by one of the two, or nothing: no frame is lost unsaid.
    assert_eq!(t.shown + t.ours_dropped + t.kernel_dropped, t.received, "{t:?}");
    let rows = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|j| j["type"] == "segment")
        .count() as u64;
    assert_eq!(rows, t.shown, "one JSON row per frame shown");
    Ok(())
}

/// With the default buffer, under 20 connections' ping-pong while stdout
/// is not read, every frame the kernel kept is shown, in capture order: the
/// same frames as tcpdump's in the same run, each connection's in the same
/// order, numbered 1…N, no gap or reordering that the analysis would flag;
/// the capture ends by itself after `--connections 20`.
#[test]
fn every_frame_arrives_in_order_and_connections_stop_the_capture() -> anyhow::Result<()> {
    if !possible(&harness::test_name!(), &[]) {
        return Ok(());
    }
    let ns = netns("order")?;
    let dir = tempfile::tempdir()?;
    let (ours, theirs) = (dir.path().join("ours.pcap"), dir.path().join("tcpdump.pcap"));
    let (_srv, port) = server(&ns)?;
    let dump = tcpdump(&ns, "lo", &format!("tcp port {port}"), &theirs)?;
    let write = ours.to_string_lossy().into_owned();
    let cap = osi_trace(&ns, port, &["--json", "--connections", "20", "--write", &write])?;
    pingpong(&ns, port, 20, 500)?;
    let (status, stdout, stderr) = cap.finish()?;
    assert!(status.success(), "{stderr:?}");
    let t = tail(&stderr)?;
    assert_eq!((t.kernel_dropped, t.ours_dropped), (0, 0), "{t:?}");
    assert!(t.shown > 20 * 500 * 2, "{t:?}");

    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|j| j["type"] == "segment")
        .collect();
    assert_eq!(rows.len() as u64, t.shown);
    let numbers: Vec<u64> = rows.iter().filter_map(|r| r["frame"].as_u64()).collect();
    assert_eq!(numbers, (1..=t.shown).collect::<Vec<u64>>());
    let times: Vec<f64> = rows.iter().filter_map(|r| r["time"].as_f64()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "times go back");
    let flagged: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["analysis"].as_array().is_some_and(|a| a.iter().any(|f| f != "window_update")))
        .collect();
    assert!(flagged.is_empty(), "on a lossless loopback: {:?}", &flagged[..flagged.len().min(3)]);

    // tcpdump in the same run: the same frames; each direction of each
    // connection in the same order (two packet sockets may interleave frames
    // handed over on two CPUs at once differently, one flow never). tcpdump
    // itself may drop frames under this load (its -U writes one at a time):
    // then each of its flows must be a part of ours, in the same order.
    // A timeout here is not a failure by itself: tcpdump's own count decides.
    let _ = harness::wait::until("tcpdump's frames", Duration::from_secs(10), || {
        Ok(frames(&theirs).map(|f| f.len() as u64 >= t.shown).unwrap_or(false))
    });
    dump.interrupt()?;
    let (_, _, dump_err) = dump.finish()?;
    let dump_drops = dump_err
        .iter()
        .find_map(|l| l.strip_suffix(" packets dropped by kernel"))
        .and_then(|n| n.parse::<u64>().ok())
        .with_context(|| format!("tcpdump's counts: {dump_err:?}"))?;
    let (saved, dumped) = (frames(&ours)?, frames(&theirs)?);
    assert_eq!(saved.len() as u64, t.shown);
    let (ours, theirs) = (by_flow(&saved), by_flow(&dumped));
    if dump_drops == 0 {
        assert_eq!(ours, theirs);
    } else {
        for (flow, seen) in &theirs {
            let all = ours.get(flow).with_context(|| format!("no frames of {flow:?}"))?;
            let mut rest = all.iter();
            assert!(seen.iter().all(|f| rest.any(|o| o == f)), "{flow:?}: tcpdump's frames in another order");
        }
    }
    Ok(())
}

/// The TCP frames of a pcap: (source, destination, frame bytes from L3 on).
fn frames(pcap: &Path) -> anyhow::Result<Vec<(String, String, Vec<u8>)>> {
    let mut r = CaptureReader::open(pcap)?;
    let mut all = Vec::new();
    while let Some(f) = r.next_frame() {
        let f = f?;
        if let Ok(Decoded::Segment(s)) = decode(&f) {
            let (src, dst) =
                (format!("{}:{}", s.ip.src, s.tcp.src_port), format!("{}:{}", s.ip.dst, s.tcp.dst_port));
            all.push((src, dst, f.data));
        }
    }
    Ok(all)
}

/// Frames grouped by direction of flow, each group in capture order.
fn by_flow(frames: &[(String, String, Vec<u8>)]) -> std::collections::BTreeMap<(String, String), Vec<&[u8]>> {
    let mut m = std::collections::BTreeMap::<(String, String), Vec<&[u8]>>::new();
    for (src, dst, data) in frames {
        m.entry((src.clone(), dst.clone())).or_default().push(data);
    }
    m
}

/// Ctrl-C while frames wait to be shown (stdout unread): the capture ends
/// (its thread exits) but what it captured is shown, with a note when that
/// takes over a second; a second Ctrl-C stops the showing at once, and the
/// closing line says how many were not shown.
#[test]
fn ctrl_c_shows_what_was_captured_and_twice_stops_at_once() -> anyhow::Result<()> {
    if !possible(&harness::test_name!(), &[]) {
        return Ok(());
    }
    let ns = netns("ctrlc")?;
    let (_srv, port) = server(&ns)?;
    for twice in [false, true] {
        let cap = osi_trace(&ns, port, &[])?;
        pingpong(&ns, port, 10, 500)?;
        cap.interrupt()?;
        harness::wait::until("the capture thread's end", T, || Ok(!cap.has_thread("capture")?))?;
        if twice {
            cap.interrupt()?;
        } else {
            // What is under test: a reader that has not caught up a second
            // after the capture ended is told why the output goes on.
            std::thread::sleep(Duration::from_millis(1200));
        }
        let (status, stdout, stderr) = cap.finish()?;
        assert!(status.success(), "{stderr:?}");
        let t = tail(&stderr)?;
        assert_eq!((t.kernel_dropped, t.ours_dropped), (0, 0), "{t:?}");
        let lines = stdout.lines().filter(|l| !l.trim().is_empty()).count();
        if twice {
            assert!(t.not_shown > 0 && t.shown + t.not_shown == t.received, "{t:?} {stderr:?}");
            assert!(t.shown < t.received, "{t:?}");
        } else {
            assert_eq!((t.shown, t.not_shown), (t.received, 0), "{t:?}");
            let note =
                stderr.iter().find(|l| l.contains("capture ended; showing the ")).context("no note")?;
            assert!(note.ends_with(" frames it had captured (Ctrl-C again stops now)"), "{note}");
            assert!(lines > 0, "{stdout}");
        }
    }
    Ok(())
}

/// `--duration` is capture time: with no traffic the capture ends after
/// it, with its closing line, whatever the reader does.
#[test]
fn duration_ends_a_quiet_capture_on_time() -> anyhow::Result<()> {
    if !possible(&harness::test_name!(), &[]) {
        return Ok(());
    }
    let ns = netns("duration")?;
    let t0 = Instant::now();
    let cap = osi_trace(&ns, 9, &["--duration", "1"])?;
    let (status, _, stderr) = cap.finish()?;
    let took = t0.elapsed();
    assert!(status.success(), "{stderr:?}");
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(5), "{took:?}");
    assert_eq!(
        tail(&stderr)?,
        Tail { shown: 0, received: 0, kernel_dropped: 0, ours_dropped: 0, not_shown: 0 }
    );
    Ok(())
}
