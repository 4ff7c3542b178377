//! server-basic as a real process on an ephemeral port, talked to over real TCP.

use std::time::Duration;

use harness::Server;

const SERVER: &str = "server-basic";

harness::echo_server_tests!(SERVER);

/// The article's §2.1 in order: the Berkeley calls, one client, then exit 0.
#[test]
fn narrates_the_calls_in_order_and_exits_after_one_client() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    assert_eq!(harness::echo(srv.addr, b"Hello")?, b"Hello");
    let status = srv.wait_exit(Duration::from_secs(20))?;
    assert!(status.success(), "{status:?}; stderr {}", srv.stderr());
    let port = srv.port();
    let lines = srv.lines().to_vec();
    let want = [
        "[L3+L4] socket(AF_INET, SOCK_STREAM) → CLOSED".to_string(),
        "[L4] setsockopt(SO_REUSEADDR, 1)".to_string(),
        format!("[L3+L4] bind(127.0.0.1:{port})"),
        "[L4] listen(backlog=128) → LISTEN".to_string(),
        format!("READY 127.0.0.1:{port}"),
    ];
    assert_eq!(lines[..5], want, "{lines:#?}");
    let peer = lines[5]
        .strip_prefix("[L4] accept() → connected by ")
        .and_then(|rest| rest.strip_suffix(", ESTABLISHED (client 1)"))
        .unwrap_or_else(|| panic!("no accept line: {lines:#?}"));
    assert_eq!(
        lines[6..],
        [
            format!("[L7] recv from {peer}: 5 bytes \"Hello\""),
            format!("[L7] send to {peer}: 5 bytes \"Hello\""),
            format!("[L4] recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"),
            format!("[L4] close() {peer} → FIN sent, CLOSE_WAIT → LAST_ACK; echoed 5 bytes"),
            "[L4] close(listening socket) → CLOSED; one client served, exiting".to_string(),
        ],
        "{lines:#?}"
    );
    Ok(())
}

/// A client that half-closes gets all of its echo before the server closes.
#[test]
fn half_closing_client_gets_all_its_echo() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    let big = harness::binary_payload(1 << 20);
    let got = harness::echo_half_closed(srv.addr, &big)?;
    assert!(got == big, "{} of {} bytes back", got.len(), big.len());
    assert!(srv.wait_exit(Duration::from_secs(20))?.success());
    Ok(())
}

/// A client that resets mid-echo ends the server's one session calmly:
/// a warning, the exit of a server that served its one client, no panic.
#[test]
fn reset_by_the_client_is_not_a_crash() -> anyhow::Result<()> {
    let mut srv = Server::start(SERVER, &[])?;
    harness::send_and_reset(srv.addr, &harness::binary_payload(500_000))?;
    let status = srv.wait_exit(Duration::from_secs(20))?;
    assert!(status.success(), "{status:?}; stderr {}", srv.stderr());
    assert!(srv.lines().iter().any(|l| l.contains("reset")), "{:#?}", srv.lines());
    assert!(!srv.stderr().contains("panick"), "{}", srv.stderr());
    Ok(())
}
