//! The network's own messages in a captured frame — ARP, ICMP, ICMPv6 and
//! neighbour discovery — met by the same walk down the layers as a TCP segment,
//! wherever they sit (VLAN tags, PPPoE, MPLS, tunnels). Pure.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::arp::{decode_arp, Arp, ETHERTYPE_ARP};
use super::icmp::{decode_icmp, Icmp, IPPROTO_ICMP, IPPROTO_ICMPV6};
use super::icmpv6::{decode_icmpv6, Icmpv6};
use super::{Encap, Ip, IpLength, Link, Skip};

/// A control message, with the addresses that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Source and destination MAC, when the frame has an Ethernet header.
    pub macs: Option<([u8; 6], [u8; 6])>,
    pub message: Message,
}

/// What the message is, by protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Arp(Arp),
    /// ICMP, with the IPv4 header's source, destination, TTL and total length.
    Icmp {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        ttl: u8,
        len: u16,
        icmp: Icmp,
    },
    /// ICMPv6, with the IPv6 header's source, destination and hop limit.
    Icmpv6 {
        src: Ipv6Addr,
        dst: Ipv6Addr,
        hop_limit: u8,
        icmp: Icmpv6,
    },
}

impl Message {
    /// The sender's IP address (for ARP, the address the sender claims).
    pub fn src(&self) -> IpAddr {
        match self {
            Message::Arp(a) => IpAddr::V4(a.sender_ip),
            Message::Icmp { src, .. } => IpAddr::V4(*src),
            Message::Icmpv6 { src, .. } => IpAddr::V6(*src),
        }
    }

    /// The IP destination (for ARP, the address asked or answered about).
    pub fn dst(&self) -> IpAddr {
        match self {
            Message::Arp(a) => IpAddr::V4(a.target_ip),
            Message::Icmp { dst, .. } => IpAddr::V4(*dst),
            Message::Icmpv6 { dst, .. } => IpAddr::V6(*dst),
        }
    }
}

/// L2½: the ARP message an EtherType 0x0806 named; `macs`: its own link's ([`link_macs`]).
pub(super) fn arp(data: &[u8], macs: Option<Macs>) -> Result<Control, Skip> {
    let arp = decode_arp(data).map_err(|e| malformed(Skip::NotIp(ETHERTYPE_ARP), e))?;
    Ok(Control { macs, message: Message::Arp(arp) })
}

/// L3's own messages: ICMP in IPv4 (protocol 1), ICMPv6 in IPv6 (58); `body`
/// is what follows the IP header, cut at the datagram's length (Ethernet pads
/// short frames). `None` for any other protocol.
pub(super) fn icmp(ip: &Ip, proto: u8, body: &[u8], macs: Option<Macs>) -> Option<Result<Control, Skip>> {
    let message = match (ip.src, ip.dst, proto) {
        (IpAddr::V4(src), IpAddr::V4(dst), IPPROTO_ICMP) => decode_icmp(body).map(|icmp| Message::Icmp {
            src,
            dst,
            ttl: ip.ttl,
            len: header_length(ip),
            icmp,
        }),
        (IpAddr::V6(src), IpAddr::V6(dst), IPPROTO_ICMPV6) => {
            decode_icmpv6(body).map(|icmp| Message::Icmpv6 { src, dst, hop_limit: ip.ttl, icmp })
        }
        _ => return None,
    };
    Some(message.map(|message| Control { macs, message }).map_err(|e| malformed(Skip::NotTcp(proto), e)))
}

/// The IPv4 total length as the header says it (what Wireshark's `ip.len` shows),
/// even where the decoder took the datagram's length from the frame instead.
fn header_length(ip: &Ip) -> u16 {
    match ip.length {
        IpLength::ZeroInHeader => 0,
        IpLength::LongerThanFrame { header } => header as u16,
        IpLength::Header | IpLength::Reassembled { .. } => ip.total_len as u16,
    }
}

/// Source and destination MAC of an Ethernet frame.
pub type Macs = ([u8; 6], [u8; 6]);

/// The frame's MACs, when its link header has them.
pub fn macs(link: &Link) -> Option<Macs> {
    match link {
        Link::Ethernet { src, dst, .. } => Some((*src, *dst)),
        _ => None,
    }
}

/// The MACs of the link a message was sent on: the innermost Ethernet header
/// before it (a tunnel's inner frame, or the capture's own), through VLAN tags,
/// PPPoE and MPLS; none when a tunnel without Ethernet (IP-in-IP, GRE) carried it.
pub(super) fn link_macs(link: &Link, outer: &[Encap]) -> Option<Macs> {
    for e in outer.iter().rev() {
        match e {
            Encap::Ethernet { src, dst, .. } => return Some((*src, *dst)),
            Encap::Vlan { .. } | Encap::Pppoe { .. } | Encap::Mpls { .. } => {}
            Encap::Ip(_)
            | Encap::Gre { .. }
            | Encap::Udp { .. }
            | Encap::Vxlan { .. }
            | Encap::Geneve { .. } => return None,
        }
    }
    macs(link)
}

/// A control message that claims to be one and cannot be read: what carried it, and why.
fn malformed(carrier: Skip, why: impl std::fmt::Display) -> Skip {
    Skip::BadControl { carrier: Box::new(carrier), why: why.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::arp::tests::{hex, REQUEST};
    use crate::decode::arp::ArpOp;
    use crate::decode::{decode, Decoded};
    use crate::frame::{Frame, LinkType};
    use std::time::Duration;

    fn frame(hex_bytes: &str, link: LinkType) -> Frame {
        let data = hex(hex_bytes);
        Frame { ts: Duration::ZERO, link, orig_len: data.len() as u32, data }
    }

    /// The SYN of the lab's echo-link1.pcap, frame 3 (Ethernet, IPv4, TCP).
    const SYN: &str = "02000000010102000000010208004500003c1f494000400604700a0001020a0002029542ff98ef04186200000000a002faf017320000020405b40402080acf709677000000000103030a";

    #[test]
    fn arp_in_an_ethernet_frame() {
        let Ok(Decoded::Control(c)) = decode(&frame(REQUEST, LinkType::Ethernet)) else { panic!() };
        assert_eq!(c.macs, Some(([2, 0, 0, 0, 1, 2], [0xff; 6])));
        assert!(matches!(c.message, Message::Arp(Arp { op: ArpOp::Request, .. })));
        assert_eq!(c.message.src(), "10.0.1.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn tcp_is_not_a_control_message_and_short_arp_is_said() {
        assert!(matches!(decode(&frame(SYN, LinkType::Ethernet)), Ok(Decoded::Segment(_))));
        let arp = hex(REQUEST);
        for n in 0..arp.len() {
            let f =
                Frame { ts: Duration::ZERO, link: LinkType::Ethernet, orig_len: 42, data: arp[..n].to_vec() };
            let got = decode(&f);
            let want = if n < 14 {
                Skip::Truncated { layer: "Ethernet", need: 14, have: n }
            } else {
                malformed(
                    Skip::NotIp(ETHERTYPE_ARP),
                    format!("truncated ARP message: {} of 28 bytes", n - 14),
                )
            };
            assert_eq!(got, Err(want), "{n}");
        }
    }
}
