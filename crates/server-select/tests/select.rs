//! server-select as a real process on an ephemeral port, talked to over real TCP.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use harness::{suite, Server};

const SERVER: &str = "server-select";

harness::echo_server_tests!(SERVER, multi);

#[test]
fn two_clients_are_served_at_once() -> anyhow::Result<()> {
    suite::serves_two_at_once(SERVER)
}

#[test]
fn emfile_is_survived_without_a_busy_loop() -> anyhow::Result<()> {
    suite::survives_emfile(SERVER)
}

/// A client that sends and sends and never reads fills its own outgoing
/// buffer, then is no longer read; everybody else is served as before.
#[test]
fn a_flooding_client_that_never_reads_does_not_delay_the_others() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &["--quiet"])?;
    let flood = harness::connect(srv.addr)?;
    flood.set_write_timeout(Some(Duration::from_secs(3)))?;
    let mut writer = flood.try_clone()?;
    let flooder = std::thread::spawn(move || {
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
    harness::wait::until("the server's window closing on the flood", Duration::from_secs(10), || {
        harness::wait::peer_window_closed(&flood)
    })?;
    for i in 0..5 {
        let started = Instant::now();
        let msg = format!("hello {i}");
        assert_eq!(harness::echo(srv.addr, msg.as_bytes())?, msg.as_bytes());
        assert!(started.elapsed() < Duration::from_secs(2), "echo {i} took {:?}", started.elapsed());
    }
    let sent = flooder.join().map_err(|_| anyhow::anyhow!("flooder panicked"))?;
    // The server stopped reading: far less than 64 MiB got in.
    assert!(sent < 32 << 20, "the flooder pushed {sent} bytes: the server kept reading");
    assert!(srv.is_running());
    drop(flood);
    Ok(())
}

/// More connections than FD_SETSIZE: those whose fd does not fit are closed
/// with one logged reason; the server and its earlier clients go on.
#[test]
fn connections_beyond_fd_setsize_are_refused_cleanly() -> anyhow::Result<()> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if !harness::require("connections_beyond_fd_setsize", harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    setrlimit(Resource::RLIMIT_NOFILE, 2300, hard)?;
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(r#"ulimit -n 2200 && exec "$0" --port 0 --color never"#).arg(harness::bin(SERVER));
    let mut srv = Server::spawn(cmd)?;
    let first = harness::connect(srv.addr)?;
    assert_eq!(harness::echo_on(&first, b"first")?, b"first");
    let mut conns = Vec::new();
    for _ in 0..1100 {
        conns.push(harness::connect(srv.addr)?);
    }
    let line = srv.expect_line(|l| l.contains("≥ FD_SETSIZE (1024)"), Duration::from_secs(20))?;
    assert!(line.contains("select() cannot watch it; closing 127.0.0.1:"), "{line}");
    assert_eq!(harness::echo_on(&first, b"still here")?, b"still here");
    assert!(srv.is_running());
    drop(conns);
    Ok(())
}

/// One "Hello", narrated in the article's order: the Berkeley calls, the
/// switch to non-blocking, READY, then accept, recv, send, FIN and close.
#[test]
fn narrates_one_echo_in_order() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    assert_eq!(harness::echo(srv.addr, b"Hello")?, b"Hello");
    srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    let port = srv.port();
    let lines = srv.lines().to_vec();
    let want = [
        "[L3+L4] socket(AF_INET, SOCK_STREAM) → CLOSED".to_string(),
        "[L4] setsockopt(SO_REUSEADDR, 1)".to_string(),
        format!("[L3+L4] bind(127.0.0.1:{port})"),
        "[L4] listen(backlog=128) → LISTEN".to_string(),
        "[..] fcntl(O_NONBLOCK) on the listening socket; select() decides who is served".to_string(),
        format!("READY 127.0.0.1:{port}"),
    ];
    assert_eq!(lines[..6], want, "{lines:#?}");
    let peer = lines[6]
        .strip_prefix("[L4] accept() → connected by ")
        .and_then(|rest| rest.split_once(", ESTABLISHED (fd "))
        .map(|(peer, _)| peer.to_string())
        .unwrap_or_else(|| panic!("no accept line: {lines:#?}"));
    assert!(lines[6].ends_with(", 1 client)"), "{lines:#?}");
    assert_eq!(
        lines[7..],
        [
            format!("[L7] recv from {peer}: 5 bytes \"Hello\""),
            format!("[L7] send to {peer}: 5 bytes \"Hello\""),
            format!("[L4] recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"),
            format!("[L4] close() {peer} → FIN sent, LAST_ACK; echoed 5 bytes; 0 clients left"),
        ],
        "{lines:#?}"
    );
    assert!(srv.is_running(), "the server must run on after its client leaves");
    Ok(())
}

/// NUL, every high byte alone, overlong and truncated UTF-8: bytes, not text.
#[test]
fn invalid_utf8_and_nul_come_back_unchanged() -> anyhow::Result<()> {
    let srv = Server::start(SERVER, &["--buffer", "7"])?;
    let mut payload = b"\0\xff\xfe\xc0\xaf\xe2\x82\xf0\x9f\x98\r\n\x1b[31m\0".to_vec();
    payload.extend(0..=255u8);
    payload.extend((0..=255u8).rev());
    assert!(std::str::from_utf8(&payload).is_err());
    assert_eq!(harness::echo(srv.addr, &payload)?, payload);
    Ok(())
}

/// Client A sends and stays connected without reading; client B, meanwhile,
/// gets its echo within 2 s: one thread, yet nobody waits for anybody.
#[test]
fn a_second_client_is_served_while_the_first_stays_open() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    let a = harness::connect(srv.addr)?;
    (&a).write_all(b"A speaks first and does not read")?;
    // B connects only once the server has read A and sent its echo back.
    srv.expect_line(|l| l.starts_with("[L7] send to "), Duration::from_secs(10))?;
    let started = Instant::now();
    let b = harness::connect(srv.addr)?;
    b.set_read_timeout(Some(Duration::from_secs(2)))?;
    assert_eq!(harness::echo_on(&b, b"B")?, b"B");
    assert!(started.elapsed() < Duration::from_secs(2), "B waited {:?}", started.elapsed());
    // A's echo was waiting for it all along.
    let mut got = vec![0u8; 32];
    (&a).read_exact(&mut got)?;
    assert_eq!(got, b"A speaks first and does not read");
    Ok(())
}

