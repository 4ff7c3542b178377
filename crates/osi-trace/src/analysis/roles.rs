//! Roles: what a segment does in its connection's life (handshake step, data,
//! ACK, FIN, RST…), decided on both ends' states before the segment and on
//! the expert flags. Pure: reads the connection, changes nothing.

use super::conn::Conn;
use super::expert::Expert;
use super::facts::{Anomaly, Role, Side, State};
use super::sequence::new_bytes;
use crate::decode::seqnum::{seq_gt, seq_lt};
use crate::decode::{flags::*, Segment};

/// SO_KEEPALIVE probes only a connection idle this long at least (TCP_KEEPIDLE's
/// minimum, 1 s; the default is 2 hours). The persist timer probes after an RTO, 200 ms on.
const KEEPALIVE_MIN_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// The role, and whether the segment ACKs the peer's FIN for the first time.
pub(super) fn role(conn: &Conn, from: Side, seg: &Segment, x: &Expert) -> (Role, bool) {
    let t = &seg.tcp;
    let len = seg.payload_len;
    let to = from.other();
    let (syn, fin, rst, ackf) = (t.has(SYN), t.has(FIN), t.has(RST), t.has(ACK));
    let peer = conn.half(to);
    let acks_peer_fin =
        ackf && peer.fin_seq.is_some_and(|f| !seq_lt(t.ack, f.wrapping_add(1))) && !peer.fin_acked;
    // After the peer's RST, a pure ACK from this end of another number than the RST's:
    // it did not accept that RST, and asks for one at the number it expects.
    let reset_by = conn.reset.map(|(by, ..)| by);
    let challenge = conn.reset.is_some_and(|(by, seq, _)| by == to && t.ack != seq);
    let role = if let Some(r) = super::simopen::role(conn, from, seg) {
        r
    } else if rst {
        // An RST from the server while the client waits in SYN_SENT: nothing listens.
        if conn.client_state == State::SynSent && from == Side::Server {
            Role::Refused
        } else if reset_by == Some(from) {
            Role::StaleReset
        } else {
            Role::Reset
        }
    } else if challenge && len == 0 && ackf && !syn && !fin {
        Role::ChallengeAck
    } else if syn && !ackf {
        Role::Handshake(1)
    } else if syn {
        Role::Handshake(2)
    } else if fin {
        let first = conn.first_fin.is_none() || conn.first_fin == Some(from);
        let crossing = !first && !acks_peer_fin && !peer.fin_acked;
        Role::Fin { first, acks_fin: acks_peer_fin, crossing, data: len }
    } else if from == Side::Client && conn.awaiting_hs3 > 0 && len == 0 {
        Role::HandshakeAck { again: conn.handshake_acked, syn_acks: conn.syn_acks }
    } else if len > 0 && !x.keepalive {
        let total = conn.half(from).flow.bytes + u64::from(new_bytes(conn, from, seg));
        Role::Data { bytes: len, total }
    } else if acks_peer_fin {
        Role::FinAck { last: conn.first_fin == Some(from), again: peer.fin_acks > 0 }
    } else if x.keepalive && peer.last_win == Some(0) {
        Role::WindowProbe { update_lost: false }
    } else if x.keepalive
        && peer.zero_win_seen
        && peer.last_time.is_some_and(|p| conn.last.saturating_sub(p) < KEEPALIVE_MIN_IDLE)
    {
        Role::WindowProbe { update_lost: true }
    } else if x.keepalive {
        Role::KeepAlive
    } else if x.analysis.contains(&Anomaly::WindowUpdate) && !reports_arrival(conn, from, seg) {
        Role::WindowUpdate
    } else {
        let acked = match (conn.half(from).last_ack, ackf) {
            (Some(p), true) if seq_gt(t.ack, p) => t.ack.wrapping_sub(p),
            _ => 0,
        };
        Role::Ack { acked }
    };
    (role, acks_peer_fin)
}

/// Whether a pure ACK's SACK blocks report a segment that just arrived: a D-SACK, or a
/// block not inside one of the blocks this side sent last (new, grown, or two merged).
/// Linux ACKs such a segment at once (tcp_data_queue()), whatever its window says; an
/// ACK for a window opened by recv() repeats the blocks it had.
fn reports_arrival(conn: &Conn, from: Side, seg: &Segment) -> bool {
    let t = &seg.tcp;
    let before = &conn.half(from).last_sack;
    let inside = |&(l, r): &(u32, u32)| before.iter().any(|&(bl, br)| !seq_lt(l, bl) && !seq_gt(r, br));
    t.dsack() == Some(true) || t.options.sack.iter().any(|b| !inside(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::frame;
    use crate::decode::segment;
    use std::time::Duration;

    fn seg(seq: u32, ack: u32, flags: u8, data: &[u8]) -> Segment {
        segment(&frame(0, 40000, 80, seq, ack, flags, 100, &[], data)).unwrap()
    }

    fn conn() -> Conn {
        let a = "127.0.0.1:40000".parse().unwrap();
        let b = "127.0.0.1:80".parse().unwrap();
        let mut c = Conn::new(0, a, b, Duration::ZERO, false);
        c.client_state = State::Established;
        c.server_state = State::Established;
        c.client.last_ack = Some(501);
        c
    }

    fn of(c: &Conn, from: Side, s: &Segment) -> Role {
        role(c, from, s, &Expert::default()).0
    }

    #[test]
    fn an_rst_to_a_syn_is_refused_otherwise_a_reset() {
        let mut c = conn();
        assert_eq!(of(&c, Side::Server, &seg(0, 1, RST | ACK, b"")), Role::Reset);
        c.client_state = State::SynSent;
        assert_eq!(of(&c, Side::Server, &seg(0, 1, RST | ACK, b"")), Role::Refused);
    }

    #[test]
    fn data_counts_the_direction_total_and_an_ack_what_it_acks() {
        let mut c = conn();
        c.client.flow.bytes = 10;
        assert_eq!(of(&c, Side::Client, &seg(11, 501, ACK, b"abc")), Role::Data { bytes: 3, total: 13 });
        assert_eq!(of(&c, Side::Client, &seg(11, 511, ACK, b"")), Role::Ack { acked: 10 });
    }

    #[test]
    fn fins_first_second_and_crossing() {
        let mut c = conn();
        let fin = Role::Fin { first: true, acks_fin: false, crossing: false, data: 0 };
        assert_eq!(of(&c, Side::Client, &seg(11, 501, FIN | ACK, b"")), fin);
        c.first_fin = Some(Side::Client);
        c.client.fin_seq = Some(11);
        let (r, acks) = role(&c, Side::Server, &seg(501, 12, FIN | ACK, b""), &Expert::default());
        assert_eq!((r, acks), (Role::Fin { first: false, acks_fin: true, crossing: false, data: 0 }, true));
        let r = of(&c, Side::Server, &seg(501, 11, FIN | ACK, b""));
        assert_eq!(r, Role::Fin { first: false, acks_fin: false, crossing: true, data: 0 });
    }
}
