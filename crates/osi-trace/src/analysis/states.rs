//! The TCP state machine of both ends (RFC 9293 §3.3.2), as it follows from
//! the segments seen: the sender's state, then the receiver's, one event at a
//! time (reset, SYN, handshake ACK, FIN). Also notes when the connection ended.

use std::time::Duration;

use super::conn::Conn;
use super::facts::{End, Role, Side, State};
use super::{rtt, simopen};
use crate::decode::seqnum::seq_lt;
use crate::decode::{flags::*, Segment};

/// Whether `from` sends this after the peer's RST that closed it, as far as this capture
/// shows: the RST did not take effect there (lost after this link, or not accepted).
/// A challenge ACK says so itself; an RST of its own is no sign of life.
pub(super) fn reset_unheeded(conn: &Conn, from: Side, seg: &Segment, role: &Role) -> bool {
    conn.reset.is_some_and(|(by, ..)| by != from)
        && !seg.tcp.has(RST)
        && *role != Role::ChallengeAck
        && matches!(conn.state(from), State::Closed | State::Unknown)
}

/// Moves both ends' states for a segment `from` with this `role`: each event it
/// carries, in this order (an RST ends the story at once).
pub(super) fn advance(
    conn: &mut Conn,
    from: Side,
    seg: &Segment,
    role: &Role,
    acks_peer_fin: bool,
    time: Duration,
) {
    let t = &seg.tcp;
    if t.has(RST) {
        reset(conn, from, seg, role);
        return;
    }
    if *role == Role::ChallengeAck || reset_unheeded(conn, from, seg, role) {
        // It did not accept the RST, or never got it: back in the state it was in.
        if let Some((.., before)) = conn.reset {
            *conn.state_mut(from) = before;
        }
        if *role == Role::ChallengeAck {
            return;
        }
    }
    if let Role::Simultaneous { step, .. } = *role {
        simopen::advance(conn, from, step, time);
    } else {
        if t.has(SYN) {
            syn(conn, t.has(ACK), time);
        }
        handshake_ack(conn, from, seg, role, time);
    }
    if acks_peer_fin {
        fin_acked(conn, from.other());
    }
    fin(conn, from, seg, role);
    if conn.client.fin_acked && conn.server.fin_acked && conn.end.is_none() {
        conn.end = Some(End::Graceful);
    }
}

/// An RST closes both ends at once: no FIN, no TIME_WAIT. But the receiver accepts it
/// only at exactly the next sequence number it expects (RFC 5961 §3.2; Linux's
/// tcp_validate_incoming()). When the sender had to resend and the receiver's last ACK
/// is below the RST's number, the receiver may lack those bytes: its state is unknown
/// until it answers (a challenge ACK, or nothing).
fn reset(conn: &mut Conn, from: Side, seg: &Segment, role: &Role) {
    let to = from.other();
    let before = conn.state(to);
    let expected = conn.half(to).last_ack;
    let doubt = conn.half(from).resent && expected.is_some_and(|a| a != seg.tcp.seq);
    let exact = *role == Role::Refused || !doubt;
    // A refusing RST off loopback may come from a firewall on the way, answering in
    // the server's name while the server LISTENs: its state is not known.
    let in_its_name = *role == Role::Refused && !seg.link.is_loopback_placeholder();
    *conn.state_mut(from) = if in_its_name { State::Unknown } else { State::Closed };
    *conn.state_mut(to) = if exact { State::Closed } else { State::Unknown };
    conn.reset.get_or_insert((from, seg.tcp.seq, before));
    conn.end = Some(End::Reset { refused: *role == Role::Refused });
}

/// A SYN (handshake step 1), or the SYN+ACK answering it (step 2).
fn syn(conn: &mut Conn, ackf: bool, time: Duration) {
    if !ackf {
        conn.client_state = State::SynSent;
        // What the SYN does to the server shows only in its answer: a SYN+ACK
        // (SYN_RECEIVED), an RST (no socket listens: CLOSED), or nothing (the
        // accept queue is full: the SYN is dropped and no SYN_RECEIVED is made).
        if matches!(conn.server_state, State::Listen | State::Unknown) {
            conn.server_state = State::Unknown;
        }
        if conn.syn_time.is_some() {
            conn.syn_retransmissions += 1;
        }
        conn.syn_acks_since_syn = 0;
        conn.syn_time = Some(time);
        conn.first_syn_time.get_or_insert(time);
    } else {
        conn.server_state = State::SynReceived;
        conn.client_state = State::Established; // it will ACK at once
        conn.awaiting_hs3 += 1;
        conn.syn_acks += 1;
        if conn.syn_acks_since_syn > 0 && !conn.handshake_acked {
            conn.syn_ack_retransmissions += 1;
        }
        conn.syn_acks_since_syn += 1;
    }
}

