//! One segment of one connection, explained: every concern of the analysis in
//! its order (the module map in `mod.rs` says what each one does).

use std::net::SocketAddr;
use std::time::Duration;

use super::conn::Conn;
use super::facts::Annotated;
use super::{expert, roles, rtt, sequence, states};
use crate::decode::Segment;

/// One segment of one connection, explained: every concern in its order.
pub(super) fn step(conn: &mut Conn, frame: u64, time: Duration, src: SocketAddr, seg: Segment) -> Annotated {
    let from = conn.side_of(src);
    let first = conn.client.flow.segments + conn.server.flow.segments == 0;
    conn.last = time;
    let numbers = sequence::number(conn, from, &seg);
    let (win, win_shift) = sequence::window(conn, from, &seg);
    let expert = expert::flags(conn, from, &seg, win, time);
    let (role, acks_peer_fin) = roles::role(conn, from, &seg, &expert);
    let resent_after = sequence::resent_after(conn, from, &seg, time);
    let open = conn.end.is_none();
    let reset_unheeded = states::reset_unheeded(conn, from, &seg, &role);
    rtt::initial(conn, &seg, time);
    states::advance(conn, from, &seg, &role, acks_peer_fin, time);
    let ack_rtt = rtt::observe(conn, from, &seg, frame, time, expert.retransmitted);
    if open && conn.end.is_some() {
        rtt::forget_unacked(conn);
    }
    sequence::record_sent(conn, from, &seg, &numbers, win, time, &expert);
    Annotated {
        frame,
        time,
        stream: conn.stream,
        from,
        src,
        dst: SocketAddr::new(seg.ip.dst, seg.tcp.dst_port),
        seq: numbers.rel_seq,
        ack: numbers.rel_ack,
        next_seq: numbers.next_seq_raw.wrapping_sub(numbers.isn),
        len: seg.payload_len,
        win,
        win_shift,
        role,
        analysis: expert.analysis,
        client_state: conn.client_state,
        server_state: conn.server_state,
        joined_late: conn.joined_late,
        first,
        ack_rtt,
        resent_after,
        reset_unheeded,
        answered: false,
        ack_before_syn: false,
        seg,
    }
}
