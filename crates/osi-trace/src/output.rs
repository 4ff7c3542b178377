//! The output side of the pipeline: takes each annotated segment and each
//! ended connection and writes the chosen view (lines, `--layers`, `--ladder`,
//! `--json`, summaries) to one buffered writer, flushed where the program says.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::sync::Arc;

use colored::Colorize;

use crate::analysis::{Annotated, Event, Summary};
use crate::json::{ConnectionRecord, ControlRecord, SegmentWriter};
use crate::neighbours::ControlFrame;
use crate::render;
use crate::render::fit::{plain, span, Runs};
use crate::render::lang::summary as vi;

/// Which view, and how much of it.
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

/// At most this many connection summaries are kept for the closing table.
const MAX_SUMMARIES: usize = 1000;
/// `--ladder` holds each connection's rows until it ends: at most this many in all,
/// and this many for one connection; the rest are counted and said.
pub const MAX_LADDER_ROWS: usize = 100_000;
pub const MAX_LADDER_ROWS_EACH: usize = 2_000;

/// Writes the views.
pub struct Output<W: Write> {
    w: BufWriter<W>,
    view: View,
    /// --ladder: each open connection's rows, printed when it ends.
    ladders: HashMap<u64, Vec<String>>,
    /// Summaries kept for the table at the end (bounded).
    summaries: Vec<Summary>,
    more_summaries: u64,
    /// Ladder rows held now, and rows or whole ladders left out to stay under the caps.
    ladder_rows: usize,
    rows_left_out: HashMap<u64, u64>,
    ladders_left_out: u64,
    /// The link the frame being shown was seen on, when there are several.
    link: Option<Arc<str>>,
    /// The lines of the segment being shown, and the spans they are made of
    /// (kept from segment to segment, so their memory is reused).
    text: String,
    runs: Runs,
    scratch: String,
    /// `--json`: writes each segment's record.
    json: SegmentWriter,
}

impl<W: Write> Output<W> {
    pub fn new(w: W, view: View) -> Self {
        Output {
            w: BufWriter::with_capacity(1 << 16, w),
            view,
            ladders: HashMap::new(),
            summaries: Vec::new(),
            more_summaries: 0,
            ladder_rows: 0,
            rows_left_out: HashMap::new(),
            ladders_left_out: 0,
            link: None,
            text: String::new(),
            runs: Runs::default(),
            scratch: String::new(),
            json: SegmentWriter::default(),
        }
    }

    /// Live on several links: the link of the frame whose events come next
    /// (live shows each frame's events at once, so they are its own).
    pub fn set_link(&mut self, link: Option<Arc<str>>) {
        self.link = link;
    }

