//! L2: the link-layer header of each link type the decoder reads, down to
//! the EtherType (or none) that names the network layer inside.

use pnet::packet::ethernet::EthernetPacket;

use super::{truncated, Link, Skip};
use crate::frame::LinkType;

/// L2: returns the link header, the EtherType when the header names one, and the rest.
pub(super) fn link_layer(link: LinkType, data: &[u8]) -> Result<(Link, Option<u16>, &[u8]), Skip> {
    match link {
        LinkType::Ethernet => {
            let eth = EthernetPacket::new(data).ok_or(truncated("Ethernet", 14, data.len()))?;
            let mut ethertype = eth.get_ethertype().0;
            let mut start = 14;
            // One 802.1Q VLAN tag, as on some real links.
            if ethertype == 0x8100 {
                let tag = data.get(16..18).ok_or(truncated("802.1Q", 18, data.len()))?;
                ethertype = u16::from_be_bytes([tag[0], tag[1]]);
                start = 18;
            }
            let l = Link::Ethernet {
                src: eth.get_source().octets(),
                dst: eth.get_destination().octets(),
                ethertype,
            };
            Ok((l, Some(ethertype), &data[start..]))
        }
        LinkType::LinuxSll => {
            let h = data.get(..16).ok_or(truncated("Linux cooked", 16, data.len()))?;
            let ethertype = u16::from_be_bytes([h[14], h[15]]);
            Ok((Link::Cooked { ethertype, v2: false }, Some(ethertype), &data[16..]))
        }
        LinkType::LinuxSll2 => {
            let h = data.get(..20).ok_or(truncated("Linux cooked v2", 20, data.len()))?;
            let ethertype = u16::from_be_bytes([h[0], h[1]]);
            Ok((Link::Cooked { ethertype, v2: true }, Some(ethertype), &data[20..]))
        }
        LinkType::RawIp => Ok((Link::Raw, None, data)),
        LinkType::Null => {
            let rest = data.get(4..).ok_or(truncated("BSD loopback", 4, data.len()))?;
            Ok((Link::Null, None, rest))
        }
        LinkType::Ppp => {
            // Address 0xff and control 0x03 (HDLC framing) may be there or not.
            let body = data.strip_prefix(&[0xff, 0x03]).unwrap_or(data);
            let (protocol, rest) = ppp_protocol(body)?;
            Ok((Link::Ppp { protocol }, Some(ppp_to_ethertype(protocol)?), rest))
        }
        LinkType::Unsupported(n) => Err(Skip::UnsupportedLink(n)),
    }
}

/// PPP's protocol field: two bytes, or one when compressed (PFC, RFC 1661 §6.5:
/// a protocol number's low byte is odd, its high byte even).
pub(super) fn ppp_protocol(data: &[u8]) -> Result<(u16, &[u8]), Skip> {
    match data.first() {
        None => Err(truncated("PPP", 1, 0)),
        Some(&b) if b & 1 == 1 => Ok((u16::from(b), &data[1..])),
        Some(_) => {
            let p = data.get(..2).ok_or(truncated("PPP", 2, data.len()))?;
            Ok((u16::from_be_bytes([p[0], p[1]]), &data[2..]))
        }
    }
}

/// The EtherType of what a PPP protocol number carries: IPv4 (0x0021) or IPv6 (0x0057).
pub(super) fn ppp_to_ethertype(protocol: u16) -> Result<u16, Skip> {
    match protocol {
        0x0021 => Ok(0x0800),
        0x0057 => Ok(0x86dd),
        other => Err(Skip::NotIpOver { link: "PPP", protocol: other }),
    }
}
