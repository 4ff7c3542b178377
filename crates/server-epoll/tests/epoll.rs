//! server-epoll as a real process on an ephemeral port, talked to over real TCP:
//! the tests of every event-loop server (harness::suite::event_loop), plus what
//! the wall no longer stops. (tests/diff.rs holds it to server-select's source.)

use std::time::Duration;

use harness::suite::idle;

const SERVER: &str = "server-epoll";

harness::echo_server_tests!(SERVER, concurrent);
harness::event_loop_server_tests!(
    SERVER,
    setup: [
        "[..] fcntl(O_NONBLOCK) on the listening socket; epoll_wait() decides who is served",
        "[..] epoll_create1(), epoll_ctl(ADD, listener, EPOLLIN): the kernel now watches it",
    ]
);
harness::idle_timeout_tests!(SERVER);

#[test]
fn connections_beyond_fd_setsize_are_all_served() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    harness::suite::event_loop::connections_beyond_fd_setsize_are_all_served(SERVER)
}

/// Slowloris against epoll: 1 021 silent clients hold 1 021 fds, but there is no
/// wall at 1 024, so the next client is served all the same (the fd limit is
/// the next wall, and --idle-timeout the answer to it, as for select).
#[test]
fn idle_clients_do_not_lock_new_ones_out() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    let mut srv = idle::spawn_with_fd_limit(SERVER, 2200, &[])?;
    let _silent = idle::silent_clients(srv.addr, 1021)?;
    // All 1 021 accepted. (1 021 lines fit in the stdout pipe and the narration
    // queue even if nobody read them: none of these can be dropped.)
    srv.expect_line(|l| l.ends_with(", 1021 clients)"), Duration::from_secs(60))?;
    assert_eq!(harness::echo(srv.addr, b"let me in")?, b"let me in");
    Ok(())
}

/// The same 1 021 silent clients with --idle-timeout: every one is timed out.
/// Counted by the clients, each of which reads the server's FIN: the server's
/// narration of 2 042 closing lines at once may be cut short by design (the
/// narration queue drops lines rather than stall serving).
#[test]
fn the_idle_timeout_closes_every_silent_client() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    let mut srv = idle::spawn_with_fd_limit(SERVER, 2200, &["--idle-timeout", "2"])?;
    let silent = idle::silent_clients(srv.addr, 1021)?;
    // The reason is narrated: the first closing line comes before any can be dropped.
    srv.expect_line(|l| l.contains("(--idle-timeout): closing it"), Duration::from_secs(30))?;
    idle::each_gets_the_servers_fin(SERVER, &silent, Duration::from_secs(30))?;
    Ok(())
}
