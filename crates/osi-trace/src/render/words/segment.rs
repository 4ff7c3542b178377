//! The words: every English phrase the views print about a segment or a
//! connection comes from here, made from the analysis's facts; each one asks
//! [`vi`] and hands over to its Vietnamese form in `lang::segment` when it is set.

use std::fmt;

use kit::lang::vi;

use crate::render::lang::segment as vi_words;

use crate::analysis::{Annotated, Anomaly, End, Role, Side, State};

/// Both ends' TCP states after a segment, `[client SYN_SENT, server SYN_RECEIVED]`.
/// Where an end's state is not known (`?`), the words say why, for a beginner:
/// no answer from the server seen (live, osi-trace waits half a second for it;
/// reading a file, to the end), an RST a firewall may have sent in the server's
/// name, or an RST the receiver may not have accepted. In a connection the capture
/// joined after its handshake no end's state is known: its first row says why, once.
pub fn states(n: &Annotated) -> States<'_> {
    States(n)
}

/// Both ends' states in words, written straight where they go.
pub struct States<'a>(&'a Annotated);

impl States<'_> {
    /// Appends the words to `out`: the line view writes them for every segment.
    pub fn push_to(&self, out: &mut String) {
        let n = self.0;
        if n.joined_late && n.client_state == State::Unknown && n.server_state == State::Unknown {
            out.push_str("[client ?, server ?");
            if n.first {
                out.push_str(" (");
                out.push_str(if vi() { vi_words::JOINED_STATES } else { JOINED_STATES });
                out.push(')');
            }
            return out.push(']');
        }
        let said = |out: &mut String, end: Side, state: State| {
            if state != State::Unknown {
                return out.push_str(state.name());
            }
            out.push_str("? (");
            if vi() && !(end == Side::Server && n.ack_before_syn) {
                out.push_str(vi_words::unknown_state(end, n));
                return out.push(')');
            }
            out.push_str(match (end, &n.role) {
                (Side::Server, _) if n.ack_before_syn => super::simopen::ack_before_syn(),
                (Side::Server, Role::Refused) => "the RST may be a firewall's",
                (Side::Server, _) if n.answered => "the RST answering it may be a firewall's",
                (Side::Server, _) if n.client_state == State::SynSent => "no answer from the server seen",
                _ => "the RST may not have been accepted",
            });
            out.push(')');
        };
        out.push_str("[client ");
        said(out, Side::Client, n.client_state);
        out.push_str(", server ");
        said(out, Side::Server, n.server_state);
        out.push(']');
    }
}

/// Why both ends' states are `?` in a connection the capture joined after its handshake.
const JOINED_STATES: &str = "both unknown: the capture began after the handshake";

/// The role in words, for the one-line view (`role_text` in JSON).
pub fn describe(n: &Annotated) -> Describe<'_> {
    Describe { role: &n.role, from: n.from, joined: n.joined_late }
}

