//! Writing: frames to a classic pcap file; if a frame of a second link type
//! comes (a pcapng source that mixes them), the file so far is turned into
//! pcapng, which holds one interface per link type, and writing goes on there.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::{len_u32, linktype_number, CaptureReader};
use crate::frame::{Frame, LinkType};
use crate::render::words::files;

/// Writes frames to a classic pcap file (microsecond timestamps, this
/// machine's byte order), which tcpdump, tshark and Wireshark all read; or,
/// once the frames mix link types, to pcapng (nanosecond timestamps).
pub struct CaptureWriter {
    out: BufWriter<File>,
    path: PathBuf,
    link: LinkType,
    snaplen: u32,
    /// `Some` once the file is pcapng: the link type of each interface written.
    interfaces: Option<Vec<LinkType>>,
    /// Whether the file can be read back and rewritten as pcapng (not a FIFO or a device).
    rewritable: bool,
}

impl std::fmt::Debug for CaptureWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureWriter")
            .field("link", &self.link)
            .field("snaplen", &self.snaplen)
            .field("pcapng", &self.interfaces.is_some())
            .finish()
    }
}

impl CaptureWriter {
    /// Creates `path` for frames of link type `link`, cut at `snaplen` bytes
    /// (0: not cut).
    pub fn create(path: &Path, link: LinkType, snaplen: u32) -> anyhow::Result<CaptureWriter> {
        let file = File::create(path).with_context(|| files::cannot_create(&kit::escape_path(path)))?;
        CaptureWriter::on(file, path, link, snaplen, true)
    }

    /// Writes into `file`, open on `path`; `rewritable` says whether it can be
    /// read back from `path` and rewritten (a FIFO or a device cannot).
    pub fn on(
        file: File,
        path: &Path,
        link: LinkType,
        snaplen: u32,
        rewritable: bool,
    ) -> anyhow::Result<CaptureWriter> {
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
        out.write_all(&header)?;
        Ok(CaptureWriter { out, path: path.to_path_buf(), link, snaplen, interfaces: None, rewritable })
    }

    /// Whether the file became pcapng (the frames mixed link types).
    pub fn is_pcapng(&self) -> bool {
        self.interfaces.is_some()
    }

    /// Appends one frame (its time to the microsecond in pcap, its bytes cut at the snap length).
    pub fn write(&mut self, frame: &Frame) -> anyhow::Result<()> {
        if self.interfaces.is_none() && frame.link != self.link {
            if !self.rewritable {
                let (first, then) = (format!("{:?}", self.link), format!("{:?}", frame.link));
                bail!(files::two_link_types(&first, &then, &kit::escape_path(&self.path)));
            }
            self.become_pcapng().context(files::turning_pcapng())?;
        }
        let data = frame.data.get(..self.snaplen as usize).unwrap_or(&frame.data);
        let orig_len = frame.orig_len.max(len_u32(data.len()));
        if let Some(interfaces) = &mut self.interfaces {
            let iface = match interfaces.iter().position(|l| *l == frame.link) {
                Some(i) => i,
                None => {
                    interfaces.push(frame.link);
                    self.out.write_all(&idb(frame.link, self.snaplen))?;
                    interfaces.len() - 1
                }
            };
            return Ok(self.out.write_all(&epb(iface as u32, frame, data, orig_len))?);
        }
        let Ok(secs) = u32::try_from(frame.ts.as_secs()) else {
            bail!(files::too_late(frame.ts.as_secs()));
        };
        // The record header, in the byte order the file header announced.
        let mut rec = [0u8; 16];
        for (i, v) in [secs, frame.ts.subsec_micros(), len_u32(data.len()), orig_len].into_iter().enumerate()
        {
            rec[4 * i..4 * i + 4].copy_from_slice(&v.to_ne_bytes());
        }
        self.out.write_all(&rec)?;
        self.out.write_all(data)?;
        Ok(())
    }

    /// Rewrites the pcap written so far as pcapng, beside it, then puts it in
    /// its place: the file is a whole capture at every moment, never half one.
    fn become_pcapng(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = self.path.with_file_name(format!(".{name}.osi-trace-pcapng"));
        let file = File::create(&tmp).with_context(|| files::cannot_create(&kit::escape_path(&tmp)))?;
        let mut ng = BufWriter::with_capacity(1 << 16, file);
        let copy = |ng: &mut BufWriter<File>| -> anyhow::Result<()> {
            ng.write_all(&shb())?;
            ng.write_all(&idb(self.link, self.snaplen))?;
            for f in CaptureReader::open(&self.path)? {
                let f = f?;
                ng.write_all(&epb(0, &f, &f.data, f.orig_len))?;
            }
            Ok(ng.flush()?)
        };
        if let Err(e) = copy(&mut ng).and_then(|()| Ok(std::fs::rename(&tmp, &self.path)?)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        self.out = ng;
        self.interfaces = Some(vec![self.link]);
        Ok(())
    }

    /// Flushes what is buffered to the file.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        Ok(self.out.flush()?)
    }
}

impl Drop for CaptureWriter {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// A pcapng block: type, total length, body padded to 4 bytes, total length again.
fn block(kind: u32, body: &[u8]) -> Vec<u8> {
    let padded = body.len().next_multiple_of(4);
    let len = len_u32(12 + padded);
    let mut b = Vec::with_capacity(12 + padded);
    b.extend_from_slice(&kind.to_ne_bytes());
    b.extend_from_slice(&len.to_ne_bytes());
    b.extend_from_slice(body);
    b.resize(8 + padded, 0);
    b.extend_from_slice(&len.to_ne_bytes());
    b
}

/// Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
fn shb() -> Vec<u8> {
    let mut body = 0x1a2b_3c4du32.to_ne_bytes().to_vec();
    body.extend_from_slice(&1u16.to_ne_bytes());
    body.extend_from_slice(&0u16.to_ne_bytes());
    body.extend_from_slice(&(-1i64).to_ne_bytes());
    block(0x0a0d_0d0a, &body)
}

/// Interface Description Block for `link`, with if_tsresol 9 (nanoseconds).
fn idb(link: LinkType, snaplen: u32) -> Vec<u8> {
    let mut body = (linktype_number(link) as u16).to_ne_bytes().to_vec();
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&snaplen.to_ne_bytes());
    body.extend_from_slice(&9u16.to_ne_bytes()); // if_tsresol
    body.extend_from_slice(&1u16.to_ne_bytes());
    body.extend_from_slice(&[9, 0, 0, 0]);
    body.extend_from_slice(&[0; 4]); // opt_endofopt
    block(1, &body)
}

/// Enhanced Packet Block: interface, time in nanoseconds, lengths, bytes.
fn epb(iface: u32, frame: &Frame, data: &[u8], orig_len: u32) -> Vec<u8> {
    let ns = u64::try_from(frame.ts.as_nanos()).unwrap_or(u64::MAX);
    let mut body = Vec::with_capacity(20 + data.len());
    for v in [iface, (ns >> 32) as u32, ns as u32, len_u32(data.len()), orig_len] {
        body.extend_from_slice(&v.to_ne_bytes());
    }
    body.extend_from_slice(data);
    block(6, &body)
}
