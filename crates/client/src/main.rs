//! client — the article's §2.2 echo client: socket, connect, sendall, recv
//! until the whole echo is back, close; `talk` reads in that order, one
//! Berkeley call per line with the layer and TCP state it touches. The flags
//! add the lessons' variants beside it: several messages or clients, holding
//! the connection, half-close, RST, a file, Nagle's write–write–read.

mod conn;
mod payload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use conn::{Conn, Deadline};
use kit::{escape, family, local_addr, plural, tcp_state, Layer, Narrator, OutputArgs};
use payload::{Check, Payload};
use socket2::{Domain, Socket, Type};

/// Echo client (article §2.2): sends a message, reads the echo, checks it.
#[derive(Parser, Debug)]
#[command(version, about, after_help = FLAGS_NOTE)]
struct Args {
    /// Server address: an IPv4 or IPv6 address (`::1` or `[::1]`), or a host name.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// Server port (the article's 65432).
    #[arg(long, default_value_t = 65432)]
    port: u16,

    /// The message to send (the article sends "Hello").
    #[arg(long, default_value = "Hello", conflicts_with_all = ["stdin", "file"])]
    message: String,

    /// Send the payload read from stdin instead (any bytes).
    #[arg(long, conflicts_with = "file")]
    stdin: bool,

    /// Send the contents of this file instead (any bytes, any size).
    #[arg(long)]
    file: Option<PathBuf>,

    /// Send the payload this many times on the same connection, reading each echo.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,

    /// Run this many clients at once, one thread and one connection each.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    clients: u32,

    /// Seconds to keep the connection open after the echo, before closing; a FIN from the server ends it.
    #[arg(long, default_value = "0", value_parser = kit::duration::seconds)]
    hold: Duration,

    /// After sending, shutdown(SHUT_WR) (FIN) and read the echo until the server closes.
    #[arg(long)]
    half_close: bool,

    /// Close with SO_LINGER 0: the kernel sends RST instead of FIN.
    #[arg(long, conflicts_with = "half_close")]
    reset: bool,

    /// Send each message as two send() calls, the first N bytes and then the rest (write–write–read).
    #[arg(long, value_name = "N")]
    split: Option<usize>,

    /// Set TCP_NODELAY: Nagle's algorithm off, small segments leave at once.
    #[arg(long)]
    nodelay: bool,

    /// Deadline in seconds for the whole run: connect, every send and every recv (not --hold).
    #[arg(long, default_value = "5", value_parser = kit::duration::positive_seconds)]
    timeout: Duration,

    /// Bytes asked of each recv() call, as in the article's `s.recv(1024)`.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    buffer: u32,

    #[command(flatten)]
    output: OutputArgs,
}

const FLAGS_NOTE: &str = "\
Nagle and delayed ACK: `--split 3` sends \"Hel\" and \"lo\" as two send() calls. With Nagle on
(the default) the kernel holds \"lo\" until \"Hel\" is acknowledged; `--nodelay` sends it at once.
A peer that answers only complete messages delays that ACK (~40 ms on Linux); an echo server
answers each piece, and its answer carries the ACK, so against the kit's servers no stall shows.";

/// How many recv() calls of one echo are told; a 1 MiB echo would print a thousand lines.
const SHOWN: u32 = 8;

fn main() -> std::process::ExitCode {
    kit::run("client", || {
        let args = kit::parse_args::<Args>();
        let payload =
            payload::load(&args.message, args.stdin, args.file.as_deref(), (args.repeat, args.clients))?;
        payload.check_split(args.split)?;
        let addr = kit::resolve(&args.host, args.port)?;
        let say = Narrator::new(&args.output);
        // One deadline for the whole run, shared by every client.
        let deadline = Deadline::after(args.timeout);
        if args.clients == 1 {
            return talk(&args, addr, &payload, deadline, say, "");
        }
        // One thread per client, all at once; each narrates with its own prefix.
        let failed = thread::scope(|s| {
            let handles: Vec<_> = (1..=args.clients)
                .map(|i| {
                    let (args, payload) = (&args, &payload);
                    s.spawn(move || talk(args, addr, payload, deadline, say, &format!("#{i} ")))
                })
                .collect();
            let mut failed = 0;
            for (i, h) in handles.into_iter().enumerate() {
                if let Ok(Err(e)) | Err(e) = h.join().map_err(|_| anyhow::anyhow!("the thread panicked")) {
                    failed += 1;
                    eprintln!("{}", kit::error_line(&format!("client #{}", i + 1), &e));
                }
            }
            failed
        });
        if failed > 0 {
            bail!("{failed} of {} failed", plural(args.clients, "client"));
        }
        Ok(())
    })
}

