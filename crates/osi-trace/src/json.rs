//! The `--json` output as types: one [`SegmentRecord`] per segment, one
//! [`ConnectionRecord`] per connection and one [`ControlRecord`] per ARP or
//! ICMP frame, one JSON object per line; the hop view's records in [`hop`]. The schema
//! is these structs (documented in the README); the tests read the output
//! back into the same types. Fields are declared in alphabetical order, the
//! order the objects have always been written in.

use serde::{Deserialize, Serialize};

pub mod hop;
mod segment;
pub use segment::SegmentWriter;

use crate::analysis::{Annotated, End, Estimate, Flow, Role, Summary};
use crate::decode::arp::ArpOp;
use crate::decode::control::Message;
use crate::decode::flags::ACK;
use crate::decode::icmp::Icmp;
use crate::decode::icmpv6::Icmpv6;
use crate::neighbours::ControlFrame;
use crate::render::words::control::{explain, Names};
use crate::render::{call, flag_names, words};

/// How many payload bytes a segment record carries.
pub const PAYLOAD: usize = 256;

/// The `type` field of a segment record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentType {
    Segment,
}

/// The `type` field of a connection record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionType {
    Connection,
}

/// One TCP segment. Names follow Wireshark's display filter fields where one exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// Relative to the receiver's ISN (`tcp.ack`); null without the ACK flag.
    pub ack: Option<u32>,
    /// As on the wire (`tcp.ack_raw`); null without the ACK flag.
    pub ack_raw: Option<u32>,
    /// Seconds from the frame this ACK acknowledges to it (`tcp.analysis.ack_rtt`); null when it
    /// acknowledges no segment exactly. Wireshark leaves the field out when it is 0.
    pub ack_rtt: Option<f64>,
    /// The acknowledged bytes were sent more than once, so the sample is ambiguous: Karn's
    /// rule (RFC 6298 §3) keeps it out of the RTO estimate. Null without a sample.
    pub ack_rtt_retransmitted: Option<bool>,
    /// The frame this ACK acknowledges (`tcp.analysis.acks_frame`).
    pub acks_frame: Option<u64>,
    /// Wireshark's `tcp.analysis.*` flags, e.g. `retransmission`.
    pub analysis: Vec<String>,
    /// Who sent it: `client` or `server` (the program's own socket call sent it), or
    /// `client_kernel` or `server_kernel` (its kernel did, on its own or for `call`).
    pub by: String,
    /// The socket call behind it: `connect`, `listen`, `send`, `recv` or `close`;
    /// null when the kernel sent it on its own (an ACK, a retransmission, …).
    pub call: Option<String>,
    /// The socket call (or the kernel) that caused it.
    pub cause: String,
    /// The client's TCP state after this segment, e.g. `FIN_WAIT_2`.
    pub client_state: String,
    pub dst: String,
    pub dstport: u16,
    /// e.g. `SYN, ACK`.
    pub flags: String,
    /// e.g. `0x012`: all 12 bits after the data offset, AE and reserved too (`tcp.flags`).
    pub flags_hex: String,
    /// Frame number in the capture, from 1 (`frame.number`).
    pub frame: u64,
    /// `client` or `server`: who sent it; the client sent the SYN.
    pub from: String,
    /// IP total length.
    pub ip_len: u32,
    /// Payload bytes (`tcp.len`).
    pub len: u32,
    /// The interface it was seen on, when the capture had several (`--interface`
    /// repeated, or `any`); left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The MSS option of a SYN or SYN+ACK: the largest payload its sender takes in one
    /// segment (`tcp.options.mss_val`); null without it.
    #[serde(default)]
    pub mss: Option<u16>,
    /// Relative sequence number after this segment (`tcp.nxtseq`).
    pub nxtseq: u32,
    /// The first [`PAYLOAD`] payload bytes, escaped like a Python bytes literal.
    pub payload: String,
    /// A copy of the last segment its sender sent with data, a SYN or a FIN: the seconds
    /// since that copy (a retransmission timer's back-off shows in them); null otherwise.
    #[serde(default)]
    pub resent_after: Option<f64>,
    /// A short stable name: `syn`, `syn_ack`, `handshake_ack`, `handshake_ack_again`, `data`, `ack`, …
    pub role: String,
    /// The role in words, as in the line view.
    pub role_text: String,
    /// The SACK blocks (RFC 2018), `[left, right)`, relative like `ack`
    /// (`tcp.options.sack_le`, `tcp.options.sack_re`); empty without any.
    #[serde(default)]
    pub sack: Vec<[u32; 2]>,
    /// Relative to the sender's ISN (`tcp.seq`).
    pub seq: u32,
    pub seq_raw: u32,
    pub server_state: String,
    pub src: String,
    pub srcport: u16,
    /// Connection number, from 0 (`tcp.stream`).
    pub stream: u64,
    /// Seconds since the first frame (`frame.time_relative`).
    pub time: f64,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    #[serde(rename = "type")]
    pub kind: SegmentType,
    /// The window with the scale applied (`tcp.window_size`).
    pub window_size: u64,
    /// The multiplier, -1 while unknown (`tcp.window_size_scalefactor`).
    pub window_size_scalefactor: i64,
    /// The window field as sent (`tcp.window_size_value`).
    pub window_size_value: u16,
}

