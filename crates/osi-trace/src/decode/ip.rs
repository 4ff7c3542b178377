//! L3: the IPv4 and IPv6 headers, down to the protocol number and the
//! transport bytes inside the datagram.

use std::net::IpAddr;

use pnet::packet::ipv4::Ipv4Packet;
use pnet::packet::ipv6::Ipv6Packet;

use super::{bad, truncated, Ip, Skip};

/// L3, IPv4: returns the header, the protocol and the transport bytes
/// (cut at the total length, so Ethernet padding is not taken for payload).
pub(super) fn ipv4(data: &[u8]) -> Result<(Ip, u8, &[u8]), Skip> {
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
pub(super) fn ipv6(data: &[u8]) -> Result<(Ip, u8, &[u8]), Skip> {
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
