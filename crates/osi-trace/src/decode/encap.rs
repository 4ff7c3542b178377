//! What sits between the capture's link header and the IP header that carries
//! the TCP: VLAN tags, PPPoE, MPLS, and tunnels' outer headers. Encapsulation
//! is itself the OSI lesson: each is one more layer (`render::words::layers` names
//! each in words).

use super::Ip;

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
