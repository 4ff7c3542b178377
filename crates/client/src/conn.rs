//! The client's connection under a deadline: the socket is non-blocking and
//! every wait is a poll() for at most the time left of `--timeout`, so no
//! send() or recv() can hold the run past it. On expiry the connection is
//! closed with RST, so a server blocked on it is freed at once.

use std::collections::VecDeque;
use std::io;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use kit::SocketExt;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use socket2::Socket;

/// The moment the whole run must be over by: `--timeout` after the start.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    /// A deadline `total` from now.
    pub fn after(total: Duration) -> Deadline {
        Deadline { at: Instant::now() + total, total }
    }

    /// The time left, or `None` once the deadline has passed.
    pub fn left(&self) -> Option<Duration> {
        Some(self.at.saturating_duration_since(Instant::now())).filter(|d| !d.is_zero())
    }

    /// The whole budget, for messages: `3 s`.
    pub fn total(&self) -> String {
        format!("{} s", self.total.as_secs_f64())
    }
}

/// A connected, non-blocking TCP socket whose every wait ends at the deadline.
pub struct Conn {
    pub sock: Socket,
    deadline: Deadline,
    /// Bytes asked of each recv() call (`--buffer`).
    buffer: usize,
    /// Echo that came back while sendall() waited for room, one entry per recv() call.
    early: VecDeque<Vec<u8>>,
    /// How many bytes `early` holds.
    early_bytes: usize,
    /// Bytes sent and not yet received back: sendall() reads ahead no more than this.
    owed: usize,
    /// The server's FIN was read ahead: nothing more will come.
    fin: bool,
}

impl Conn {
    /// Takes a connected socket; from here on no call on it blocks.
    pub fn new(sock: Socket, deadline: Deadline, buffer: usize) -> io::Result<Conn> {
        sock.set_nonblocking(true)?;
        Ok(Conn { sock, deadline, buffer, early: VecDeque::new(), early_bytes: 0, owed: 0, fin: false })
    }

