//! server-select — the article's §3.3, which it announces but never writes:
//! ONE thread serves every client. All sockets are non-blocking; select(2)
//! says which ones are ready, so no call ever waits on one slow client.
//! Each client has a bounded outgoing buffer: while it is full (the client
//! sends but does not read), we stop reading from that client, and the
//! others go on. select() has a wall: it cannot watch an fd ≥ FD_SETSIZE,
//! so idle clients can hold every slot (slowloris); `--idle-timeout` frees them.
//! Each Berkeley call is one line below, with the layer and TCP state it touches.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use kit::{family, local_addr, peer_name, plural, Backoff, Layer, Narrator, ServerArgs, SocketExt};
use nix::sys::select::{select, FdSet};
use nix::sys::time::{TimeVal, TimeValLike};
use socket2::{Domain, Socket, Type};

/// Echo server: one thread, non-blocking sockets, select(2) (article §3.3).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,

    /// Close a client after this many seconds without a byte in or out (e.g. 30, 0.5, 250ms).
    #[arg(long, value_name = "SECS", value_parser = kit::duration::positive_seconds)]
    idle_timeout: Option<Duration>,

    /// Serve this many clients, then exit (default: serve for ever).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    connections: Option<u64>,
}

/// Echo bytes waiting for a client to read them, at most; then we stop reading it.
const OUT_LIMIT: usize = 256 * 1024;
/// How many recv/send lines each client gets before narration goes quiet for it
/// (a 1 MiB echo would otherwise print a thousand lines); its close line sums it up.
const NARRATE: u32 = 6;

/// One connected client.
struct Client {
    sock: Socket,
    peer: String,
    /// Echo bytes not yet accepted by send().
    out: Vec<u8>,
    /// The client sent FIN, or the connection broke: read no more; close once `out` is flushed.
    read_closed: bool,
    /// Why recv() or send() failed, if one did: the close line says it.
    gone: Option<String>,
    echoed: u64,
    said: u32,
    /// When a byte last came in or went out: the idle timeout counts from here.
    active: Instant,
}

fn main() -> std::process::ExitCode {
    kit::run("server-select", || {
        let args = kit::parse_args::<Args>();
        serve(args.server, args.idle_timeout, args.connections)
    })
}

