//! The same handshake, live and read back from the file `--write` kept: the
//! same states on every row (a SYN's row waits for its answer live too); where
//! live cannot know (a SYN dropped at a full accept queue, unanswered after half
//! a second), the row says so in words, and reading the file back says what the
//! next SYN showed.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use socket2::{Domain, Socket, Type};

const T: Duration = Duration::from_secs(30);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A live capture on lo, the line view on its stdout, the frames into `pcap`.
fn capture(port: u16, more: &[&str], pcap: &std::path::Path) -> anyhow::Result<Child> {
    let mut child = Command::new(harness::bin("osi-trace"))
        .args(["--port", &port.to_string(), "--color", "never", "--duration", "20"])
        .args(more)
        .arg("--write")
        .arg(pcap)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?;
    let mut ready = String::new();
    BufReader::new(stderr).read_line(&mut ready)?;
    anyhow::ensure!(ready.starts_with("READY capturing on lo"), "{ready}");
    Ok(child)
}

fn read_back(pcap: &std::path::Path) -> anyhow::Result<String> {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(pcap).args(["--color", "never"]);
    let out = harness::run(cmd, b"", T)?;
    anyhow::ensure!(out.status.success(), "{}", text(&out.stderr));
    Ok(text(&out.stdout))
}

/// Each segment's row, without its time (live times are the kernel's, kept to the µs as in the file).
fn rows(trace: &str) -> Vec<String> {
    trace
        .lines()
        .filter(|l| l.contains(" #"))
        .map(|l| l.trim_start().split_once(' ').map_or(l, |r| r.1).to_string())
        .collect()
}

#[test]
fn the_same_handshake_shows_the_same_states_live_and_read_back() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("hello.pcap");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let cap = capture(port, &["--connections", "1"], &pcap)?;
    let mut server = harness::Server::spawn({
        let mut c = Command::new(harness::bin("server-basic"));
        c.args(["--port", &port.to_string(), "--quiet"]);
        c
    })?;
    let mut client = Command::new(harness::bin("client"));
    client.args(["--port", &port.to_string(), "--quiet"]);
    assert!(harness::run(client, b"", T)?.status.success());
    server.wait_exit(T)?;
    let live = text(&cap.wait_with_output()?.stdout);
    let read = read_back(&pcap)?;
    assert!(
        live.lines().next().is_some_and(|l| l.ends_with("[client SYN_SENT, server SYN_RECEIVED]")),
        "live, the SYN's row shows the state its answer caused:\n{live}"
    );
    assert_eq!(rows(&live), rows(&read), "live:\n{live}\nread back:\n{read}");
    Ok(())
}

#[test]
fn a_syn_dropped_at_a_full_accept_queue_says_why_live_and_what_followed_read_back() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("full.pcap");
    // listen(0): Linux queues backlog + 1 = 1 finished handshake, and never accept()s here.
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    listener.bind(&"127.0.0.1:0".parse::<SocketAddr>()?.into())?;
    listener.listen(0)?;
    let addr = listener.local_addr()?.as_socket().ok_or_else(|| anyhow::anyhow!("no address"))?;
    // Two SYNs of the second client, 1 s apart: both dropped, the queue stays full.
    let cap = capture(addr.port(), &["--count", "5"], &pcap)?;
    let first = std::net::TcpStream::connect(addr)?;
    let second = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(1500));
    assert!(second.is_err(), "the accept queue was full: {second:?}");
    let live = text(&cap.wait_with_output()?.stdout);
    drop(first);
    let read = read_back(&pcap)?;
    let syn = |trace: &str, n: usize| {
        trace
            .lines()
            .filter(|l| l.contains("#1 client → server [SYN]"))
            .nth(n)
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        syn(&live, 0).ends_with("[client SYN_SENT, server ? (no answer from the server seen)]"),
        "live:\n{live}"
    );
    assert!(syn(&read, 0).ends_with("[client SYN_SENT, server LISTEN]"), "read back:\n{read}");
    assert!(
        syn(&read, 1).ends_with("[client SYN_SENT, server ? (no answer from the server seen)]"),
        "read back:\n{read}"
    );
    Ok(())
}
