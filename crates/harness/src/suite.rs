//! Checks every echo server must pass, shared by the servers' test files
//! (and the `echo_server_tests!` macro that runs them);
//! those of the event-loop servers and of `--idle-timeout` in submodules.

use std::process::Command;
use std::thread;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::*;

/// How every server's close() is narrated: the reset check and the tracer's word on it.
pub mod closing;
/// Checks of the event-loop servers (select, epoll, tokio).
pub mod event_loop;
/// Silent clients, fd limits and `--idle-timeout`.
pub mod idle;

/// Text, all byte values plus invalid UTF-8, and 1 MiB come back byte for byte,
/// each on its own connection of a fresh `--buffer` setting where it matters.
pub fn echoes_exactly(server: &str, payload: &[u8]) -> Result<()> {
    let srv = Server::start(server, &[])?;
    let got = echo(srv.addr, payload)?;
    if got != payload {
        bail!("{server}: echo of {} bytes differs", payload.len());
    }
    Ok(())
}

/// `--connections 2` (server-loop, server-threads, server-select): the server
/// serves two clients, the second connected while the first is still open, waits
/// for the second to leave, then exits 0 by itself: the lessons stop it that way.
pub fn stops_after_its_connections(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &["--connections", "2"])?;
    let a = connect(srv.addr)?;
    if echo_on(&a, b"first")? != b"first" {
        bail!("{server}: the first client's echo differs");
    }
    let b = connect(srv.addr)?;
    drop(a);
    if echo_on(&b, b"second")? != b"second" {
        bail!("{server}: the second client's echo differs");
    }
    if !srv.is_running() {
        bail!("{server} --connections 2 exited while its second client was still connected");
    }
    drop(b);
    let status = srv.wait_exit(Duration::from_secs(10))?;
    if !status.success() {
        bail!("{server} --connections 2 exited with {status} after its two clients");
    }
    Ok(())
}

/// A client that resets mid-echo and one that half-closes leave the
/// server serving the next client; the half-closing one gets all its echo.
pub fn survives_reset_and_half_close(server: &str) -> Result<()> {
    let mut srv = Server::start(server, &[])?;
    send_and_reset(srv.addr, &binary_payload(200_000))?;
    let big = binary_payload(1 << 20);
    let got = echo_half_closed(srv.addr, &big)?;
    if got != big {
        bail!("{server}: half-closed client got {} of {} bytes back, or other bytes", got.len(), big.len());
    }
    if echo(srv.addr, b"next")? != b"next" {
        bail!("{server}: the next client got a wrong echo");
    }
    if !srv.is_running() {
        bail!("{server} exited; stderr {}", srv.stderr());
    }
    Ok(())
}

/// Starting a second server on the port the first holds fails with one
/// line that carries a hint, and a non-zero exit.
pub fn port_in_use_is_one_clear_line(server: &str) -> Result<()> {
    let first = Server::start(server, &[])?;
    let port = first.port().to_string();
    let mut cmd = Command::new(bin(server));
    cmd.args(["--port", &port, "--color", "never"]);
    let out = run(cmd, b"", Duration::from_secs(20))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || out.status.code().is_none() {
        bail!("{server} on a taken port: status {:?}", out.status);
    }
    let lines: Vec<&str> = stderr.lines().collect();
    if lines.len() != 1
        || !lines[0].starts_with(&format!("{server}: error: bind"))
        || !lines[0].contains("hint:")
    {
        bail!("{server} on a taken port said {stderr:?}");
    }
    Ok(())
}

/// With a small open-file limit, accept() fails with EMFILE while idle
/// clients hold every fd: the server logs it, does not spin, and serves
/// again once they leave.
pub fn survives_emfile(server: &str) -> Result<()> {
    let mut srv = idle::spawn_with_fd_limit(server, 16, &[])?;
    let idle: Vec<_> = (0..24).map(|_| connect(srv.addr)).collect::<Result<_>>()?;
    srv.expect_line(
        |l| l.contains("accept() failed") && l.contains("Too many open files"),
        Duration::from_secs(10),
    )?;
    let before = cpu_time(srv.pid())?;
    thread::sleep(Duration::from_secs(2));
    let spent = cpu_time(srv.pid())? - before;
    if spent > Duration::from_millis(500) {
        bail!("{server} used {spent:?} of CPU in 2 s while accept() failed: a busy loop");
    }
    drop(idle);
    if echo(srv.addr, b"after")? != b"after" {
        bail!("{server}: wrong echo after EMFILE");
    }
    Ok(())
}

/// Two clients at once: each connects, sends, and the second gets its
/// echo while the first still holds its connection open.
pub fn serves_two_at_once(server: &str) -> Result<()> {
    let srv = Server::start(server, &[])?;
    let a = connect(srv.addr)?;
    if echo_on(&a, b"first")? != b"first" {
        bail!("{server}: first client got a wrong echo");
    }
    let b = connect(srv.addr)?;
    b.set_read_timeout(Some(Duration::from_secs(5)))?;
    if echo_on(&b, b"second").context("second client, while the first is connected")? != b"second" {
        bail!("{server}: second client got a wrong echo");
    }
    drop(a);
    Ok(())
}

/// The tests every echo server passes, one `#[test]` each, for the server
/// binary `$server`: text, binary and 1 MiB echoes are byte-exact; a taken
/// port is one clear error line; a close after a reset is narrated truly, and
/// the usual close as the tracer sees it; a reset and a half-close leave it
/// serving (`multi` servers only); two clients are served at once and EMFILE
/// is survived (`concurrent` servers only).
#[macro_export]
macro_rules! echo_server_tests {
    ($server:expr) => {
        #[test]
        fn text_echo_is_exact() -> anyhow::Result<()> {
            $crate::suite::echoes_exactly($server, b"Hello")
        }

        #[test]
        fn binary_echo_is_exact() -> anyhow::Result<()> {
            $crate::suite::echoes_exactly($server, &$crate::binary_payload(4096))
        }

        #[test]
        fn one_mebibyte_echo_is_exact() -> anyhow::Result<()> {
            $crate::suite::echoes_exactly($server, &$crate::binary_payload(1 << 20))
        }

        #[test]
        fn port_in_use_is_one_clear_line() -> anyhow::Result<()> {
            $crate::suite::port_in_use_is_one_clear_line($server)
        }

        #[test]
        fn resets_are_narrated_truly() -> anyhow::Result<()> {
            $crate::suite::closing::resets_are_narrated_truly($server)
        }

        #[test]
        fn the_tracer_agrees_with_the_close_line() -> anyhow::Result<()> {
            if !$crate::require!($crate::Need::Capture) {
                return Ok(());
            }
            $crate::suite::closing::the_tracer_agrees_with_the_close_line($server)
        }
    };
    ($server:expr, multi) => {
        $crate::echo_server_tests!($server);

        #[test]
        fn reset_and_half_close_leave_it_serving() -> anyhow::Result<()> {
            $crate::suite::survives_reset_and_half_close($server)
        }
    };
    ($server:expr, concurrent) => {
        $crate::echo_server_tests!($server, multi);

        #[test]
        fn two_clients_are_served_at_once() -> anyhow::Result<()> {
            $crate::suite::serves_two_at_once($server)
        }

        #[test]
        fn emfile_is_survived_without_a_busy_loop() -> anyhow::Result<()> {
            $crate::suite::survives_emfile($server)
        }
    };
}
