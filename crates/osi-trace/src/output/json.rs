//! `--json`: one record per line ([`crate::json::Record`]): the start record
//! with the schema version first, then each segment and control frame in its
//! place and each connection when it ends (with `--summary-only`, the
//! connections alone). Segment records are written straight from the
//! analysis ([`SegmentWriter`]), a million of them in a big capture.

use std::io::Write;

use super::Sink;
use crate::analysis::{Annotated, Summary};
use crate::json::{ConnectionRecord, ControlRecord, Record, SegmentWriter};
use crate::neighbours::ControlFrame;

/// Writes the records.
pub struct Json<W: Write> {
    w: W,
    summary_only: bool,
    segments: SegmentWriter,
    /// The start record is written with the first thing written or flushed.
    started: bool,
}

impl<W: Write> Json<W> {
    pub fn new(w: W, summary_only: bool) -> Self {
        Json { w, summary_only, segments: SegmentWriter::default(), started: false }
    }

    /// The start record, once, before anything else.
    fn start(&mut self) -> anyhow::Result<()> {
        if !std::mem::replace(&mut self.started, true) {
            self.w.write_all(Record::start_line().as_bytes())?;
        }
        Ok(())
    }

    fn record(&mut self, r: &Record) -> anyhow::Result<()> {
        self.start()?;
        serde_json::to_writer(&mut self.w, r)?;
        Ok(writeln!(self.w)?)
    }
}

impl<W: Write> Sink for Json<W> {
    fn segment(&mut self, n: &Annotated, link: Option<&str>) -> anyhow::Result<()> {
        if self.summary_only {
            return Ok(());
        }
        self.start()?;
        let record = self.segments.record(n, link)?;
        Ok(self.w.write_all(record)?)
    }

    fn control(&mut self, c: &ControlFrame, link: Option<&str>) -> anyhow::Result<()> {
        if self.summary_only {
            return Ok(());
        }
        let record = ControlRecord { link: link.map(String::from), ..ControlRecord::from(c) };
        self.record(&Record::Control(record))
    }

    fn ended(&mut self, s: Summary) -> anyhow::Result<()> {
        self.record(&Record::Connection(ConnectionRecord::from(&s)))
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.start()?;
        Ok(self.w.flush()?)
    }

    fn finish(&mut self, _: u64, _: u64) -> anyhow::Result<()> {
        self.flush()
    }
}