/// A role in words, written straight into the line or the JSON string it
/// goes to (a view prints one per segment: no string of its own). `joined`: the
/// capture began after the handshake, so a FIN may answer one sent before it.
pub struct Describe<'a> {
    role: &'a Role,
    from: Side,
    joined: bool,
}

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Role::Simultaneous { step, again } = *self.role {
            return super::simopen::describe(step, again, self.from, f);
        }
        if vi() {
            return vi_words::describe(self.role, self.from, self.joined, f);
        }
        let who = self.from.name();
        let peer = self.from.other().name();
        match self.role {
            Role::Simultaneous { .. } => Ok(()), // said above
            Role::Handshake(1) => f.write_str("handshake 1/3: SYN"),
            Role::Handshake(_) => f.write_str("handshake 2/3: SYN+ACK"),
            Role::HandshakeAck { again: false, .. } => f.write_str("handshake 3/3: ACK"),
            Role::HandshakeAck { again: true, .. } => f.write_str("ACK of the SYN+ACK, again"),
            Role::Data { bytes, total } => write!(f, "data {who}→{peer}: {bytes} bytes (total {total})"),
            Role::Ack { acked } if *acked > 0 => write!(f, "ACK of {acked} bytes"),
            Role::Ack { .. } => f.write_str("ACK"),
            Role::WindowUpdate => f.write_str("window update"),
            Role::KeepAlive => f.write_str("keep-alive"),
            Role::WindowProbe { update_lost: false } => {
                f.write_str("window probe (persist timer): the peer's window is 0")
            }
            Role::WindowProbe { update_lost: true } => {
                write!(f, "window probe (persist timer): the {who} still holds the {peer}'s window for 0")
            }
            Role::Fin { crossing, first, acks_fin, data } => {
                let with = With(*data);
                if *crossing {
                    write!(f, "teardown: {who}'s FIN{with} crosses the {peer}'s (simultaneous close)")
                } else if self.joined && !*acks_fin {
                    // The peer's FIN may have come before the capture began: active or passive, unknown.
                    write!(f, "teardown: {who}'s FIN{with}")
                } else if *first {
                    write!(f, "teardown: {who}'s FIN{with} (active close)")
                } else if *acks_fin {
                    write!(f, "teardown: {who}'s FIN+ACK{with}: ACKs the {peer}'s FIN and closes too")
                } else {
                    write!(f, "teardown: {who}'s FIN{with} (passive close)")
                }
            }
            Role::FinAck { last: true, again: false } => write!(f, "teardown: last ACK, of the {peer}'s FIN"),
            Role::FinAck { last: false, again: false } => write!(f, "teardown: ACK of the {peer}'s FIN"),
            Role::FinAck { again: true, .. } => {
                write!(f, "teardown: ACK again, of the {peer}'s FIN sent again")
            }
            Role::Refused => f.write_str("RST: connection refused"),
            Role::Reset => write!(f, "RST: {who} resets the connection"),
            Role::ChallengeAck => f.write_str("challenge ACK (RFC 5961)"),
            Role::StaleReset => write!(f, "RST: the {who} no longer has this connection"),
        }
    }
}

/// ` with N bytes` after a FIN that carries data; nothing after one without.
struct With(u32);

impl fmt::Display for With {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            n => write!(f, " with {n} bytes"),
        }
    }
}

/// The socket call (or the kernel) that caused the segment.
pub fn cause(n: &Annotated) -> Cause<'_> {
    Cause(n)
}

/// A segment's cause in words, written straight where it goes (see [`Describe`]).
pub struct Cause<'a>(&'a Annotated);

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        socket_call(n, f)?;
        if n.reset_unheeded && vi() {
            vi_words::reset_unheeded(n, f)?;
        } else if n.reset_unheeded {
            let (who, peer) = (n.from.name(), n.from.other().name());
            write!(
                f,
                "; so the {peer}'s RST above never closed the {who} (lost on the way, or not accepted)"
            )?;
        }
        Ok(())
    }
}

