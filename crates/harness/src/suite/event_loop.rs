//! Checks every event-loop server (server-select, server-epoll, server-tokio)
//! must pass: one loop serves many clients through non-blocking sockets, so no
//! client may delay another, and the narration stays in order, true and short.

use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure, Context, Result};

use crate::*;

/// One "Hello", narrated in the article's order: the Berkeley calls, `setup`
/// (the lines between listen() and READY that name the readiness mechanism),
/// READY, then accept, recv, send, the client's FIN and close.
pub fn narrates_one_echo_in_order(server: &str, setup: &[&str]) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    ensure!(echo(srv.addr, b"Hello")? == b"Hello", "{server}: wrong echo of Hello");
    srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    let port = srv.port();
    let lines = srv.lines().to_vec();
    let mut want = vec![
        "[L3+L4] socket(AF_INET, SOCK_STREAM) → CLOSED".to_string(),
        "[L4] setsockopt(SO_REUSEADDR, 1)".to_string(),
        format!("[L3+L4] bind(127.0.0.1:{port})"),
        "[L4] listen(backlog=128) → LISTEN".to_string(),
    ];
    want.extend(setup.iter().map(|l| l.to_string()));
    want.push(format!("READY 127.0.0.1:{port}"));
    let n = want.len();
    ensure!(lines.len() == n + 5 && lines[..n] == want, "{server} said {lines:#?}, wanted first {want:#?}");
    let peer = lines[n]
        .strip_prefix("[L4] accept() → connected by ")
        .and_then(|rest| rest.split_once(", ESTABLISHED (fd "))
        .map(|(peer, _)| peer.to_string())
        .ok_or_else(|| anyhow!("{server}: no accept line: {lines:#?}"))?;
    ensure!(lines[n].ends_with(", 1 client)"), "{server}: {lines:#?}");
    let rest = [
        format!("[L7] recv from {peer}: 5 bytes \"Hello\""),
        format!("[L7] send to {peer}: 5 bytes \"Hello\""),
        format!("[L4] recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"),
        format!("[L4] close() {peer} → FIN sent, CLOSE_WAIT → LAST_ACK; echoed 5 bytes; 0 clients left"),
    ];
    ensure!(lines[n + 1..] == rest, "{server} said {lines:#?}");
    ensure!(srv.is_running(), "{server} must run on after its client leaves");
    Ok(())
}

/// NUL, every high byte alone, overlong and truncated UTF-8, in 7-byte recv()s:
/// bytes, not text.
pub fn invalid_utf8_and_nul_come_back_unchanged(server: &str) -> Result<()> {
    let srv = Server::start(server, &["--buffer", "7"])?;
    let mut payload = b"\0\xff\xfe\xc0\xaf\xe2\x82\xf0\x9f\x98\r\n\x1b[31m\0".to_vec();
    payload.extend(0..=255u8);
    payload.extend((0..=255u8).rev());
    ensure!(std::str::from_utf8(&payload).is_err(), "the payload must not be UTF-8");
    ensure!(echo(srv.addr, &payload)? == payload, "{server}: the bytes came back changed");
    Ok(())
}

/// Client A sends and stays connected without reading; client B, meanwhile,
/// gets its echo within 2 s: one loop, yet nobody waits for anybody.
pub fn a_second_client_is_served_while_the_first_stays_open(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    let a = connect(srv.addr)?;
    (&a).write_all(b"A speaks first and does not read")?;
    // B connects only once the server has read A and sent its echo back.
    srv.expect_line(|l| l.starts_with("[L7] send to "), Duration::from_secs(10))?;
    let started = Instant::now();
    let b = connect(srv.addr)?;
    b.set_read_timeout(Some(Duration::from_secs(2)))?;
    ensure!(echo_on(&b, b"B")? == b"B", "{server}: B got a wrong echo");
    ensure!(started.elapsed() < Duration::from_secs(2), "{server}: B waited {:?}", started.elapsed());
    // A's echo was waiting for it all along.
    let mut got = vec![0u8; 32];
    (&a).read_exact(&mut got)?;
    ensure!(got == b"A speaks first and does not read", "{server}: A got {got:?}");
    Ok(())
}

