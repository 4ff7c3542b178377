//! The Vietnamese of the network's own messages (`render::words::control`): what an
//! ARP, ICMP or neighbour discovery frame says, who sent it and why, and what
//! the socket call waiting behind it will see. Sentence for sentence the English.

use std::net::IpAddr;

use crate::decode::arp::{mac_to_string, ArpOp};
use crate::decode::control::{Control, Message};
use crate::decode::icmp::{Icmp, Quoted, Unreachable};
use crate::decode::icmpv6::Icmpv6;
use crate::neighbours::{is_probe, Asked};
use crate::render::words::control::{Names, Waiting};

/// One line explaining `c`, as `control_words::explain` does in English.
pub fn explain(c: &Control, names: &Names, waiting: Option<Waiting>, asked: Option<Asked>) -> String {
    let still = if asked == Some(Asked::Probe) { "vẫn " } else { "" };
    match &c.message {
        Message::Arp(a) => {
            let (who, target) = (names.of(IpAddr::V4(a.sender_ip)), a.target_ip);
            match a.op {
                ArpOp::Request if a.is_gratuitous() => format!(
                    "L2 ARP: {who} thông báo {target} ở MAC {} (gratuitous)",
                    mac_to_string(&a.sender_mac)
                ),
                ArpOp::Request if is_probe(c) => format!(
                    "L2 ARP request, unicast tới {}: kernel của {who} kiểm tra {target} còn trả lời ở MAC nó đang \
                     cache không (dò khả năng tới được, NUD PROBE của Linux: đã lâu không gì xác nhận MAC đó); \
                     trong lúc đó gói tin tới {target} vẫn gửi tới MAC ấy",
                    c.macs.map_or_else(String::new, |(_, dst)| mac_to_string(&dst))
                ),
                ArpOp::Request => format!(
                    "L2 ARP request{}: kernel của {who} {} MAC của chặng kế tiếp {target} trước khi {} có thể đi",
                    if c.macs.is_some() { ", broadcast" } else { "" },
                    needs(waiting),
                    held(waiting)
                ),
                ArpOp::Reply => {
                    let asker = names.of(IpAddr::V4(a.target_ip));
                    format!(
                        "L2 ARP reply, chỉ tới {asker}: {} {still}ở MAC {}; {}",
                        a.sender_ip,
                        mac_to_string(&a.sender_mac),
                        replied(&asker, asked)
                    )
                }
                ArpOp::Other(op) => format!("L2 ARP thao tác {op} từ {who}"),
            }
        }
        Message::Icmp { src, dst, icmp, .. } => {
            let (from, to) = (names.of(IpAddr::V4(*src)), names.of(IpAddr::V4(*dst)));
            match icmp {
                Icmp::EchoRequest { id, seq } => {
                    format!("L3 ICMP yêu cầu echo (echo request, ping) {from} → {to}, id {id} seq {seq}")
                }
                Icmp::EchoReply { id, seq } => format!("L3 ICMP trả lời echo (echo reply) {from} → {to}, id {id} seq {seq}"),
                Icmp::Unreachable { why, quoted } => format!(
                    "L3 ICMP không tới được đích (destination unreachable: {}) từ {from}{}{}",
                    reason(*why),
                    about(quoted, names),
                    consequence(*why, quoted, false)
                ),
                Icmp::FragNeeded { next_hop_mtu, quoted } => format!(
                    "L3 ICMP cần phân mảnh (fragmentation needed) từ {from}: đường truyền kế tiếp của nó nhận \
                     tối đa {next_hop_mtu} byte và gói tin có bật Don't Fragment{}; kernel của {to} hạ path MTU \
                     xuống {next_hop_mtu} (một lần gửi lớn như vậy khi đó thất bại với EMSGSIZE; TCP gửi \
                     segment nhỏ hơn)",
                    about(quoted, names)
                ),
                Icmp::TimeExceeded { in_transit, quoted } => {
                    time_exceeded(&from, *in_transit, quoted, names, "TTL")
                }
                Icmp::Other { kind, code } => format!("L3 ICMP loại (type) {kind} mã (code) {code} từ {from}"),
            }
        }
        Message::Icmpv6 { src, dst, icmp, .. } => {
            let (from, to) = (names.of(IpAddr::V6(*src)), names.of(IpAddr::V6(*dst)));
            match icmp {
                Icmpv6::NeighbourSolicitation { target, .. } if is_probe(c) => format!(
                    "L3 ICMPv6 neighbour solicitation (ARP của IPv6), unicast tới {to}: kernel của {from} kiểm \
                     tra {target} còn trả lời ở MAC nó đang cache không (dò khả năng tới được, NUD PROBE của \
                     Linux: đã lâu không gì xác nhận MAC đó); trong lúc đó gói tin tới {target} vẫn gửi tới MAC ấy"
                ),
                Icmpv6::NeighbourSolicitation { target, .. } => format!(
                    "L3 ICMPv6 neighbour solicitation (ARP của IPv6), tới nhóm multicast của {target}: kernel \
                     của {from} {} MAC của {target} trước khi {} có thể đi",
                    needs(waiting),
                    held(waiting)
                ),
                Icmpv6::NeighbourAdvertisement { target, router, target_mac, .. } => format!(
                    "L3 ICMPv6 neighbour advertisement tới {to}: {target} {still}ở MAC {}{}{}",
                    target_mac.as_ref().map_or_else(|| "(không cho MAC)".into(), mac_to_string),
                    if *router { " (một router)" } else { "" },
                    asked.map_or_else(String::new, |_| format!("; {}", replied(&to, asked)))
                ),
                Icmpv6::EchoRequest { id, seq } => {
                    format!("L3 ICMPv6 yêu cầu echo (echo request, ping) {from} → {to}, id {id} seq {seq}")
                }
                Icmpv6::EchoReply { id, seq } => {
                    format!("L3 ICMPv6 trả lời echo (echo reply) {from} → {to}, id {id} seq {seq}")
                }
                Icmpv6::Unreachable { why, quoted } => format!(
                    "L3 ICMPv6 không tới được đích (destination unreachable: {}) từ {from}{}{}",
                    reason(*why),
                    about(quoted, names),
                    consequence(*why, quoted, true)
                ),
                Icmpv6::PacketTooBig { mtu, quoted } => format!(
                    "L3 ICMPv6 gói tin quá lớn (packet too big) từ {from}: đường truyền kế tiếp của nó nhận tối \
                     đa {mtu} byte, và router IPv6 không bao giờ phân mảnh{}; kernel của {to} hạ path MTU xuống {mtu}",
                    about(quoted, names)
                ),
                Icmpv6::TimeExceeded { in_transit, quoted } => {
                    time_exceeded(&from, *in_transit, quoted, names, "hop limit")
                }
                Icmpv6::RouterSolicitation => format!("L3 ICMPv6 router solicitation (tìm router) từ {from}"),
                Icmpv6::RouterAdvertisement => format!("L3 ICMPv6 router advertisement (router tự giới thiệu) từ {from}"),
                Icmpv6::MulticastListener => format!("L3 ICMPv6 multicast listener report (báo nghe multicast) từ {from}"),
                Icmpv6::Other { kind, code } => format!("L3 ICMPv6 loại (type) {kind} mã (code) {code} từ {from}"),
            }
        }
    }
}

