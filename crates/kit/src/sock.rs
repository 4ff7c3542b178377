//! Two socket methods the article's Python has and `socket2` spells differently:
//! `recv_into` (a `recv` into a plain byte buffer) and `sendall` (`send` until
//! every byte is in the kernel's send buffer, however many calls that takes).

use std::io::{self, Read};

use socket2::Socket;

/// `recv_into` and `sendall` on a blocking `socket2::Socket`.
pub trait SocketExt {
    /// recv(2) into `buf`: the number of bytes read, 0 when the peer sent FIN.
    fn recv_into(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// send(2) until all of `data` is accepted by the kernel. One send() may
    /// take only part of the data (the send buffer is full); Python's `sendall`
    /// hides this loop, here it is.
    fn sendall(&self, data: &[u8]) -> io::Result<()>;
}

impl SocketExt for Socket {
    fn recv_into(&self, buf: &mut [u8]) -> io::Result<usize> {
        // `Read for &Socket` is recv(2) with flags 0, on an initialised buffer.
        loop {
            match (&*self).read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn sendall(&self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match self.send(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The address family's C name for `addr`: `AF_INET` or `AF_INET6`.
pub fn family(addr: std::net::SocketAddr) -> &'static str {
    if addr.is_ipv4() {
        "AF_INET"
    } else {
        "AF_INET6"
    }
}

/// getsockname(2) as an IP socket address: where the socket is bound.
pub fn local_addr(socket: &Socket) -> anyhow::Result<std::net::SocketAddr> {
    use anyhow::Context;
    socket
        .local_addr()
        .context("getsockname()")?
        .as_socket()
        .context("getsockname() returned a non-IP address")
}

/// A peer address as text (`127.0.0.1:50312`), or `?` if it is not an IP address.
pub fn peer_name(addr: &socket2::SockAddr) -> String {
    addr.as_socket().map_or_else(|| "?".to_string(), |p| p.to_string())
}
