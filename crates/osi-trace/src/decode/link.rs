//! L2: the link-layer header of each link type the decoder reads, and what
//! may sit between it and IP: VLAN tags (stacked, QinQ), a PPPoE session,
//! an MPLS label stack. Each of those is kept as an [`Encap`] layer.

use pnet::packet::ethernet::EthernetPacket;

use super::encap::Outer;
use super::{bad, truncated, Encap, Link, Next, Skip};
use crate::frame::LinkType;

const VLAN_TPIDS: [u16; 3] = [0x8100, 0x88a8, 0x9100];
const PPPOE_SESSION: u16 = 0x8864;
const MPLS: [u16; 2] = [0x8847, 0x8848];
/// More tags or labels than any real frame carries: damage.
const MAX_SHIMS: usize = 16;

/// L2: returns the link header, what comes next, and the bytes after the
/// header (and after any VLAN tags, PPPoE or MPLS, pushed onto `outer`).
pub(super) fn link_layer<'a>(
    link: LinkType,
    data: &'a [u8],
    outer: &mut Outer<'_>,
) -> Result<(Link, Next, &'a [u8]), Skip> {
    match link {
        LinkType::Ethernet => {
            let (src, dst, ethertype, rest) = ethernet(data)?;
            let (next, rest) = ethertype_chain(ethertype, rest, outer)?;
            Ok((Link::Ethernet { src, dst, ethertype }, next, rest))
        }
        LinkType::LinuxSll => {
            let h = data.get(..16).ok_or(truncated("Linux cooked", 16, data.len()))?;
            let ethertype = u16::from_be_bytes([h[14], h[15]]);
            let (next, rest) = ethertype_chain(ethertype, &data[16..], outer)?;
            Ok((Link::Cooked { ethertype, v2: false }, next, rest))
        }
        LinkType::LinuxSll2 => {
            let h = data.get(..20).ok_or(truncated("Linux cooked v2", 20, data.len()))?;
            let ethertype = u16::from_be_bytes([h[0], h[1]]);
            let (next, rest) = ethertype_chain(ethertype, &data[20..], outer)?;
            Ok((Link::Cooked { ethertype, v2: true }, next, rest))
        }
        LinkType::RawIp => Ok((Link::Raw, Next::IpByVersion, data)),
        LinkType::Null => {
            let rest = data.get(4..).ok_or(truncated("BSD loopback", 4, data.len()))?;
            Ok((Link::Null, Next::IpByVersion, rest))
        }
        LinkType::Ppp => {
            // Address 0xff and control 0x03 (HDLC framing) may be there or not.
            let body = data.strip_prefix(&[0xff, 0x03]).unwrap_or(data);
            let (protocol, rest) = ppp_protocol(body)?;
            let (next, rest) = ethertype_chain(ppp_to_ethertype(protocol)?, rest, outer)?;
            Ok((Link::Ppp { protocol }, next, rest))
        }
        LinkType::IpOverIb => {
            // 40 bytes of addresses (pseudo-header), the EtherType, 2 reserved bytes.
            let h = data.get(..44).ok_or(truncated("IP over InfiniBand", 44, data.len()))?;
            let ethertype = u16::from_be_bytes([h[40], h[41]]);
            let (next, rest) = ethertype_chain(ethertype, &data[44..], outer)?;
            Ok((Link::IpOverIb { ethertype }, next, rest))
        }
        LinkType::Unsupported(n) => Err(Skip::UnsupportedLink(n)),
    }
}

/// An Ethernet II header: source, destination, EtherType, and the bytes after.
pub(super) type EthernetHeader<'a> = ([u8; 6], [u8; 6], u16, &'a [u8]);

pub(super) fn ethernet(data: &[u8]) -> Result<EthernetHeader<'_>, Skip> {
    let eth = EthernetPacket::new(data).ok_or(truncated("Ethernet", 14, data.len()))?;
    Ok((eth.get_source().octets(), eth.get_destination().octets(), eth.get_ethertype().0, &data[14..]))
}

/// Follows an EtherType through VLAN tags, PPPoE and MPLS to the network
/// layer, pushing each of them onto `outer`.
pub(super) fn ethertype_chain<'a>(
    mut ethertype: u16,
    mut data: &'a [u8],
    outer: &mut Outer<'_>,
) -> Result<(Next, &'a [u8]), Skip> {
    for _ in 0..MAX_SHIMS {
        if VLAN_TPIDS.contains(&ethertype) {
            // 802.1Q tag (0x8100), or 802.1ad service tag (0x88a8, QinQ's outer).
            let t = data.get(..4).ok_or(truncated("802.1Q", 4, data.len()))?;
            let tci = u16::from_be_bytes([t[0], t[1]]);
            outer.push(Encap::Vlan { tpid: ethertype, id: tci & 0x0fff, pcp: (tci >> 13) as u8 }, t);
            (ethertype, data) = (u16::from_be_bytes([t[2], t[3]]), &data[4..]);
        } else if ethertype == PPPOE_SESSION {
            // PPPoE session stage (RFC 2516): 6 bytes, then PPP's protocol number.
            let h = data.get(..6).ok_or(truncated("PPPoE", 6, data.len()))?;
            let session = u16::from_be_bytes([h[2], h[3]]);
            let (protocol, rest) = ppp_protocol(&data[6..])?;
            outer.push(Encap::Pppoe { session, protocol }, h);
            (ethertype, data) = (ppp_to_ethertype(protocol)?, rest);
        } else if MPLS.contains(&ethertype) {
            // MPLS (RFC 3032): 4-byte labels down to the one with the
            // bottom-of-stack bit; what follows says its IP version itself.
            for _ in 0..MAX_SHIMS {
                let l = data.get(..4).ok_or(truncated("MPLS", 4, data.len()))?;
                let entry = u32::from_be_bytes([l[0], l[1], l[2], l[3]]);
                let bottom = entry & 0x100 != 0;
                let mpls = Encap::Mpls { label: entry >> 12, tc: ((entry >> 9) & 7) as u8, ttl: entry as u8 };
                outer.push(mpls, l);
                data = &data[4..];
                if bottom {
                    return Ok((Next::IpByVersion, data));
                }
            }
            return Err(bad("MPLS", format!("more than {MAX_SHIMS} labels")));
        } else {
            return Ok((Next::EtherType(ethertype), data));
        }
    }
    Err(bad("802.1Q", format!("more than {MAX_SHIMS} tags")))
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

/// The EtherType of what a PPP protocol number carries: IPv4 (0x0021), IPv6
/// (0x0057), MPLS unicast (0x0281) or multicast (0x0283).
pub(super) fn ppp_to_ethertype(protocol: u16) -> Result<u16, Skip> {
    match protocol {
        0x0021 => Ok(0x0800),
        0x0057 => Ok(0x86dd),
        0x0281 => Ok(0x8847),
        0x0283 => Ok(0x8848),
        other => Err(Skip::NotIpOver { link: "PPP", protocol: other }),
    }
}
