//! `--ladder`: each connection drawn as a ladder (time-sequence) diagram, its
//! rows held until it ends, within bounds that say what they left out; then
//! the closing table. Control frames are not drawn: the ladder is connections.

use std::collections::HashMap;
use std::io::Write;

use super::table::Table;
use super::{Sink, View};
use crate::analysis::{Annotated, Summary};
use crate::neighbours::ControlFrame;
use crate::render;
use crate::render::lang::summary as vi;

/// `--ladder` holds each connection's rows until it ends: at most this many in all,
/// and this many for one connection; the rest are counted and said.
pub const MAX_LADDER_ROWS: usize = 100_000;
pub const MAX_LADDER_ROWS_EACH: usize = 2_000;

/// Writes the ladders.
pub struct Ladder<W: Write> {
    w: W,
    width: usize,
    table: Table,
    /// Each open connection's rows, printed when it ends.
    ladders: HashMap<u64, Vec<String>>,
    /// Rows held now, and rows or whole ladders left out to stay under the caps.
    rows: usize,
    rows_left_out: HashMap<u64, u64>,
    ladders_left_out: u64,
}

impl<W: Write> Ladder<W> {
    pub fn new(w: W, view: View) -> Self {
        Ladder {
            w,
            width: view.width,
            table: Table::new(false, view.rtt, view.width),
            ladders: HashMap::new(),
            rows: 0,
            rows_left_out: HashMap::new(),
            ladders_left_out: 0,
        }
    }
}

impl<W: Write> Sink for Ladder<W> {
    /// Holds a ladder row until its connection ends, within the caps.
    fn segment(&mut self, n: &Annotated, link: Option<&str>) -> anyhow::Result<()> {
        let full = self.rows >= MAX_LADDER_ROWS;
        if !self.ladders.contains_key(&n.stream) {
            if full {
                self.ladders_left_out += 1;
                return Ok(());
            }
            let head = render::ladder_head(n, self.width, link);
            self.rows += head.len();
            self.ladders.insert(n.stream, head);
        }
        let Some(rows) = self.ladders.get_mut(&n.stream) else { return Ok(()) };
        if full || rows.len() >= MAX_LADDER_ROWS_EACH {
            *self.rows_left_out.entry(n.stream).or_default() += 1;
            return Ok(());
        }
        let new = render::ladder_row(n, self.width, link);
        self.rows += new.len();
        rows.extend(new);
        Ok(())
    }

    fn control(&mut self, _: &ControlFrame, _: Option<&str>) -> anyhow::Result<()> {
        Ok(())
    }

    /// The connection's ladder, now that it ended.
    fn ended(&mut self, s: Summary) -> anyhow::Result<()> {
        if let Some(rows) = self.ladders.remove(&s.stream) {
            self.rows -= rows.len();
            super::lines(&mut self.w, rows)?;
            if let Some(n) = self.rows_left_out.remove(&s.stream) {
                let said = match kit::lang::vi() {
                    true => vi::not_drawn(n, true, MAX_LADDER_ROWS_EACH),
                    false => format!(
                        "… {} not drawn (--ladder holds at most {MAX_LADDER_ROWS_EACH} rows of a connection)",
                        kit::plural(n, "more segment")
                    ),
                };
                writeln!(self.w, "{said}")?;
            }
            writeln!(self.w)?;
        }
        self.table.push(s);
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(self.w.flush()?)
    }

    fn finish(&mut self, segments: u64, evicted: u64) -> anyhow::Result<()> {
        self.table.write(&mut self.w, segments, evicted)?;
        if self.ladders_left_out > 0 && kit::lang::vi() {
            writeln!(self.w, "{}", vi::not_drawn(self.ladders_left_out, false, MAX_LADDER_ROWS))?;
        } else if self.ladders_left_out > 0 {
            writeln!(
                self.w,
                "… {} not drawn (--ladder holds at most {MAX_LADDER_ROWS} rows at once)",
                kit::plural(self.ladders_left_out, "more connection")
            )?;
        }
        self.flush()
    }
}
