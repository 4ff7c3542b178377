//! Stdout whose reader may go away: `osi-trace --read big.pcap | head -1`. A
//! write to a pipe nobody reads fails with EPIPE (Rust ignores SIGPIPE); through
//! [`PipeOut`] that error is marked, and [`crate::run`] then ends the program as
//! tcpdump and grep end: no error line, killed by SIGPIPE (status 141 in a shell).

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// The reader of stdout went away: not the user's mistake, nothing to say.
#[derive(Debug)]
pub struct ReaderGone;

impl fmt::Display for ReaderGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the reader of stdout went away")
    }
}

impl std::error::Error for ReaderGone {}

/// A writer (stdout) whose broken pipe is marked as [`ReaderGone`]; a socket's
/// broken pipe elsewhere in the program stays an error worth a line.
pub struct PipeOut<W>(pub W);

fn mark(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        io::Error::new(io::ErrorKind::BrokenPipe, ReaderGone)
    } else {
        e
    }
}

impl<W: Write> Write for PipeOut<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(mark)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf).map_err(mark)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(mark)
    }
}

/// Whether `err` says stdout's reader went away, anywhere in its chain.
pub(crate) fn reader_gone(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.is::<ReaderGone>()
            || e.downcast_ref::<io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.is::<ReaderGone>())
    })
}

/// Ends the program as SIGPIPE's default action would have, once the caller
/// has cleaned up (a half-written `--write` file removed): the status a shell
/// shows as 141, what `set -o pipefail` sees from tcpdump or grep.
pub(crate) fn die_of_sigpipe() -> ExitCode {
    // SAFETY: signal() and raise() take no pointers; SIG_DFL for SIGPIPE only
    // restores the default action, which ends the process at raise().
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::raise(libc::SIGPIPE);
    }
    // Not reached: SIGPIPE's default action ends the process. 128 + 13, as a shell says it.
    ExitCode::from(141)
}

/// Makes `println!` and `eprintln!` end the program as [`die_of_sigpipe`] does
/// when their reader went away (`lesson-check answers … | head -1`), instead of
/// panicking with a backtrace: std panics there ("failed printing to stdout:
/// Broken pipe") since Rust ignores SIGPIPE. Any other panic is reported as before.
pub fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        // std's words: "failed printing to stdout: Broken pipe (os error 32)" (EPIPE).
        let gone = message.starts_with("failed printing to std")
            && message.contains(&format!("(os error {})", libc::EPIPE));
        if gone {
            die_of_sigpipe();
        }
        default(info);
    }));
}
