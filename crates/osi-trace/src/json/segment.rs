//! A TCP segment's `--json` record ([`SegmentRecord`], `"type": "segment"`):
//! the analysed segment's facts under Wireshark's display-filter names, and its
//! words in English. `write.rs` writes the same bytes without making the record.

use serde::{Deserialize, Serialize};

use crate::analysis::{Annotated, Role};
use crate::decode::flags::ACK;
use crate::render::{call, flag_names, words};

/// How many payload bytes a segment record carries.
pub const PAYLOAD: usize = 256;

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
            role_text: words::describe(n).to_string(),
            sack: sack_blocks(n),
            seq: n.seq,
            seq_raw: seg.tcp.seq,
            server_state: n.server_state.to_string(),
            src: n.src.to_string(),
            srcport: seg.tcp.src_port,
            stream: n.stream,
            time: n.time.as_secs_f64(),
            ttl: seg.ip.ttl,
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
        Role::Handshake(1) | Role::Simultaneous { step: 1, .. } => "syn",
        Role::Handshake(_) | Role::Simultaneous { step: 2, .. } => "syn_ack",
        Role::HandshakeAck { again: false, .. } | Role::Simultaneous { .. } => "handshake_ack",
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
