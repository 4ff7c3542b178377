//! ICMP for IPv4 (RFC 792, RFC 1191), L3's own messages: echo, and the errors a
//! router or host sends back — destination unreachable, time exceeded,
//! fragmentation needed — each quoting the IP header and the first transport
//! bytes of the packet it is about. Pure decoding; never panics.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IP protocol numbers of ICMP and ICMPv6.
pub const IPPROTO_ICMP: u8 = 1;
pub const IPPROTO_ICMPV6: u8 = 58;

/// One ICMP message (IPv4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Icmp {
    /// Type 8: ping's question.
    EchoRequest { id: u16, seq: u16 },
    /// Type 0: the answer, same id and sequence.
    EchoReply { id: u16, seq: u16 },
    /// Type 3 (except code 4): the packet cannot be delivered.
    Unreachable { why: Unreachable, quoted: Option<Quoted> },
    /// Type 3 code 4: the packet is bigger than the next link's MTU and has DF set.
    FragNeeded { next_hop_mtu: u16, quoted: Option<Quoted> },
    /// Type 11: the TTL reached 0 on the way (code 0) or reassembly timed out (code 1).
    TimeExceeded { in_transit: bool, quoted: Option<Quoted> },
    /// Any other type, kept as it was.
    Other { kind: u8, code: u8 },
}

/// Why a destination is unreachable; the same reasons in ICMP and ICMPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    /// No route to the network (ICMP code 0, ICMPv6 code 0).
    Network,
    /// The host did not answer on its link, or a firewall says so (ICMP code 1, ICMPv6 code 3).
    Host,
    /// No such transport protocol at the host (ICMP code 2).
    Protocol,
    /// No socket on that port (ICMP code 3, ICMPv6 code 4): UDP's "refused".
    Port,
    /// Forbidden by a filter (ICMP codes 9, 10, 13; ICMPv6 code 1).
    Prohibited,
    /// Another code, kept as it was.
    Other(u8),
}

/// The start of the packet an ICMP error is about, as the error quotes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quoted {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// The protocol inside (6 TCP, 17 UDP, …).
    pub protocol: u8,
    /// TTL / hop limit in the quoted header. Measured in the lab: 1 in a time
    /// exceeded (quoted as it arrived), 63 in an nftables reject on the router's
    /// forward path (quoted after the router lowered it from 64).
    pub ttl: u8,
    /// Source and destination ports, for TCP and UDP, when quoted.
    pub ports: Option<(u16, u16)>,
    /// The TCP sequence number, when quoted: which segment this error is about.
    pub tcp_seq: Option<u32>,
}

/// Why bytes are not an ICMP / ICMPv6 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IcmpError {
    /// Fewer than the 8 bytes of the common header (type, code, checksum, 4 more).
    Truncated(usize),
}

impl fmt::Display for IcmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IcmpError::Truncated(have) => write!(f, "truncated ICMP message: {have} of 8 bytes"),
        }
    }
}

/// Decodes an ICMP message (the bytes after the IPv4 header).
pub fn decode_icmp(data: &[u8]) -> Result<Icmp, IcmpError> {
    let h = data.get(..8).ok_or(IcmpError::Truncated(data.len()))?;
    let (kind, code) = (h[0], h[1]);
    let word = |i: usize| u16::from_be_bytes([h[i], h[i + 1]]);
    let quoted = quoted_ipv4(&data[8..]);
    Ok(match (kind, code) {
        (8, _) => Icmp::EchoRequest { id: word(4), seq: word(6) },
        (0, _) => Icmp::EchoReply { id: word(4), seq: word(6) },
        // RFC 1191: the next-hop MTU sits in the low 16 bits of the second word.
        (3, 4) => Icmp::FragNeeded { next_hop_mtu: word(6), quoted },
        (3, code) => {
            let why = match code {
                0 => Unreachable::Network,
                1 => Unreachable::Host,
                2 => Unreachable::Protocol,
                3 => Unreachable::Port,
                9 | 10 | 13 => Unreachable::Prohibited,
                other => Unreachable::Other(other),
            };
            Icmp::Unreachable { why, quoted }
        }
        (11, code) => Icmp::TimeExceeded { in_transit: code == 0, quoted },
        (kind, code) => Icmp::Other { kind, code },
    })
}

/// The quoted IPv4 header and what follows it (at least 8 bytes, RFC 792; Linux
/// quotes more). `None` when not even the IP header is there.
pub(crate) fn quoted_ipv4(data: &[u8]) -> Option<Quoted> {
    let h = data.get(..20)?;
    let header_len = usize::from(h[0] & 0x0f) * 4;
    if h[0] >> 4 != 4 || header_len < 20 {
        return None;
    }
    let src = IpAddr::V4(Ipv4Addr::new(h[12], h[13], h[14], h[15]));
    let dst = IpAddr::V4(Ipv4Addr::new(h[16], h[17], h[18], h[19]));
    Some(with_transport(src, dst, h[9], h[8], data.get(header_len..).unwrap_or(&[])))
}

