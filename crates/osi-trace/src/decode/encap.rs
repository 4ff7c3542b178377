//! What sits between the capture's link header and the IP header that carries
//! the TCP: VLAN tags, PPPoE, MPLS, and tunnels' outer headers. Encapsulation
//! is itself the OSI lesson: each is one more layer, named here in words.

use std::fmt;

use super::{Ip, IpLength};

/// The outer headers found so far, and where each starts in the frame's bytes
/// (what the explorer's byte pane colours). Offsets come from where a header's
/// slice lies in the frame: no second reading of any length field.
pub(super) struct Outer<'f> {
    pub layers: Vec<Encap>,
    pub at: Vec<Option<usize>>,
    /// The frame's captured bytes; `None` once the walk left them (a reassembled datagram).
    frame: Option<&'f [u8]>,
}

impl<'f> Outer<'f> {
    pub fn new(frame: &'f [u8]) -> Outer<'f> {
        Outer { layers: Vec::new(), at: Vec::new(), frame: Some(frame) }
    }

    /// Where `part` starts in the frame: `None` when it lies elsewhere (reassembled bytes).
    pub fn offset(&self, part: &[u8]) -> Option<usize> {
        let frame = self.frame?;
        let (start, at) = (frame.as_ptr() as usize, part.as_ptr() as usize);
        (at >= start && at + part.len() <= start + frame.len()).then(|| at - start)
    }

    /// One more outer header, starting at `header`'s first byte.
    pub fn push(&mut self, e: Encap, header: &[u8]) {
        let at = self.offset(header);
        self.push_at(e, at);
    }

    pub fn push_at(&mut self, e: Encap, at: Option<usize>) {
        self.layers.push(e);
        self.at.push(at);
    }

    /// From here on the bytes are a reassembled datagram's, not the frame's.
    pub fn leave_frame(&mut self) {
        self.frame = None;
    }
}

/// One header outside the segment's own IP header, outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encap {
    /// An 802.1Q VLAN tag (TPID 0x8100), or an 802.1ad service tag (0x88a8, QinQ's outer).
    Vlan { tpid: u16, id: u16, pcp: u8 },
    /// A PPPoE session header and the PPP protocol number inside.
    Pppoe { session: u16, protocol: u16 },
    /// One MPLS label stack entry.
    Mpls { label: u32, tc: u8, ttl: u8 },
    /// An IP header carrying another network layer (IP-in-IP, 6in4) or a tunnel.
    Ip(Ip),
    /// A GRE header: the EtherType of what it carries, and its key if any.
    Gre { protocol: u16, key: Option<u32> },
    /// The UDP header of a UDP tunnel.
    Udp { src_port: u16, dst_port: u16 },
    /// A VXLAN header: the 24-bit network identifier.
    Vxlan { vni: u32 },
    /// A Geneve header: network identifier and the protocol type inside.
    Geneve { vni: u32, protocol: u16 },
    /// An Ethernet header carried inside a tunnel.
    Ethernet { src: [u8; 6], dst: [u8; 6], ethertype: u16 },
}

impl Encap {
    /// The OSI layer of this header, for the `--layers` view.
    pub fn layer(&self) -> &'static str {
        match self {
            Encap::Vlan { .. } | Encap::Pppoe { .. } | Encap::Ethernet { .. } => "L2",
            Encap::Mpls { .. } => "L2.5",
            Encap::Ip(_) | Encap::Gre { .. } => "L3",
            Encap::Udp { .. } | Encap::Vxlan { .. } | Encap::Geneve { .. } => "L4",
        }
    }
}

impl fmt::Display for Encap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encap::Vlan { tpid: 0x8100, id, pcp } => write!(f, "802.1Q VLAN tag: VLAN {id}, priority {pcp}"),
            Encap::Vlan { tpid, id, pcp } => {
                write!(f, "802.1ad service tag (QinQ, TPID 0x{tpid:04x}): VLAN {id}, priority {pcp}")
            }
            Encap::Pppoe { session, protocol } => {
                write!(f, "PPPoE session 0x{session:04x}, PPP protocol 0x{protocol:04x}")
            }
            Encap::Mpls { label, tc, ttl } => write!(f, "MPLS label {label}, traffic class {tc}, TTL {ttl}"),
            Encap::Ip(ip) => {
                let v = if ip.id.is_some() { "IPv4" } else { "IPv6" };
                write!(
                    f,
                    "{v} {} → {} (tunnel endpoints: the IP packet inside is its payload)",
                    ip.src, ip.dst
                )
            }
            Encap::Gre { protocol, key } => {
                write!(f, "GRE tunnel, carrying EtherType 0x{protocol:04x}")?;
                key.map_or(Ok(()), |k| write!(f, ", key {k}"))
            }
            Encap::Udp { src_port, dst_port } => write!(f, "UDP {src_port} → {dst_port} (a tunnel over UDP)"),
            Encap::Vxlan { vni } => write!(f, "VXLAN network {vni}: a whole Ethernet frame inside"),
            Encap::Geneve { vni, protocol } => {
                write!(f, "Geneve network {vni}, carrying EtherType 0x{protocol:04x}")
            }
            Encap::Ethernet { src, dst, ethertype } => {
                let (src, dst) = (super::mac::mac(src), super::mac::mac(dst));
                write!(f, "Ethernet {src} → {dst}, type 0x{ethertype:04x} (inside the tunnel)")
            }
        }
    }
}

impl IpLength {
    /// A note for the L3 line when the length did not come from the header as is.
    pub fn note(&self) -> Option<String> {
        match self {
            IpLength::Header => None,
            IpLength::ZeroInHeader => Some(
                "the header says 0: captured before segmentation offload (TSO/GRO) cut it, length taken from the frame"
                    .into(),
            ),
            IpLength::Reassembled { fragments } => Some(format!(
                "reassembled from {fragments} fragments: this frame completed the datagram"
            )),
            IpLength::LongerThanFrame { header } => {
                Some(format!("the header says {header}, more than the frame held: taken as captured"))
            }
        }
    }
}