fn serve(args: ServerArgs, idle_timeout: Option<Duration>, connections: Option<u64>) -> anyhow::Result<()> {
    let say = Narrator::new(&args.output);
    let addr = args.bind_addr()?;

    // L3+L4: AF_INET(6) picks IP, SOCK_STREAM picks TCP (protocol 0); the new socket is CLOSED.
    let server = Socket::new(Domain::for_address(addr), Type::STREAM, None).context("socket()")?;
    say.say(Layer::L3L4, format!("socket({}, SOCK_STREAM) → CLOSED", family(addr)));

    // L4: bind() may reuse a port whose old connections sit in TIME_WAIT (Linux: if they set it too).
    server.set_reuse_address(true).context("setsockopt(SO_REUSEADDR)")?;
    say.say(Layer::L4, "setsockopt(SO_REUSEADDR, 1)");

    // L3+L4: claim the IP address and the TCP port; nothing is sent yet, the socket stays CLOSED.
    server.bind(&addr.into()).with_context(|| format!("bind {addr}"))?;
    let bound = local_addr(&server)?;
    say.say(Layer::L3L4, format!("bind({bound})"));

    // L4: CLOSED → LISTEN; the kernel now answers SYNs itself and queues up to backlog + 1 handshakes.
    server.listen(args.backlog).context("listen()")?;
    say.say(Layer::L4, format!("listen(backlog={}) → LISTEN", args.backlog));

    // No call on this socket will block: accept() with an empty queue fails with EWOULDBLOCK.
    server.set_nonblocking(true).context("fcntl(O_NONBLOCK)")?;
    say.say(Layer::App, "fcntl(O_NONBLOCK) on the listening socket; select() decides who is served");
    say.ready(bound);

    let mut clients: BTreeMap<i32, Client> = BTreeMap::new();
    let mut buf = vec![0u8; args.buffer_len()];
    let mut backoff = Backoff::default();
    let last = connections.unwrap_or(u64::MAX);
    let mut accepted = 0u64;
    while accepted < last || !clients.is_empty() {
        // After accept() failed, the listener rests a while: it is left out of the wait until then.
        let resting = backoff.resting();

        // Build the sets: who we want to hear from, who we have echo for.
        let mut readers = FdSet::new();
        let mut writers = FdSet::new();
        // After the last client of --connections, the listener is no longer watched.
        let listening = resting.is_none() && accepted < last;
        if listening {
            readers.insert(server.as_fd());
        }
        for c in clients.values() {
            if !c.read_closed && c.out.len() < OUT_LIMIT {
                readers.insert(c.sock.as_fd());
            }
            if !c.out.is_empty() {
                writers.insert(c.sock.as_fd());
            }
        }
        // Wait as long as it takes; while the listener rests, only until the rest is over;
        // with --idle-timeout, only until the next client would fall idle.
        let idle_left = idle_timeout.and_then(|limit| {
            let oldest = clients.values().map(|c| c.active).min()?;
            Some((oldest + limit).saturating_duration_since(Instant::now()))
        });
        let wake = [resting, idle_left].into_iter().flatten().min();
        let mut timeout = TimeVal::microseconds(wake.unwrap_or_default().as_micros() as i64);
        let wait = if wake.is_some() { Some(&mut timeout) } else { None };

        // The one place this thread waits: until some socket is ready.
        match select(None, Some(&mut readers), Some(&mut writers), None, wait) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e).context("select()"),
        }
        let listener_ready = listening && readers.contains(server.as_fd());
        let ready_r: Vec<i32> =
            clients.keys().copied().filter(|fd| is_set(&readers, &clients, *fd)).collect();
        let ready_w: Vec<i32> =
            clients.keys().copied().filter(|fd| is_set(&writers, &clients, *fd)).collect();

        if listener_ready {
            accepted += accept_all(&server, &mut clients, &mut backoff, last - accepted, say);
        }
        for &fd in &ready_r {
            if let Some(c) = clients.get_mut(&fd) {
                read_from(c, &mut buf, say);
            }
        }
        for &fd in &ready_w {
            if let Some(c) = clients.get_mut(&fd) {
                write_to(c, say);
            }
        }
        // Close those that are done: FIN received and echo flushed, or broken
        // (only a client just served can have become done).
        for fd in ready_r.into_iter().chain(ready_w) {
            let Some(c) = clients.get(&fd) else { continue };
            if c.read_closed && c.out.is_empty() {
                if let Some(c) = clients.remove(&fd) {
                    close(c, clients.len(), say);
                }
            }
        }
        // Slowloris: a client that neither sends nor reads holds its slot for ever, unless timed out.
        if let Some(limit) = idle_timeout {
            let idle: Vec<i32> =
                clients.iter().filter(|(_, c)| c.active.elapsed() >= limit).map(|(fd, _)| *fd).collect();
            for fd in idle {
                let Some(c) = clients.remove(&fd) else { continue };
                let dropped = if c.out.is_empty() {
                    String::new()
                } else {
                    format!("; {} bytes of echo dropped", c.out.len())
                };
                say.say(
                    Layer::App,
                    format!("{} idle for {:?} (--idle-timeout): closing it{dropped}", c.peer, limit),
                );
                close(c, clients.len(), say);
            }
        }
    }

    // L4: close the listening socket: LISTEN → CLOSED; SYNs to this port now get RST.
    drop(server);
    say.say(
        Layer::L4,
        format!("close(listening socket) → CLOSED; {} served, exiting", plural(last, "client")),
    );
    Ok(())
}

/// close(), narrated from what the kernel holds for the socket just before it
/// (kit's one close vocabulary), so the line tells the path the connection took.
fn close(c: Client, left: usize, say: Narrator) {
    // L4: the TCP state and any unread bytes decide what close() sends (FIN, RST or nothing).
    let effect = kit::what_close_sends(&c.sock, c.gone.as_deref());
    drop(c.sock);
    say.say(
        Layer::L4,
        format!(
            "close() {} → {effect}; echoed {}; {} left",
            c.peer,
            plural(c.echoed, "byte"),
            plural(left as u64, "client")
        ),
    );
}

fn is_set(set: &FdSet, clients: &BTreeMap<i32, Client>, fd: i32) -> bool {
    clients.get(&fd).is_some_and(|c| set.contains(c.sock.as_fd()))
}

