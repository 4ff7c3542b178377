//! The simultaneous open (RFC 9293 §3.5, Figure 8): both ends called connect(), so
//! each end's SYN reaches the other in SYN_SENT; or one socket connects to its own
//! address and port (a self-connect), and its SYN comes back to it. Linux
//! (tcp_rcv_synsent_state_process()) then moves the end to SYN_RECEIVED and answers
//! SYN+ACK inside connect(); the peer's SYN+ACK makes it ESTABLISHED, it ACKs at once
//! and connect() returns. A "split handshake" (the server ACKs the SYN, then sends its
//! own) is one too, for the client. Here: each segment's role in it, both ends' states.
//!
//! States are each row's as the capture shows them: an end's SYN_RECEIVED shows at its
//! own SYN+ACK (the peer's SYN may have crossed its SYN on the wire), its ESTABLISHED at
//! its ACK, or when the peer's SYN+ACK reaches it after it sent its own.

use std::time::Duration;

use super::conn::Conn;
use super::facts::{Role, Side, State};
use crate::decode::{flags::*, Segment};

/// One socket connected to its own address and port: it is both ends.
pub(super) fn is_self(conn: &Conn) -> bool {
    conn.client.addr == conn.server.addr
}

/// The segment's role, if it is part of a simultaneous open: a SYN from the server's
/// side while the client waits in SYN_SENT (or a self-connect's SYN) starts one.
pub(super) fn role(conn: &Conn, from: Side, seg: &Segment) -> Option<Role> {
    let t = &seg.tcp;
    let (syn, ackf) = (t.has(SYN), t.has(ACK));
    if t.has(RST) || t.has(FIN) || conn.reset.is_some() {
        return None;
    }
    let starts = syn
        && !ackf
        && !conn.handshake_acked
        && conn.syn_acks == 0
        && (is_self(conn) || (from == Side::Server && conn.client_state == State::SynSent));
    if !conn.simultaneous && !starts {
        return None;
    }
    let me = conn.half(from);
    // A self-connect's segments all come from one address: its own SYN+ACK is its peer's.
    let peer = if is_self(conn) { me } else { conn.half(from.other()) };
    if syn && !ackf {
        Some(Role::Simultaneous { step: 1, again: false })
    } else if syn {
        Some(Role::Simultaneous { step: 2, again: me.syn_ack_sent })
    } else if seg.payload_len == 0 && !me.open_done && peer.syn_ack_sent {
        Some(Role::Simultaneous { step: 3, again: false })
    } else {
        None
    }
}

/// Both ends' states after a segment of this `step` from `from`, and the handshake's timing.
pub(super) fn advance(conn: &mut Conn, from: Side, step: u8, time: Duration) {
    let to = from.other();
    let one = is_self(conn);
    match step {
        1 => {
            conn.simultaneous = true;
            if conn.half(from).last_sent.is_some() {
                conn.syn_retransmissions += 1; // its SYN again (last_sent: its SYN before)
            }
            conn.first_syn_time.get_or_insert(time);
            conn.syn_time = Some(time);
            *conn.state_mut(from) = State::SynSent;
        }
        2 => {
            conn.half_mut(from).syn_ack_sent = true;
            *conn.state_mut(from) = State::SynReceived;
            // Its SYN+ACK reaches a peer that had sent its own: the peer is ESTABLISHED.
            if !one && conn.half(to).syn_ack_sent && conn.state(to) == State::SynReceived {
                *conn.state_mut(to) = State::Established;
            }
        }
        _ => {
            conn.half_mut(from).open_done = true;
            *conn.state_mut(from) = State::Established;
            // Its ACK of the peer's SYN+ACK (the split handshake's client waits in SYN_RECEIVED).
            if conn.state(to) == State::SynReceived {
                *conn.state_mut(to) = State::Established;
            }
        }
    }
    if one {
        *conn.state_mut(to) = conn.state(from);
    }
    if conn.client_state == State::Established
        && conn.server_state == State::Established
        && !conn.handshake_acked
    {
        // Both ends ESTABLISHED: no round trip to time (each end's SYN left on its own).
        conn.handshake_acked = true;
        conn.handshake_time = conn.first_syn_time.map(|first| time.saturating_sub(first));
    }
}
