//! The hop view: two captures of the same traffic, one on each link of a
//! router, matched datagram by datagram. A datagram seen on both links is one
//! [`Pair`] (new MACs, TTL one lower, the rest as it was); every other frame is
//! an [`Only`] with the reason it exists on one link. Pure: the matching as the
//! frames are read ([`matcher`]), the reasons ([`Knowledge`]), the closing
//! counts ([`Tally`]) and the two passes that join them ([`view`]). The frames
//! come in through the drivers (`drive::hop`: two files, or two interfaces);
//! the words and the layout are `render::hop`'s.

pub mod matcher;
mod seen;
pub mod tally;
pub mod view;
mod why;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

pub use seen::{see, Datagram, Seen, TcpFacts, What};
pub use tally::Tally;
pub use why::{Knowledge, Why, MAX_FACTS};

use crate::decode::flags::SYN;

/// A datagram the router forwarded: its copy on each link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The link it came in on (0: link1, 1: link2): the copy with the higher TTL.
    pub from: usize,
    /// The copy on link1, then the copy on link2.
    pub copies: [Seen; 2],
}

impl Pair {
    /// The copy before the router.
    pub fn before(&self) -> &Seen {
        &self.copies[self.from]
    }

    /// The copy after the router.
    pub fn after(&self) -> &Seen {
        &self.copies[1 - self.from]
    }

    /// The datagram of copy `i` (0: link1, 1: link2).
    pub fn datagram(&self, i: usize) -> &Datagram {
        match &self.copies[i].what {
            What::Datagram(d) => d,
            // Only datagrams are paired (see `matcher`).
            _ => unreachable!("a pair holds two datagrams"),
        }
    }

    /// From the copy before the router to the copy after it; `None` when the
    /// after copy is stamped earlier (the two files' clocks disagree).
    pub fn router_time(&self) -> Option<Duration> {
        self.after().ts.checked_sub(self.before().ts)
    }

    /// Both MACs differ after the router: L2 is per link.
    pub fn macs_rewritten(&self) -> bool {
        match (self.copies[0].macs, self.copies[1].macs) {
            (Some((s1, d1)), Some((s2, d2))) => s1 != s2 && d1 != d2,
            _ => false,
        }
    }

    /// The TTL (or hop limit) one lower after the router.
    pub fn one_lower(&self) -> bool {
        self.datagram(self.from).ttl == self.datagram(1 - self.from).ttl.wrapping_add(1)
    }
}

/// A frame seen on one link only, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Only {
    /// 0: link1, 1: link2.
    pub link: usize,
    pub seen: Seen,
    pub why: Why,
    /// For a neighbour reply, how the request it answers was sent (a probe, or to everyone).
    pub asked: Option<crate::neighbours::Asked>,
}

/// One row of the view, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Pair(Box<Pair>),
    Only(Box<Only>),
}

impl Row {
    /// When it was first seen: a pair by its copy before the router.
    pub fn ts(&self) -> Duration {
        match self {
            Row::Pair(p) => p.before().ts,
            Row::Only(o) => o.seen.ts,
        }
    }

    /// The datagram it shows (a pair's copy before the router), if it is one.
    fn datagram(&self) -> Option<&Datagram> {
        match self {
            Row::Pair(p) => Some(p.datagram(p.from)),
            Row::Only(o) => datagram(&o.seen),
        }
    }
}

/// A TCP flow one way: source address and port, destination address and port.
pub type Flow = (IpAddr, u16, IpAddr, u16);

/// What showing a row needs beside the row: where time starts, and each
/// flow's initial sequence number so far (for relative numbers, as tshark shows them).
#[derive(Debug, Clone, Default)]
pub struct HopView {
    /// The first frame's time of either file: rows are timed from it.
    pub start: Duration,
    pub isn: Isns,
}

