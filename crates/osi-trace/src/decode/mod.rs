//! Decoding: one captured frame's bytes, walked once down its layers
//! (`link_layer → ethertype_chain → network`), → what the frame is: a TCP
//! segment (one struct per layer: L2 link, L3 network, L4 transport, L7
//! payload), a control message (ARP, ICMP, ICMPv6), or a [`Skip`] that says
//! why neither. Pure code over bytes: it never panics, whatever the input.
//! pnet's packet views read the fixed header fields, once the lengths they
//! rely on have been checked here.

use std::fmt;
use std::net::IpAddr;

use crate::frame::Frame;

pub mod arp;
mod bytes;
pub mod control;
mod defrag;
mod encap;
pub mod icmp;
pub mod icmpv6;
mod ip;
mod link;
pub mod mac;
pub mod seqnum;
mod tcp;
mod tunnel;

pub use control::{Control, Macs, Message};
pub use defrag::DefragStats;
pub use encap::Encap;

use bytes::Bytes;
use defrag::Reassembler;
use encap::Outer;
use link::link_layer;
use seqnum::seq_gt;
use tunnel::{network, Defrag, NoDefrag, Walk};

/// What comes after a link header or a tunnel header.
#[derive(Debug, Clone, Copy)]
enum Next {
    /// The network layer this EtherType names.
    EtherType(u16),
    /// IP, whose version nibble says 4 or 6 (raw IP, BSD loopback, MPLS).
    IpByVersion,
}

/// L2: the link-layer header, as captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Ethernet II. On `lo` both MACs are all-zero: a placeholder header.
    Ethernet { src: [u8; 6], dst: [u8; 6], ethertype: u16 },
    /// Linux cooked capture (SLL or SLL2): no real link header was recorded.
    Cooked { ethertype: u16, v2: bool },
    /// The frame starts at the IP header.
    Raw,
    /// BSD loopback: a 4-byte address family.
    Null,
    /// PPP: no addresses, a protocol number (0x0021 IPv4, 0x0057 IPv6).
    Ppp { protocol: u16 },
    /// IP over InfiniBand: InfiniBand addresses (not shown), an EtherType.
    IpOverIb { ethertype: u16 },
}

impl Link {
    /// Whether this is loopback's all-zero placeholder Ethernet header.
    pub fn is_loopback_placeholder(&self) -> bool {
        matches!(self, Link::Ethernet { src, dst, .. } if *src == [0; 6] && *dst == [0; 6])
    }
}

/// L3: the IP header fields a learner needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ip {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// TTL (IPv4) or hop limit (IPv6).
    pub ttl: u8,
    /// The IP datagram's length, header included (IPv6: payload length + 40).
    pub total_len: u32,
    /// IPv4 identification; `None` for IPv6.
    pub id: Option<u16>,
    /// IPv4 Don't Fragment.
    pub df: bool,
    /// Header length in bytes (IPv6: with its extension headers).
    pub header_len: usize,
    /// Where `total_len` came from.
    pub length: IpLength,
    /// Set when this header is one fragment of a datagram (before reassembly).
    pub fragment: Option<Fragment>,
}

/// Where an IP datagram's length came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IpLength {
    /// The header's length field, as it should be.
    #[default]
    Header,
    /// The header says 0 (captured before TSO/GRO/BIG TCP cut it): taken from the frame.
    ZeroInHeader,
    /// The header says more than the frame held on the wire: taken as captured.
    LongerThanFrame { header: u32 },
    /// Put together from this many fragments; this frame completed the datagram.
    Reassembled { fragments: u32 },
}

/// One fragment of an IP datagram: IPv4's header fields, or IPv6's Fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    /// The datagram's identification.
    pub id: u32,
    /// Where this piece starts in the datagram's payload, in bytes.
    pub offset: u32,
    /// More fragments follow (MF).
    pub more: bool,
}

/// TCP flags, as in the header's low byte (plus the NS bit, unused here).
pub mod flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub const URG: u8 = 0x20;
    pub const ECE: u8 = 0x40;
    pub const CWR: u8 = 0x80;
}

