//! The record the analysis keeps of one connection: what it knows of each
//! direction (a [`Half`], named after the sender) and of the connection as a
//! whole. Every concern of the analysis reads it; each writes only its part.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use super::estimate::Estimate;
use super::facts::{End, Flow, Side, State};

/// What the analyzer knows of one direction (the sender's side).
#[derive(Debug, Clone, Default)]
pub(super) struct Half {
    pub addr: Option<SocketAddr>,
    pub isn: Option<u32>,
    /// Highest sequence number + length seen (Wireshark's `nextseq`).
    pub next_seq: Option<u32>,
    /// When `next_seq` last moved (Wireshark's `nextseqtime`): out-of-order is timed from it.
    pub next_seq_time: Option<Duration>,
    /// Last acknowledgement number this side sent.
    pub last_ack: Option<u32>,
    /// The ACK field of its last segment, the ACK flag set or not (Wireshark's `lastack`,
    /// which a duplicate ACK repeats: a lone SYN's field counts too).
    pub last_ack_field: Option<u32>,
    /// Last window this side advertised, scaled.
    pub last_win: Option<u64>,
    /// The same, the window field as sent: Wireshark tells a window update from a
    /// duplicate ACK by it (a SYN's window is not scaled, the next one's is).
    pub last_window_field: Option<u16>,
    /// This side has advertised a window of 0 at some point.
    pub zero_win_seen: bool,
    pub last_time: Option<Duration>,
    /// The shift this side offered in its SYN.
    pub wscale_offer: Option<u8>,
    /// The sequence number of this side's FIN, once sent.
    pub fin_seq: Option<u32>,
    pub fin_acked: bool,
    /// How often the peer ACKed this side's FIN (more than once: the FIN was sent again).
    pub fin_acks: u32,
    pub dup_acks: u32,
    /// Highest sequence number up to which this side's bytes were all seen (Wireshark's
    /// `maxseqtobeacked`: moved only by a segment starting exactly there). An ACK above
    /// it acknowledges a segment the capture missed.
    pub contiguous_end: Option<u32>,
    /// The peer was told so for the ACK number this side last sent (Wireshark's
    /// `dupacknum` of -1): repeats of that ACK are not flagged again.
    pub unseen_acked: bool,
    /// The SACK blocks of the last segment this side sent (raw; empty without).
    pub last_sack: Vec<(u32, u32)>,
    pub last_was_keepalive: bool,
    pub flow: Flow,
    /// The raw sequence number after the highest payload byte this side has sent (from its
    /// SYN on): bytes below it are not new, bytes in a gap below a later segment were sent.
    pub payload_end: Option<u32>,
    /// The raw sequence number and time of the last segment this side sent that carried
    /// data, a SYN or a FIN: a copy sent again is timed from it (the timer's back-off).
    pub last_sent: Option<(u32, Duration)>,
    /// This side has sent something again: some of its segments were lost, so the
    /// peer may not hold every byte below this side's sequence number.
    pub resent: bool,
    /// In a simultaneous open: this side sent its SYN+ACK, and its connect() completed
    /// (its ACK of the peer's SYN+ACK seen).
    pub syn_ack_sent: bool,
    pub open_done: bool,
    /// This side's segments awaiting an ACK, and the RTT estimate (`rtt`).
    pub timing: Timing,
}

