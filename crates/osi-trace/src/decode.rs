//! Decoding: one captured frame's bytes → one struct per layer (L2 link,
//! L3 network, L4 transport, L7 payload). Pure code over bytes: it never
//! panics, whatever the input; a frame it cannot use comes back as a
//! [`Skip`] that says why. pnet's packet views read the fixed header fields,
//! once the lengths they rely on have been checked here.

use std::fmt;
use std::net::IpAddr;

use pnet::packet::ethernet::EthernetPacket;
use pnet::packet::ipv4::Ipv4Packet;
use pnet::packet::ipv6::Ipv6Packet;
use pnet::packet::tcp::TcpPacket;

use crate::frame::{Frame, LinkType};

/// EtherTypes the decoder follows.
const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// IP protocol number of TCP.
const IPPROTO_TCP: u8 = 6;

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
    /// Header length in bytes.
    pub header_len: usize,
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
}

/// L4: the TCP header, with raw (absolute) numbers; the analysis makes them relative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tcp {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    /// The window field as sent, before any scaling.
    pub window: u16,
    pub header_len: usize,
    pub options: TcpOptions,
}

impl Tcp {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// One decoded TCP segment, all four layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub link: Link,
    pub ip: Ip,
    pub tcp: Tcp,
    /// L7: the payload bytes captured.
    pub payload: Vec<u8>,
    /// The payload length the IP header announces; more than `payload.len()`
    /// when the capture cut the frame short.
    pub payload_len: u32,
}

/// Why a frame was not decoded as a TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Not IPv4 or IPv6 (e.g. ARP); carries the EtherType.
    NotIp(u16),
    /// IP, but not TCP; carries the protocol number.
    NotTcp(u8),
    /// An IPv4 fragment after the first: no TCP header in it.
    Fragment,
    /// Shorter than the header it must hold.
    Truncated { layer: &'static str, need: usize, have: usize },
    /// A header length field that cannot be right.
    BadHeader { layer: &'static str, why: String },
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::NotIp(t) => write!(f, "not IP (EtherType 0x{t:04x})"),
            Skip::NotTcp(p) => write!(f, "IP protocol {p}, not TCP"),
            Skip::Fragment => f.write_str("IP fragment without a TCP header"),
            Skip::Truncated { layer, need, have } => {
                write!(f, "truncated {layer} header: {have} of {need} bytes")
            }
            Skip::BadHeader { layer, why } => write!(f, "malformed {layer} header: {why}"),
        }
    }
}

/// Decodes one frame down to its TCP segment.
pub fn decode(frame: &Frame) -> Result<Segment, Skip> {
    let data = frame.data.as_slice();
    let (link, ethertype, rest) = link_layer(frame.link, data)?;
    let (ip, proto, transport) = match ethertype {
        Some(ETHERTYPE_IPV4) => ipv4(rest)?,
        Some(ETHERTYPE_IPV6) => ipv6(rest)?,
        Some(other) => return Err(Skip::NotIp(other)),
        None => match rest.first().map(|b| b >> 4) {
            Some(4) => ipv4(rest)?,
            Some(6) => ipv6(rest)?,
            Some(v) => return Err(Skip::NotIp(u16::from(v))),
            None => return Err(truncated("IP", 1, 0)),
        },
    };
    if proto != IPPROTO_TCP {
        return Err(Skip::NotTcp(proto));
    }
    let (tcp, payload, payload_len) = tcp(transport, &ip)?;
    Ok(Segment { link, ip, tcp, payload: payload.to_vec(), payload_len })
}

fn truncated(layer: &'static str, need: usize, have: usize) -> Skip {
    Skip::Truncated { layer, need, have }
}

/// L2: returns the link header, the EtherType when the header names one, and the rest.
fn link_layer(link: LinkType, data: &[u8]) -> Result<(Link, Option<u16>, &[u8]), Skip> {
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
    }
}

