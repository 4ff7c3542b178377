//! A payload of any size is sent in chunks and its echo checked as it comes:
//! `--file` and `--stdin` of 128 MiB come back exact in under [`BOUND_MIB`] of
//! resident memory (the client held the payload and the echo: 256+ MiB), an
//! endless input stops at the deadline or the refused connect, and stdin, read
//! only once, cannot be resent (`--repeat`). Its own test binary, so that the
//! peak resident size of its children is the client's.

use std::io::Write;
use std::process::{Command, Output};
use std::time::Duration;

use harness::Server;

/// The bound the README states.
const BOUND_MIB: u64 = 64;
const BIG: usize = 128 << 20;

/// The client's output, and its peak resident memory in MiB.
fn client(port: u16, args: &[&str], stdin: &[u8]) -> anyhow::Result<(Output, u64)> {
    let mut cmd = Command::new(harness::bin("client"));
    cmd.args(["--port", &port.to_string(), "--color", "never"]).args(args);
    let (out, kib) = harness::run_measured(cmd, stdin, Duration::from_secs(120))?;
    Ok((out, kib / 1024))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A payload that is not constant, so a shifted or lost chunk shows.
fn big_payload() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8 ^ (i >> 20) as u8).collect()
}

#[test]
fn big_payloads_come_back_exact_in_bounded_memory() -> anyhow::Result<()> {
    let srv = Server::start("server-threads", &["--quiet", "--buffer", "65536"])?;
    let payload = big_payload();
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("big.bin");
    std::fs::write(&file, &payload)?;
    let (out, peak) =
        client(srv.port(), &["--file", &file.to_string_lossy(), "--quiet", "--timeout", "60"], b"")?;
    assert!(out.status.success(), "--file: {}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.trim_end().ends_with(&format!("…(+{} bytes)", BIG - 48)), "{said}");
    assert!(peak < BOUND_MIB, "--file: the client peaked at {peak} MiB");
    let (out, peak) = client(srv.port(), &["--stdin", "--quiet", "--timeout", "60"], &payload)?;
    assert!(out.status.success(), "--stdin: {}", text(&out.stderr));
    assert!(peak < BOUND_MIB, "--stdin: the client peaked at {peak} MiB");
    Ok(())
}

/// A changed byte deep in a big stream is found, and named by its offset.
#[test]
fn a_wrong_byte_deep_in_a_big_echo_is_named() -> anyhow::Result<()> {
    // A server that echoes 100 MB, with byte 70 000 000 changed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let (conn, _) = listener.accept()?;
        let mut writer = conn.try_clone()?;
        let mut reader = std::io::BufReader::new(conn);
        let mut at = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut reader, &mut buf)?;
            if n == 0 {
                return Ok(());
            }
            for (i, b) in buf[..n].iter_mut().enumerate() {
                if at + i as u64 == 70_000_000 {
                    *b ^= 0xff;
                }
            }
            at += n as u64;
            if writer.write_all(&buf[..n]).is_err() {
                return Ok(());
            }
        }
    });
    let payload = vec![b'a'; 100_000_000];
    let (out, _) = client(port, &["--stdin", "--quiet", "--timeout", "60"], &payload)?;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the echo differs from what was sent, first at byte 70000000: sent \"a"), "{err}");
    assert!(err.contains("got \"\\x9e"), "{err}");
    let _ = server.join();
    Ok(())
}

/// An endless input (a FIFO fed 256 MiB, as /dev/zero would feed more) to a
/// port nobody listens on: the refusal, at once, not after reading it all.
#[test]
fn an_endless_input_is_not_read_whole_before_connecting() -> anyhow::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let dir = tempfile::tempdir()?;
    let fifo = dir.path().join("endless");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600))?;
    let path = fifo.clone();
    // The writer stops by itself: after 256 MiB, or when the reader has gone (EPIPE).
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..256 {
            f.write_all(&chunk)?;
        }
        Ok(())
    });
    let (out, peak) = client(port, &["--file", &fifo.to_string_lossy()], b"")?;
    let _ = writer.join();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("Connection refused"), "{err}");
    assert!(peak < BOUND_MIB, "the client peaked at {peak} MiB");
    Ok(())
}

/// /dev/zero as the input (read, never written): the deadline ends the run.
#[test]
fn dev_zero_as_input_ends_at_the_deadline() -> anyhow::Result<()> {
    let srv = Server::start("server-threads", &["--quiet"])?;
    let started = std::time::Instant::now();
    let (out, peak) = client(srv.port(), &["--file", "/dev/zero", "--quiet", "--timeout", "2"], b"")?;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(" within 2 s; connection closed with RST"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "ended after {:?}", started.elapsed());
    assert!(peak < BOUND_MIB, "the client peaked at {peak} MiB");
    Ok(())
}

/// stdin is read once: past what is kept in memory it cannot be sent again.
#[test]
fn a_big_stdin_cannot_be_repeated() -> anyhow::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    for flag in ["--repeat", "--clients"] {
        let (out, _) = client(port, &["--stdin", flag, "2"], &vec![b'x'; 2 << 20])?;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("stdin holds more than 1 MiB"), "{err}");
        assert!(err.contains(&format!("{flag} sends the message more than once")), "{err}");
    }
    Ok(())
}
