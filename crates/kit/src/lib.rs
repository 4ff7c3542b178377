//! Shared plumbing for the kit's programs, so that each `main.rs` shows the
//! lesson and not the wiring: command-line flags ([`ServerArgs`]), the
//! narration printer ([`Narrator`]), payload escaping ([`escape`]) and the
//! one-line error reporter ([`run`]).

mod args;
mod errors;
mod narrate;
mod payload;

pub use args::{ColorChoice, OutputArgs, ServerArgs};
pub use errors::{hinted, run, Hinted};
pub use narrate::{Layer, Narrator};
pub use payload::{escape, escape_all, DEFAULT_PREVIEW};
