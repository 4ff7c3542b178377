//! A simultaneous open (RFC 9293 §3.5, Figure 8), on real captures of this kernel
//! (`fixtures/record-simopen.sh`) and on the crafted split handshake: each row's
//! states, role and cause are what Linux did (tcp_rcv_synsent_state_process(): a SYN
//! in SYN_SENT → SYN_RECEIVED and a SYN+ACK sent inside connect(); the peer's SYN+ACK →
//! ESTABLISHED, ACKed at once), and the TCP rows agree with tshark's.

mod common;

use common::{fixture, osi_trace, text};
use harness::tcp_rows;

/// The JSON records of a fixture: its segments, then its connections.
fn records(name: &str) -> anyhow::Result<(Vec<serde_json::Value>, Vec<serde_json::Value>)> {
    let out = osi_trace(&["--read", &fixture(name).to_string_lossy(), "--json"])?;
    anyhow::ensure!(out.status.success(), "{}", text(&out.stderr));
    let all: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    let of = |t: &str| all.iter().filter(|j| j["type"] == t).cloned().collect::<Vec<_>>();
    Ok((of("segment"), of("connection")))
}

/// Per row: sender, role, client's and server's state, call, by, and words the cause holds.
type Want<'a> = (&'a str, &'a str, &'a str, &'a str, Option<&'a str>, &'a str, &'a str);

fn check(name: &str, segs: &[serde_json::Value], want: &[Want]) {
    assert_eq!(segs.len(), want.len(), "{name}: rows");
    for (s, w) in segs.iter().zip(want) {
        let got = (
            s["from"].as_str().unwrap_or(""),
            s["role"].as_str().unwrap_or(""),
            s["client_state"].as_str().unwrap_or(""),
            s["server_state"].as_str().unwrap_or(""),
            s["call"].as_str(),
            s["by"].as_str().unwrap_or(""),
        );
        assert_eq!(got, (w.0, w.1, w.2, w.3, w.4, w.5), "{name} frame {}: {s}", s["frame"]);
        let cause = s["cause"].as_str().unwrap_or("");
        assert!(cause.contains(w.6), "{name} frame {}: {cause:?} lacks {:?}", s["frame"], w.6);
        assert!(!cause.contains("listening socket") && !cause.contains("times)"), "{name}: {cause}");
    }
}

const ANSWERS: &str = "SYN came while it waited in SYN_SENT, so it answers SYN+ACK";
const RETURNS: &str = "SYN+ACK ACKs its SYN, so it is ESTABLISHED and its connect() returns";

#[test]
fn two_sockets_connecting_to_each_other_go_syn_sent_syn_received_established() -> anyhow::Result<()> {
    let (segs, conns) = records("simultaneous-open.pcap")?;
    let c = Some("connect");
    check(
        "simultaneous-open",
        &segs[..8],
        &[
            // Both first SYNs were dropped by nft as they arrived: the server had not called connect().
            ("client", "syn", "SYN_SENT", "CLOSED", c, "client", "client's connect()"),
            ("server", "syn", "SYN_SENT", "SYN_SENT", c, "server", "server's connect()"),
            ("server", "syn", "SYN_SENT", "SYN_SENT", None, "server_kernel", "a retransmission"),
            ("client", "syn", "SYN_SENT", "SYN_SENT", None, "client_kernel", "a retransmission"),
            ("client", "syn_ack", "SYN_RECEIVED", "SYN_SENT", c, "client_kernel", ANSWERS),
            ("server", "syn_ack", "ESTABLISHED", "SYN_RECEIVED", c, "server_kernel", ANSWERS),
            ("server", "handshake_ack", "ESTABLISHED", "ESTABLISHED", c, "server_kernel", RETURNS),
            ("client", "handshake_ack", "ESTABLISHED", "ESTABLISHED", c, "client_kernel", RETURNS),
        ],
    );
    // The SYN+ACKs repeat the SYN's number: tshark's flag, said as such; no copy.
    for s in &segs[4..6] {
        assert_eq!(s["analysis"], serde_json::json!(["retransmission"]));
        assert!(s["cause"].as_str().unwrap_or("").contains("Wireshark calls it a retransmission"), "{s}");
        assert!(s["role_text"].as_str().unwrap_or("").starts_with("simultaneous open"), "{s}");
    }
    // A SYN+ACK answered inside connect() is never "no new socket call".
    assert!(segs[4..6].iter().all(|s| !s["cause"].as_str().unwrap_or("").contains("no new socket call")));
    assert_eq!(conns.len(), 1);
    let k = &conns[0];
    assert_eq!((k["handshake_rtt"].as_f64(), k["syn_retransmissions"].as_u64()), (None, Some(2)), "{k}");
    assert_eq!(k["syn_ack_retransmissions"].as_u64(), Some(0), "{k}");
    let out = osi_trace(&["--read", &fixture("simultaneous-open.pcap").to_string_lossy(), "--summary-only"])?;
    let summary = text(&out.stdout);
    assert!(summary.contains("simultaneous open (both ends called connect())"), "{summary}");
    assert!(summary.contains("including 2 SYN retransmissions") && !summary.contains("SYN+ACK"), "{summary}");
    Ok(())
}

