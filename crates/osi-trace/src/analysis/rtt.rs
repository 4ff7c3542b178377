//! Round-trip times (L4): per segment, Wireshark's `ack_rtt` and `acks_frame` by
//! packet-tcp.c's rule; per direction, RFC 6298's SRTT and RTO from them; per
//! connection, the handshake's round trip and Wireshark's initial RTT.

use std::time::Duration;

use super::conn::{Conn, Unacked};
use super::estimate::{AckRtt, RoundTrips};
use super::facts::Side;
use crate::decode::seqnum::{seq_gt, seq_lt};
use crate::decode::{flags::*, Segment};

/// Wireshark keeps at most this many unacknowledged segments per direction
/// (`TCP_MAX_UNACKED_SEGMENTS`); more are not timed. It bounds our memory too.
pub const MAX_UNACKED: usize = 10_000;
/// After its end a connection times at most this many stray segments per side
/// (a FIN sent again because the last ACK was lost), so ended ones stay small.
pub const MAX_UNACKED_ENDED: usize = 16;

/// Times the segment `from` sent at `time` (frame `frame`) and the ACK it
/// carries: Wireshark's rule, in `tcp_analyze_sequence_number`.
/// - Every segment with data, SYN or FIN joins the sender's unacknowledged list
///   (retransmissions too, up to [`MAX_UNACKED`]).
/// - The ACK field (of every segment, as Wireshark reads it) is matched against
///   the peer's list, newest first: a segment it ends exactly at gives the sample
///   (the oldest such one wins); one it ends inside is trimmed; older ones are dropped.
pub(super) fn observe(
    conn: &mut Conn,
    from: Side,
    seg: &Segment,
    frame: u64,
    time: Duration,
    retransmission: bool,
) -> Option<AckRtt> {
    let t = &seg.tcp;
    let room = if conn.end.is_some() { MAX_UNACKED_ENDED } else { MAX_UNACKED };
    let mine = &mut conn.half_mut(from).timing.unacked;
    if (seg.payload_len > 0 || t.has(SYN) || t.has(FIN)) && mine.len() < room {
        let next_seq = t.seq.wrapping_add(seg.payload_len).wrapping_add(u32::from(t.has(SYN) || t.has(FIN)));
        if mine.capacity() == 0 {
            // One in flight is the common case (a SYN, an echo): no room for four.
            mine.reserve_exact(1);
        }
        let time_ns = u64::try_from(time.as_nanos()).unwrap_or(u64::MAX);
        mine.push_front(Unacked { frame, seq: t.seq, next_seq, time_ns, retransmission });
    }
    // What this side had acknowledged before: bytes below it were settled already.
    let before = conn.half(from).last_ack;
    let ack = t.ack;
    let peer = &mut conn.half_mut(from.other()).timing;
    // Karn: some byte this ACK newly covers was sent more than once.
    let mut ambiguous = peer
        .unacked
        .iter()
        .any(|u| u.retransmission && seq_lt(u.seq, ack) && before.is_none_or(|b| seq_gt(u.next_seq, b)));
    let mut hit = None;
    peer.unacked.retain_mut(|u| {
        if u.next_seq == ack {
            hit = Some((u.frame, time.saturating_sub(Duration::from_nanos(u.time_ns))));
            ambiguous |= u.retransmission;
            false
        } else if seq_lt(u.seq, ack) && seq_lt(ack, u.next_seq) {
            u.seq = ack;
            true
        } else {
            seq_gt(u.next_seq, ack)
        }
    });
    let sample = hit.map(|(acks_frame, rtt)| AckRtt { acks_frame, rtt, ambiguous });
    if let Some(s) = sample {
        let e = peer.estimate.get_or_insert_with(Box::default);
        if s.ambiguous {
            e.karn_skipped += 1;
        } else {
            e.sample(s.rtt.as_secs_f64());
        }
    }
    sample
}

/// Wireshark's initial RTT (`tcp.analysis.initial_rtt`), its out-of-order threshold:
/// the last SYN to the first segment with ACK and without SYN, of either side, an RST
/// too; set once (packet-tcp.c takes a zero for no value).
pub(super) fn initial(conn: &mut Conn, seg: &Segment, time: Duration) {
    let t = &seg.tcp;
    if t.has(ACK) && !t.has(SYN) && conn.first_rtt.is_none_or(|r| r.is_zero()) {
        conn.first_rtt = conn.syn_time.map(|last| time.saturating_sub(last));
    }
}

/// The client's ACK completed the handshake at `time`: its round trip from the last SYN,
/// and its time from the first.
pub(super) fn handshake_done(conn: &mut Conn, time: Duration) {
    if let (Some(last), Some(first)) = (conn.syn_time, conn.first_syn_time) {
        conn.irtt.get_or_insert(time.saturating_sub(last));
        conn.handshake_time.get_or_insert(time.saturating_sub(first));
    }
}

