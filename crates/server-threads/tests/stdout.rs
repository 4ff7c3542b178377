//! Narration never stalls serving: with its stdout a pipe nobody reads, the
//! server goes on serving; the lines it could not write are counted, and the
//! count is printed where they are missing once somebody reads again.

use std::time::Duration;

use anyhow::Context;
use harness::Server;

#[test]
fn a_stdout_pipe_nobody_reads_does_not_stall_serving() -> anyhow::Result<()> {
    // --buffer 1: a 32-byte message makes about 15 narration lines per client,
    // far more than the 64 KiB pipe and the narration queue hold for 500 clients.
    let mut srv = Server::start_unread("server-threads", &["--buffer", "1"])?;
    for i in 0..500 {
        let msg = format!("client {i:>4} of 500, 32 bytes...");
        let conn = harness::connect(srv.addr)?;
        conn.set_read_timeout(Some(Duration::from_secs(10)))?;
        let echo = harness::echo_on(&conn, msg.as_bytes()).with_context(|| format!("client {i} of 500"))?;
        assert_eq!(echo, msg.as_bytes(), "client {i}");
    }
    assert!(srv.is_running(), "stderr: {}", srv.stderr());
    // Somebody reads at last: the note about the dropped lines comes through.
    srv.read_on();
    let note =
        srv.expect_line(|l| l.contains("dropped here: nobody read stdout"), Duration::from_secs(20))?;
    assert!(note.starts_with("[..] ") && note.contains(" narration lines dropped"), "{note}");
    Ok(())
}
