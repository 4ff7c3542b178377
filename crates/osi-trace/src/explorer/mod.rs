//! The trace explorer (`--html FILE`): the whole run as one self-contained
//! page — ladder, segment list, layers, bytes, the code, time-sequence and RTT
//! graphs, follow stream, step mode — all panes linked.
//!
//! Why it is built this way:
//! - **One schema.** The page embeds `--json`'s own records ([`crate::json::Record`],
//!   the trace's or the hop view's), in `--json`'s order, so it cannot disagree
//!   with the terminal (a test compares them line by line). What only the page needs —
//!   each frame's bytes and layers, field meanings, the programs' listings — are typed
//!   records next to them ([`records`]).
//! - **Offsets from the decoder.** The byte ranges come from where the decoder found each
//!   layer ([`crate::decode::Layout`]); [`fields`] only names fixed positions inside a
//!   header, and a test holds them against tshark's PDML.
//! - **The code.** The segment record says which call caused it (`call`, `by`, from the
//!   same facts as the words); [`code`] finds that call in the kit's listings, embedded at
//!   build time, by a rule a test checks on every program.
//! - **Safe by construction.** Every capture string reaches the page inside one JSON
//!   element, escaped so that it cannot close it ([`html::escape_json`]); the scripts build
//!   the DOM with `textContent` only, and a Content-Security-Policy allows the page's own
//!   script and style by hash and nothing else: no request of any kind.
//! - **Bounded.** At most [`MAX_ROWS`] rows (segments, control frames, hop rows) and
//!   [`MAX_FRAME_BYTES`] bytes of each frame; the page says what it left out. The list and
//!   the ladder draw only the rows in view, so a large page opens quickly.
//! - **No build step.** HTML, CSS and one small script per pane under `assets/`, joined
//!   with `include_str!`; no library, no font from anywhere (the system's font stacks).

pub mod closes;
pub mod code;
pub mod fields;
pub mod html;
pub mod meanings;
pub mod records;
pub mod texts;
pub mod words;
pub mod words_vi;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::analysis::Event;
use crate::decode::Segment;
use crate::frame::Frame;
use crate::hop::{HopView, Row};
use crate::json::{ConnectionRecord, ControlRecord, HopOnlyRecord, HopRecord, Record, SegmentRecord};
use crate::render::closing;
use crate::target::{Existing, Target};
use records::{FrameRecord, PageData, PageRecord};

/// At most this many rows on one page: 50 000 segments open in a few seconds.
pub const MAX_ROWS: usize = 50_000;
/// Of each frame, the page keeps this many bytes: the headers and the start of the payload.
pub const MAX_FRAME_BYTES: usize = 256;

/// Where the frames come from, for the page's title: the file, or the interfaces.
pub fn source_name(read: Option<&Path>, interfaces: &[String]) -> String {
    match read {
        Some(path) => kit::escape_path(path),
        None if kit::lang::vi() => format!("bắt trực tiếp trên {}", interfaces.join(", ")),
        None => format!("live on {}", interfaces.join(", ")),
    }
}

/// A page being gathered: fed the frames and events of the run, written at the end.
pub struct Page {
    /// Where the page goes, decided before the run (a regular file is replaced whole).
    target: Target,
    data: PageData,
    rows: usize,
    /// `--stream N`: only this connection's segments and summary.
    stream: Option<u64>,
    /// Frames decoded but whose segment's event has not come yet (a file's rows wait
    /// behind an unanswered SYN): by frame number, at most [`WAITING`].
    waiting: std::collections::BTreeMap<u64, FrameRecord>,
}

/// Frames held for their events at most: more than the analysis's look-ahead holds rows.
const WAITING: usize = 20_000;

