//! L3 and up, through tunnels: from a network header to the TCP segment,
//! passing IP-in-IP, 6in4, GRE, VXLAN and Geneve on the way. Each outer
//! header is kept as an [`Encap`] layer; the TCP is the innermost's.

use super::arp::ETHERTYPE_ARP;
use super::bytes::Bytes;
use super::control;
use super::encap::Outer;
use super::ip::{ipv4, ipv6};
use super::link::{ethernet, ethertype_chain, ppp_protocol, ppp_to_ethertype};
use super::tcp::tcp;
use super::{bad, truncated, Datagram, Decoded, Encap, Ip, IpLength, Layout, Link, Next, Segment, Skip};

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// GRE's protocol type for a whole Ethernet frame inside (Transparent Ethernet Bridging).
const ETHERTYPE_TEB: u16 = 0x6558;
/// GRE's protocol type for WCCP's redirected packets.
const ETHERTYPE_WCCP: u16 = 0x883e;
const IPPROTO_IPIP: u8 = 4;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_IPV6: u8 = 41;
const IPPROTO_GRE: u8 = 47;
/// IANA's UDP ports of VXLAN (RFC 7348) and Geneve (RFC 8926).
const VXLAN_PORT: u16 = 4789;
const GENEVE_PORT: u16 = 6081;
/// More nested networks than any real tunnel stack: damage (or a loop).
const MAX_DEPTH: usize = 8;

