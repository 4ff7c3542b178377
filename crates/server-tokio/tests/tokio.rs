//! server-tokio as a real process on an ephemeral port, talked to over real TCP:
//! the tests of every event-loop server (harness::suite::event_loop), and no
//! wall at FD_SETSIZE, as for server-epoll. It has no idle timeout.

const SERVER: &str = "server-tokio";

harness::echo_server_tests!(SERVER, concurrent);
harness::event_loop_server_tests!(
    SERVER,
    setup: ["[..] the runtime watches the listener with epoll; each client gets a task"]
);

#[test]
fn connections_beyond_fd_setsize_are_all_served() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::FdLimit(2300)) {
        return Ok(());
    }
    harness::suite::event_loop::connections_beyond_fd_setsize_are_all_served(SERVER)
}
