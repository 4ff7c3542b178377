//! server-threads as a real process on an ephemeral port, talked to over real TCP.

use harness::suite;

const SERVER: &str = "server-threads";

#[test]
fn text_echo_is_exact() -> anyhow::Result<()> {
    suite::echoes_exactly(SERVER, b"Hello")
}

#[test]
fn binary_echo_is_exact() -> anyhow::Result<()> {
    suite::echoes_exactly(SERVER, &harness::binary_payload(4096))
}

#[test]
fn one_mebibyte_echo_is_exact() -> anyhow::Result<()> {
    suite::echoes_exactly(SERVER, &harness::binary_payload(1 << 20))
}

#[test]
fn reset_and_half_close_leave_it_serving() -> anyhow::Result<()> {
    suite::survives_reset_and_half_close(SERVER)
}

#[test]
fn port_in_use_is_one_clear_line() -> anyhow::Result<()> {
    suite::port_in_use_is_one_clear_line(SERVER)
}

#[test]
fn two_clients_are_served_at_once() -> anyhow::Result<()> {
    suite::serves_two_at_once(SERVER)
}

#[test]
fn emfile_is_survived_without_a_busy_loop() -> anyhow::Result<()> {
    suite::survives_emfile(SERVER)
}
