//! Analysis: decoded segments → connections. Numbers connections as
//! Wireshark's `tcp.stream` does, makes sequence and acknowledgement numbers
//! relative to each side's initial sequence number, applies the negotiated
//! window scale, follows both ends' TCP states, names each segment's role and
//! the socket call that caused it, and flags the anomalies Wireshark's TCP
//! analysis flags, with the same meaning. Pure code: no I/O, no clock.
//!
//! Memory stays bounded: a connection that has ended is summarised at once
//! ([`Analyzer::take_ended`]) and only a small record of it is kept, for the
//! last stray segments, up to [`KEEP_ENDED`] connections.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::decode::{flags::*, Segment};

/// How many ended connections are remembered, for segments that come after the end.
pub const KEEP_ENDED: usize = 4096;

/// Wireshark's default out-of-order threshold when no RTT is known yet.
const OOO_THRESHOLD: Duration = Duration::from_millis(3);
/// Wireshark's window for a fast retransmission after duplicate ACKs.
const FAST_RETRANSMIT_WINDOW: Duration = Duration::from_millis(20);

/// Which end of a connection: the client sent the SYN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
    fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// TCP states (RFC 9293), as they follow from the segments seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
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

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
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
        })
    }
}

/// What a segment does in its connection's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Handshake step 1/3, 2/3 or 3/3.
    Handshake(u8),
    /// Payload bytes; `total` counts this direction's bytes so far, this segment included.
    Data { bytes: u32, total: u64 },
    /// Acknowledges data, carries none.
    Ack { acked: u32 },
    /// Only announces a new (larger or smaller) receive window.
    WindowUpdate,
    /// A keep-alive probe: one byte, or none, below the next sequence number.
    KeepAlive,
    /// A FIN. `first`: the sender closes first (active close). `acks_fin`:
    /// it also ACKs the peer's FIN (the three-segment teardown). `crossing`:
    /// both FINs in flight at once (simultaneous close). `data`: bytes it carries.
    Fin { first: bool, acks_fin: bool, crossing: bool, data: u32 },
    /// The ACK of a FIN, without a FIN of its own. `last`: of the second FIN.
    FinAck { last: bool },
    /// RST answering a SYN: nothing listens there (connection refused).
    Refused,
    /// RST of a connection.
    Reset,
}

impl Role {
    /// The role in words, for the one-line view.
    pub fn describe(&self, from: Side) -> String {
        let who = from.name();
        let peer = from.other().name();
        match self {
            Role::Handshake(1) => "handshake 1/3: SYN".into(),
            Role::Handshake(2) => "handshake 2/3: SYN+ACK".into(),
            Role::Handshake(_) => "handshake 3/3: ACK".into(),
            Role::Data { bytes, total } => {
                format!("data {who}→{peer}: {bytes} bytes (total {total})")
            }
            Role::Ack { acked } if *acked > 0 => format!("ACK of {acked} bytes"),
            Role::Ack { .. } => "ACK".into(),
            Role::WindowUpdate => "window update".into(),
            Role::KeepAlive => "keep-alive".into(),
            Role::Fin { crossing: true, .. } => {
                format!("teardown: {who}'s FIN crosses the {peer}'s (simultaneous close)")
            }
            Role::Fin { first: true, data, .. } => {
                let with = if *data > 0 { format!(" with {data} bytes") } else { String::new() };
                format!("teardown: {who}'s FIN{with} (active close)")
            }
            Role::Fin { acks_fin: true, .. } => {
                format!("teardown: {who}'s FIN+ACK: ACKs the {peer}'s FIN and closes too")
            }
            Role::Fin { .. } => format!("teardown: {who}'s FIN (passive close)"),
            Role::FinAck { last: true } => format!("teardown: last ACK, of the {peer}'s FIN"),
            Role::FinAck { last: false } => format!("teardown: ACK of the {peer}'s FIN"),
            Role::Refused => "RST: connection refused".into(),
            Role::Reset => format!("RST: {who} resets the connection"),
        }
    }

    /// The socket call (or the kernel) that caused the segment.
    pub fn cause(&self, from: Side, analysis: &[Anomaly]) -> String {
        let who = from.name();
        if analysis.iter().any(|a| a.is_retransmission()) {
            return format!("{who}'s kernel: a retransmission, no new socket call");
        }
        match self {
            Role::Handshake(1) => "client's connect()".into(),
            Role::Handshake(2) => "server's kernel, for the listening socket, before any accept()".into(),
            Role::Handshake(_) => "client's kernel inside connect(), which now returns".into(),
            Role::Data { .. } => format!("{who}'s send()/sendall()"),
            Role::Ack { .. } => format!("{who}'s kernel (no socket call)"),
            Role::WindowUpdate => format!("{who}'s recv() made room; the kernel says so"),
            Role::KeepAlive => format!("{who}'s kernel (SO_KEEPALIVE timer)"),
            Role::Fin { first: true, .. } | Role::Fin { crossing: true, .. } => {
                format!("{who}'s close() or shutdown(SHUT_WR)")
            }
            Role::Fin { .. } => format!("{who}'s close(), after its recv() returned 0"),
            Role::FinAck { .. } => format!("{who}'s kernel (no socket call)"),
            Role::Refused => {
                format!("{who}'s kernel: no socket listens on that port; connect() fails with ECONNREFUSED")
            }
            Role::Reset => format!("{who}'s close() with unread data, or SO_LINGER 0"),
        }
    }
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