/// The quoted IPv6 header (40 bytes, no extension headers followed) and what follows.
pub(crate) fn quoted_ipv6(data: &[u8]) -> Option<Quoted> {
    let h = data.get(..40)?;
    if h[0] >> 4 != 6 {
        return None;
    }
    let addr = |i: usize| {
        let mut a = [0u8; 16];
        a.copy_from_slice(&h[i..i + 16]);
        IpAddr::V6(Ipv6Addr::from(a))
    };
    Some(with_transport(addr(8), addr(24), h[6], h[7], &data[40..]))
}

fn with_transport(src: IpAddr, dst: IpAddr, protocol: u8, ttl: u8, t: &[u8]) -> Quoted {
    let be16 = |i: usize| t.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let (tcp, udp) = (protocol == 6, protocol == 17);
    let ports = if tcp || udp { be16(0).zip(be16(2)) } else { None };
    let tcp_seq = t.get(4..8).filter(|_| tcp).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    Quoted { src, dst, protocol, ttl, ports, tcp_seq }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::arp::tests::hex;

    /// The ICMP message of a frame of the lab's icmp-link1.pcap (Ethernet 14 + IPv4 20 bytes before it).
    fn icmp_of(frame: &str) -> Icmp {
        decode_icmp(&hex(frame)[34..]).unwrap()
    }

    const ECHO: &str = "02000000010102000000010208004500002e7b8440004001a8470a0001020a00020208007e1f4c4100016f73692d736f636b65742d6b6974206c6162";
    const TIME_EXCEEDED: &str = "020000000102020000000101080045c000435755000040010ca30a0001010a0001020b0066b50000000045000027b13440000111b18e0a0001020a0002029cf1829a00131728686f70206c696d69742031";
    /// Cut after the quoted UDP header (the capture has the whole 1500-byte datagram quoted).
    const FRAG_NEEDED: &str = "020000000102020000000101080045c00240579b000040010a600a0001010a0001020304942800000578450005dc455540004011d8b80a0001020a000202e652000905c81cdd7878";
    const HOST_UNREACHABLE: &str = "020000000102020000000101080045c0005857a0000040010c430a0001010a00010203013ec7000000004500003ce36540003f0641530a0001020a000202b558ff98a9b74cab00000000a002ff0017320000020405500402080a3c6408dc000000000103030a";

    fn v4(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    #[test]
    fn echo_request_carries_id_and_sequence() {
        assert_eq!(icmp_of(ECHO), Icmp::EchoRequest { id: 0x4c41, seq: 1 });
    }

    #[test]
    fn time_exceeded_quotes_the_datagram_whose_ttl_ran_out() {
        let Icmp::TimeExceeded { in_transit: true, quoted: Some(q) } = icmp_of(TIME_EXCEEDED) else {
            panic!("{:?}", icmp_of(TIME_EXCEEDED))
        };
        assert_eq!((q.src, q.dst, q.protocol), (v4([10, 0, 1, 2]), v4([10, 0, 2, 2]), 17));
        assert_eq!(q.ttl, 1, "quoted as it arrived: TTL 1, which the router may not lower to 0");
        assert_eq!(q.ports.map(|p| p.1), Some(33434));
        assert_eq!(q.tcp_seq, None);
    }

    #[test]
    fn frag_needed_names_the_next_hop_mtu() {
        let Icmp::FragNeeded { next_hop_mtu, quoted: Some(q) } = icmp_of(FRAG_NEEDED) else {
            panic!("{:?}", icmp_of(FRAG_NEEDED))
        };
        assert_eq!(next_hop_mtu, 1400);
        assert_eq!((q.dst, q.protocol, q.ports.map(|p| p.1)), (v4([10, 0, 2, 2]), 17, Some(9)));
    }

    #[test]
    fn host_unreachable_quotes_the_syn_it_refuses() {
        let Icmp::Unreachable { why: Unreachable::Host, quoted: Some(q) } = icmp_of(HOST_UNREACHABLE) else {
            panic!("{:?}", icmp_of(HOST_UNREACHABLE))
        };
        assert_eq!((q.src, q.dst, q.protocol, q.ttl), (v4([10, 0, 1, 2]), v4([10, 0, 2, 2]), 6, 63));
        assert_eq!(q.ports, Some((46424, 65432)));
        assert_eq!(q.tcp_seq, Some(0xa9b74cab));
    }

    #[test]
    fn truncations_never_panic() {
        for frame in [ECHO, TIME_EXCEEDED, FRAG_NEEDED, HOST_UNREACHABLE] {
            let msg = hex(frame)[34..].to_vec();
            for n in 0..msg.len() {
                let got = decode_icmp(&msg[..n]);
                assert_eq!(got.is_err(), n < 8, "{n} bytes: {got:?}");
            }
        }
        assert_eq!(quoted_ipv4(&[0x45; 19]), None);
        assert_eq!(quoted_ipv4(&[0x41; 40]), None, "header length 4 bytes");
    }
}
