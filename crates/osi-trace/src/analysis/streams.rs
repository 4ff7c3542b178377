//! The stream table: every connection of the capture, numbered as Wireshark's
//! `tcp.stream` numbers them. Ended connections are summarised at once and
//! only a small record of them is kept, for stray segments after the end.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;

use super::conn::Conn;
use super::facts::{Annotated, Summary};
use super::step;
use crate::decode::{flags::*, Segment};

/// How many ended connections are remembered, for segments that come after the end.
pub const KEEP_ENDED: usize = 4096;

/// Key of a connection: its two endpoints, in a canonical order.
type Key = (SocketAddr, SocketAddr);

fn key(a: SocketAddr, b: SocketAddr) -> Key {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Follows every connection of a capture, segment by segment.
#[derive(Debug, Default)]
pub struct Analyzer {
    conns: HashMap<Key, Conn>,
    ended_keys: VecDeque<(Key, u64)>,
    ended: Vec<Summary>,
    next_stream: u64,
    ended_total: u64,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Explains one segment: frame number `frame` of the capture, `time` since its first frame.
    pub fn push(&mut self, frame: u64, time: Duration, seg: Segment) -> Annotated {
        let src = SocketAddr::new(seg.ip.src, seg.tcp.src_port);
        let dst = SocketAddr::new(seg.ip.dst, seg.tcp.dst_port);
        let k = key(src, dst);
        let conn = match self.conns.get_mut(&k) {
            Some(c) if !is_new_connection(c, &seg) => c,
            _ => {
                let conn = new_connection(self.next_stream, src, dst, time, &seg);
                self.next_stream += 1;
                self.conns.entry(k).insert_entry(conn).into_mut()
            }
        };
        let was_ended = conn.end.is_some();
        let n = step(conn, frame, time, src, seg);
        if !was_ended && conn.end.is_some() {
            self.ended_total += 1;
            self.ended.push(conn.summary());
            self.ended_keys.push_back((k, n.stream));
            self.forget_oldest_ended();
        }
        n
    }

    /// Keeps at most [`KEEP_ENDED`] ended connections, so memory stays bounded.
    fn forget_oldest_ended(&mut self) {
        while self.ended_keys.len() > KEEP_ENDED {
            if let Some((old, stream)) = self.ended_keys.pop_front() {
                // Forget it unless the endpoints were reused since.
                if self.conns.get(&old).is_some_and(|c| c.stream == stream) {
                    self.conns.remove(&old);
                }
            }
        }
    }

    /// Summaries of the connections that ended since the last call.
    pub fn take_ended(&mut self) -> Vec<Summary> {
        std::mem::take(&mut self.ended)
    }

    /// How many connections have ended so far, in all.
    pub fn ended_count(&self) -> u64 {
        self.ended_total
    }

    /// Summaries of the connections still open, by stream number.
    pub fn open(&self) -> Vec<Summary> {
        let mut open: Vec<Summary> =
            self.conns.values().filter(|c| c.end.is_none()).map(Conn::summary).collect();
        open.sort_by_key(|s| s.stream);
        open
    }

    /// Connections seen so far.
    pub fn streams(&self) -> u64 {
        self.next_stream
    }

    /// Connections held in memory now (open, and ended ones kept for stray segments).
    pub fn held(&self) -> usize {
        self.conns.len()
    }
}

/// A new SYN on endpoints whose connection ended (port reuse) starts a new
/// connection, as in Wireshark; a retransmitted SYN (same ISN) does not.
fn is_new_connection(c: &Conn, seg: &Segment) -> bool {
    let t = &seg.tcp;
    t.has(SYN) && !t.has(ACK) && c.end.is_some() && c.client.isn.is_some_and(|isn| isn != t.seq)
}

/// The record of a connection first seen with `seg`.
fn new_connection(stream: u64, src: SocketAddr, dst: SocketAddr, time: Duration, seg: &Segment) -> Conn {
    let t = &seg.tcp;
    // The SYN's sender is the client; joining late, guess the client is the
    // side with the higher (ephemeral) port.
    let client_is_src = (t.has(SYN) && !t.has(ACK)) || (!t.has(SYN) && src.port() > dst.port());
    let (c, s) = if client_is_src { (src, dst) } else { (dst, src) };
    Conn::new(stream, c, s, time, !t.has(SYN))
}
