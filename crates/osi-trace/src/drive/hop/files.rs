//! `osi-trace --read LINK1 --hop LINK2`: reads the two captures twice (see
//! `hop::view`), through [`Source`] as the trace reads its file, and writes
//! the hop view (text or `--json`) as the second reading goes. A signal
//! (Ctrl-C) stops the reading, as it stops the trace's.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::{page, show, study, HopOptions};
use crate::hop::{see, Seen};
use crate::pcap::CaptureReader;
use crate::render::words::files;
use crate::source::{Got, Source, Stop};

/// Reads the capture of link1 (`--read`) and of link2 (`--hop`), matches and
/// writes. Two files that share nothing is an error.
pub fn run(files: &[PathBuf; 2], opts: &HopOptions, stop: &Stop, out: impl Write) -> anyhow::Result<()> {
    let [a, b] = files;
    if same_file(a, b) {
        bail!(kit::hinted(
            format!("--read and --hop name the same file, {}", kit::escape_path(a)),
            "give the capture of each of the router's two links, e.g. --read link1.pcap --hop link2.pcap"
        ));
    }
    let names = link_names(a, b);
    let mut inputs = [Input::new(a, stop), Input::new(b, stop)];
    let [mut one, mut two] = [inputs[0].frames(u64::MAX)?, inputs[1].frames(u64::MAX)?];
    let study = study([&mut one, &mut two])?;
    // Odd but readable things in the files, each said once.
    for n in one.source.take_notes().into_iter().chain(two.source.take_notes()) {
        eprintln!("{}", kit::warning_line("osi-trace", &n));
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

/// One link's capture, read twice: a regular file is opened again; anything
/// else (a pipe, `<(zcat link1.pcap.gz)`) is copied, as it is read the first
/// time, into a temporary file the second reading reads.
pub struct Input<'a> {
    path: &'a Path,
    copy: Option<tempfile::NamedTempFile>,
    stop: &'a Stop,
}

impl<'a> Input<'a> {
    fn new(path: &'a Path, stop: &'a Stop) -> Self {
        Input { path, copy: None, stop }
    }

    /// The frames, from the start: at most `limit`.
    fn frames(&mut self, limit: u64) -> anyhow::Result<LinkFrames<'a>> {
        Ok(LinkFrames { source: self.source()?, path: self.path, number: 0, limit })
    }

    /// The capture's frames, from the start.
    pub(super) fn source(&mut self) -> anyhow::Result<Source> {
        let path = self.path;
        let reader = if let Some(copy) = &self.copy {
            let file = File::open(copy.path()).context("reopening the copy of a piped capture")?;
            CaptureReader::from_reader(file)
        } else if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Source::file(path, self.stop);
        } else {
            let from = File::open(path).with_context(|| files::cannot_open(&kit::escape_path(path)))?;
            let copy =
                tempfile::NamedTempFile::new().context("creating a temporary copy of a piped capture")?;
            let to = copy.reopen().context("creating a temporary copy of a piped capture")?;
            self.copy = Some(copy);
            CaptureReader::from_reader(Tee { from, to })
        };
        let reader = reader.with_context(|| format!("cannot read {}", kit::escape_path(path)))?;
        Ok(Source::reader(reader, self.stop))
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
struct LinkFrames<'a> {
    source: Source,
    path: &'a Path,
    number: u64,
    limit: u64,
}

impl Iterator for LinkFrames<'_> {
    type Item = anyhow::Result<Seen>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.number == self.limit {
            return None;
        }
        match self.source.next_frame() {
            Ok(Got::Frame(f, _)) => {
                self.number += 1;
                Some(Ok(see(self.number, &f)))
            }
            Ok(_) if self.source.stop().is_set() => {
                Some(Err(self.source.stop().interrupted(&kit::escape_path(self.path), false)))
            }
            Ok(_) => None,
            Err(e) => Some(Err(e.context(format!("{} is damaged", kit::escape_path(self.path))))),
        }
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
