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
        answer: || first(|r| control(r, "request") && is_arp(r), |r| Some(control_frame(r)?.dst.clone())),
        why: "10.0.2.2 is not on the client's link, so its route says `via 10.0.1.1`: the next hop is the router, and ARP asks for the next hop's MAC",
    },
    Question {
        key: "next_hop_mac",
        text: "Which MAC address does the ARP reply give for it?",
        answer: || first(|r| control(r, "reply") && is_arp(r), |r| control_frame(r)?.mac.clone()),
        why: "the router's MAC on link1: the client's frames to any other network go to it, while their IP destination stays the server's",
    },
    Question {
        key: "syn_ttl",
        text: "With which TTL does the client's SYN cross link1?",
        answer: || first(|r| role(r, 0, "syn"), |r| Some(segment(r)?.ttl.to_string())),
        why: "Linux starts every packet at TTL 64, and on link1 the SYN has not passed a router yet",
    },
    Question {
        key: "syn_ack_ttl",
        text: "With which TTL does the server's SYN+ACK arrive on link1?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(segment(r)?.ttl.to_string())),
        why: "the server sent it with 64, and the router lowered it by one on its way from link2 to link1: one hop",
    },
    Question {
        key: "server_mss",
        text: "Which MSS does the server announce in its SYN+ACK?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(segment(r)?.mss?.to_string())),
        why: "its link's MTU, 1500, less 20 bytes of IPv4 header and 20 of TCP header",
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
        answer: || first(|r| role(r, 0, "syn"), |r| Some(segment(r)?.mss?.to_string())),
        why: "the client's own link has MTU 1500 (1500 − 20 − 20): it cannot know of the smaller link behind the router",
    },
    Question {
        key: "server_mss",
        text: "Which MSS does the server announce in its SYN+ACK?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(segment(r)?.mss?.to_string())),
        why: "the server's link (link2) has MTU 1400: 1400 − 20 − 20",
    },
    Question {
        key: "largest_client_len",
        text: "How many payload bytes does the client's largest segment carry?",
        answer: || {
            most(
                |r| from(r, "client"),
                |r| Some(segment(r)?.len.into()),
                |n| Some((n as u64).to_string()),
            )
        },
        why: "each side sends segments no larger than the MSS the other announced, 1360, less the 12 bytes of the timestamp option in every segment: the echo fits the 1400-byte link without any ICMP",
    },
    Question {
        key: "frag_needed_from",
        text: "Which address sent the ICMP \"fragmentation needed\"?",
        answer: || first(frag_needed, |r| Some(control_frame(r)?.src.clone())),
        why: "the router: it could not forward the 1500-byte datagram with Don't Fragment set onto the 1400-byte link, so it dropped it and told the sender",
    },
    Question {
        key: "next_hop_mtu",
        text: "Which MTU does that ICMP message give for the next link?",
        answer: || first(frag_needed, |r| Some(control_frame(r)?.mtu?.to_string())),
        why: "link2's MTU: the client's kernel keeps it as the path MTU to 10.0.2.2, and the next send that big fails with EMSGSIZE (path MTU discovery, RFC 1191)",
    },
];
