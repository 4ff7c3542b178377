//! The closing table of connections the text views end with: a head line,
//! each connection's summary (and its RTT estimate with `--rtt`), and what the
//! bounds left out. Kept here as the connections end, written by `finish`.

use std::io::Write;

use colored::Colorize;

use super::lines;
use crate::analysis::{Summary, MAX_OPEN};
use crate::render;
use crate::render::lang::summary as vi;

/// At most this many connection summaries are kept for the closing table.
const MAX_SUMMARIES: usize = 1000;

/// The summaries kept for the table at the end (bounded).
pub struct Table {
    summaries: Vec<Summary>,
    more: u64,
    /// A blank line between the segments' lines and the table.
    blank_first: bool,
    rtt: bool,
    width: usize,
}

impl Table {
    pub fn new(blank_first: bool, rtt: bool, width: usize) -> Table {
        Table { summaries: Vec::new(), more: 0, blank_first, rtt, width }
    }

    /// Keeps a summary for the table, or counts it past the bound.
    pub fn push(&mut self, s: Summary) {
        if self.summaries.len() < MAX_SUMMARIES {
            self.summaries.push(s);
        } else {
            self.more += 1;
        }
    }

    /// The table, in stream order, and what was left out of it and of the analysis.
    pub fn write<W: Write>(&mut self, w: &mut W, segments: u64, evicted: u64) -> anyhow::Result<()> {
        self.summaries.sort_by_key(|s| s.stream);
        if !self.summaries.is_empty() {
            if self.blank_first {
                writeln!(w)?;
            }
            let n = self.summaries.len() as u64 + self.more;
            let head = match kit::lang::vi() {
                true => vi::table_head(n, segments),
                false => format!(
                    "Summary: {}, {}",
                    kit::plural(n, "connection"),
                    kit::plural(segments, "TCP segment")
                ),
            };
            writeln!(w, "{}", head.bold())?;
        }
        for s in std::mem::take(&mut self.summaries).iter() {
            lines(w, render::summary(s, self.width))?;
            if self.rtt {
                lines(w, render::summary_rtt(s, self.width))?;
            }
        }
        if self.more > 0 && kit::lang::vi() {
            writeln!(w, "{}", vi::more_connections(self.more))?;
        } else if self.more > 0 {
            writeln!(w, "… and {} more connections (use --json for all)", self.more)?;
        }
        if evicted > 0 && kit::lang::vi() {
            writeln!(w, "{}", vi::forgotten(evicted, MAX_OPEN))?;
        } else if evicted > 0 {
            writeln!(
                w,
                "{} forgotten while still open, the longest idle first (at most {MAX_OPEN} open connections are followed)",
                kit::plural(evicted, "connection"),
            )?;
        }
        Ok(())
    }
}
