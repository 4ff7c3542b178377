//! Wireshark's TCP analysis flags (`tcp.analysis.*`, its "expert info"), in
//! the order of `tcp_analyze_sequence_number` in packet-tcp.c. Pure: reads the
//! connection as it was before the segment and changes nothing; what the
//! flags teach the sequence tracking is applied by `sequence::record_sent`.

use std::time::Duration;

use super::conn::Conn;
use super::facts::{Anomaly, Side};
use crate::decode::seqnum::{seq_gt, seq_lt};
use crate::decode::{flags::*, Segment};

/// Wireshark's default out-of-order threshold when no RTT is known yet.
const OOO_THRESHOLD: Duration = Duration::from_millis(3);
/// Wireshark's window for a fast retransmission after duplicate ACKs.
const FAST_RETRANSMIT_WINDOW: Duration = Duration::from_millis(20);

/// The flags of one segment, and what they imply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Expert {
    pub analysis: Vec<Anomaly>,
    /// A keep-alive probe: neither data nor a retransmission.
    pub keepalive: bool,
    /// Some kind of retransmission: its bytes are not new.
    pub retransmitted: bool,
    /// The duplicate ACK's count, when it is one.
    pub duplicate_ack: Option<u32>,
    /// It ACKs bytes the capture never saw (above the peer's contiguous end).
    pub acked_unseen: bool,
}

