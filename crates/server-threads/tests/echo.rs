//! server-threads as a real process on an ephemeral port, talked to over real TCP.

const SERVER: &str = "server-threads";

harness::echo_server_tests!(SERVER, concurrent);

/// After the client's RST, close() sends nothing, and the narration says so.
#[test]
fn close_after_a_reset_is_narrated_truly() -> anyhow::Result<()> {
    harness::suite::close_after_a_reset_is_narrated_truly(SERVER)
}
