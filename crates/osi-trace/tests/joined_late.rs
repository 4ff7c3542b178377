//! Connections the capture joined after their handshake (osi-trace started late):
//! no SYN tells which end is the client, nor what state either end is in. The
//! client is guessed from the ports, as Linux picks a client's port (the one in the
//! default ephemeral range 32768–60999, else the higher), and says so; every state
//! is `?`, explained once; no FIN is called an active or a passive close. The
//! captures: `tests/fixtures/make-joined.py` (two cut from lessons/captures/03-hello.pcap).
//! The TCP rows still agree with tshark's.

mod common;

use common::{fixture, osi_trace_ok};
use harness::tcp_rows;
use serde_json::Value;

/// A capture's `--json` records: its segments and its connections.
fn records(name: &str) -> anyhow::Result<(Vec<Value>, Vec<Value>)> {
    let p = fixture(name);
    let out = osi_trace_ok(&["--read", &p.to_string_lossy(), "--json"])?;
    let all: Vec<Value> = out.lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    let of = |t: &str| all.iter().filter(|r| r["type"] == t).cloned().collect::<Vec<_>>();
    Ok((of("segment"), of("connection")))
}

/// Per segment: who sent it (`client`/`server`), its role's words, both states.
fn rows(segments: &[Value]) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    segments
        .iter()
        .map(|r| (s(&r["from"]), s(&r["role_text"]), s(&r["client_state"]), s(&r["server_state"])))
        .collect()
}

fn row(from: &str, role: &str) -> (String, String, String, String) {
    (from.into(), role.into(), "?".into(), "?".into())
}

/// Each connection's (client, server, joined_late).
fn ends(connections: &[Value]) -> Vec<(String, String, bool)> {
    connections
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("client"), s("server"), c["joined_late"].as_bool().unwrap_or(false))
        })
        .collect()
}

/// 03-hello from its server's ACK on: the server listens on 65432 (not an ephemeral port),
/// the client's 50950 is one. Each row: the right sender, no state claimed.
#[test]
fn joined_mid_data_the_client_is_on_the_ephemeral_port_and_no_state_is_claimed() -> anyhow::Result<()> {
    let (segments, connections) = records("joined-mid-data.pcap")?;
    assert_eq!(ends(&connections), [("127.0.0.1:50950".into(), "127.0.0.1:65432".into(), true)]);
    assert_eq!(
        rows(&segments),
        [
            row("server", "ACK"),
            row("server", "data server→client: 5 bytes (total 5)"),
            row("client", "ACK"),
            row("client", "teardown: client's FIN"),
            row("server", "teardown: server's FIN+ACK: ACKs the client's FIN and closes too"),
            row("client", "teardown: last ACK, of the server's FIN"),
        ]
    );
    // The FIN's cause stays: the wire shows a close, not whether it was the first.
    assert_eq!(segments[3]["cause"], "client's close() or shutdown(SHUT_WR), or the process exiting");
    Ok(())
}

/// 03-hello's last two frames: the server's FIN+ACK answers the client's FIN, sent before the
/// capture began (the server was in LAST_ACK): no "active close", no FIN_WAIT_1.
#[test]
fn joined_mid_teardown_the_first_fin_seen_is_no_active_close() -> anyhow::Result<()> {
    let (segments, connections) = records("joined-mid-teardown.pcap")?;
    assert_eq!(ends(&connections), [("127.0.0.1:50950".into(), "127.0.0.1:65432".into(), true)]);
    assert_eq!(
        rows(&segments),
        [row("server", "teardown: server's FIN"), row("client", "teardown: ACK of the server's FIN")]
    );
    assert_eq!(segments[0]["cause"], "server's close() or shutdown(SHUT_WR), or the process exiting");
    Ok(())
}

/// Crafted: a server on 65432 and a client on the lower port 33000; a server on 40000, in the
/// ephemeral range like its client's 50000; both ports outside it (8080, 61000). Each
/// connection starts with the server's data.
#[test]
fn joined_the_client_is_guessed_from_the_ports() -> anyhow::Result<()> {
    let (segments, connections) = records("joined-ports.pcap")?;
    let joined = |c: &str, s: &str| (format!("127.0.0.1:{c}"), format!("127.0.0.1:{s}"), true);
    assert_eq!(
        ends(&connections),
        [joined("33000", "65432"), joined("50000", "40000"), joined("61000", "8080")]
    );
    let one = [
        row("server", "data server→client: 5 bytes (total 5)"),
        row("client", "ACK"),
        row("client", "teardown: client's FIN"),
        row("server", "teardown: server's FIN+ACK: ACKs the client's FIN and closes too"),
        row("client", "teardown: last ACK, of the server's FIN"),
    ];
    assert_eq!(rows(&segments), [one.clone(), one.clone(), one].concat());
    Ok(())
}

/// The line view says once, on a joined connection's first row, why its states are `?`, and
/// its summary that the roles are a guess; in Vietnamese too. No row claims a close's kind.
#[test]
fn joined_the_views_say_why_once() -> anyhow::Result<()> {
    for name in ["joined-mid-data.pcap", "joined-mid-teardown.pcap", "joined-ports.pcap"] {
        let p = fixture(name);
        let p = p.to_string_lossy();
        for (lang, why, guessed) in [
            (
                "en",
                "[client ?, server ? (both unknown: the capture began after the handshake)]",
                "(joined after the handshake: roles guessed from the ports, states unknown)",
            ),
            (
                "vi",
                "[client ?, server ? (cả hai không rõ: bản bắt gói bắt đầu sau bắt tay)]",
                "(bắt được từ sau bắt tay: vai trò đoán theo port, trạng thái không rõ)",
            ),
        ] {
            let out = osi_trace_ok(&["--read", &p, "--width", "0", "--color", "never", "--lang", lang])?;
            let streams = out.lines().filter(|l| l.starts_with("stream ")).count();
            assert_eq!(out.matches(why).count(), streams, "{name} {lang}: once per connection\n{out}");
            assert_eq!(out.matches(guessed).count(), streams, "{name} {lang}\n{out}");
            let segs = out.lines().filter(|l| l.contains(" #")).count();
            assert_eq!(out.matches("[client ?, server ?").count(), segs, "{name} {lang}\n{out}");
            for claim in
                ["active close", "passive close", "đóng chủ động", "đóng bị động", "ESTABLISHED", "_WAIT"]
            {
                assert!(!out.contains(claim), "{name} {lang}: {claim}\n{out}");
            }
            let ladder = osi_trace_ok(&[
                "--read", &p, "--width", "0", "--color", "never", "--lang", lang, "--ladder",
            ])?;
            assert!(ladder.contains(guessed), "{name} {lang}\n{ladder}");
            assert!(!ladder.contains("ESTABLISHED") && !ladder.contains("_WAIT"), "{name} {lang}\n{ladder}");
        }
    }
    Ok(())
}

/// The TCP rows (stream, seq, ack, len, flags, analysis flags) agree with tshark's.
#[test]
fn joined_rows_agree_with_tshark() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    for name in ["joined-mid-data.pcap", "joined-mid-teardown.pcap", "joined-ports.pcap"] {
        let pcap = fixture(name);
        let ((ours, _), (theirs, _)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
        assert!(ours.len() > 1, "{name}: no TCP rows");
        let differ = tcp_rows::differences(&ours, &theirs);
        assert!(differ.is_empty(), "{name}: osi-trace and tshark disagree:\n{}", differ.join("\n"));
    }
    Ok(())
}