/// A half-closing client's 1 MiB comes back whole before the server's FIN,
/// and the narration stays short: a few recv/send lines, then one sum.
pub fn big_half_closed_echo_is_whole_and_narrated_briefly(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    let big = binary_payload(1 << 20);
    let got = echo_half_closed(srv.addr, &big)?;
    ensure!(got == big, "{server}: {} of {} bytes back, or other bytes", got.len(), big.len());
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    ensure!(
        close.contains("FIN sent, CLOSE_WAIT → LAST_ACK; echoed 1048576 bytes; 0 clients left"),
        "{close}"
    );
    let lines = srv.lines().to_vec();
    ensure!(lines.iter().any(|l| l.contains("not shown; its close() line sums up")), "{lines:#?}");
    ensure!(lines.len() < 40, "{} lines for one 1 MiB echo: {lines:#?}", lines.len());
    Ok(())
}

/// A client that resets mid-echo gets a warning and a close (the words of
/// that close are the reset check's, `suite::closing`); one that closes with
/// its echo unread (its kernel answers with RST) too; the server serves the
/// next client either way.
pub fn resets_are_warned_and_survived(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    // Reset only once the server holds the connection and is echoing (no race with accept()).
    let doomed = connect(srv.addr)?;
    (&doomed).write_all(&binary_payload(200_000))?;
    srv.expect_line(|l| l.starts_with("[L7] send to "), Duration::from_secs(10))?;
    socket2::SockRef::from(&doomed).set_linger(Some(Duration::ZERO))?;
    drop(doomed);
    let warn =
        srv.expect_line(|l| l.contains("failed:") && l.contains("dropping it"), Duration::from_secs(10))?;
    ensure!(warn.contains("reset") || warn.contains("Broken pipe"), "{warn}");
    srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;

    let rude = connect(srv.addr)?;
    (&rude).write_all(&binary_payload(100_000))?;
    // Close only once echo bytes lie unread in rude's receive buffer: then its kernel sends RST.
    rude.peek(&mut [0u8; 1])?;
    drop(rude);

    ensure!(echo(srv.addr, b"next")? == b"next", "{server}: the next client got a wrong echo");
    ensure!(srv.is_running(), "{server} exited; stderr {}", srv.stderr());
    ensure!(!srv.stderr().contains("panick"), "{}", srv.stderr());
    Ok(())
}

/// accept() failing with EMFILE is told once, not ten times a second; the
/// server does not spin, and says when accept() works again.
pub fn emfile_is_told_once_and_recovered_from(server: &str) -> Result<()> {
    let mut srv = suite::idle::spawn_with_fd_limit(server, 32, &[])?;
    let idle: Vec<_> = (0..40).map(|_| connect(srv.addr)).collect::<Result<_>>()?;
    let warn = srv.expect_line(|l| l.contains("accept() failed"), Duration::from_secs(10))?;
    ensure!(warn.contains("Too many open files"), "{warn}");
    let before = cpu_time(srv.pid())?;
    // An observation window, not synchronisation: 2 s in which a busy loop would burn CPU.
    thread::sleep(Duration::from_secs(2));
    let spent = cpu_time(srv.pid())? - before;
    ensure!(spent < Duration::from_secs(1), "{spent:?} of CPU in 2 s while accept() failed: a busy loop");
    drop(idle);
    srv.expect_line(|l| l.contains("accept() works again"), Duration::from_secs(10))?;
    // Some 45 lines in all: far fewer than the narration queue holds, so none was dropped.
    let failures = srv.lines().iter().filter(|l| l.contains("accept() failed")).count();
    ensure!(failures == 1, "{server} told accept()'s failure {failures} times: {:#?}", srv.lines());
    ensure!(echo(srv.addr, b"after")? == b"after", "{server}: wrong echo after EMFILE");
    ensure!(srv.is_running(), "{server} exited; stderr {}", srv.stderr());
    Ok(())
}