    fn is_retransmission(self) -> bool {
        matches!(
            self,
            Anomaly::Retransmission | Anomaly::FastRetransmission | Anomaly::SpuriousRetransmission
        )
    }
}

impl fmt::Display for Anomaly {
    /// Wireshark's wording in its Info column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Anomaly::Retransmission => f.write_str("TCP Retransmission"),
            Anomaly::FastRetransmission => f.write_str("TCP Fast Retransmission"),
            Anomaly::SpuriousRetransmission => f.write_str("TCP Spurious Retransmission"),
            Anomaly::OutOfOrder => f.write_str("TCP Out-Of-Order"),
            Anomaly::DuplicateAck(n) => write!(f, "TCP Dup ACK #{n}"),
            Anomaly::ZeroWindow => f.write_str("TCP ZeroWindow"),
            Anomaly::ZeroWindowProbe => f.write_str("TCP ZeroWindowProbe"),
            Anomaly::LostSegment => f.write_str("TCP Previous segment not captured"),
            Anomaly::AckLostSegment => f.write_str("TCP ACKed unseen segment"),
            Anomaly::KeepAlive => f.write_str("TCP Keep-Alive"),
            Anomaly::KeepAliveAck => f.write_str("TCP Keep-Alive ACK"),
            Anomaly::WindowUpdate => f.write_str("TCP Window Update"),
        }
    }
}

/// One segment, explained.
#[derive(Debug, Clone)]
pub struct Annotated {
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
    pub cause: String,
    pub analysis: Vec<Anomaly>,
    /// Both ends' TCP states after this segment.
    pub client_state: State,
    pub server_state: State,
    /// Whether the capture joined this connection after its handshake.
    pub joined_late: bool,
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

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            End::Graceful => "graceful (FIN both ways)",
            End::Reset { refused: true } => "refused (RST answered the SYN)",
            End::Reset { refused: false } => "reset (RST)",
            End::Open => "still open",
        })
    }
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
    /// SYN to the handshake's final ACK (Wireshark's `tcp.analysis.initial_rtt`).
    pub handshake_rtt: Option<Duration>,
    pub to_server: Flow,
    pub to_client: Flow,
    pub end: End,
    pub joined_late: bool,
}

impl Summary {
    pub fn duration(&self) -> Duration {
        self.last.saturating_sub(self.start)
    }
}

/// What the analyzer knows of one direction (the sender's side).
#[derive(Debug, Clone, Default)]
struct Half {
    addr: Option<SocketAddr>,
    isn: Option<u32>,
    /// Highest sequence number + length seen (`nextseq`).
    next_seq: Option<u32>,
    /// Last acknowledgement number this side sent.
    last_ack: Option<u32>,
    /// Last window this side advertised, scaled.
    last_win: Option<u64>,
    last_time: Option<Duration>,
    /// The shift this side offered in its SYN.
    wscale_offer: Option<u8>,
    fin_seq: Option<u32>,
    fin_acked: bool,
    dup_acks: u32,
    last_was_keepalive: bool,
    flow: Flow,
}

#[derive(Debug, Clone)]
struct Conn {
    stream: u64,
    client: Half,
    server: Half,
    client_state: State,
    server_state: State,
    /// Window scaling: Some(true) both offered it, Some(false) at least one did not, None unknown.
    scaling: Option<bool>,
    start: Duration,
    last: Duration,
    syn_time: Option<Duration>,
    irtt: Option<Duration>,
    awaiting_hs3: bool,
    first_fin: Option<Side>,
    end: Option<End>,
    joined_late: bool,
}

impl Conn {
    fn half(&mut self, side: Side) -> &mut Half {
        match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }
    fn state(&mut self, side: Side) -> &mut State {
        match side {
            Side::Client => &mut self.client_state,
            Side::Server => &mut self.server_state,
        }
    }
    fn summary(&self) -> Summary {
        let unknown = SocketAddr::from(([0, 0, 0, 0], 0));
        Summary {
            stream: self.stream,
            client: self.client.addr.unwrap_or(unknown),
            server: self.server.addr.unwrap_or(unknown),
            start: self.start,
            last: self.last,
            handshake_rtt: self.irtt,
            to_server: self.client.flow,
            to_client: self.server.flow,
            end: self.end.unwrap_or(End::Open),
            joined_late: self.joined_late,
        }
    }
}

