//! Shared plumbing for the kit's programs, so that each `main.rs` shows the
//! lesson and not the wiring: command-line flags ([`ServerArgs`]), the
//! narration printer ([`Narrator`], whose stdout never stalls the program), payload escaping ([`escape`]) and the
//! one-line error reporter ([`run`], which escapes what it shows, as [`parse_args`] does for a bad flag),
//! one parser for duration flags
//! ([`duration::seconds`]), counted nouns ([`plural`]), and Python's `recv_into`/`sendall`
//! for `socket2` sockets ([`SocketExt`]), the kernel's own TCP state of a
//! socket ([`tcp_state`]) with the words for what `close()` does from it
//! ([`what_close_sends`]), the servers' rest after accept() failed ([`Backoff`]), and the
//! one way the kit draws a chart, SVG by hand ([`svg`]), its colours for dark and light
//! terminals ([`palette`]), and the language of the reports ([`Lang`]: English or Vietnamese).

mod args;
mod backoff;
mod closing;
pub mod duration;
mod errors;
pub mod lang;
mod narrate;
pub mod palette;
mod payload;
mod pipe;
mod sock;
mod stdout;
pub mod svg;
mod tcp_state;
mod words;

pub use args::{resolve, ColorChoice, OutputArgs, ServerArgs};
pub use backoff::Backoff;
pub use closing::{close_effect, ended_by, what_close_sends};
pub use errors::{error_line, escape_controls, hinted, parse_args, run, warning_line, Hinted};
pub use lang::Lang;
pub use narrate::{Layer, Narrator};
pub use payload::{
    escape, escape_all, escape_bytes_literal, escape_name, escape_path, is_binary, preview, DEFAULT_PREVIEW,
};
pub use pipe::{quiet_on_broken_pipe, PipeOut, ReaderGone};
pub use sock::{family, local_addr, peer_name, SocketExt};
pub use stdout::drain;
pub use tcp_state::{tcp_state, TcpState};
pub use words::plural;