/// A client that sends and sends and never reads fills its own outgoing
/// buffer, then is no longer read; everybody else is served as before, and
/// the server's memory stays small (it stopped reading: no buffer grows).
pub fn a_flooding_client_that_never_reads_does_not_delay_the_others(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &["--quiet"])?;
    let flood = connect(srv.addr)?;
    flood.set_write_timeout(Some(Duration::from_secs(3)))?;
    let mut writer = flood.try_clone()?;
    let flooder = thread::spawn(move || {
        let chunk = vec![0x5a; 64 * 1024];
        let mut sent = 0usize;
        // Bounded: at most 64 MiB, or until the write times out because nobody reads.
        while sent < 64 << 20 {
            match writer.write(&chunk) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    });
    // The event, not a while: the flood has filled every buffer up to the server,
    // which stopped reading, and our kernel probes its closed receive window.
    wait::until("the server's window closing on the flood", Duration::from_secs(10), || {
        wait::peer_window_closed(&flood)
    })?;
    for i in 0..5 {
        let started = Instant::now();
        let msg = format!("hello {i}");
        ensure!(echo(srv.addr, msg.as_bytes())? == msg.as_bytes(), "{server}: wrong echo {i}");
        ensure!(started.elapsed() < Duration::from_secs(2), "echo {i} took {:?}", started.elapsed());
    }
    let sent = flooder.join().map_err(|_| anyhow!("flooder panicked"))?;
    // The server stopped reading: far less than 64 MiB got in, and its memory stayed small.
    ensure!(sent < 32 << 20, "the flooder pushed {sent} bytes: {server} kept reading");
    let rss = rss_kib(srv.pid())?;
    ensure!(rss < 20 * 1024, "{server} holds {rss} KiB while flooded");
    ensure!(srv.is_running(), "{server} exited; stderr {}", srv.stderr());
    drop(flood);
    Ok(())
}

/// More connections than FD_SETSIZE, for servers without select()'s wall:
/// every one is served, the last (with an fd above 1024) included. Needs a hard fd
/// limit of 2 300, which its test (`event_loop_server_tests!`) requires first.
pub fn connections_beyond_fd_setsize_are_all_served(server: &str) -> Result<()> {
    let mut srv = suite::idle::spawn_with_fd_limit(server, 2200, &[])?;
    let conns = suite::idle::silent_clients(srv.addr, 1100)?;
    // 1 100 accept lines fit in the stdout pipe and the narration queue even
    // if nobody read them, so none of them can be dropped.
    srv.expect_line(|l| l.contains("ESTABLISHED (fd 1100, "), Duration::from_secs(20))?;
    for (i, c) in conns.iter().enumerate().rev().step_by(100) {
        let msg = format!("client {i}");
        ensure!(echo_on(c, msg.as_bytes())? == msg.as_bytes(), "{server}: client {i} got a wrong echo");
    }
    ensure!(!srv.lines().iter().any(|l| l.contains("FD_SETSIZE")), "{:#?}", srv.lines());
    Ok(())
}

/// Resident memory of process `pid` in KiB, from /proc.
fn rss_kib(pid: u32) -> Result<u64> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc/PID/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS for {pid}"))
}

/// The tests every event-loop server passes, one `#[test]` each, for the
/// server binary `$server` whose narration between listen() and READY is
/// `setup` (its readiness mechanism).
#[macro_export]
macro_rules! event_loop_server_tests {
    ($server:expr, setup: [$($setup:expr),* $(,)?]) => {
        #[test]
        fn narrates_one_echo_in_order() -> anyhow::Result<()> {
            $crate::suite::event_loop::narrates_one_echo_in_order($server, &[$($setup),*])
        }

        #[test]
        fn invalid_utf8_and_nul_come_back_unchanged() -> anyhow::Result<()> {
            $crate::suite::event_loop::invalid_utf8_and_nul_come_back_unchanged($server)
        }

        #[test]
        fn a_second_client_is_served_while_the_first_stays_open() -> anyhow::Result<()> {
            $crate::suite::event_loop::a_second_client_is_served_while_the_first_stays_open($server)
        }

        #[test]
        fn big_half_closed_echo_is_whole_and_narrated_briefly() -> anyhow::Result<()> {
            $crate::suite::event_loop::big_half_closed_echo_is_whole_and_narrated_briefly($server)
        }

        #[test]
        fn resets_are_warned_and_survived() -> anyhow::Result<()> {
            $crate::suite::event_loop::resets_are_warned_and_survived($server)
        }

        #[test]
        fn emfile_is_told_once_and_recovered_from() -> anyhow::Result<()> {
            $crate::suite::event_loop::emfile_is_told_once_and_recovered_from($server)
        }

        #[test]
        fn a_flooding_client_that_never_reads_does_not_delay_the_others() -> anyhow::Result<()> {
            $crate::suite::event_loop::a_flooding_client_that_never_reads_does_not_delay_the_others($server)
        }
    };
}
