//! The analysis as a whole, on crafted segments: the concerns together give
//! the textbook's reading of an echo, a teardown, a refusal and the anomalies.

use std::time::Duration;

use super::*;
use crate::decode::craft::{frame, SYN_OPTIONS};
use crate::decode::flags::*;
use crate::decode::segment;
use crate::render::words;

/// The role in words, as the views print it.
fn describe(n: &Annotated) -> String {
    words::describe(n).to_string()
}

/// The cause in words, as the views print it.
fn cause(n: &Annotated) -> String {
    words::cause(n).to_string()
}

const C: u16 = 45678; // client port
const S: u16 = 65432; // server port
const CI: u32 = 1_000_000; // client ISN
const SI: u32 = 3_000_000_000; // server ISN

/// (ms, from_client, seq, ack, flags, window, payload)
type Seg<'a> = (u64, bool, u32, u32, u8, u16, &'a [u8]);

fn run(segs: &[Seg]) -> (Vec<Annotated>, Analyzer) {
    let mut a = Analyzer::new();
    let t0 = frame(0, C, S, 0, 0, 0, 0, &[], b"").ts;
    let out = segs
        .iter()
        .enumerate()
        .map(|(i, &(ms, c, seq, ack, fl, win, data))| {
            let (sp, dp) = if c { (C, S) } else { (S, C) };
            let opts: &[u8] = if fl & SYN != 0 { &SYN_OPTIONS } else { &[] };
            let f = frame(ms, sp, dp, seq, ack, fl, win, opts, data);
            a.push(i as u64 + 1, f.ts - t0, segment(&f).unwrap())
        })
        .collect();
    (out, a)
}

/// One echo of "Hello" as Linux does it on lo: 10 segments, three-segment teardown.
fn echo() -> Vec<Seg<'static>> {
    vec![
        (0, true, CI, 0, SYN, 65495, b""),
        (0, false, SI, CI + 1, SYN | ACK, 65483, b""),
        (0, true, CI + 1, SI + 1, ACK, 512, b""),
        (1, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"),
        (1, false, SI + 1, CI + 6, ACK, 512, b""),
        (2, false, SI + 1, CI + 6, PSH | ACK, 512, b"Hello"),
        (2, true, CI + 6, SI + 6, ACK, 512, b""),
        (3, true, CI + 6, SI + 6, FIN | ACK, 512, b""),
        (3, false, SI + 6, CI + 7, FIN | ACK, 512, b""),
        (3, true, CI + 7, SI + 7, ACK, 512, b""),
    ]
}

#[test]
fn an_echo_exchange_reads_like_the_textbook() {
    let (out, mut a) = run(&echo());
    let roles: Vec<String> = out.iter().map(describe).collect();
    assert_eq!(
        roles,
        [
            "handshake 1/3: SYN",
            "handshake 2/3: SYN+ACK",
            "handshake 3/3: ACK",
            "data client→server: 5 bytes (total 5)",
            "ACK of 5 bytes",
            "data server→client: 5 bytes (total 5)",
            "ACK of 5 bytes",
            "teardown: client's FIN (active close)",
            "teardown: server's FIN+ACK: ACKs the client's FIN and closes too",
            "teardown: last ACK, of the server's FIN",
        ]
    );
    let nums: Vec<(u32, Option<u32>, u32)> = out.iter().map(|n| (n.seq, n.ack, n.len)).collect();
    assert_eq!(
        nums,
        [
            (0, None, 0),
            (0, Some(1), 0),
            (1, Some(1), 0),
            (1, Some(1), 5),
            (1, Some(6), 0),
            (1, Some(6), 5),
            (6, Some(6), 0),
            (6, Some(6), 0),
            (6, Some(7), 0),
            (7, Some(7), 0)
        ]
    );
    let states: Vec<String> = out.iter().map(|n| format!("{} {}", n.client_state, n.server_state)).collect();
    assert_eq!(
        states,
        [
            "SYN_SENT ?", // the SYN's answer tells (the lookahead, reading a file)
            "ESTABLISHED SYN_RECEIVED",
            "ESTABLISHED ESTABLISHED",
            "ESTABLISHED ESTABLISHED",
            "ESTABLISHED ESTABLISHED",
            "ESTABLISHED ESTABLISHED",
            "ESTABLISHED ESTABLISHED",
            "FIN_WAIT_1 CLOSE_WAIT",
            "TIME_WAIT LAST_ACK",
            "TIME_WAIT CLOSED",
        ]
    );
    assert!(
        out.iter().all(|n| n.analysis.is_empty()),
        "{:?}",
        out.iter().map(|n| &n.analysis).collect::<Vec<_>>()
    );
    // Window scale 7 both ways, applied after the handshake only.
    assert_eq!((out[0].win, out[2].win), (65495, 512 << 7));
    assert_eq!(cause(&out[0]), "client's connect()");
    assert!(cause(&out[1]).contains("before any accept()"));
    assert_eq!(cause(&out[3]), "client's send()/sendall()");
    let ended = a.take_ended();
    assert_eq!(ended.len(), 1);
    let s = &ended[0];
    assert_eq!(
        (s.end, s.to_server, s.to_client),
        (End::Graceful, Flow { segments: 6, bytes: 5 }, Flow { segments: 4, bytes: 5 })
    );
    assert_eq!(s.client.port(), C);
    assert_eq!(s.handshake_rtt, Some(Duration::ZERO));
    assert_eq!(out[9].frame, 10);
}

