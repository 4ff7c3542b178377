//! Which request a neighbour reply answers: a broadcast ARP request (or an
//! ICMPv6 solicitation to a multicast group) is asked for a MAC the kernel does
//! not have, with a packet waiting; a unicast one is a reachability probe of a
//! MAC it has (Linux's NUD PROBE), with nothing waiting. The reply itself looks
//! the same either way, so the trace remembers each asker's last request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use crate::decode::arp::ArpOp;
use crate::decode::control::{Control, Message};
use crate::decode::icmpv6::Icmpv6;

/// A control frame of the trace, shown in its place between the TCP segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlFrame {
    /// Frame number in the capture, from 1 (`frame.number`).
    pub frame: u64,
    /// Since the first frame.
    pub time: Duration,
    pub control: Control,
    /// For a neighbour reply (ARP, ICMPv6), how the request it answers was sent,
    /// when the trace held that request (this module).
    pub asked: Option<Asked>,
}

/// How the request a reply answers was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// To every host of the link (ARP broadcast, IPv6 solicited-node multicast):
    /// the asker had no MAC, and held the packet that needed one.
    Everyone,
    /// To the MAC the asker already had: a probe; its packets kept going meanwhile.
    Probe,
}

/// At most this many askers' last requests are remembered (a capture of a big
/// link must not grow this without bound); past it the memory starts afresh.
const REMEMBERED: usize = 4096;

/// The requests seen so far, by (asker, address asked about).
#[derive(Debug, Default)]
pub struct Neighbours {
    asked: HashMap<(IpAddr, IpAddr), Asked>,
}

/// Whether a request went to one host: its destination MAC is not a group's
/// (broadcast and multicast MACs have the low bit of the first byte set).
fn unicast_mac(c: &Control) -> Option<bool> {
    c.macs.map(|(_, dst)| dst[0] & 1 == 0)
}

impl Neighbours {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes a request; for a reply, says which request it answers, when the trace held it.
    pub fn see(&mut self, c: &Control) -> Option<Asked> {
        let (asker, about, request) = match &c.message {
            Message::Arp(a) if a.is_gratuitous() => return None,
            Message::Arp(a) => match a.op {
                ArpOp::Request => (IpAddr::V4(a.sender_ip), IpAddr::V4(a.target_ip), true),
                ArpOp::Reply => (IpAddr::V4(a.target_ip), IpAddr::V4(a.sender_ip), false),
                ArpOp::Other(_) => return None,
            },
            Message::Icmpv6 { src, icmp: Icmpv6::NeighbourSolicitation { target, .. }, .. } => {
                (IpAddr::V6(*src), IpAddr::V6(*target), true)
            }
            Message::Icmpv6 { dst, icmp: Icmpv6::NeighbourAdvertisement { target, .. }, .. } => {
                (IpAddr::V6(*dst), IpAddr::V6(*target), false)
            }
            _ => return None,
        };
        if !request {
            return self.asked.remove(&(asker, about));
        }
        let how = if is_probe(c) { Asked::Probe } else { Asked::Everyone };
        if self.asked.len() >= REMEMBERED {
            self.asked.clear();
        }
        self.asked.insert((asker, about), how);
        None
    }
}

/// Whether a request (ARP, or ICMPv6 neighbour solicitation) is a unicast probe:
/// ARP by its destination MAC (unknown without one: not said to be), IPv6 by its
/// destination address (a solicited-node multicast group, or the neighbour itself).
pub fn is_probe(c: &Control) -> bool {
    match (&c.message, unicast_mac(c)) {
        (Message::Arp(a), Some(unicast)) => a.op == ArpOp::Request && unicast,
        (Message::Icmpv6 { icmp: Icmpv6::NeighbourSolicitation { .. }, dst, .. }, _) => !dst.is_multicast(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;
    use crate::render::words::control::{explain, Names};

    const HOST: [u8; 6] = [2, 0, 0, 0, 1, 2];
    const ROUTER: [u8; 6] = [2, 0, 0, 0, 1, 1];

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    /// An ICMPv6 neighbour message as a capture would give it (crafted: the lab's
    /// runs are too short for Linux's 5 s DELAY before a probe of an IPv6 neighbour).
    fn nd(macs: ([u8; 6], [u8; 6]), src: &str, dst: &str, icmp: Icmpv6) -> Control {
        Control {
            macs: Some(macs),
            message: Message::Icmpv6 { src: v6(src), dst: v6(dst), hop_limit: 255, icmp },
        }
    }

    fn ns(macs: ([u8; 6], [u8; 6]), dst: &str) -> Control {
        let icmp = Icmpv6::NeighbourSolicitation { target: v6("fd00:1::2"), source_mac: Some(ROUTER) };
        nd(macs, "fd00:1::1", dst, icmp)
    }

    fn na() -> Control {
        let icmp = Icmpv6::NeighbourAdvertisement {
            target: v6("fd00:1::2"),
            router: false,
            solicited: true,
            target_mac: Some(HOST),
        };
        nd((HOST, ROUTER), "fd00:1::2", "fd00:1::1", icmp)
    }

    fn say(c: &Control, asked: Option<Asked>) -> String {
        explain(c, &Names::default(), None, asked)
    }

    #[test]
    fn a_unicast_neighbour_solicitation_is_a_probe_and_its_advertisement_answers_it() {
        let probe = ns((ROUTER, HOST), "fd00:1::2");
        assert!(is_probe(&probe));
        let text = say(&probe, None);
        assert!(
            text.contains("unicast to fd00:1::2: fd00:1::1's kernel checks that fd00:1::2 still answers"),
            "{text}"
        );
        assert!(!text.contains("multicast") && !text.contains("before"), "{text}");
        let mut seen = Neighbours::new();
        assert_eq!(seen.see(&probe), None);
        let answer = na();
        let asked = seen.see(&answer);
        assert_eq!(asked, Some(Asked::Probe));
        let text = say(&answer, asked);
        assert!(text.contains("fd00:1::2 is still at 02:00:00:00:01:02; it answers a probe"), "{text}");
        assert!(text.contains("no packet was waiting"), "{text}");
    }

    #[test]
    fn a_multicast_solicitation_asks_for_a_missing_mac_and_its_answer_releases_the_packet() {
        let ask = ns((ROUTER, [0x33, 0x33, 0xff, 0, 0, 2]), "ff02::1:ff00:2");
        assert!(!is_probe(&ask));
        assert!(say(&ask, None).contains("to fd00:1::2's multicast group"));
        let mut seen = Neighbours::new();
        seen.see(&ask);
        let asked = seen.see(&na());
        assert_eq!(asked, Some(Asked::Everyone));
        assert!(say(&na(), asked).ends_with("fd00:1::1's kernel caches it and sends what was waiting"));
        // A reply whose request the trace does not hold claims nothing about what waited.
        assert_eq!(Neighbours::new().see(&na()), None);
    }
}
