//! The line view: one line per segment (the link it was seen on in front, live
//! on several), each ACK's RTT sample below it with `--rtt`, its layers with
//! `--layers`; a line per control frame; the closing table.

use std::io::Write;

use super::table::Table;
use super::{lines, skipped_lines, Sink, View};
use crate::analysis::{Annotated, Summary};
use crate::decode::Skip;
use crate::neighbours::ControlFrame;
use crate::render;
use crate::render::fit::Runs;

/// Writes the line view.
pub struct Standard<W: Write> {
    w: W,
    layers: bool,
    rtt: bool,
    width: usize,
    table: Table,
    /// The lines of the segment being shown, and the spans they are made of
    /// (kept from segment to segment, so their memory is reused).
    text: String,
    runs: Runs,
    scratch: String,
}

impl<W: Write> Standard<W> {
    pub fn new(w: W, view: View) -> Self {
        Standard {
            w,
            layers: view.layers,
            rtt: view.rtt,
            width: view.width,
            table: Table::new(true, view.rtt, view.width),
            text: String::new(),
            runs: Runs::default(),
            scratch: String::new(),
        }
    }
}

impl<W: Write> Sink for Standard<W> {
    fn skipped(&mut self, frame: u64, why: &Skip) -> anyhow::Result<()> {
        if self.layers {
            lines(&mut self.w, skipped_lines(frame, why, self.width))?;
        }
        Ok(())
    }

    fn segment(&mut self, n: &Annotated, link: Option<&str>) -> anyhow::Result<()> {
        // One buffer for all of a segment's lines, reused: a line costs no allocation.
        let text = &mut self.text;
        text.clear();
        let width = match link {
            Some(link) => render::link_tag(link, self.width, text),
            None => self.width,
        };
        render::line(n, width, &mut self.runs, text);
        if self.rtt {
            for l in render::segment_rtt(n, self.width) {
                text.push_str(&l);
                text.push('\n');
            }
        }
        if self.layers {
            render::layers(n, self.width, &mut self.scratch, text);
        }
        Ok(self.w.write_all(text.as_bytes())?)
    }

    fn control(&mut self, c: &ControlFrame, link: Option<&str>) -> anyhow::Result<()> {
        let said = match link {
            Some(link) => render::on_link(link, self.width, |w| render::control(c, w)),
            None => render::control(c, self.width),
        };
        lines(&mut self.w, said)
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
