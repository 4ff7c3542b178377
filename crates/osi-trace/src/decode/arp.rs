//! ARP (RFC 826), L2½: how a host learns the MAC address behind an IPv4 address
//! on its own link before the first IP packet to it can leave. Pure decoding of
//! the ARP message (the bytes after the Ethernet header); never panics.

use std::fmt;
use std::net::Ipv4Addr;

/// The EtherType that marks an ARP message.
pub const ETHERTYPE_ARP: u16 = 0x0806;

/// What an ARP message asks or answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpOp {
    /// "Who has `target_ip`? Tell `sender_ip`": sent to the broadcast MAC.
    Request,
    /// "`sender_ip` is at `sender_mac`": sent straight back to the asker.
    Reply,
    /// Another operation code (RARP, InARP…), kept as it was.
    Other(u16),
}

/// One ARP message for IPv4 over Ethernet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arp {
    pub op: ArpOp,
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    /// All zero in a request: that is what the sender does not know yet.
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

impl Arp {
    /// A request whose sender asks for its own address: a gratuitous ARP
    /// (announcing itself, or probing for an address conflict).
    pub fn is_gratuitous(&self) -> bool {
        self.sender_ip == self.target_ip
    }
}

/// Why bytes are not an ARP message for IPv4 over Ethernet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArpError {
    /// Fewer than the 28 bytes an Ethernet/IPv4 ARP message holds.
    Truncated(usize),
    /// Hardware or protocol type/length other than Ethernet (1, 6) and IPv4 (0x0800, 4).
    NotEthernetIpv4 { htype: u16, ptype: u16, hlen: u8, plen: u8 },
}

impl fmt::Display for ArpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArpError::Truncated(have) => write!(f, "truncated ARP message: {have} of 28 bytes"),
            ArpError::NotEthernetIpv4 { htype, ptype, hlen, plen } => write!(
                f,
                "ARP for hardware type {htype} (length {hlen}) and protocol 0x{ptype:04x} (length {plen}), not Ethernet/IPv4"
            ),
        }
    }
}

/// Decodes the ARP message that follows the Ethernet header.
pub fn decode_arp(data: &[u8]) -> Result<Arp, ArpError> {
    let m = data.get(..28).ok_or(ArpError::Truncated(data.len()))?;
    let u16_at = |i: usize| u16::from_be_bytes([m[i], m[i + 1]]);
    let (htype, ptype, hlen, plen) = (u16_at(0), u16_at(2), m[4], m[5]);
    if (htype, ptype, hlen, plen) != (1, 0x0800, 6, 4) {
        return Err(ArpError::NotEthernetIpv4 { htype, ptype, hlen, plen });
    }
    let op = match u16_at(6) {
        1 => ArpOp::Request,
        2 => ArpOp::Reply,
        other => ArpOp::Other(other),
    };
    let mac = |i: usize| [m[i], m[i + 1], m[i + 2], m[i + 3], m[i + 4], m[i + 5]];
    let ip = |i: usize| Ipv4Addr::new(m[i], m[i + 1], m[i + 2], m[i + 3]);
    Ok(Arp { op, sender_mac: mac(8), sender_ip: ip(14), target_mac: mac(18), target_ip: ip(24) })
}

/// A MAC address as `02:00:00:00:01:02`, as [`super::mac::mac`] writes it.
pub fn mac_to_string(mac: &[u8; 6]) -> String {
    super::mac::mac(mac).to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// Frames 1 and 2 of the lab's echo-link1.pcap: the client asks for its gateway.
    pub(crate) const REQUEST: &str =
        "ffffffffffff020000000102080600010800060400010200000001020a0001020000000000000a000101";
    pub(crate) const REPLY: &str =
        "020000000102020000000101080600010800060400020200000001010a0001010200000001020a000102";

    #[test]
    fn the_clients_request_for_its_gateway() {
        let arp = decode_arp(&hex(REQUEST)[14..]).unwrap();
        assert_eq!(arp.op, ArpOp::Request);
        assert_eq!(mac_to_string(&arp.sender_mac), "02:00:00:00:01:02");
        assert_eq!(arp.sender_ip, Ipv4Addr::new(10, 0, 1, 2));
        assert_eq!(arp.target_mac, [0; 6], "the unknown the request asks for");
        assert_eq!(arp.target_ip, Ipv4Addr::new(10, 0, 1, 1));
        assert!(!arp.is_gratuitous());
    }

    #[test]
    fn the_routers_reply_names_its_mac() {
        let arp = decode_arp(&hex(REPLY)[14..]).unwrap();
        assert_eq!(arp.op, ArpOp::Reply);
        assert_eq!(mac_to_string(&arp.sender_mac), "02:00:00:00:01:01");
        assert_eq!(arp.sender_ip, Ipv4Addr::new(10, 0, 1, 1));
        assert_eq!(arp.target_ip, Ipv4Addr::new(10, 0, 1, 2));
    }

    #[test]
    fn every_truncation_and_a_foreign_type_is_an_error() {
        let body = hex(REQUEST)[14..].to_vec();
        for n in 0..28 {
            assert_eq!(decode_arp(&body[..n]), Err(ArpError::Truncated(n)));
        }
        let mut ipv6ish = body.clone();
        ipv6ish[5] = 16;
        assert!(matches!(decode_arp(&ipv6ish), Err(ArpError::NotEthernetIpv4 { plen: 16, .. })));
        let mut rarp = body;
        rarp[7] = 3;
        assert_eq!(decode_arp(&rarp).unwrap().op, ArpOp::Other(3));
    }
}
