//! The network's own messages in a captured frame — ARP, ICMP, ICMPv6 and
//! neighbour discovery — as opposed to the TCP segments `decode` follows.
//! One frame in, one [`Control`] out (or `None` when the frame is not one); pure.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use crate::arp::{decode_arp, Arp, ETHERTYPE_ARP};
use crate::decode::Skip;
use crate::frame::{Frame, LinkType};
use crate::icmp::{decode_icmp, Icmp, IPPROTO_ICMP, IPPROTO_ICMPV6};
use crate::icmpv6::{decode_icmpv6, Icmpv6};

/// A control message, with the addresses that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Source and destination MAC, when the frame has an Ethernet header.
    pub macs: Option<([u8; 6], [u8; 6])>,
    pub message: Message,
}

/// A control frame of the trace, shown in its place between the TCP segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlFrame {
    /// Frame number in the capture, from 1 (`frame.number`).
    pub frame: u64,
    /// Since the first frame.
    pub time: Duration,
    pub control: Control,
    /// For a neighbour reply (ARP, ICMPv6), how the request it answers was sent,
    /// when the trace held that request ([`crate::neighbours`]).
    pub asked: Option<crate::neighbours::Asked>,
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

/// The control message of a frame the TCP decoder skipped as ARP (EtherType
/// 0x0806), ICMP (IP protocol 1) or ICMPv6 (58); `None` for any other skip.
pub fn of_skipped(frame: &Frame, why: &Skip) -> Option<Result<Control, String>> {
    match why {
        Skip::NotIp(ETHERTYPE_ARP) | Skip::NotTcp(IPPROTO_ICMP | IPPROTO_ICMPV6) => decode_control(frame),
        _ => None,
    }
}

/// The frame's control message: `None` when it is something else (TCP, UDP, …),
/// `Some(Err(why))` when it claims to be one and is malformed.
pub fn decode_control(frame: &Frame) -> Option<Result<Control, String>> {
    let (macs, ethertype, rest) = link_payload(frame)?;
    let message = match ethertype {
        ETHERTYPE_ARP => decode_arp(rest).map(Message::Arp).map_err(|e| e.to_string()),
        0x0800 => ipv4_icmp(rest)?,
        0x86dd => ipv6_icmp(rest)?,
        _ => return None,
    };
    Some(message.map(|message| Control { macs, message }))
}

/// Source and destination MAC of an Ethernet frame.
pub type Macs = ([u8; 6], [u8; 6]);

/// L2: the MACs (when the link has them), the EtherType and the bytes of the
/// network layer, for Ethernet with one optional VLAN tag, Linux cooked v1/v2
/// and raw IP; `None` for other links or a frame too short for its header.
pub fn link_payload(frame: &Frame) -> Option<(Option<Macs>, u16, &[u8])> {
    let data = frame.data.as_slice();
    Some(match frame.link {
        LinkType::Ethernet => {
            let h = data.get(..14)?;
            let mac = |i: usize| -> [u8; 6] { [h[i], h[i + 1], h[i + 2], h[i + 3], h[i + 4], h[i + 5]] };
            let mut t = u16::from_be_bytes([h[12], h[13]]);
            let mut start = 14;
            if t == 0x8100 {
                let tag = data.get(16..18)?;
                t = u16::from_be_bytes([tag[0], tag[1]]);
                start = 18;
            }
            (Some((mac(6), mac(0))), t, &data[start..])
        }
        LinkType::LinuxSll => (None, u16::from_be_bytes([*data.get(14)?, *data.get(15)?]), data.get(16..)?),
        LinkType::LinuxSll2 => (None, u16::from_be_bytes([*data.first()?, *data.get(1)?]), data.get(20..)?),
        LinkType::RawIp => (None, if data.first()? >> 4 == 6 { 0x86dd } else { 0x0800 }, data),
        LinkType::Null | LinkType::Ppp | LinkType::IpOverIb | LinkType::Unsupported(_) => return None,
    })
}

