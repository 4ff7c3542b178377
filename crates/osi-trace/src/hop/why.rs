//! Why a frame exists on one link only: ARP and neighbour discovery are
//! link-local, the router sends some frames itself (an ICMP error), and some
//! datagrams it never forwards. Facts from the two captures, learned as they
//! are read, no words. Bounded: each table keeps at most [`MAX_FACTS`]
//! entries; past it new ones are not kept (counted).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use super::matcher::Matched;
use super::{Seen, What};
use crate::decode::arp::ArpOp;
use crate::decode::control::Message;
use crate::decode::icmpv6::Icmpv6;

/// How many entries each table of [`Knowledge`] keeps (per link).
pub const MAX_FACTS: usize = 65_536;
/// How many destinations of one MAC are kept to tell a gateway's MAC.
const DESTINATIONS: usize = 8;

/// The reason a frame is on one link only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// ARP is L2: it never leaves its link.
    Arp {
        request: bool,
        /// The router sent it (its MAC is the sender's).
        by_router: bool,
        /// A request for one of the router's own addresses (so the router answers it).
        for_router: bool,
        /// A request that got an answer on this link (always true for a reply).
        answered: bool,
    },
    /// Neighbour discovery, or another message to a link-local address: never routed.
    LinkLocal,
    /// The router sent it itself (it comes from the router's MAC and was not
    /// forwarded from the other link), e.g. an ICMP error it generated.
    RouterSent,
    /// Sent to one of the router's own IP addresses: it ends there.
    ToRouter,
    /// From the router's MAC, from a host beyond the other link (one whose
    /// datagrams crossed the router before): forwarded, but the other link's
    /// capture does not hold its copy (it began later, ended sooner, or lost it).
    Missed,
    /// Sent to the router's MAC for forwarding, and never seen on the other
    /// link. `unanswered`: on the other link the router asked for the
    /// destination's MAC (ARP or neighbour solicitation) and nobody answered.
    NotForwarded { unanswered: bool },
    /// One fragment of a datagram: the view matches whole datagrams only.
    Fragment,
    /// Its copy on the other link was no longer looked for: too many frames
    /// waited for theirs at once (memory bound); or it is such a frame's copy.
    Forgotten,
    /// Neither from nor to a MAC of the router that the captures reveal.
    Unknown,
    /// Neither IP nor ARP.
    NotIp,
}

/// Whether an address's MAC was asked for on a link, and what came of it.
#[derive(Debug, Clone, Copy, Default)]
struct Asked {
    /// An ask no answer followed (yet).
    unanswered: bool,
    /// An ask was answered.
    answered: bool,
}

/// The destinations of one-link datagrams sent to one MAC: a few, and
/// whether there were more.
#[derive(Debug, Clone, Default)]
struct Destinations {
    some: Vec<IpAddr>,
    more: bool,
}

/// What the two captures tell about the router and the neighbours of each
/// link (index 0: link1, 1: link2). Learned from every frame as it is read
/// ([`Knowledge::frame`], in each file's order) and every row
/// ([`Knowledge::row`]), then [`Knowledge::finish`]ed.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// The router's MACs.
    router: [HashSet<[u8; 6]>; 2],
    /// MAC → the IP addresses ARP or neighbour discovery tied to it.
    claims: [HashMap<[u8; 6], Vec<IpAddr>>; 2],
    /// Addresses whose MAC was asked for.
    asked: [HashMap<IpAddr, Asked>; 2],
    /// Sources of datagrams the router forwarded onto the link (hosts beyond the other link).
    beyond: [HashSet<IpAddr>; 2],
    /// Destination MAC of one-link datagrams → their destinations.
    sent_to: [HashMap<[u8; 6], Destinations>; 2],
    /// The router's own addresses (from `claims`, once finished).
    router_ips: [HashSet<IpAddr>; 2],
    /// Facts not kept: a table was full.
    not_kept: u64,
}

/// Inserts into a table unless it is full (then counts what was not kept).
fn keep<T: std::hash::Hash + Eq>(set: &mut HashSet<T>, v: T, not_kept: &mut u64) {
    if set.len() < MAX_FACTS || set.contains(&v) {
        set.insert(v);
    } else {
        *not_kept += 1;
    }
}

impl Knowledge {
    /// ARP and neighbour discovery: who is at which MAC, and what was asked.
    /// Each link's frames in their file's order (an answer answers the asks before it).
    pub fn frame(&mut self, link: usize, s: &Seen) {
        let (message, src_mac) = match &s.what {
            What::Arp(c) => (&c.message, s.macs.map(|m| m.0)),
            What::Datagram(d) => match &d.control {
                Some(c) => (&c.message, s.macs.map(|m| m.0)),
                None => return,
            },
            What::Other(_) => return,
        };
        match message {
            Message::Arp(a) => {
                self.claim(link, a.sender_mac, IpAddr::V4(a.sender_ip));
                match a.op {
                    ArpOp::Request if !a.is_gratuitous() => self.ask(link, IpAddr::V4(a.target_ip)),
                    ArpOp::Reply => self.answer(link, IpAddr::V4(a.sender_ip)),
                    _ => {}
                }
            }
            Message::Icmpv6 { icmp: Icmpv6::NeighbourSolicitation { target, .. }, .. } => {
                self.ask(link, IpAddr::V6(*target));
            }
            Message::Icmpv6 { icmp: Icmpv6::NeighbourAdvertisement { target, target_mac, .. }, .. } => {
                if let Some(mac) = target_mac.or(src_mac) {
                    self.claim(link, mac, IpAddr::V6(*target));
                }
                self.answer(link, IpAddr::V6(*target));
            }
            _ => {}
        }
    }