/// When a connection ends, most of its unacknowledged segments will not be
/// acknowledged: keep the newest [`MAX_UNACKED_ENDED`] of each side (an ACK may still
/// come after an RST or a last FIN, and Wireshark times it), so ended connections
/// hold small lists.
pub(super) fn forget_unacked(conn: &mut Conn) {
    for h in [&mut conn.client, &mut conn.server] {
        let list = &mut h.timing.unacked;
        list.truncate(MAX_UNACKED_ENDED);
        list.shrink_to_fit();
    }
}

/// The estimates of both directions, for the summary.
pub(super) fn round_trips(conn: &Conn) -> Box<RoundTrips> {
    Box::new(RoundTrips {
        to_server: conn.client.timing.estimate(),
        to_client: conn.server.timing.estimate(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::frame;
    use crate::decode::segment;

    /// A segment from the client (port 40000) or the server (80).
    fn seg(client: bool, seq: u32, ack: u32, flags: u8, data: &[u8]) -> Segment {
        let (s, d) = if client { (40000, 80) } else { (80, 40000) };
        segment(&frame(0, s, d, seq, ack, flags, 1000, &[], data)).unwrap()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Feeds (frame, ms, from client, segment, retransmission) and returns each sample.
    fn feed(steps: &[(u64, u64, bool, Segment, bool)]) -> (Vec<Option<AckRtt>>, Conn) {
        let mut c =
            Conn::new(0, "127.0.0.1:40000".parse().unwrap(), "127.0.0.1:80".parse().unwrap(), ms(0), false);
        let out = steps
            .iter()
            .map(|(f, t, client, s, re)| {
                let side = if *client { Side::Client } else { Side::Server };
                let r = observe(&mut c, side, s, *f, ms(*t), *re);
                if s.tcp.has(ACK) {
                    c.half_mut(side).last_ack = Some(s.tcp.ack);
                }
                r
            })
            .collect();
        (out, c)
    }

    #[test]
    fn an_ack_times_the_segment_it_ends_at_and_one_inside_a_segment_times_nothing() {
        let (out, c) = feed(&[
            (1, 0, true, seg(true, 100, 0, SYN, b""), false),
            (2, 10, false, seg(false, 500, 101, SYN | ACK, b""), false),
            (3, 20, true, seg(true, 101, 501, ACK | PSH, b"0123456789"), false),
            // Half of it: the segment is trimmed, no sample.
            (4, 25, false, seg(false, 501, 106, ACK, b""), false),
            (5, 32, false, seg(false, 501, 111, ACK, b""), false),
        ]);
        let frames: Vec<_> = out.iter().map(|r| r.map(|r| (r.acks_frame, r.rtt, r.ambiguous))).collect();
        // The SYN+ACK times the SYN, the client's data (ACK 501) the SYN+ACK.
        let want = [None, Some((1, ms(10), false)), Some((2, ms(10), false)), None, Some((3, ms(12), false))];
        assert_eq!(frames, want);
        assert_eq!((c.client.timing.estimate().samples, c.server.timing.estimate().samples), (2, 1));
    }

    #[test]
    fn a_retransmitted_segment_is_timed_from_the_original_as_wireshark_does_but_karn_skips_it() {
        let (out, c) = feed(&[
            (1, 0, true, seg(true, 101, 501, ACK, b"hello"), false),
            (2, 300, true, seg(true, 101, 501, ACK, b"hello"), true),
            (3, 310, false, seg(false, 501, 106, ACK, b""), false),
        ]);
        // The oldest segment that ends where the ACK does is the one Wireshark names.
        assert_eq!(out[2], Some(AckRtt { acks_frame: 1, rtt: ms(310), ambiguous: true }));
        let e = c.client.timing.estimate();
        assert_eq!((e.samples, e.karn_skipped), (0, 1));
        assert!(c.client.timing.unacked.is_empty());
    }

    /// The last ACK lost: the server's FIN comes again after the end, and its ACK times it.
    #[test]
    fn a_fin_sent_again_after_the_end_is_still_timed() {
        use crate::analysis::Analyzer;
        let mut a = Analyzer::new();
        let steps = [
            (true, 100, 0, SYN),
            (false, 500, 101, SYN | ACK),
            (true, 101, 501, ACK),
            (true, 101, 501, FIN | ACK),
            (false, 501, 102, FIN | ACK),
            (true, 102, 502, ACK),
            (false, 501, 102, FIN | ACK),
            (true, 102, 502, ACK),
        ];
        let out: Vec<_> = steps
            .iter()
            .enumerate()
            .map(|(i, &(c, sq, ak, fl))| a.push(i as u64 + 1, ms(i as u64), seg(c, sq, ak, fl, b"")))
            .collect();
        assert_eq!(a.ended_count(), 1);
        assert_eq!(out[7].ack_rtt, Some(AckRtt { acks_frame: 7, rtt: ms(1), ambiguous: true }));
    }
}