/// What the asker's kernel does with a reply, by the request it answers.
fn replied(asker: &str, asked: Option<Asked>) -> String {
    match asked {
        Some(Asked::Probe) => format!(
            "nó trả lời một lần dò: kernel của {asker} đánh dấu MAC đã cache là được xác nhận (REACHABLE) \
             lại; không gói tin nào đang chờ nó"
        ),
        Some(Asked::Everyone) => format!("kernel của {asker} cache nó và gửi những gì đang chờ"),
        None => format!("kernel của {asker} cache nó (một gói tin bị giữ lại chờ câu trả lời giờ có thể đi)"),
    }
}

fn needs(waiting: Option<Waiting>) -> &'static str {
    match waiting {
        Some(Waiting::Syn) => "(connect()) cần",
        _ => "cần",
    }
}

fn held(waiting: Option<Waiting>) -> &'static str {
    match waiting {
        Some(Waiting::Syn) => "SYN của nó",
        Some(Waiting::Segment) => "segment TCP của nó",
        _ => "gói tin IP",
    }
}

fn reason(why: Unreachable) -> String {
    match why {
        Unreachable::Network => "không có route tới mạng".into(),
        Unreachable::Host => "host".into(),
        Unreachable::Protocol => "protocol".into(),
        Unreachable::Port => "port".into(),
        Unreachable::Prohibited => "bị cấm bởi quản trị (administratively prohibited)".into(),
        Unreachable::Other(code) => format!("mã {code}"),
    }
}

/// `, về TCP 10.0.1.2:46424 → 10.0.2.2:65432 seq 2847362219`.
fn about(quoted: &Option<Quoted>, names: &Names) -> String {
    let Some(q) = quoted else { return String::new() };
    let proto = match q.protocol {
        6 => "TCP".to_string(),
        17 => "UDP".to_string(),
        1 => "ICMP".to_string(),
        58 => "ICMPv6".to_string(),
        p => format!("protocol {p}"),
    };
    let ends = match q.ports {
        Some((s, d)) => format!("{}:{s} → {}:{d}", names.of(q.src), names.of(q.dst)),
        None => format!("{} → {}", names.of(q.src), names.of(q.dst)),
    };
    let seq = q.tcp_seq.map(|s| format!(" seq {s}")).unwrap_or_default();
    format!(", về {proto} {ends}{seq}")
}

/// What Linux does with the error (the English's `consequence`).
fn consequence(why: Unreachable, quoted: &Option<Quoted>, v6: bool) -> &'static str {
    let about_tcp = quoted.is_some_and(|q| q.protocol == 6);
    match (why, about_tcp, v6) {
        (Unreachable::Host, true, false) => {
            "; một connect() đang chờ SYN đó thất bại ngay với EHOSTUNREACH (\"No route to host\")"
        }
        (Unreachable::Host, true, true) => {
            "; với TCP đây là lỗi mềm (soft error): kernel tiếp tục gửi lại SYN"
        }
        _ => "",
    }
}

fn time_exceeded(
    from: &str,
    in_transit: bool,
    quoted: &Option<Quoted>,
    names: &Names,
    field: &str,
) -> String {
    if in_transit {
        format!(
            "L3 hết thời gian sống (time exceeded) từ {from}: {field} của gói tin về 0 ở đó, nên nó bị bỏ{} \
             (traceroute tìm từng router theo cách này)",
            about(quoted, names)
        )
    } else {
        format!(
            "L3 hết thời gian sống (time exceeded) từ {from}: ghép lại phân mảnh (fragment reassembly) quá giờ{}",
            about(quoted, names)
        )
    }
}
