//! The tracer says what happened, on captures recorded from real runs of the
//! kit (tests/fixtures/record-truths.sh): a refused SYN, SYNs dropped at a full
//! accept queue and retransmitted, a SYN+ACK resent after its ACK was dropped,
//! zero-window probes of the persist timer,
//! FIN causes, and a FIN riding on the last data segment. Also captures of the
//! lab with loss (`scripts/lab.sh --loss N` or `--scenario loss`, an echo of 256 KiB
//! to 1 MiB), cut to the frames that matter with `editcap [-s 128] -r linkN.pcap OUT
//! RANGES` (each test and tests/trace.rs name the run and the ranges): a SYN+ACK lost,
//! the handshake's ACK lost, an RST lost, a last ACK lost, FINs crossing, window
//! updates with SACK blocks, a window update lost before a zero-window probe.

mod common;

use std::path::Path;

use common::{fixture, osi_trace_ok};
use osi_trace::json::{ConnectionRecord, Record, SegmentRecord};

/// The `--json` records of a fixture: segments and connections (ARP and ICMP left out).
fn json(name: &str) -> anyhow::Result<(Vec<SegmentRecord>, Vec<ConnectionRecord>)> {
    let (mut segs, mut conns) = (Vec::new(), Vec::new());
    for line in osi_trace_ok(&["--read", &fixture(name).to_string_lossy(), "--json"])?.lines() {
        match serde_json::from_str(line)? {
            Record::Segment(s) => segs.push(*s),
            Record::Connection(c) => conns.push(c),
            _ => {}
        }
    }
    Ok((segs, conns))
}

#[test]
fn a_refused_syn_finds_the_server_end_closed_not_listening() -> anyhow::Result<()> {
    let (segs, _) = json("echo-and-refused.pcap")?;
    let refused: Vec<_> = segs.iter().filter(|s| s.stream == 1).collect();
    let states: Vec<_> = refused.iter().map(|s| (s.role.as_str(), s.server_state.as_str())).collect();
    assert_eq!(states, [("syn", "CLOSED"), ("refused", "CLOSED")]);
    let ladder = osi_trace_ok(&["--read", &fixture("echo-and-refused.pcap").to_string_lossy(), "--ladder"])?;
    let head = ladder.lines().skip_while(|l| !l.starts_with("stream 1:")).nth(2).unwrap_or_default();
    assert_eq!(head.split_whitespace().collect::<Vec<_>>(), ["CLOSED", "CLOSED"], "{ladder}");
    Ok(())
}

/// The handshake's pure ACK was lost before link2: the client's first data segment, which
/// carries the same ACK, completes the handshake and times it.
#[test]
fn data_with_the_ack_completes_the_handshake_when_its_pure_ack_is_lost() -> anyhow::Result<()> {
    let (segs, conns) = json("handshake-ack-lost.pcap")?;
    assert_eq!(segs.iter().filter(|s| s.role.starts_with("handshake_ack")).count(), 0);
    assert_eq!((segs[2].role.as_str(), segs[2].server_state.as_str()), ("data", "ESTABLISHED"));
    let rtt = conns[0].handshake_rtt.expect("a handshake RTT");
    assert!((rtt - 0.000116).abs() < 1e-9, "SYN at 0.000016, first data at 0.000132: {rtt}");
    Ok(())
}

#[test]
fn a_syn_dropped_at_a_full_accept_queue_makes_no_syn_received() -> anyhow::Result<()> {
    let (segs, conns) = json("accept-queue.pcap")?;
    // With --backlog 1 the queue holds two (backlog + 1): the fourth client's SYN is dropped.
    let syns: Vec<_> = segs.iter().filter(|s| s.stream == 3 && s.role == "syn").collect();
    let seen: Vec<_> = syns.iter().map(|s| (s.analysis.clone(), s.server_state.as_str())).collect();
    let retrans = vec!["retransmission".to_string()];
    assert_eq!(
        seen,
        [(vec![], "LISTEN"), (retrans.clone(), "LISTEN"), (retrans, "SYN_RECEIVED")],
        "only the answered SYN made a SYN_RECEIVED"
    );
    let c = conns.iter().find(|c| c.stream == 3).expect("stream 3 summary");
    assert_eq!(c.syn_retransmissions, 2);
    // Wireshark's initial RTT is taken from the last SYN; from the first it is seconds.
    assert!(c.handshake_rtt.is_some_and(|r| r < 0.01), "{c:?}");
    assert!(c.handshake_time.is_some_and(|t| t > 1.0), "{c:?}");
    let text = osi_trace_ok(&["--read", &fixture("accept-queue.pcap").to_string_lossy(), "--summary-only"])?;
    assert!(
        text.contains(
            "(includes 2 SYN retransmissions, so it is no round-trip time; 0.022 ms from the last SYN)"
        ),
        "{text}"
    );
    Ok(())
}