/// Key of a connection: its two endpoints, in a canonical order.
type Key = (SocketAddr, SocketAddr);

fn key(a: SocketAddr, b: SocketAddr) -> Key {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Follows every connection of a capture, segment by segment.
#[derive(Debug, Default)]
pub struct Analyzer {
    conns: HashMap<Key, Conn>,
    ended_keys: VecDeque<(Key, u64)>,
    ended: Vec<Summary>,
    next_stream: u64,
    first_ts: Option<Duration>,
    frames: u64,
    ended_total: u64,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a frame that was not a TCP segment, so frame numbers stay Wireshark's.
    pub fn skip_frame(&mut self, ts: Duration) {
        self.first_ts.get_or_insert(ts);
        self.frames += 1;
    }

    /// Explains one segment captured at `ts` (since the Unix epoch).
    pub fn push(&mut self, ts: Duration, seg: &Segment) -> Annotated {
        let first = *self.first_ts.get_or_insert(ts);
        self.frames += 1;
        let time = ts.saturating_sub(first);
        let src = SocketAddr::new(seg.ip.src, seg.tcp.src_port);
        let dst = SocketAddr::new(seg.ip.dst, seg.tcp.dst_port);
        let k = key(src, dst);
        let t = &seg.tcp;
        let fresh_syn = t.has(SYN) && !t.has(ACK);

        // A new connection: first sight of these endpoints, or a new SYN on
        // endpoints whose connection ended (port reuse), as Wireshark does.
        let reuse = fresh_syn
            && self
                .conns
                .get(&k)
                .is_some_and(|c| c.end.is_some() && c.client.isn.is_some_and(|isn| isn != t.seq));
        if reuse || !self.conns.contains_key(&k) {
            let stream = self.next_stream;
            self.next_stream += 1;
            // The SYN's sender is the client; joining late, guess the client
            // is the side with the higher (ephemeral) port.
            let client_is_src = fresh_syn || (!t.has(SYN) && src.port() > dst.port());
            let (c, s) = if client_is_src { (src, dst) } else { (dst, src) };
            let joined_late = !t.has(SYN);
            let est = if joined_late { State::Established } else { State::Closed };
            let conn = Conn {
                stream,
                client: Half { addr: Some(c), ..Half::default() },
                server: Half { addr: Some(s), ..Half::default() },
                client_state: est,
                server_state: if joined_late { est } else { State::Listen },
                scaling: None,
                start: time,
                last: time,
                syn_time: None,
                irtt: None,
                awaiting_hs3: false,
                first_fin: None,
                end: None,
                joined_late,
            };
            self.conns.insert(k, conn);
        }
        let Some(conn) = self.conns.get_mut(&k) else { unreachable!("inserted above") };
        let was_ended = conn.end.is_some();
        let note = analyze(conn, time, src, seg);
        if !was_ended && conn.end.is_some() {
            self.ended_total += 1;
            self.ended.push(conn.summary());
            self.ended_keys.push_back((k, conn.stream));
            while self.ended_keys.len() > KEEP_ENDED {
                if let Some((old, stream)) = self.ended_keys.pop_front() {
                    // Forget it unless the endpoints were reused since.
                    if self.conns.get(&old).is_some_and(|c| c.stream == stream) {
                        self.conns.remove(&old);
                    }
                }
            }
        }
        Annotated { frame: self.frames, time, ..note }
    }

    /// Summaries of the connections that ended since the last call.
    pub fn take_ended(&mut self) -> Vec<Summary> {
        std::mem::take(&mut self.ended)
    }

    /// How many connections have ended so far, in all.
    pub fn ended_count(&self) -> u64 {
        self.ended_total
    }

    /// Summaries of the connections still open, by stream number.
    pub fn open(&self) -> Vec<Summary> {
        let mut open: Vec<Summary> =
            self.conns.values().filter(|c| c.end.is_none()).map(Conn::summary).collect();
        open.sort_by_key(|s| s.stream);
        open
    }

    /// Connections seen so far.
    pub fn streams(&self) -> u64 {
        self.next_stream
    }
}

fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
fn seq_gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The heart: one segment of one connection.
fn analyze(conn: &mut Conn, time: Duration, src: SocketAddr, seg: &Segment) -> Annotated {
    let t = &seg.tcp;
    let from = if conn.client.addr == Some(src) { Side::Client } else { Side::Server };
    let to = from.other();
    let len = seg.payload_len;
    let (syn, fin, rst, ackf) = (t.has(SYN), t.has(FIN), t.has(RST), t.has(ACK));
    conn.last = time;

    // --- Relative numbers: each side's ISN is the base (Wireshark: SYN is 0). ---
    {
        let h = conn.half(from);
        if h.isn.is_none() {
            h.isn = Some(if syn { t.seq } else { t.seq.wrapping_sub(1) });
        }
    }
    if ackf && conn.half(to).isn.is_none() && !rst {
        conn.half(to).isn = Some(t.ack.wrapping_sub(1));
    }
    let isn = conn.half(from).isn.unwrap_or(t.seq);
    let peer_isn = conn.half(to).isn;
    let rel_seq = t.seq.wrapping_sub(isn);
    let rel_ack = if ackf { peer_isn.map(|p| t.ack.wrapping_sub(p)) } else { None };
    let next_seq_raw = t.seq.wrapping_add(len).wrapping_add(u32::from(syn) + u32::from(fin));

    // --- Window scale: offered in the SYNs, in force once both offered it. ---
    if syn {
        conn.half(from).wscale_offer = t.options.wscale;
        if ackf {
            conn.scaling = Some(conn.client.wscale_offer.is_some() && t.options.wscale.is_some());
        }
    }
    let shift = if syn {
        Some(0) // the window of a SYN is never scaled
    } else {
        match conn.scaling {
            Some(true) => conn.half(from).wscale_offer.map(|s| s.min(14)),
            Some(false) => Some(0),
            None => None,
        }
    };
    let win = u64::from(t.window) << shift.unwrap_or(0);

    // --- Wireshark's analysis, in its order (packet-tcp.c, tcp_analyze_sequence_number). ---
    let mut analysis = Vec::new();
    let peer_win = conn.half(to).last_win;
    let (fwd_next, fwd_last_ack, fwd_win, fwd_time) = {
        let h = conn.half(from);
        (h.next_seq, h.last_ack, h.last_win, h.last_time)
    };
    let plain = !syn && !fin && !rst;
    let mut keepalive = false;
    'fwd: {
        if let Some(next) = fwd_next {
            if len == 1 && t.seq == next && peer_win == Some(0) {
                analysis.push(Anomaly::ZeroWindowProbe);
                break 'fwd;
            }
        }
        if t.window == 0 && !syn && !fin && !rst {
            analysis.push(Anomaly::ZeroWindow);
        }
        if let Some(next) = fwd_next {
            if seq_gt(t.seq, next) && !rst {
                analysis.push(Anomaly::LostSegment);
            }
            if len <= 1 && plain && next.wrapping_sub(1) == t.seq {
                analysis.push(Anomaly::KeepAlive);
                keepalive = true;
                break 'fwd;
            }
            let same_ack = ackf && fwd_last_ack == Some(t.ack);
            if len == 0 && win != 0 && fwd_win != Some(win) && t.seq == next && same_ack && plain {
                analysis.push(Anomaly::WindowUpdate);
                break 'fwd;
            }
            if len == 0 && win != 0 && fwd_win == Some(win) && t.seq == next && same_ack && plain {
                if conn.half(to).last_was_keepalive {
                    analysis.push(Anomaly::KeepAliveAck);
                    break 'fwd;
                }
                let h = conn.half(from);
                h.dup_acks += 1;
                analysis.push(Anomaly::DuplicateAck(h.dup_acks));
                break 'fwd;
            }
        }
    }
    // An ACK of bytes never seen: the capture missed them.
    if ackf && !rst {
        if let Some(peer_next) = conn.half(to).next_seq {
            if seq_gt(t.ack, peer_next) {
                analysis.push(Anomaly::AckLostSegment);
                // As Wireshark does: the peer evidently sent up to here.
                conn.half(to).next_seq = Some(t.ack);
            }
        }
    }
    // Retransmission, fast retransmission, out-of-order.
    let mut retransmitted = false;
    if (len > 0 || syn || fin) && !keepalive {
        if let Some(next) = fwd_next {
            if seq_lt(t.seq, next) {
                let since = fwd_time.map_or(Duration::MAX, |p| time.saturating_sub(p));
                let rtt_thres = conn.irtt.filter(|r| !r.is_zero()).unwrap_or(OOO_THRESHOLD);
                let peer = conn.half(to);
                if peer.dup_acks >= 2 && peer.last_ack == Some(t.seq) && since <= FAST_RETRANSMIT_WINDOW {
                    analysis.push(Anomaly::FastRetransmission);
                    analysis.push(Anomaly::Retransmission);
                } else if since < rtt_thres && next != t.seq.wrapping_add(len) {
                    analysis.push(Anomaly::OutOfOrder);
                } else if len > 0 && peer.last_ack.is_some_and(|a| !seq_gt(t.seq.wrapping_add(len), a)) {
                    analysis.push(Anomaly::SpuriousRetransmission);
                    analysis.push(Anomaly::Retransmission);
                } else {
                    analysis.push(Anomaly::Retransmission);
                }
                retransmitted = analysis.iter().any(|a| a.is_retransmission());
            }
        }
    }

    // --- Role (decided on the states before this segment). ---
    let peer_fin = conn.half(to).fin_seq;
    let acks_peer_fin =
        ackf && peer_fin.is_some_and(|f| !seq_lt(t.ack, f.wrapping_add(1))) && !conn.half(to).fin_acked;
    let role = if rst {
        let refused = conn.client_state == State::SynSent && from == Side::Server;
        if refused {
            Role::Refused
        } else {
            Role::Reset
        }
    } else if syn && !ackf {
        Role::Handshake(1)
    } else if syn {
        Role::Handshake(2)
    } else if fin {
        let first = conn.first_fin.is_none() || conn.first_fin == Some(from);
        let crossing = !first && !acks_peer_fin && !conn.half(to).fin_acked;
        Role::Fin { first, acks_fin: acks_peer_fin, crossing, data: len }
    } else if from == Side::Client && conn.awaiting_hs3 && len == 0 {
        Role::Handshake(3)
    } else if len > 0 && !keepalive {
        let h = conn.half(from);
        let total = if retransmitted { h.flow.bytes } else { h.flow.bytes + u64::from(len) };
        Role::Data { bytes: len, total }
    } else if acks_peer_fin {
        Role::FinAck { last: conn.first_fin == Some(from) }
    } else if keepalive {
        Role::KeepAlive
    } else if analysis.contains(&Anomaly::WindowUpdate) {
        Role::WindowUpdate
    } else {
        let prev = conn.half(from).last_ack;
        let acked = match (prev, ackf) {
            (Some(p), true) if seq_gt(t.ack, p) => t.ack.wrapping_sub(p),
            _ => 0,
        };
        Role::Ack { acked }
    };

    // --- States: the sender's, then the receiver's. ---
    if rst {
        *conn.state(from) = State::Closed;
        *conn.state(to) = State::Closed;
        conn.end = Some(End::Reset { refused: role == Role::Refused });
    } else {
        if syn && !ackf {
            conn.client_state = State::SynSent;
            conn.server_state = State::SynReceived;
            conn.syn_time.get_or_insert(time);
        } else if syn {
            conn.server_state = State::SynReceived;
            conn.client_state = State::Established; // it will ACK at once
            conn.awaiting_hs3 = true;
        }
        if role == Role::Handshake(3) {
            conn.awaiting_hs3 = false;
            conn.server_state = State::Established;
            if let Some(s) = conn.syn_time {
                conn.irtt.get_or_insert(time.saturating_sub(s));
            }
        } else if from == Side::Client && ackf && !syn {
            conn.awaiting_hs3 = false;
            if conn.server_state == State::SynReceived {
                conn.server_state = State::Established;
            }
        }
        // The receiver learns its FIN was acknowledged.
        if acks_peer_fin {
            conn.half(to).fin_acked = true;
            let st = conn.state(to);
            *st = match *st {
                State::FinWait1 => State::FinWait2,
                State::Closing => State::TimeWait,
                State::LastAck => State::Closed,
                other => other,
            };
        }
        if fin {
            if conn.half(from).fin_seq.is_none() {
                conn.half(from).fin_seq = Some(t.seq.wrapping_add(len));
            }
            conn.first_fin.get_or_insert(from);
            let crossing = matches!(role, Role::Fin { crossing: true, .. });
            let st = conn.state(from);
            *st = match *st {
                // Its FIN left before the peer's arrived: FIN_WAIT_1, then CLOSING.
                _ if crossing => State::Closing,
                State::Established | State::SynReceived => State::FinWait1,
                State::CloseWait => State::LastAck,
                other => other,
            };
            let st = conn.state(to);
            *st = match *st {
                State::Established | State::SynReceived => State::CloseWait,
                State::FinWait1 => State::Closing,
                State::FinWait2 => State::TimeWait,
                other => other,
            };
        }
        if conn.client.fin_acked && conn.server.fin_acked && conn.end.is_none() {
            conn.end = Some(End::Graceful);
        }
    }

    // --- Update what this side has sent. ---
    {
        let h = conn.half(from);
        if !retransmitted && h.next_seq.is_none_or(|n| !seq_lt(next_seq_raw, n)) && !rst {
            h.next_seq = Some(next_seq_raw);
        }
        if ackf {
            if h.last_ack != Some(t.ack) {
                h.dup_acks = 0;
            }
            h.last_ack = Some(t.ack);
        }
        if !rst {
            h.last_win = Some(win);
        }
        h.last_time = Some(time);
        h.last_was_keepalive = keepalive;
        h.flow.segments += 1;
        if !retransmitted && !keepalive {
            h.flow.bytes += u64::from(len);
        }
    }

    let cause = role.cause(from, &analysis);
    Annotated {
        frame: 0,
        time,
        stream: conn.stream,
        from,
        src,
        dst: SocketAddr::new(seg.ip.dst, t.dst_port),
        seq: rel_seq,
        ack: rel_ack,
        next_seq: next_seq_raw.wrapping_sub(isn),
        len,
        win,
        win_shift: shift,
        role,
        cause,
        analysis,
        client_state: conn.client_state,
        server_state: conn.server_state,
        joined_late: conn.joined_late,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::{frame, SYN_OPTIONS};
    use crate::decode::decode;

    const C: u16 = 45678; // client port
    const S: u16 = 65432; // server port
    const CI: u32 = 1_000_000; // client ISN
    const SI: u32 = 3_000_000_000; // server ISN

    /// (ms, from_client, seq, ack, flags, window, payload)
    type Seg<'a> = (u64, bool, u32, u32, u8, u16, &'a [u8]);

    fn run(segs: &[Seg]) -> (Vec<Annotated>, Analyzer) {
        let mut a = Analyzer::new();
        let out = segs
            .iter()
            .map(|&(ms, c, seq, ack, fl, win, data)| {
                let (sp, dp) = if c { (C, S) } else { (S, C) };
                let opts: &[u8] = if fl & SYN != 0 { &SYN_OPTIONS } else { &[] };
                let f = frame(ms, sp, dp, seq, ack, fl, win, opts, data);
                a.push(f.ts, &decode(&f).unwrap())
            })
            .collect();
        (out, a)
    }

    /// One echo of "Hello" as Linux does it on lo: 10 segments, three-segment teardown.
    fn echo() -> Vec<Seg<'static>> {
        vec![
            (0, true, CI, 0, SYN, 65495, b""),
            (0, false, SI, CI + 1, SYN | ACK, 65483, b""),
            (0, true, CI + 1, SI + 1, ACK, 512, b""),
            (1, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"),
            (1, false, SI + 1, CI + 6, ACK, 512, b""),
            (2, false, SI + 1, CI + 6, PSH | ACK, 512, b"Hello"),
            (2, true, CI + 6, SI + 6, ACK, 512, b""),
            (3, true, CI + 6, SI + 6, FIN | ACK, 512, b""),
            (3, false, SI + 6, CI + 7, FIN | ACK, 512, b""),
            (3, true, CI + 7, SI + 7, ACK, 512, b""),
        ]
    }

    #[test]
    fn an_echo_exchange_reads_like_the_textbook() {
        let (out, mut a) = run(&echo());
        let roles: Vec<String> = out.iter().map(|n| n.role.describe(n.from)).collect();
        assert_eq!(
            roles,
            [
                "handshake 1/3: SYN",
                "handshake 2/3: SYN+ACK",
                "handshake 3/3: ACK",
                "data client→server: 5 bytes (total 5)",
                "ACK of 5 bytes",
                "data server→client: 5 bytes (total 5)",
                "ACK of 5 bytes",
                "teardown: client's FIN (active close)",
                "teardown: server's FIN+ACK: ACKs the client's FIN and closes too",
                "teardown: last ACK, of the server's FIN",
            ]
        );
        let nums: Vec<(u32, Option<u32>, u32)> = out.iter().map(|n| (n.seq, n.ack, n.len)).collect();
        assert_eq!(
            nums,
            [
                (0, None, 0),
                (0, Some(1), 0),
                (1, Some(1), 0),
                (1, Some(1), 5),
                (1, Some(6), 0),
                (1, Some(6), 5),
                (6, Some(6), 0),
                (6, Some(6), 0),
                (6, Some(7), 0),
                (7, Some(7), 0)
            ]
        );
        let states: Vec<String> =
            out.iter().map(|n| format!("{} {}", n.client_state, n.server_state)).collect();
        assert_eq!(
            states,
            [
                "SYN_SENT SYN_RECEIVED",
                "ESTABLISHED SYN_RECEIVED",
                "ESTABLISHED ESTABLISHED",
                "ESTABLISHED ESTABLISHED",
                "ESTABLISHED ESTABLISHED",
                "ESTABLISHED ESTABLISHED",
                "ESTABLISHED ESTABLISHED",
                "FIN_WAIT_1 CLOSE_WAIT",
                "TIME_WAIT LAST_ACK",
                "TIME_WAIT CLOSED",
            ]
        );
        assert!(
            out.iter().all(|n| n.analysis.is_empty()),
            "{:?}",
            out.iter().map(|n| &n.analysis).collect::<Vec<_>>()
        );
        // Window scale 7 both ways, applied after the handshake only.
        assert_eq!((out[0].win, out[2].win), (65495, 512 << 7));
        assert_eq!(out[0].cause, "client's connect()");
        assert!(out[1].cause.contains("before any accept()"));
        assert_eq!(out[3].cause, "client's send()/sendall()");
        let ended = a.take_ended();
        assert_eq!(ended.len(), 1);
        let s = &ended[0];
        assert_eq!(
            (s.end, s.to_server, s.to_client),
            (End::Graceful, Flow { segments: 6, bytes: 5 }, Flow { segments: 4, bytes: 5 })
        );
        assert_eq!(s.client.port(), C);
        assert_eq!(s.handshake_rtt, Some(Duration::ZERO));
        assert_eq!(out[9].frame, 10);
    }

    #[test]
    fn four_segment_teardown_and_half_close() {
        let mut segs = echo();
        segs.truncate(7);
        segs.extend_from_slice(&[
            (3, true, CI + 6, SI + 6, FIN | ACK, 512, b""),
            (4, false, SI + 6, CI + 7, ACK, 512, b""),
            (9, false, SI + 6, CI + 7, FIN | ACK, 512, b""),
            (9, true, CI + 7, SI + 7, ACK, 512, b""),
        ]);
        let (out, _) = run(&segs);
        assert_eq!(out[8].role.describe(out[8].from), "teardown: ACK of the client's FIN");
        assert_eq!((out[8].client_state, out[8].server_state), (State::FinWait2, State::CloseWait));
        assert_eq!(out[9].role.describe(out[9].from), "teardown: server's FIN (passive close)");
        assert_eq!((out[9].client_state, out[9].server_state), (State::TimeWait, State::LastAck));
        assert_eq!((out[10].client_state, out[10].server_state), (State::TimeWait, State::Closed));
    }

    #[test]
    fn simultaneous_close_goes_through_closing() {
        let mut segs = echo();
        segs.truncate(7);
        segs.extend_from_slice(&[
            (3, true, CI + 6, SI + 6, FIN | ACK, 512, b""),
            (3, false, SI + 6, CI + 6, FIN | ACK, 512, b""),
            (4, true, CI + 7, SI + 7, ACK, 512, b""),
            (4, false, SI + 7, CI + 7, ACK, 512, b""),
        ]);
        let (out, mut a) = run(&segs);
        assert!(out[8].role.describe(out[8].from).contains("simultaneous close"));
        assert_eq!((out[8].client_state, out[8].server_state), (State::Closing, State::Closing));
        assert_eq!((out[10].client_state, out[10].server_state), (State::TimeWait, State::TimeWait));
        assert_eq!(a.take_ended()[0].end, End::Graceful);
    }

    #[test]
    fn rst_answering_a_syn_is_connection_refused() {
        let (out, mut a) =
            run(&[(0, true, CI, 0, SYN, 65495, b""), (0, false, 0, CI + 1, RST | ACK, 0, b"")]);
        assert_eq!(out[1].role, Role::Refused);
        assert!(out[1].cause.contains("ECONNREFUSED"));
        // Wireshark shows a refusing RST as Seq=1 Ack=1.
        assert_eq!((out[1].seq, out[1].ack), (1, Some(1)));
        assert_eq!(a.take_ended()[0].end, End::Reset { refused: true });
        assert!(out[1].analysis.is_empty(), "{:?}", out[1].analysis);
    }

    #[test]
    fn rst_mid_connection_is_a_reset() {
        let mut segs = echo();
        segs.truncate(4);
        segs.push((5, true, CI + 6, SI + 1, RST | ACK, 0, b""));
        let (out, mut a) = run(&segs);
        assert_eq!(out[4].role.describe(out[4].from), "RST: client resets the connection");
        assert!(out[4].cause.contains("SO_LINGER 0"));
        assert_eq!((out[4].client_state, out[4].server_state), (State::Closed, State::Closed));
        assert_eq!(a.take_ended()[0].end, End::Reset { refused: false });
    }

    fn flags_of(out: &[Annotated]) -> Vec<Vec<&'static str>> {
        out.iter().map(|n| n.analysis.iter().map(|a| a.field()).collect()).collect()
    }

    #[test]
    fn retransmission_after_a_pause() {
        let mut segs = echo();
        segs.truncate(4);
        segs.push((300, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"));
        let (out, _) = run(&segs);
        assert_eq!(flags_of(&out)[4], ["retransmission"]);
        assert!(out[4].cause.contains("retransmission"));
        assert_eq!(out[4].role, Role::Data { bytes: 5, total: 5 });
    }

    #[test]
    fn spurious_retransmission_of_acked_data() {
        let mut segs = echo();
        segs.truncate(5);
        segs.push((300, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"));
        let (out, _) = run(&segs);
        assert_eq!(flags_of(&out)[5], ["spurious_retransmission", "retransmission"]);
    }

    #[test]
    fn lost_segment_out_of_order_and_dup_acks() {
        let mut segs = echo();
        segs.truncate(3);
        segs.extend_from_slice(&[
            (10, true, CI + 6, SI + 1, PSH | ACK, 512, b"World"), // "Hello" not captured yet
            (10, false, SI + 1, CI + 1, ACK, 512, b""),           // ACK 1
            (10, false, SI + 1, CI + 1, ACK, 512, b""),           // dup ACK #1
            (10, false, SI + 1, CI + 1, ACK, 512, b""),           // dup ACK #2
            (11, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"), // fills the hole, fast
        ]);
        let (out, _) = run(&segs);
        let f = flags_of(&out);
        assert_eq!(f[3], ["lost_segment"]);
        // Its window differs from the SYN+ACK's (now scaled): Wireshark says window update.
        assert_eq!(f[4], ["window_update"]);
        assert_eq!(f[5], ["duplicate_ack"]);
        assert_eq!(out[6].analysis, [Anomaly::DuplicateAck(2)]);
        assert_eq!(f[7], ["fast_retransmission", "retransmission"]);
    }

    #[test]
    fn out_of_order_within_the_threshold() {
        let mut segs = echo();
        segs.truncate(3);
        segs.extend_from_slice(&[
            (100, true, CI + 6, SI + 1, PSH | ACK, 512, b"World"),
            (100, true, CI + 1, SI + 1, PSH | ACK, 512, b"Hello"),
        ]);
        let (out, _) = run(&segs);
        assert_eq!(flags_of(&out)[3], ["lost_segment"]);
        assert_eq!(flags_of(&out)[4], ["out_of_order"]);
    }

    #[test]
    fn zero_window_window_update_and_keep_alive() {
        let mut segs = echo();
        segs.truncate(5);
        segs.extend_from_slice(&[
            (5, false, SI + 1, CI + 6, ACK, 0, b""),      // zero window
            (6, false, SI + 1, CI + 6, ACK, 512, b""),    // window update
            (7000, true, CI + 5, SI + 1, ACK, 512, b""),  // keep-alive
            (7000, false, SI + 1, CI + 6, ACK, 512, b""), // keep-alive ACK
        ]);
        let (out, _) = run(&segs);
        let f = flags_of(&out);
        assert_eq!(f[5], ["zero_window"]);
        assert_eq!(f[6], ["window_update"]);
        assert_eq!(out[6].role, Role::WindowUpdate);
        assert_eq!(f[7], ["keep_alive"]);
        assert_eq!(out[7].role, Role::KeepAlive);
        assert_eq!(f[8], ["keep_alive_ack"]);
    }

    #[test]
    fn joining_mid_connection_starts_at_relative_one() {
        let segs = &echo()[3..];
        let (out, _) = run(segs);
        assert!(out[0].joined_late);
        assert_eq!((out[0].seq, out[0].ack, out[0].win_shift), (1, Some(1), None));
        assert_eq!(out[0].win, 512, "scale unknown: the raw window, as Wireshark shows it");
        assert_eq!(out[1].ack, Some(6));
    }

    #[test]
    fn a_new_syn_on_ended_endpoints_is_a_new_stream() {
        let mut segs = echo();
        segs.extend(echo().into_iter().map(|(ms, c, seq, ack, fl, w, d)| {
            let shift = |x: u32, base: u32| {
                if x == 0 {
                    0
                } else {
                    x - base + base.wrapping_add(77)
                }
            };
            (ms + 100, c, shift(seq, if c { CI } else { SI }), shift(ack, if c { SI } else { CI }), fl, w, d)
        }));
        let (out, a) = run(&segs);
        assert_eq!(out[9].stream, 0);
        assert_eq!(out[10].stream, 1);
        assert_eq!(out[10].seq, 0);
        assert_eq!(a.streams(), 2);
        assert_eq!(a.ended_count(), 2);
    }

    #[test]
    fn ended_connections_are_forgotten_so_memory_stays_bounded() {
        let mut a = Analyzer::new();
        for i in 0..(KEEP_ENDED as u16 + 500) {
            let port = 10_000 + i;
            for f in [
                frame(0, port, S, CI, 0, SYN, 100, &[], b""),
                frame(0, S, port, 0, CI + 1, RST | ACK, 0, &[], b""),
            ] {
                a.push(f.ts, &decode(&f).unwrap());
            }
        }
        assert!(a.conns.len() <= KEEP_ENDED);
        assert_eq!(a.ended_count(), KEEP_ENDED as u64 + 500);
        assert_eq!(a.take_ended().len(), KEEP_ENDED + 500);
        assert!(a.open().is_empty());
    }
}
