//! `--write`: the frames of the trace saved as a pcap file that appears whole
//! or not at all. Frames go to a temporary file beside the target, renamed
//! over it at the end; a run that fails or is killed never leaves a torn file,
//! and the file being read is never the one written. `--snaplen` keeps at
//! most so many bytes of each frame, as tcpdump's `-s` does.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tempfile::TempPath;

use crate::capture::SNAPLEN;
use crate::frame::{Frame, LinkType};
use crate::pcap::CaptureWriter;

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
    path: PathBuf,
    tmp: TempPath,
    snaplen: u32,
    /// Created at the first frame, whose link type the file takes.
    writer: Option<CaptureWriter>,
}

impl Save {
    /// Prepares to write `path`, refusing it when it is `read` itself (same inode).
    pub fn new(path: &Path, read: Option<&Path>, snaplen: u32) -> anyhow::Result<Save> {
        if let (Some(read), Ok(w)) = (read, std::fs::metadata(path)) {
            let r =
                std::fs::metadata(read).with_context(|| format!("cannot open {}", kit::escape_path(read)))?;
            if (r.dev(), r.ino()) == (w.dev(), w.ino()) {
                bail!(
                    "--write {} is the file --read reads: it would be emptied before it is read; hint: write to another file",
                    kit::escape_path(path)
                );
            }
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".osi-trace-")
            .suffix(".pcap.part")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create {}", kit::escape_path(path)))?
            .into_temp_path();
        Ok(Save { path: path.to_path_buf(), tmp, snaplen, writer: None })
    }

    pub fn write(&mut self, frame: &Frame) -> anyhow::Result<()> {
        let w = match &mut self.writer {
            Some(w) => w,
            None => self.writer.insert(CaptureWriter::create(&self.tmp, frame.link, self.snaplen)?),
        };
        w.write(frame)
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.writer.as_mut().map_or(Ok(()), CaptureWriter::flush)
    }

    /// Completes the file: everything written, then renamed over the target.
    /// A run without any frame still leaves a readable (empty) capture.
    pub fn finish(mut self) -> anyhow::Result<()> {
        match self.writer.take() {
            Some(mut w) => w.flush()?,
            None => CaptureWriter::create(&self.tmp, LinkType::Ethernet, self.snaplen)?.flush()?,
        }
        self.tmp
            .persist(&self.path)
            .with_context(|| format!("cannot create {}", kit::escape_path(&self.path)))?;
        Ok(())
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