/// TCP options the lessons talk about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_perm: bool,
    /// Timestamps: (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
    /// Number of SACK blocks.
    pub sack_blocks: usize,
    /// The SACK blocks themselves: (left edge, right edge), raw sequence numbers.
    pub sack: Vec<(u32, u32)>,
    /// The option list could not be fully parsed (bad length byte).
    pub malformed: bool,
    /// The capture's snap length cut the option list: only the options before the cut are here.
    pub cut: bool,
}

/// L4: the TCP header, with raw (absolute) numbers; the analysis makes them relative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tcp {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    /// The eight flags of the header's low byte (CWR … FIN), as [`flags`] names them.
    pub flags: u8,
    /// All 12 bits after the data offset: the 3 reserved bits, AE (formerly NS,
    /// 0x100, Accurate ECN) and the eight flags; what Wireshark's `tcp.flags` shows.
    pub flags12: u16,
    /// The window field as sent, before any scaling.
    pub window: u16,
    pub header_len: usize,
    pub options: TcpOptions,
}

impl Tcp {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Whether the first SACK block is a D-SACK (RFC 2883): bytes that arrived twice, a
    /// block below the ACK or inside the second block. `None` without SACK blocks.
    pub fn dsack(&self) -> Option<bool> {
        let &(left, right) = self.options.sack.first()?;
        Some(
            !seq_gt(left, self.ack)
                || self.options.sack.get(1).is_some_and(|&(l, r)| !seq_gt(l, left) && !seq_gt(right, r)),
        )
    }
}

/// One decoded TCP segment, all four layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub link: Link,
    /// Headers between the link header and `ip` (VLAN tags, PPPoE, MPLS,
    /// tunnels' outer headers), outermost first; empty for a plain frame.
    pub outer: Vec<Encap>,
    pub ip: Ip,
    pub tcp: Tcp,
    /// L7: the payload bytes captured.
    pub payload: Vec<u8>,
    /// The payload length the IP header announces; more than `payload.len()`
    /// when the capture cut the frame short.
    pub payload_len: u32,
    /// Where each layer starts in the frame's captured bytes.
    pub layout: Layout,
}

/// Where each layer of a [`Segment`] starts in its frame's captured bytes (the
/// link header starts at 0), for a view that shows the bytes by layer. `None`
/// where a header is not in this frame's bytes as such: above the IP header of
/// a datagram put together from fragments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Each of [`Segment::outer`]'s headers, in the same order.
    pub outer: Vec<Option<usize>>,
    /// The segment's own IP header.
    pub ip: Option<usize>,
    /// The TCP header; the payload follows it, `tcp.header_len` bytes on.
    pub tcp: Option<usize>,
}

/// What one frame is, from the one walk down its layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A TCP segment, all four layers.
    Segment(Segment),
    /// The network's own message around TCP: ARP, ICMP or ICMPv6.
    Control(Control),
}

/// The outermost IP datagram a walk met (what a router forwards): its header, the
/// protocol it carries, and where it lies in the frame's captured bytes, from
/// its IP header's first byte to the datagram's end (Ethernet padding left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    pub ip: Ip,
    /// IPv4's protocol, or the next header after IPv6's extension headers.
    pub protocol: u8,
    pub bytes: std::ops::Range<usize>,
}

/// One frame walked for the hop view: the decoder's answer, the MACs of its
/// link header, and the outermost IP datagram met on the way, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    pub macs: Option<Macs>,
    pub datagram: Option<Datagram>,
    pub decoded: Result<Decoded, Skip>,
}

