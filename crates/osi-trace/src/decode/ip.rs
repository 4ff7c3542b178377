//! L3: the IPv4 and IPv6 headers (IPv6 with its extension headers), down to
//! the protocol number and the transport bytes inside the datagram.

use std::net::IpAddr;

use pnet::packet::ipv4::Ipv4Packet;
use pnet::packet::ipv6::Ipv6Packet;

use super::bytes::Bytes;
use super::{bad, truncated, Fragment, Ip, IpLength, Skip};

/// L3, IPv4: returns the header, the protocol and the transport bytes
/// (cut at the total length, so Ethernet padding is not taken for payload).
pub(super) fn ipv4(b: Bytes<'_>) -> Result<(Ip, u8, Bytes<'_>), Skip> {
    let data = b.data;
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
    let (total, length) = datagram_length(usize::from(p.get_total_length()), b.reported());
    if total < header_len {
        return Err(bad("IPv4", format!("total length {total} < header length {header_len}")));
    }
    // MF set or an offset: one piece of a datagram, put together by the reassembler.
    let (more, offset) = (p.get_flags() & 0b001 != 0, u32::from(p.get_fragment_offset()) * 8);
    let ip = Ip {
        src: IpAddr::V4(p.get_source()),
        dst: IpAddr::V4(p.get_destination()),
        ttl: p.get_ttl(),
        total_len: total as u32,
        id: Some(p.get_identification()),
        df: p.get_flags() & 0b010 != 0,
        header_len,
        length,
        fragment: (more || offset != 0).then_some(Fragment {
            id: u32::from(p.get_identification()),
            offset,
            more,
        }),
    };
    Ok((ip, p.get_next_level_protocol().0, b.first(total).after(header_len)))
}

/// The datagram's length: the header's, except 0 (a segment captured before
/// the NIC cut it up, TSO/GRO: the frame's) or more than the frame held.
fn datagram_length(header: usize, reported: usize) -> (usize, IpLength) {
    if header == 0 {
        (reported, IpLength::ZeroInHeader)
    } else if header > reported {
        (reported, IpLength::LongerThanFrame { header: header as u32 })
    } else {
        (header, IpLength::Header)
    }
}

/// IPv6 extension headers that chain on with (next header, length in 8-byte
/// units after the first 8): hop-by-hop, routing, destination options,
/// mobility, HIP, shim6.
const CHAINED: [u8; 6] = [0, 43, 60, 135, 139, 140];
const FRAGMENT: u8 = 44;
const AH: u8 = 51;
/// Hop-by-hop option Jumbo Payload (RFC 2675): the real payload length.
const JUMBO: u8 = 0xc2;
/// More extension headers than any real datagram carries: damage.
const MAX_EXTENSIONS: usize = 16;

/// L3, IPv6: the fixed header, then its extension headers up to the
/// transport (or to a header it cannot walk past, e.g. ESP, as the protocol).
pub(super) fn ipv6(b: Bytes<'_>) -> Result<(Ip, u8, Bytes<'_>), Skip> {
    let data = b.data;
    let p = Ipv6Packet::new(data).ok_or(truncated("IPv6", 40, data.len()))?;
    if p.get_version() != 6 {
        return Err(bad("IPv6", format!("version {}", p.get_version())));
    }
    let (mut next, mut at) = (p.get_next_header().0, 40);
    let (mut jumbo, mut fragment) = (None, None);
    for _ in 0..MAX_EXTENSIONS {
        if !CHAINED.contains(&next) && next != FRAGMENT && next != AH {
            break;
        }
        let h = data.get(at..at + 2).ok_or(truncated("IPv6 extension", at + 2, data.len()))?;
        let len = match next {
            FRAGMENT => 8,
            AH => (usize::from(h[1]) + 2) * 4,
            _ => (usize::from(h[1]) + 1) * 8,
        };
        let ext = data.get(at..at + len).ok_or(truncated("IPv6 extension", at + len, data.len()))?;
        if next == 0 {
            jumbo = jumbo_option(&ext[2..]).or(jumbo);
        }
        if next == FRAGMENT {
            let off_m = u16::from_be_bytes([ext[2], ext[3]]);
            fragment = Some(Fragment {
                id: u32::from_be_bytes([ext[4], ext[5], ext[6], ext[7]]),
                offset: u32::from(off_m >> 3) * 8,
                more: off_m & 1 != 0,
            })
            .filter(|f| f.more || f.offset != 0);
        }
        (next, at) = (h[0], at + len);
    }
    // Payload length 0: a jumbogram (the hop-by-hop option says how long),
    // or a segment captured before segmentation offload cut it (BIG TCP).
    let announced = match (p.get_payload_length(), jumbo) {
        (0, Some(j)) => 40 + j as usize,
        (n, _) => usize::from(n) + 40 * usize::from(n != 0),
    };
    let (total, length) = datagram_length(announced, b.reported());
    if total < at {
        return Err(bad("IPv6", format!("payload length {} < extension headers {}", total - 40, at - 40)));
    }
    let ip = Ip {
        src: IpAddr::V6(p.get_source()),
        dst: IpAddr::V6(p.get_destination()),
        ttl: p.get_hop_limit(),
        total_len: total as u32,
        id: None,
        df: false,
        header_len: at,
        length,
        fragment,
    };
    Ok((ip, next, b.first(total).after(at)))
}

/// The Jumbo Payload option's length among hop-by-hop options, if there.
fn jumbo_option(mut opts: &[u8]) -> Option<u32> {
    while let Some(&kind) = opts.first() {
        if kind == 0 {
            opts = &opts[1..]; // Pad1
            continue;
        }
        let len = usize::from(*opts.get(1)?);
        let v = opts.get(2..2 + len)?;
        if kind == JUMBO && len == 4 {
            return Some(u32::from_be_bytes([v[0], v[1], v[2], v[3]]));
        }
        opts = &opts[2 + len..];
    }
    None
}