/// Flags the segment `from` sent at `time`, with its scaled window `win`.
pub(super) fn flags(conn: &Conn, from: Side, seg: &Segment, win: u64, time: Duration) -> Expert {
    let t = &seg.tcp;
    let len = seg.payload_len;
    let (syn, fin, rst, ackf) = (t.has(SYN), t.has(FIN), t.has(RST), t.has(ACK));
    let (me, peer) = (conn.half(from), conn.half(from.other()));
    let mut x = Expert::default();
    let plain = !syn && !fin && !rst;
    'fwd: {
        if let Some(next) = me.next_seq {
            if len == 1 && t.seq == next && peer.last_win == Some(0) {
                x.analysis.push(Anomaly::ZeroWindowProbe);
                break 'fwd;
            }
        }
        if t.window == 0 && plain {
            x.analysis.push(Anomaly::ZeroWindow);
        }
        if let Some(next) = me.next_seq {
            if seq_gt(t.seq, next) && !rst {
                x.analysis.push(Anomaly::LostSegment);
            }
            if len <= 1 && plain && next.wrapping_sub(1) == t.seq {
                x.analysis.push(Anomaly::KeepAlive);
                x.keepalive = true;
                break 'fwd;
            }
            // Wireshark does not ask for the ACK flag here, only the same number, and
            // compares the window field as sent, not scaled.
            let same_ack = me.last_ack_field == Some(t.ack);
            let pure_ack = len == 0 && win != 0 && t.seq == next && same_ack && plain;
            if pure_ack && me.last_window_field != Some(t.window) {
                x.analysis.push(Anomaly::WindowUpdate);
                break 'fwd;
            }
            if pure_ack {
                if peer.last_was_keepalive {
                    x.analysis.push(Anomaly::KeepAliveAck);
                    break 'fwd;
                }
                let n = me.dup_acks + 1;
                x.duplicate_ack = Some(n);
                x.analysis.push(Anomaly::DuplicateAck(n));
                break 'fwd;
            }
        }
    }
    // An ACK above the peer's contiguous end: the capture missed bytes (an RST+ACK
    // too). Flagged once per run of the same ACK, unless the peer sent a duplicate ACK
    // meanwhile; `sequence::record_sent` notes it (packet-tcp.c, "ACKED LOST PACKET").
    if let Some(end) = peer.contiguous_end.filter(|&end| ackf && seq_gt(t.ack, end)) {
        x.acked_unseen = true;
        // Wireshark compares these two without wrapping.
        let behind = peer.next_seq.is_some_and(|next| end > next);
        if behind || (peer.dup_acks == 0 && !peer.unseen_acked) {
            x.analysis.push(Anomaly::AckLostSegment);
        }
    }
    // Retransmission, fast retransmission, out-of-order: bytes (or a SYN or
    // FIN, which count one) below what this side has already sent...
    if (len > 0 || syn || fin) && !x.keepalive {
        let below = me
            .next_seq
            .filter(|&next| seq_lt(t.seq, next))
            // ...but not a segment that starts one byte below and carries more:
            // the byte of a zero-window probe, sent again with new data behind it.
            .filter(|&next| !(len > 1 && next.wrapping_sub(1) == t.seq));
        // Spurious first, and whether or not the bytes were seen before: every
        // byte of it was ACKed already (packet-tcp.c checks this before `below`).
        if len > 0 && peer.last_ack.is_some_and(|a| !seq_gt(t.seq.wrapping_add(len), a)) {
            x.analysis.push(Anomaly::SpuriousRetransmission);
            x.analysis.push(Anomaly::Retransmission);
        } else if let Some(next) = below {
            let end = t.seq.wrapping_add(len).wrapping_add(u32::from(syn) + u32::from(fin));
            // Timed from when the highest sequence number was seen, not from the last segment.
            // A capture's clock can step back (frames handed over by two CPUs): packet-tcp.c
            // subtracts unsigned, so an earlier time is "long after", never "within".
            let elapsed = |p: Duration| time.checked_sub(p).unwrap_or(Duration::MAX);
            let since = me.next_seq_time.map_or(Duration::MAX, elapsed);
            // A fast retransmission follows the peer's duplicate ACKs closely.
            let since_ack = peer.last_time.map_or(Duration::MAX, elapsed);
            let rtt_thres = conn.first_rtt.filter(|r| !r.is_zero()).unwrap_or(OOO_THRESHOLD);
            if peer.dup_acks >= 2 && peer.last_ack == Some(t.seq) && since_ack <= FAST_RETRANSMIT_WINDOW {
                x.analysis.push(Anomaly::FastRetransmission);
                x.analysis.push(Anomaly::Retransmission);
            } else if since < rtt_thres && next != end {
                x.analysis.push(Anomaly::OutOfOrder);
            } else {
                x.analysis.push(Anomaly::Retransmission);
            }
        }
        x.retransmitted = x.analysis.iter().any(|a| a.is_retransmission());
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::frame;
    use crate::decode::segment;

    fn seg(seq: u32, ack: u32, flags: u8, window: u16, data: &[u8]) -> Segment {
        segment(&frame(0, 40000, 80, seq, ack, flags, window, &[], data)).unwrap()
    }

    /// An established connection: the client has sent up to 101, the server up to 501.
    fn conn() -> Conn {
        let a = "127.0.0.1:40000".parse().unwrap();
        let b = "127.0.0.1:80".parse().unwrap();
        let mut c = Conn::new(0, a, b, Duration::ZERO, false);
        c.client.next_seq = Some(101);
        c.client.contiguous_end = Some(101);
        c.client.last_ack = Some(501);
        c.client.last_ack_field = Some(501);
        c.client.last_win = Some(1000);
        c.client.last_window_field = Some(1000);
        c.client.last_time = Some(Duration::ZERO);
        c.client.next_seq_time = Some(Duration::ZERO);
        c.server.next_seq = Some(501);
        c.server.contiguous_end = Some(501);
        c.server.last_ack = Some(101);
        c.server.last_ack_field = Some(101);
        c.server.last_win = Some(1000);
        c.server.last_window_field = Some(1000);
        c
    }

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn new_data_in_order_has_no_flag() {
        assert_eq!(
            flags(&conn(), Side::Client, &seg(101, 501, ACK, 1000, b"x"), 1000, at(1)),
            Expert::default()
        );
    }

    #[test]
    fn a_gap_is_a_previous_segment_not_captured() {
        let x = flags(&conn(), Side::Client, &seg(201, 501, ACK, 1000, b"x"), 1000, at(1));
        assert_eq!(x.analysis, [Anomaly::LostSegment]);
    }

    #[test]
    fn old_bytes_after_a_pause_are_a_retransmission_and_already_acked_ones_spurious() {
        let x = flags(&conn(), Side::Client, &seg(91, 501, ACK, 1000, b"0123456789"), 1000, at(300));
        assert_eq!(x.analysis, [Anomaly::SpuriousRetransmission, Anomaly::Retransmission]);
        let mut c = conn();
        c.server.last_ack = Some(91);
        let x = flags(&c, Side::Client, &seg(91, 501, ACK, 1000, b"0123456789"), 1000, at(300));
        assert_eq!((x.analysis.as_slice(), x.retransmitted), ([Anomaly::Retransmission].as_slice(), true));
    }

    #[test]
    fn old_bytes_within_the_threshold_are_out_of_order() {
        let mut c = conn();
        c.server.last_ack = Some(91);
        let x = flags(&c, Side::Client, &seg(91, 501, ACK, 1000, b"01234"), 1000, at(1));
        assert_eq!((x.analysis.as_slice(), x.retransmitted), ([Anomaly::OutOfOrder].as_slice(), false));
    }

    #[test]
    fn the_same_ack_again_is_a_duplicate_and_a_new_window_an_update() {
        let x = flags(&conn(), Side::Client, &seg(101, 501, ACK, 1000, b""), 1000, at(1));
        assert_eq!(
            (x.analysis.as_slice(), x.duplicate_ack),
            ([Anomaly::DuplicateAck(1)].as_slice(), Some(1))
        );
        let x = flags(&conn(), Side::Client, &seg(101, 501, ACK, 2000, b""), 2000, at(1));
        assert_eq!(x.analysis, [Anomaly::WindowUpdate]);
    }

    #[test]
    fn one_byte_below_next_is_a_keep_alive_and_a_zero_window_is_flagged() {
        let x = flags(&conn(), Side::Client, &seg(100, 501, ACK, 1000, b""), 1000, at(1));
        assert_eq!((x.analysis.as_slice(), x.keepalive), ([Anomaly::KeepAlive].as_slice(), true));
        let x = flags(&conn(), Side::Client, &seg(101, 501, ACK, 0, b""), 0, at(1));
        assert_eq!(x.analysis, [Anomaly::ZeroWindow]);
    }

    #[test]
    fn a_fin_sent_again_at_once_is_a_retransmission_not_out_of_order() {
        // The FIN counts one: the segment ends where the first one did.
        let x = flags(&conn(), Side::Client, &seg(100, 501, FIN | ACK, 1000, b""), 1000, at(1));
        assert_eq!(x.analysis, [Anomaly::Retransmission]);
    }

    #[test]
    fn acked_bytes_sent_again_at_once_are_spurious_before_out_of_order() {
        let x = flags(&conn(), Side::Client, &seg(91, 501, ACK, 1000, b"01234"), 1000, at(1));
        assert_eq!(x.analysis, [Anomaly::SpuriousRetransmission, Anomaly::Retransmission]);
    }

    #[test]
    fn out_of_order_is_timed_from_when_the_highest_sequence_number_was_seen() {
        let mut c = conn();
        c.server.last_ack = Some(91);
        c.client.last_time = Some(at(299)); // a pure ACK just now: not new bytes
        let x = flags(&c, Side::Client, &seg(91, 501, ACK, 1000, b"01234"), 1000, at(300));
        assert_eq!(x.analysis, [Anomaly::Retransmission]);
    }

    #[test]
    fn a_resend_stamped_before_the_highest_segment_is_no_out_of_order() {
        // The capture's clock stepped back: Wireshark's unsigned difference is huge.
        let mut c = conn();
        c.server.last_ack = Some(91);
        c.client.next_seq_time = Some(at(5));
        let x = flags(&c, Side::Client, &seg(91, 501, ACK, 1000, b"01234"), 1000, at(4));
        assert_eq!(x.analysis, [Anomaly::Retransmission]);
    }

    #[test]
    fn a_duplicate_ack_needs_the_same_number_not_the_ack_flag() {
        let x = flags(&conn(), Side::Client, &seg(101, 501, 0, 1000, b""), 1000, at(1));
        assert_eq!(x.analysis, [Anomaly::DuplicateAck(1)]);
    }

    #[test]
    fn an_ack_beyond_what_was_seen_acks_an_unseen_segment() {
        let x = flags(&conn(), Side::Client, &seg(101, 601, ACK, 1000, b""), 1000, at(1));
        assert!(x.acked_unseen);
        assert!(x.analysis.contains(&Anomaly::AckLostSegment));
    }
}