#[test]
fn zero_window_probes_are_the_persist_timer_not_keep_alive() -> anyhow::Result<()> {
    let (segs, _) = json("zero-window.pcap")?;
    let probes: Vec<_> = segs.iter().filter(|s| s.role == "window_probe").collect();
    assert_eq!(probes.len(), 3, "three probes while the window stayed 0");
    for p in &probes {
        // Linux probes with SND.UNA − 1 and no data; Wireshark's flag name stays.
        assert_eq!((p.len, p.analysis.as_slice()), (0, ["keep_alive".to_string()].as_slice()));
        assert_eq!(p.role_text, "window probe (persist timer): the peer's window is 0");
        assert_eq!(p.cause, "client's kernel (persist timer), no socket call");
        // The server's last word before the probe: window 0, and its ACK is SND.UNA = seq + 1.
        let before = segs.iter().rev().find(|s| s.stream == 1 && s.from == "server" && s.frame < p.frame);
        let before = before.expect("the server's zero window");
        assert_eq!((before.window_size, before.ack), (0, Some(p.seq + 1)), "{p:?}");
    }
    assert!(segs.iter().all(|s| !s.cause.contains("SO_KEEPALIVE")));
    Ok(())
}

#[test]
fn fin_causes_name_close_shutdown_and_exit_and_a_fin_can_ride_on_data() -> anyhow::Result<()> {
    let (segs, _) = json("echo-and-refused.pcap")?;
    let fins: Vec<_> = segs.iter().filter(|s| s.role == "fin").map(|s| s.cause.as_str()).collect();
    assert_eq!(
        fins,
        [
            "client's close() or shutdown(SHUT_WR), or the process exiting",
            "server's close() (typically after its recv() returned 0)"
        ]
    );
    // --half-close behind a full window: shutdown(SHUT_WR) queued the FIN behind unsent bytes.
    let (segs, _) = json("zero-window.pcap")?;
    let fin = segs.iter().find(|s| s.role == "fin" && s.stream == 1).expect("the client's FIN");
    assert!(fin.len > 0 && fin.flags.contains("FIN"), "{fin:?}");
    assert!(fin.role_text.starts_with(&format!("teardown: client's FIN with {} bytes", fin.len)), "{fin:?}");
    assert!(
        fin.cause.ends_with("the FIN rides on the last data segment, queued behind unsent bytes"),
        "{fin:?}"
    );
    Ok(())
}

/// The router dropped the first SYN+ACK. At 1 s the client resent its SYN and the
/// server its SYN+ACK; the SYN resent answered by one more SYN+ACK, which the client
/// ACKs again. connect() returned at the first ACK only: the second is no handshake.
#[test]
fn a_syn_ack_that_comes_again_is_acked_again_and_connect_returned_at_the_first() -> anyhow::Result<()> {
    for (link, synacks) in [("link1", 1), ("link2", 2)] {
        let name = format!("syn-ack-resent-{link}.pcap");
        let (segs, conns) = json(&name)?;
        let roles: Vec<_> = segs.iter().map(|s| s.role.as_str()).collect();
        let hs3 = roles.iter().position(|r| *r == "handshake_ack").expect("a handshake ACK");
        assert_eq!(roles.iter().filter(|r| **r == "handshake_ack").count(), 1, "{link}: {roles:?}");
        let again = roles.iter().position(|r| *r == "handshake_ack_again").expect("an ACK again");
        assert!(again > hs3 && roles[again - 1] == "syn_ack", "{link}: {roles:?}");
        // After the client's ACK both ends are ESTABLISHED, though its resent SYN
        // crossed the SYN+ACK on the wire.
        for s in [&segs[hs3], &segs[again]] {
            assert_eq!((s.client_state.as_str(), s.server_state.as_str()), ("ESTABLISHED", "ESTABLISHED"));
        }
        assert_eq!(conns[0].syn_retransmissions, 1, "{link}");
        let text = osi_trace_ok(&["--read", &fixture(&name).to_string_lossy()])?;
        assert_eq!(text.matches("which now returns").count(), usize::from(synacks == 1), "{link}:\n{text}");
        assert_eq!(
            text.matches("the SYN+ACK came again, and a SYN on an established connection gets").count(),
            1,
            "{link}:\n{text}"
        );
        if synacks > 1 {
            assert!(text.contains("the server sent its SYN+ACK 2 times"), "{link}:\n{text}");
        }
    }
    Ok(())
}

