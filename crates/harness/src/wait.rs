//! Waiting for an event, never for a while: a test that needs something to
//! have happened polls for it, with a deadline, instead of sleeping and hoping.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

/// How often [`until`] looks again.
pub const POLL: Duration = Duration::from_millis(20);

/// Calls `done` every [`POLL`] until it returns `true`; fails, naming `what`,
/// if that has not happened within `timeout` (or as soon as `done` fails).
pub fn until(what: &str, timeout: Duration, mut done: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if done()? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{what}: not within {timeout:?}");
        }
        thread::sleep(POLL);
    }
}

/// Whether the peer of `stream` has closed its receive window: it stopped
/// reading, and the kernel probes it with the zero-window (persist) timer,
/// timer 4 of the stream's row in /proc/net/tcp (IPv4) or /proc/net/tcp6.
pub fn peer_window_closed(stream: &std::net::TcpStream) -> Result<bool> {
    let (here, there) = (stream.local_addr()?.port(), stream.peer_addr()?.port());
    let ends = (format!(":{here:04X}"), format!(":{there:04X}"));
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(rows) = std::fs::read_to_string(table) else { continue };
        for row in rows.lines().skip(1) {
            let f: Vec<&str> = row.split_whitespace().collect();
            if f.len() > 5 && f[1].ends_with(&ends.0) && f[2].ends_with(&ends.1) {
                return Ok(f[5].starts_with("04:"));
            }
        }
    }
    bail!("no row for {here} → {there} in /proc/net/tcp")
}
