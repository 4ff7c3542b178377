//! The client as a real process against the kit's real servers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::Duration;

use harness::Server;

const T: Duration = Duration::from_secs(30);

fn client(port: u16, args: &[&str], stdin: &[u8]) -> anyhow::Result<Output> {
    let mut cmd = Command::new(harness::bin("client"));
    cmd.args(["--port", &port.to_string(), "--color", "never"]).args(args);
    harness::run(cmd, stdin, T)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn says_hello_and_prints_the_echo_like_the_article() -> anyhow::Result<()> {
    let srv = Server::start("server-basic", &[])?;
    let out = client(srv.port(), &[], b"")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "[L3+L4] socket(AF_INET, SOCK_STREAM) → CLOSED");
    assert!(lines[1].starts_with(&format!("[L4] connect(127.0.0.1:{}) from 127.0.0.1:", srv.port())));
    assert!(lines[1].contains("→ SYN_SENT → ESTABLISHED in "));
    assert_eq!(lines[2], "[L7] send 5 bytes \"Hello\"");
    assert_eq!(lines[3], "[L7] recv 5 bytes \"Hello\"");
    assert!(lines[4].starts_with("[..] echo of 5 bytes back in "));
    assert_eq!(lines[5], "Received \"Hello\"");
    assert_eq!(lines[6], "[L4] close() → FIN sent, ESTABLISHED → FIN_WAIT_1");
    assert_eq!(lines.len(), 7, "{stdout}");
    Ok(())
}

#[test]
fn connection_refused_is_one_line_with_a_hint() -> anyhow::Result<()> {
    // A port that was free a moment ago and has no listener now.
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let out = client(port, &[], b"")?;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("client: error: connect to 127.0.0.1:{port}: Connection refused")),
        "{stderr}"
    );
    assert!(stderr.contains("hint: no server listens there"), "{stderr}");
    // The program as the lessons type it, on the port given: no cargo for prebuilt binaries.
    assert!(stderr.trim_end().ends_with(&format!("e.g. `server-basic --port {port}`")), "{stderr}");
    Ok(())
}

#[test]
fn binary_stdin_of_a_mebibyte_comes_back_exact() -> anyhow::Result<()> {
    let srv = Server::start("server-threads", &["--quiet"])?;
    let payload = harness::binary_payload(1 << 20);
    let out = client(srv.port(), &["--stdin", "--quiet"], &payload)?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // --quiet leaves only the article's `Received …` line: bytes that are not text summed
    // up with the hex of the first few, not a line of \xNN.
    let stdout = text(&out.stdout);
    assert_eq!(stdout.trim_end(), "Received 1048576 bytes of binary data: 00 01 02 03 04 05 06 07 …");
    // The README says so, with this very line.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))?;
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains(&format!("(`{}`)", stdout.trim_end())),
        "the README's example of a binary payload"
    );
    Ok(())
}

#[test]
fn file_payload_and_half_close() -> anyhow::Result<()> {
    let srv = Server::start("server-loop", &["--quiet"])?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("payload.bin");
    std::fs::write(&path, harness::binary_payload(300_000))?;
    let p = path.to_string_lossy();
    let out = client(srv.port(), &["--file", &p, "--half-close"], b"")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("[L4] shutdown(SHUT_WR) → FIN sent, FIN_WAIT_1; still reading"), "{stdout}");
    assert!(stdout.contains("recv() → 0 bytes: the server closed too (FIN) → TIME_WAIT"), "{stdout}");
    // TCP_INFO says CLOSED for this socket: the kernel keeps the TIME_WAIT apart from it.
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("[L4] close() → nothing sent: the connection is already CLOSED")),
        "{stdout}"
    );
    Ok(())
}

#[test]
fn repeat_and_many_clients() -> anyhow::Result<()> {
    let srv = Server::start("server-threads", &["--quiet"])?;
    let out = client(srv.port(), &["--clients", "5", "--repeat", "3", "--message", "ping"], b"")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for i in 1..=5 {
        for r in 1..=3 {
            let want = format!("#{i} [{r}/3] Received \"ping\"");
            assert!(stdout.lines().any(|l| l == want), "no {want:?} in {stdout}");
        }
    }
    Ok(())
}

#[test]
fn reset_closes_with_rst_and_the_server_goes_on() -> anyhow::Result<()> {
    let mut srv = Server::start("server-loop", &[])?;
    let out = client(srv.port(), &["--reset"], b"")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("close() → RST sent (SO_LINGER 0), ESTABLISHED → CLOSED"));
    srv.expect_line(|l| l.contains("Connection reset by peer"), Duration::from_secs(10))?;
    let out = client(srv.port(), &[], b"")?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Ok(())
}

/// A server that answers with other bytes: the client notices, says where, exits 1.
#[test]
fn a_wrong_echo_is_an_error() -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let liar = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut conn, _) = listener.accept()?;
        let mut buf = [0u8; 5];
        conn.read_exact(&mut buf)?;
        conn.write_all(b"Help!")
    });
    let out = client(port, &[], b"")?;
    liar.join().map_err(|_| anyhow::anyhow!("liar panicked"))??;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        "client: error: the echo differs from what was sent, first at byte 3: sent \"lo\", got \"p!\""
    );
    Ok(())
}

#[test]
fn no_echo_in_time_is_a_clear_timeout() -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    // Listens, never accepts, never answers: the handshake completes in the kernel.
    let out = client(port, &["--timeout", "0.5"], b"")?;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("recv(): no whole echo (0 of 5 bytes back) within 0.5 s; connection closed with RST"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: is the server busy"), "{stderr}");
    drop(listener);
    Ok(())
}