/// Wireshark flags an ACK whose window changed as a window update, SACK blocks or not.
/// Blocks that report a new arrival say why it was sent: a segment came out of order and
/// the kernel ACKed at once. Only an ACK repeating its blocks is recv() making room.
#[test]
fn a_window_update_with_new_sack_blocks_answers_an_arrival_not_recv() -> anyhow::Result<()> {
    let (segs, _) = json("sack-window-updates.pcap")?;
    let flagged: Vec<_> = segs.iter().filter(|s| s.analysis.iter().any(|a| a == "window_update")).collect();
    let said: Vec<_> =
        flagged.iter().map(|s| (s.frame, s.role.as_str(), s.cause.contains("above a hole"))).collect();
    assert_eq!(
        said,
        [
            (19, "ack", true),
            (20, "ack", true),
            (21, "ack", true),
            (25, "ack", true),
            (40, "window_update", false)
        ]
    );
    assert!(flagged[4].cause.contains("recv() made room"), "{}", flagged[4].cause);
    Ok(())
}

/// The client's RST (exact: at the number the server expects) was lost behind the router:
/// 4 s later the server resent data. A closed end sends nothing, so that segment shows the
/// server still ESTABLISHED and says the RST never closed it; the client's kernel answers
/// with the RST that does.
#[test]
fn an_end_that_sends_after_the_peers_rst_never_got_it() -> anyhow::Result<()> {
    let (segs, _) = json("rst-lost.pcap")?;
    let n = segs.len();
    let last: Vec<_> = segs[n - 3..].iter().map(|s| (s.role.as_str(), s.server_state.as_str())).collect();
    assert_eq!(last, [("reset", "CLOSED"), ("data", "ESTABLISHED"), ("reset", "CLOSED")]);
    assert!(
        segs[n - 2].cause.contains("the client's RST above never closed the server"),
        "{}",
        segs[n - 2].cause
    );
    assert!(!segs[n - 1].cause.contains("never closed"), "{}", segs[n - 1].cause);
    Ok(())
}

/// The client's last ACK was lost behind the router: the server, still in LAST_ACK,
/// resent its FIN, and the client's kernel, in TIME_WAIT, ACKed it again — what
/// TIME_WAIT is for (RFC 9293 §3.6).
#[test]
fn a_fin_sent_again_is_acked_again_from_time_wait() -> anyhow::Result<()> {
    let (segs, _) = json("fin-ack-lost.pcap")?;
    let n = segs.len();
    let end: Vec<_> = segs[n - 3..]
        .iter()
        .map(|s| (s.role.as_str(), s.client_state.as_str(), s.server_state.as_str()))
        .collect();
    assert_eq!(
        end,
        [
            ("fin_ack", "TIME_WAIT", "CLOSED"),
            ("fin", "TIME_WAIT", "LAST_ACK"),
            ("fin_ack", "TIME_WAIT", "CLOSED")
        ]
    );
    assert!(segs[n - 1].cause.contains("in TIME_WAIT: the server's FIN came again"), "{}", segs[n - 1].cause);
    assert_eq!(segs[n - 1].role_text, "teardown: ACK again, of the server's FIN sent again");
    Ok(())
}

/// The server's FIN+ACK (a resend: its first copy was lost) and the client's resent FIN
/// crossed on the wire. Each end's state, when it sent, follows from its own ACK field:
/// the client's copy ACKs no FIN (FIN_WAIT_1, not TIME_WAIT); its next ACK holds the
/// server's FIN (TIME_WAIT); the server's answer to the copy left in LAST_ACK — a closed
/// end sends nothing.
#[test]
fn crossing_teardown_segments_show_each_end_as_it_was_when_it_sent() -> anyhow::Result<()> {
    let (segs, _) = json("fin-copy-crossing.pcap")?;
    let last: Vec<_> = segs[segs.len() - 4..]
        .iter()
        .map(|s| (s.from.as_str(), s.role.as_str(), s.client_state.as_str(), s.server_state.as_str()))
        .collect();
    assert_eq!(
        last,
        [
            ("server", "fin", "TIME_WAIT", "LAST_ACK"),
            ("client", "fin", "FIN_WAIT_1", "LAST_ACK"),
            ("client", "fin_ack", "TIME_WAIT", "CLOSED"),
            ("server", "ack", "TIME_WAIT", "LAST_ACK"),
        ]
    );
    Ok(())
}

