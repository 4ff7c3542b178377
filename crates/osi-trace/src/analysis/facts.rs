//! The facts the analysis hands to rendering: who sent a segment, both ends'
//! TCP states, the segment's role, Wireshark's analysis flags, and each
//! connection's summary. Enums and numbers only: the words live in `render`.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use super::estimate::{AckRtt, RoundTrips};
use crate::decode::Segment;
use crate::neighbours::ControlFrame;

/// Which end of a connection: the client sent the SYN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    /// The side's name, as JSON and every view spell it.
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// TCP states (RFC 9293), as they follow from the segments seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not known yet: live, a SYN's answer (SYN+ACK, RST, or none) is not seen yet.
    Unknown,
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

impl State {
    /// The RFC's name of the state, as `ss` and `netstat` print it.
    pub fn name(self) -> &'static str {
        match self {
            State::Unknown => "?",
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN_SENT",
            State::SynReceived => "SYN_RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN_WAIT_1",
            State::FinWait2 => "FIN_WAIT_2",
            State::CloseWait => "CLOSE_WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST_ACK",
            State::TimeWait => "TIME_WAIT",
        }
    }
}

impl fmt::Display for State {
    /// The state's [`State::name`], padded as asked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// What a segment does in its connection's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Handshake step 1/3 (SYN) or 2/3 (SYN+ACK).
    Handshake(u8),
    /// Handshake step 3/3: the client's ACK of the SYN+ACK. `syn_acks`: how many
    /// SYN+ACKs came before it (more than one: the server resent it). `again`: the
    /// client had ACKed one already; this ACK answers a copy, connect() returned before.
    HandshakeAck { again: bool, syn_acks: u32 },
    /// A simultaneous open (RFC 9293 §3.5): both ends called connect(), or one socket
    /// connects to its own address and port. `step` 1: a SYN of the second end (or any
    /// SYN once both sent one); 2: a SYN+ACK, the kernel answering the peer's SYN that
    /// came in SYN_SENT, inside connect() (`again`: a copy of it, sent by the timer);
    /// 3: an end's ACK of the peer's SYN+ACK (or split-handshake SYN+ACK): it is
    /// ESTABLISHED, and its connect() returns.
    Simultaneous { step: u8, again: bool },
    /// Payload bytes; `total` counts this direction's bytes so far, this segment included.
    Data { bytes: u32, total: u64 },
    /// Acknowledges data, carries none.
    Ack { acked: u32 },
    /// Only announces a new (larger or smaller) receive window.
    WindowUpdate,
    /// A keep-alive probe: one byte, or none, below the next sequence number.
    KeepAlive,
    /// The same probe while the peer's window is 0: the persist timer's
    /// window probe (Linux sends SND.UNA−1 with no data; Wireshark flags it keep-alive).
    /// `update_lost`: the peer's window was 0 and the last one seen is not, but the probe
    /// came too soon after the peer's last segment for SO_KEEPALIVE (whose idle time is at
    /// least 1 s): the sender never got the update that reopened it.
    WindowProbe { update_lost: bool },
    /// A FIN. `first`: the sender closes first (active close). `acks_fin`:
    /// it also ACKs the peer's FIN (the three-segment teardown). `crossing`:
    /// both FINs in flight at once (simultaneous close). `data`: bytes it carries.
    Fin { first: bool, acks_fin: bool, crossing: bool, data: u32 },
    /// The ACK of a FIN, without a FIN of its own. `last`: of the second FIN. `again`:
    /// the FIN came again (its first ACK was lost on the way), and is ACKed again.
    FinAck { last: bool, again: bool },
    /// RST answering a SYN: nothing listens there (connection refused).
    Refused,
    /// RST of a connection.
    Reset,
    /// An ACK answering an RST whose sequence number was not the next expected
    /// (RFC 5961 §3.2): the receiver keeps the connection and asks for proof.
    ChallengeAck,
    /// An RST from an end that has already reset the connection: its kernel
    /// answers a segment for a connection it no longer has (RFC 9293 §3.10.7.1).
    StaleReset,
}

/// Wireshark's TCP analysis flags (`tcp.analysis.*`), same names, same meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anomaly {
    Retransmission,
    FastRetransmission,
    SpuriousRetransmission,
    OutOfOrder,
    DuplicateAck(u32),
    ZeroWindow,
    ZeroWindowProbe,
    LostSegment,
    AckLostSegment,
    KeepAlive,
    KeepAliveAck,
    WindowUpdate,
}

impl Anomaly {
    /// The Wireshark field name, e.g. `retransmission` for `tcp.analysis.retransmission`.
    pub fn field(self) -> &'static str {
        match self {
            Anomaly::Retransmission => "retransmission",
            Anomaly::FastRetransmission => "fast_retransmission",
            Anomaly::SpuriousRetransmission => "spurious_retransmission",
            Anomaly::OutOfOrder => "out_of_order",
            Anomaly::DuplicateAck(_) => "duplicate_ack",
            Anomaly::ZeroWindow => "zero_window",
            Anomaly::ZeroWindowProbe => "zero_window_probe",
            Anomaly::LostSegment => "lost_segment",
            Anomaly::AckLostSegment => "ack_lost_segment",
            Anomaly::KeepAlive => "keep_alive",
            Anomaly::KeepAliveAck => "keep_alive_ack",
            Anomaly::WindowUpdate => "window_update",
        }
    }

    /// Whether the flag says the bytes were sent before.
    pub fn is_retransmission(self) -> bool {
        matches!(
            self,
            Anomaly::Retransmission | Anomaly::FastRetransmission | Anomaly::SpuriousRetransmission
        )
    }
}