impl From<&Annotated> for SegmentRecord {
    fn from(n: &Annotated) -> Self {
        // JSON is language-neutral: its texts are English whatever --lang says.
        let _en = kit::lang::English::now();
        let seg = &n.seg;
        let call = call::cause(n);
        SegmentRecord {
            ack: n.ack,
            ack_raw: seg.tcp.has(ACK).then_some(seg.tcp.ack),
            ack_rtt: n.ack_rtt.map(|r| r.rtt.as_secs_f64()),
            ack_rtt_retransmitted: n.ack_rtt.map(|r| r.ambiguous),
            acks_frame: n.ack_rtt.map(|r| r.acks_frame),
            analysis: n.analysis.iter().map(|a| a.field().to_string()).collect(),
            by: call.by(),
            call: call.call.map(|c| c.name().to_string()),
            cause: words::cause(n).to_string(),
            client_state: n.client_state.to_string(),
            dst: n.dst.to_string(),
            dstport: seg.tcp.dst_port,
            flags: flag_names(seg.tcp.flags).to_string(),
            flags_hex: format!("0x{:03x}", seg.tcp.flags12),
            frame: n.frame,
            from: n.from.name().to_string(),
            ip_len: seg.ip.total_len,
            len: n.len,
            link: None,
            mss: seg.tcp.options.mss,
            nxtseq: n.next_seq,
            payload: kit::escape_bytes_literal(&seg.payload[..seg.payload.len().min(PAYLOAD)]),
            resent_after: n.resent_after.map(|d| d.as_secs_f64()),
            role: role_name(&n.role).to_string(),
            role_text: words::describe(&n.role, n.from).to_string(),
            sack: sack_blocks(n),
            seq: n.seq,
            seq_raw: seg.tcp.seq,
            server_state: n.server_state.to_string(),
            src: n.src.to_string(),
            srcport: seg.tcp.src_port,
            stream: n.stream,
            time: n.time.as_secs_f64(),
            ttl: seg.ip.ttl,
            kind: SegmentType::Segment,
            window_size: n.win,
            window_size_scalefactor: n.win_shift.map_or(-1, |s| 1i64 << s),
            window_size_value: seg.tcp.window,
        }
    }
}

/// The SACK blocks of a segment, relative like its ack number (the same base: the
/// peer's ISN), as the line view shows them; none without the ACK flag.
pub fn sack_blocks(n: &Annotated) -> Vec<[u32; 2]> {
    let t = &n.seg.tcp;
    let Some(rel_ack) = n.ack.filter(|_| !t.options.sack.is_empty()) else { return Vec::new() };
    let base = t.ack.wrapping_sub(rel_ack);
    t.options.sack.iter().map(|&(l, r)| [l.wrapping_sub(base), r.wrapping_sub(base)]).collect()
}

/// A short, stable name for a role, for scripts.
pub fn role_name(r: &Role) -> &'static str {
    match r {
        Role::Handshake(1) => "syn",
        Role::Handshake(_) => "syn_ack",
        Role::HandshakeAck { again: false, .. } => "handshake_ack",
        Role::HandshakeAck { again: true, .. } => "handshake_ack_again",
        Role::Data { .. } => "data",
        Role::Ack { .. } => "ack",
        Role::WindowUpdate => "window_update",
        Role::KeepAlive => "keep_alive",
        Role::WindowProbe { .. } => "window_probe",
        Role::Fin { .. } => "fin",
        Role::FinAck { .. } => "fin_ack",
        Role::Refused => "refused",
        Role::Reset | Role::StaleReset => "reset",
        Role::ChallengeAck => "challenge_ack",
    }
}

/// One direction's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRecord {
    /// New payload bytes; retransmissions are not counted twice.
    pub bytes: u64,
    pub segments: u64,
}