/// One connection, as followed so far.
#[derive(Debug, Clone)]
pub(super) struct Conn {
    pub stream: u64,
    pub client: Half,
    pub server: Half,
    pub client_state: State,
    pub server_state: State,
    /// Window scaling: Some(true) both offered it, Some(false) at least one did not, None unknown.
    pub scaling: Option<bool>,
    pub start: Duration,
    pub last: Duration,
    /// The first and the most recent SYN.
    pub first_syn_time: Option<Duration>,
    pub syn_time: Option<Duration>,
    pub syn_retransmissions: u32,
    /// The last SYN to the handshake's ACK (Wireshark's initial RTT), and the first SYN to it.
    pub irtt: Option<Duration>,
    pub handshake_time: Option<Duration>,
    /// Wireshark's initial RTT (`tcp.analysis.initial_rtt`), its out-of-order threshold:
    /// the last SYN to the first segment of either side with ACK and without SYN.
    pub first_rtt: Option<Duration>,
    /// SYN+ACKs seen that no ACK of the client has answered yet: its next pure ACK
    /// answers one (the first completes the handshake; Linux ACKs every copy).
    pub awaiting_hs3: u32,
    /// SYN+ACKs seen (the server resends one on its timer, or on a repeated SYN).
    pub syn_acks: u32,
    /// SYN+ACKs seen since the client's last SYN, and how many of them were copies
    /// sent before the handshake completed: the server's retransmission timer is then
    /// inside the handshake's time, which is no round trip.
    pub syn_acks_since_syn: u32,
    pub syn_ack_retransmissions: u32,
    /// The client's ACK completing the handshake was seen.
    pub handshake_acked: bool,
    /// Both ends sent a SYN (a simultaneous open, `simopen`), or one socket connects to itself.
    pub simultaneous: bool,
    pub first_fin: Option<Side>,
    pub end: Option<End>,
    pub joined_late: bool,
    /// The first RST: who sent it, its raw sequence number, and the receiver's state
    /// before it (restored when the receiver shows it did not accept the RST).
    pub reset: Option<(Side, u32, State)>,
}

impl Conn {
    /// A connection first seen at `time`; `joined_late` when its first segment is no SYN.
    pub fn new(
        stream: u64,
        client: SocketAddr,
        server: SocketAddr,
        time: Duration,
        joined_late: bool,
    ) -> Self {
        // Joining late, neither end's state is known: past the handshake each end may
        // be ESTABLISHED, or already closing (a FIN sent before the capture began, or
        // received). Otherwise the client is still CLOSED and the server LISTENs.
        let (client_state, server_state) =
            if joined_late { (State::Unknown, State::Unknown) } else { (State::Closed, State::Listen) };
        Conn {
            stream,
            client: Half { addr: Some(client), ..Half::default() },
            server: Half { addr: Some(server), ..Half::default() },
            client_state,
            server_state,
            scaling: None,
            start: time,
            last: time,
            first_syn_time: None,
            syn_time: None,
            syn_retransmissions: 0,
            irtt: None,
            handshake_time: None,
            first_rtt: None,
            awaiting_hs3: 0,
            syn_acks: 0,
            syn_acks_since_syn: 0,
            syn_ack_retransmissions: 0,
            handshake_acked: false,
            simultaneous: false,
            first_fin: None,
            end: None,
            joined_late,
            reset: None,
        }
    }

    /// Which side sent from `src`.
    pub fn side_of(&self, src: SocketAddr) -> Side {
        if self.client.addr == Some(src) {
            Side::Client
        } else {
            Side::Server
        }
    }

    pub fn half(&self, side: Side) -> &Half {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    pub fn half_mut(&mut self, side: Side) -> &mut Half {
        match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }

    pub fn state(&self, side: Side) -> State {
        match side {
            Side::Client => self.client_state,
            Side::Server => self.server_state,
        }
    }

    pub fn state_mut(&mut self, side: Side) -> &mut State {
        match side {
            Side::Client => &mut self.client_state,
            Side::Server => &mut self.server_state,
        }
    }
}

/// A segment sent and not yet acknowledged (Wireshark's `tcp_unacked_t`).
#[derive(Debug, Clone)]
pub(super) struct Unacked {
    pub frame: u64,
    /// Raw sequence numbers: the first byte not yet acknowledged, and the one after the segment.
    pub seq: u32,
    pub next_seq: u32,
    /// When it was sent, in nanoseconds since the capture's first frame (8 bytes, not 16).
    pub time_ns: u64,
    /// Some kind of retransmission (for Karn's rule; Wireshark times it all the same).
    pub retransmission: bool,
}

/// What one side's segments are timed with (`rtt` keeps it): those not yet
/// acknowledged and the estimate their ACKs have given so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Timing {
    /// Newest first, as Wireshark keeps them: on an exact match the oldest wins.
    pub unacked: VecDeque<Unacked>,
    /// Made at the first ACK that times a segment: most connections of a SYN flood never get one.
    pub estimate: Option<Box<Estimate>>,
}

impl Timing {
    pub fn estimate(&self) -> Estimate {
        self.estimate.as_deref().copied().unwrap_or_default()
    }
}
