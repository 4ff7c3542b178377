//! What `close()` does to a connection, in words, decided by the TCP state the
//! kernel holds just before it ([`crate::tcp_state`]) and not by the textbook
//! path: FIN from CLOSE_WAIT or ESTABLISHED, RST with SO_LINGER 0, nothing at
//! all when the connection is already CLOSED (reset, or handed to TIME_WAIT).

use std::io;

use crate::tcp_state::TcpState;

/// What `close()` does, for a narration line `close() → …`.
///
/// `before` is the state read just before `close()`; `linger_zero` says
/// SO_LINGER was set to 0 s; `why_closed` says why an already CLOSED socket is
/// closed (see [`ended_by`]), for the words of that case.
pub fn close_effect(before: Option<TcpState>, linger_zero: bool, why_closed: Option<&str>) -> String {
    use TcpState::*;
    match before {
        // tcp_close(): SO_LINGER 0 throws the connection away with RST in these states.
        Some(s @ (Established | CloseWait | FinWait1 | FinWait2 | SynReceived)) if linger_zero => {
            format!("RST sent (SO_LINGER 0), {s} → CLOSED")
        }
        Some(CloseWait) => "FIN sent, CLOSE_WAIT → LAST_ACK".into(),
        Some(Established) => "FIN sent, ESTABLISHED → FIN_WAIT_1".into(),
        Some(s @ (FinWait1 | FinWait2)) => format!("nothing sent: our FIN is out already ({s})"),
        Some(Closed) => match why_closed {
            Some(why) => format!("nothing sent: the connection is already CLOSED ({why})"),
            None => "nothing sent: the connection is already CLOSED".into(),
        },
        Some(other) => format!("from {other}"),
        None => "(the kernel did not say in which state)".into(),
    }
}

/// Why a failed `recv()`/`send()` left the connection CLOSED, in a few words:
/// ECONNRESET and EPIPE (the send after a reset) mean the peer's RST.
pub fn ended_by(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => "reset by the peer".into(),
        io::ErrorKind::TimedOut => "timed out".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_before_close_decides_the_words() {
        use TcpState::*;
        assert_eq!(close_effect(Some(CloseWait), false, None), "FIN sent, CLOSE_WAIT → LAST_ACK");
        assert_eq!(close_effect(Some(Established), false, None), "FIN sent, ESTABLISHED → FIN_WAIT_1");
        assert_eq!(
            close_effect(Some(Established), true, None),
            "RST sent (SO_LINGER 0), ESTABLISHED → CLOSED"
        );
        assert_eq!(
            close_effect(Some(Closed), false, Some("reset by the peer")),
            "nothing sent: the connection is already CLOSED (reset by the peer)"
        );
        // An already CLOSED socket sends nothing, SO_LINGER or not.
        assert!(close_effect(Some(Closed), true, None).starts_with("nothing sent"));
    }

    #[test]
    fn reset_and_broken_pipe_both_mean_the_peer_reset() {
        assert_eq!(ended_by(&io::Error::from(io::ErrorKind::ConnectionReset)), "reset by the peer");
        assert_eq!(ended_by(&io::Error::from(io::ErrorKind::BrokenPipe)), "reset by the peer");
    }
}
