//! The exercises of lessons 14 and 17, read from the client's link (link1) of
//! the lab: what crosses one real link — ARP for the next hop's MAC, the TTL
//! one router lowered, the MSS each end announces — and what a smaller link
//! further on changes: MSS 1360, and ICMP "fragmentation needed".

use osi_trace::json::Record;

use super::reading::{control, control_frame, first, from, most, role, segment};
use super::Question;

/// Whether `row` is an ARP frame.
fn is_arp(row: &Record) -> bool {
    control_frame(row).is_some_and(|c| c.protocol == "arp")
}

pub(super) const LESSON_14: &[Question] = &[
    Question {
        key: "arp_asks_for",
        text: "Which IP address does the client's ARP request ask the MAC of?",
        text_vi: "ARP request của client hỏi địa chỉ MAC của địa chỉ IP nào?",
        answer: || first(|r| control(r, "request") && is_arp(r), |r| Some(control_frame(r)?.dst.clone())),
        why: "10.0.2.2 is not on the client's link, so its route says `via 10.0.1.1`: the next hop is the router, and ARP asks for the next hop's MAC",
        why_vi: "10.0.2.2 không nằm trên link của client, nên route của nó ghi `via 10.0.1.1`: chặng kế tiếp là router, và ARP hỏi MAC của chặng kế tiếp",
    },
    Question {
        key: "next_hop_mac",
        text: "Which MAC address does the ARP reply give for it?",
        text_vi: "ARP reply cho biết địa chỉ MAC nào cho địa chỉ đó?",
        answer: || first(|r| control(r, "reply") && is_arp(r), |r| control_frame(r)?.mac.clone()),
        why: "the router's MAC on link1: the client's frames to any other network go to it, while their IP destination stays the server's",
        why_vi: "MAC của router trên link1: các frame của client tới mọi mạng khác đều đi tới nó, trong khi đích IP của chúng vẫn là của server",
    },
    Question {
        key: "syn_ttl",
        text: "With which TTL does the client's SYN cross link1?",
        text_vi: "SYN của client đi qua link1 với TTL bằng bao nhiêu?",
        answer: || first(|r| role(r, 0, "syn"), |r| Some(segment(r)?.ttl.to_string())),
        why: "Linux starts every packet at TTL 64, and on link1 the SYN has not passed a router yet",
        why_vi: "Linux bắt đầu mọi gói tin với TTL 64, và trên link1 SYN chưa đi qua router nào",
    },
    Question {
        key: "syn_ack_ttl",
        text: "With which TTL does the server's SYN+ACK arrive on link1?",
        text_vi: "SYN+ACK của server đến link1 với TTL bằng bao nhiêu?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(segment(r)?.ttl.to_string())),
        why: "the server sent it with 64, and the router lowered it by one on its way from link2 to link1: one hop",
        why_vi: "server gửi nó với 64, và router hạ xuống một trên đường từ link2 sang link1: một chặng",
    },
    Question {
        key: "server_mss",
        text: "Which MSS does the server announce in its SYN+ACK?",
        text_vi: "Server công bố MSS nào trong SYN+ACK của nó?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(segment(r)?.mss?.to_string())),
        why: "its link's MTU, 1500, less 20 bytes of IPv4 header and 20 of TCP header",
        why_vi: "MTU của link của nó, 1500, trừ 20 byte header IPv4 và 20 byte header TCP",
    },
];

/// Whether `row` is ICMP "fragmentation needed".
fn frag_needed(row: &Record) -> bool {
    control(row, "frag_needed")
}

pub(super) const LESSON_17: &[Question] = &[
    Question {
        key: "client_mss",
        text: "Which MSS does the client announce in its SYN?",
        text_vi: "Client công bố MSS nào trong SYN của nó?",
        answer: || first(|r| role(r, 0, "syn"), |r| Some(segment(r)?.mss?.to_string())),
        why: "the client's own link has MTU 1500 (1500 − 20 − 20): it cannot know of the smaller link behind the router",
        why_vi: "link của chính client có MTU 1500 (1500 − 20 − 20): nó không thể biết về link nhỏ hơn phía sau router",
    },
    Question {
        key: "server_mss",
        text: "Which MSS does the server announce in its SYN+ACK?",
        text_vi: "Server công bố MSS nào trong SYN+ACK của nó?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(segment(r)?.mss?.to_string())),
        why: "the server's link (link2) has MTU 1400: 1400 − 20 − 20",
        why_vi: "link của server (link2) có MTU 1400: 1400 − 20 − 20",
    },
    Question {
        key: "largest_client_len",
        text: "How many payload bytes does the client's largest segment carry?",
        text_vi: "Segment lớn nhất của client mang bao nhiêu byte payload?",
        answer: || {
            most(
                |r| from(r, "client"),
                |r| Some(segment(r)?.len.into()),
                |n| Some((n as u64).to_string()),
            )
        },
        why: "each side sends segments no larger than the MSS the other announced, 1360, less the 12 bytes of the timestamp option in every segment: the echo fits the 1400-byte link without any ICMP",
        why_vi: "mỗi bên gửi segment không lớn hơn MSS bên kia đã công bố, 1360, trừ 12 byte của option timestamp có trong mọi segment: echo vừa link 1400 byte mà không cần ICMP nào",
    },
    Question {
        key: "frag_needed_from",
        text: "Which address sent the ICMP \"fragmentation needed\"?",
        text_vi: "Địa chỉ nào đã gửi ICMP \"fragmentation needed\"?",
        answer: || first(frag_needed, |r| Some(control_frame(r)?.src.clone())),
        why: "the router: it could not forward the 1500-byte datagram with Don't Fragment set onto the 1400-byte link, so it dropped it and told the sender",
        why_vi: "router: nó không thể chuyển datagram 1500 byte có đặt cờ Don't Fragment sang link 1400 byte, nên nó bỏ datagram đó và báo cho bên gửi",
    },
    Question {
        key: "next_hop_mtu",
        text: "Which MTU does that ICMP message give for the next link?",
        text_vi: "Thông điệp ICMP đó cho biết MTU nào cho link kế tiếp?",
        answer: || first(frag_needed, |r| Some(control_frame(r)?.mtu?.to_string())),
        why: "link2's MTU: the client's kernel keeps it as the path MTU to 10.0.2.2, and the next send that big fails with EMSGSIZE (path MTU discovery, RFC 1191)",
        why_vi: "MTU của link2: kernel của client giữ nó làm path MTU tới 10.0.2.2, và lần send lớn cỡ đó tiếp theo thất bại với EMSGSIZE (path MTU discovery, RFC 1191)",
    },
];