/// A half-closing client's 1 MiB comes back whole before the server's FIN,
/// and the narration stays short: a few recv/send lines, then one sum.
#[test]
fn big_half_closed_echo_is_whole_and_narrated_briefly() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    let big = harness::binary_payload(1 << 20);
    let got = harness::echo_half_closed(srv.addr, &big)?;
    assert!(got == big, "{} of {} bytes back, or other bytes", got.len(), big.len());
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    assert!(close.contains("FIN sent, LAST_ACK; echoed 1048576 bytes; 0 clients left"), "{close}");
    let lines = srv.lines().to_vec();
    assert!(lines.iter().any(|l| l.contains("not shown; its close() line sums up")), "{lines:#?}");
    assert!(lines.len() < 40, "{} lines for one 1 MiB echo: {lines:#?}", lines.len());
    Ok(())
}

/// A client that resets mid-echo gets a warning and a close without FIN;
/// one that closes with its echo unread (its kernel answers with RST) too;
/// the server serves the next client either way.
#[test]
fn resets_are_warned_and_survived() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    // Reset only once the server holds the connection and is echoing (no race with accept()).
    let doomed = harness::connect(srv.addr)?;
    (&doomed).write_all(&harness::binary_payload(200_000))?;
    srv.expect_line(|l| l.starts_with("[L7] send to "), Duration::from_secs(10))?;
    socket2::SockRef::from(&doomed).set_linger(Some(Duration::ZERO))?;
    drop(doomed);
    let warn =
        srv.expect_line(|l| l.contains("failed:") && l.contains("dropping it"), Duration::from_secs(10))?;
    assert!(warn.contains("reset") || warn.contains("Broken pipe"), "{warn}");
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    assert!(close.contains("→ already CLOSED by the client's RST: nothing sent"), "{close}");

    let rude = harness::connect(srv.addr)?;
    (&rude).write_all(&harness::binary_payload(100_000))?;
    // Close only once echo bytes lie unread in rude's receive buffer: then its kernel sends RST.
    rude.peek(&mut [0u8; 1])?;
    drop(rude);

    assert_eq!(harness::echo(srv.addr, b"next")?, b"next");
    assert!(srv.is_running(), "stderr {}", srv.stderr());
    assert!(!srv.stderr().contains("panick"), "{}", srv.stderr());
    Ok(())
}