/// The client's ACK of a SYN+ACK (step 3), pure or riding on its first data or FIN.
fn handshake_ack(conn: &mut Conn, from: Side, seg: &Segment, role: &Role, time: Duration) {
    let (syn, ackf) = (seg.tcp.has(SYN), seg.tcp.has(ACK));
    if let Role::HandshakeAck { again, .. } = *role {
        // Its ACK shows the client ESTABLISHED, even where its own SYN, resent, crossed
        // the SYN+ACK on the wire (this capture saw the SYN+ACK first, the client did not).
        conn.awaiting_hs3 -= 1;
        conn.handshake_acked = true;
        conn.client_state = State::Established;
        conn.server_state = State::Established;
        if !again {
            rtt::handshake_done(conn, time);
        }
    } else if from == Side::Client && ackf && !syn {
        // Data (or a FIN) with the ACK that completes the handshake, its pure ACK lost.
        if conn.awaiting_hs3 > 0 && !conn.handshake_acked {
            conn.handshake_acked = true;
            rtt::handshake_done(conn, time);
        }
        conn.awaiting_hs3 = 0;
        if conn.client_state == State::SynSent {
            conn.client_state = State::Established; // a resent SYN had crossed the SYN+ACK
        }
        if conn.server_state == State::SynReceived {
            conn.server_state = State::Established;
        }
    }
}

/// The receiver `to` learns its FIN was acknowledged.
fn fin_acked(conn: &mut Conn, to: Side) {
    conn.half_mut(to).fin_acked = true;
    conn.half_mut(to).fin_acks += 1;
    let st = conn.state_mut(to);
    *st = match *st {
        State::FinWait1 => State::FinWait2,
        State::Closing => State::TimeWait,
        State::LastAck => State::Closed,
        other => other,
    };
}

