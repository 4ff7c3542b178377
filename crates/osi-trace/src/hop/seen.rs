//! One frame of a hop capture, reduced to what the hop view compares: its L2
//! addresses, the L3 fields a router changes (TTL / hop limit) and those it must
//! not (addresses, IPv4 id), and a fingerprint of everything above L3. Pure.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::time::Duration;

use crate::decode::arp::ETHERTYPE_ARP;
use crate::decode::control::{Control, Message};
use crate::decode::{self, Decoded, Skip};
use crate::frame::Frame;

/// A frame of one link's capture, as the hop view sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Frame number in its own file, from 1 (`frame.number`).
    pub frame: u64,
    /// Capture time since the Unix epoch: both links are captured on one host,
    /// so the two files share one clock.
    pub ts: Duration,
    /// L2 source and destination MAC, when the link has them.
    pub macs: Option<([u8; 6], [u8; 6])>,
    pub what: What,
}

/// What the frame carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// An IP datagram: a router forwards these.
    Datagram(Datagram),
    /// ARP: L2, never forwarded.
    Arp(Control),
    /// Neither IP nor ARP (or a header too short to read): the reason.
    Other(String),
}

/// An IP datagram's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit: the one L3 field each router lowers.
    pub ttl: u8,
    /// IPv4 identification (`None` for IPv6): the sender's, kept by routers.
    pub id: Option<u16>,
    /// IPv4 protocol, or IPv6 next header.
    pub protocol: u8,
    /// One piece of a fragmented IPv4 datagram (MF set or an offset).
    pub fragment: bool,
    /// A hash of every byte after the IP header (up to the IP length): a router
    /// leaves them as they were, so equal hashes mean the same L4 header and data.
    pub fingerprint: u64,
    /// The TCP header's fields, when it is a TCP segment.
    pub tcp: Option<TcpFacts>,
    /// ICMP / ICMPv6, decoded (echo, unreachable, neighbour discovery…).
    /// Boxed: most datagrams carry none, and a waiting frame is kept whole.
    pub control: Option<Box<Control>>,
}

/// The TCP fields the hop view shows; raw (absolute) sequence numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpFacts {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    /// Payload bytes, from the IP header's length (`tcp.len`).
    pub len: u32,
}

impl TcpFacts {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

impl Datagram {
    /// What a copy of this datagram on the other link must share with it.
    pub fn key(&self) -> (IpAddr, IpAddr, u8, Option<u16>, u64) {
        (self.src, self.dst, self.protocol, self.id, self.fingerprint)
    }

    /// Neighbour discovery (RFC 4861: hop limit 255, never forwarded), or a
    /// datagram to a link-local address or multicast group: it stays on its link.
    pub fn is_link_local(&self) -> bool {
        let local = match self.dst {
            IpAddr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80 || (a.segments()[0] & 0xff0f) == 0xff02,
            IpAddr::V4(a) => a.is_link_local() || a.is_broadcast() || a.octets()[..3] == [224, 0, 0],
        };
        local || self.is_neighbour_discovery()
    }

