//! How every server's close() is narrated: in kit's one close vocabulary
//! (`kit::what_close_sends`), true to the kernel. The reset check runs the
//! same two resets against each server; the tracer check holds the usual
//! close line against the states osi-trace reads off the wire.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Result};

use crate::*;

/// The words of a close after the peer's RST: the kernel holds the
/// connection CLOSED already, and close() sends nothing.
const AFTER_A_RESET: &str = " → nothing sent: the connection is already CLOSED (reset by the peer); echoed ";

/// The one reset check of every server. Two clients end their connection
/// with RST, each against a fresh server: `client --reset` (SO_LINGER 0)
/// after its echo, and a client that sends 100 000 bytes and closes with its
/// echo unread (its kernel resets: unread bytes are lost, RFC 2525). Each
/// time a recv() or send() of the server fails, and its close line says
/// that close() sends nothing — however many of the 100 000 bytes the server
/// never read, since a CLOSED connection has nobody left to reset.
pub fn resets_are_narrated_truly(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    let mut cmd = Command::new(bin("client"));
    cmd.args(["--port", &srv.port().to_string(), "--reset", "--color", "never"]);
    let out = run(cmd, b"", ECHO_TIMEOUT)?;
    ensure!(out.status.success(), "client --reset failed: {}", String::from_utf8_lossy(&out.stderr));
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), ECHO_TIMEOUT)?;
    let lines = srv.lines().to_vec();
    let failed =
        lines.iter().any(|l| l.contains("recv() ") && l.contains(" failed: Connection reset by peer"));
    ensure!(
        failed
            && close.contains(&format!("{AFTER_A_RESET}5 bytes"))
            && !lines.iter().any(|l| l.contains("FIN sent")),
        "{server} after client --reset said {lines:#?}"
    );

    let mut srv = Server::start(server, &[])?;
    let rude = connect(srv.addr)?;
    (&rude).write_all(&binary_payload(100_000))?;
    // Close only once echo bytes lie unread in our receive buffer: then our kernel sends RST.
    rude.peek(&mut [0u8; 1])?;
    drop(rude);
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), ECHO_TIMEOUT)?;
    ensure!(close.contains(AFTER_A_RESET), "{server} after a client closed with its echo unread: {close}");
    let warned = srv.lines().iter().any(|l| l.starts_with("[L4] ") && l.contains(" failed: "));
    ensure!(warned, "{server} did not say which call failed: {:#?}", srv.lines());
    Ok(())
}

/// The usual close on the wire: a client sends "Hello", reads its echo and
/// closes; the server's close line says "FIN sent, CLOSE_WAIT → LAST_ACK",
/// and osi-trace, capturing live, puts the server in LAST_ACK at its FIN.
/// Needs capture rights, which its test (`echo_server_tests!`) requires first.
pub fn the_tracer_agrees_with_the_close_line(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    let port = srv.port().to_string();
    // osi-trace says READY on stderr: merge it into stdout, where the harness reads.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", r#"exec "$0" "$@" 2>&1"#]).arg(bin("osi-trace"));
    cmd.args(["--port", &port, "--connections", "1", "--duration", "30", "--color", "never", "--width", "0"]);
    let mut trace = Server::spawn_until(cmd, |l| l.starts_with("READY capturing on lo"))?;
    ensure!(echo(srv.addr, b"Hello")? == b"Hello", "{server}: wrong echo of Hello");
    let close = srv.expect_line(|l| l.starts_with("[L4] close() "), ECHO_TIMEOUT)?;
    ensure!(close.contains(" → FIN sent, CLOSE_WAIT → LAST_ACK; echoed 5 bytes"), "{server}: {close}");
    let fin = trace.expect_line(|l| l.contains(" client ← server [FIN, ACK] "), Duration::from_secs(20))?;
    ensure!(fin.ends_with("server LAST_ACK]"), "{server} said {close:?}, the tracer {fin:?}");
    ensure!(trace.wait_exit(Duration::from_secs(20))?.success(), "{:#?}", trace.lines());
    Ok(())
}