/// The closing: a FIN sent (the first, or again), and what the sender's ACK field
/// shows it had received of the peer's FIN.
fn fin(conn: &mut Conn, from: Side, seg: &Segment, role: &Role) {
    let t = &seg.tcp;
    let to = from.other();
    let fin = t.has(FIN);
    // What the sender had received of the peer's FIN shows in its own ACK field.
    let has_peer_fin = t.has(ACK) && conn.half(to).fin_seq.is_some_and(|f| !seq_lt(t.ack, f.wrapping_add(1)));
    let closed_by_last_ack = conn.state(from) == State::Closed && conn.half(from).fin_seq.is_some();
    if conn.reset.is_none() && closed_by_last_ack && !fin {
        // A closed end sends nothing: the peer's last ACK had not reached it when it sent
        // this (crossed on the wire, or lost). It was still in LAST_ACK.
        *conn.state_mut(from) = State::LastAck;
        conn.half_mut(from).fin_acked = false;
    }
    if fin && conn.half(from).fin_acked {
        // Its FIN again, after the peer's ACK of it: that ACK had not reached it (lost, or
        // crossing this copy on the wire). Its state is the one before: still waiting.
        conn.half_mut(from).fin_acked = false;
        // Joined after the handshake, the first FIN seen may not be the first sent: unknown.
        *conn.state_mut(from) = match (conn.first_fin == Some(from), has_peer_fin) {
            _ if conn.joined_late => State::Unknown,
            (false, _) => State::LastAck,
            (true, true) => State::Closing,
            (true, false) => State::FinWait1,
        };
    } else if fin {
        if conn.half(from).fin_seq.is_none() {
            conn.half_mut(from).fin_seq = Some(t.seq.wrapping_add(seg.payload_len));
        }
        conn.first_fin.get_or_insert(from);
        let crossing = matches!(role, Role::Fin { crossing: true, .. });
        let st = conn.state_mut(from);
        *st = match *st {
            // Its FIN left before the peer's arrived: FIN_WAIT_1, then CLOSING.
            _ if crossing => State::Closing,
            State::Established | State::SynReceived => State::FinWait1,
            State::CloseWait => State::LastAck,
            other => other,
        };
        let st = conn.state_mut(to);
        *st = match *st {
            State::Established | State::SynReceived => State::CloseWait,
            State::FinWait1 => State::Closing,
            State::FinWait2 => State::TimeWait,
            other => other,
        };
    }
    // Its ACK shows it holds the peer's FIN; an ACK of its own FIN was seen before: where
    // it resent that FIN, it has both now (the peer's FIN+ACK came after its copy left).
    if has_peer_fin
        && !fin
        && conn.half(from).fin_acks > 0
        && matches!(conn.state(from), State::FinWait1 | State::Closing)
    {
        *conn.state_mut(from) = State::TimeWait;
        conn.half_mut(from).fin_acked = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::frame;
    use crate::decode::segment;

    fn seg(flags: u8) -> Segment {
        segment(&frame(0, 40000, 80, 1, 1, flags, 100, &[], b"")).unwrap()
    }

    fn conn() -> Conn {
        let a = "127.0.0.1:40000".parse().unwrap();
        let b = "127.0.0.1:80".parse().unwrap();
        Conn::new(0, a, b, Duration::ZERO, false)
    }

    fn hs3() -> Role {
        Role::HandshakeAck { again: false, syn_acks: 1 }
    }

    fn states(c: &Conn) -> (State, State) {
        (c.client_state, c.server_state)
    }

    #[test]
    fn the_handshake_moves_both_ends_to_established() {
        let mut c = conn();
        assert_eq!(states(&c), (State::Closed, State::Listen));
        advance(&mut c, Side::Client, &seg(SYN), &Role::Handshake(1), false, Duration::ZERO);
        assert_eq!(states(&c), (State::SynSent, State::Unknown), "the SYN's answer tells");
        advance(&mut c, Side::Server, &seg(SYN | ACK), &Role::Handshake(2), false, Duration::ZERO);
        assert_eq!(states(&c), (State::Established, State::SynReceived));
        let t = Duration::from_millis(2);
        advance(&mut c, Side::Client, &seg(ACK), &hs3(), false, t);
        assert_eq!(states(&c), (State::Established, State::Established));
        assert_eq!((c.irtt, c.handshake_time, c.syn_retransmissions), (Some(t), Some(t), 0));
    }

    #[test]
    fn a_retransmitted_syn_is_counted_and_the_rtt_taken_from_the_last_one() {
        let mut c = conn();
        let ms = Duration::from_millis;
        advance(&mut c, Side::Client, &seg(SYN), &Role::Handshake(1), false, ms(0));
        advance(&mut c, Side::Client, &seg(SYN), &Role::Handshake(1), false, ms(1000));
        assert_eq!(states(&c), (State::SynSent, State::Unknown), "a dropped SYN made no SYN_RECEIVED");
        advance(&mut c, Side::Server, &seg(SYN | ACK), &Role::Handshake(2), false, ms(1000));
        advance(&mut c, Side::Client, &seg(ACK), &hs3(), false, ms(1001));
        assert_eq!((c.irtt, c.handshake_time, c.syn_retransmissions), (Some(ms(1)), Some(ms(1001)), 1));
    }

    #[test]
    fn active_close_passes_fin_wait_and_time_wait() {
        let mut c = conn();
        (c.client_state, c.server_state) = (State::Established, State::Established);
        let fin = Role::Fin { first: true, acks_fin: false, crossing: false, data: 0 };
        advance(&mut c, Side::Client, &seg(FIN | ACK), &fin, false, Duration::ZERO);
        assert_eq!(states(&c), (State::FinWait1, State::CloseWait));
        advance(
            &mut c,
            Side::Server,
            &seg(ACK),
            &Role::FinAck { last: false, again: false },
            true,
            Duration::ZERO,
        );
        assert_eq!(states(&c), (State::FinWait2, State::CloseWait));
        let fin2 = Role::Fin { first: false, acks_fin: false, crossing: false, data: 0 };
        advance(&mut c, Side::Server, &seg(FIN | ACK), &fin2, false, Duration::ZERO);
        assert_eq!(states(&c), (State::TimeWait, State::LastAck));
        advance(
            &mut c,
            Side::Client,
            &seg(ACK),
            &Role::FinAck { last: true, again: false },
            true,
            Duration::ZERO,
        );
        assert_eq!(states(&c), (State::TimeWait, State::Closed));
        assert_eq!(c.end, Some(End::Graceful));
    }

    #[test]
    fn a_refusal_off_loopback_leaves_the_server_state_unknown() {
        // On lo only the server's kernel can refuse: CLOSED. On a real link a firewall may
        // answer in its name while the server LISTENs.
        for (macs, server) in [([0; 6], State::Closed), ([2, 0, 0, 0, 1, 1], State::Unknown)] {
            let mut c = conn();
            advance(&mut c, Side::Client, &seg(SYN), &Role::Handshake(1), false, Duration::ZERO);
            let mut rst = seg(RST | ACK);
            rst.link = crate::decode::Link::Ethernet { src: macs, dst: macs, ethertype: 0x0800 };
            advance(&mut c, Side::Server, &rst, &Role::Refused, false, Duration::ZERO);
            assert_eq!(states(&c), (State::Closed, server));
        }
    }

    #[test]
    fn an_rst_closes_both_ends() {
        let mut c = conn();
        advance(&mut c, Side::Client, &seg(RST), &Role::Reset, false, Duration::ZERO);
        assert_eq!(
            (states(&c), c.end),
            ((State::Closed, State::Closed), Some(End::Reset { refused: false }))
        );
    }
}