#[test]
fn four_segment_teardown_and_half_close() {
    let mut segs = echo();
    segs.truncate(7);
    segs.extend_from_slice(&[
        (3, true, CI + 6, SI + 6, FIN | ACK, 512, b""),
        (4, false, SI + 6, CI + 7, ACK, 512, b""),
        (9, false, SI + 6, CI + 7, FIN | ACK, 512, b""),
        (9, true, CI + 7, SI + 7, ACK, 512, b""),
    ]);
    let (out, _) = run(&segs);
    assert_eq!(describe(&out[8]), "teardown: ACK of the client's FIN");
    assert_eq!((out[8].client_state, out[8].server_state), (State::FinWait2, State::CloseWait));
    assert_eq!(describe(&out[9]), "teardown: server's FIN (passive close)");
    assert_eq!((out[9].client_state, out[9].server_state), (State::TimeWait, State::LastAck));
    assert_eq!((out[10].client_state, out[10].server_state), (State::TimeWait, State::Closed));
}

#[test]
fn simultaneous_close_goes_through_closing() {
    let mut segs = echo();
    segs.truncate(7);
    segs.extend_from_slice(&[
        (3, true, CI + 6, SI + 6, FIN | ACK, 512, b""),
        (3, false, SI + 6, CI + 6, FIN | ACK, 512, b""),
        (4, true, CI + 7, SI + 7, ACK, 512, b""),
        (4, false, SI + 7, CI + 7, ACK, 512, b""),
    ]);
    let (out, mut a) = run(&segs);
    assert!(describe(&out[8]).contains("simultaneous close"));
    assert_eq!((out[8].client_state, out[8].server_state), (State::Closing, State::Closing));
    assert_eq!((out[10].client_state, out[10].server_state), (State::TimeWait, State::TimeWait));
    assert_eq!(a.take_ended()[0].end, End::Graceful);
}

#[test]
fn rst_answering_a_syn_is_connection_refused() {
    let (out, mut a) = run(&[(0, true, CI, 0, SYN, 65495, b""), (0, false, 0, CI + 1, RST | ACK, 0, b"")]);
    assert_eq!(out[1].role, Role::Refused);
    assert!(cause(&out[1]).contains("ECONNREFUSED"));
    assert_eq!(out[1].server_state, State::Closed, "no socket listened: nothing made a SYN_RECEIVED");
    // Wireshark shows a refusing RST as Seq=1 Ack=1.
    assert_eq!((out[1].seq, out[1].ack), (1, Some(1)));
    assert_eq!(a.take_ended()[0].end, End::Reset { refused: true });
    assert!(out[1].analysis.is_empty(), "{:?}", out[1].analysis);
}

#[test]
fn rst_mid_connection_is_a_reset() {
    let mut segs = echo();
    segs.truncate(4);
    segs.push((5, true, CI + 6, SI + 1, RST | ACK, 0, b""));
    let (out, mut a) = run(&segs);
    assert_eq!(describe(&out[4]), "RST: client resets the connection");
    assert!(cause(&out[4]).contains("SO_LINGER 0"));
    assert_eq!((out[4].client_state, out[4].server_state), (State::Closed, State::Closed));
    assert_eq!(a.take_ended()[0].end, End::Reset { refused: false });
}

fn flags_of(out: &[Annotated]) -> Vec<Vec<&'static str>> {
    out.iter().map(|n| n.analysis.iter().map(|a| a.field()).collect()).collect()
}