    /// ICMPv6 router/neighbour solicitation or advertisement.
    pub fn is_neighbour_discovery(&self) -> bool {
        use crate::decode::icmpv6::Icmpv6::*;
        matches!(
            self.control.as_ref().map(|c| &c.message),
            Some(Message::Icmpv6 {
                icmp: NeighbourSolicitation { .. }
                    | NeighbourAdvertisement { .. }
                    | RouterSolicitation
                    | RouterAdvertisement,
                ..
            })
        )
    }
}

/// Reduces one frame (number `frame` of its file) to what the hop view compares,
/// from the decoder's one walk down its layers.
pub fn see(frame_number: u64, frame: &Frame) -> Seen {
    let walked = decode::walk(frame);
    let what = match (walked.datagram, walked.decoded) {
        (Some(d), decoded) => What::Datagram(datagram(frame, d, decoded)),
        (None, Ok(Decoded::Control(c))) => What::Arp(c),
        // Proven invariant: the walk notes the datagram before it reads the TCP inside.
        (None, Ok(Decoded::Segment(_))) => unreachable!("a segment is carried by a datagram"),
        (None, Err(why)) => What::Other(match why {
            Skip::UnsupportedLink(_) => "a link type the hop view does not read".into(),
            Skip::Truncated { layer: layer @ ("IPv4" | "IPv6"), .. } => {
                format!("an {layer} header too short to read")
            }
            Skip::BadControl { carrier, .. } if *carrier == Skip::NotIp(ETHERTYPE_ARP) => {
                "a malformed ARP message".into()
            }
            other => other.to_string(),
        }),
    };
    Seen { frame: frame_number, ts: frame.ts, macs: walked.macs, what }
}

/// An IP datagram's facts: its header's, a fingerprint of its bytes above the
/// fixed IP header, and L4 as the decoder read it (TCP's header, ICMP's message).
fn datagram(frame: &Frame, d: decode::Datagram, decoded: Result<Decoded, Skip>) -> Datagram {
    let ip = &d.ip;
    // IPv6: the extension headers count too, a router changes none of them.
    let fixed = if ip.id.is_some() { ip.header_len } else { 40 };
    let above = frame.data.get(d.bytes.start + fixed..d.bytes.end).unwrap_or_default();
    let (mut tcp, mut control) = (None, None);
    match decoded {
        Ok(Decoded::Segment(seg)) => {
            let t = &seg.tcp;
            tcp = Some(TcpFacts {
                src_port: t.src_port,
                dst_port: t.dst_port,
                seq: t.seq,
                ack: t.ack,
                flags: t.flags,
                len: seg.payload_len,
            });
        }
        Ok(Decoded::Control(c)) => control = Some(Box::new(c)),
        Err(_) => {}
    }
    Datagram {
        src: ip.src,
        dst: ip.dst,
        ttl: ip.ttl,
        id: ip.id,
        protocol: d.protocol,
        fragment: ip.fragment.is_some(),
        fingerprint: fingerprint(above),
        tcp,
        control,
    }
}

/// The bytes after the IP header, cut at the IP length (Ethernet pads short frames).
fn fingerprint(above: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    above.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flags;
    use crate::frame::LinkType;

    fn frame(hex: &str) -> Frame {
        let data: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        Frame { ts: Duration::ZERO, link: LinkType::Ethernet, orig_len: data.len() as u32, data }
    }

    /// The SYN of the lab's echo-link1.pcap, frame 3.
    const SYN: &str = "02000000010102000000010208004500003c1f494000400604700a0001020a0002029542ff98ef04186200000000a002faf017320000020405b40402080acf709677000000000103030a";

    #[test]
    fn a_syn_keeps_its_fields_and_one_hop_changes_only_ttl_macs_and_checksum() {
        let a = see(3, &frame(SYN));
        let What::Datagram(d) = &a.what else { panic!("{a:?}") };
        assert_eq!((d.ttl, d.id, d.protocol), (64, Some(0x1f49), 6));
        assert_eq!(a.macs, Some(([2, 0, 0, 0, 1, 2], [2, 0, 0, 0, 1, 1])));
        let t = d.tcp.unwrap();
        assert_eq!(
            (t.src_port, t.dst_port, t.seq, t.flags, t.len),
            (38210, 65432, 0xef041862, flags::SYN, 0)
        );
        // The same SYN on link2 (frame 3 of echo-link2.pcap): new MACs, TTL 63, new checksum.
        let b = see(
            3,
            &frame(
                &SYN.replacen("020000000101020000000102", "020000000202020000000201", 1)
                    .replacen("4006047", "3f06057", 1),
            ),
        );
        let What::Datagram(e) = &b.what else { panic!("{b:?}") };
        assert_eq!(e.key(), d.key());
        assert_eq!(e.ttl, 63);
    }

    #[test]
    fn short_and_odd_frames_are_said_not_panicked() {
        let syn = frame(SYN);
        for n in 0..syn.data.len() {
            let f = Frame { data: syn.data[..n].to_vec(), ..syn.clone() };
            let s = see(1, &f);
            assert_eq!(matches!(s.what, What::Datagram(_)), n >= 34, "{n}: {s:?}");
        }
    }
}
