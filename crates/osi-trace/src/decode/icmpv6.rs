//! ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861), L3 for IPv6: echo, the
//! errors (unreachable, packet too big, time exceeded) quoting the packet they
//! are about, and the neighbour solicitation/advertisement that replace ARP.
//! Pure decoding; never panics.

use std::net::Ipv6Addr;

use crate::decode::icmp::{quoted_ipv6, IcmpError, Quoted, Unreachable};

/// One ICMPv6 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Icmpv6 {
    /// Type 128.
    EchoRequest { id: u16, seq: u16 },
    /// Type 129.
    EchoReply { id: u16, seq: u16 },
    /// Type 1.
    Unreachable { why: Unreachable, quoted: Option<Quoted> },
    /// Type 2: IPv6 routers never fragment; they send this back with their link's MTU.
    PacketTooBig { mtu: u32, quoted: Option<Quoted> },
    /// Type 3: the hop limit reached 0 (code 0) or reassembly timed out (code 1).
    TimeExceeded { in_transit: bool, quoted: Option<Quoted> },
    /// Type 135: "who has `target`?", to the target's solicited-node multicast group.
    NeighbourSolicitation { target: Ipv6Addr, source_mac: Option<[u8; 6]> },
    /// Type 136: "`target` is at `target_mac`".
    NeighbourAdvertisement { target: Ipv6Addr, router: bool, solicited: bool, target_mac: Option<[u8; 6]> },
    /// Type 133.
    RouterSolicitation,
    /// Type 134.
    RouterAdvertisement,
    /// Types 131, 132, 143: multicast listener discovery (which groups a host joined).
    MulticastListener,
    /// Any other type.
    Other { kind: u8, code: u8 },
}

/// Decodes an ICMPv6 message (the bytes after the IPv6 header).
pub fn decode_icmpv6(data: &[u8]) -> Result<Icmpv6, IcmpError> {
    let h = data.get(..8).ok_or(IcmpError::Truncated(data.len()))?;
    let (kind, code) = (h[0], h[1]);
    let word = |i: usize| u16::from_be_bytes([h[i], h[i + 1]]);
    let quoted = || quoted_ipv6(&data[8..]);
    Ok(match kind {
        128 => Icmpv6::EchoRequest { id: word(4), seq: word(6) },
        129 => Icmpv6::EchoReply { id: word(4), seq: word(6) },
        1 => {
            let why = match code {
                0 => Unreachable::Network,
                1 => Unreachable::Prohibited,
                3 => Unreachable::Host,
                4 => Unreachable::Port,
                other => Unreachable::Other(other),
            };
            Icmpv6::Unreachable { why, quoted: quoted() }
        }
        2 => Icmpv6::PacketTooBig { mtu: u32::from_be_bytes([h[4], h[5], h[6], h[7]]), quoted: quoted() },
        3 => Icmpv6::TimeExceeded { in_transit: code == 0, quoted: quoted() },
        135 | 136 => match target(data) {
            Some(target) if kind == 135 => {
                Icmpv6::NeighbourSolicitation { target, source_mac: link_layer_option(data, 1) }
            }
            Some(target) => Icmpv6::NeighbourAdvertisement {
                target,
                router: h[4] & 0x80 != 0,
                solicited: h[4] & 0x40 != 0,
                target_mac: link_layer_option(data, 2),
            },
            None => Icmpv6::Other { kind, code },
        },
        133 => Icmpv6::RouterSolicitation,
        134 => Icmpv6::RouterAdvertisement,
        130..=132 | 143 => Icmpv6::MulticastListener,
        kind => Icmpv6::Other { kind, code },
    })
}

/// The target address of a neighbour solicitation or advertisement (bytes 8..24).
fn target(data: &[u8]) -> Option<Ipv6Addr> {
    let b: [u8; 16] = data.get(8..24)?.try_into().ok()?;
    Some(Ipv6Addr::from(b))
}

