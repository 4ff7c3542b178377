//! server-threads as a real process on an ephemeral port, talked to over real TCP.

const SERVER: &str = "server-threads";

harness::echo_server_tests!(SERVER, concurrent);

/// `--connections N`: the way the lessons stop a server without `kill`.
#[test]
fn stops_by_itself_after_its_connections() -> anyhow::Result<()> {
    harness::suite::stops_after_its_connections(SERVER)
}