/// L3 IPv4 → ICMP. `None` unless the protocol is ICMP in an unfragmented datagram.
fn ipv4_icmp(ip: &[u8]) -> Option<Result<Message, String>> {
    let h = ip.get(..20)?;
    let header_len = usize::from(h[0] & 0x0f) * 4;
    let fragment_offset = u16::from_be_bytes([h[6] & 0x1f, h[7]]);
    if h[9] != IPPROTO_ICMP || fragment_offset != 0 || header_len < 20 {
        return None;
    }
    let len = u16::from_be_bytes([h[2], h[3]]);
    // Cut at the IP length: Ethernet pads short frames.
    let end = usize::from(len).clamp(header_len, ip.len().max(header_len));
    let body = ip.get(header_len..end).unwrap_or(&[]);
    let src = Ipv4Addr::new(h[12], h[13], h[14], h[15]);
    let dst = Ipv4Addr::new(h[16], h[17], h[18], h[19]);
    Some(
        decode_icmp(body)
            .map(|icmp| Message::Icmp { src, dst, ttl: h[8], len, icmp })
            .map_err(|e| e.to_string()),
    )
}

/// L3 IPv6 → ICMPv6, following one hop-by-hop options header (MLD reports carry one).
fn ipv6_icmp(ip: &[u8]) -> Option<Result<Message, String>> {
    let h = ip.get(..40)?;
    let (mut next, mut start) = (h[6], 40);
    if next == 0 {
        let ext = ip.get(40..42)?;
        next = ext[0];
        start += (usize::from(ext[1]) + 1) * 8;
    }
    if next != IPPROTO_ICMPV6 {
        return None;
    }
    let end = (40 + usize::from(u16::from_be_bytes([h[4], h[5]]))).min(ip.len());
    let body = ip.get(start..end.max(start)).unwrap_or(&[]);
    let addr = |i: usize| -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&h[i..i + 16]);
        Ipv6Addr::from(a)
    };
    let (src, dst, hop_limit) = (addr(8), addr(24), h[7]);
    Some(
        decode_icmpv6(body)
            .map(|icmp| Message::Icmpv6 { src, dst, hop_limit, icmp })
            .map_err(|e| e.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arp::tests::{hex, REQUEST};
    use crate::arp::ArpOp;
    use std::time::Duration;

    fn frame(hex_bytes: &str, link: LinkType) -> Frame {
        let data = hex(hex_bytes);
        Frame { ts: Duration::ZERO, link, orig_len: data.len() as u32, data }
    }

    /// The SYN of the lab's echo-link1.pcap, frame 3 (Ethernet, IPv4, TCP).
    const SYN: &str = "02000000010102000000010208004500003c1f494000400604700a0001020a0002029542ff98ef04186200000000a002faf017320000020405b40402080acf709677000000000103030a";

    #[test]
    fn arp_in_an_ethernet_frame() {
        let c = decode_control(&frame(REQUEST, LinkType::Ethernet)).unwrap().unwrap();
        assert_eq!(c.macs, Some(([2, 0, 0, 0, 1, 2], [0xff; 6])));
        assert!(matches!(c.message, Message::Arp(Arp { op: ArpOp::Request, .. })));
        assert_eq!(c.message.src(), "10.0.1.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn tcp_is_not_a_control_message_and_junk_does_not_panic() {
        assert_eq!(decode_control(&frame(SYN, LinkType::Ethernet)), None);
        let arp = hex(REQUEST);
        for n in 0..arp.len() {
            let f =
                Frame { ts: Duration::ZERO, link: LinkType::Ethernet, orig_len: 42, data: arp[..n].to_vec() };
            let got = decode_control(&f);
            assert_eq!(got.is_none(), n < 14, "{n}: {got:?}");
        }
        for link in [LinkType::Ethernet, LinkType::LinuxSll, LinkType::LinuxSll2, LinkType::RawIp] {
            for len in 0..80 {
                let data: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
                let _ = decode_control(&Frame { ts: Duration::ZERO, link, orig_len: len, data });
            }
        }
    }
}
