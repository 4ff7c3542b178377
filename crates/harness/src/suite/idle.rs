//! Silent clients: the `--idle-timeout` checks of the servers that have one
//! (server-select, server-epoll), and the helpers that fill a server under a
//! chosen fd limit with clients that never send, and see which got a FIN.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};

use crate::*;

/// Starts workspace binary `server` (`--port 0 --color never` and `flags`)
/// with its open-file limit set to `limit`, and waits for its READY line.
pub fn spawn_with_fd_limit(server: &str, limit: u32, flags: &[&str]) -> Result<Server> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(r#"ulimit -n {limit} && exec "$0" --port 0 --color never "$@""#))
        .arg(bin(server))
        .args(flags);
    Server::spawn(cmd)
}

/// `n` connections to `addr` that never send. This test process's soft fd
/// limit is raised to its hard limit first: tests run as threads of one
/// process, and several may hold a thousand clients at once.
pub fn silent_clients(addr: SocketAddr, n: usize) -> Result<Vec<TcpStream>> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).context("raising RLIMIT_NOFILE")?;
    }
    (0..n).map(|_| connect(addr)).collect()
}

/// The authoritative count of which `clients` the server closed: each must
/// read EOF (the server's FIN, no reset, no data) within `timeout` in all.
/// Unlike the server's narration, no line of which can be dropped, this
/// counts every connection.
pub fn each_gets_the_servers_fin(server: &str, clients: &[TcpStream], timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let (mut fin, mut other) = (0, Vec::new());
    for (i, c) in clients.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        c.set_read_timeout(Some(left))?;
        match (&*c).read(&mut [0u8; 1]) {
            Ok(0) => fin += 1,
            Ok(_) => other.push(format!("client {i}: data")),
            Err(e) => other.push(format!("client {i}: {e}")),
        }
    }
    ensure!(
        other.is_empty(),
        "{server}: {fin} of {} silent clients got a FIN within {timeout:?}; {} did not, as {:?}…",
        clients.len(),
        other.len(),
        &other[..other.len().min(3)]
    );
    Ok(())
}

/// A client that sends nothing for --idle-timeout is closed with a FIN (its
/// read sees EOF), counted from its last byte, not from its connect.
pub fn an_idle_client_is_closed_after_the_idle_timeout(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &["--idle-timeout", "1"])?;
    let quiet = connect(srv.addr)?;
    ensure!(echo_on(&quiet, b"then silence")? == b"then silence", "{server}: wrong echo");
    let last_byte = Instant::now();
    let line = srv.expect_line(|l| l.contains("(--idle-timeout): closing it"), Duration::from_secs(10))?;
    ensure!(last_byte.elapsed() >= Duration::from_millis(900), "closed after {:?}", last_byte.elapsed());
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(10))?;
    ensure!(
        close.contains("→ FIN sent, ESTABLISHED → FIN_WAIT_1; echoed 12 bytes; 0 clients left"),
        "{line}\n{close}"
    );
    // The server's FIN: our read ends cleanly (0 bytes), no reset.
    each_gets_the_servers_fin(server, &[quiet], Duration::from_secs(10))
}

/// A client that sends and sends and never reads: its echo fills the
/// server's outgoing buffer, the server stops reading it, and its bytes pile
/// up unread in the server's receive buffer. Idle, it is closed — and close()
/// with bytes unread sends RST, not FIN (RFC 2525): the close line says so,
/// and the client's blocked send() fails with ECONNRESET, the RST's mark.
pub fn an_idle_client_with_bytes_unread_is_reset(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &["--idle-timeout", "1"])?;
    let flood = connect(srv.addr)?;
    let mut writer = flood.try_clone()?;
    // Bounded: 64 MiB at most; the server's RST (or the 20 s write timeout) ends it sooner.
    let flooder = thread::spawn(move || -> std::io::Result<()> {
        let chunk = vec![0x5a; 64 * 1024];
        for _ in 0..1024 {
            writer.write_all(&chunk)?;
        }
        Ok(())
    });
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), Duration::from_secs(20))?;
    ensure!(close.contains(" → RST sent ("), "{server}: {close}");
    ensure!(close.contains(" bytes unread), ESTABLISHED → CLOSED; echoed "), "{server}: {close}");
    let sent = flooder.join().map_err(|_| anyhow::anyhow!("flooder panicked"))?;
    ensure!(
        matches!(&sent, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{server} said {close:?}, but the client's send() ended with {sent:?}"
    );
    Ok(())
}

/// A client that keeps talking is never idle, however long it stays.
pub fn a_client_that_keeps_talking_outlives_the_idle_timeout(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &["--idle-timeout", "1"])?;
    let chatty = connect(srv.addr)?;
    let started = Instant::now();
    // Pacing, not synchronisation: 2.5 s of talk, never 1 s of silence.
    while started.elapsed() < Duration::from_millis(2500) {
        ensure!(echo_on(&chatty, b"still here")? == b"still here", "{server}: wrong echo");
        thread::sleep(Duration::from_millis(300));
    }
    ensure!(!srv.lines().iter().any(|l| l.contains("idle")), "{:#?}", srv.lines());
    Ok(())
}

/// The idle-timeout tests, one `#[test]` each, for the server binary `$server`.
#[macro_export]
macro_rules! idle_timeout_tests {
    ($server:expr) => {
        #[test]
        fn an_idle_client_is_closed_after_the_idle_timeout() -> anyhow::Result<()> {
            $crate::suite::idle::an_idle_client_is_closed_after_the_idle_timeout($server)
        }

        #[test]
        fn an_idle_client_with_bytes_unread_is_reset() -> anyhow::Result<()> {
            $crate::suite::idle::an_idle_client_with_bytes_unread_is_reset($server)
        }

        #[test]
        fn a_client_that_keeps_talking_outlives_the_idle_timeout() -> anyhow::Result<()> {
            $crate::suite::idle::a_client_that_keeps_talking_outlives_the_idle_timeout($server)
        }
    };
}
