//! client — the article's §2.2 echo client: connect, send, read the echo,
//! close. Each Berkeley call is one line below, with the layer and TCP state
//! it touches. The flags add what the lessons' demonstrations need: several
//! messages, several clients at once, holding the connection open, a payload
//! from stdin or a file, half-close, and closing with RST.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use kit::{escape, family, local_addr, Layer, Narrator, OutputArgs, SocketExt};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

/// Echo client (article §2.2): sends a message, reads the echo, checks it.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Server address: an IPv4 or IPv6 address, or a host name.
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

    /// Seconds to keep the connection open after the echo, before closing.
    #[arg(long, default_value_t = 0.0, value_parser = seconds)]
    hold: f64,

    /// After sending, shutdown(SHUT_WR) (FIN) and read the echo until the server closes.
    #[arg(long)]
    half_close: bool,

    /// Close with SO_LINGER 0: the kernel sends RST instead of FIN.
    #[arg(long, conflicts_with = "half_close")]
    reset: bool,

    /// Seconds to wait for connect() and for each recv().
    #[arg(long, default_value_t = 5.0, value_parser = seconds)]
    timeout: f64,

    /// Bytes asked of each recv() call, as in the article's `s.recv(1024)`.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    buffer: u32,

    #[command(flatten)]
    output: OutputArgs,
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds between 0 and 3600")),
    }
}

fn main() -> std::process::ExitCode {
    kit::run("client", || {
        let args = Args::parse();
        let payload = payload(&args)?;
        let addr = kit::resolve(&args.host, args.port)?;
        let say = Narrator::new(&args.output);
        if args.clients == 1 {
            return talk(&args, addr, &payload, say, "");
        }
        // One thread per client, all at once; each narrates with its own prefix.
        let failed = thread::scope(|s| {
            let handles: Vec<_> = (1..=args.clients)
                .map(|i| {
                    let (args, payload) = (&args, &payload);
                    s.spawn(move || talk(args, addr, payload, say, &format!("#{i} ")))
                })
                .collect();
            let mut failed = 0;
            for (i, h) in handles.into_iter().enumerate() {
                match h.join() {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        failed += 1;
                        eprintln!("{}", kit::error_line(&format!("client #{}", i + 1), &e));
                    }
                    Err(_) => failed += 1,
                }
            }
            failed
        });
        if failed > 0 {
            bail!("{failed} of {} clients failed", args.clients);
        }
        Ok(())
    })
}

/// The bytes to send: --message, stdin or --file.
fn payload(args: &Args) -> anyhow::Result<Vec<u8>> {
    let data = if args.stdin {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data).context("reading stdin")?;
        data
    } else if let Some(path) = &args.file {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
    } else {
        args.message.clone().into_bytes()
    };
    if data.is_empty() {
        bail!(kit::hinted(
            "the payload is empty",
            "an echo of nothing shows nothing; give --message, or bytes on stdin / in --file"
        ));
    }
    Ok(data)
}

/// One client's whole life: socket, connect, (send, recv)×repeat, close.
fn talk(args: &Args, addr: SocketAddr, payload: &[u8], say: Narrator, me: &str) -> anyhow::Result<()> {
    let timeout = Duration::from_secs_f64(args.timeout);

    // L3+L4: AF_INET(6) picks IP, SOCK_STREAM picks TCP; the new socket is CLOSED.
    let sock =
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).context("socket()")?;
    say.say(Layer::L4, format!("{me}socket({}, SOCK_STREAM) → CLOSED", family(addr)));

    // L4: SYN → SYN+ACK → ACK. connect() sends the SYN (SYN_SENT) and returns
    // once the kernel has ACKed the server's SYN+ACK (ESTABLISHED). The kernel
    // also picks our port: an ephemeral one, bound implicitly.
    let started = Instant::now();
    sock.connect_timeout(&SockAddr::from(addr), timeout).with_context(|| format!("connect to {addr}"))?;
    let me_addr = local_addr(&sock)?;
    say.say(
        Layer::L4,
        format!(
            "{me}connect({addr}) from {me_addr} → SYN_SENT → ESTABLISHED in {}",
            millis(started.elapsed())
        ),
    );
    sock.set_read_timeout(Some(timeout)).context("setsockopt(SO_RCVTIMEO)")?;

    for round in 1..=args.repeat {
        let round_name =
            if args.repeat > 1 { format!("{me}[{round}/{}] ", args.repeat) } else { me.to_string() };
        let started = Instant::now();
        let echo = exchange(&sock, args, payload, say, &round_name)?;
        say.say(
            Layer::App,
            format!("{round_name}echo of {} bytes back in {}", echo.len(), millis(started.elapsed())),
        );
        check_echo(payload, &echo)?;
        // The article prints what came back: `print(f"Received {data!r}")`.
        println!("{round_name}Received {}", escape(&echo, kit::DEFAULT_PREVIEW));
        if args.half_close {
            break; // the write side is shut: one round is all there can be
        }
    }

    if args.hold > 0.0 {
        say.say(Layer::App, format!("{me}holding the connection open for {} s", args.hold));
        thread::sleep(Duration::from_secs_f64(args.hold));
    }

    if args.reset {
        // L4: SO_LINGER on, 0 seconds: close() throws the connection away and
        // sends RST instead of FIN; no TIME_WAIT on either side.
        sock.set_linger(Some(Duration::ZERO)).context("setsockopt(SO_LINGER, 0)")?;
        say.say(Layer::L4, format!("{me}setsockopt(SO_LINGER, on, 0 s)"));
        drop(sock);
        say.say(Layer::L4, format!("{me}close() → RST sent → CLOSED"));
    } else if args.half_close {
        // The FIN went out already; the server's FIN arrived (recv gave 0).
        drop(sock);
        say.say(Layer::L4, format!("{me}close() → TIME_WAIT (we sent the first FIN)"));
    } else {
        // L4: FIN to the server: ESTABLISHED → FIN_WAIT_1; the one who closes
        // first ends in TIME_WAIT, for 2×MSL, inside the kernel.
        drop(sock);
        say.say(Layer::L4, format!("{me}close() → FIN sent, FIN_WAIT_1"));
    }
    Ok(())
}

