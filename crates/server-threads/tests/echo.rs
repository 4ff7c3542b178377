//! server-threads as a real process on an ephemeral port, talked to over real TCP.

const SERVER: &str = "server-threads";

harness::echo_server_tests!(SERVER, concurrent);