/// Puts the pieces of fragmented IP datagrams together.
pub(super) trait Defrag {
    /// Takes one fragment (`ip.fragment` is set) and its bytes after the IP
    /// header; once this fragment completes the datagram, the whole
    /// datagram's bytes after the header and the number of pieces; `None`
    /// while pieces are missing.
    fn piece(&mut self, ip: &Ip, proto: u8, payload: Bytes<'_>) -> Option<(Vec<u8>, u32)>;
}

/// The decoder without memory: every fragment is skipped.
pub(super) struct NoDefrag;

impl Defrag for NoDefrag {
    fn piece(&mut self, _: &Ip, _: u8, _: Bytes<'_>) -> Option<(Vec<u8>, u32)> {
        None
    }
}

/// What a walk carries down the layers.
pub(super) struct Walk<'d, 'f> {
    pub link: Link,
    pub outer: Outer<'f>,
    pub defrag: &'d mut dyn Defrag,
    pub depth: usize,
    /// The outermost IP datagram met, when `keep` asks for it (the hop view).
    pub datagram: Option<Datagram>,
    pub keep: bool,
}

/// L3: the network header named by `next`, then what it carries.
pub(super) fn network(next: Next, b: Bytes<'_>, w: &mut Walk<'_, '_>) -> Result<Decoded, Skip> {
    w.depth += 1;
    if w.depth > MAX_DEPTH {
        return Err(bad("tunnel", format!("more than {MAX_DEPTH} nested network headers")));
    }
    let at = w.outer.offset(b.data);
    let (mut ip, proto, inner) = match next {
        Next::EtherType(ETHERTYPE_IPV4) => ipv4(b)?,
        Next::EtherType(ETHERTYPE_IPV6) => ipv6(b)?,
        // L2½: ARP, how the link finds the MAC behind an IPv4 address.
        Next::EtherType(ETHERTYPE_ARP) => {
            let macs = control::link_macs(&w.link, &w.outer.layers);
            return control::arp(b.data, macs).map(Decoded::Control);
        }
        Next::EtherType(other) => return Err(Skip::NotIp(other)),
        Next::IpByVersion => match b.data.first().map(|v| v >> 4) {
            Some(4) => ipv4(b)?,
            Some(6) => ipv6(b)?,
            Some(v) => return Err(Skip::NotIp(u16::from(v))),
            None => return Err(truncated("IP", 1, 0)),
        },
    };
    if w.keep && w.datagram.is_none() {
        let bytes = at.map_or(0..0, |at| at..at + ip.header_len + inner.data.len());
        w.datagram = Some(Datagram { ip: ip.clone(), protocol: proto, bytes });
    }
    if let Some(frag) = ip.fragment {
        // A piece not all in the frame (cut by the snap length, or shorter
        // than its header says) can never be put together with the rest: a
        // first piece is decoded as it is, as Wireshark does; others skipped.
        if inner.missing > 0 || matches!(ip.length, IpLength::LongerThanFrame { .. }) {
            return if frag.offset == 0 { above_ip(ip, at, proto, inner, w) } else { Err(Skip::Fragment) };
        }
        // One piece of a datagram: nothing above IP until all are here.
        let (whole, pieces) = w.defrag.piece(&ip, proto, inner).ok_or(Skip::Fragment)?;
        ip.total_len = (ip.header_len + whole.len()) as u32;
        (ip.fragment, ip.length) = (None, IpLength::Reassembled { fragments: pieces });
        // What follows lies in the pieces put together, not in this frame's bytes.
        w.outer.leave_frame();
        return above_ip(ip, at, proto, Bytes { data: &whole, missing: 0 }, w);
    }
    above_ip(ip, at, proto, inner, w)
}

/// L4, or a tunnel: what an IP header carries. `at`: where the IP header starts in the frame.
fn above_ip(
    ip: Ip,
    at: Option<usize>,
    proto: u8,
    b: Bytes<'_>,
    w: &mut Walk<'_, '_>,
) -> Result<Decoded, Skip> {
    match proto {
        IPPROTO_TCP => {
            let (tcp, payload, payload_len) = tcp(b, &ip)?;
            let layout =
                Layout { outer: std::mem::take(&mut w.outer.at), ip: at, tcp: w.outer.offset(b.data) };
            let link = std::mem::replace(&mut w.link, Link::Raw);
            let outer = std::mem::take(&mut w.outer.layers);
            Ok(Decoded::Segment(Segment {
                link,
                outer,
                ip,
                tcp,
                payload: payload.to_vec(),
                payload_len,
                layout,
            }))
        }
        // IP-in-IP (RFC 2003) and IPv6 in IP (6in4, RFC 4213; or IPv6 in IPv6).
        IPPROTO_IPIP | IPPROTO_IPV6 => {
            w.outer.push_at(Encap::Ip(ip), at);
            let inner = if proto == IPPROTO_IPIP { ETHERTYPE_IPV4 } else { ETHERTYPE_IPV6 };
            network(Next::EtherType(inner), b, w)
        }
        IPPROTO_GRE => {
            w.outer.push_at(Encap::Ip(ip), at);
            gre(b, w)
        }
        IPPROTO_UDP => udp_tunnel(ip, at, b, w),
        // ICMP, ICMPv6: the network's own messages (echo, errors, neighbour discovery).
        other => control::icmp(&ip, other, b.data, control::link_macs(&w.link, &w.outer.layers))
            .unwrap_or(Err(Skip::NotTcp(other)))
            .map(Decoded::Control),
    }
}

/// GRE (RFC 2784/2890; version 1 is PPTP's, RFC 2637, with PPP inside).
fn gre(b: Bytes<'_>, w: &mut Walk<'_, '_>) -> Result<Decoded, Skip> {
    let h = b.data.get(..4).ok_or(truncated("GRE", 4, b.data.len()))?;
    let (flags, protocol) = (u16::from_be_bytes([h[0], h[1]]), u16::from_be_bytes([h[2], h[3]]));
    let (checksum, key, seq, ack) =
        (flags & 0x8000 != 0, flags & 0x2000 != 0, flags & 0x1000 != 0, flags & 0x0080 != 0);
    let version = flags & 7;
    let mut at = 4 + 4 * usize::from(checksum);
    let key_value = if key {
        let k = b.data.get(at..at + 4).ok_or(truncated("GRE", at + 4, b.data.len()))?;
        at += 4;
        Some(u32::from_be_bytes([k[0], k[1], k[2], k[3]]))
    } else {
        None
    };
    at += 4 * usize::from(seq) + 4 * usize::from(version == 1 && ack);
    let rest = b.data.get(at..).ok_or(truncated("GRE", at, b.data.len()))?;
    w.outer.push(Encap::Gre { protocol, key: key_value }, h);
    let (next, rest) = match (version, protocol) {
        (0, ETHERTYPE_TEB) => inner_ethernet(rest, w)?,
        // WCCP redirection (Cisco): IP, after a 4-byte redirect header unless IPv4 starts at once.
        (0, ETHERTYPE_WCCP) => match rest.first() {
            Some(b) if b >> 4 == 4 => (Next::IpByVersion, rest),
            _ => (Next::IpByVersion, rest.get(4..).ok_or(truncated("WCCP", 4, rest.len()))?),
        },
        (0, _) => ethertype_chain(protocol, rest, &mut w.outer)?,
        (1, 0x880b) => {
            let body = rest.strip_prefix(&[0xff, 0x03]).unwrap_or(rest);
            let (ppp, rest) = ppp_protocol(body)?;
            (Next::EtherType(ppp_to_ethertype(ppp)?), rest)
        }
        (v, _) => return Err(bad("GRE", format!("version {v}, protocol 0x{protocol:04x}"))),
    };
    network(next, Bytes { data: rest, missing: b.missing }, w)
}

/// UDP carrying VXLAN or Geneve: an Ethernet frame (or a network layer) inside.
fn udp_tunnel(ip: Ip, at: Option<usize>, b: Bytes<'_>, w: &mut Walk<'_, '_>) -> Result<Decoded, Skip> {
    let h = b.data.get(..8).ok_or(truncated("UDP", 8, b.data.len()))?;
    let (src_port, dst_port) = (u16::from_be_bytes([h[0], h[1]]), u16::from_be_bytes([h[2], h[3]]));
    let port = [dst_port, src_port].into_iter().find(|p| *p == VXLAN_PORT || *p == GENEVE_PORT);
    let Some(port) = port else {
        return Err(Skip::NotTcp(IPPROTO_UDP));
    };
    w.outer.push_at(Encap::Ip(ip), at);
    w.outer.push(Encap::Udp { src_port, dst_port }, h);
    let body = &b.data[8..];
    let (next, rest) = if port == VXLAN_PORT {
        // VXLAN: 8 bytes (flags, the 24-bit network identifier), then Ethernet.
        let v = body.get(..8).ok_or(truncated("VXLAN", 8, body.len()))?;
        w.outer.push(Encap::Vxlan { vni: u32::from_be_bytes([0, v[4], v[5], v[6]]) }, v);
        inner_ethernet(&body[8..], w)?
    } else {
        // Geneve: 8 bytes plus options (length in 4-byte words), then the protocol type.
        let g = body.get(..8).ok_or(truncated("Geneve", 8, body.len()))?;
        let len = 8 + 4 * usize::from(g[0] & 0x3f);
        let rest = body.get(len..).ok_or(truncated("Geneve", len, body.len()))?;
        let protocol = u16::from_be_bytes([g[2], g[3]]);
        w.outer.push(Encap::Geneve { vni: u32::from_be_bytes([0, g[4], g[5], g[6]]), protocol }, g);
        if protocol == ETHERTYPE_TEB {
            inner_ethernet(rest, w)?
        } else {
            ethertype_chain(protocol, rest, &mut w.outer)?
        }
    };
    network(next, Bytes { data: rest, missing: b.missing }, w)
}

/// An Ethernet frame carried inside a tunnel: kept as an outer layer.
fn inner_ethernet<'a>(data: &'a [u8], w: &mut Walk<'_, '_>) -> Result<(Next, &'a [u8]), Skip> {
    let (src, dst, ethertype, rest) = ethernet(data)?;
    w.outer.push(Encap::Ethernet { src, dst, ethertype }, data);
    ethertype_chain(ethertype, rest, &mut w.outer)
}
