//! Capture files: reads pcap and pcapng (as tcpdump, tshark, Wireshark and
//! osi-trace write them) and writes pcap. A file that is not a capture, or is
//! cut short, gives one clear error; it never panics.
//!
//! Both formats are read here by hand, record by record and block by block:
//! pcap-file 2.0 refuses files tcpdump and tshark read (frames cut by
//! `tcpdump -s 96`, records over the snap length, an option list without
//! `opt_endofopt`, a comment not in UTF-8), keeps the padding of a Simple
//! Packet Block as packet bytes, and reads the obsolete Packet Block's
//! timestamp with its halves swapped. The writer is here too (`write`), and
//! the link types' names (`linktype_name`).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use anyhow::{bail, Context};

mod classic;
mod linktype_name;
mod ng;
mod write;

use classic::ClassicReader;
use ng::NgReader;
pub use write::CaptureWriter;

use crate::frame::{Frame, LinkType};
use crate::render::words::files::{self, Damage};

/// The pcap link type number of `link`.
pub fn linktype_number(link: LinkType) -> u32 {
    match link {
        LinkType::Ethernet => 1,
        LinkType::LinuxSll => 113,
        LinkType::LinuxSll2 => 276,
        LinkType::RawIp => 101,
        LinkType::Null => 0,
        LinkType::Ppp => 9,
        LinkType::IpOverIb => 242,
        LinkType::Unsupported(n) => n,
    }
}

/// The link type of a pcap link type number; an error naming any other.
pub fn link_type(number: u32) -> anyhow::Result<LinkType> {
    Ok(match number {
        1 => LinkType::Ethernet,
        113 => LinkType::LinuxSll,
        276 => LinkType::LinuxSll2,
        // 12 and 14: DLT_RAW as old BSDs numbered it in their files.
        12 | 14 | 101 | 228 | 229 => LinkType::RawIp,
        0 | 108 => LinkType::Null,
        9 => LinkType::Ppp,
        242 => LinkType::IpOverIb,
        other => bail!(files::unsupported_link(other, &linktype_name::linktype_name(other))),
    })
}

/// Reads frames from a pcap or pcapng file.
pub struct CaptureReader {
    inner: Inner,
    frames: u64,
    done: bool,
    /// Odd but readable things met so far, each said once (see [`CaptureReader::take_notes`]).
    notes: Vec<String>,
}

impl std::fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.inner {
            Inner::Pcap(_) => "pcap",
            Inner::PcapNg(_) => "pcapng",
        };
        f.debug_struct("CaptureReader").field("kind", &kind).field("frames", &self.frames).finish()
    }
}

enum Inner {
    Pcap(ClassicReader),
    PcapNg(NgReader),
}

/// Why the next frame could not be read: the bytes are damaged or cut short.
/// (A frame of a link type osi-trace does not read is not an error: it is
/// passed on as [`LinkType::Unsupported`] and the decoder skips it.)
struct Bad(anyhow::Error);

fn damaged(msg: impl std::fmt::Display) -> Bad {
    Bad(anyhow::anyhow!("{msg}"))
}

fn truncated() -> Bad {
    damaged(files::damage(Damage::TruncatedRecord))
}

fn io_bad(e: io::Error) -> Bad {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        truncated()
    } else {
        Bad(anyhow::Error::new(e))
    }
}

impl CaptureReader {
    /// Opens `path`, telling pcap from pcapng by the magic number.
    pub fn open(path: &Path) -> anyhow::Result<CaptureReader> {
        let file = File::open(path).with_context(|| files::cannot_open(&kit::escape_path(path)))?;
        Self::from_reader(file).with_context(|| files::cannot_read(&kit::escape_path(path)))
    }

    /// Reads a capture from any byte stream.
    pub fn from_reader(r: impl Read + 'static) -> anyhow::Result<CaptureReader> {
        let mut r = BufReader::with_capacity(1 << 20, r);
        let mut magic = [0u8; 4];
        let got = read_full(&mut r, &mut magic)?;
        if got < 4 {
            bail!(not_a_capture(&magic[..got]));
        }
        let chained: Box<dyn Read> = Box::new(io::Cursor::new(magic).chain(r));
        let mut notes = Vec::new();
        let inner = match u32::from_le_bytes(magic) {
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 => {
                Inner::Pcap(ClassicReader::new(chained, &mut notes)?)
            }
            0x0a0d_0d0a => Inner::PcapNg(NgReader::new(chained)?),
            _ => bail!(not_a_capture(&magic)),
        };
        Ok(CaptureReader { inner, frames: 0, done: false, notes })
    }

    /// The next frame; `None` at the end; an error (then `None`) for a
    /// damaged or truncated record. A frame of a link type osi-trace does
    /// not read comes as [`LinkType::Unsupported`], for the decoder to skip.
    pub fn next_frame(&mut self) -> Option<anyhow::Result<Frame>> {
        if self.done {
            return None;
        }
        let item = match &mut self.inner {
            Inner::Pcap(reader) => reader.next_frame(&mut self.notes),
            Inner::PcapNg(reader) => reader.next_frame(&mut self.notes),
        };
        match item {
            Ok(Some(f)) => {
                self.frames += 1;
                Some(Ok(f))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(bad) => {
                self.done = true;
                Some(Err(bad.0.context(files::damage(Damage::RecordAfter(self.frames)))))
            }
        }
    }
}

impl CaptureReader {
    /// Lines about odd but readable things in the file (a time field out of
    /// range, ...), each kind once, for the program to show as warnings.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }
}

impl Iterator for CaptureReader {
    type Item = anyhow::Result<Frame>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame()
    }
}

/// Reads until `buf` is full or the stream ends; the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn not_a_capture(magic: &[u8]) -> kit::Hinted {
    let hex: String = magic.iter().map(|b| format!("{b:02x}")).collect();
    if kit::lang::vi() {
        return kit::hinted(
            format!("không phải file pcap hay pcapng (bắt đầu bằng 0x{hex})"),
            "hãy đưa một file do tcpdump -w, tshark -w, Wireshark hoặc osi-trace --write ghi ra",
        );
    }
    kit::hinted(
        format!("not a pcap or pcapng file (starts with 0x{hex})"),
        "give a file written by tcpdump -w, tshark -w, Wireshark or osi-trace --write",
    )
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lenient;
#[cfg(test)]
mod tests_write;