/// Sends `payload` and reads back as many bytes (or, with --half-close, until
/// the server's FIN). A second thread sends while this one reads, so a payload
/// larger than both sockets' buffers cannot deadlock: the server's echo is
/// read as fast as it comes.
fn exchange(sock: &Socket, args: &Args, payload: &[u8], say: Narrator, me: &str) -> anyhow::Result<Vec<u8>> {
    let writer = sock.try_clone().context("dup()")?;
    let mut echo = Vec::with_capacity(payload.len());
    let mut buf = vec![0u8; args.buffer as usize];
    let mut shown = 0;
    thread::scope(|s| -> anyhow::Result<()> {
        let sender = s.spawn(|| -> anyhow::Result<()> {
            // L7→L4: hand all the bytes to the kernel; TCP cuts them into segments.
            say.payload(format_args!("{me}send"), payload);
            writer.sendall(payload).context("send()")?;
            if args.half_close {
                // L4: FIN now, while we go on reading: ESTABLISHED → FIN_WAIT_1.
                writer.shutdown(std::net::Shutdown::Write).context("shutdown(SHUT_WR)")?;
                say.say(Layer::L4, format!("{me}shutdown(SHUT_WR) → FIN sent, FIN_WAIT_1; still reading"));
            }
            Ok(())
        });
        let want_eof = args.half_close;
        while want_eof || echo.len() < payload.len() {
            // L7←L4: copy up to --buffer bytes out of the kernel's receive buffer.
            let n = sock.recv_into(&mut buf).map_err(|e| {
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
                    anyhow::Error::new(kit::hinted(
                        format!(
                            "recv(): no echo within {} s ({} of {} bytes back)",
                            args.timeout,
                            echo.len(),
                            payload.len()
                        ),
                        "is the server busy with another client? raise --timeout",
                    ))
                } else {
                    anyhow::Error::new(e).context("recv()")
                }
            })?;
            if n == 0 {
                let what = if want_eof {
                    "server closed too (FIN) → TIME_WAIT after our ACK"
                } else {
                    "the server closed before echoing everything"
                };
                say.say(Layer::L4, format!("{me}recv() → 0 bytes: {what}"));
                break;
            }
            echo.extend_from_slice(&buf[..n]);
            // Narrate the first recv() calls; a 1 MiB echo would print a thousand.
            shown += 1;
            if shown <= 8 {
                say.payload(format_args!("{me}recv"), &buf[..n]);
            } else if shown == 9 {
                say.say(Layer::L7, format!("{me}recv … (more recv() calls, not shown)"));
            }
        }
        match sender.join() {
            Ok(result) => result,
            Err(_) => bail!("the sending thread panicked"),
        }
    })?;
    Ok(echo)
}

/// The echo must be exactly what was sent.
fn check_echo(sent: &[u8], echo: &[u8]) -> anyhow::Result<()> {
    if sent == echo {
        return Ok(());
    }
    let at = sent.iter().zip(echo).position(|(a, b)| a != b);
    match at {
        Some(i) => bail!(
            "the echo differs from what was sent, first at byte {i}: sent {}, got {}",
            escape(&sent[i..], 16),
            escape(&echo[i..], 16)
        ),
        None => bail!("the echo has {} bytes, {} were sent", echo.len(), sent.len()),
    }
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
