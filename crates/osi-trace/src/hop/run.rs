//! `osi-trace --read LINK1 --hop LINK2`: reads the two captures twice (see
//! `view`), and writes the hop view (text or `--json`) as the second reading
//! goes. The I/O around the pure matching.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::matcher::MAX_HELD;
use super::view::{self, Frames, Study};
use super::{see, Row, Seen, Tally};
use crate::explorer::HopRows;
use crate::json::hop::{HopOnlyRecord, HopRecord};
use crate::pcap::CaptureReader;
use crate::render::hop;

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
    let mut inputs = [Input::new(a), Input::new(b)];
    let [mut one, mut two] = [inputs[0].frames(u64::MAX)?, inputs[1].frames(u64::MAX)?];
    let study = view::study([&mut one, &mut two])?;
    // Odd but readable things in the files, each said once.
    for n in one.reader.take_notes().into_iter().chain(two.reader.take_notes()) {
        eprintln!("osi-trace: warning: {n}");
    }
    if !study.related {
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
    // The second reading: as many frames as the first (a file still being written may have grown).
    let [mut one, mut two] = [inputs[0].frames(study.frames[0])?, inputs[1].frames(study.frames[1])?];
    let rows = show(&study, [&mut one, &mut two], &names, &sources, opts, out)?;
    page(rows, &names, &sources, opts, Some(&mut inputs))
}

/// `--html`: the view's rows as a page, with each row's frame bytes when they
/// come from files (a third reading; live, their bytes were not kept).
pub fn page(
    rows: Option<HopRows>,
    names: &[String; 2],
    sources: &[String; 2],
    opts: &HopOptions,
    inputs: Option<&mut [Input; 2]>,
) -> anyhow::Result<()> {
    let (Some(path), Some(rows)) = (&opts.html, rows) else { return Ok(()) };
    let mut frames = HashMap::new();
    for (link, input) in inputs.into_iter().flatten().enumerate() {
        let wanted = rows.wanted(link);
        let mut reader = input.reader()?;
        let mut n = 0u64;
        while let Some(Ok(frame)) = reader.next_frame() {
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

/// Writes the view as the second reading of the links' frames goes: JSON
/// records, or the text with its head and summary. `sources` says where each
/// link's frames came from (a file, an interface). With `--html`, also gathers
/// the rows for the page.
pub fn show(
    study: &Study,
    links: [Frames; 2],
    names: &[String; 2],
    sources: &[String; 2],
    opts: &HopOptions,
    out: impl Write,
) -> anyhow::Result<Option<HopRows>> {
    let mut out = std::io::BufWriter::new(out);
    let mut page = opts.html.as_ref().map(|_| HopRows::default());
    let text = !opts.json && !opts.quiet;
    let col = study.column;
    if text {
        for l in hop::head(names, sources, col, opts.width) {
            writeln!(out, "{l}")?;
        }
    }
    let tally = if opts.json || text || page.is_some() {
        view::rows(study, links, |view, r| {
            if let Some(page) = &mut page {
                page.push(view, r, names);
            }
            if opts.json {
                match r {
                    Row::Pair(p) => serde_json::to_writer(&mut out, &HopRecord::new(view, p, names))?,
                    Row::Only(o) => serde_json::to_writer(&mut out, &HopOnlyRecord::new(view, o, names))?,
                }
                writeln!(out)?;
            } else if text {
                for l in hop::row(view, r, names, col, opts.width) {
                    writeln!(out, "{l}")?;
                }
            }
            Ok(())
        })?
    } else {
        Tally::default()
    };
    if text {
        for l in hop::summary(&tally, names, opts.width) {
            writeln!(out, "{l}")?;
        }
    }
    out.flush()?;
    warn(study, &tally);
    Ok(page)
}

/// Says on stderr what the memory bound left out.
fn warn(study: &Study, tally: &Tally) {
    if study.forgotten > 0 {
        eprintln!(
            "osi-trace: warning: {} forgotten while waiting for their copy on the other link (at most {MAX_HELD} are held at once): shown as seen on one link only",
            kit::plural(study.forgotten, "frame")
        );
    }
    if study.knowledge.not_kept() > 0 && tally.only_total > 0 {
        eprintln!(
            "osi-trace: warning: {} about the links not kept (more than {} addresses or MACs): a reason given for a frame seen on one link only may be wrong",
            kit::plural(study.knowledge.not_kept(), "fact"),
            super::why::MAX_FACTS
        );
    }
}

/// One link's capture, read twice: a regular file is opened again; anything
/// else (a pipe, `<(zcat link1.pcap.gz)`) is copied, as it is read the first
/// time, into a temporary file the second reading reads.
pub struct Input<'a> {
    path: &'a Path,
    copy: Option<tempfile::NamedTempFile>,
}

impl<'a> Input<'a> {
    fn new(path: &'a Path) -> Self {
        Input { path, copy: None }
    }

    /// The frames, from the start: at most `limit`.
    fn frames(&mut self, limit: u64) -> anyhow::Result<LinkFrames> {
        Ok(LinkFrames { reader: self.reader()?, path: self.path.into(), number: 0, limit })
    }

    /// A reader of the capture, from the start.
    fn reader(&mut self) -> anyhow::Result<CaptureReader> {
        let path = self.path;
        let reader = if let Some(copy) = &self.copy {
            let file = File::open(copy.path()).context("reopening the copy of a piped capture")?;
            CaptureReader::from_reader(file)
        } else if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return CaptureReader::open(path);
        } else {
            let from = File::open(path).with_context(|| format!("cannot open {}", kit::escape_path(path)))?;
            let copy =
                tempfile::NamedTempFile::new().context("creating a temporary copy of a piped capture")?;
            let to = copy.reopen().context("creating a temporary copy of a piped capture")?;
            self.copy = Some(copy);
            CaptureReader::from_reader(Tee { from, to })
        };
        reader.with_context(|| format!("cannot read {}", kit::escape_path(path)))
    }
}

/// Reads `from`, writing what it reads into `to` as well.
struct Tee {
    from: File,
    to: File,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.from.read(buf)?;
        self.to.write_all(&buf[..n]).map_err(|e| {
            std::io::Error::new(e.kind(), format!("writing the temporary copy of a piped capture: {e}"))
        })?;
        Ok(n)
    }
}

/// One link's frames as the hop view sees them, numbered from 1.
struct LinkFrames {
    reader: CaptureReader,
    path: PathBuf,
    number: u64,
    limit: u64,
}

impl Iterator for LinkFrames {
    type Item = anyhow::Result<Seen>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.number == self.limit {
            return None;
        }
        let frame = self.reader.next_frame()?;
        self.number += 1;
        Some(match frame {
            Ok(f) => Ok(see(self.number, &f)),
            Err(e) => Err(e.context(format!("{} is damaged", kit::escape_path(&self.path)))),
        })
    }
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