/// The server's window went to 0; its two window updates passed link2 but were lost behind
/// the router. 210 ms later the client's persist timer probed (SND.UNA−1, no data, flagged
/// keep-alive by Wireshark): too soon for SO_KEEPALIVE (1 s of idle at least).
#[test]
fn a_probe_too_soon_for_a_keep_alive_is_the_persist_timer_after_a_lost_window_update() -> anyhow::Result<()> {
    let (segs, _) = json("window-update-lost.pcap")?;
    let probe = segs.iter().find(|s| s.analysis.iter().any(|a| a == "keep_alive")).expect("a probe");
    assert_eq!((probe.frame, probe.role.as_str()), (28, "window_probe"));
    assert!(probe.cause.contains("window update seen here never reached it"), "{}", probe.cause);
    assert!(!probe.cause.contains("SO_KEEPALIVE"), "{}", probe.cause);
    Ok(())
}

/// The lab's `rto` run (crates/lab/tests/captures/rto-link1.pcap): at 5 s the router
/// re-checks the client's MAC with an ARP request sent to that MAC, not broadcast — a
/// reachability probe (NUD PROBE), nothing waiting — and the reply answers that probe.
/// tshark's `eth.dst` of the same frames is the check of what osi-trace reads.
#[test]
fn a_unicast_arp_request_is_a_probe_and_its_reply_answers_it() -> anyhow::Result<()> {
    let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lab/tests/captures/rto-link1.pcap");
    let arp: Vec<String> = osi_trace_ok(&["--read", &pcap.to_string_lossy()])?
        .lines()
        .filter(|l| l.contains(" L2 ARP "))
        .map(String::from)
        .collect();
    assert_eq!(arp.len(), 4, "{arp:#?}");
    assert!(arp[0].contains("ARP request, broadcast: 10.0.1.2's kernel needs the MAC"), "{}", arp[0]);
    assert!(arp[1].contains("caches it and sends what was waiting"), "{}", arp[1]);
    assert!(
        arp[2].contains(
            "ARP request, unicast to 02:00:00:00:01:02: 10.0.1.1's kernel checks that 10.0.1.2 still answers"
        ) && arp[2].contains("NUD PROBE"),
        "{}",
        arp[2]
    );
    assert!(
        !arp[2].contains("broadcast") && !arp[2].contains("before the IP packet can leave"),
        "{}",
        arp[2]
    );
    assert!(
        arp[3].contains("10.0.1.2 is still at 02:00:00:00:01:02; it answers a probe")
            && arp[3].contains("no packet was waiting"),
        "{}",
        arp[3]
    );
    if harness::require!(harness::Need::Tool("tshark")) {
        let fields = ["arp.opcode".to_string(), "eth.dst".to_string()];
        let rows = harness::tshark::fields(&pcap, &fields)?;
        let arp_dst: Vec<&str> =
            rows.lines().filter(|l| !l.starts_with('\t')).filter_map(|l| l.split('\t').nth(1)).collect();
        assert_eq!(
            arp_dst,
            ["ff:ff:ff:ff:ff:ff", "02:00:00:00:01:02", "02:00:00:00:01:02", "02:00:00:00:01:01"]
        );
    }
    Ok(())
}

/// syn-ack-timer.pcap (record-truths.sh): the client's ACK of the SYN+ACK dropped, the
/// server's timer sent the SYN+ACK again after ~1 s and that copy's ACK completed the
/// handshake. Its 1 s is the server's timer, no round trip: the summary and the JSON say so,
/// as for a resent SYN; where only the client's SYN was resent, the last SYN's time stays one.
#[test]
fn a_handshake_whose_syn_ack_was_resent_is_no_round_trip_time() -> anyhow::Result<()> {
    let summary =
        osi_trace_ok(&["--read", &fixture("syn-ack-timer.pcap").to_string_lossy(), "--summary-only"])?;
    assert!(
        summary.contains(", handshake 10")
            && summary.contains(" ms (includes 1 SYN+ACK retransmission, so it is no round-trip time), "),
        "{summary}"
    );
    assert!(!summary.contains("handshake RTT"), "{summary}");
    let (_, conns) = json("syn-ack-timer.pcap")?;
    assert_eq!((conns[0].syn_ack_retransmissions, conns[0].syn_retransmissions), (1, 0));
    assert!(conns[0].handshake_rtt.is_some_and(|t| t > 1.0), "{:?}", conns[0].handshake_rtt);
    // The client's SYN resent, the SYN+ACK's copy after the handshake's ACK: the last SYN's time stands.
    let resent =
        osi_trace_ok(&["--read", &fixture("syn-ack-resent-link1.pcap").to_string_lossy(), "--summary-only"])?;
    assert!(
        resent.contains(
            "(includes 1 SYN retransmission, so it is no round-trip time; 0.041 ms from the last SYN)"
        ),
        "{resent}"
    );
    let (_, conns) = json("syn-ack-resent-link1.pcap")?;
    assert_eq!((conns[0].syn_ack_retransmissions, conns[0].syn_retransmissions), (0, 1));
    Ok(())
}