impl Page {
    /// A page for `path`; refused now if the file exists (unless `force`) or its
    /// directory does not, so that a long capture does not end in an error.
    pub fn new(
        path: &Path,
        force: bool,
        programs: &[String],
        stream: Option<u64>,
        source: String,
    ) -> anyhow::Result<Page> {
        let target = Target::open(path, "--html", if force { Existing::Replace } else { Existing::Keep })?;
        let (listings, code) = code::for_programs(programs);
        let fields = words::meanings();
        let page = PageRecord {
            cap: MAX_ROWS,
            stream,
            frame_bytes: MAX_FRAME_BYTES,
            left_out: 0,
            links: Vec::new(),
            mode: "trace".into(),
            programs: programs.to_vec(),
            source,
        };
        let data = PageData {
            closes: Default::default(),
            code,
            fields,
            frames: Vec::new(),
            hop: Vec::new(),
            listings,
            page,
            records: Vec::new(),
            words: words::table(),
        };
        let waiting = Default::default();
        Ok(Page { target, data, rows: 0, stream, waiting })
    }

    /// A frame shown as a segment: its bytes and layers, while the page has room.
    /// A frame shown as a segment: its bytes and layers, kept until its event says
    /// whether the segment is on the page.
    pub fn frame(&mut self, number: u64, frame: &Frame, seg: &Segment) {
        if self.rows < MAX_ROWS {
            if self.waiting.len() == WAITING {
                self.waiting.pop_first();
            }
            self.waiting.insert(number, frame_record(number, None, frame, Some(seg)));
        }
    }

    /// An event of the run, as `--json` writes it (`link`: the interface, with several).
    pub fn event(&mut self, e: &Event, link: Option<&str>) {
        let link = link.map(String::from);
        let frame = match e {
            Event::Segment(n) => self.waiting.remove(&n.frame),
            _ => None,
        };
        let other = |stream: u64| self.stream.is_some_and(|s| s != stream);
        match e {
            Event::Segment(n) if other(n.stream) => return,
            Event::Ended(s) if other(s.stream) => return,
            Event::Control(_) if self.stream.is_some() => return,
            _ => {}
        }
        let record = match e {
            Event::Segment(n) => {
                let mut r = SegmentRecord { link, ..SegmentRecord::from(&**n) };
                if texts::needed() {
                    texts::segment(&mut r, n);
                }
                Record::Segment(Box::new(r))
            }
            Event::Control(c) => {
                let mut r = ControlRecord { link, ..ControlRecord::from(&**c) };
                if texts::needed() {
                    texts::control(&mut r, c);
                }
                Record::Control(r)
            }
            Event::Ended(s) => Record::Connection(ConnectionRecord::from(s)),
        };
        if self.rows < MAX_ROWS {
            self.rows += 1;
            self.data.records.push(record);
            self.data.frames.extend(frame);
        } else if !matches!(record, Record::Connection(_)) {
            self.data.page.left_out += 1;
        } else if self.data.records.len() < 2 * MAX_ROWS {
            // A connection's record is small and names its stream in the filter: kept.
            self.data.records.push(record);
        }
    }

    /// Writes the page as `--write` writes a capture (crate::target): a new file, or
    /// with `force` a whole new one renamed over the old, never half a page; a FIFO
    /// or character device written through. Returns what to say about it.
    pub fn finish(mut self) -> anyhow::Result<String> {
        self.data.closes = closes::proven(&self.data.records);
        let doc = html::page(&self.data)?;
        let shown = self.target.shown().to_path_buf();
        let what = || closing::writing_page(&kit::escape_path(&shown));
        let mut f = self.target.file()?;
        f.write_all(doc.as_bytes()).and_then(|()| f.flush()).with_context(what)?;
        drop(f);
        self.target.commit()?;
        let segments = self.data.records.iter().filter(|r| matches!(r, Record::Segment(_))).count();
        let mut said = closing::wrote_page(&kit::escape_path(&shown), segments, doc.len().div_ceil(1024));
        if self.data.page.left_out > 0 {
            said.push_str(&closing::page_left_out(self.data.page.left_out, MAX_ROWS));
        }
        for p in self.data.page.programs.iter() {
            said.push_str(&match code::program(p) {
                Some(_) => {
                    let calls: Vec<String> = self
                        .data
                        .code
                        .iter()
                        .filter(|c| &c.program == p)
                        .map(|c| {
                            let call = match c.how.as_deref() {
                                Some(closes::SHUT_WR) => "shutdown(SHUT_WR)".to_string(),
                                _ => format!("{}()", c.call),
                            };
                            let lines: Vec<String> = c.lines.iter().map(|l| l.to_string()).collect();
                            format!("{call} {}:{}", c.file, lines.join(","))
                        })
                        .collect();
                    format!("\n  {p}: {}", calls.join(", "))
                }
                None => format!("\n  {}: {}", kit::escape_controls(p), closing::not_a_program()),
            });
        }
        Ok(said)
    }
}

