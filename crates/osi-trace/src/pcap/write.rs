//! Writing: frames to a classic pcap file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::{len_u32, linktype_number};
use crate::frame::{Frame, LinkType};
use anyhow::{bail, Context};

// Writing

/// Writes frames to a classic pcap file (microsecond timestamps, this
/// machine's byte order), which tcpdump, tshark and Wireshark all read.
pub struct CaptureWriter {
    out: BufWriter<File>,
    link: LinkType,
    snaplen: u32,
}

impl std::fmt::Debug for CaptureWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureWriter").field("link", &self.link).field("snaplen", &self.snaplen).finish()
    }
}

impl CaptureWriter {
    /// Creates `path` for frames of link type `link`, cut at `snaplen` bytes
    /// (0: not cut).
    pub fn create(path: &Path, link: LinkType, snaplen: u32) -> anyhow::Result<CaptureWriter> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let snaplen = if snaplen == 0 { u32::MAX } else { snaplen };
        let snaplen = snaplen.min(i32::MAX as u32);
        // The file header: magic (µs), version 2.4, zone 0, accuracy 0, snap length, link type.
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&0xa1b2_c3d4u32.to_ne_bytes());
        header.extend_from_slice(&2u16.to_ne_bytes());
        header.extend_from_slice(&4u16.to_ne_bytes());
        for v in [0, 0, snaplen, linktype_number(link)] {
            header.extend_from_slice(&v.to_ne_bytes());
        }
        let mut out = BufWriter::with_capacity(1 << 16, file);
        out.write_all(&header).with_context(|| format!("writing {}", path.display()))?;
        Ok(CaptureWriter { out, link, snaplen })
    }

    /// Appends one frame (its time to the microsecond, its bytes cut at the snap length).
    pub fn write(&mut self, frame: &Frame) -> anyhow::Result<()> {
        if frame.link != self.link {
            bail!("a {:?} frame in a {:?} capture", frame.link, self.link);
        }
        let Ok(secs) = u32::try_from(frame.ts.as_secs()) else {
            bail!("a frame time of {} s after 1970 does not fit a pcap file", frame.ts.as_secs());
        };
        let data = frame.data.get(..self.snaplen as usize).unwrap_or(&frame.data);
        let incl_len = len_u32(data.len());
        // The record header, in the byte order the file header announced.
        let mut rec = [0u8; 16];
        for (i, v) in
            [secs, frame.ts.subsec_micros(), incl_len, frame.orig_len.max(incl_len)].into_iter().enumerate()
        {
            rec[4 * i..4 * i + 4].copy_from_slice(&v.to_ne_bytes());
        }
        self.out.write_all(&rec).context("writing the capture file")?;
        self.out.write_all(data).context("writing the capture file")?;
        Ok(())
    }

    /// Flushes what is buffered to the file.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().context("flushing the capture file")
    }
}

impl Drop for CaptureWriter {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}
