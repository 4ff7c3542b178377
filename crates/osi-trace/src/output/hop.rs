//! The hop view's sinks, chosen once as the trace's are: the text (a head
//! naming the links, the rows laid out by `render::hop`, the counts), the
//! records of `--json` ([`crate::json::Record`]: start, then `hop` and
//! `hop_only`), or nothing (`--quiet`).

use std::io::{BufWriter, Write};

use super::lines;
use crate::hop::{HopView, Row, Tally};
use crate::json::{HopOnlyRecord, HopRecord, Record};
use crate::render::hop;

/// Where the hop view's rows go, in time order.
pub trait HopSink {
    /// Before the first row.
    fn start(&mut self) -> anyhow::Result<()>;
    /// One row, shown with what `view` knows now.
    fn row(&mut self, view: &HopView, r: &Row) -> anyhow::Result<()>;
    /// After the last row: the closing counts, and the last flush.
    fn finish(&mut self, tally: &Tally) -> anyhow::Result<()>;
    /// Whether it shows rows at all (else the second reading may be left out).
    fn shows_rows(&self) -> bool {
        true
    }
}

/// What the text needs to lay out its rows.
#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    /// The links' names, e.g. `link1`, `link2`.
    pub names: &'a [String; 2],
    /// Where each link's frames came from (a file, an interface).
    pub sources: &'a [String; 2],
    /// The widest L2 or L3 cell: the columns line up down the view.
    pub column: usize,
    /// Columns to fit (0: no limit).
    pub width: usize,
}

/// The sink for `--json` or the text (nothing with `quiet`), writing to `w`.
pub fn sink<'a, W: Write + 'a>(w: W, json: bool, quiet: bool, layout: Layout<'a>) -> Box<dyn HopSink + 'a> {
    let w = BufWriter::new(w);
    match (json, quiet) {
        (true, _) => Box::new(Json { w, names: layout.names }),
        (false, true) => Box::new(Quiet),
        (false, false) => Box::new(Text { w, layout }),
    }
}

struct Text<'a, W: Write> {
    w: W,
    layout: Layout<'a>,
}

impl<W: Write> HopSink for Text<'_, W> {
    fn start(&mut self) -> anyhow::Result<()> {
        let l = &self.layout;
        lines(&mut self.w, hop::head(l.names, l.sources, l.column, l.width))
    }

    fn row(&mut self, view: &HopView, r: &Row) -> anyhow::Result<()> {
        let l = &self.layout;
        lines(&mut self.w, hop::row(view, r, l.names, l.column, l.width))
    }

    fn finish(&mut self, tally: &Tally) -> anyhow::Result<()> {
        lines(&mut self.w, hop::summary(tally, self.layout.names, self.layout.width))?;
        Ok(self.w.flush()?)
    }
}

struct Json<'a, W: Write> {
    w: W,
    names: &'a [String; 2],
}

impl<W: Write> HopSink for Json<'_, W> {
    fn start(&mut self) -> anyhow::Result<()> {
        Ok(self.w.write_all(Record::start_line().as_bytes())?)
    }

    fn row(&mut self, view: &HopView, r: &Row) -> anyhow::Result<()> {
        let record = match r {
            Row::Pair(p) => Record::Hop(Box::new(HopRecord::new(view, p, self.names))),
            Row::Only(o) => Record::HopOnly(Box::new(HopOnlyRecord::new(view, o, self.names))),
        };
        serde_json::to_writer(&mut self.w, &record)?;
        Ok(writeln!(self.w)?)
    }

    fn finish(&mut self, _: &Tally) -> anyhow::Result<()> {
        Ok(self.w.flush()?)
    }
}

struct Quiet;

impl HopSink for Quiet {
    fn start(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    fn row(&mut self, _: &HopView, _: &Row) -> anyhow::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _: &Tally) -> anyhow::Result<()> {
        Ok(())
    }
    fn shows_rows(&self) -> bool {
        false
    }
}
