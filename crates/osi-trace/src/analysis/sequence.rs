//! Sequence tracking (L4): each side's initial sequence number as the base of
//! relative numbers (Wireshark: the SYN is 0), the negotiated window scale,
//! and, once a segment is explained, what its sender has now sent.

use std::time::Duration;

use super::conn::Conn;
use super::expert::Expert;
use super::facts::{Anomaly, Side};
use crate::decode::seqnum::{seq_gt, seq_lt};
use crate::decode::{flags::*, Segment};

/// A segment's numbers, relative and raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Numbers {
    /// The sender's ISN (or its best guess, joining late).
    pub isn: u32,
    pub rel_seq: u32,
    pub rel_ack: Option<u32>,
    /// The raw sequence number after this segment: SYN and FIN count one each.
    pub next_seq_raw: u32,
}

/// Learns the ISNs this segment reveals and makes its numbers relative.
pub(super) fn number(conn: &mut Conn, from: Side, seg: &Segment) -> Numbers {
    let t = &seg.tcp;
    let to = from.other();
    let (syn, rst, ackf) = (t.has(SYN), t.has(RST), t.has(ACK));
    let h = conn.half_mut(from);
    if syn {
        // A SYN sets the base, also over a guess from an RST that refused an earlier copy,
        // or a SYN+ACK sent again with a new ISN (Wireshark re-bases on it too).
        h.isn = Some(t.seq);
    } else if h.isn.is_none() {
        // Joining late, the first byte seen is taken as relative 1.
        h.isn = Some(t.seq.wrapping_sub(1));
    }
    if ackf && conn.half(to).isn.is_none() && !rst {
        conn.half_mut(to).isn = Some(t.ack.wrapping_sub(1));
    }
    let isn = conn.half(from).isn.unwrap_or(t.seq);
    let peer_isn = conn.half(to).isn;
    Numbers {
        isn,
        rel_seq: t.seq.wrapping_sub(isn),
        // An ACK whose peer's ISN is unknown (an RST+ACK joined on): Wireshark shows it as 1.
        rel_ack: ackf.then(|| t.ack.wrapping_sub(peer_isn.unwrap_or(t.ack.wrapping_sub(1)))),
        next_seq_raw: t
            .seq
            .wrapping_add(seg.payload_len)
            .wrapping_add(u32::from(syn) + u32::from(t.has(FIN))),
    }
}

/// The window with the scale applied, and the shift (`None` while unknown).
/// The shift is offered in each SYN and in force once both ends offered it.
pub(super) fn window(conn: &mut Conn, from: Side, seg: &Segment) -> (u64, Option<u8>) {
    let t = &seg.tcp;
    let syn = t.has(SYN);
    if syn {
        conn.half_mut(from).wscale_offer = t.options.wscale;
        if t.has(ACK) {
            conn.scaling = Some(conn.client.wscale_offer.is_some() && t.options.wscale.is_some());
        }
    }
    let shift = if syn {
        Some(0) // the window of a SYN is never scaled (RFC 7323)
    } else {
        match conn.scaling {
            Some(true) => conn.half(from).wscale_offer.map(|s| s.min(14)),
            Some(false) => Some(0),
            None => None,
        }
    };
    (u64::from(t.window) << shift.unwrap_or(0), shift)
}

/// The payload bytes this segment adds to what its sender has sent: those above
/// `payload_end`, a gap below it included (a later byte proves the earlier ones
/// were sent, even when the capture point never saw them: lost upstream). Zero for
/// a retransmission, a keep-alive or a copy that arrives after newer bytes.
pub(super) fn new_bytes(conn: &Conn, from: Side, seg: &Segment) -> u32 {
    let len = seg.payload_len;
    let start = seg.tcp.seq.wrapping_add(u32::from(seg.tcp.has(SYN)));
    let end = start.wrapping_add(len);
    match conn.half(from).payload_end {
        _ if len == 0 => 0,
        None => len,
        Some(pe) if seq_gt(end, pe) => end.wrapping_sub(pe),
        Some(_) => 0,
    }
}

/// How long after the previous copy this segment sends the same sequence number
/// again (a timer's back-off shows in these intervals); `None` when it is no copy
/// of the last segment its sender sent with data, a SYN or a FIN.
pub(super) fn resent_after(conn: &Conn, from: Side, seg: &Segment, time: Duration) -> Option<Duration> {
    let t = &seg.tcp;
    let carries = seg.payload_len > 0 || t.has(SYN) || t.has(FIN);
    match conn.half(from).last_sent {
        Some((seq, at)) if carries && seq == t.seq && !t.has(RST) => Some(time.saturating_sub(at)),
        _ => None,
    }
}

