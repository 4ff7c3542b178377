//! Why a frame exists on one link only: ARP and neighbour discovery are
//! link-local, the router sends some frames itself (an ICMP error), and some
//! datagrams it never forwards. Facts from the two captures, no words.

use std::net::IpAddr;

use super::{Pair, Seen, What};
use crate::arp::ArpOp;
use crate::control::Message;
use crate::icmpv6::Icmpv6;

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
    /// Neither from nor to a MAC of the router that the captures reveal.
    Unknown,
    /// Neither IP nor ARP.
    NotIp,
}

/// What the two captures tell about the router and the neighbours of each link.
pub struct Knowledge {
    /// The router's MACs on each link (0: link1, 1: link2).
    router: [Vec<[u8; 6]>; 2],
    /// Per link: (MAC, IP) that ARP or neighbour discovery tied together.
    claims: [Vec<([u8; 6], IpAddr)>; 2],
    /// Per link: addresses whose MAC was asked for, and whether an answer came.
    asked: [Vec<(IpAddr, bool)>; 2],
    /// Per link: sources of datagrams the router forwarded onto it (hosts beyond the other link).
    beyond: [Vec<IpAddr>; 2],
}

impl Knowledge {
    pub fn new(pairs: &[Pair], only: &[Vec<Seen>; 2]) -> Knowledge {
        let mut k = Knowledge {
            router: [vec![], vec![]],
            claims: [vec![], vec![]],
            asked: [vec![], vec![]],
            beyond: [vec![], vec![]],
        };
        // A forwarded datagram reached the router's MAC on the link it came in
        // on, and leaves from the router's MAC on the other.
        for p in pairs {
            if let (Some((_, to)), Some((from, _))) = (p.before().macs, p.after().macs) {
                k.router[p.from].push(to);
                k.router[1 - p.from].push(from);
            }
            if let What::Datagram(d) = &p.after().what {
                if !k.beyond[1 - p.from].contains(&d.src) {
                    k.beyond[1 - p.from].push(d.src);
                }
            }
        }
        for (link, frames) in only.iter().enumerate() {
            for s in frames {
                k.learn(link, s);
            }
        }
        // Without a forwarded datagram: a MAC that receives datagrams for an IP
        // address other than the one it claims is a gateway's, the router's.
        for (link, frames) in only.iter().enumerate() {
            for s in frames {
                if let (What::Datagram(d), Some((_, to))) = (&s.what, s.macs) {
                    let claimed: Vec<IpAddr> =
                        k.claims[link].iter().filter(|c| c.0 == to).map(|c| c.1).collect();
                    if !claimed.is_empty() && !claimed.contains(&d.dst) {
                        k.router[link].push(to);
                    }
                }
            }
        }
        for r in &mut k.router {
            r.sort();
            r.dedup();
        }
        k
    }

    /// ARP and neighbour discovery: who is at which MAC, and what was asked.
    fn learn(&mut self, link: usize, s: &Seen) {
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
                self.claims[link].push((a.sender_mac, IpAddr::V4(a.sender_ip)));
                match a.op {
                    ArpOp::Request if !a.is_gratuitous() => {
                        self.asked[link].push((IpAddr::V4(a.target_ip), false))
                    }
                    ArpOp::Reply => self.answer(link, IpAddr::V4(a.sender_ip)),
                    _ => {}
                }
            }
            Message::Icmpv6 { icmp: Icmpv6::NeighbourSolicitation { target, .. }, .. } => {
                self.asked[link].push((IpAddr::V6(*target), false));
            }
            Message::Icmpv6 { icmp: Icmpv6::NeighbourAdvertisement { target, target_mac, .. }, .. } => {
                if let Some(mac) = target_mac.or(src_mac) {
                    self.claims[link].push((mac, IpAddr::V6(*target)));
                }
                self.answer(link, IpAddr::V6(*target));
            }
            _ => {}
        }
    }

    fn answer(&mut self, link: usize, ip: IpAddr) {
        for q in self.asked[link].iter_mut().filter(|q| q.0 == ip) {
            q.1 = true;
        }
    }

    fn is_router(&self, link: usize, mac: [u8; 6]) -> bool {
        self.router[link].contains(&mac)
    }

    fn is_router_ip(&self, link: usize, ip: IpAddr) -> bool {
        self.claims[link].iter().any(|(mac, a)| *a == ip && self.is_router(link, *mac))
    }

    /// Why `s`, seen on `link` only, is not on the other link.
    pub fn why(&self, link: usize, s: &Seen) -> Why {
        let (from_router, to_router) = match s.macs {
            Some((src, dst)) => (self.is_router(link, src), self.is_router(link, dst)),
            None => (false, false),
        };
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
                        answered: !request || self.asked[link].iter().any(|q| q.0 == target && q.1),
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
                let other = 1 - link;
                let unanswered = self.asked[other].iter().any(|q| q.0 == d.dst && !q.1);
                Why::NotForwarded { unanswered }
            }
            What::Datagram(_) => Why::Unknown,
        }
    }
}
