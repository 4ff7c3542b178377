//! What `close()` does to a connection, in words: the one close vocabulary of
//! every program, decided by what the kernel holds just before `close()` (state,
//! unread bytes, SO_LINGER), in the order Linux's `__tcp_close()` looks at them.

use std::io;
use std::os::fd::AsFd;

use socket2::SockRef;

use crate::tcp_state::{tcp_state, unread_bytes, TcpState};
use crate::words::plural;

/// What `close()` on `socket` will do, for a narration line `close() → …`,
/// from the kernel's facts read now: call it just before `close()`. The state
/// comes from `TCP_INFO`, the unread bytes from `FIONREAD`, SO_LINGER from
/// `getsockopt`. `why_closed` says why an already CLOSED socket is closed (see
/// [`ended_by`]), for the words of that case.
pub fn what_close_sends(socket: &impl AsFd, why_closed: Option<&str>) -> String {
    let fd = socket.as_fd();
    let before = BeforeClose {
        state: tcp_state(&fd),
        // FIONREAD fails only on a socket that is not a connected TCP one: nothing to lose then.
        unread: unread_bytes(&fd).unwrap_or(0),
        linger_zero: matches!(SockRef::from(&fd).linger(), Ok(Some(t)) if t.is_zero()),
    };
    before.effect(why_closed)
}

/// The same words from a state the caller read, for a program that set its
/// own SO_LINGER (`linger_zero`) and has read every byte it was sent.
pub fn close_effect(before: Option<TcpState>, linger_zero: bool, why_closed: Option<&str>) -> String {
    BeforeClose { state: before, unread: 0, linger_zero }.effect(why_closed)
}

/// The facts that decide what `close()` sends, read just before it.
struct BeforeClose {
    /// The TCP state (`tcpi_state`); `None` if the kernel did not say.
    state: Option<TcpState>,
    /// Bytes received in order and never read.
    unread: usize,
    /// SO_LINGER on with 0 s.
    linger_zero: bool,
}

impl BeforeClose {
    fn effect(&self, why_closed: Option<&str>) -> String {
        use TcpState::*;
        match self.state {
            // A reset (or finished) connection is CLOSED already: close() only frees the socket.
            Some(Closed) => match why_closed {
                Some(why) => format!("nothing sent: the connection is already CLOSED ({why})"),
                None => "nothing sent: the connection is already CLOSED".into(),
            },
            // Unread bytes are thrown away, so the peer is told with RST, not FIN (RFC 2525 §2.17);
            // Linux checks this first, before SO_LINGER, in any state but CLOSED.
            Some(s) if self.unread > 0 => {
                format!("RST sent ({} unread), {s} → CLOSED", plural(self.unread as u64, "byte"))
            }
            // SO_LINGER 0 throws the connection away with RST in these states (tcp_disconnect()).
            Some(s @ (Established | CloseWait | FinWait1 | FinWait2 | SynReceived)) if self.linger_zero => {
                format!("RST sent (SO_LINGER 0), {s} → CLOSED")
            }
            Some(CloseWait) => "FIN sent, CLOSE_WAIT → LAST_ACK".into(),
            Some(s @ (Established | SynReceived)) => format!("FIN sent, {s} → FIN_WAIT_1"),
            Some(s @ (FinWait1 | FinWait2 | LastAck | Closing)) => {
                format!("nothing sent: our FIN is out already ({s})")
            }
            Some(other) => format!("from {other}"),
            None => "(the kernel did not say in which state)".into(),
        }
    }
}

