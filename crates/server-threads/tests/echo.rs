//! server-threads as a real process on an ephemeral port, talked to over real TCP.

use harness::suite;

const SERVER: &str = "server-threads";

harness::echo_server_tests!(SERVER, multi);

#[test]
fn two_clients_are_served_at_once() -> anyhow::Result<()> {
    suite::serves_two_at_once(SERVER)
}

#[test]
fn emfile_is_survived_without_a_busy_loop() -> anyhow::Result<()> {
    suite::survives_emfile(SERVER)
}

/// After the client's RST, close() sends nothing, and the narration says so.
#[test]
fn close_after_a_reset_is_narrated_truly() -> anyhow::Result<()> {
    harness::suite::close_after_a_reset_is_narrated_truly(SERVER)
}
