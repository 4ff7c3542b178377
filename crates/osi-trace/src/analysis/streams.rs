//! The stream table: every connection of the capture, numbered as Wireshark's
//! `tcp.stream` numbers them. Memory stays bounded: ended connections are
//! summarised at once and only [`KEEP_ENDED`] of them kept, for stray segments
//! after the end; past [`MAX_OPEN`] open connections the longest idle are
//! forgotten (counted), and a small index keeps their stream numbers in case
//! they speak again.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::conn::Conn;
use super::facts::{Annotated, End, Side, Summary};
use super::rtt;
use super::step::step;
use crate::decode::{flags::*, Segment};

/// How many ended connections are remembered, for segments that come after the end.
pub const KEEP_ENDED: usize = 4096;
/// How many open connections are followed at once; past it the longest idle are forgotten.
pub const MAX_OPEN: usize = 100_000;
/// How many forgotten connections keep their stream number, should they speak again.
const KEEP_EVICTED: usize = 200_000;

/// Key of a connection: its two endpoints, in a canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key(SocketAddr, SocketAddr);

impl Hash for Key {
    /// Both endpoints as one run of bytes, written into the hasher at once:
    /// the table is looked up for every segment, and each write costs.
    fn hash<H: Hasher>(&self, h: &mut H) {
        let mut bytes = [0u8; 38];
        for (a, b) in [self.0, self.1].iter().zip(bytes.chunks_exact_mut(19)) {
            match a.ip() {
                IpAddr::V4(ip) => b[..4].copy_from_slice(&ip.octets()),
                IpAddr::V6(ip) => b[..16].copy_from_slice(&ip.octets()),
            }
            b[16] = u8::from(a.is_ipv6());
            b[17..].copy_from_slice(&a.port().to_be_bytes());
        }
        h.write(&bytes);
    }
}

fn key(a: SocketAddr, b: SocketAddr) -> Key {
    if a <= b {
        Key(a, b)
    } else {
        Key(b, a)
    }
}

