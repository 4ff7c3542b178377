//! The cause of a segment for machines: which socket call (`connect`,
//! `listen`, `send`, `recv`, `close`, or none) and who sent it (the program,
//! or its kernel). Decided in the same order, from the same facts, as the
//! words of [`super::words::cause`]; a test holds the two together.

use crate::analysis::{Annotated, Anomaly, Role, Side};

/// A socket call a segment can be traced back to. `accept()` is not among
/// them: it takes a connection the kernel already finished and sends nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// The SYN, and the handshake's ACK the kernel sends inside it.
    Connect,
    /// The SYN+ACK: the kernel answers for the listening socket.
    Listen,
    Send,
    /// A window update: recv() made room in the receive buffer.
    Recv,
    /// A FIN (close(), shutdown(SHUT_WR) or the process exiting: the wire
    /// cannot tell them apart), or an RST from close() with unread bytes.
    Close,
}

impl Call {
    /// The name in JSON, as the listing spells the call.
    pub fn name(self) -> &'static str {
        match self {
            Call::Connect => "connect",
            Call::Listen => "listen",
            Call::Send => "send",
            Call::Recv => "recv",
            Call::Close => "close",
        }
    }
}

/// What caused a segment: the call (if any) and whether the program made it
/// send the segment itself (`kernel` false) or its kernel sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    pub call: Option<Call>,
    pub side: Side,
    pub kernel: bool,
}

impl Cause {
    /// `client`, `server`, `client_kernel` or `server_kernel`.
    pub fn by(&self) -> String {
        let who = self.side.name();
        if self.kernel {
            format!("{who}_kernel")
        } else {
            who.to_string()
        }
    }
}

/// The cause of a segment, as `words::cause` says it.
pub fn cause(n: &Annotated) -> Cause {
    let kernel = |call| Cause { call, side: n.from, kernel: true };
    let program = |call| Cause { call: Some(call), side: n.from, kernel: false };
    let older = n.analysis.contains(&Anomaly::OutOfOrder);
    // A simultaneous open's first SYN+ACK: Wireshark flags it, but it is the kernel's answer
    // inside connect() (`words::simopen`).
    if let Role::Simultaneous { step, again } = n.role {
        if !(n.is_retransmission() && (step != 2 || again)) {
            return if step == 1 { program(Call::Connect) } else { kernel(Some(Call::Connect)) };
        }
    }
    if n.is_retransmission() || (older && matches!(n.role, Role::Data { .. })) || answers_sack(n) {
        return kernel(None);
    }
    match n.role {
        Role::Handshake(1) | Role::Simultaneous { step: 1, .. } => program(Call::Connect),
        Role::Simultaneous { .. } => kernel(None), // a copy of its SYN+ACK: said above
        Role::Handshake(_) => kernel(Some(Call::Listen)),
        Role::HandshakeAck { again: false, .. } => kernel(Some(Call::Connect)),
        Role::Data { .. } => program(Call::Send),
        Role::WindowUpdate => kernel(Some(Call::Recv)),
        Role::Fin { .. } | Role::Reset => program(Call::Close),
        Role::HandshakeAck { again: true, .. }
        | Role::Ack { .. }
        | Role::KeepAlive
        | Role::WindowProbe { .. }
        | Role::FinAck { .. }
        | Role::Refused
        | Role::ChallengeAck
        | Role::StaleReset => kernel(None),
    }
}

/// Whether the words say the kernel answers bytes above a hole or a D-SACK
/// (`words::sack_answer`): an ACK that repeats the last one and carries SACK blocks.
fn answers_sack(n: &Annotated) -> bool {
    let repeats = n.analysis.iter().any(|a| matches!(a, Anomaly::DuplicateAck(_)))
        || (n.analysis.contains(&Anomaly::WindowUpdate) && matches!(n.role, Role::Ack { .. }));
    repeats && n.seg.tcp.dsack().is_some()
}
