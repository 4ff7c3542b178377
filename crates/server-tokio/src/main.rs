//! server-tokio — lesson 13: the same echo as an async program, the way a Rust
//! developer would write it in production. One task per connection, written as
//! if it blocked (read, then write); each `.await` hands the thread back to the
//! runtime, whose epoll wakes the task when its socket is ready. One thread here
//! (`current_thread`), like server-select and server-epoll, for a fair comparison.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use kit::{family, plural, Backoff, Layer, Narrator, ServerArgs};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Echo server: async tasks on tokio, one thread (lesson 13).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

/// How many recv/send lines each client gets before narration goes quiet for it
/// (a 1 MiB echo would otherwise print a thousand lines); its close line sums it up.
const NARRATE: u32 = 6;

fn main() -> std::process::ExitCode {
    kit::run("server-tokio", || {
        let args = kit::parse_args::<Args>().server;
        // The runtime: an event loop around epoll, plus a queue of tasks ready to run.
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().context("tokio runtime")?;
        runtime.block_on(serve(args))
    })
}

async fn serve(args: ServerArgs) -> anyhow::Result<()> {
    let say = Narrator::new(&args.output);
    let addr = args.bind_addr()?;

    // L3+L4: AF_INET(6) picks IP, SOCK_STREAM picks TCP; tokio makes it non-blocking; CLOSED.
    let server =
        if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.context("socket()")?;
    say.say(Layer::L3L4, format!("socket({}, SOCK_STREAM) → CLOSED", family(addr)));

    // L4: bind() may reuse a port whose old connections sit in TIME_WAIT (Linux: if they set it too).
    server.set_reuseaddr(true).context("setsockopt(SO_REUSEADDR)")?;
    say.say(Layer::L4, "setsockopt(SO_REUSEADDR, 1)");

    // L3+L4: claim the IP address and the port; nothing is sent yet.
    server.bind(addr).with_context(|| format!("bind {addr}"))?;
    let bound = server.local_addr().context("getsockname()")?;
    say.say(Layer::L3L4, format!("bind({bound})"));

    // L4: CLOSED → LISTEN; the runtime also adds the socket to its epoll interest list.
    let backlog = u32::try_from(args.backlog).unwrap_or(128);
    let listener = server.listen(backlog).context("listen()")?;
    say.say(Layer::L4, format!("listen(backlog={backlog}) → LISTEN"));
    say.say(Layer::App, "the runtime watches the listener with epoll; each client gets a task");
    say.ready(bound);

    let clients = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, peer) = accept(&listener, say).await;
        let peer = peer.to_string();
        let n = clients.fetch_add(1, Ordering::Relaxed) + 1;
        let fd = stream.as_raw_fd();
        say.say(
            Layer::L4,
            format!("accept() → connected by {peer}, ESTABLISHED (fd {fd}, {})", plural(n as u64, "client")),
        );
        // A task, not a thread: a few hundred bytes of state, run by this same thread when woken.
        tokio::spawn(echo(stream, peer, args.buffer_len(), Arc::clone(&clients), say));
    }
}

/// accept(), until it returns a connection. A failure of that one connection
/// is retried at once; any other (EMFILE: no fd left) rests first, longer each
/// time, so a server out of fds waits instead of spinning (kit's `Backoff`).
/// The rest is a timer: the other tasks run meanwhile.
async fn accept(listener: &TcpListener, say: Narrator) -> (TcpStream, SocketAddr) {
    let mut backoff = Backoff::default();
    loop {
        // L4: take an ESTABLISHED connection off the accept queue; the task sleeps until there is one.
        match listener.accept().await {
            Ok(pair) => {
                backoff.worked(say);
                return pair;
            }
            Err(e) => tokio::time::sleep(backoff.failed(&e, say)).await,
        }
    }
}

/// One client, start to end: read, write it all back, until FIN or an error.
async fn echo(mut stream: TcpStream, peer: String, buffer: usize, clients: Arc<AtomicUsize>, say: Narrator) {
    let mut buf = vec![0u8; buffer];
    let mut echoed: u64 = 0;
    let mut said: u32 = 0;
    let mut gone = None;
    loop {
        // L7←L4: wait (the task, not the thread) for bytes or a FIN, then copy them out.
        let n = match stream.read(&mut buf).await {
            Ok(0) => {
                say.say(Layer::L4, format!("recv() → 0 bytes: {peer} sent FIN → CLOSE_WAIT"));
                break;
            }
            Ok(n) => n,
            Err(e) => {
                say.warn(Layer::L4, format!("recv() for {peer} failed: {e}; dropping it"));
                gone = Some(kit::ended_by(&e));
                break;
            }
        };
        said += 1;
        if said <= NARRATE {
            say.payload(format_args!("recv from {peer}:"), &buf[..n]);
        } else if said == NARRATE + 1 {
            say.say(Layer::App, format!("more recv/send for {peer}: not shown; its close() line sums up"));
        }
        // L7→L4: send it all back; while the client's window is shut, this task waits, the others run.
        if let Err(e) = stream.write_all(&buf[..n]).await {
            say.warn(Layer::L4, format!("send() for {peer} failed: {e}; dropping it"));
            gone = Some(kit::ended_by(&e));
            break;
        }
        if said <= NARRATE {
            say.payload(format_args!("send to {peer}:"), &buf[..n]);
        }
        echoed += n as u64;
    }
    let left = clients.fetch_sub(1, Ordering::Relaxed) - 1;
    // L4: the TCP state and any unread bytes decide what close() sends (FIN, RST or nothing).
    let effect = kit::what_close_sends(&stream, gone.as_deref());
    // The runtime takes the fd off its epoll interest list, then closes it.
    drop(stream);
    say.say(
        Layer::L4,
        format!(
            "close() {peer} → {effect}; echoed {}; {} left",
            plural(echoed, "byte"),
            plural(left as u64, "client")
        ),
    );
}
