//! The hop view: two captures of the same traffic, one on each link of a
//! router, matched datagram by datagram. A datagram seen on both links is one
//! [`Pair`] (new MACs, TTL one lower, the rest as it was); every other frame is
//! an [`Only`] with the reason it exists on one link. Pure; files in through
//! [`run`] (two files) or [`live`] (two interfaces), words in `render::hop`.

pub mod live;
pub mod record;
pub mod run;
mod seen;
mod why;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

pub use seen::{see, Datagram, Seen, TcpFacts, What};
pub use why::Why;

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
            // Only datagrams are paired (see `match_links`).
            _ => unreachable!("a pair holds two datagrams"),
        }
    }

    /// From the copy before the router to the copy after it; `None` when the
    /// after copy is stamped earlier (the two files' clocks disagree).
    pub fn router_time(&self) -> Option<Duration> {
        self.after().ts.checked_sub(self.before().ts)
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
}

/// A TCP flow one way: source address and port, destination address and port.
pub type Flow = (IpAddr, u16, IpAddr, u16);

/// The whole view.
#[derive(Debug, Clone, Default)]
pub struct HopView {
    pub rows: Vec<Row>,
    /// The first frame's time of either file: rows are timed from it.
    pub start: Duration,
    /// Each flow's initial sequence number (its first SYN's), for relative numbers as tshark shows.
    pub isn: HashMap<Flow, u32>,
    /// Whether the two captures share anything at all (a datagram, or an IP
    /// address): two unrelated files give an error, not a view.
    pub related: bool,
}

impl HopView {
    pub fn pairs(&self) -> impl Iterator<Item = &Pair> {
        self.rows.iter().filter_map(|r| match r {
            Row::Pair(p) => Some(&**p),
            Row::Only(_) => None,
        })
    }

    /// Relative (sequence, acknowledgement) numbers of a segment, as tshark shows
    /// them; the raw ones when its flow's SYN was not captured.
    pub fn relative(&self, d: &Datagram) -> Option<(u32, u32)> {
        let t = d.tcp?;
        let seq = self.isn.get(&(d.src, t.src_port, d.dst, t.dst_port))?;
        let ack =
            self.isn.get(&(d.dst, t.dst_port, d.src, t.src_port)).map_or(t.ack, |i| t.ack.wrapping_sub(*i));
        Some((t.seq.wrapping_sub(*seq), ack))
    }
}

fn datagram(s: &Seen) -> Option<&Datagram> {
    match &s.what {
        What::Datagram(d) => Some(d),
        _ => None,
    }
}

/// Matches the frames of link1 (`a`) and link2 (`b`). A datagram matches one on
/// the other link with the same addresses, protocol, IPv4 id and bytes above
/// L3; copies that are alike (a retransmission sent byte for byte again) are
/// matched in order, the first with the first.
pub fn match_links(a: Vec<Seen>, b: Vec<Seen>) -> HopView {
    let start = a.iter().chain(&b).map(|s| s.ts).min().unwrap_or_default();
    let mut waiting: HashMap<_, VecDeque<usize>> = HashMap::new();
    for (j, s) in b.iter().enumerate() {
        if let Some(d) = datagram(s).filter(|d| !d.is_link_local()) {
            waiting.entry(d.key()).or_default().push_back(j);
        }
    }
    let mut partner: Vec<Option<usize>> = vec![None; a.len()];
    let mut taken = vec![false; b.len()];
    for (i, s) in a.iter().enumerate() {
        if let Some(j) = datagram(s).and_then(|d| waiting.get_mut(&d.key())).and_then(VecDeque::pop_front) {
            partner[i] = Some(j);
            taken[j] = true;
        }
    }
    let related = partner.iter().any(Option::is_some) || shares_an_address(&a, &b);

    let mut pairs = Vec::new();
    let mut only = [Vec::new(), Vec::new()];
    let mut b: Vec<Option<Seen>> = b.into_iter().map(Some).collect();
    for (s, j) in a.into_iter().zip(partner) {
        match j.and_then(|j| b[j].take()) {
            Some(t) => pairs.push(pair(s, t)),
            None => only[0].push(s),
        }
    }
    only[1] = b.into_iter().zip(taken).filter(|(_, t)| !t).filter_map(|(s, _)| s).collect();

    let reasons = why::Knowledge::new(&pairs, &only);
    let mut rows: Vec<Row> = pairs.into_iter().map(|p| Row::Pair(Box::new(p))).collect();
    for (link, frames) in only.into_iter().enumerate() {
        for seen in frames {
            let why = reasons.why(link, &seen);
            rows.push(Row::Only(Box::new(Only { link, seen, why, asked: None })));
        }
    }
    rows.sort_by_key(|r| (r.ts(), matches!(r, Row::Only(o) if o.link == 1)));
    // Which request each neighbour reply answers, in time order, as the line view tells it.
    let mut neighbours = crate::neighbours::Neighbours::new();
    for r in &mut rows {
        if let Row::Only(o) = r {
            if let What::Arp(c) = &o.seen.what {
                o.asked = neighbours.see(c);
            }
        }
    }
    HopView { isn: isns(&rows), rows, start, related }
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

/// Each flow's ISN, from the first SYN of the flow in time order.
fn isns(rows: &[Row]) -> HashMap<Flow, u32> {
    let mut isn = HashMap::new();
    for r in rows {
        let d = match r {
            Row::Pair(p) => p.datagram(p.from),
            Row::Only(o) => match datagram(&o.seen) {
                Some(d) => d,
                None => continue,
            },
        };
        if let Some(t) = d.tcp.filter(|t| t.has(SYN)) {
            isn.entry((d.src, t.src_port, d.dst, t.dst_port)).or_insert(t.seq);
        }
    }
    isn
}

/// Whether an IP address of one file's datagrams appears in the other file
/// (in a datagram, or asked or answered by ARP).
fn shares_an_address(a: &[Seen], b: &[Seen]) -> bool {
    let addresses = |frames: &[Seen]| -> Vec<IpAddr> {
        let mut v = Vec::new();
        for s in frames {
            match &s.what {
                What::Datagram(d) if !d.is_link_local() => v.extend([d.src, d.dst]),
                What::Arp(c) => v.extend([c.message.src(), c.message.dst()]),
                _ => {}
            }
        }
        v.sort();
        v.dedup();
        v
    };
    let (x, y) = (addresses(a), addresses(b));
    x.iter().any(|ip| y.binary_search(ip).is_ok())
}

#[cfg(test)]
mod tests;
