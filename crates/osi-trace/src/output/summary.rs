//! `--summary-only`: no line per segment, only the closing table of
//! connections (and, with `--layers`, the frames that were skipped).

use std::io::Write;

use super::table::Table;
use super::{lines, skipped_lines, Sink, View};
use crate::analysis::{Annotated, Summary};
use crate::decode::Skip;
use crate::neighbours::ControlFrame;

/// Writes the connections' summaries at the end.
pub struct Summaries<W: Write> {
    w: W,
    layers: bool,
    width: usize,
    table: Table,
}

impl<W: Write> Summaries<W> {
    pub fn new(w: W, view: View) -> Self {
        Summaries {
            w,
            layers: view.layers,
            width: view.width,
            table: Table::new(false, view.rtt, view.width),
        }
    }
}

impl<W: Write> Sink for Summaries<W> {
    fn skipped(&mut self, frame: u64, why: &Skip) -> anyhow::Result<()> {
        if self.layers {
            lines(&mut self.w, skipped_lines(frame, why, self.width))?;
        }
        Ok(())
    }

    fn segment(&mut self, _: &Annotated, _: Option<&str>) -> anyhow::Result<()> {
        Ok(())
    }

    fn control(&mut self, _: &ControlFrame, _: Option<&str>) -> anyhow::Result<()> {
        Ok(())
    }

    fn ended(&mut self, s: Summary) -> anyhow::Result<()> {
        self.table.push(s);
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(self.w.flush()?)
    }

    fn finish(&mut self, segments: u64, evicted: u64) -> anyhow::Result<()> {
        self.table.write(&mut self.w, segments, evicted)?;
        self.flush()
    }
}
