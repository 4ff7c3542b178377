//! The narration printer: one coloured line per event, tagged by OSI layer,
//! e.g. `[L4] listen(backlog=128) → LISTEN` or `[L7] recv 5 bytes "Hello"`.

use std::fmt::Display;
use std::net::SocketAddr;

use colored::Colorize;

use crate::args::OutputArgs;
use crate::palette::Ink;
use crate::payload::{escape, is_binary, preview, DEFAULT_PREVIEW};
use crate::stdout;
use crate::words::plural;

/// The layer a narration line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Network layer: addresses, routes.
    L3,
    /// Network and transport layer at once: `socket()` picks IP (L3) and TCP
    /// (L4), `bind()` claims an IP address (L3) and a TCP port (L4).
    L3L4,
    /// Transport layer: the TCP connection and its states.
    L4,
    /// Application layer: the bytes the program reads and writes.
    L7,
    /// The program itself: threads, readiness, decisions; no layer.
    App,
}

impl Layer {
    fn tag(self) -> colored::ColoredString {
        match self {
            Layer::L3 => Ink::Blue.paint("[L3]").bold(),
            Layer::L3L4 => Ink::Cyan.paint("[L3+L4]").bold(),
            Layer::L4 => Ink::Yellow.paint("[L4]").bold(),
            Layer::L7 => Ink::Green.paint("[L7]").bold(),
            Layer::App => "[..]".dimmed(),
        }
    }
}

/// Prints narration lines to stdout, one whole line per event (so lines of
/// different threads never mix), unless `--quiet`. Printing never stalls the
/// program: a stdout nobody reads drops narration lines and says how many
/// (see `stdout.rs`); a closed stdout silences it rather than killing it.
#[derive(Debug, Clone, Copy)]
pub struct Narrator {
    quiet: bool,
}

impl Narrator {
    /// Builds the narrator from the output flags and applies the colour choice.
    pub fn new(output: &OutputArgs) -> Self {
        output.apply();
        Narrator { quiet: output.quiet }
    }

    /// One narration line: `[L4] message`.
    pub fn say(&self, layer: Layer, message: impl Display) {
        if !self.quiet {
            stdout::push(format!("{} {}", layer.tag(), message), false);
        }
    }

    /// A line about payload bytes: `[L7] {what} 5 bytes "Hello"`, escaped and shortened;
    /// bytes that are not text as `[L7] {what} 1024 bytes of binary data: e1 d6 …`.
    pub fn payload(&self, what: impl Display, bytes: &[u8]) {
        if !self.quiet {
            let n = plural(bytes.len() as u64, "byte");
            if is_binary(bytes) {
                // "1024 bytes of binary data: e1 d6 …", not a line of \xNN.
                self.say(Layer::L7, format_args!("{what} {n} of {}", preview(bytes, DEFAULT_PREVIEW)));
            } else {
                self.say(Layer::L7, format_args!("{what} {n} {}", escape(bytes, DEFAULT_PREVIEW)));
            }
        }
    }

    /// A warning: something went wrong with one peer, and the program goes on.
    pub fn warn(&self, layer: Layer, message: impl Display) {
        if !self.quiet {
            stdout::push(format!("{} {}", layer.tag(), Ink::Red.paint(message.to_string().as_str())), false);
        }
    }

    /// A line of the program's own output (the client's `Received …`), printed
    /// even with `--quiet`, in order with the narration.
    pub fn print(&self, line: impl Display) {
        self.must(line.to_string());
    }

    /// The machine-readable ready line, printed even with `--quiet`:
    /// `READY 127.0.0.1:65432`. Scripts and tests start a server on port 0 and
    /// read the port the kernel chose from this line.
    pub fn ready(&self, bound: SocketAddr) {
        self.must(format!("READY {bound}"));
    }

    /// A line that must not be lost. With `--quiet` there is no narration to
    /// keep off the serving path, so it is written at once and no writer
    /// thread is started.
    fn must(&self, line: String) {
        if self.quiet {
            stdout::write_now(&line);
        } else {
            stdout::push(line, true);
        }
    }
}