impl From<Flow> for FlowRecord {
    fn from(f: Flow) -> Self {
        FlowRecord { bytes: f.bytes, segments: f.segments }
    }
}

/// RFC 6298's estimate for one direction's segments, from the RTT samples of
/// the other side's ACKs. Seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RttRecord {
    /// Samples Karn's rule kept out (the acknowledged bytes were retransmitted).
    pub karn_skipped: u64,
    /// The largest and the smallest sample used.
    pub max: f64,
    pub min: f64,
    /// SRTT + max(G, 4·RTTVAR), G = 1 µs (the capture clock), before any floor.
    pub rto_computed: f64,
    /// RFC 6298's RTO: `rto_computed`, rounded up to 1 s.
    pub rto_rfc6298: f64,
    pub rttvar: f64,
    /// Samples used.
    pub samples: u64,
    pub srtt: f64,
}

impl RttRecord {
    /// The record of an estimate, `None` before its first sample.
    /// Seconds are rounded to nanoseconds: finer is noise, and the numbers read back exactly.
    pub fn of(e: &Estimate) -> Option<Box<RttRecord>> {
        let ns = |s: f64| (s * 1e9).round() / 1e9;
        Some(Box::new(RttRecord {
            karn_skipped: e.karn_skipped,
            max: e.max,
            min: e.min,
            rto_computed: ns(e.rto_computed()?),
            rto_rfc6298: ns(e.rto()?),
            rttvar: ns(e.rttvar),
            samples: e.samples,
            srtt: ns(e.srtt?),
        }))
    }
}

/// One connection, written when it ends (and at the end for those still open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionRecord {
    pub client: String,
    pub client_to_server: FlowRecord,
    /// RFC 6298's estimate for the client's segments; null without an RTT sample.
    pub client_to_server_rtt: Option<Box<RttRecord>>,
    /// Seconds from its first to its last segment.
    pub duration: f64,
    /// `graceful`, `reset`, `refused` or `open`.
    pub end: String,
    /// The last SYN to the client's ACK completing the handshake, seconds (tshark's
    /// `tcp.analysis.initial_rtt`, but for a refused connection: tshark times the RST).
    pub handshake_rtt: Option<f64>,
    /// The first SYN to the handshake's last ACK, seconds: not a round trip
    /// when `syn_retransmissions` > 0.
    pub handshake_time: Option<f64>,
    /// The capture began after the handshake.
    pub joined_late: bool,
    pub server: String,
    pub server_to_client: FlowRecord,
    pub server_to_client_rtt: Option<Box<RttRecord>>,
    /// Seconds since the first frame.
    pub start: f64,
    pub stream: u64,
    /// How many times the server sent its SYN+ACK again after the last SYN, before the
    /// handshake completed: `handshake_rtt` then includes its retransmission timer.
    pub syn_ack_retransmissions: u32,
    /// How many times the client sent its SYN again.
    pub syn_retransmissions: u32,
    #[serde(rename = "type")]
    pub kind: ConnectionType,
}

impl From<&Summary> for ConnectionRecord {
    fn from(s: &Summary) -> Self {
        // JSON is language-neutral: its texts are English whatever --lang says.
        let _en = kit::lang::English::now();
        ConnectionRecord {
            client: s.client.to_string(),
            client_to_server: s.to_server.into(),
            client_to_server_rtt: RttRecord::of(&s.rtt.to_server),
            duration: s.duration().as_secs_f64(),
            end: match s.end {
                End::Graceful => "graceful",
                End::Reset { refused: true } => "refused",
                End::Reset { refused: false } => "reset",
                End::Open => "open",
            }
            .to_string(),
            handshake_rtt: s.handshake_rtt.map(|d| d.as_secs_f64()),
            handshake_time: s.handshake_time.map(|d| d.as_secs_f64()),
            joined_late: s.joined_late,
            server: s.server.to_string(),
            server_to_client: s.to_client.into(),
            server_to_client_rtt: RttRecord::of(&s.rtt.to_client),
            start: s.start.as_secs_f64(),
            stream: s.stream,
            syn_ack_retransmissions: s.syn_ack_retransmissions,
            syn_retransmissions: s.syn_retransmissions,
            kind: ConnectionType::Connection,
        }
    }
}

/// The `type` field of a control record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlType {
    Control,
}

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
    #[serde(rename = "type")]
    pub kind: ControlType,
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
            kind: ControlType::Control,
        }
    }
}

/// Any line of the output, for readers: the `type` field tells which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Record {
    Segment(Box<SegmentRecord>),
    Connection(ConnectionRecord),
    Control(ControlRecord),
}
