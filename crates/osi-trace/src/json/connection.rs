//! A connection's `--json` record ([`ConnectionRecord`], `"type": "connection"`),
//! written when it ends: its two directions' counts, its handshake's timing and
//! RFC 6298's RTT estimate each way.

use serde::{Deserialize, Serialize};

use crate::analysis::{End, Estimate, Flow, Summary};

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
        }
    }
}