#[test]
fn a_socket_connecting_to_its_own_port_is_both_ends() -> anyhow::Result<()> {
    let (segs, _) = records("self-connect.pcap")?;
    assert!(segs.iter().all(|s| s["src"] == s["dst"]), "one socket, one address");
    let (c, k) = (Some("connect"), "client_kernel");
    check(
        "self-connect",
        &segs,
        &[
            ("client", "syn", "SYN_SENT", "SYN_SENT", c, "client", "a self-connect, one socket is both"),
            ("client", "syn_ack", "SYN_RECEIVED", "SYN_RECEIVED", c, k, "its own SYN came back"),
            ("client", "handshake_ack", "ESTABLISHED", "ESTABLISHED", c, k, "connect() returns"),
        ],
    );
    Ok(())
}

/// The split handshake (crafted): the server ACKs the SYN, then sends its own. For the
/// client a simultaneous open; the server's bare ACK is in no state of RFC 9293: `?`.
#[test]
fn a_split_handshake_is_a_simultaneous_open_for_the_client() -> anyhow::Result<()> {
    let (segs, _) = records("tshark-4.0-differs.pcap")?;
    let (c, none) = (Some("connect"), None);
    check(
        "split handshake",
        &segs[..5],
        &[
            ("client", "syn", "SYN_SENT", "?", c, "client", "client's connect()"),
            ("server", "ack", "SYN_SENT", "?", none, "server_kernel", "server's kernel"),
            ("server", "syn", "SYN_SENT", "SYN_SENT", c, "server", "server's connect()"),
            ("client", "syn_ack", "SYN_RECEIVED", "SYN_SENT", c, "client_kernel", ANSWERS),
            ("server", "handshake_ack", "ESTABLISHED", "ESTABLISHED", c, "server_kernel", RETURNS),
        ],
    );
    let out = osi_trace(&["--read", &fixture("tshark-4.0-differs.pcap").to_string_lossy()])?;
    let why = "server ? (it ACKs the SYN before it sends its own, a split handshake";
    assert_eq!(text(&out.stdout).lines().filter(|l| l.contains(why)).count(), 2, "{}", text(&out.stdout));
    Ok(())
}

#[test]
fn the_real_captures_agree_with_tshark() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    for name in ["self-connect.pcap", "simultaneous-open.pcap"] {
        let pcap = fixture(name);
        let ((ours, _), (theirs, _)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
        assert!(ours.len() >= 3, "{name}: no TCP rows");
        let differ = tcp_rows::differences(&ours, &theirs);
        assert!(differ.is_empty(), "{name}: osi-trace and tshark disagree:\n{}", differ.join("\n"));
    }
    Ok(())
}
