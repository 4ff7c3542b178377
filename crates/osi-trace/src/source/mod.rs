//! Where frames come from, the same way for every driver (the trace, and the
//! hop view's files and live links): a pcap or pcapng file, or a live capture
//! that says READY on stderr once it runs, read one frame at a time until the
//! end, a quiet moment (live), or the process's [`Stop`] (Ctrl-C, SIGTERM).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::capture::{CaptureStats, Limits, LiveCapture, LiveOptions};
use crate::frame::Frame;
use crate::pcap::CaptureReader;

mod signals;
pub use signals::Stop;

/// What the source gave.
#[derive(Debug)]
pub enum Got {
    /// A frame, and the link it was seen on when there are several.
    Frame(Frame, Option<Arc<str>>),
    /// Live: a quiet 100 ms, so the caller can check its stop conditions.
    Quiet,
    /// The end of the file, the capture over (or its interface down), or the stop.
    End,
}

/// A stream of frames from a file or a live capture.
pub struct Source {
    frames: Frames,
    stop: Stop,
    /// Live: nothing said on stderr but READY and errors.
    quiet: bool,
}

enum Frames {
    /// Live; `several`: frames come from more than one link (`--interface
    /// any`, or the flag repeated), so each says which.
    Live {
        cap: LiveCapture,
        several: bool,
    },
    File(CaptureReader),
}

/// What the READY line says beside the interfaces: the filter, what the
/// capture is for, and when it ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ready {
    /// Only TCP on this port (and ARP, ICMP); all TCP when `None`.
    pub port: Option<u16>,
    /// What the frames are for, e.g. ` for the hop view` (empty: the trace).
    pub purpose: &'static str,
    /// Said as `for N s`; `None`: `Ctrl-C stops`.
    pub until: Option<Duration>,
}

impl Source {
    /// The frames of the file at `path`.
    pub fn file(path: &Path, stop: &Stop) -> anyhow::Result<Source> {
        Ok(Source::reader(CaptureReader::open(path)?, stop))
    }

    /// The frames of a capture already opened.
    pub fn reader(reader: CaptureReader, stop: &Stop) -> Source {
        Source { frames: Frames::File(reader), stop: stop.clone(), quiet: true }
    }

    /// Starts capturing, then says READY on stderr (the line scripts and
    /// tests wait for). From now on a first signal ends the capture, and the
    /// frames it captured are still read; a second one sets the stop.
    pub fn live(
        opts: &LiveOptions,
        limits: Limits,
        ready: Ready,
        stop: &Stop,
        quiet: bool,
    ) -> anyhow::Result<Source> {
        let cap = LiveCapture::open_with(opts, limits)?;
        stop.ends_capture(cap.stopper());
        eprintln!("{}", ready_line(&opts.interfaces, ready));
        let several = opts.interfaces.len() > 1 || opts.interfaces.iter().any(|i| i == "any");
        Ok(Source { frames: Frames::Live { cap, several }, stop: stop.clone(), quiet })
    }

    /// The next frame; `Err` when the file is damaged or the capture failed.
    pub fn next_frame(&mut self) -> anyhow::Result<Got> {
        if self.stop.is_set() {
            return Ok(Got::End);
        }
        match &mut self.frames {
            Frames::Live { cap, several } => Ok(match cap.next(Duration::from_millis(100))? {
                Some(f) => {
                    backlog_note(cap, self.quiet);
                    Got::Frame(f.frame, several.then_some(f.interface))
                }
                None if cap.is_over() => Got::End,
                None => Got::Quiet,
            }),
            Frames::File(r) => Ok(r.next_frame().transpose()?.map_or(Got::End, |f| Got::Frame(f, None))),
        }
    }

    /// Whether the frames are captured live.
    pub fn is_live(&self) -> bool {
        matches!(self.frames, Frames::Live { .. })
    }

    /// The process's stop, set by a signal.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }

    /// Live: whether the next frame is already there (then output can wait
    /// for the capture to be idle). Reading a file: never.
    pub fn pending(&self) -> bool {
        match &self.frames {
            Frames::Live { cap, .. } => cap.pending(),
            Frames::File(_) => false,
        }
    }

    /// Odd but readable things in the file, each to be said once.
    pub fn take_notes(&mut self) -> Vec<String> {
        match &mut self.frames {
            Frames::File(r) => r.take_notes(),
            Frames::Live { .. } => Vec::new(),
        }
    }

    /// Live: ends the capture if it still runs, and gives its counts.
    pub fn stats(&mut self) -> anyhow::Result<Option<CaptureStats>> {
        match &mut self.frames {
            Frames::Live { cap, .. } => cap.stats().map(Some),
            Frames::File(_) => Ok(None),
        }
    }

    /// The one error line to end with if the capture ended on its own (its
    /// interface went down); print the rest first.
    pub fn finish(&self) -> Option<anyhow::Error> {
        match &self.frames {
            Frames::Live { cap, .. } => cap.finish(),
            Frames::File(_) => None,
        }
    }
}

/// `READY capturing on lo (tcp port 65432, ARP, ICMP); Ctrl-C stops`.
fn ready_line(interfaces: &[String], ready: Ready) -> String {
    let what = ready.port.map_or("all TCP".to_string(), |p| format!("tcp port {p}"));
    let until = ready.until.map_or("Ctrl-C stops".to_string(), |d| format!("for {} s", d.as_secs_f64()));
    format!("READY capturing on {} ({what}, ARP, ICMP){}; {until}", interfaces.join(", "), ready.purpose)
}

/// Said once on stderr: the capture has ended (Ctrl-C, --duration) but
/// frames it captured are still being shown.
fn backlog_note(cap: &mut LiveCapture, quiet: bool) {
    if let Some(n) = cap.backlog().filter(|_| !quiet) {
        eprintln!("{}", crate::render::words::notes::backlog(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ready_line_says_what_is_captured_and_until_when() {
        let lo = ["lo".to_string()];
        assert_eq!(
            ready_line(&lo, Ready { port: Some(65432), ..Ready::default() }),
            "READY capturing on lo (tcp port 65432, ARP, ICMP); Ctrl-C stops"
        );
        let two = ["eth0".to_string(), "eth1".to_string()];
        let hop =
            Ready { purpose: " for the hop view", until: Some(Duration::from_millis(2500)), port: None };
        assert_eq!(
            ready_line(&two, hop),
            "READY capturing on eth0, eth1 (all TCP, ARP, ICMP) for the hop view; for 2.5 s"
        );
    }
}
