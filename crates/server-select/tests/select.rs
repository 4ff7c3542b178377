//! server-select as a real process on an ephemeral port, talked to over real TCP.

use std::io::Write;
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
    std::thread::sleep(Duration::from_millis(500));
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
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if hard < 2300 {
        harness::skip("connections_beyond_fd_setsize", &format!("the fd hard limit is {hard}, below 2300"));
        return Ok(());
    }
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