/// One client's whole life, the article's §2.2 from top to bottom: socket,
/// connect, sendall, recv until the echo is complete, close. The variants
/// (`--nodelay`, `--split`, `--half-close`, `--repeat`, `--hold`, `--reset`)
/// sit where they act, each in an `if` of its own.
fn talk(
    args: &Args,
    addr: SocketAddr,
    payload: &Payload,
    deadline: Deadline,
    say: Narrator,
    me: &str,
) -> anyhow::Result<()> {
    // L3+L4: AF_INET(6) picks IP, SOCK_STREAM picks TCP (protocol 0); the new socket is CLOSED.
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, None).context("socket()")?;
    say.say(Layer::L3L4, format!("{me}socket({}, SOCK_STREAM) → CLOSED", family(addr)));

    if args.nodelay {
        // L4: Nagle off: a small segment leaves even while an earlier one is unacknowledged.
        sock.set_tcp_nodelay(true).context("setsockopt(TCP_NODELAY)")?;
        say.say(Layer::L4, format!("{me}setsockopt(TCP_NODELAY, 1): Nagle's algorithm off"));
    }

    // L4: CLOSED → SYN_SENT → ESTABLISHED: SYN out, SYN+ACK in, ACK out; the kernel picks our port.
    let started = Instant::now();
    let left = deadline.left().context("no time left for connect(); raise --timeout")?;
    sock.connect_timeout(&addr.into(), left).with_context(|| format!("connect to {addr}"))?;
    let from = local_addr(&sock)?;
    let took = millis(started.elapsed());
    say.say(Layer::L4, format!("{me}connect({addr}) from {from} → SYN_SENT → ESTABLISHED in {took}"));
    let mut conn = Conn::new(sock, deadline, args.buffer as usize).context("fcntl(O_NONBLOCK)")?;

    let mut buf = vec![0u8; args.buffer as usize];
    for round in 1..=args.repeat {
        let me = if args.repeat > 1 { format!("{me}[{round}/{}] ", args.repeat) } else { me.to_string() };
        let started = Instant::now();
        // The echo is compared with what was sent as it comes, not kept.
        let mut check = payload.checker()?;
        let mut echo = Echo::default();

        // L7→L4: sendall: copy the message into the kernel's send buffer; TCP cuts it into segments.
        // One send() for the message, two with --split; a message over 1 MiB in pieces of 64 KiB.
        let (mut sent, mut sends) = (0u64, 0u32);
        let mut pieces = payload.pieces(args.split)?;
        while let Some(part) = pieces.next()? {
            conn.in_time(|| {
                format!("send(): the payload was not all sent ({} so far)", plural(sent, "byte"))
            })?;
            sends += 1;
            if sends <= SHOWN {
                say.payload(format_args!("{me}send"), part);
            } else if sends == SHOWN + 1 {
                say.say(Layer::L7, format!("{me}send … (more send() calls, not shown)"));
            }
            let read_ahead = conn.sendall(part)?;
            check.sent(part);
            sent += part.len() as u64;
            if read_ahead > 0 && sends <= SHOWN {
                say.say(
                    Layer::L7,
                    format!(
                        "{me}(meanwhile {} of echo read, so the server never waits on us)",
                        bytes(read_ahead)
                    ),
                );
            }
            if payload.bytes().is_none() {
                // A big payload: the echo read meanwhile is checked now, not kept.
                echo.catch_up(&mut conn, &mut check, sent, &mut buf, (&say, &me))?;
            }
        }

        if args.half_close {
            // L4: FIN now, while we go on reading: ESTABLISHED → FIN_WAIT_1.
            conn.sock.shutdown(std::net::Shutdown::Write).context("shutdown(SHUT_WR)")?;
            say.say(Layer::L4, format!("{me}shutdown(SHUT_WR) → FIN sent, FIN_WAIT_1; still reading"));
        }

        // L7←L4: recv until the echo is whole: TCP is a byte stream, one recv() may bring part of it.
        while echo.back < sent {
            let want = (sent - echo.back).min(buf.len() as u64) as usize;
            let n = conn.recv_into(&mut buf[..want], || echo.missing(sent))?;
            if n == 0 {
                say.say(
                    Layer::L4,
                    format!("{me}recv() → 0 bytes: the server closed (FIN) before echoing everything"),
                );
                break;
            }
            echo.got(&buf[..n], &mut check, &say, &me)?;
        }
        let took = millis(started.elapsed());
        say.say(Layer::App, format!("{me}echo of {} back in {took}", plural(echo.back, "byte")));
        if echo.back < sent {
            bail!("the echo has {}, {sent} were sent", plural(echo.back, "byte"));
        }
        // The article prints what came back: `print(f"Received {data!r}")`.
        say.print(format_args!("{me}Received {}", echo.preview()));

        if args.half_close {
            // L4: our FIN is out; recv() returns 0 once the server's FIN arrives too.
            let missing = || "recv(): no FIN from the server after the echo".to_string();
            let n = conn.recv_into(&mut buf, missing)?;
            if n > 0 {
                bail!("the server sent {} more than the echo", bytes(n));
            }
            say.say(
                Layer::L4,
                format!("{me}recv() → 0 bytes: the server closed too (FIN) → TIME_WAIT after our ACK"),
            );
            break; // the write side is shut: one round is all there can be
        }
    }

    if !args.hold.is_zero() {
        let secs = args.hold.as_secs_f64();
        say.say(Layer::App, format!("{me}holding the connection open for {secs} s"));
        if conn.hold(args.hold)? {
            // L4: the server closed first: its FIN arrived, we are in CLOSE_WAIT (our ACK may ride on our FIN).
            say.say(Layer::L4, format!("{me}recv() → 0 bytes: the server closed first (FIN) → CLOSE_WAIT"));
        }
    }

    if args.reset {
        // L4: SO_LINGER on with 0 s: close() throws the connection away with RST, no TIME_WAIT.
        conn.sock.set_linger(Some(Duration::ZERO)).context("setsockopt(SO_LINGER, 0)")?;
        say.say(Layer::L4, format!("{me}setsockopt(SO_LINGER, on, 0 s)"));
    }

    // L4: TCP_INFO's state says what close() sends: FIN (→ FIN_WAIT_1 or LAST_ACK), RST, or nothing.
    // After both FINs this socket is CLOSED: the kernel keeps the connection's TIME_WAIT apart.
    let why = args.half_close.then_some("both FINs are done; the kernel keeps the TIME_WAIT apart");
    let effect = kit::close_effect(tcp_state(&conn.sock), args.reset, why);
    drop(conn);
    say.say(Layer::L4, format!("{me}close() → {effect}"));
    Ok(())
}

