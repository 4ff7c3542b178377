//! The words of the `--layers` view (and of the explorer's layer lines): what a
//! link header is when it is not a real one, the prose pieces between the header
//! fields, the notes on an IP length or an outer header. Header field names
//! (`TTL`, `flags`, `seq`, `window`, `MSS`, …) are Wireshark's, the same in both
//! languages; the prose around them asks [`kit::lang::vi`] once per segment.

use std::fmt;

use crate::decode::{Encap, IpLength};
use crate::render::lang::layers as vi;

/// The fixed pieces of one segment's layer lines, in one language.
pub struct Words {
    /// After a loopback's Ethernet header (begins with ` — `).
    pub loopback: &'static str,
    /// A cooked capture's missing link header, in parentheses.
    pub no_link_header: &'static str,
    /// A capture that starts at the IP header.
    pub none_recorded: &'static str,
    pub bsd_loopback: &'static str,
    /// PPP's lack of addresses, in parentheses.
    pub point_to_point: &'static str,
    /// `, total length ` before the IP length.
    pub total_length: &'static str,
    /// ` (raw ` before a number as on the wire.
    pub raw: &'static str,
    /// The window's scale when the handshake was not captured.
    pub scale_unknown: &'static str,
    /// `bytes` after a count of bytes.
    pub bytes: &'static str,
    /// `, options: ` before the first TCP option.
    pub options: &'static str,
    /// `SACK N blocks`: the word after N.
    pub blocks: &'static str,
    pub malformed_options: &'static str,
    pub no_payload: &'static str,
    /// `captured` in `N bytes, M captured`.
    pub captured: &'static str,
    /// The tag of the cause's line.
    pub cause: &'static str,
}

const EN: Words = Words {
    loopback: " — loopback: a placeholder header (all-zero MACs), no real link, no ARP",
    no_link_header: "no link header recorded",
    none_recorded: "none recorded: the capture starts at the IP header",
    bsd_loopback: "BSD loopback header",
    point_to_point: "a point-to-point link: no addresses",
    total_length: ", total length ",
    raw: " (raw ",
    scale_unknown: " (scale unknown: handshake not captured)",
    bytes: "bytes",
    options: ", options: ",
    blocks: "blocks",
    malformed_options: "malformed option list",
    no_payload: "no payload",
    captured: "captured",
    cause: "cause",
};

/// The pieces in the process's language.
pub fn words() -> &'static Words {
    if kit::lang::vi() {
        &vi::WORDS
    } else {
        &EN
    }
}

/// `N bytes, M captured` (the payload cut by the snap length), without the preview.
pub fn cut_payload(len: u32, captured: usize) -> String {
    let w = words();
    if kit::lang::vi() {
        return format!("{len} {}, {} {captured}", w.bytes, w.captured);
    }
    format!("{len} {}, {captured} {}", w.bytes, w.captured)
}

/// A note for the L3 line when the IP length did not come from the header as is.
pub fn length_note(length: &IpLength) -> Option<String> {
    if kit::lang::vi() {
        return vi::length_note(length);
    }
    match length {
        IpLength::Header => None,
        IpLength::ZeroInHeader => Some(
            "the header says 0: captured before segmentation offload (TSO/GRO) cut it, length taken from the frame"
                .into(),
        ),
        IpLength::Reassembled { fragments } => {
            Some(format!("reassembled from {fragments} fragments: this frame completed the datagram"))
        }
        IpLength::LongerThanFrame { header } => {
            Some(format!("the header says {header}, more than the frame held: taken as captured"))
        }
    }
}

/// An outer header (VLAN tag, PPPoE, MPLS, a tunnel's) in one line.
pub fn encap(e: &Encap) -> EncapWords<'_> {
    EncapWords(e)
}

/// An outer header's words, written where they go.
pub struct EncapWords<'a>(&'a Encap);

impl fmt::Display for EncapWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if kit::lang::vi() {
            return vi::encap(self.0, f);
        }
        match self.0 {
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
            Encap::Ethernet { src, dst, ethertype } => write!(
                f,
                "Ethernet {} → {}, type 0x{ethertype:04x} (inside the tunnel)",
                crate::decode::mac::mac(src),
                crate::decode::mac::mac(dst)
            ),
        }
    }
}