/// accept() failing with EMFILE is told once, not ten times a second; the
/// server does not spin, and says when accept() works again.
#[test]
fn emfile_is_told_once_and_recovered_from() -> anyhow::Result<()> {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(r#"ulimit -n 32 && exec "$0" --port 0 --color never"#).arg(harness::bin(SERVER));
    let mut srv = Server::spawn(cmd)?;
    let idle: Vec<_> = (0..40).map(|_| harness::connect(srv.addr)).collect::<anyhow::Result<_>>()?;
    let warn = srv.expect_line(|l| l.contains("accept() failed"), Duration::from_secs(10))?;
    assert!(warn.contains("Too many open files"), "{warn}");
    let before = harness::cpu_time(srv.pid())?;
    // An observation window, not synchronisation: 2 s in which a busy loop would burn CPU.
    std::thread::sleep(Duration::from_secs(2));
    let spent = harness::cpu_time(srv.pid())? - before;
    assert!(spent < Duration::from_secs(1), "{spent:?} of CPU in 2 s while accept() failed: a busy loop");
    drop(idle);
    srv.expect_line(|l| l.contains("accept() works again"), Duration::from_secs(10))?;
    let failures = srv.lines().iter().filter(|l| l.contains("accept() failed")).count();
    assert_eq!(failures, 1, "{:#?}", srv.lines());
    assert_eq!(harness::echo(srv.addr, b"after")?, b"after");
    assert!(srv.is_running());
    Ok(())
}

/// A client that sends nothing for --idle-timeout is closed with a FIN (its
/// read sees EOF), counted from its last byte, not from its connect.
#[test]
fn an_idle_client_is_closed_after_the_idle_timeout() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &["--idle-timeout", "1"])?;
    let quiet = harness::connect(srv.addr)?;
    assert_eq!(harness::echo_on(&quiet, b"then silence")?, b"then silence");
    let last_byte = Instant::now();
    let line = srv.expect_line(|l| l.contains("(--idle-timeout): closing it"), Duration::from_secs(10))?;
    assert!(last_byte.elapsed() >= Duration::from_millis(900), "closed after {:?}", last_byte.elapsed());
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    assert!(close.contains("→ FIN sent, FIN_WAIT_1; echoed 12 bytes; 0 clients left"), "{line}\n{close}");
    // The server's FIN: our read ends cleanly (0 bytes), no reset.
    let mut rest = Vec::new();
    (&quiet).read_to_end(&mut rest)?;
    assert!(rest.is_empty());
    Ok(())
}

/// A client that keeps talking is never idle, however long it stays.
#[test]
fn a_client_that_keeps_talking_outlives_the_idle_timeout() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &["--idle-timeout", "1"])?;
    let chatty = harness::connect(srv.addr)?;
    let started = Instant::now();
    // Pacing, not synchronisation: 2.5 s of talk, never 1 s of silence.
    while started.elapsed() < Duration::from_millis(2500) {
        assert_eq!(harness::echo_on(&chatty, b"still here")?, b"still here");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(!srv.lines().iter().any(|l| l.contains("idle")), "{:#?}", srv.lines());
    Ok(())
}

/// Slowloris: 1 021 clients that connect and say nothing fill every fd
/// select() can watch (0–2 are stdio, 3 the listener, 4–1023 theirs), and
/// the next client is refused at the wall.
#[test]
fn idle_clients_lock_new_ones_out_without_an_idle_timeout() -> anyhow::Result<()> {
    let Some((mut srv, _idle)) = fill_with_idle_clients("idle_clients_lock_out", &[])? else {
        return Ok(());
    };
    srv.expect_line(|l| l.contains("≥ FD_SETSIZE (1024)"), Duration::from_secs(20))?;
    assert!(harness::echo(srv.addr, b"let me in").is_err(), "a client got through the wall");
    srv.expect_line(|l| l.contains("≥ FD_SETSIZE (1024)"), Duration::from_secs(20))?;
    Ok(())
}

/// The same 1 021 silent clients with --idle-timeout: they are closed once
/// idle, their fds come free, and the next client is served.
#[test]
fn the_idle_timeout_frees_the_slots_of_silent_clients() -> anyhow::Result<()> {
    let Some((mut srv, _idle)) = fill_with_idle_clients("idle_timeout_frees", &["--idle-timeout", "10"])?
    else {
        return Ok(());
    };
    srv.expect_line(|l| l.contains("close() ") && l.contains("; 0 clients left"), Duration::from_secs(30))?;
    assert_eq!(harness::echo(srv.addr, b"let me in")?, b"let me in");
    let lines = srv.lines();
    let idle = lines.iter().filter(|l| l.contains("(--idle-timeout): closing it")).count();
    // Nearly every silent client was timed out. (An exact count is not possible:
    // while the test waits, nobody reads the server's stdout, and the narration
    // queue drops lines rather than stall serving.)
    assert!(idle > 1000, "{idle} idle closes");
    Ok(())
}

/// A server allowed 2 200 fds, with 1 021 connected clients that never send.
fn fill_with_idle_clients(
    test: &str,
    flags: &[&str],
) -> anyhow::Result<Option<(Server, Vec<std::net::TcpStream>)>> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if !harness::require(test, harness::Need::FdLimit(2300)) {
        return Ok(None);
    }
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    setrlimit(Resource::RLIMIT_NOFILE, 2300, hard)?;
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -n 2200 && exec "$0" --port 0 --color never "$@""#)
        .arg(harness::bin(SERVER))
        .args(flags);
    let mut srv = Server::spawn(cmd)?;
    let idle = (0..1021).map(|_| harness::connect(srv.addr)).collect::<anyhow::Result<Vec<_>>>()?;
    srv.expect_line(|l| l.contains("ESTABLISHED (fd 1023, "), Duration::from_secs(60))?;
    Ok(Some((srv, idle)))
}