fn socket_call(n: &Annotated, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let who = n.from.name();
    // A retransmission timer's back-off: the time since the last copy of the same bytes.
    let after = After(n.resent_after);
    // A simultaneous open's first SYN+ACK repeats its SYN's number: Wireshark's flag, no copy.
    if let Role::Simultaneous { step, again } = n.role {
        if !(n.is_retransmission() && (step != 2 || again)) {
            return super::simopen::cause(n, step, f);
        }
    }
    if n.is_retransmission() {
        if vi() {
            return vi_words::retransmission(who, &after, f);
        }
        return write!(f, "{who}'s kernel: a retransmission, no new socket call{after}");
    }
    let older = n.analysis.contains(&Anomaly::OutOfOrder);
    if older && matches!(n.role, Role::Data { .. }) {
        if vi() {
            return vi_words::older_bytes(who, &after, f);
        }
        // send() only ever appends at the end of the stream: bytes below newer ones
        // were sent again by the kernel (Linux's RACK after the peer's SACK), or reordered.
        return write!(
            f,
            "{who}'s kernel: older bytes after newer ones, so no send(): a quick retransmission \
             (within a round trip of the newest), or reordered on the way{after}"
        );
    }
    if let Some(said) = sack_answer(n) {
        if vi() {
            return vi_words::sack_answer(who, said, f);
        }
        return write!(f, "{who}'s kernel: {said}");
    }
    if vi() {
        return vi_words::socket_call(n, f);
    }
    match n.role {
        Role::Simultaneous { step, .. } => super::simopen::cause(n, step, f),
        Role::Handshake(1) => write!(f, "{who}'s connect()"),
        Role::Handshake(_) => f.write_str("server's kernel, for the listening socket, before any accept()"),
        Role::HandshakeAck { again: false, syn_acks } if syn_acks > 1 => write!(
            f,
            "client's kernel: connect() returns at its first ACK of a SYN+ACK, this one unless one \
             was lost before this link (the server sent its SYN+ACK {syn_acks} times)"
        ),
        Role::HandshakeAck { again: false, .. } => {
            f.write_str("client's kernel inside connect(), which now returns")
        }
        Role::HandshakeAck { again: true, .. } => {
            // tcp_validate_incoming(), step 4: any SYN on a synchronized connection.
            f.write_str(
                "client's kernel: the SYN+ACK came again, and a SYN on an established connection gets \
                 an ACK of what it expects (a challenge ACK, RFC 5961 §4.2); connect() returned at its \
                 first ACK, no socket call",
            )
        }
        Role::Data { .. } => write!(f, "{who}'s send()/sendall()"),
        Role::Ack { .. } => write!(f, "{who}'s kernel (no socket call)"),
        Role::WindowUpdate => write!(f, "{who}'s recv() made room; the kernel says so"),
        Role::KeepAlive => write!(f, "{who}'s kernel (SO_KEEPALIVE timer)"),
        Role::WindowProbe { update_lost: false } => {
            write!(f, "{who}'s kernel (persist timer), no socket call")
        }
        Role::WindowProbe { update_lost: true } => write!(
            f,
            "{who}'s kernel (persist timer), no socket call: the {peer}'s window update seen here never \
             reached it (lost on the way); too soon after the {peer}'s last segment for a keep-alive",
            peer = n.from.other().name()
        ),
        Role::Fin { first, crossing, data, .. } => {
            if first || crossing || n.joined_late {
                write!(f, "{who}'s close() or shutdown(SHUT_WR), or the process exiting")?;
            } else {
                write!(f, "{who}'s close() (typically after its recv() returned 0)")?;
            }
            if data > 0 {
                // tcp_send_fin(): the FIN is queued behind unsent bytes and rides on the last one.
                f.write_str("; the FIN rides on the last data segment, queued behind unsent bytes")?;
            }
            Ok(())
        }
        // RFC 9293 §3.6: TIME_WAIT keeps the connection so that a FIN sent again is ACKed again.
        Role::FinAck { again: true, .. } if n.state_of(n.from) == State::TimeWait => write!(
            f,
            "{who}'s kernel, in TIME_WAIT: the {}'s FIN came again (the first ACK was lost), so it \
             ACKs it again; this is what TIME_WAIT waits for",
            n.from.other().name()
        ),
        Role::FinAck { .. } => write!(f, "{who}'s kernel (no socket call)"),
        // On loopback no firewall stands between the two ends; on a real link one may
        // answer for the server (nftables `reject with tcp reset`): the RST looks the same.
        Role::Refused if n.seg.link.is_loopback_placeholder() => {
            write!(f, "{who}'s kernel: no socket listens on that port; connect() fails with ECONNREFUSED")
        }
        Role::Refused => write!(
            f,
            "{who}'s kernel (no socket listens on that port), or a firewall on the way answering \
             for it; connect() fails with ECONNREFUSED"
        ),
        Role::Reset => write!(f, "{who}'s close() with unread data, or SO_LINGER 0"),
        Role::ChallengeAck => write!(
            f,
            "{who}'s kernel: the RST's sequence number is not the next it expects, so it keeps the \
             connection and ACKs what it expects; only an RST at that number closes it"
        ),
        Role::StaleReset => {
            write!(f, "{who}'s kernel: a segment came for a connection it has closed; it answers RST")
        }
    }
}