/// L3, IPv4: returns the header, the protocol and the transport bytes
/// (cut at the total length, so Ethernet padding is not taken for payload).
fn ipv4(data: &[u8]) -> Result<(Ip, u8, &[u8]), Skip> {
    let p = Ipv4Packet::new(data).ok_or(truncated("IPv4", 20, data.len()))?;
    if p.get_version() != 4 {
        return Err(bad("IPv4", format!("version {}", p.get_version())));
    }
    let header_len = usize::from(p.get_header_length()) * 4;
    if header_len < 20 {
        return Err(bad("IPv4", format!("header length {header_len} < 20")));
    }
    if data.len() < header_len {
        return Err(truncated("IPv4", header_len, data.len()));
    }
    let total = usize::from(p.get_total_length());
    if total < header_len {
        return Err(bad("IPv4", format!("total length {total} < header length {header_len}")));
    }
    // Fragment offset ≠ 0: a later fragment, no TCP header here.
    if p.get_fragment_offset() != 0 {
        return Err(Skip::Fragment);
    }
    let ip = Ip {
        src: IpAddr::V4(p.get_source()),
        dst: IpAddr::V4(p.get_destination()),
        ttl: p.get_ttl(),
        total_len: u32::from(p.get_total_length()),
        id: Some(p.get_identification()),
        df: p.get_flags() & 0b010 != 0,
        header_len,
    };
    let end = total.min(data.len());
    Ok((ip, p.get_next_level_protocol().0, &data[header_len..end]))
}

/// L3, IPv6: the fixed header; extension headers are not followed.
fn ipv6(data: &[u8]) -> Result<(Ip, u8, &[u8]), Skip> {
    let p = Ipv6Packet::new(data).ok_or(truncated("IPv6", 40, data.len()))?;
    if p.get_version() != 6 {
        return Err(bad("IPv6", format!("version {}", p.get_version())));
    }
    let payload = usize::from(p.get_payload_length());
    let ip = Ip {
        src: IpAddr::V6(p.get_source()),
        dst: IpAddr::V6(p.get_destination()),
        ttl: p.get_hop_limit(),
        total_len: payload as u32 + 40,
        id: None,
        df: false,
        header_len: 40,
    };
    let end = (40 + payload).min(data.len());
    Ok((ip, p.get_next_header().0, &data[40..end]))
}

fn bad(layer: &'static str, why: String) -> Skip {
    Skip::BadHeader { layer, why }
}

/// L4 and L7: the TCP header and the payload after it.
fn tcp<'a>(data: &'a [u8], ip: &Ip) -> Result<(Tcp, &'a [u8], u32), Skip> {
    let p = TcpPacket::new(data).ok_or(truncated("TCP", 20, data.len()))?;
    let header_len = usize::from(p.get_data_offset()) * 4;
    if header_len < 20 {
        return Err(bad("TCP", format!("data offset {header_len} bytes < 20")));
    }
    if data.len() < header_len {
        return Err(truncated("TCP", header_len, data.len()));
    }
    // The payload length the IP header announces (the capture may hold less).
    let announced = ip.total_len as i64 - ip.header_len as i64 - header_len as i64;
    if announced < 0 {
        return Err(bad("TCP", format!("data offset {header_len} runs past the IP datagram")));
    }
    let tcp = Tcp {
        src_port: p.get_source(),
        dst_port: p.get_destination(),
        seq: p.get_sequence(),
        ack: p.get_acknowledgement(),
        flags: p.get_flags(),
        window: p.get_window(),
        header_len,
        options: options(&data[20..header_len]),
    };
    Ok((tcp, &data[header_len..], announced as u32))
}

/// Parses the TCP option list by hand: kind, length, value.
fn options(mut raw: &[u8]) -> TcpOptions {
    let mut o = TcpOptions::default();
    while let Some(&kind) = raw.first() {
        match kind {
            0 => break,           // end of option list
            1 => raw = &raw[1..], // no-operation (padding)
            _ => {
                let Some(&len) = raw.get(1) else {
                    o.malformed = true;
                    break;
                };
                let len = usize::from(len);
                if len < 2 || len > raw.len() {
                    o.malformed = true;
                    break;
                }
                let v = &raw[2..len];
                match (kind, v.len()) {
                    (2, 2) => o.mss = Some(u16::from_be_bytes([v[0], v[1]])),
                    (3, 1) => o.wscale = Some(v[0]),
                    (4, 0) => o.sack_perm = true,
                    (5, n) if n % 8 == 0 => {
                        o.sack_blocks = n / 8;
                        let edge = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                        o.sack = v.chunks_exact(8).map(|b| (edge(&b[..4]), edge(&b[4..]))).collect();
                    }
                    (8, 8) => {
                        o.timestamps = Some((
                            u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
                            u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
                        ))
                    }
                    _ => {}
                }
                raw = &raw[len..];
            }
        }
    }
    o
}

