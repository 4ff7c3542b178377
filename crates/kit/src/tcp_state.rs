//! The kernel's own view of a connection: the TCP state Linux keeps for a
//! socket, read with `getsockopt(TCP_INFO)` (`tcpi_state`), and the bytes it
//! received that nobody has read yet (`ioctl(FIONREAD)`). The programs read both
//! before `close()`, so their narration says the path the connection took
//! (a reset one is already CLOSED and `close()` sends nothing; unread bytes make
//! it an RST) instead of assuming the textbook path.

use std::fmt;
use std::os::fd::AsRawFd;

/// A TCP state as Linux numbers them in `include/net/tcp_states.h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpState {
    Established,
    SynSent,
    SynReceived,
    FinWait1,
    FinWait2,
    TimeWait,
    Closed,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    /// A value this list does not know (a newer kernel's).
    Other(u8),
}

impl TcpState {
    fn from_linux(value: u8) -> TcpState {
        match value {
            1 => TcpState::Established,
            2 => TcpState::SynSent,
            3 => TcpState::SynReceived,
            4 => TcpState::FinWait1,
            5 => TcpState::FinWait2,
            6 => TcpState::TimeWait,
            7 => TcpState::Closed,
            8 => TcpState::CloseWait,
            9 => TcpState::LastAck,
            10 => TcpState::Listen,
            11 => TcpState::Closing,
            other => TcpState::Other(other),
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynReceived => "SYN_RECEIVED",
            TcpState::FinWait1 => "FIN_WAIT_1",
            TcpState::FinWait2 => "FIN_WAIT_2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Closed => "CLOSED",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
            TcpState::Other(n) => return write!(f, "state {n}"),
        };
        f.write_str(name)
    }
}

/// The state the kernel holds for this TCP socket now (`tcpi_state`), or
/// `None` if the socket is not TCP or the call fails.
pub fn tcp_state(socket: &impl AsRawFd) -> Option<TcpState> {
    // SAFETY: an all-zero `tcp_info` is a valid value of this plain C struct.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: `info` and `len` are valid for writes of the sizes passed.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    (rc == 0 && len >= 1).then(|| TcpState::from_linux(info.tcpi_state))
}

/// The bytes this TCP socket received in order and nobody has read yet
/// (`ioctl(FIONREAD)`, Linux's `tcp_inq()`: `rcv_nxt - copied_seq`, the FIN not
/// counted), or `None` if the call fails (a listening socket, not TCP).
pub fn unread_bytes(socket: &impl AsRawFd) -> Option<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer, which is valid for it.
    let rc = unsafe { libc::ioctl(socket.as_raw_fd(), libc::FIONREAD, &mut n as *mut libc::c_int) };
    (rc == 0).then(|| usize::try_from(n).unwrap_or(0))
}

/// Waits (10 s at most, then panics) until the kernel holds `socket` in `state`:
/// for tests, which wait for the event a peer's segment causes, never for a while.
#[cfg(test)]
pub(crate) fn wait_for_state(socket: &impl AsRawFd, state: TcpState) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tcp_state(socket) != Some(state) {
        assert!(std::time::Instant::now() < deadline, "not {state} within 10 s: {:?}", tcp_state(socket));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{Shutdown, TcpListener, TcpStream};

    #[test]
    fn the_kernel_names_each_end_of_a_closing_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        assert_eq!(tcp_state(&listener), Some(TcpState::Listen));
        let mut client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        assert_eq!(tcp_state(&client), Some(TcpState::Established));
        client.write_all(b"x").expect("write");
        client.shutdown(Shutdown::Write).expect("shutdown");
        // The server's kernel ACKs the FIN at once: the server is in CLOSE_WAIT
        // as soon as the FIN has arrived. Wait for it by reading to EOF.
        let mut buf = [0u8; 8];
        let mut server_reader = &server;
        while std::io::Read::read(&mut server_reader, &mut buf).expect("read") > 0 {}
        assert_eq!(tcp_state(&server), Some(TcpState::CloseWait));
        assert_eq!(TcpState::Other(42).to_string(), "state 42");
    }

    #[test]
    fn unread_bytes_count_what_arrived_and_was_not_read() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        assert_eq!(unread_bytes(&listener), None, "a listening socket has no byte stream");
        let mut client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        assert_eq!(unread_bytes(&server), Some(0));
        client.write_all(b"Hello").expect("write");
        client.shutdown(Shutdown::Write).expect("shutdown");
        // Once the FIN has arrived (CLOSE_WAIT), the bytes before it have too.
        wait_for_state(&server, TcpState::CloseWait);
        // Five bytes; the FIN after them is not a byte to read.
        assert_eq!(unread_bytes(&server), Some(5));
        let mut buf = [0u8; 2];
        std::io::Read::read_exact(&mut &server, &mut buf).expect("read");
        assert_eq!(unread_bytes(&server), Some(3));
    }
}
