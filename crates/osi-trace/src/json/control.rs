//! A control frame's `--json` record ([`ControlRecord`], `"type": "control"`):
//! ARP, ICMP or ICMPv6 in its place between the segments, with a stable name
//! for its message and its words in English.

use serde::{Deserialize, Serialize};

use crate::decode::arp::ArpOp;
use crate::decode::control::Message;
use crate::decode::icmp::Icmp;
use crate::decode::icmpv6::Icmpv6;
use crate::neighbours::ControlFrame;
use crate::render::words::control::{explain, Names};

/// One control frame (ARP, ICMP, ICMPv6) between the segments, in capture order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlRecord {
    /// IP destination; for ARP the address asked or answered about (`arp.dst.proto_ipv4`).
    pub dst: String,
    /// Frame number in the capture, from 1 (`frame.number`).
    pub frame: u64,
    /// The interface it was seen on, when the capture had several; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// ARP: the sender's MAC address, the answer of a reply (`arp.src.hw_mac`); null otherwise.
    #[serde(default)]
    pub mac: Option<String>,
    /// A short stable name: `request`, `reply` (ARP); `echo_request`, `echo_reply`,
    /// `unreachable`, `frag_needed`, `packet_too_big`, `time_exceeded`,
    /// `neighbour_solicitation`, `neighbour_advertisement`, … or `other`.
    pub message: String,
    /// ICMP fragmentation needed, ICMPv6 packet too big: the MTU of the next link
    /// (`icmp.mtu`, `icmpv6.mtu`); null otherwise.
    #[serde(default)]
    pub mtu: Option<u32>,
    /// `arp`, `icmp` or `icmpv6`.
    pub protocol: String,
    /// IP source; for ARP the sender's address (`arp.src.proto_ipv4`).
    pub src: String,
    /// What it says, in words, as in the line view.
    pub text: String,
    /// Seconds since the first frame (`frame.time_relative`).
    pub time: f64,
}

impl From<&ControlFrame> for ControlRecord {
    fn from(c: &ControlFrame) -> Self {
        // JSON is language-neutral: its texts are English whatever --lang says.
        let _en = kit::lang::English::now();
        let m = &c.control.message;
        let (protocol, message) = match m {
            Message::Arp(a) => (
                "arp",
                match a.op {
                    ArpOp::Request => "request",
                    ArpOp::Reply => "reply",
                    ArpOp::Other(_) => "other",
                },
            ),
            Message::Icmp { icmp, .. } => (
                "icmp",
                match icmp {
                    Icmp::EchoRequest { .. } => "echo_request",
                    Icmp::EchoReply { .. } => "echo_reply",
                    Icmp::Unreachable { .. } => "unreachable",
                    Icmp::FragNeeded { .. } => "frag_needed",
                    Icmp::TimeExceeded { .. } => "time_exceeded",
                    Icmp::Other { .. } => "other",
                },
            ),
            Message::Icmpv6 { icmp, .. } => (
                "icmpv6",
                match icmp {
                    Icmpv6::EchoRequest { .. } => "echo_request",
                    Icmpv6::EchoReply { .. } => "echo_reply",
                    Icmpv6::Unreachable { .. } => "unreachable",
                    Icmpv6::PacketTooBig { .. } => "packet_too_big",
                    Icmpv6::TimeExceeded { .. } => "time_exceeded",
                    Icmpv6::NeighbourSolicitation { .. } => "neighbour_solicitation",
                    Icmpv6::NeighbourAdvertisement { .. } => "neighbour_advertisement",
                    Icmpv6::RouterSolicitation => "router_solicitation",
                    Icmpv6::RouterAdvertisement => "router_advertisement",
                    Icmpv6::MulticastListener => "multicast_listener",
                    Icmpv6::Other { .. } => "other",
                },
            ),
        };
        ControlRecord {
            dst: m.dst().to_string(),
            frame: c.frame,
            link: None,
            mac: match m {
                Message::Arp(a) => Some(crate::decode::arp::mac_to_string(&a.sender_mac)),
                _ => None,
            },
            message: message.to_string(),
            mtu: match m {
                Message::Icmp { icmp: Icmp::FragNeeded { next_hop_mtu, .. }, .. } => {
                    Some((*next_hop_mtu).into())
                }
                Message::Icmpv6 { icmp: Icmpv6::PacketTooBig { mtu, .. }, .. } => Some(*mtu),
                _ => None,
            },
            protocol: protocol.to_string(),
            src: m.src().to_string(),
            text: explain(&c.control, &Names::default(), None, c.asked),
            time: c.time.as_secs_f64(),
        }
    }
}