/// Builders of valid frames, for the tests of this crate and of the analysis.
#[cfg(test)]
pub mod craft {
    use super::*;
    use std::time::Duration;

    /// A loopback Ethernet + IPv4 + TCP frame.
    #[allow(clippy::too_many_arguments)]
    pub fn frame(
        ms: u64,
        sport: u16,
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        window: u16,
        options: &[u8],
        payload: &[u8],
    ) -> Frame {
        let tcp_len = 20 + options.len();
        let total = 20 + tcp_len + payload.len();
        let mut d = vec![0u8; 12];
        d.extend_from_slice(&[0x08, 0x00]);
        d.extend_from_slice(&[0x45, 0, (total >> 8) as u8, total as u8, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0]);
        d.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
        d.extend_from_slice(&sport.to_be_bytes());
        d.extend_from_slice(&dport.to_be_bytes());
        d.extend_from_slice(&seq.to_be_bytes());
        d.extend_from_slice(&ack.to_be_bytes());
        d.push(((tcp_len / 4) as u8) << 4);
        d.push(flags);
        d.extend_from_slice(&window.to_be_bytes());
        d.extend_from_slice(&[0, 0, 0, 0]);
        d.extend_from_slice(options);
        d.extend_from_slice(payload);
        Frame {
            ts: Duration::from_millis(1_700_000_000_000 + ms),
            link: LinkType::Ethernet,
            orig_len: d.len() as u32,
            data: d,
        }
    }

    /// MSS 65495, SACK permitted, timestamps, window scale 7: what Linux puts in a SYN on lo.
    pub const SYN_OPTIONS: [u8; 20] = [2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
}

#[cfg(test)]
mod tests {
    use super::craft::*;
    use super::flags::*;
    use super::*;

    #[test]
    fn a_loopback_syn_decodes_at_every_layer() {
        let f = frame(0, 45678, 65432, 1000, 0, SYN, 65495, &SYN_OPTIONS, b"");
        let s = decode(&f).unwrap();
        assert!(s.link.is_loopback_placeholder());
        assert_eq!(s.ip.src.to_string(), "127.0.0.1");
        assert_eq!((s.ip.ttl, s.ip.total_len, s.ip.id, s.ip.df), (64, 60, Some(0x1234), true));
        assert_eq!((s.tcp.src_port, s.tcp.dst_port, s.tcp.seq), (45678, 65432, 1000));
        assert!(s.tcp.has(SYN) && !s.tcp.has(ACK));
        let o = &s.tcp.options;
        assert_eq!((o.mss, o.wscale, o.sack_perm, o.timestamps), (Some(65495), Some(7), true, Some((1, 0))));
        assert_eq!((s.payload_len, s.payload.len()), (0, 0));
    }

    #[test]
    fn payload_is_cut_at_the_ip_length_not_the_frame() {
        let mut f = frame(0, 1, 2, 5, 6, PSH | ACK, 512, &[], b"Hello");
        f.data.extend_from_slice(&[0; 6]); // Ethernet padding
        let s = decode(&f).unwrap();
        assert_eq!(s.payload, b"Hello");
        assert_eq!(s.payload_len, 5);
    }

    #[test]
    fn a_frame_cut_by_the_snap_length_keeps_the_announced_length() {
        let mut f = frame(0, 1, 2, 5, 6, ACK, 512, &[], &[7; 100]);
        f.data.truncate(14 + 20 + 20 + 10);
        let s = decode(&f).unwrap();
        assert_eq!((s.payload.len(), s.payload_len), (10, 100));
    }