/// Follows every connection of a capture, segment by segment.
#[derive(Debug, Default)]
pub struct Analyzer {
    /// Boxed: the table's spare capacity then costs a pointer a slot, not a whole record.
    conns: HashMap<Key, Box<Conn>>,
    ended_keys: VecDeque<(Key, u64)>,
    ended: Vec<Summary>,
    next_stream: u64,
    ended_total: u64,
    /// Connections in `conns` that have not ended.
    open: usize,
    /// Forgotten open connections: a hash of their endpoints → stream number (oldest first out).
    evicted: HashMap<u64, u64>,
    evicted_order: VecDeque<u64>,
    evictions: u64,
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
        let held = self.conns.get(&k);
        let answered_first = held.filter(|c| syn_answered_before(c, &seg)).map(|c| c.stream);
        if answered_first.is_some() || held.is_none_or(|c| is_new_connection(c, &seg)) {
            // A forgotten connection speaking again keeps its number, unless a SYN starts anew.
            let fresh_syn = seg.tcp.has(SYN) && !seg.tcp.has(ACK);
            let revived = if fresh_syn { answered_first } else { self.evicted.remove(&hash(&k)) };
            let stream = revived.unwrap_or_else(|| {
                self.next_stream += 1;
                self.next_stream - 1
            });
            // Only an ended record is ever replaced here, so one more is open.
            self.conns.insert(k, Box::new(new_connection(stream, src, dst, time, &seg)));
            self.open += 1;
            if self.open > MAX_OPEN {
                self.evict_idle(k);
            }
        }
        let Some(conn) = self.conns.get_mut(&k) else { unreachable!("inserted above, never evicted") };
        let was_ended = conn.end.is_some();
        let n = step(conn, frame, time, src, seg);
        if !was_ended && conn.end.is_some() {
            self.open -= 1;
            self.ended_total += 1;
            self.ended.push(summary(conn));
            self.ended_keys.push_back((k, n.stream));
            self.forget_oldest_ended();
        }
        n
    }

    /// Keeps at most [`KEEP_ENDED`] ended connections, so memory stays bounded.
    fn forget_oldest_ended(&mut self) {
        while self.ended_keys.len() > KEEP_ENDED {
            if let Some((old, stream)) = self.ended_keys.pop_front() {
                // Forget it unless the endpoints were reused since (a record started
                // again under the same number is open, or has its own place in the queue).
                if self.conns.get(&old).is_some_and(|c| c.stream == stream && c.end.is_some()) {
                    self.conns.remove(&old);
                }
            }
        }
    }

    /// Forgets the longest-idle tenth of the open connections (never `keep`).
    fn evict_idle(&mut self, keep: Key) {
        let mut idle: Vec<(Duration, Key)> = self
            .conns
            .iter()
            .filter(|(k, c)| c.end.is_none() && **k != keep)
            .map(|(k, c)| (c.last, *k))
            .collect();
        let n = (MAX_OPEN / 10).min(idle.len());
        if n == 0 {
            return;
        }
        idle.select_nth_unstable(n - 1);
        for (_, k) in &idle[..n] {
            if let Some(c) = self.conns.remove(k) {
                self.open -= 1;
                self.evictions += 1;
                let h = hash(k);
                self.evicted.insert(h, c.stream);
                self.evicted_order.push_back(h);
            }
        }
        while self.evicted_order.len() > KEEP_EVICTED {
            if let Some(h) = self.evicted_order.pop_front() {
                self.evicted.remove(&h);
            }
        }
    }

    /// Open connections forgotten so far, the longest idle first, to bound memory.
    pub fn evictions(&self) -> u64 {
        self.evictions
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
            self.conns.values().filter(|c| c.end.is_none()).map(|c| summary(c)).collect();
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

fn hash(k: &Key) -> u64 {
    let mut h = DefaultHasher::new();
    k.hash(&mut h);
    h.finish()
}

/// A new SYN on endpoints whose connection ended (port reuse) starts a new
/// connection, as in Wireshark: when its direction already has another base
/// sequence number. A retransmitted SYN (same ISN) does not, nor a SYN captured
/// after the RST that answers it (the RST's direction is the other one).
fn is_new_connection(c: &Conn, seg: &Segment) -> bool {
    let t = &seg.tcp;
    let src = SocketAddr::new(seg.ip.src, t.src_port);
    let base = c.half(c.side_of(src)).isn;
    t.has(SYN) && !t.has(ACK) && c.end.is_some() && base.is_some_and(|isn| isn != t.seq)
}

/// A SYN captured after the RST that answers it (two CPUs' clocks): the record the
/// RST made, ended, guessed the RST's sender as the client. Wireshark keeps the stream
/// (the SYN's direction has no base yet); the record starts again with the SYN's
/// sender as the client, under the same number.
fn syn_answered_before(c: &Conn, seg: &Segment) -> bool {
    let t = &seg.tcp;
    let src = SocketAddr::new(seg.ip.src, t.src_port);
    t.has(SYN)
        && !t.has(ACK)
        && c.end.is_some()
        && c.joined_late
        && c.first_syn_time.is_none()
        && c.side_of(src) == Side::Server
        && c.server.isn.is_none()
}

/// The record of a connection first seen with `seg`.
fn new_connection(stream: u64, src: SocketAddr, dst: SocketAddr, time: Duration, seg: &Segment) -> Conn {
    let t = &seg.tcp;
    // The SYN's sender is the client; joining late, a guess from the ports.
    let client_is_src =
        (t.has(SYN) && !t.has(ACK)) || (!t.has(SYN) && client_port_guess(src.port(), dst.port()));
    let (c, s) = if client_is_src { (src, dst) } else { (dst, src) };
    Conn::new(stream, c, s, time, !t.has(SYN))
}

/// Linux's default range of ephemeral ports (`net.ipv4.ip_local_port_range`), from which
/// connect() (or bind() to port 0) picks a client's port; a server listens on a port it
/// chose, usually outside it.
pub const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;

/// Joining a connection after its handshake (no SYN seen): whether the end on port `a`,
/// rather than the one on `b`, is the client. A guess, as Linux picks a client's port:
/// the one port inside [`EPHEMERAL`]; both or neither inside, the higher port.
pub fn client_port_guess(a: u16, b: u16) -> bool {
    match (EPHEMERAL.contains(&a), EPHEMERAL.contains(&b)) {
        (true, false) => true,
        (false, true) => false,
        _ => a > b,
    }
}

/// The connection's summary, as the views print it when it ends (or the capture does).
fn summary(conn: &Conn) -> Summary {
    let unknown = SocketAddr::from(([0, 0, 0, 0], 0));
    Summary {
        stream: conn.stream,
        client: conn.client.addr.unwrap_or(unknown),
        server: conn.server.addr.unwrap_or(unknown),
        start: conn.start,
        last: conn.last,
        handshake_rtt: conn.irtt,
        handshake_time: conn.handshake_time,
        syn_retransmissions: conn.syn_retransmissions,
        syn_ack_retransmissions: conn.syn_ack_retransmissions,
        to_server: conn.client.flow,
        to_client: conn.server.flow,
        rtt: rtt::round_trips(conn),
        end: conn.end.unwrap_or(End::Open),
        joined_late: conn.joined_late,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::frame;
    use crate::decode::segment;

    fn syn(a: &mut Analyzer, port: u16, ms: u64) -> u64 {
        let f = frame(ms, port, 80, 1000, 0, SYN, 100, &[], b"");
        a.push(1, Duration::from_millis(ms), segment(&f).unwrap()).stream
    }

    #[test]
    fn joining_late_the_client_is_the_end_on_an_ephemeral_port() {
        // 03-hello: the server listens on 65432, the client's port 50950 is Linux's pick.
        assert!(client_port_guess(50950, 65432));
        assert!(!client_port_guess(65432, 50950));
        // A server on port 80 and a client from the range.
        assert!(!client_port_guess(80, 40000));
        // Both inside the range, or neither: the higher port.
        assert!(client_port_guess(50000, 40000) && !client_port_guess(40000, 50000));
        assert!(client_port_guess(61000, 80) && !client_port_guess(80, 61000));
        // The range's bounds.
        assert!(client_port_guess(32768, 32767) && client_port_guess(60999, 61000));
    }

    #[test]
    fn past_max_open_the_longest_idle_are_forgotten_and_keep_their_number() {
        let mut a = Analyzer::new();
        let n = MAX_OPEN + 1;
        // Ports wrap at 65536: vary the client address too.
        let push = |a: &mut Analyzer, i: usize, ms: u64, flags: u8| {
            let mut f = frame(ms, 1024 + (i % 60000) as u16, 80, 1000, 0, flags, 100, &[], b"");
            f.data[26..30].copy_from_slice(&[10, 0, (i / 60000) as u8, 1]);
            a.push(1, Duration::from_millis(ms), segment(&f).unwrap()).stream
        };
        for i in 0..n {
            assert_eq!(push(&mut a, i, i as u64, SYN), i as u64);
        }
        assert_eq!(a.evictions(), (MAX_OPEN / 10) as u64);
        assert!(a.held() <= MAX_OPEN);
        // The first, forgotten, speaks again (an ACK): same stream number, joined late.
        assert_eq!(push(&mut a, 0, n as u64, ACK), 0);
        assert_eq!(a.streams(), n as u64);
        assert_eq!(syn(&mut a, 9, 0), n as u64, "a new connection takes the next number");
    }
}
