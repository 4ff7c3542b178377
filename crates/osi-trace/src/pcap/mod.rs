//! Capture files: reads pcap and pcapng (as tcpdump, tshark, Wireshark and
//! osi-trace write them) and writes pcap. A file that is not a capture, or is
//! cut short, gives one clear error; it never panics.
//!
//! Classic pcap goes through the `pcap-file` crate (its header parser and its
//! *raw* records: its checked `PcapPacket` refuses any record longer than the
//! file's snap length says, which is every cut frame of `tcpdump -s 96`).
//! pcapng is walked here, block by block: pcap-file 2.0 refuses valid files
//! (an option list without `opt_endofopt`, a comment not in UTF-8), keeps the
//! padding of a Simple Packet Block as packet bytes, and reads the obsolete
//! Packet Block's timestamp with its halves swapped.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use anyhow::{bail, Context};
use pcap_file::pcap::PcapReader;
use pcap_file::{DataLink, PcapError, TsResolution};

mod classic;
mod ng;
mod write;

use classic::{next_pcap, pcap_err};
use ng::NgReader;
pub use write::CaptureWriter;

use crate::frame::{Frame, LinkType};

/// The pcap link type number of `link`.
pub fn linktype_number(link: LinkType) -> u32 {
    match link {
        LinkType::Ethernet => 1,
        LinkType::LinuxSll => 113,
        LinkType::LinuxSll2 => 276,
        LinkType::RawIp => 101,
        LinkType::Null => 0,
    }
}

/// The link type of a pcap link type number; an error naming any other.
pub fn link_type(number: u32) -> anyhow::Result<LinkType> {
    Ok(match number {
        1 => LinkType::Ethernet,
        113 => LinkType::LinuxSll,
        276 => LinkType::LinuxSll2,
        101 | 228 | 229 => LinkType::RawIp,
        0 | 108 => LinkType::Null,
        other => bail!(kit::hinted(
            format!("unsupported link type {other} ({:?})", DataLink::from(other)),
            "osi-trace reads Ethernet, Linux cooked (SLL, SLL2), raw IP and BSD loopback captures"
        )),
    })
}

/// Reads frames from a pcap or pcapng file.
pub struct CaptureReader {
    inner: Inner,
    frames: u64,
    done: bool,
}

impl std::fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.inner {
            Inner::Pcap { .. } => "pcap",
            Inner::PcapNg(_) => "pcapng",
        };
        f.debug_struct("CaptureReader").field("kind", &kind).field("frames", &self.frames).finish()
    }
}

enum Inner {
    Pcap { reader: Box<PcapReader<Box<dyn Read>>>, link: LinkType, nanos: bool },
    PcapNg(NgReader),
}

/// Why the next frame could not be read.
enum Bad {
    /// The bytes are damaged or cut short.
    Damaged(anyhow::Error),
    /// The bytes are sound but hold something osi-trace does not read.
    Unsupported(anyhow::Error),
}

fn damaged(msg: impl std::fmt::Display) -> Bad {
    Bad::Damaged(anyhow::anyhow!("{msg}"))
}

fn truncated() -> Bad {
    damaged(TRUNCATED)
}

const TRUNCATED: &str = "the file ends in the middle of a record (truncated)";

fn io_bad(e: io::Error) -> Bad {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        truncated()
    } else {
        Bad::Damaged(anyhow::Error::new(e))
    }
}

impl CaptureReader {
    /// Opens `path`, telling pcap from pcapng by the magic number.
    pub fn open(path: &Path) -> anyhow::Result<CaptureReader> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        Self::from_reader(file).with_context(|| format!("cannot read {}", path.display()))
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
        let inner = match u32::from_le_bytes(magic) {
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 => {
                let reader = PcapReader::new(chained).map_err(|e| match e {
                    PcapError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        anyhow::anyhow!("the file ends in the middle of its pcap header (truncated)")
                    }
                    e => pcap_err(e),
                })?;
                let header = reader.header();
                let link = link_type(header.datalink.into())?;
                let nanos = header.ts_resolution == TsResolution::NanoSecond;
                Inner::Pcap { reader: Box::new(reader), link, nanos }
            }
            0x0a0d_0d0a => Inner::PcapNg(NgReader::new(chained)?),
            _ => bail!(not_a_capture(&magic)),
        };
        Ok(CaptureReader { inner, frames: 0, done: false })
    }

    /// The next frame; `None` at the end; an error (then `None`) for a
    /// damaged or truncated record, or a frame of a link type osi-trace
    /// does not read.
    pub fn next_frame(&mut self) -> Option<anyhow::Result<Frame>> {
        if self.done {
            return None;
        }
        let item = match &mut self.inner {
            Inner::Pcap { reader, link, nanos } => next_pcap(reader, *link, *nanos),
            Inner::PcapNg(reader) => reader.next_frame(),
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
                Some(Err(match bad {
                    Bad::Damaged(e) => e.context(format!("damaged record after frame {}", self.frames)),
                    Bad::Unsupported(e) => e.context(format!("frame {}", self.frames + 1)),
                }))
            }
        }
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
    kit::hinted(
        format!("not a pcap or pcapng file (starts with 0x{hex})"),
        "give a file written by tcpdump -w, tshark -w, Wireshark or osi-trace --write",
    )
}

#[cfg(test)]
mod tests;
