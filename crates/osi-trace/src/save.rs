//! `--write`: the frames of the trace saved as a pcap file that appears whole
//! or not at all. Where it goes is decided before any frame is read
//! ([`Target`]): a regular file is written beside and renamed over at the end,
//! so a run that fails, is interrupted or killed never leaves a torn file; a
//! FIFO or a character device is written through. The file being read is never
//! the one written. `--snaplen` keeps at most so many bytes of each frame, as
//! tcpdump's `-s` does.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use anyhow::{bail, Context};

use crate::capture::SNAPLEN;
use crate::frame::{Frame, LinkType};
use crate::pcap::CaptureWriter;
use crate::render::words::files;
use crate::target::{Existing, Target};

/// The smallest `--snaplen`: an Ethernet header. Below it not even L2 is kept.
pub const MIN_SNAPLEN: u32 = 14;

/// `--snaplen` (clap `value_parser`): bytes kept of each frame written, from
/// [`MIN_SNAPLEN`] to [`SNAPLEN`]; 0 keeps whole frames, as tcpdump's `-s 0`.
/// Each frame keeps its length on the wire, so a reader still sees every
/// segment's length (from the IP header) and how much of it was kept.
pub fn snaplen(text: &str) -> Result<u32, String> {
    let give = "give e.g. 96 (the L2 to L4 headers of a typical TCP segment) or 0 (whole frames)";
    let Ok(n) = text.trim().parse::<i64>() else {
        return Err(format!("{text:?} is not a number of bytes; {give}"));
    };
    match u32::try_from(n) {
        Ok(0) => Ok(SNAPLEN),
        Ok(n) if (MIN_SNAPLEN..=SNAPLEN).contains(&n) => Ok(n),
        _ if n < i64::from(MIN_SNAPLEN) => Err(format!(
            "{n} is below {MIN_SNAPLEN}, an Ethernet header, so not even L2 would be kept whole; {give}"
        )),
        _ => Err(format!(
            "{n} is above {SNAPLEN}, the most osi-trace keeps of a frame; give 0 (or no --snaplen) for whole frames"
        )),
    }
}

/// A `--write` in progress.
#[derive(Debug)]
pub struct Save {
    target: Target,
    snaplen: u32,
    /// Created at the first frame, whose link type the file takes.
    writer: Option<CaptureWriter>,
}

impl Save {
    /// Prepares to write `path`, refusing it when it is `read` itself (same
    /// inode), a directory, a socket or a block device.
    pub fn new(path: &Path, read: Option<&Path>, snaplen: u32) -> anyhow::Result<Save> {
        if let (Some(read), Ok(w)) = (read, std::fs::metadata(path)) {
            let r = std::fs::metadata(read).with_context(|| files::cannot_open(&kit::escape_path(read)))?;
            if (r.dev(), r.ino()) == (w.dev(), w.ino()) {
                bail!(files::write_is_read(&kit::escape_path(path)));
            }
        }
        let target = Target::open(path, "--write", Existing::Replace)?;
        Ok(Save { target, snaplen, writer: None })
    }

    fn writer(&self, link: LinkType) -> anyhow::Result<CaptureWriter> {
        let t = &self.target;
        CaptureWriter::on(t.file()?, t.writing(), link, self.snaplen, t.rewritable())
            .with_context(|| files::writing(&kit::escape_path(t.shown())))
    }

    pub fn write(&mut self, frame: &Frame) -> anyhow::Result<()> {
        let w = match &mut self.writer {
            Some(w) => w,
            None => {
                let w = self.writer(frame.link)?;
                self.writer.insert(w)
            }
        };
        w.write(frame).with_context(|| files::writing(&kit::escape_path(self.target.shown())))
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        let shown = self.target.shown();
        self.writer
            .as_mut()
            .map_or(Ok(()), |w| w.flush().with_context(|| files::writing(&kit::escape_path(shown))))
    }

    /// Completes the file: everything written, then renamed over the target.
    /// A run without any frame still leaves a readable (empty) capture.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let mut w = match self.writer.take() {
            Some(w) => w,
            None => self.writer(LinkType::Ethernet)?,
        };
        w.flush().with_context(|| files::writing(&kit::escape_path(self.target.shown())))?;
        drop(w);
        self.target.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snaplen_takes_a_byte_count_and_zero_means_whole_frames() {
        assert_eq!(snaplen("96"), Ok(96));
        assert_eq!(snaplen("14"), Ok(14));
        assert_eq!(snaplen("0"), Ok(SNAPLEN));
        assert_eq!(snaplen("262144"), Ok(SNAPLEN));
    }

    #[test]
    fn a_bad_snaplen_is_one_line_with_a_hint() {
        for (bad, says) in [
            ("x", "\"x\" is not a number of bytes; give e.g. 96"),
            ("1e3", "is not a number of bytes"),
            ("13", "13 is below 14, an Ethernet header"),
            ("-1", "-1 is below 14"),
            ("262145", "262145 is above 262144"),
        ] {
            let e = snaplen(bad).expect_err(bad);
            assert!(e.contains(says) && !e.contains('\n'), "{bad}: {e}");
        }
    }
}
