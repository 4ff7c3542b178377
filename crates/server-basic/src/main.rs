//! server-basic — the article's §2.1 echo server: bind, listen, accept ONE
//! client, send back every byte it sends until it closes, then exit.
//! Each Berkeley call is one line below, with the layer and TCP state it touches.

use anyhow::Context;
use clap::Parser;
use kit::{family, local_addr, peer_name, Layer, Narrator, ServerArgs, SocketExt};
use socket2::{Domain, Protocol, Socket, Type};

/// Echo server for one client (article §2.1).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> std::process::ExitCode {
    kit::run("server-basic", || serve(Args::parse().server))
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

    // L4: take one ESTABLISHED connection off the accept queue (blocks until
    // there is one). The handshake is already over: accept() sends nothing.
    let (conn, peer) = server.accept().context("accept()")?;
    let peer = peer_name(&peer);
    say.say(Layer::L4, format!("accept() → connected by {peer}, ESTABLISHED"));

    let mut buf = vec![0u8; args.buffer_len()];
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
            say.say(Layer::L4, "recv() → 0 bytes: the client sent FIN → CLOSE_WAIT");
            break;
        }
        say.payload("recv", &buf[..n]);

        // L7→L4: hand the same bytes back; TCP cuts them into segments.
        if let Err(e) = conn.sendall(&buf[..n]) {
            say.warn(Layer::L4, format!("send() failed: {e} (the client is gone?)"));
            break;
        }
        say.payload("send", &buf[..n]);
    }

    // L4: release the connection: FIN to the client, CLOSE_WAIT → LAST_ACK.
    drop(conn);
    say.say(Layer::L4, "close() → FIN sent, LAST_ACK");

    // L4: release the listening socket: LISTEN → CLOSED; new SYNs now get RST.
    drop(server);
    say.say(Layer::L4, "close(listening socket) → CLOSED; one client served, exiting");
    Ok(())
}
