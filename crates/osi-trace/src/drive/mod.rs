//! The drivers: each runs one kind of run from the command line to the end,
//! its frames from [`crate::source`] (a file or a live capture, with the
//! process's one Ctrl-C handling), its views through the sinks of
//! [`crate::output`]. [`trace`]: the trace; [`hop`]: the hop view, from two
//! files or two live links. Nothing below the drivers imports them.

pub mod hop;
pub mod trace;
