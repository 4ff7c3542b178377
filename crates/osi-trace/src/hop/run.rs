//! `osi-trace --read LINK1 --hop LINK2`: reads the two captures, matches them
//! and writes the hop view (text or `--json`). The I/O around the pure matching.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::record::{HopOnlyRecord, HopRecord};
use super::{match_links, see, HopView, Row, Seen};
use crate::frame::Frame;
use crate::pcap::CaptureReader;
use crate::render::hop;

/// At most this many frames of each file are compared (memory stays bounded:
/// a frame is kept as its facts, about 200 bytes).
pub const MAX_FRAMES: usize = 1_000_000;

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

/// Reads the capture of link1 (`--read`) and of link2 (`--hop`), matches and
/// writes. Two files that share nothing is an error.
pub fn run(files: &[PathBuf; 2], opts: &HopOptions, out: impl Write) -> anyhow::Result<()> {
    let [a, b] = files;
    if same_file(a, b) {
        bail!(kit::hinted(
            format!("--read and --hop name the same file, {}", kit::escape_path(a)),
            "give the capture of each of the router's two links, e.g. --read link1.pcap --hop link2.pcap"
        ));
    }
    let names = link_names(a, b);
    let view = match_links(read(a)?, read(b)?);
    if !view.related {
        bail!(kit::hinted(
            format!(
                "no datagram seen on both links: {} and {} share no IP address",
                kit::escape_path(a),
                kit::escape_path(b)
            ),
            "give captures of the two links of one router, taken at the same time (the lab's link1.pcap and link2.pcap)"
        ));
    }
    use std::os::unix::ffi::OsStrExt;
    let sources = [kit::escape_all(a.as_os_str().as_bytes()), kit::escape_all(b.as_os_str().as_bytes())];
    show(&view, &names, &sources, opts, out)?;
    page(&view, &names, &sources, opts, Some(files))
}

/// `--html`: the view as a page, with each row's frame bytes when they come from files.
pub fn page(
    view: &HopView,
    names: &[String; 2],
    sources: &[String; 2],
    opts: &HopOptions,
    files: Option<&[PathBuf; 2]>,
) -> anyhow::Result<()> {
    let Some(path) = &opts.html else { return Ok(()) };
    // The frames the rows name, read again from the files (live, their bytes were not kept).
    let mut wanted: [std::collections::HashMap<u64, Option<Frame>>; 2] = Default::default();
    for r in view.rows.iter().take(crate::explorer::MAX_ROWS) {
        match r {
            Row::Pair(p) => wanted[p.from].insert(p.before().frame, None),
            Row::Only(o) => wanted[o.link].insert(o.seen.frame, None),
        };
    }
    for (i, file) in files.into_iter().flatten().enumerate() {
        let mut reader = CaptureReader::open(file)?;
        let mut n = 0u64;
        while let Some(Ok(frame)) = reader.next_frame() {
            n += 1;
            if let Some(slot) = wanted[i].get_mut(&n) {
                *slot = Some(frame);
            }
        }
    }
    let frames = |link: usize, n: u64| wanted[link].get(&n).cloned().flatten();
    let said = crate::explorer::hop_page(path, opts.force, view, names, sources, &frames)?;
    if !opts.quiet {
        eprintln!("{said}");
    }
    Ok(())
}

/// Writes the view: JSON records, or the text with its head and summary.
/// `sources` says where each link's frames came from (a file, an interface).
pub fn show(
    view: &HopView,
    names: &[String; 2],
    sources: &[String; 2],
    opts: &HopOptions,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    if opts.json {
        for r in &view.rows {
            match r {
                Row::Pair(p) => serde_json::to_writer(&mut out, &HopRecord::new(view, p, names))?,
                Row::Only(o) => serde_json::to_writer(&mut out, &HopOnlyRecord::new(view, o, names))?,
            }
            writeln!(out)?;
        }
    } else if !opts.quiet {
        let col = hop::column(view);
        let mut lines = hop::head(names, sources, col, opts.width);
        for r in &view.rows {
            lines.extend(hop::row(view, r, names, col, opts.width));
        }
        lines.extend(hop::summary(view, names, opts.width));
        for l in lines {
            writeln!(out, "{l}")?;
        }
    }
    Ok(out.flush()?)
}

/// Every frame of one file, as the hop view sees it; at most [`MAX_FRAMES`].
fn read(path: &Path) -> anyhow::Result<Vec<Seen>> {
    let mut reader = CaptureReader::open(path)?;
    let mut frames = Vec::new();
    while let Some(frame) = reader.next_frame() {
        let frame = frame.with_context(|| format!("{} is damaged", kit::escape_path(path)))?;
        if frames.len() == MAX_FRAMES {
            eprintln!(
                "osi-trace: warning: only the first {MAX_FRAMES} frames of {} are compared",
                kit::escape_path(path)
            );
            break;
        }
        frames.push(see(frames.len() as u64 + 1, &frame));
    }
    reader.take_notes().iter().for_each(|n| eprintln!("osi-trace: warning: {n}"));
    Ok(frames)
}

/// The same file under two names (or a hard link): nothing to compare.
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The links' names, from the files' names without what they share in front
/// (`echo-link1.pcap`, `echo-link2.pcap` → `link1`, `link2`); `link1` and
/// `link2` when that leaves nothing to tell them apart.
pub fn link_names(a: &Path, b: &Path) -> [String; 2] {
    use std::os::unix::ffi::OsStrExt;
    // Escaped like a payload: a name holding control bytes cannot reach the terminal raw.
    let stem = |p: &Path| p.file_stem().map(|s| kit::escape_all(s.as_bytes())).unwrap_or_default();
    let (x, y) = (stem(a), stem(b));
    let common = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
    // Cut back to the last separator, so `link1`/`link2` keep their `link`.
    let cut = x.chars().take(common).collect::<String>().rfind(['-', '_', '.']).map_or(0, |i| i + 1);
    let name = |s: &str| s.chars().skip(cut).collect::<String>();
    let (n1, n2) = (name(&x), name(&y));
    if n1.is_empty() || n2.is_empty() || n1 == n2 {
        ["link1".into(), "link2".into()]
    } else {
        [n1, n2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_names_drop_the_common_prefix_up_to_a_separator() {
        let n = |a: &str, b: &str| link_names(Path::new(a), Path::new(b));
        assert_eq!(n("/x/echo-link1.pcap", "/y/echo-link2.pcap"), ["link1", "link2"]);
        assert_eq!(n("link1.pcap", "link2.pcap"), ["link1", "link2"]);
        assert_eq!(n("in.pcap", "out.pcapng"), ["in", "out"]);
        assert_eq!(n("a/run.pcap", "b/run.pcap"), ["link1", "link2"]);
    }
}
