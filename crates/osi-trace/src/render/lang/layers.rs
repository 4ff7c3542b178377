//! The Vietnamese of the `--layers` view's prose (`render::words::layers`): a
//! link header that is not a real one, the pieces between the header fields,
//! the notes on an IP length, the outer headers. Field names stay Wireshark's.

use std::fmt;

use crate::decode::{Encap, IpLength};
use crate::render::words::layers::Words;

pub const WORDS: Words = Words {
    loopback: " — loopback: header giữ chỗ (MAC toàn số 0), không có link thật, không có ARP",
    no_link_header: "không ghi lại link header",
    none_recorded: "không ghi lại: capture bắt đầu từ IP header",
    bsd_loopback: "header loopback của BSD",
    point_to_point: "link điểm-điểm: không có địa chỉ",
    total_length: ", tổng độ dài ",
    raw: " (thô ",
    scale_unknown: " (chưa biết scale: capture không có phần bắt tay)",
    bytes: "byte",
    options: ", option: ",
    blocks: "khối",
    malformed_options: "danh sách option hỏng",
    no_payload: "không có payload",
    captured: "bắt được",
    cause: "nguyên nhân",
};

/// The note on an IP length not taken from the header as is.
pub fn length_note(length: &IpLength) -> Option<String> {
    match length {
        IpLength::Header => None,
        IpLength::ZeroInHeader => Some(
            "header ghi 0: bắt trước khi segmentation offload (TSO/GRO) cắt nó, độ dài lấy từ frame".into(),
        ),
        IpLength::Reassembled { fragments } => {
            Some(format!("ghép lại từ {fragments} mảnh (fragment): frame này hoàn tất datagram"))
        }
        IpLength::LongerThanFrame { header } => {
            Some(format!("header ghi {header}, nhiều hơn frame chứa: lấy theo phần bắt được"))
        }
    }
}

/// An outer header in one line.
pub fn encap(e: &Encap, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        Encap::Vlan { tpid: 0x8100, id, pcp } => write!(f, "thẻ VLAN 802.1Q: VLAN {id}, độ ưu tiên {pcp}"),
        Encap::Vlan { tpid, id, pcp } => {
            write!(f, "thẻ dịch vụ 802.1ad (QinQ, TPID 0x{tpid:04x}): VLAN {id}, độ ưu tiên {pcp}")
        }
        Encap::Pppoe { session, protocol } => {
            write!(f, "phiên PPPoE 0x{session:04x}, PPP protocol 0x{protocol:04x}")
        }
        Encap::Mpls { label, tc, ttl } => write!(f, "nhãn MPLS {label}, traffic class {tc}, TTL {ttl}"),
        Encap::Ip(ip) => {
            let v = if ip.id.is_some() { "IPv4" } else { "IPv6" };
            write!(f, "{v} {} → {} (hai đầu tunnel: gói IP bên trong là payload của nó)", ip.src, ip.dst)
        }
        Encap::Gre { protocol, key } => {
            write!(f, "tunnel GRE, mang EtherType 0x{protocol:04x}")?;
            key.map_or(Ok(()), |k| write!(f, ", key {k}"))
        }
        Encap::Udp { src_port, dst_port } => write!(f, "UDP {src_port} → {dst_port} (một tunnel qua UDP)"),
        Encap::Vxlan { vni } => write!(f, "mạng VXLAN {vni}: bên trong là cả một frame Ethernet"),
        Encap::Geneve { vni, protocol } => write!(f, "mạng Geneve {vni}, mang EtherType 0x{protocol:04x}"),
        Encap::Ethernet { src, dst, ethertype } => write!(
            f,
            "Ethernet {} → {}, type 0x{ethertype:04x} (bên trong tunnel)",
            crate::decode::mac::mac(src),
            crate::decode::mac::mac(dst)
        ),
    }
}
