//! server-select as a real process on an ephemeral port, talked to over real TCP:
//! the tests of every event-loop server (harness::suite::event_loop), plus its
//! wall at FD_SETSIZE, the slowloris it allows, and --idle-timeout freeing the slots.

use std::time::Duration;

use harness::suite::idle;
use harness::Server;

const SERVER: &str = "server-select";

harness::echo_server_tests!(SERVER, concurrent);
harness::event_loop_server_tests!(
    SERVER,
    setup: ["[..] fcntl(O_NONBLOCK) on the listening socket; select() decides who is served"]
);
harness::idle_timeout_tests!(SERVER);

/// More connections than FD_SETSIZE: those whose fd does not fit are closed
/// with one logged reason; the server and its earlier clients go on.
#[test]
fn connections_beyond_fd_setsize_are_refused_cleanly() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    let mut srv = idle::spawn_with_fd_limit(SERVER, 2200, &[])?;
    let first = harness::connect(srv.addr)?;
    assert_eq!(harness::echo_on(&first, b"first")?, b"first");
    let beyond = idle::silent_clients(srv.addr, 1100)?;
    let line = srv.expect_line(|l| l.contains("≥ FD_SETSIZE (1024)"), Duration::from_secs(20))?;
    assert!(line.contains("select() cannot watch it; closing 127.0.0.1:"), "{line}");
    assert_eq!(harness::echo_on(&first, b"still here")?, b"still here");
    assert!(srv.is_running());
    drop(beyond);
    Ok(())
}

/// Slowloris: 0–2 are stdio and 3 the listener, so 1 020 clients that connect
/// and say nothing fill every fd select() can watch (4–1023); the 1 021st and
/// the next client are refused at the wall: closed at once.
#[test]
fn idle_clients_lock_new_ones_out_without_an_idle_timeout() -> anyhow::Result<()> {
    let Some((mut srv, silent)) = fill_with_silent_clients(&harness::test_name!(), &[])? else {
        return Ok(());
    };
    idle::each_gets_the_servers_fin(SERVER, &silent[1020..], Duration::from_secs(20))?;
    srv.expect_line(|l| l.contains("≥ FD_SETSIZE (1024)"), Duration::from_secs(20))?;
    assert!(harness::echo(srv.addr, b"let me in").is_err(), "a client got through the wall");
    srv.expect_line(|l| l.contains("≥ FD_SETSIZE (1024)"), Duration::from_secs(20))?;
    Ok(())
}

/// The same 1 021 silent clients with --idle-timeout: the 1 021st is refused at
/// the wall, the 1 020 others are closed once idle; their fds come free, and
/// the next client is served. Counted by the clients, each of which reads the
/// server's FIN: the server's narration of 2 040 closing lines at once may be
/// cut short by design (the narration queue drops lines rather than stall serving).
#[test]
fn the_idle_timeout_frees_the_slots_of_silent_clients() -> anyhow::Result<()> {
    let Some((mut srv, silent)) =
        fill_with_silent_clients(&harness::test_name!(), &["--idle-timeout", "10"])?
    else {
        return Ok(());
    };
    // The reason is narrated: the first closing line comes before any can be dropped.
    srv.expect_line(|l| l.contains("(--idle-timeout): closing it"), Duration::from_secs(30))?;
    idle::each_gets_the_servers_fin(SERVER, &silent, Duration::from_secs(30))?;
    assert_eq!(harness::echo(srv.addr, b"let me in")?, b"let me in");
    Ok(())
}

/// A server allowed 2 200 fds, with 1 021 connected clients that never send,
/// once it has accepted the 1 020 that fit under FD_SETSIZE. (1 021 accept
/// lines fit in the stdout pipe and the narration queue even if nobody read
/// them: none of these can be dropped.)
fn fill_with_silent_clients(
    test: &str,
    flags: &[&str],
) -> anyhow::Result<Option<(Server, Vec<std::net::TcpStream>)>> {
    if !harness::require(test, harness::Need::FdLimit(2300)) {
        return Ok(None);
    }
    let mut srv = idle::spawn_with_fd_limit(SERVER, 2200, flags)?;
    let silent = idle::silent_clients(srv.addr, 1021)?;
    srv.expect_line(|l| l.contains("ESTABLISHED (fd 1023, "), Duration::from_secs(60))?;
    Ok(Some((srv, silent)))
}

/// `--connections N`: the way the lessons stop a server without `kill`.
#[test]
fn stops_by_itself_after_its_connections() -> anyhow::Result<()> {
    harness::suite::stops_after_its_connections(SERVER)
}