/// Why a frame was neither a TCP segment nor a control message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Not IPv4 or IPv6 (e.g. ARP); carries the EtherType.
    NotIp(u16),
    /// Not IP inside a link that numbers its protocols itself (PPP).
    NotIpOver { link: &'static str, protocol: u16 },
    /// A link type the decoder does not read (its pcap number).
    UnsupportedLink(u32),
    /// IP, but not TCP; carries the protocol number.
    NotTcp(u8),
    /// An IPv4 fragment after the first: no TCP header in it.
    Fragment,
    /// Shorter than the header it must hold.
    Truncated { layer: &'static str, need: usize, have: usize },
    /// A header length field that cannot be right.
    BadHeader { layer: &'static str, why: String },
    /// An ARP, ICMP or ICMPv6 message that cannot be read: what carried it, and why.
    BadControl { carrier: Box<Skip>, why: String },
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::NotIp(t) => write!(f, "not IP (EtherType 0x{t:04x})"),
            Skip::NotIpOver { link, protocol } => write!(f, "{link} protocol 0x{protocol:04x}, not IP"),
            Skip::UnsupportedLink(n) => write!(f, "link type {n}, which osi-trace does not decode"),
            Skip::NotTcp(p) => write!(f, "IP protocol {p}, not TCP"),
            Skip::Fragment => {
                f.write_str("IP fragment (the frame that completes the datagram shows its TCP)")
            }
            Skip::Truncated { layer, need, have } => {
                write!(f, "truncated {layer} header: {have} of {need} bytes")
            }
            Skip::BadHeader { layer, why } => write!(f, "malformed {layer} header: {why}"),
            Skip::BadControl { carrier, why } => write!(f, "{carrier}: {why}"),
        }
    }
}

/// Decodes one frame: its TCP segment or control message. A fragment of an
/// IP datagram is skipped: the reassembling [`Decoder`] puts fragments together.
pub fn decode(frame: &Frame) -> Result<Decoded, Skip> {
    decode_with(frame, &mut NoDefrag, false).decoded
}

/// Decodes one frame as [`decode`] does, keeping what the hop view compares
/// besides: the link's MACs and the outermost IP datagram.
pub fn walk(frame: &Frame) -> Walked {
    decode_with(frame, &mut NoDefrag, true)
}

/// A decoder with memory across frames: it reassembles fragmented IP
/// datagrams, so a TCP segment sent in fragments is decoded with the frame
/// that completes it (as Wireshark shows it); the other pieces are skipped.
#[derive(Default)]
pub struct Decoder {
    defrag: Reassembler,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes one frame, in capture order.
    pub fn decode(&mut self, frame: &Frame) -> Result<Decoded, Skip> {
        self.defrag.now = frame.ts;
        decode_with(frame, &mut self.defrag, false).decoded
    }

    /// Datagrams reassembled and dropped incomplete so far.
    pub fn defrag_stats(&self) -> DefragStats {
        self.defrag.stats
    }
}

/// The one walk: link header, the EtherType chain, then the network layer and
/// what it carries. `keep`: note the outermost datagram (the hop view's).
fn decode_with(frame: &Frame, defrag: &mut dyn Defrag, keep: bool) -> Walked {
    let mut outer = Outer::new(&frame.data);
    let (link, next, rest) = match link_layer(frame.link, &frame.data, &mut outer) {
        Ok(l) => l,
        Err(why) => return Walked { macs: None, datagram: None, decoded: Err(why) },
    };
    // The bytes the frame had on the wire past those captured (snap length).
    let missing = (frame.orig_len as usize).saturating_sub(frame.data.len());
    let macs = control::macs(&link);
    let mut walk = Walk { link, outer, defrag, depth: 0, datagram: None, keep };
    let decoded = network(next, Bytes { data: rest, missing }, &mut walk);
    Walked { macs, datagram: walk.datagram, decoded }
}

fn truncated(layer: &'static str, need: usize, have: usize) -> Skip {
    Skip::Truncated { layer, need, have }
}

fn bad(layer: &'static str, why: String) -> Skip {
    Skip::BadHeader { layer, why }
}

/// Tests' shorthand: the frame's TCP segment, or why it is none.
#[cfg(test)]
pub fn segment(frame: &Frame) -> Result<Segment, Skip> {
    decode(frame).and_then(Decoded::tcp)
}

impl Decoded {
    /// Tests' shorthand: the segment (a control message fails the test).
    #[cfg(test)]
    pub fn tcp(self) -> Result<Segment, Skip> {
        match self {
            Decoded::Segment(s) => Ok(s),
            Decoded::Control(c) => panic!("a control message, not a segment: {c:?}"),
        }
    }
}

#[cfg(test)]
pub mod craft;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_defrag;
#[cfg(test)]
mod tests_encap;