impl HopView {
    /// Relative (sequence, acknowledgement) numbers of a segment, as tshark shows
    /// them; the raw ones when its flow's SYN was not seen before it.
    pub fn relative(&self, d: &Datagram) -> Option<(u32, u32)> {
        let t = d.tcp?;
        let seq = self.isn.get(&(d.src, t.src_port, d.dst, t.dst_port))?;
        let ack =
            self.isn.get(&(d.dst, t.dst_port, d.src, t.src_port)).map_or(t.ack, |i| t.ack.wrapping_sub(i));
        Some((t.seq.wrapping_sub(seq), ack))
    }
}

/// How many flows' initial sequence numbers are kept; past it the tenth seen
/// longest ago are forgotten (their later segments show raw numbers, counted).
pub const MAX_FLOWS: usize = 100_000;
/// How many forgotten flows are remembered, to count their segments shown raw.
const KEEP_FORGOTTEN_FLOWS: usize = 200_000;

/// Each flow's initial sequence number: its latest SYN's (a SYN sent again
/// carries the same one; another starts a new connection on the same ports).
#[derive(Debug, Clone, Default)]
pub struct Isns {
    /// Flow → (ISN, the row it was last seen in).
    flows: HashMap<Flow, (u32, u64)>,
    rows: u64,
    /// Hashes of the flows forgotten last, oldest first out.
    forgotten: HashSet<u64>,
    forgotten_order: VecDeque<u64>,
    /// Segments shown with raw numbers because their flow was forgotten.
    raw: u64,
}

impl Isns {
    fn get(&self, f: &Flow) -> Option<u32> {
        self.flows.get(f).map(|v| v.0)
    }

    /// Learns from a row, before it is shown: a SYN's ISN, and that its flow
    /// (both ways) is still in use.
    pub fn learn(&mut self, r: &Row) {
        let Some((d, t)) = r.datagram().and_then(|d| Some((d, d.tcp?))) else { return };
        self.rows += 1;
        let flow = (d.src, t.src_port, d.dst, t.dst_port);
        if t.has(SYN) {
            self.flows.insert(flow, (t.seq, self.rows));
            if self.flows.len() > MAX_FLOWS {
                self.forget_idle();
            }
        } else if !self.flows.contains_key(&flow) && self.forgotten.contains(&hash(&flow)) {
            self.raw += 1;
        }
        for f in [flow, (d.dst, t.dst_port, d.src, t.src_port)] {
            if let Some(v) = self.flows.get_mut(&f) {
                v.1 = self.rows;
            }
        }
    }

    /// Forgets the tenth of the flows seen longest ago.
    fn forget_idle(&mut self) {
        let mut last: Vec<u64> = self.flows.values().map(|v| v.1).collect();
        let (_, cut, _) = last.select_nth_unstable(MAX_FLOWS / 10 - 1);
        let cut = *cut;
        let gone: Vec<Flow> = self.flows.iter().filter(|(_, v)| v.1 <= cut).map(|(f, _)| *f).collect();
        for f in gone {
            self.flows.remove(&f);
            let h = hash(&f);
            if self.forgotten.insert(h) {
                self.forgotten_order.push_back(h);
            }
        }
        while self.forgotten_order.len() > KEEP_FORGOTTEN_FLOWS {
            if let Some(h) = self.forgotten_order.pop_front() {
                self.forgotten.remove(&h);
            }
        }
    }

    /// Segments shown with raw sequence numbers because their flow's ISN was
    /// forgotten (memory bound).
    pub fn raw(&self) -> u64 {
        self.raw
    }
}

fn hash(f: &Flow) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    f.hash(&mut h);
    h.finish()
}

fn datagram(s: &Seen) -> Option<&Datagram> {
    match &s.what {
        What::Datagram(d) => Some(d),
        _ => None,
    }
}

/// The pair of two copies: the one with the higher TTL came first (in from
/// that link); with equal TTLs (no router lowered it), the earlier one.
fn pair(on1: Seen, on2: Seen) -> Pair {
    let ttl = |s: &Seen| datagram(s).map_or(0, |d| d.ttl);
    let from = match ttl(&on1).cmp(&ttl(&on2)) {
        std::cmp::Ordering::Greater => 0,
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Equal => usize::from(on2.ts < on1.ts),
    };
    Pair { from, copies: [on1, on2] }
}

#[cfg(test)]
mod tests;