/// A frame's record: its first [`MAX_FRAME_BYTES`] bytes in hex, and its layers.
fn frame_record(number: u64, link: Option<String>, frame: &Frame, seg: Option<&Segment>) -> FrameRecord {
    let kept = &frame.data[..frame.data.len().min(MAX_FRAME_BYTES)];
    let mut bytes = String::with_capacity(kept.len() * 2);
    for b in kept {
        bytes.push_str(&format!("{b:02x}"));
    }
    FrameRecord {
        bytes,
        captured: frame.data.len(),
        frame: number,
        layers: seg.map(|s| fields::layers(s, &frame.data)).unwrap_or_default(),
        link,
        wire: frame.orig_len,
    }
}

/// The hop view's rows as its page shows them, gathered as the view is shown
/// (the rows are not kept): `--hop --json`'s records, at most [`MAX_ROWS`], and
/// which frame of which link each one shows.
#[derive(Default)]
pub struct HopRows {
    lines: Vec<Record>,
    /// (link, frame number) of each line's copy: a pair's before the router.
    copies: Vec<(usize, u64)>,
    left_out: u64,
}

impl HopRows {
    /// One more row, shown with what `view` knows now.
    pub fn push(&mut self, view: &HopView, r: &Row, names: &[String; 2]) {
        if self.lines.len() >= MAX_ROWS {
            self.left_out += 1;
            return;
        }
        match r {
            Row::Pair(p) => {
                let mut r = HopRecord::new(view, p, names);
                if texts::needed() {
                    texts::hop(&mut r, view, p);
                }
                self.lines.push(Record::Hop(Box::new(r)));
                self.copies.push((p.from, p.before().frame));
            }
            Row::Only(o) => {
                let mut r = HopOnlyRecord::new(view, o, names);
                if texts::needed() {
                    texts::hop_only(&mut r, view, o, names);
                }
                self.lines.push(Record::HopOnly(Box::new(r)));
                self.copies.push((o.link, o.seen.frame));
            }
        }
    }

    /// The frame numbers of `link` the page shows.
    pub fn wanted(&self, link: usize) -> HashSet<u64> {
        self.copies.iter().filter(|c| c.0 == link).map(|c| c.1).collect()
    }
}

/// A hop copy's frame as the page holds it: its bytes, and its layers when it is a
/// segment (ARP, ICMP: their bytes without layers; the layers pane reads TCP segments).
pub fn hop_frame(number: u64, link: &str, frame: &Frame) -> FrameRecord {
    let seg = match crate::decode::decode(frame) {
        Ok(crate::decode::Decoded::Segment(s)) => Some(s),
        _ => None,
    };
    frame_record(number, Some(link.to_string()), frame, seg.as_ref())
}

/// The hop view as a page: the rows' records, and the bytes of each copy
/// whose frame `frames` holds, by (link index, frame number).
pub fn hop_page(
    path: &Path,
    force: bool,
    rows: HopRows,
    names: &[String; 2],
    sources: &[String; 2],
    mut frames: HashMap<(usize, u64), FrameRecord>,
) -> anyhow::Result<String> {
    let and = if kit::lang::vi() { "và" } else { "and" };
    let mut page = Page::new(path, force, &[], None, format!("{} {and} {}", sources[0], sources[1]))?;
    page.data.page.mode = "hop".into();
    page.data.page.links = names.to_vec();
    page.data.page.left_out = rows.left_out;
    page.data.hop = rows.lines;
    page.data.frames.extend(rows.copies.iter().filter_map(|c| frames.remove(c)));
    page.finish()
}