/// `; 206.5 ms after the last copy` after a copy of earlier bytes; nothing otherwise.
struct After(Option<std::time::Duration>);

impl fmt::Display for After {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) if vi() => write!(f, "; {} {}", Interval(d), vi_words::AFTER_LAST_COPY),
            Some(d) => write!(f, "; {} after the last copy", Interval(d)),
            None => Ok(()),
        }
    }
}

/// What the SACK blocks (RFC 2018) of an ACK that repeats the last ACK number say it
/// answers: bytes above a hole, or (a D-SACK, RFC 2883) bytes that came twice. Such an
/// ACK is a duplicate ACK, or one Wireshark calls a window update whose blocks report a
/// new arrival (the analysis then gives it the role of an ACK). `None` for an ACK
/// without blocks: the same ACK again proves nothing more.
fn sack_answer(n: &Annotated) -> Option<Sack> {
    let repeats = n.analysis.iter().any(|a| matches!(a, Anomaly::DuplicateAck(_)))
        || (n.analysis.contains(&Anomaly::WindowUpdate) && matches!(n.role, Role::Ack { .. }));
    let dsack = n.seg.tcp.dsack().filter(|_| repeats)?;
    // tcp_data_queue(): a segment out of order, or already received, is ACKed at once.
    Some(Sack { dsack })
}

/// An ACK's answer to the bytes its SACK blocks report (`dsack`: a D-SACK block).
pub(crate) struct Sack {
    pub(crate) dsack: bool,
}

impl fmt::Display for Sack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if !self.dsack {
            "bytes arrived above a hole (its SACK blocks): it ACKs the last byte in order again"
        } else {
            "bytes it already had arrived again (a D-SACK block): it ACKs the same byte again"
        })
    }
}

/// A time between two copies, at the scale it is read in: `0.044 ms`, `206.5 ms`, `1.664 s`.
struct Interval(std::time::Duration);

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs_f64();
        match s {
            _ if s >= 1.0 => write!(f, "{s:.3} s"),
            _ if s >= 0.001 => write!(f, "{:.1} ms", s * 1000.0),
            _ => write!(f, "{:.3} ms", s * 1000.0),
        }
    }
}

/// Wireshark's wording of an analysis flag in its Info column.
pub fn anomaly(a: Anomaly) -> String {
    match a {
        Anomaly::Retransmission => "TCP Retransmission".into(),
        Anomaly::FastRetransmission => "TCP Fast Retransmission".into(),
        Anomaly::SpuriousRetransmission => "TCP Spurious Retransmission".into(),
        Anomaly::OutOfOrder => "TCP Out-Of-Order".into(),
        Anomaly::DuplicateAck(n) => format!("TCP Dup ACK #{n}"),
        Anomaly::ZeroWindow => "TCP ZeroWindow".into(),
        Anomaly::ZeroWindowProbe => "TCP ZeroWindowProbe".into(),
        Anomaly::LostSegment => "TCP Previous segment not captured".into(),
        Anomaly::AckLostSegment => "TCP ACKed unseen segment".into(),
        Anomaly::KeepAlive => "TCP Keep-Alive".into(),
        Anomaly::KeepAliveAck => "TCP Keep-Alive ACK".into(),
        Anomaly::WindowUpdate => "TCP Window Update".into(),
    }
}

/// How a connection ended, in words.
pub fn end(e: End) -> &'static str {
    if vi() {
        return vi_words::end(e);
    }
    match e {
        End::Graceful => "graceful (FIN both ways)",
        End::Reset { refused: true } => "refused (RST answered the SYN)",
        End::Reset { refused: false } => "reset (RST)",
        End::Open => "still open",
    }
}