/// Accepts every connection waiting in the queue, `most` at most, until accept()
/// says it is empty (EWOULDBLOCK) or fails (EMFILE: no fd left): then `backoff`
/// rests the listener, longer each time, and tells the first failure of a run only.
/// Returns how many it accepted.
fn accept_all(
    server: &Socket,
    clients: &mut BTreeMap<i32, Client>,
    backoff: &mut Backoff,
    most: u64,
    say: Narrator,
) -> u64 {
    let mut accepted = 0;
    while accepted < most {
        // L4: take an ESTABLISHED connection off the accept queue, without waiting.
        let (sock, peer) = match server.accept() {
            Ok(pair) => pair,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return accepted,
            Err(e) => match backoff.failed(&e, say) {
                // Only that one connection failed: take the next.
                rest if rest.is_zero() => continue,
                // EMFILE and friends: the listener rests; the loop leaves it unwatched until then.
                _ => return accepted,
            },
        };
        accepted += 1;
        backoff.worked(say);
        let peer = peer_name(&peer);
        let fd = sock.as_raw_fd();
        // select() uses a fixed bitmap of FD_SETSIZE bits: a higher fd cannot be watched.
        if fd >= libc::FD_SETSIZE as i32 {
            say.warn(
                Layer::L4,
                format!(
                    "fd {fd} ≥ FD_SETSIZE ({}): select() cannot watch it; closing {peer} — the wall poll()/epoll() remove",
                    libc::FD_SETSIZE
                ),
            );
            drop(sock);
            continue;
        }
        if let Err(e) = sock.set_nonblocking(true) {
            say.warn(Layer::L4, format!("fcntl(O_NONBLOCK) for {peer} failed: {e}; closing it"));
            continue;
        }
        say.say(
            Layer::L4,
            format!(
                "accept() → connected by {peer}, ESTABLISHED (fd {fd}, {})",
                plural(clients.len() as u64 + 1, "client")
            ),
        );
        clients.insert(
            fd,
            Client {
                sock,
                peer,
                out: Vec::new(),
                read_closed: false,
                gone: None,
                echoed: 0,
                said: 0,
                active: Instant::now(),
            },
        );
    }
    accepted
}

/// The client is readable: recv() once (it will not block), queue the echo.
fn read_from(c: &mut Client, buf: &mut [u8], say: Narrator) {
    // Read at most what still fits in the outgoing buffer.
    let room = OUT_LIMIT.saturating_sub(c.out.len()).min(buf.len()).max(1);
    // L7←L4: copy what the kernel holds, up to `room` bytes.
    match c.sock.recv_into(&mut buf[..room]) {
        Ok(0) => {
            say.say(Layer::L4, format!("recv() → 0 bytes: {} sent FIN → CLOSE_WAIT", c.peer));
            if !c.out.is_empty() {
                say.say(
                    Layer::App,
                    format!("{} bytes of echo still to send to {} before close()", c.out.len(), c.peer),
                );
            }
            c.read_closed = true;
        }
        Ok(n) => {
            c.active = Instant::now();
            c.said += 1;
            if c.said <= NARRATE {
                say.payload(format_args!("recv from {}:", c.peer), &buf[..n]);
            } else if c.said == NARRATE + 1 {
                say.say(
                    Layer::App,
                    format!("more recv/send for {}: not shown; its close() line sums up", c.peer),
                );
            }
            c.out.extend_from_slice(&buf[..n]);
            // Try to send at once; what does not fit waits for writability.
            write_to(c, say);
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => broken(c, "recv()", &e, say),
    }
}

/// The client is writable: send() as much of its echo as the kernel takes.
fn write_to(c: &mut Client, say: Narrator) {
    while !c.out.is_empty() {
        // L7→L4: a partial write is normal here: the kernel takes what fits.
        match c.sock.send_with_flags(&c.out, libc::MSG_NOSIGNAL) {
            // Nothing taken from a non-empty buffer (never seen on TCP): wait for writability.
            Ok(0) => return,
            Ok(n) => {
                if c.said <= NARRATE {
                    say.payload(format_args!("send to {}:", c.peer), &c.out[..n]);
                }
                c.out.drain(..n);
                c.echoed += n as u64;
                c.active = Instant::now();
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // EPIPE/ECONNRESET: the client is gone (MSG_NOSIGNAL: an error, not a SIGPIPE).
            Err(e) => return broken(c, "send()", &e, say),
        }
    }
}

/// A client that reset or vanished: drop what we hold for it; it is closed next.
fn broken(c: &mut Client, call: &str, e: &io::Error, say: Narrator) {
    say.warn(Layer::L4, format!("{call} for {} failed: {e}; dropping it", c.peer));
    c.out.clear();
    c.read_closed = true;
    c.gone = Some(kit::ended_by(e));
}
