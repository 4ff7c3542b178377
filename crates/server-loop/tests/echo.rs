//! server-loop as a real process on an ephemeral port, talked to over real TCP.

const SERVER: &str = "server-loop";

harness::echo_server_tests!(SERVER, multi);

/// The article's point about §3.1: the second client's handshake completes at
/// once (the kernel does it, into the accept queue), but its echo waits until
/// the first client leaves.
#[test]
fn second_client_connects_at_once_but_waits_for_its_echo() -> anyhow::Result<()> {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let srv = harness::Server::start(SERVER, &[])?;
    let a = harness::connect(srv.addr)?;
    assert_eq!(harness::echo_on(&a, b"first")?, b"first");

    // connect() returns: the handshake finished without any accept().
    let started = Instant::now();
    let mut b = harness::connect(srv.addr)?;
    assert!(started.elapsed() < Duration::from_secs(5));
    b.write_all(b"second")?;

    // No echo while the first client holds the server.
    b.set_read_timeout(Some(Duration::from_millis(700)))?;
    let mut got = [0u8; 6];
    let early = b.read(&mut got);
    assert!(
        matches!(&early, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the second client got {early:?} while the first was still served"
    );

    // The first leaves; now the second is accepted and gets its echo.
    drop(a);
    b.set_read_timeout(Some(harness::ECHO_TIMEOUT))?;
    b.read_exact(&mut got)?;
    assert_eq!(&got, b"second");
    Ok(())
}

/// `--connections N`: the way the lessons stop a server without `kill`.
#[test]
fn stops_by_itself_after_its_connections() -> anyhow::Result<()> {
    harness::suite::stops_after_its_connections(SERVER)
}
