//! The hop view's drivers: two files ([`files`]) or two live links ([`live`]),
//! read through [`crate::source`] as the trace's frames are, matched by the
//! pure `hop` module, shown through a hop sink (`output::hop`) and, with
//! `--html`, as a page. What both drivers share is here.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use crate::explorer::HopRows;
use crate::hop::matcher::MAX_HELD;
use crate::hop::view::{self, Frames, Study};
use crate::hop::Tally;
use crate::output::hop::{sink, Layout};
use crate::render::words::notes;
use crate::source::Got;

pub mod files;
pub mod live;

/// How `--hop` shows its view.
#[derive(Debug, Clone)]
pub struct HopOptions {
    pub json: bool,
    /// Nothing on stdout but JSON.
    pub quiet: bool,
    /// Columns to fit (0: no limit).
    pub width: usize,
    /// `--html`: also write the view as a page (replacing the file with `force`).
    pub html: Option<PathBuf>,
    pub force: bool,
}

/// The first reading of the two links' frames (see `hop::view`).
fn study(links: [Frames; 2]) -> anyhow::Result<Study> {
    view::study(links, crate::render::hop::cells_width)
}

/// Writes the view as the second reading of the links' frames goes: JSON
/// records, or the text with its head and summary. `sources` says where each
/// link's frames came from (a file, an interface). With `--html`, also gathers
/// the rows for the page.
fn show(
    study: &Study,
    links: [Frames; 2],
    names: &[String; 2],
    sources: &[String; 2],
    opts: &HopOptions,
    out: impl Write,
) -> anyhow::Result<Option<HopRows>> {
    let mut page = opts.html.as_ref().map(|_| HopRows::default());
    let layout = Layout { names, sources, column: study.column, width: opts.width };
    let mut sink = sink(out, opts.json, opts.quiet, layout);
    sink.start()?;
    let tally = if sink.shows_rows() || page.is_some() {
        view::rows(study, links, |view, r| {
            if let Some(page) = &mut page {
                page.push(view, r, names);
            }
            sink.row(view, r)
        })?
    } else {
        Tally::default()
    };
    sink.finish(&tally)?;
    warn(study, &tally);
    Ok(page)
}

/// `--html`: the view's rows as a page, with each row's frame bytes when they
/// come from files (a third reading; live, their bytes were not kept).
fn page(
    rows: Option<HopRows>,
    names: &[String; 2],
    sources: &[String; 2],
    opts: &HopOptions,
    inputs: Option<&mut [files::Input; 2]>,
) -> anyhow::Result<()> {
    let (Some(path), Some(rows)) = (&opts.html, rows) else { return Ok(()) };
    let mut frames = HashMap::new();
    for (link, input) in inputs.into_iter().flatten().enumerate() {
        let wanted = rows.wanted(link);
        let mut source = input.source()?;
        let mut n = 0u64;
        while let Ok(Got::Frame(frame, _)) = source.next_frame() {
            n += 1;
            if wanted.contains(&n) {
                frames.insert((link, n), crate::explorer::hop_frame(n, &names[link], &frame));
            }
        }
    }
    let said = crate::explorer::hop_page(path, opts.force, rows, names, sources, frames)?;
    if !opts.quiet {
        eprintln!("{said}");
    }
    Ok(())
}

/// Says on stderr what the memory bound left out.
fn warn(study: &Study, tally: &Tally) {
    if study.forgotten > 0 {
        eprintln!("{}", notes::hop_forgotten(study.forgotten, MAX_HELD));
    }
    if study.knowledge.not_kept() > 0 && tally.only_total > 0 {
        eprintln!("{}", notes::hop_facts_not_kept(study.knowledge.not_kept(), crate::hop::MAX_FACTS));
    }
}
