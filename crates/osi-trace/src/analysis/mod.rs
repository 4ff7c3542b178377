//! Analysis: decoded segments → connections, explained. Pure code: no I/O, no
//! clock, no words (the facts are enums; `render` turns them into English).
//!
//! One concern per file, called in this order for every segment by `step`:
//! - `streams`: the stream table, numbered like Wireshark's `tcp.stream`, bounded in memory;
//! - `sequence`: relative sequence/acknowledgement numbers and the window scale;
//! - `expert`: Wireshark's TCP analysis flags, with the same meaning;
//! - `roles`: what the segment does (handshake step, data, ACK, FIN, RST…);
//! - `states`: both ends' TCP states after it;
//! - `rtt`: the RTT sample of its ACK (Wireshark's `ack_rtt`) and RFC 6298's estimate;
//! - then `sequence::record_sent` notes what its sender has now sent.
//!
//! Reading a file, `lookahead` holds the rows behind a SYN until its answer
//! tells what the SYN did to the server (live, the server shows `?` until then).
//!
//! `conn` holds the record they share, `facts` the types handed to rendering.

mod conn;
mod expert;
mod facts;
mod lookahead;
mod roles;
mod rtt;
mod sequence;
mod states;
mod streams;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_wireshark;

use std::net::SocketAddr;
use std::time::Duration;

pub use facts::{Annotated, Anomaly, End, Event, Flow, Role, Side, State, Summary};
pub use lookahead::{Lookahead, HOLD, LIVE_WAIT};
pub use rtt::{AckRtt, Estimate, RoundTrips, G, LINUX_RTO_MIN, RFC_RTO_MIN};
pub use streams::{Analyzer, KEEP_ENDED, MAX_OPEN};

use crate::decode::Segment;
use conn::Conn;

/// One segment of one connection, explained: every concern in its order.
fn step(conn: &mut Conn, frame: u64, time: Duration, src: SocketAddr, seg: Segment) -> Annotated {
    let from = conn.side_of(src);
    conn.last = time;
    let numbers = sequence::number(conn, from, &seg);
    let (win, win_shift) = sequence::window(conn, from, &seg);
    let expert = expert::flags(conn, from, &seg, win, time);
    let (role, acks_peer_fin) = roles::role(conn, from, &seg, &expert);
    let resent_after = sequence::resent_after(conn, from, &seg, time);
    let open = conn.end.is_none();
    let reset_unheeded = states::reset_unheeded(conn, from, &seg, &role);
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
        ack_rtt,
        resent_after,
        reset_unheeded,
        answered: false,
        seg,
    }
}