/// The MAC in a source (1) or target (2) link-layer address option; options
/// start after the target and are counted in units of 8 bytes.
fn link_layer_option(data: &[u8], wanted: u8) -> Option<[u8; 6]> {
    let mut opts = data.get(24..)?;
    while let [kind, len, ..] = *opts {
        let size = usize::from(len) * 8;
        if size == 0 || size > opts.len() {
            return None;
        }
        if kind == wanted && size >= 8 {
            return opts[2..8].try_into().ok();
        }
        opts = &opts[size..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::arp::tests::hex;

    /// The ICMPv6 message of a lab frame (Ethernet 14 + IPv6 40 bytes before it).
    fn msg(frame: &str) -> Icmpv6 {
        decode_icmpv6(&hex(frame)[54..]).unwrap()
    }

    // Frames 1, 2, 3, 6, 8 (cut after the quoted UDP header) and 10 of icmp6-link1.pcap.
    const NS: &str = "3333ff00000102000000010286dd6000000000203afffd000001000000000000000000000002ff0200000000000000000001ff00000187007c9500000000fd0000010000000000000000000000010101020000000102";
    const NA: &str = "02000000010202000000010186dd6000000000203afffd000001000000000000000000000001fd00000100000000000000000000000288009b98e0000000fd0000010000000000000000000000010201020000000101";
    const ECHO: &str = "02000000010102000000010286dd600b356d001a3a40fd000001000000000000000000000002fd00000200000000000000000000000280000bc24c4100016f73692d736f636b65742d6b6974206c6162";
    const TIME_EXCEEDED: &str = "02000000010202000000010186dd600b9ffb00433a40fd000001000000000000000000000001fd00000100000000000000000000000203004604000000006008ea8800131101fd000001000000000000000000000002fd000002000000000000000000000002926b829a0013fa2c686f70206c696d69742031";
    const TOO_BIG: &str = "02000000010202000000010186dd600fc48004d83a40fd000001000000000000000000000001fd00000100000000000000000000000202007c27000005006006bab805801140fd000001000000000000000000000002fd000002000000000000000000000002b67d00090580ff99";
    const UNREACHABLE: &str = "02000000010202000000010186dd6003328200583a40fd000001000000000000000000000001fd0000010000000000000000000000020103478500000000600f01880028063ffd000001000000000000000000000002fd000002000000000000000000000002bb8aff9895e2315600000000a002fc94fa360000020404c40402080ad6ff53cb000000000103030a";

    fn addr(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn neighbour_solicitation_and_advertisement_are_ipv6s_arp() {
        assert_eq!(
            msg(NS),
            Icmpv6::NeighbourSolicitation { target: addr("fd00:1::1"), source_mac: Some([2, 0, 0, 0, 1, 2]) }
        );
        assert_eq!(
            msg(NA),
            Icmpv6::NeighbourAdvertisement {
                target: addr("fd00:1::1"),
                router: true,
                solicited: true,
                target_mac: Some([2, 0, 0, 0, 1, 1])
            }
        );
    }

    #[test]
    fn echo_and_errors_with_their_quotes() {
        assert_eq!(msg(ECHO), Icmpv6::EchoRequest { id: 0x4c41, seq: 1 });
        let Icmpv6::TimeExceeded { in_transit: true, quoted: Some(q) } = msg(TIME_EXCEEDED) else { panic!() };
        assert_eq!((q.protocol, q.ttl, q.ports.map(|p| p.1)), (17, 1, Some(33434)));
        let Icmpv6::PacketTooBig { mtu, quoted: Some(q) } = msg(TOO_BIG) else { panic!() };
        assert_eq!((mtu, q.dst), (1280, std::net::IpAddr::V6(addr("fd00:2::2"))));
        let Icmpv6::Unreachable { why: Unreachable::Host, quoted: Some(q) } = msg(UNREACHABLE) else {
            panic!()
        };
        assert_eq!((q.protocol, q.ports, q.tcp_seq), (6, Some((0xbb8a, 65432)), Some(0x95e23156)));
    }

    #[test]
    fn truncations_and_bad_options_never_panic() {
        for frame in [NS, NA, ECHO, TIME_EXCEEDED, TOO_BIG, UNREACHABLE] {
            let m = hex(frame)[54..].to_vec();
            for n in 0..m.len() {
                assert_eq!(decode_icmpv6(&m[..n]).is_err(), n < 8);
            }
        }
        // An option of length 0 would loop forever if trusted.
        let mut ns = hex(NS)[54..].to_vec();
        ns[25] = 0;
        assert!(matches!(decode_icmpv6(&ns), Ok(Icmpv6::NeighbourSolicitation { source_mac: None, .. })));
    }
}
