//! The output side of the pipeline: one sink per view, chosen once at startup
//! ([`sink`]), as ripgrep's printers are: the line view ([`standard`], with
//! `--rtt` and `--layers`), `--ladder` ([`ladder`]), `--summary-only`
//! ([`summary`]), `--json` ([`json`]) and nothing at all (`--quiet` without
//! `--json`). Each writes to one buffered writer, flushed where the driver
//! says; the closing table of connections is one part ([`table`]) the text
//! sinks share.

use std::io::{BufWriter, Write};

use crate::analysis::{Annotated, Event, Summary};
use crate::decode::Skip;
use crate::neighbours::ControlFrame;

pub mod hop;
pub mod json;
pub mod ladder;
pub mod standard;
pub mod summary;
pub mod table;

pub use ladder::{MAX_LADDER_ROWS, MAX_LADDER_ROWS_EACH};

/// Which view, and how much of it: the flags [`sink`] chooses a sink by.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    pub layers: bool,
    pub ladder: bool,
    pub json: bool,
    pub summary_only: bool,
    /// `--rtt`: each ACK's RTT sample, and RFC 6298's estimate in the summaries.
    pub rtt: bool,
    /// Nothing on stdout but JSON.
    pub quiet: bool,
    /// Columns every text line fits in (0: no limit).
    pub width: usize,
}

/// Where a view goes: the analysis's events in capture order, then the end.
/// `link` is the interface the frame being shown was seen on, live on several.
pub trait Sink {
    /// A frame that did not decode as TCP (only `--layers` says so).
    fn skipped(&mut self, _frame: u64, _why: &Skip) -> anyhow::Result<()> {
        Ok(())
    }
    /// An analysed segment.
    fn segment(&mut self, n: &Annotated, link: Option<&str>) -> anyhow::Result<()>;
    /// A control frame (ARP, ICMP) in its place.
    fn control(&mut self, c: &ControlFrame, link: Option<&str>) -> anyhow::Result<()>;
    /// A connection that ended (or is still open at the end).
    fn ended(&mut self, s: Summary) -> anyhow::Result<()>;
    /// Writes out what is buffered.
    fn flush(&mut self) -> anyhow::Result<()>;
    /// What comes after the last event (the closing table), then the last
    /// flush. `evicted`: open connections the analysis forgot to stay within
    /// its memory bound.
    fn finish(&mut self, segments: u64, evicted: u64) -> anyhow::Result<()>;
}

/// An event of the analysis to the sink's method for it.
pub fn event(sink: &mut dyn Sink, e: Event, link: Option<&str>) -> anyhow::Result<()> {
    match e {
        Event::Segment(n) => sink.segment(&n, link),
        Event::Ended(s) => sink.ended(s),
        Event::Control(c) => sink.control(&c, link),
    }
}

/// The sink of the view `view` describes, writing to `w`.
pub fn sink<'w, W: Write + 'w>(w: W, view: View) -> Box<dyn Sink + 'w> {
    let w = BufWriter::with_capacity(1 << 16, w);
    match view {
        View { json: true, .. } => Box::new(json::Json::new(w, view.summary_only)),
        View { quiet: true, .. } => Box::new(Quiet),
        View { summary_only: true, .. } => Box::new(summary::Summaries::new(w, view)),
        View { ladder: true, .. } => Box::new(ladder::Ladder::new(w, view)),
        _ => Box::new(standard::Standard::new(w, view)),
    }
}

/// `--quiet` without `--json`: nothing on stdout.
struct Quiet;

impl Sink for Quiet {
    fn segment(&mut self, _: &Annotated, _: Option<&str>) -> anyhow::Result<()> {
        Ok(())
    }
    fn control(&mut self, _: &ControlFrame, _: Option<&str>) -> anyhow::Result<()> {
        Ok(())
    }
    fn ended(&mut self, _: Summary) -> anyhow::Result<()> {
        Ok(())
    }
    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _: u64, _: u64) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Writes `lines`, each with its newline.
fn lines<W: Write>(w: &mut W, lines: impl IntoIterator<Item = String>) -> anyhow::Result<()> {
    for l in lines {
        writeln!(w, "{l}")?;
    }
    Ok(())
}

/// A frame that did not decode as TCP, in `--layers` words.
fn skipped_lines(frame: u64, why: &Skip, width: usize) -> Vec<String> {
    use crate::render::fit::{plain, span, wrap};
    wrap(&[span(crate::render::words::notes::skipped(frame, why), plain)], width, "", "    ")
}