    #[test]
    fn ipv6_and_cooked_and_raw_links() {
        // Raw IPv6 + TCP SYN-ACK, 20-byte TCP header.
        let mut d = vec![0x60, 0, 0, 0, 0, 20, 6, 64];
        d.extend_from_slice(&[0; 15]);
        d.push(1); // ::1
        d.extend_from_slice(&[0; 15]);
        d.push(1);
        d.extend_from_slice(&[
            0xff,
            0x98,
            0xb2,
            0x6e,
            0,
            0,
            0,
            9,
            0,
            0,
            0,
            2,
            0x50,
            SYN | ACK,
            0xff,
            0xff,
            0,
            0,
            0,
            0,
        ]);
        let f = Frame {
            ts: Default::default(),
            link: LinkType::RawIp,
            orig_len: d.len() as u32,
            data: d.clone(),
        };
        let s = decode(&f).unwrap();
        assert_eq!(s.ip.src.to_string(), "::1");
        assert_eq!((s.ip.ttl, s.ip.total_len, s.ip.id), (64, 60, None));
        assert_eq!((s.tcp.src_port, s.tcp.dst_port, s.tcp.seq, s.tcp.ack), (65432, 45678, 9, 2));
        // The same behind an SLL2 header (EtherType first).
        let mut sll2 = vec![0x86, 0xdd];
        sll2.extend_from_slice(&[0; 18]);
        sll2.extend_from_slice(&d);
        let f = Frame {
            ts: Default::default(),
            link: LinkType::LinuxSll2,
            orig_len: sll2.len() as u32,
            data: sll2,
        };
        assert_eq!(decode(&f).unwrap().tcp.seq, 9);
    }

    #[test]
    fn non_tcp_and_non_ip_are_skipped_with_a_reason() {
        let mut arp = frame(0, 1, 2, 0, 0, 0, 0, &[], b"");
        arp.data[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(decode(&arp), Err(Skip::NotIp(0x0806)));
        let mut udp = frame(0, 1, 2, 0, 0, 0, 0, &[], b"");
        udp.data[14 + 9] = 17;
        assert_eq!(decode(&udp), Err(Skip::NotTcp(17)));
    }

    #[test]
    fn malformed_headers_never_panic() {
        let good = frame(0, 45678, 65432, 1000, 0, SYN, 65495, &SYN_OPTIONS, b"abc");
        // Every truncation of a good frame.
        for n in 0..good.data.len() {
            let mut f = good.clone();
            f.data.truncate(n);
            let _ = decode(&f);
        }
        // Bogus IHL, bogus total length, bogus data offset, bogus option lengths.
        for (at, val) in [
            (14, 0x41),
            (14, 0x4f),
            (16, 0),
            (17, 1),
            (14 + 20 + 12, 0x10),
            (14 + 20 + 12, 0xf0),
            (14 + 20 + 21, 0),
            (14 + 20 + 21, 0xff),
        ] {
            let mut f = good.clone();
            f.data[at] = val;
            let _ = decode(&f);
        }
        // Random bytes on every link type.
        let mut x = 12345u32;
        for link in
            [LinkType::Ethernet, LinkType::LinuxSll, LinkType::LinuxSll2, LinkType::RawIp, LinkType::Null]
        {
            for len in 0..200 {
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                        (x >> 24) as u8
                    })
                    .collect();
                let _ = decode(&Frame { ts: Default::default(), link, orig_len: len as u32, data });
            }
        }
        let mut f = good.clone();
        f.data[14] = 0x44;
        assert!(matches!(decode(&f), Err(Skip::BadHeader { layer: "IPv4", .. })));
        let mut f = good.clone();
        f.data[14 + 20 + 12] = 0x40; // data offset 16 bytes
        assert!(matches!(decode(&f), Err(Skip::BadHeader { layer: "TCP", .. })));
    }

    #[test]
    fn options_with_a_bad_length_are_marked_not_trusted() {
        let o = options(&[2, 4, 0xff]);
        assert!(o.malformed);
        let o = options(&[1, 1, 4, 2, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0]);
        assert!(o.sack_perm && o.sack_blocks == 1 && !o.malformed);
        assert_eq!(o.sack, [(1, 2)]);
    }
}