    fn claim(&mut self, link: usize, mac: [u8; 6], ip: IpAddr) {
        let table = &mut self.claims[link];
        if !table.contains_key(&mac) && table.len() >= MAX_FACTS {
            self.not_kept += 1;
            return;
        }
        let ips = table.entry(mac).or_default();
        match (ips.contains(&ip), ips.len() < DESTINATIONS) {
            (true, _) => {}
            (false, true) => ips.push(ip),
            (false, false) => self.not_kept += 1,
        }
    }

    fn ask(&mut self, link: usize, ip: IpAddr) {
        let table = &mut self.asked[link];
        if table.len() < MAX_FACTS || table.contains_key(&ip) {
            table.entry(ip).or_default().unanswered = true;
        } else {
            self.not_kept += 1;
        }
    }

    /// An answer for `ip` answers every ask for it so far.
    fn answer(&mut self, link: usize, ip: IpAddr) {
        if let Some(q) = self.asked[link].get_mut(&ip) {
            q.answered = true;
            q.unanswered = false;
        }
    }

    /// A row of the matching: a forwarded datagram reached the router's MAC
    /// on the link it came in on, and leaves from the router's MAC on the other.
    pub fn row(&mut self, m: &Matched) {
        match m {
            Matched::Pair(p) => {
                if let (Some((_, to)), Some((from, _))) = (p.before().macs, p.after().macs) {
                    keep(&mut self.router[p.from], to, &mut self.not_kept);
                    keep(&mut self.router[1 - p.from], from, &mut self.not_kept);
                }
                if let What::Datagram(d) = &p.after().what {
                    keep(&mut self.beyond[1 - p.from], d.src, &mut self.not_kept);
                }
            }
            Matched::Only { link, seen, .. } => {
                if let (What::Datagram(d), Some((_, to))) = (&seen.what, seen.macs) {
                    let table = &mut self.sent_to[*link];
                    let Some(dsts) = table.get_mut(&to) else {
                        match table.len() < MAX_FACTS {
                            true => drop(table.insert(to, Destinations { some: vec![d.dst], more: false })),
                            false => self.not_kept += 1,
                        }
                        return;
                    };
                    if !dsts.some.contains(&d.dst) {
                        match dsts.some.len() < DESTINATIONS {
                            true => dsts.some.push(d.dst),
                            false => dsts.more = true,
                        }
                    }
                }
            }
        }
    }

    /// Once every frame is learned: without a forwarded datagram, a MAC that
    /// receives datagrams for an IP address other than the one it claims is a
    /// gateway's, the router's; then the router's own addresses.
    pub fn finish(&mut self) {
        for link in 0..2 {
            for (mac, dsts) in &self.sent_to[link] {
                let Some(claimed) = self.claims[link].get(mac) else { continue };
                // More destinations than it claims addresses: one is not its own.
                let other = dsts.some.iter().any(|d| !claimed.contains(d))
                    || (dsts.more && claimed.len() <= DESTINATIONS);
                if other {
                    keep(&mut self.router[link], *mac, &mut self.not_kept);
                }
            }
            let router = &self.router[link];
            self.router_ips[link] = self.claims[link]
                .iter()
                .filter(|(mac, _)| router.contains(*mac))
                .flat_map(|(_, ips)| ips.iter().copied())
                .collect();
        }
    }

    /// Facts not kept because a table was full: reasons may then be wrong.
    pub fn not_kept(&self) -> u64 {
        self.not_kept
    }

    fn is_router(&self, link: usize, mac: [u8; 6]) -> bool {
        self.router[link].contains(&mac)
    }

    fn is_router_ip(&self, link: usize, ip: IpAddr) -> bool {
        self.router_ips[link].contains(&ip)
    }

    /// Why `s`, seen on `link` only, is not on the other link.
    pub fn why(&self, link: usize, s: &Seen) -> Why {
        let (from_router, to_router) = match s.macs {
            Some((src, dst)) => (self.is_router(link, src), self.is_router(link, dst)),
            None => (false, false),
        };
        let asked = |link: usize, ip: IpAddr| self.asked[link].get(&ip).copied().unwrap_or_default();
        match &s.what {
            What::Other(_) => Why::NotIp,
            What::Arp(c) => match &c.message {
                Message::Arp(a) => {
                    let request = a.op != ArpOp::Reply;
                    let target = IpAddr::V4(a.target_ip);
                    Why::Arp {
                        request,
                        by_router: from_router,
                        for_router: request && self.is_router_ip(link, target),
                        answered: !request || asked(link, target).answered,
                    }
                }
                _ => Why::NotIp,
            },
            What::Datagram(d) if d.is_link_local() => Why::LinkLocal,
            What::Datagram(d) if d.fragment => Why::Fragment,
            // The router's MAC sends what it forwards too: a source that lives
            // beyond the other link means a forwarded copy the other capture lacks.
            What::Datagram(d)
                if from_router && self.beyond[link].contains(&d.src) && !self.is_router_ip(link, d.src) =>
            {
                Why::Missed
            }
            What::Datagram(_) if from_router => Why::RouterSent,
            What::Datagram(d) if to_router && self.is_router_ip(link, d.dst) => Why::ToRouter,
            What::Datagram(d) if to_router => {
                Why::NotForwarded { unanswered: asked(1 - link, d.dst).unanswered }
            }
            What::Datagram(_) => Why::Unknown,
        }
    }
}