/// Why a failed `recv()`/`send()` left the connection CLOSED, in a few words:
/// ECONNRESET and EPIPE (the send after a reset, or a reset in CLOSE_WAIT) mean the peer's RST.
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
    use crate::tcp_state::wait_for_state;
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::time::Duration;

    /// A connected pair on loopback: (client, server).
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        client.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        (client, server)
    }

    /// What the client's next read sees once the server has closed: Ok(0) after a FIN.
    fn after_close(mut client: &TcpStream) -> io::Result<usize> {
        client.read(&mut [0u8; 16])
    }

    #[test]
    fn the_state_before_close_decides_the_words() {
        use TcpState::*;
        let words =
            |state, unread, linger_zero| BeforeClose { state: Some(state), unread, linger_zero }.effect(None);
        assert_eq!(words(CloseWait, 0, false), "FIN sent, CLOSE_WAIT → LAST_ACK");
        assert_eq!(words(Established, 0, false), "FIN sent, ESTABLISHED → FIN_WAIT_1");
        assert_eq!(words(Established, 0, true), "RST sent (SO_LINGER 0), ESTABLISHED → CLOSED");
        assert_eq!(words(CloseWait, 1, false), "RST sent (1 byte unread), CLOSE_WAIT → CLOSED");
        // Unread bytes come first, SO_LINGER or not; an already CLOSED socket sends nothing at all.
        assert_eq!(words(Established, 5, true), "RST sent (5 bytes unread), ESTABLISHED → CLOSED");
        assert_eq!(words(Closed, 5, true), "nothing sent: the connection is already CLOSED");
        assert_eq!(words(LastAck, 0, false), "nothing sent: our FIN is out already (LAST_ACK)");
        assert_eq!(
            close_effect(Some(Closed), false, Some("reset by the peer")),
            "nothing sent: the connection is already CLOSED (reset by the peer)"
        );
    }

    #[test]
    fn after_the_peers_fin_close_sends_fin() {
        let (client, mut server) = pair();
        client.shutdown(Shutdown::Write).expect("shutdown");
        assert_eq!(server.read(&mut [0u8; 8]).expect("read"), 0);
        assert_eq!(what_close_sends(&server, None), "FIN sent, CLOSE_WAIT → LAST_ACK");
        drop(server);
        assert_eq!(after_close(&client).expect("the server's FIN"), 0);
    }

    #[test]
    fn unread_bytes_make_close_send_rst() {
        let (mut client, server) = pair();
        client.write_all(b"Hello").expect("write");
        client.shutdown(Shutdown::Write).expect("shutdown");
        wait_for_state(&server, TcpState::CloseWait);
        assert_eq!(what_close_sends(&server, None), "RST sent (5 bytes unread), CLOSE_WAIT → CLOSED");
        drop(server);
        let got = after_close(&client);
        assert!(matches!(&got, Err(e) if e.kind() == io::ErrorKind::ConnectionReset), "{got:?}");
    }

    #[test]
    fn so_linger_zero_is_read_from_the_kernel() {
        let (client, server) = pair();
        SockRef::from(&server).set_linger(Some(Duration::ZERO)).expect("SO_LINGER");
        assert_eq!(what_close_sends(&server, None), "RST sent (SO_LINGER 0), ESTABLISHED → CLOSED");
        drop(server);
        let got = after_close(&client);
        assert!(matches!(&got, Err(e) if e.kind() == io::ErrorKind::ConnectionReset), "{got:?}");
    }

    #[test]
    fn after_the_peers_rst_close_sends_nothing_even_with_bytes_unread() {
        let (mut client, server) = pair();
        client.write_all(b"Hello").expect("write");
        SockRef::from(&client).set_linger(Some(Duration::ZERO)).expect("SO_LINGER");
        drop(client);
        wait_for_state(&server, TcpState::Closed);
        assert_eq!(unread_bytes(&server), Some(5), "the five bytes are still there to lose");
        assert_eq!(
            what_close_sends(&server, Some("reset by the peer")),
            "nothing sent: the connection is already CLOSED (reset by the peer)"
        );
    }

    #[test]
    fn reset_and_broken_pipe_both_mean_the_peer_reset() {
        assert_eq!(ended_by(&io::Error::from(io::ErrorKind::ConnectionReset)), "reset by the peer");
        assert_eq!(ended_by(&io::Error::from(io::ErrorKind::BrokenPipe)), "reset by the peer");
    }
}
