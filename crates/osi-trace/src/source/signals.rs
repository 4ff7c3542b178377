//! Ctrl-C (SIGINT) and SIGTERM, handled once for the whole process and every
//! driver. The two signals are blocked in every thread (the mask is set before
//! any other thread starts, and threads inherit it) and one thread of its own
//! takes them with `sigwait`: no code runs inside a signal handler, so a stop
//! may take locks (a live capture's queue), and no `unsafe` is needed.
//!
//! What a signal does: while a live capture runs, it ends the capture (the
//! frames already captured are still shown); otherwise — reading a file, or a
//! second signal live — it sets the stop the drivers check between frames.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use nix::sys::signal::{SigSet, Signal};

use crate::capture::Stopper;

/// The process's stop: set by the first signal that did not end a capture.
/// Cloned handles share it.
#[derive(Debug, Clone)]
pub struct Stop(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    /// The signal that set the stop (0: not set).
    signal: AtomicI32,
    /// The live capture a signal ends first, once there is one.
    capture: OnceLock<Stopper>,
}

impl Stop {
    /// Takes over SIGINT and SIGTERM. Call it once, before any other thread
    /// starts (a thread started earlier would still die of the signals).
    pub fn install() -> anyhow::Result<Stop> {
        let mut set = SigSet::empty();
        set.add(Signal::SIGINT);
        set.add(Signal::SIGTERM);
        set.thread_block().context("blocking SIGINT and SIGTERM for their thread")?;
        let shared = Arc::new(Shared::default());
        let seen = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                while let Ok(signal) = set.wait() {
                    if seen.capture.get().is_some_and(Stopper::stop) {
                        continue;
                    }
                    let _ =
                        seen.signal.compare_exchange(0, signal as i32, Ordering::SeqCst, Ordering::SeqCst);
                }
            })
            .context("starting the thread that handles Ctrl-C")?;
        Ok(Stop(shared))
    }

    /// From now on, a signal first ends this live capture.
    pub fn ends_capture(&self, capture: Stopper) {
        let _ = self.0.capture.set(capture);
    }

    /// Whether a signal set the stop.
    pub fn is_set(&self) -> bool {
        self.0.signal.load(Ordering::SeqCst) != 0
    }

    /// The signal that set the stop, as a person sent it: `Ctrl-C` or `SIGTERM`.
    pub fn by(&self) -> &'static str {
        match Signal::try_from(self.0.signal.load(Ordering::SeqCst)) {
            Ok(Signal::SIGTERM) => "SIGTERM",
            _ => "Ctrl-C",
        }
    }

    /// The error of a file not read to its end because of the stop: `what`
    /// names the file; `writing`: whether `--write` or `--tsg` had begun a file.
    pub fn interrupted(&self, what: &str, writing: bool) -> anyhow::Error {
        anyhow::anyhow!(crate::render::words::notes::interrupted(self.by(), what, writing))
    }
}