    /// The link of the frame being shown, when there are several.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    fn line(&mut self, s: String) -> anyhow::Result<()> {
        if !self.view.quiet {
            writeln!(self.w, "{s}")?;
        }
        Ok(())
    }

    /// A frame that did not decode as TCP: said only in the `--layers` view.
    pub fn skipped(&mut self, frame: u64, why: &dyn std::fmt::Display) -> anyhow::Result<()> {
        if self.view.layers {
            for l in render::fit::wrap(
                &[span(format!("frame {frame}: skipped, {why}"), plain)],
                self.view.width,
                "",
                "    ",
            ) {
                self.line(l)?;
            }
        }
        Ok(())
    }

    pub fn segment(&mut self, n: &Annotated) -> anyhow::Result<()> {
        if self.view.summary_only {
            return Ok(());
        }
        if self.view.json {
            let record = self.json.record(n, self.link.as_deref())?;
            return Ok(self.w.write_all(record)?);
        }
        if self.view.ladder {
            self.ladder_row(n);
            return Ok(());
        }
        if self.view.quiet {
            return Ok(());
        }
        // One buffer for all of a segment's lines, reused: a line costs no allocation.
        let text = &mut self.text;
        text.clear();
        let width = match &self.link {
            Some(link) => render::link_tag(link, self.view.width, text),
            None => self.view.width,
        };
        render::line(n, width, &mut self.runs, text);
        if self.view.rtt {
            for l in render::segment_rtt(n, self.view.width) {
                text.push_str(&l);
                text.push('\n');
            }
        }
        if self.view.layers {
            render::layers(n, self.view.width, &mut self.scratch, text);
        }
        Ok(self.w.write_all(text.as_bytes())?)
    }

    /// An event of the analysis: a segment or an ended connection.
    pub fn event(&mut self, e: Event) -> anyhow::Result<()> {
        match e {
            Event::Segment(n) => self.segment(&n),
            Event::Ended(s) => self.ended(s),
            Event::Control(c) => self.control(&c),
        }
    }

    /// A control frame (ARP, ICMP) in its place: a line, or a JSON record; the
    /// ladder draws connections only, and leaves it out.
    pub fn control(&mut self, c: &ControlFrame) -> anyhow::Result<()> {
        if self.view.summary_only || self.view.ladder {
            return Ok(());
        }
        if self.view.json {
            let record =
                ControlRecord { link: self.link.as_deref().map(String::from), ..ControlRecord::from(c) };
            serde_json::to_writer(&mut self.w, &record)?;
            return Ok(writeln!(self.w)?);
        }
        let lines = match &self.link {
            Some(link) => render::on_link(link, self.view.width, |w| render::control(c, w)),
            None => render::control(c, self.view.width),
        };
        for l in lines {
            self.line(l)?;
        }
        Ok(())
    }

    /// Holds a ladder row until its connection ends, within the caps.
    fn ladder_row(&mut self, n: &Annotated) {
        let width = self.view.width;
        let full = self.ladder_rows >= MAX_LADDER_ROWS;
        if !self.ladders.contains_key(&n.stream) {
            if full {
                self.ladders_left_out += 1;
                return;
            }
            let head = render::ladder_head(n, width, self.link.as_deref());
            self.ladder_rows += head.len();
            self.ladders.insert(n.stream, head);
        }
        let Some(rows) = self.ladders.get_mut(&n.stream) else { return };
        if full || rows.len() >= MAX_LADDER_ROWS_EACH {
            *self.rows_left_out.entry(n.stream).or_default() += 1;
            return;
        }
        let new = render::ladder_row(n, width, self.link.as_deref());
        self.ladder_rows += new.len();
        rows.extend(new);
    }

    pub fn ended(&mut self, s: Summary) -> anyhow::Result<()> {
        if self.view.json {
            serde_json::to_writer(&mut self.w, &ConnectionRecord::from(&s))?;
            writeln!(self.w)?;
            return Ok(());
        }
        if let Some(rows) = self.ladders.remove(&s.stream) {
            self.ladder_rows -= rows.len();
            for r in rows {
                self.line(r)?;
            }
            if let Some(n) = self.rows_left_out.remove(&s.stream) {
                self.line(match kit::lang::vi() {
                    true => vi::not_drawn(n, true, MAX_LADDER_ROWS_EACH),
                    false => format!(
                        "… {} not drawn (--ladder holds at most {MAX_LADDER_ROWS_EACH} rows of a connection)",
                        kit::plural(n, "more segment")
                    ),
                })?;
            }
            self.line(String::new())?;
        }
        if self.summaries.len() < MAX_SUMMARIES {
            self.summaries.push(s);
        } else {
            self.more_summaries += 1;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        Ok(self.w.flush()?)
    }

    /// The closing table of connections, then the last flush. `evicted`: open
    /// connections the analysis forgot to stay within its memory bound.
    pub fn finish(&mut self, segments: u64, evicted: u64) -> anyhow::Result<()> {
        if !self.view.json {
            self.summaries.sort_by_key(|s| s.stream);
            if !self.summaries.is_empty() {
                if !self.view.summary_only && !self.view.ladder {
                    self.line(String::new())?;
                }
                let n = self.summaries.len() as u64 + self.more_summaries;
                let head = match kit::lang::vi() {
                    true => vi::table_head(n, segments),
                    false => format!(
                        "Summary: {}, {}",
                        kit::plural(n, "connection"),
                        kit::plural(segments, "TCP segment")
                    ),
                };
                self.line(format!("{}", head.bold()))?;
            }
            let summaries = std::mem::take(&mut self.summaries);
            for s in &summaries {
                for l in render::summary(s, self.view.width) {
                    self.line(l)?;
                }
                if self.view.rtt {
                    for l in render::summary_rtt(s, self.view.width) {
                        self.line(l)?;
                    }
                }
            }
            if self.more_summaries > 0 && kit::lang::vi() {
                self.line(vi::more_connections(self.more_summaries))?;
            } else if self.more_summaries > 0 {
                self.line(format!("… and {} more connections (use --json for all)", self.more_summaries))?;
            }
            if evicted > 0 && kit::lang::vi() {
                self.line(vi::forgotten(evicted, crate::analysis::MAX_OPEN))?;
            } else if evicted > 0 {
                self.line(format!(
                    "{} forgotten while still open, the longest idle first (at most {} open connections are followed)",
                    kit::plural(evicted, "connection"),
                    crate::analysis::MAX_OPEN
                ))?;
            }
            if self.ladders_left_out > 0 && kit::lang::vi() {
                self.line(vi::not_drawn(self.ladders_left_out, false, MAX_LADDER_ROWS))?;
            } else if self.ladders_left_out > 0 {
                self.line(format!(
                    "… {} not drawn (--ladder holds at most {MAX_LADDER_ROWS} rows at once)",
                    kit::plural(self.ladders_left_out, "more connection")
                ))?;
            }
        }
        self.flush()
    }
}