/// One segment, explained: the decoded segment and what the analysis found.
#[derive(Debug, Clone)]
pub struct Annotated {
    /// The decoded segment itself (L2 to L7).
    pub seg: Segment,
    /// Frame number in the capture, from 1 (as Wireshark counts).
    pub frame: u64,
    /// Seconds since the first frame of the capture.
    pub time: Duration,
    /// Connection number, from 0 (Wireshark's `tcp.stream`).
    pub stream: u64,
    /// Who sent it.
    pub from: Side,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Sequence number relative to the sender's ISN (Wireshark's `tcp.seq`).
    pub seq: u32,
    /// Acknowledgement number relative to the receiver's ISN, when ACK is set.
    pub ack: Option<u32>,
    /// The sequence number after this segment (`tcp.nxtseq`).
    pub next_seq: u32,
    /// Payload length (`tcp.len`).
    pub len: u32,
    /// The window with the negotiated scale applied (`tcp.window_size`).
    pub win: u64,
    /// The scale shift applied; `None` while unknown (handshake not seen).
    pub win_shift: Option<u8>,
    pub role: Role,
    pub analysis: Vec<Anomaly>,
    /// Both ends' TCP states after this segment.
    pub client_state: State,
    pub server_state: State,
    /// Whether the capture joined this connection after its handshake.
    pub joined_late: bool,
    /// The connection's first segment in the capture (a view explains a joined
    /// connection's `?` states once, there).
    pub first: bool,
    /// The RTT sample this segment's ACK gives, as Wireshark's `tcp.analysis.ack_rtt`.
    pub ack_rtt: Option<AckRtt>,
    /// A copy of the last segment its sender sent with data, a SYN or a FIN: how long
    /// after that copy (the retransmission timer's back-off shows in these intervals).
    pub resent_after: Option<Duration>,
    /// Sent by an end after the peer's RST that would have closed it: that RST did not
    /// take effect there (lost on the way, or not accepted), so the end carries on.
    pub reset_unheeded: bool,
    /// A SYN whose answer (a SYN+ACK, an RST, a copy of it) the lookahead saw: its
    /// server state is then what that answer says, `?` only after an RST a firewall
    /// may have sent.
    pub answered: bool,
    /// The server's state is `?` on this row because it sent a bare ACK before its own
    /// SYN (a split handshake): no state of RFC 9293 does that.
    pub ack_before_syn: bool,
}

impl Annotated {
    /// The client's and the server's address, whoever sent this segment.
    pub fn endpoints(&self) -> (SocketAddr, SocketAddr) {
        match self.from {
            Side::Client => (self.src, self.dst),
            Side::Server => (self.dst, self.src),
        }
    }

    /// Whether Wireshark would call this segment a retransmission of some kind.
    pub fn is_retransmission(&self) -> bool {
        self.analysis.iter().any(|a| a.is_retransmission())
    }

    /// The state of one end after this segment.
    pub fn state_of(&self, side: Side) -> State {
        match side {
            Side::Client => self.client_state,
            Side::Server => self.server_state,
        }
    }
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Both FINs sent and acknowledged.
    Graceful,
    /// An RST ended it; `refused` when it answered the SYN.
    Reset { refused: bool },
    /// Still open when the capture stopped.
    Open,
}

/// Counters for one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    pub segments: u64,
    pub bytes: u64,
}

/// A connection's summary.
#[derive(Debug, Clone)]
pub struct Summary {
    pub stream: u64,
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// First and last segment, seconds since the capture's first frame.
    pub start: Duration,
    pub last: Duration,
    /// The last SYN to the client's ACK completing the handshake (a data segment when
    /// the pure ACK was lost); Wireshark's `tcp.analysis.initial_rtt` but for a refusal.
    pub handshake_rtt: Option<Duration>,
    /// The first SYN to the handshake's final ACK: more than a round trip when
    /// the SYN was retransmitted (Karn: no RTT sample from a retransmission).
    pub handshake_time: Option<Duration>,
    /// How many times the client's SYN was sent again.
    pub syn_retransmissions: u32,
    /// How many times the server sent its SYN+ACK again after the last SYN, before
    /// the handshake completed (its ACK lost, or the SYN+ACK itself): the handshake's
    /// time then includes the server's retransmission timer, and is no round trip.
    pub syn_ack_retransmissions: u32,
    pub to_server: Flow,
    pub to_client: Flow,
    /// RFC 6298's estimate for each direction's segments (timed by the other side's ACKs).
    pub rtt: Box<RoundTrips>,
    pub end: End,
    pub joined_late: bool,
}

impl Summary {
    pub fn duration(&self) -> Duration {
        self.last.saturating_sub(self.start)
    }
}

/// What the analysis hands on, in capture order: a segment, or a connection
/// that ended; and, between them, the control frames (ARP, ICMP) the pipeline
/// shows in their place without analysing them.
#[derive(Debug, Clone)]
pub enum Event {
    Segment(Box<Annotated>),
    Ended(Summary),
    Control(Box<ControlFrame>),
}
