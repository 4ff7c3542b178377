//! server-threads — the article's §3.2: the accept loop of §3.1 hands each
//! connection to a thread of its own, so a slow client no longer makes the
//! others wait. The cost: one thread (a stack, a kernel task) per client.
//! Each Berkeley call is one line below, with the layer and TCP state it touches.

use std::thread;

use anyhow::Context;
use clap::Parser;
use kit::{family, local_addr, peer_name, plural, Backoff, Layer, Narrator, ServerArgs, SocketExt};
use socket2::{Domain, Socket, Type};

/// Echo server with one thread per connection (article §3.2).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,

    /// Serve this many clients, then exit (default: serve for ever).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    connections: Option<u64>,
}

fn main() -> std::process::ExitCode {
    kit::run("server-threads", || {
        let args = kit::parse_args::<Args>();
        serve(args.server, args.connections)
    })
}

fn serve(args: ServerArgs, connections: Option<u64>) -> anyhow::Result<()> {
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
    say.ready(bound);

    let last = connections.unwrap_or(u64::MAX);
    // The client threads still running: the server waits for them before it exits.
    let mut threads = Vec::new();
    for served in 1..=last {
        say.say(Layer::App, "waiting in accept() for the next client");
        let (conn, peer) = accept(&server, say);
        say.say(Layer::L4, format!("accept() → connected by {peer}, ESTABLISHED (client {served})"));
        // A thread of its own echoes this client; the loop goes straight back to accept().
        say.say(Layer::App, format!("client {served} gets a thread of its own"));
        let buffer = args.buffer_len();
        let thread = thread::Builder::new().name(format!("client-{served}"));
        match thread.spawn(move || echo(conn, &peer, buffer, say)) {
            Ok(t) => threads.push(t),
            // The closure, and the connection in it, is dropped: the connection is closed.
            Err(e) => {
                say.warn(Layer::App, format!("cannot start a thread for client {served}: {e}; closed it"))
            }
        }
        threads.retain(|t| !t.is_finished());
    }

    // L4: close the listening socket: LISTEN → CLOSED; SYNs to this port now get RST.
    drop(server);
    for t in threads {
        // A thread that panicked has already said why on stderr; its connection is closed.
        let _ = t.join();
    }
    say.say(
        Layer::L4,
        format!("close(listening socket) → CLOSED; {} served, exiting", plural(last, "client")),
    );
    Ok(())
}

/// accept(), until it returns a connection. A failure of that one connection
/// is retried at once; any other (EMFILE: no fd left) rests first, longer each
/// time, so a server out of fds waits instead of spinning (kit's `Backoff`).
fn accept(server: &Socket, say: Narrator) -> (Socket, String) {
    let mut backoff = Backoff::default();
    loop {
        // L4: take the oldest ESTABLISHED connection off the accept queue (waits for one); sends nothing.
        match server.accept() {
            Ok((conn, peer)) => {
                backoff.worked(say);
                return (conn, peer_name(&peer));
            }
            Err(e) => thread::sleep(backoff.failed(&e, say)),
        }
    }
}

/// The article's `with conn:` block: send back every byte until the client
/// closes, then close. Byte for byte the same in server-basic, server-loop and
/// server-threads; only who calls it changes.
fn echo(conn: Socket, peer: &str, buffer: usize, say: Narrator) {
    // The first recv/send calls are told; a 1 MiB echo would print two thousand lines.
    const SHOWN: u64 = 6;
    let mut buf = vec![0u8; buffer];
    let (mut calls, mut echoed, mut gone) = (0u64, 0u64, None);
    loop {
        // L7←L4: copy up to --buffer bytes out of the kernel's receive buffer (ESTABLISHED).
        let n = match conn.recv_into(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                say.warn(Layer::L4, format!("recv() from {peer} failed: {e}"));
                gone = Some(kit::ended_by(&e));
                break;
            }
        };
        if n == 0 {
            say.say(Layer::L4, format!("recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"));
            break;
        }
        calls += 1;
        if calls <= SHOWN {
            say.payload(format_args!("recv from {peer}:"), &buf[..n]);
        } else if calls == SHOWN + 1 {
            say.say(Layer::App, format!("more recv/send for {peer}: not shown; its close() line sums up"));
        }

        // L7→L4: hand the same bytes back; TCP cuts them into segments.
        if let Err(e) = conn.sendall(&buf[..n]) {
            say.warn(Layer::L4, format!("send() to {peer} failed: {e}"));
            gone = Some(kit::ended_by(&e));
            break;
        }
        if calls <= SHOWN {
            say.payload(format_args!("send to {peer}:"), &buf[..n]);
        }
        echoed += n as u64;
    }

    // L4: the TCP state and any unread bytes decide what close() sends (FIN, RST or nothing).
    let effect = kit::what_close_sends(&conn, gone.as_deref());
    drop(conn);
    say.say(Layer::L4, format!("close() {peer} → {effect}; echoed {}", plural(echoed, "byte")));
}
