//! `--write`: the frames of the trace saved as a pcap file that appears whole
//! or not at all. Frames go to a temporary file beside the target, renamed
//! over it at the end; a run that fails or is killed never leaves a torn file,
//! and the file being read is never the one written.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tempfile::TempPath;

use crate::frame::{Frame, LinkType};
use crate::pcap::CaptureWriter;

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