    /// send() until the kernel has taken all of `data`; returns how many echo
    /// bytes it read meanwhile. An echo server sends back while we send: if
    /// nobody read that echo, the server would block in its send(), stop
    /// reading, and our send() would wait for ever. So while the kernel has no
    /// room for more, we read what came back (at most what is owed to us).
    pub fn sendall(&mut self, mut data: &[u8]) -> Result<usize, ConnError> {
        let mut read_ahead = 0;
        while !data.is_empty() {
            // L7→L4: the kernel takes what fits in the send buffer; TCP cuts it into segments.
            match self.sock.send(data) {
                Ok(n) => {
                    data = &data[n..];
                    self.owed += n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(ConnError::Io(e, "send()")),
                Err(_) => {
                    let want_echo = !self.fin && self.owed > 0;
                    let (readable, _) = self.wait(want_echo, true, || {
                        format!("send(): {} not taken by the kernel", kit::plural(data.len() as u64, "byte"))
                    })?;
                    if readable {
                        read_ahead += self.read_ahead()?;
                    }
                }
            }
        }
        Ok(read_ahead)
    }

    /// recv() into `buf`: echo read ahead by sendall() first, then the
    /// kernel's receive buffer, waiting at most until the deadline. 0 means FIN.
    pub fn recv_into(&mut self, buf: &mut [u8], missing: impl Fn() -> String) -> Result<usize, ConnError> {
        if let Some(chunk) = self.early.pop_front() {
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            self.early_bytes -= n;
            if n < chunk.len() {
                self.early.push_front(chunk[n..].to_vec());
            }
            return Ok(n);
        }
        if self.fin {
            return Ok(0);
        }
        loop {
            // L7←L4: copy what the kernel's receive buffer holds, up to buf.len() bytes.
            match self.sock.recv_into(buf) {
                Ok(n) => {
                    self.owed = self.owed.saturating_sub(n);
                    self.fin = n == 0;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(ConnError::Io(e, "recv()")),
                Err(_) => {
                    self.wait(true, false, &missing)?;
                }
            }
        }
    }

    /// Echo that sendall() read ahead, one recv() call's worth, without waiting:
    /// a big payload checks it between its chunks instead of keeping it.
    pub fn take_early(&mut self) -> Option<Vec<u8>> {
        let chunk = self.early.pop_front()?;
        self.early_bytes -= chunk.len();
        Some(chunk)
    }

    /// Waits up to `hold` for the server to close (FIN, `Ok(true)`); bytes it
    /// sends meanwhile are read and dropped. The deadline does not apply: a
    /// hold is a pause the user asked for, not a wait for the server.
    pub fn hold(&mut self, hold: Duration) -> Result<bool, ConnError> {
        let until = Instant::now() + hold;
        if self.fin {
            // The server's FIN was read already (--half-close): nothing more can come.
            std::thread::sleep(hold);
            return Ok(false);
        }
        let mut buf = vec![0u8; self.buffer];
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            let mut fds = [PollFd::new(self.sock.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout(left)) {
                Ok(0) | Err(nix::errno::Errno::EINTR) => continue,
                Ok(_) => {}
                Err(e) => return Err(ConnError::Io(e.into(), "poll()")),
            }
            match self.sock.recv_into(&mut buf) {
                Ok(0) => {
                    self.fin = true;
                    return Ok(true);
                }
                Ok(_) => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {}
                Err(e) => return Err(ConnError::Io(e, "recv()")),
            }
        }
    }

    /// One recv() of echo that sendall() found waiting, kept for recv_into().
    fn read_ahead(&mut self) -> Result<usize, ConnError> {
        let room = self.owed.min(self.buffer);
        let mut chunk = vec![0u8; room.max(1)];
        // L7←L4: read the echo now, so the server's send() never blocks on us.
        match self.sock.recv_into(&mut chunk) {
            Ok(0) => {
                self.fin = true;
                Ok(0)
            }
            Ok(n) => {
                chunk.truncate(n);
                self.early.push_back(chunk);
                self.early_bytes += n;
                self.owed = self.owed.saturating_sub(n);
                Ok(n)
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => Ok(0),
            Err(e) => Err(ConnError::Io(e, "recv()")),
        }
    }

    /// Fails once the deadline has passed, even if no call had to wait: an
    /// endless payload (/dev/zero) to a fast server would otherwise never stop.
    pub fn in_time(&self, missing: impl Fn() -> String) -> Result<(), ConnError> {
        match self.deadline.left() {
            Some(_) => Ok(()),
            None => Err(self.expired(&missing)),
        }
    }

    /// The deadline passed: arm SO_LINGER 0, so that dropping the socket sends RST.
    fn expired(&self, missing: &dyn Fn() -> String) -> ConnError {
        // L4: give up with RST: the server's recv()/send() on this connection fails at once.
        let _ = self.sock.set_linger(Some(Duration::ZERO));
        ConnError::Expired(format!(
            "{} within {}; connection closed with RST",
            missing(),
            self.deadline.total()
        ))
    }

    /// poll() for readability and/or writability until the deadline; on
    /// expiry, arm SO_LINGER 0 so that dropping the socket sends RST.
    fn wait(&self, read: bool, write: bool, missing: impl Fn() -> String) -> Result<(bool, bool), ConnError> {
        let mut events = PollFlags::empty();
        events.set(PollFlags::POLLIN, read);
        events.set(PollFlags::POLLOUT, write);
        loop {
            let Some(left) = self.deadline.left() else {
                return Err(self.expired(&missing));
            };
            let mut fds = [PollFd::new(self.sock.as_fd(), events)];
            match poll(&mut fds, timeout(left)) {
                Ok(0) | Err(nix::errno::Errno::EINTR) => continue,
                Ok(_) => {}
                Err(e) => return Err(ConnError::Io(e.into(), "poll()")),
            }
            let got = fds[0].revents().unwrap_or(PollFlags::empty());
            // An error or hang-up shows as readable: the next call reports it.
            let broken = got.intersects(PollFlags::POLLERR | PollFlags::POLLHUP);
            return Ok((
                got.contains(PollFlags::POLLIN) || broken,
                got.contains(PollFlags::POLLOUT) || broken,
            ));
        }
    }
}

/// What can go wrong on the connection: the deadline, or the socket's own error.
#[derive(Debug)]
pub enum ConnError {
    /// The deadline passed; what was still missing.
    Expired(String),
    Io(io::Error, &'static str),
}

impl From<ConnError> for anyhow::Error {
    fn from(e: ConnError) -> anyhow::Error {
        match e {
            ConnError::Expired(what) => anyhow::Error::new(kit::hinted(
                what,
                "is the server busy with another client, or slow? raise --timeout",
            )),
            ConnError::Io(e, call) => anyhow::Error::new(e).context(call),
        }
    }
}

/// A poll() timeout of at least `left`, rounded up to whole milliseconds so a
/// wait of 0.4 ms does not turn into a busy loop of zero-length polls.
fn timeout(left: Duration) -> PollTimeout {
    let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
    PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
}