/// The echo as it comes back: how much, the recv() calls told, its first bytes.
#[derive(Default)]
struct Echo {
    back: u64,
    calls: u32,
    /// The first bytes, for the `Received …` line (a character cut at the end is whole here).
    head: Vec<u8>,
}

impl Echo {
    /// One recv() call's bytes: checked, counted, told (the first few calls).
    fn got(&mut self, data: &[u8], check: &mut Check, say: &Narrator, me: &str) -> anyhow::Result<()> {
        check.echo(self.back, data)?;
        self.back += data.len() as u64;
        let room = (kit::DEFAULT_PREVIEW + 3).saturating_sub(self.head.len());
        self.head.extend_from_slice(&data[..room.min(data.len())]);
        self.calls += 1;
        if self.calls <= SHOWN {
            say.payload(format_args!("{me}recv"), data);
        } else if self.calls == SHOWN + 1 {
            say.say(Layer::L7, format!("{me}recv … (more recv() calls, not shown)"));
        }
        Ok(())
    }

    /// Checks the echo read ahead while sending; a payload read only once keeps
    /// at most [`payload::WINDOW`] bytes sent and not back: past that, it reads the echo first.
    fn catch_up(
        &mut self,
        conn: &mut Conn,
        check: &mut Check,
        sent: u64,
        buf: &mut [u8],
        (say, me): (&Narrator, &str),
    ) -> anyhow::Result<()> {
        while let Some(e) = conn.take_early() {
            self.got(&e, check, say, me)?;
        }
        while sent - self.back > payload::WINDOW as u64 && matches!(check, Check::Kept(_)) {
            let n = conn.recv_into(buf, || self.missing(sent))?;
            if n == 0 {
                break;
            }
            self.got(&buf[..n], check, say, me)?;
        }
        Ok(())
    }

    fn missing(&self, sent: u64) -> String {
        format!("recv(): no whole echo ({} of {} back)", self.back, plural(sent, "byte"))
    }

    /// kit's preview of the whole echo, from the first bytes kept: its count of
    /// the bytes left out (`…(+N bytes)`) counts those not kept too.
    fn preview(&self) -> String {
        let shown = escape(&self.head, kit::DEFAULT_PREVIEW);
        let more = self.back - self.head.len() as u64;
        let counted = shown
            .rsplit_once("…(+")
            .and_then(|(text, n)| Some((text, n.strip_suffix(" bytes)")?.parse::<u64>().ok()?)));
        match counted {
            _ if more == 0 => shown,
            Some((text, n)) => format!("{text}…(+{} bytes)", n + more),
            None => format!("{shown}…(+{more} bytes)"),
        }
    }
}

fn bytes(n: usize) -> String {
    plural(n as u64, "byte")
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
