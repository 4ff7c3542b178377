//! server-loop — the article's §3.1: the echo server of §2.1 in a loop, so it
//! serves clients one after another. While it serves one, the next client's
//! handshake still completes (the kernel does it, into the accept queue), but
//! its echo waits until the first client leaves.
//! Each Berkeley call is one line below, with the layer and TCP state it touches.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use kit::{family, local_addr, peer_name, Layer, Narrator, ServerArgs, SocketExt};
use socket2::{Domain, Protocol, Socket, Type};

/// Sequential echo server: one client at a time, forever (article §3.1).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> std::process::ExitCode {
    kit::run("server-loop", || serve(Args::parse().server))
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
    // queues each finished handshake for accept(), up to `backlog` of them —
    // also while this loop is busy with another client.
    server.listen(args.backlog).context("listen()")?;
    say.say(Layer::L4, format!("listen(backlog={}) → LISTEN", args.backlog));
    say.ready(bound);

    let mut buf = vec![0u8; args.buffer_len()];
    for served in 1.. {
        say.say(Layer::App, "waiting in accept() for the next client");
        // L4: take the oldest ESTABLISHED connection off the accept queue. Its
        // handshake may have finished long ago, while we served someone else.
        let (conn, peer) = match server.accept() {
            Ok(pair) => pair,
            Err(e) => {
                // EMFILE and friends: the connection stays queued; wait a
                // moment instead of spinning, then try again.
                say.warn(Layer::L4, format!("accept() failed: {e}; retrying in 100 ms"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let peer = peer_name(&peer);
        say.say(Layer::L4, format!("accept() → connected by {peer}, ESTABLISHED (client {served})"));

        let mut echoed = 0usize;
        loop {
            // L7←L4: copy up to --buffer bytes out of the kernel's receive buffer.
            let n = match conn.recv_into(&mut buf) {
                Ok(n) => n,
                Err(e) => {
                    say.warn(Layer::L4, format!("recv() failed: {e} (the client reset the connection?)"));
                    break;
                }
            };
            if n == 0 {
                say.say(Layer::L4, format!("recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"));
                break;
            }
            say.payload("recv", &buf[..n]);

            // L7→L4: hand the same bytes back; TCP cuts them into segments.
            if let Err(e) = conn.sendall(&buf[..n]) {
                say.warn(Layer::L4, format!("send() failed: {e} (the client is gone?)"));
                break;
            }
            say.payload("send", &buf[..n]);
            echoed += n;
        }

        // L4: release the connection: FIN to the client, CLOSE_WAIT → LAST_ACK.
        drop(conn);
        say.say(Layer::L4, format!("close() → FIN sent, LAST_ACK; echoed {echoed} bytes to {peer}"));
    }
    Ok(())
}