/// After the segment is explained: what its sender has sent, acknowledged
/// and advertised, and what the expert flags learned of the peer.
pub(super) fn record_sent(
    conn: &mut Conn,
    from: Side,
    seg: &Segment,
    n: &Numbers,
    win: u64,
    time: Duration,
    x: &Expert,
) {
    let t = &seg.tcp;
    let (rst, ackf) = (t.has(RST), t.has(ACK));
    // An ACK of bytes never captured leaves the peer's next expected sequence
    // number alone, as in Wireshark: its next segment still shows the gap.
    let added = new_bytes(conn, from, seg);
    if x.acked_unseen {
        // packet-tcp.c: once said, not again for this run of the same ACK.
        let peer = conn.half_mut(from.other());
        peer.contiguous_end = peer.next_seq;
        peer.unseen_acked = true;
    }
    let h = conn.half_mut(from);
    if x.duplicate_ack.is_some() {
        h.dup_acks += 1;
        h.unseen_acked = false;
    }
    // The highest sequence number sent moves with any segment that goes
    // beyond it, a retransmission carrying new bytes too, but not with a
    // zero-window probe, whose byte is sent again until the window opens
    // (packet-tcp.c, after `finished_checking_retransmission_type`).
    let probe = x.analysis.contains(&Anomaly::ZeroWindowProbe);
    if !probe && h.next_seq.is_none_or(|next| !seq_lt(n.next_seq_raw, next)) && !rst {
        if h.next_seq != Some(n.next_seq_raw) {
            h.next_seq_time = Some(time);
        }
        h.next_seq = Some(n.next_seq_raw);
    }
    // Wireshark's "maxseqtobeacked": a segment starting at the contiguous end moves it
    // to the highest sequence number sent; one after a gap does not.
    if !probe && h.contiguous_end.is_none_or(|end| end == t.seq) {
        h.contiguous_end = h.next_seq;
    }
    // A new ACK number starts a new run of duplicates (the field, ACK flag or not).
    if h.last_ack_field != Some(t.ack) {
        h.dup_acks = 0;
        h.unseen_acked = false;
    }
    h.last_ack_field = Some(t.ack);
    if ackf {
        h.last_ack = Some(t.ack);
    }
    if !rst {
        h.last_win = Some(win);
        h.last_window_field = Some(t.window);
        h.zero_win_seen |= win == 0;
    }
    h.last_sack.clone_from(&t.options.sack);
    h.last_time = Some(time);
    h.last_was_keepalive = x.keepalive;
    h.resent |= x.retransmitted;
    h.flow.segments += 1;
    h.flow.bytes += u64::from(added);
    let syn = t.has(SYN);
    if syn && h.payload_end.is_none() {
        h.payload_end = Some(t.seq.wrapping_add(1));
    }
    if added > 0 {
        let end = t.seq.wrapping_add(u32::from(syn)).wrapping_add(seg.payload_len);
        h.payload_end = Some(end);
    }
    if (seg.payload_len > 0 || syn || t.has(FIN)) && !rst && !x.keepalive {
        h.last_sent = Some((t.seq, time));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::{frame, SYN_OPTIONS};
    use crate::decode::segment;

    fn seg(seq: u32, ack: u32, flags: u8, window: u16, data: &[u8]) -> Segment {
        let opts: &[u8] = if flags & SYN != 0 { &SYN_OPTIONS } else { &[] };
        segment(&frame(0, 40000, 80, seq, ack, flags, window, opts, data)).unwrap()
    }

    fn conn() -> Conn {
        let a = "127.0.0.1:40000".parse().unwrap();
        let b = "127.0.0.1:80".parse().unwrap();
        Conn::new(0, a, b, Duration::ZERO, false)
    }

    #[test]
    fn the_syn_is_relative_zero_and_counts_one() {
        let mut c = conn();
        let n = number(&mut c, Side::Client, &seg(1000, 0, SYN, 100, b""));
        assert_eq!((n.isn, n.rel_seq, n.rel_ack, n.next_seq_raw), (1000, 0, None, 1001));
        // The SYN+ACK's ack reveals nothing new; its seq is the server's ISN.
        let n = number(&mut c, Side::Server, &seg(5000, 1001, SYN | ACK, 100, b""));
        assert_eq!((n.rel_seq, n.rel_ack), (0, Some(1)));
    }

    #[test]
    fn joining_late_the_first_byte_is_relative_one_and_the_ack_reveals_the_peer() {
        let mut c = conn();
        let n = number(&mut c, Side::Client, &seg(77, 900, ACK, 100, b"hi"));
        assert_eq!((n.rel_seq, n.rel_ack, n.next_seq_raw), (1, Some(1), 79));
        assert_eq!(c.server.isn, Some(899));
    }

    #[test]
    fn the_scale_applies_after_both_syns_offered_it() {
        let mut c = conn();
        assert_eq!(window(&mut c, Side::Client, &seg(0, 0, SYN, 100, b"")), (100, Some(0)));
        assert_eq!(window(&mut c, Side::Client, &seg(1, 1, ACK, 100, b"")), (100, None));
        window(&mut c, Side::Server, &seg(0, 1, SYN | ACK, 100, b""));
        assert_eq!(window(&mut c, Side::Client, &seg(1, 1, ACK, 100, b"")), (100 << 7, Some(7)));
    }

    #[test]
    fn a_retransmission_does_not_move_next_seq_or_count_bytes_twice() {
        let mut c = conn();
        let s = seg(1, 1, ACK, 100, b"hello");
        let n = number(&mut c, Side::Client, &s);
        record_sent(&mut c, Side::Client, &s, &n, 100, Duration::ZERO, &Expert::default());
        assert_eq!((c.client.next_seq, c.client.flow.bytes), (Some(6), 5));
        let x = Expert { retransmitted: true, ..Expert::default() };
        record_sent(&mut c, Side::Client, &s, &n, 100, Duration::ZERO, &x);
        assert_eq!((c.client.next_seq, c.client.flow.bytes, c.client.flow.segments), (Some(6), 5, 2));
    }
}
