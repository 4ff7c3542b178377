//! `--timeout` is one deadline over the whole run: connect, every send() and
//! every recv(). When it passes, the client exits with one line and closes
//! with RST, so a server blocked on it is freed.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::Server;

/// How much later than its deadline the client may exit (process start, a busy machine).
const SLACK: Duration = Duration::from_millis(2500);

fn client(port: u16, args: &[&str]) -> Command {
    let mut cmd = Command::new(harness::bin("client"));
    cmd.args(["--port", &port.to_string(), "--color", "never"]).args(args);
    cmd
}

/// Lesson 6's setup: server-loop busy with a client that holds on; a second
/// client sends a file far bigger than the socket buffers. Its send() can
/// never finish: at the deadline it gives up, and server-loop, once the first
/// client leaves, gets rid of the reset connection and serves the next one.
#[test]
fn a_big_file_to_a_busy_server_loop_ends_at_the_deadline_and_frees_the_server() -> anyhow::Result<()> {
    let srv = Server::start("server-loop", &["--quiet"])?;
    let holder = harness::connect(srv.addr)?;
    assert_eq!(harness::echo_on(&holder, b"hold")?, b"hold");

    let dir = tempfile::tempdir()?;
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![0x5a_u8; 64 << 20])?;
    let started = Instant::now();
    let cmd = client(srv.port(), &["--file", &big.to_string_lossy(), "--timeout", "3", "--quiet"]);
    let out = harness::run(cmd, b"", Duration::from_secs(30))?;
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took >= Duration::from_secs(3) && took < Duration::from_secs(3) + SLACK, "took {took:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("client: error: send(): "), "{stderr}");
    assert!(stderr.contains(" within 3 s; connection closed with RST; hint: "), "{stderr}");

    drop(holder);
    let started = Instant::now();
    assert_eq!(harness::echo(srv.addr, b"next")?, b"next");
    assert!(started.elapsed() < Duration::from_secs(10), "the next client waited {:?}", started.elapsed());
    Ok(())
}

/// A server that trickles its echo, one byte every 4 s, cannot keep a
/// 12-byte echo alive past `--timeout 5`: the deadline is not per recv().
#[test]
fn a_trickling_server_cannot_stretch_the_deadline() -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let trickler = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut conn, _) = listener.accept()?;
        let mut msg = [0u8; 12];
        conn.read_exact(&mut msg)?;
        for b in msg {
            conn.write_all(&[b])?; // fails once the client has reset the connection
            std::thread::sleep(Duration::from_secs(4));
        }
        Ok(())
    });
    let started = Instant::now();
    let out = harness::run(
        client(port, &["--message", "hello world!", "--timeout", "5"]),
        b"",
        Duration::from_secs(60),
    )?;
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took >= Duration::from_secs(5) && took < Duration::from_secs(5) + SLACK, "took {took:?}");
    assert!(stderr.contains(" of 12 bytes back) within 5 s; connection closed with RST"), "{stderr}");
    // The RST makes the trickler's next write fail: it ends instead of trickling on.
    assert!(trickler.join().map_err(|_| anyhow::anyhow!("trickler panicked"))?.is_err());
    Ok(())
}

/// A listener whose accept queue is full drops the SYN (Linux queues
/// backlog + 1 connections): connect() gets no answer, and the deadline ends it.
#[test]
fn a_connect_without_answer_ends_at_the_deadline() -> anyhow::Result<()> {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    listener.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>()?.into())?;
    listener.listen(0)?;
    let addr = listener.local_addr()?.as_socket().ok_or_else(|| anyhow::anyhow!("not IP"))?;
    let _queued = harness::connect(addr)?; // fills the queue of backlog 0 + 1
    let started = Instant::now();
    let out = harness::run(client(addr.port(), &["--timeout", "1"]), b"", Duration::from_secs(30))?;
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took >= Duration::from_secs(1) && took < Duration::from_secs(1) + SLACK, "took {took:?}");
    assert!(stderr.starts_with(&format!("client: error: connect to {addr}: ")), "{stderr}");
    assert!(stderr.contains("hint: nothing answered in time"), "{stderr}");
    Ok(())
}

#[test]
fn a_zero_timeout_is_refused_with_a_clear_line() -> anyhow::Result<()> {
    let out = harness::run(client(9, &["--timeout", "0"]), b"", Duration::from_secs(20))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("'0' for '--timeout <TIMEOUT>': \"0\" is zero; give a time above 0"), "{stderr}");
    Ok(())
}

/// The bracketed form people copy from URLs works as the bare one does.
#[test]
fn a_bracketed_ipv6_host_is_accepted() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Ipv6) {
        return Ok(());
    }
    let srv = Server::start("server-basic", &["--host", "::1"])?;
    let out = harness::run(client(srv.port(), &["--host", "[::1]"]), b"", Duration::from_secs(20))?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("[L3+L4] socket(AF_INET6, SOCK_STREAM) → CLOSED"), "{stdout}");
    assert!(stdout.contains(&format!("connect([::1]:{}) from [::1]:", srv.port())), "{stdout}");
    Ok(())
}
