//! server-threads — the article's §3.2: the accept loop hands each connection
//! to a thread of its own, so a slow client no longer makes the others wait.
//! The cost: one thread (a stack, a kernel task) per connected client.
//! Each Berkeley call is one line below, with the layer and TCP state it touches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use kit::{family, local_addr, peer_name, Layer, Narrator, ServerArgs, SocketExt};
use socket2::{Domain, Protocol, Socket, Type};

/// Echo server with one thread per connection (article §3.2).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> std::process::ExitCode {
    kit::run("server-threads", || serve(Args::parse().server))
}

fn serve(args: ServerArgs) -> anyhow::Result<()> {
    let say = Narrator::new(&args.output);
    let addr = args.bind_addr()?;

    // L3+L4: AF_INET(6) picks IP, SOCK_STREAM picks TCP; the new socket is CLOSED.
    let server =
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).context("socket()")?;
    say.say(Layer::L4, format!("socket({}, SOCK_STREAM) → CLOSED", family(addr)));

    // L4: let bind() take the port even while old connections on it sit in TIME_WAIT.
    server.set_reuse_address(true).context("setsockopt(SO_REUSEADDR)")?;
    say.say(Layer::L4, "setsockopt(SO_REUSEADDR, 1)");

    // L3+L4: claim the IP address and the port; nothing is sent yet.
    server.bind(&addr.into()).with_context(|| format!("bind {addr}"))?;
    let bound = local_addr(&server)?;
    say.say(Layer::L3, format!("bind({bound})"));

    // L4: CLOSED → LISTEN. From here the kernel answers SYNs by itself and
    // queues each finished handshake for accept(), up to `backlog` of them.
    server.listen(args.backlog).context("listen()")?;
    say.say(Layer::L4, format!("listen(backlog={}) → LISTEN", args.backlog));
    say.ready(bound);

    let active = Arc::new(AtomicUsize::new(0));
    for id in 1.. {
        // L4: take the next ESTABLISHED connection off the accept queue.
        let (conn, peer) = match server.accept() {
            Ok(pair) => pair,
            Err(e) => {
                // EMFILE and friends: the connection stays queued; wait a
                // moment instead of spinning, then try again.
                say.warn(Layer::L4, format!("accept() failed: {e}; retrying in 100 ms"));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let peer = peer_name(&peer);
        say.say(Layer::L4, format!("accept() → connected by {peer}, ESTABLISHED"));
        let now = active.fetch_add(1, Ordering::SeqCst) + 1;
        say.say(Layer::App, format!("thread {id} takes {peer}; {now} threads serving"));

        // The accept loop goes straight back to accept(); this thread owns the connection.
        let (count, buffer) = (Arc::clone(&active), args.buffer_len());
        let spawned = thread::Builder::new().name(format!("client-{id}")).spawn(move || {
            echo(&conn, &peer, buffer, say, id);
            // L4: release the connection: FIN to the client, CLOSE_WAIT → LAST_ACK.
            drop(conn);
            let left = count.fetch_sub(1, Ordering::SeqCst) - 1;
            say.say(Layer::L4, format!("thread {id}: close() → FIN sent, LAST_ACK; {left} threads left"));
        });
        if let Err(e) = spawned {
            // The closure (and the connection in it) is dropped: the client gets a FIN.
            active.fetch_sub(1, Ordering::SeqCst);
            say.warn(Layer::App, format!("cannot start a thread: {e}; connection closed"));
        }
    }
    Ok(())
}

/// The echo loop of §2.1, run by each connection's thread.
fn echo(conn: &Socket, peer: &str, buffer: usize, say: Narrator, id: usize) {
    let mut buf = vec![0u8; buffer];
    loop {
        // L7←L4: copy up to --buffer bytes out of the kernel's receive buffer.
        let n = match conn.recv_into(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                say.warn(
                    Layer::L4,
                    format!("thread {id}: recv() failed: {e} (the client reset the connection?)"),
                );
                return;
            }
        };
        if n == 0 {
            say.say(Layer::L4, format!("thread {id}: recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"));
            return;
        }
        say.payload(format_args!("thread {id}: recv"), &buf[..n]);

        // L7→L4: hand the same bytes back; TCP cuts them into segments.
        if let Err(e) = conn.sendall(&buf[..n]) {
            say.warn(Layer::L4, format!("thread {id}: send() failed: {e} (the client is gone?)"));
            return;
        }
        say.payload(format_args!("thread {id}: send"), &buf[..n]);
    }
}