#[test]
fn retransmission_after_a_pause() {
    let mut segs = echo();
    segs.truncate(4);
    segs.push((300, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"));
    let (out, _) = run(&segs);
    assert_eq!(flags_of(&out)[4], ["retransmission"]);
    assert!(cause(&out[4]).contains("retransmission"));
    assert_eq!(out[4].role, Role::Data { bytes: 5, total: 5 });
}

#[test]
fn spurious_retransmission_of_acked_data() {
    let mut segs = echo();
    segs.truncate(5);
    segs.push((300, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"));
    let (out, _) = run(&segs);
    assert_eq!(flags_of(&out)[5], ["spurious_retransmission", "retransmission"]);
}

#[test]
fn lost_segment_out_of_order_and_dup_acks() {
    let mut segs = echo();
    segs.truncate(3);
    segs.extend_from_slice(&[
        (10, true, CI + 6, SI + 1, PSH | ACK, 512, b"World"), // "Hello" not captured yet
        (10, false, SI + 1, CI + 1, ACK, 512, b""),           // ACK 1
        (10, false, SI + 1, CI + 1, ACK, 512, b""),           // dup ACK #1
        (10, false, SI + 1, CI + 1, ACK, 512, b""),           // dup ACK #2
        (11, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"), // fills the hole, fast
    ]);
    let (out, _) = run(&segs);
    let f = flags_of(&out);
    assert_eq!(f[3], ["lost_segment"]);
    // Its window differs from the SYN+ACK's (now scaled): Wireshark says window update.
    assert_eq!(f[4], ["window_update"]);
    assert_eq!(f[5], ["duplicate_ack"]);
    assert_eq!(out[6].analysis, [Anomaly::DuplicateAck(2)]);
    assert_eq!(f[7], ["fast_retransmission", "retransmission"]);
}

#[test]
fn out_of_order_within_the_threshold() {
    let mut segs = echo();
    segs.truncate(3);
    segs.extend_from_slice(&[
        (100, true, CI + 6, SI + 1, PSH | ACK, 512, b"World"),
        (100, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"),
    ]);
    let (out, _) = run(&segs);
    assert_eq!(flags_of(&out)[3], ["lost_segment"]);
    assert_eq!(flags_of(&out)[4], ["out_of_order"]);
}

#[test]
fn zero_window_window_update_and_keep_alive() {
    let mut segs = echo();
    segs.truncate(5);
    segs.extend_from_slice(&[
        (5, false, SI + 1, CI + 6, ACK, 0, b""),      // zero window
        (6, false, SI + 1, CI + 6, ACK, 512, b""),    // window update
        (7000, true, CI + 5, SI + 1, ACK, 512, b""),  // keep-alive
        (7000, false, SI + 1, CI + 6, ACK, 512, b""), // keep-alive ACK
    ]);
    let (out, _) = run(&segs);
    let f = flags_of(&out);
    assert_eq!(f[5], ["zero_window"]);
    assert_eq!(f[6], ["window_update"]);
    assert_eq!(out[6].role, Role::WindowUpdate);
    assert_eq!(f[7], ["keep_alive"]);
    assert_eq!(out[7].role, Role::KeepAlive);
    assert_eq!(f[8], ["keep_alive_ack"]);
}

#[test]
fn joining_mid_connection_starts_at_relative_one() {
    let segs = &echo()[3..];
    let (out, _) = run(segs);
    assert!(out[0].joined_late);
    assert_eq!((out[0].seq, out[0].ack, out[0].win_shift), (1, Some(1), None));
    assert_eq!(out[0].win, 512, "scale unknown: the raw window, as Wireshark shows it");
    assert_eq!(out[1].ack, Some(6));
}

#[test]
fn a_new_syn_on_ended_endpoints_is_a_new_stream() {
    let mut segs = echo();
    segs.extend(echo().into_iter().map(|(ms, c, seq, ack, fl, w, d)| {
        let shift = |x: u32, base: u32| {
            if x == 0 {
                0
            } else {
                x - base + base.wrapping_add(77)
            }
        };
        (ms + 100, c, shift(seq, if c { CI } else { SI }), shift(ack, if c { SI } else { CI }), fl, w, d)
    }));
    let (out, a) = run(&segs);
    assert_eq!(out[9].stream, 0);
    assert_eq!(out[10].stream, 1);
    assert_eq!(out[10].seq, 0);
    assert_eq!(a.streams(), 2);
    assert_eq!(a.ended_count(), 2);
}

#[test]
fn ended_connections_are_forgotten_so_memory_stays_bounded() {
    let mut a = Analyzer::new();
    for i in 0..(KEEP_ENDED as u16 + 500) {
        let port = 10_000 + i;
        for f in [
            frame(0, port, S, CI, 0, SYN, 100, &[], b""),
            frame(0, S, port, 0, CI + 1, RST | ACK, 0, &[], b""),
        ] {
            a.push(1, Duration::ZERO, segment(&f).unwrap());
        }
    }
    assert!(a.held() <= KEEP_ENDED);
    assert_eq!(a.ended_count(), KEEP_ENDED as u64 + 500);
    assert_eq!(a.take_ended().len(), KEEP_ENDED + 500);
    assert!(a.open().is_empty());
}

#[test]
fn each_copy_is_timed_from_the_last_one_so_the_back_off_shows() {
    let mut segs = echo();
    segs.truncate(4);
    for ms in [201, 601, 1401] {
        segs.push((ms, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"));
    }
    let (out, _) = run(&segs);
    let after: Vec<_> = out[4..].iter().map(|n| n.resent_after.map(|d| d.as_millis())).collect();
    assert_eq!(after, [Some(200), Some(400), Some(800)]);
    assert!(cause(&out[6]).ends_with("; 800.0 ms after the last copy"), "{}", cause(&out[6]));
    assert_eq!(out[3].resent_after, None);
}

#[test]
fn older_bytes_after_newer_ones_are_no_send_and_not_counted_twice() {
    let mut segs = echo();
    segs.truncate(3);
    segs.extend_from_slice(&[
        (100, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"),
        (100, true, CI + 6, SI + 1, PSH | ACK, 512, b"World"),
        (100, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"), // again, at once: out-of-order
        (100, true, CI + 16, SI + 1, PSH | ACK, 512, b"!"),    // 5 bytes not captured before it
    ]);
    let (out, a) = run(&segs);
    assert_eq!(out[5].analysis, [Anomaly::OutOfOrder]);
    assert_eq!(out[5].role, Role::Data { bytes: 5, total: 10 });
    assert!(cause(&out[5]).contains("no send()"), "{}", cause(&out[5]));
    // A byte above a gap proves the bytes below it were sent: the total counts them.
    assert_eq!(out[6].role, Role::Data { bytes: 1, total: 16 });
    let s = a.open().pop().expect("one connection");
    assert_eq!(s.to_server.bytes, 16);
}

#[test]
fn a_duplicate_ack_says_what_its_sack_blocks_say() {
    let mut segs = echo();
    segs.truncate(5);
    segs.push((2, false, SI + 1, CI + 6, ACK, 512, b""));
    let (plain, _) = run(&segs);
    // No SACK block: the same ACK again proves nothing more.
    assert_eq!(cause(&plain[5]), "server's kernel (no socket call)");
    let mut a = Analyzer::new();
    let t0 = frame(0, C, S, 0, 0, 0, 0, &[], b"").ts;
    let sack = |l: u32, r: u32| [[1, 1, 5, 10].as_slice(), &l.to_be_bytes(), &r.to_be_bytes()].concat();
    let mut out = Vec::new();
    for (i, &(ms, c, seq, ack, fl, win, data)) in segs[..5].iter().enumerate() {
        let (sp, dp) = if c { (C, S) } else { (S, C) };
        let opts: &[u8] = if fl & SYN != 0 { &SYN_OPTIONS } else { &[] };
        let f = frame(ms, sp, dp, seq, ack, fl, win, opts, data);
        out.push(a.push(i as u64 + 1, f.ts - t0, segment(&f).unwrap()));
    }
    for (i, opts) in [sack(CI + 11, CI + 16), sack(CI + 1, CI + 6)].iter().enumerate() {
        let f = frame(2, S, C, SI + 1, CI + 6, ACK, 512, opts, b"");
        out.push(a.push(6 + i as u64, f.ts - t0, segment(&f).unwrap()));
    }
    assert!(cause(&out[5]).contains("above a hole"), "{}", cause(&out[5]));
    assert!(cause(&out[6]).contains("D-SACK"), "{}", cause(&out[6]));
    let mut line = String::new();
    crate::render::line(&out[5], 0, &mut Default::default(), &mut line);
    assert!(line.contains("len=0 [TCP Dup ACK #1] sack=11-16  ACK"), "{line}");
}

#[test]
fn an_rst_at_an_unexpected_number_draws_a_challenge_ack_then_the_real_rst() {
    // As in the lab's rto run: "Hello" never reached the server; the client gives up
    // with RST at seq 6, the server expects 1 and challenges; the client's kernel,
    // its socket gone, answers with RST at 1, which closes the server.
    let mut segs = echo();
    segs.truncate(4);
    segs.extend_from_slice(&[
        (300, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"),
        (8000, true, CI + 6, SI + 1, RST | ACK, 512, b""),
        (8000, false, SI + 1, CI + 1, ACK, 512, b""),
        (8000, true, CI + 1, 0, RST, 0, b""),
    ]);
    let (out, _) = run(&segs);
    let seen: Vec<_> = out[5..].iter().map(|n| (n.role.clone(), n.client_state, n.server_state)).collect();
    assert_eq!(
        seen,
        [
            (Role::Reset, State::Closed, State::Unknown),
            (Role::ChallengeAck, State::Closed, State::Established),
            (Role::StaleReset, State::Closed, State::Closed),
        ]
    );
    assert!(cause(&out[6]).contains("not the next it expects"), "{}", cause(&out[6]));
    // An RST at the expected number closes both ends at once, as before.
    let mut segs = echo();
    segs.truncate(5);
    segs.push((10, true, CI + 6, SI + 1, RST | ACK, 512, b""));
    let (out, _) = run(&segs);
    assert_eq!((out[5].role.clone(), out[5].server_state), (Role::Reset, State::Closed));
}
