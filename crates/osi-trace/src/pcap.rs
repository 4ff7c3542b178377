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
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use pcap_file::pcap::{PcapHeader, PcapReader};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

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

fn next_pcap(
    reader: &mut PcapReader<Box<dyn Read>>,
    link: LinkType,
    nanos: bool,
) -> Result<Option<Frame>, Bad> {
    let Some(p) = reader.next_raw_packet() else {
        return Ok(None);
    };
    let p = p.map_err(|e| Bad::Damaged(pcap_err(e)))?;
    // A fraction of a second past 10^9 ns (or 10^6 µs) is carried, as
    // libpcap and Wireshark show it, rather than refused.
    let frac = u64::from(p.ts_frac) * if nanos { 1 } else { 1000 };
    let ts = Duration::from_secs(u64::from(p.ts_sec)) + Duration::from_nanos(frac);
    let data = p.data.into_owned();
    // The length on the wire is at least what was captured.
    let orig_len = p.orig_len.max(len_u32(data.len()));
    Ok(Some(Frame { ts, link, orig_len, data }))
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

fn pcap_err(e: PcapError) -> anyhow::Error {
    match e {
        PcapError::IncompleteBuffer => anyhow::anyhow!(TRUNCATED),
        PcapError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => anyhow::anyhow!(TRUNCATED),
        PcapError::IoError(e) => anyhow::Error::new(e),
        other => anyhow::anyhow!("{other}"),
    }
}

// ---------------------------------------------------------------------------
// pcapng

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
/// No block of a sane capture comes near this; a bigger length is damage.
const MAX_BLOCK: u32 = 64 << 20;

/// A pcapng file, block by block.
struct NgReader {
    r: Box<dyn Read>,
    big_endian: bool,
    interfaces: Vec<Interface>,
}

/// What an Interface Description Block says about the packets of its interface.
struct Interface {
    linktype: u32,
    snaplen: u32,
    /// if_tsresol: a power of 10 (high bit clear) or of 2 (high bit set); 6 (µs) by default.
    tsresol: u8,
    /// if_tsoffset: seconds to add to every timestamp.
    tsoffset: i64,
}

impl NgReader {
    fn new(r: Box<dyn Read>) -> anyhow::Result<NgReader> {
        let mut ng = NgReader { r, big_endian: false, interfaces: Vec::new() };
        match ng.next_block() {
            Ok(Some((SHB, body))) => ng.section(&body).map_err(bad_error)?,
            Ok(_) => bail!("a pcapng file must start with a section header block"),
            Err(bad) => return Err(bad_error(bad).context("a damaged pcapng section header")),
        }
        Ok(ng)
    }

    fn u16_at(&self, b: &[u8], at: usize) -> Option<u16> {
        let v: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big_endian { u16::from_be_bytes(v) } else { u16::from_le_bytes(v) })
    }

    fn u32_at(&self, b: &[u8], at: usize) -> Option<u32> {
        let v: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian { u32::from_be_bytes(v) } else { u32::from_le_bytes(v) })
    }

    fn u64_at(&self, b: &[u8], at: usize) -> Option<u64> {
        let v: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(if self.big_endian { u64::from_be_bytes(v) } else { u64::from_le_bytes(v) })
    }

    /// The next block's type and body (without the length fields); `None` at the end.
    fn next_block(&mut self) -> Result<Option<(u32, Vec<u8>)>, Bad> {
        let mut head = [0u8; 8];
        match read_full(&mut self.r, &mut head).map_err(io_bad)? {
            0 => return Ok(None),
            8 => {}
            _ => return Err(truncated()),
        }
        let mut body = Vec::new();
        let kind = if head[..4] == SHB.to_le_bytes() {
            // A new section: its byte-order magic says how to read it, and
            // the interfaces of the section before no longer count.
            let mut bom = [0u8; 4];
            if read_full(&mut self.r, &mut bom).map_err(io_bad)? < 4 {
                return Err(truncated());
            }
            self.big_endian = match bom {
                [0x1a, 0x2b, 0x3c, 0x4d] => true,
                [0x4d, 0x3c, 0x2b, 0x1a] => false,
                _ => return Err(damaged("a section header with a bad byte-order magic")),
            };
            self.interfaces.clear();
            body.extend_from_slice(&bom);
            SHB
        } else {
            self.u32_at(&head, 0).unwrap_or_default()
        };
        let len = self.u32_at(&head, 4).unwrap_or_default();
        if len < 12 + len_u32(body.len()) || len % 4 != 0 || len > MAX_BLOCK {
            return Err(damaged(format_args!("a block (type {kind:#x}) with an impossible length {len}")));
        }
        let rest = u64::from(len - 12) - body.len() as u64;
        let before = body.len() as u64;
        (&mut self.r).take(rest).read_to_end(&mut body).map_err(io_bad)?;
        if body.len() as u64 - before != rest {
            return Err(truncated());
        }
        let mut tail = [0u8; 4];
        if read_full(&mut self.r, &mut tail).map_err(io_bad)? < 4 {
            return Err(truncated());
        }
        let tail = self.u32_at(&tail, 0).unwrap_or_default();
        if tail != len {
            return Err(damaged(format_args!(
                "a block (type {kind:#x}) whose two length fields disagree ({len} and {tail})"
            )));
        }
        Ok(Some((kind, body)))
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, Bad> {
        loop {
            let Some((kind, body)) = self.next_block()? else {
                return Ok(None);
            };
            let short = || damaged(format_args!("a block (type {kind}) too short for its fields"));
            match kind {
                SHB => self.section(&body)?,
                IDB => self.interface(&body)?,
                EPB => {
                    let f = |at| self.u32_at(&body, at).ok_or_else(short);
                    let (iface, hi, lo, caplen, orig_len) = (f(0)?, f(4)?, f(8)?, f(12)?, f(16)?);
                    let ticks = u64::from(hi) << 32 | u64::from(lo);
                    return self.frame(
                        iface as usize,
                        Some(ticks),
                        orig_len,
                        packet_data(&body, 20, caplen)?,
                    );
                }
                PB => {
                    let iface = self.u16_at(&body, 0).ok_or_else(short)?;
                    let f = |at| self.u32_at(&body, at).ok_or_else(short);
                    let (hi, lo, caplen, orig_len) = (f(4)?, f(8)?, f(12)?, f(16)?);
                    let ticks = u64::from(hi) << 32 | u64::from(lo);
                    return self.frame(
                        usize::from(iface),
                        Some(ticks),
                        orig_len,
                        packet_data(&body, 20, caplen)?,
                    );
                }
                SPB => {
                    // No captured length: the packet is what the block holds
                    // (less its padding), cut at interface 0's snap length.
                    let orig_len = self.u32_at(&body, 0).ok_or_else(short)?;
                    let mut caplen = orig_len.min(len_u32(body.len() - 4));
                    if let Some(i) = self.interfaces.first().filter(|i| i.snaplen > 0) {
                        caplen = caplen.min(i.snaplen);
                    }
                    return self.frame(0, None, orig_len, packet_data(&body, 4, caplen)?);
                }
                _ => {} // name resolution, statistics, journal, custom blocks, ...
            }
        }
    }

    fn section(&mut self, body: &[u8]) -> Result<(), Bad> {
        let (Some(major), Some(minor)) = (self.u16_at(body, 4), self.u16_at(body, 6)) else {
            return Err(damaged("a section header too short for its fields"));
        };
        if major != 1 {
            return Err(damaged(format_args!("a section header of pcapng version {major}.{minor}, not 1.x")));
        }
        Ok(())
    }

    fn interface(&mut self, body: &[u8]) -> Result<(), Bad> {
        let (Some(linktype), Some(snaplen)) = (self.u16_at(body, 0), self.u32_at(body, 4)) else {
            return Err(damaged("an interface description too short for its fields"));
        };
        let mut iface = Interface { linktype: u32::from(linktype), snaplen, tsresol: 6, tsoffset: 0 };
        // Options, read leniently: the list may end without opt_endofopt, and
        // an option that runs past the block ends it.
        let mut at = 8;
        while let (Some(code), Some(len)) = (self.u16_at(body, at), self.u16_at(body, at + 2)) {
            let len = usize::from(len);
            let Some(value) = body.get(at + 4..at + 4 + len) else { break };
            match (code, len) {
                (0, _) => break,
                (9, 1) => iface.tsresol = value.first().copied().unwrap_or(6),
                (14, 8) => iface.tsoffset = self.u64_at(value, 0).unwrap_or_default() as i64,
                _ => {}
            }
            at += 4 + len.next_multiple_of(4);
        }
        self.interfaces.push(iface);
        Ok(())
    }

    fn frame(
        &self,
        iface: usize,
        ticks: Option<u64>,
        orig_len: u32,
        data: Vec<u8>,
    ) -> Result<Option<Frame>, Bad> {
        let Some(i) = self.interfaces.get(iface) else {
            return Err(damaged(format_args!(
                "a packet on interface {iface}, which the file never described"
            )));
        };
        let link = link_type(i.linktype)
            .map_err(|e| Bad::Unsupported(e.context(format!("interface {iface} of the pcapng file"))))?;
        // A Simple Packet Block has no time.
        let ts = ticks.map_or(Duration::ZERO, |t| {
            let ts = ticks_to_duration(u128::from(t), i.tsresol);
            let off = Duration::from_secs(i.tsoffset.unsigned_abs());
            if i.tsoffset >= 0 {
                ts.saturating_add(off)
            } else {
                ts.saturating_sub(off)
            }
        });
        let orig_len = orig_len.max(len_u32(data.len()));
        Ok(Some(Frame { ts, link, orig_len, data }))
    }
}

/// The `caplen` packet bytes at `at` in a block's body.
fn packet_data(body: &[u8], at: usize, caplen: u32) -> Result<Vec<u8>, Bad> {
    body.get(at..at.saturating_add(caplen as usize)).map(<[u8]>::to_vec).ok_or_else(|| {
        damaged(format_args!("a packet of {caplen} captured bytes in a block of {} bytes", body.len() + 12))
    })
}

fn bad_error(bad: Bad) -> anyhow::Error {
    match bad {
        Bad::Damaged(e) | Bad::Unsupported(e) => e,
    }
}

/// pcapng's if_tsresol: a power of 10 (high bit clear) or of 2 (high bit set).
fn ticks_to_duration(ticks: u128, resol: u8) -> Duration {
    let nanos = if resol & 0x80 == 0 {
        let exp = u32::from(resol.min(38));
        if exp >= 9 {
            ticks / 10u128.pow(exp - 9)
        } else {
            ticks.saturating_mul(10u128.pow(9 - exp))
        }
    } else {
        let exp = u32::from(resol & 0x7f);
        ticks.saturating_mul(1_000_000_000) >> exp
    };
    let secs = (nanos / 1_000_000_000).min(u128::from(u64::MAX)) as u64;
    Duration::new(secs, (nanos % 1_000_000_000) as u32)
}

// ---------------------------------------------------------------------------
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
        let header = PcapHeader {
            datalink: DataLink::from(linktype_number(link)),
            snaplen: snaplen.min(i32::MAX as u32),
            ts_resolution: TsResolution::MicroSecond,
            endianness: Endianness::native(),
            ..PcapHeader::default()
        };
        let mut out = BufWriter::with_capacity(1 << 16, file);
        header.write_to(&mut out).map_err(pcap_err).with_context(|| format!("writing {}", path.display()))?;
        Ok(CaptureWriter { out, link, snaplen: header.snaplen })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> Vec<Frame> {
        (0..5u8)
            .map(|i| Frame {
                ts: Duration::new(1_700_000_000 + u64::from(i), 123_456_000),
                link: LinkType::Ethernet,
                orig_len: 60 + u32::from(i),
                data: vec![i; 60 + usize::from(i)],
            })
            .collect()
    }

    /// Writes [`frames`] to a pcap file at `path`.
    fn write_frames(path: &Path) -> anyhow::Result<()> {
        let mut w = CaptureWriter::create(path, LinkType::Ethernet, 262_144)?;
        for f in frames() {
            w.write(&f)?;
        }
        w.flush()
    }

    fn read(bytes: Vec<u8>) -> anyhow::Result<Vec<Frame>> {
        CaptureReader::from_reader(io::Cursor::new(bytes))?.collect()
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
    }

    #[test]
    fn what_it_writes_it_reads_back_identically() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.pcap");
        write_frames(&path)?;
        let back: Vec<Frame> = CaptureReader::open(&path)?.collect::<anyhow::Result<_>>()?;
        assert_eq!(back, frames());
        // Native byte order, microseconds, the snap length given.
        let bytes = std::fs::read(&path)?;
        assert_eq!(bytes[..4], 0xa1b2_c3d4u32.to_ne_bytes());
        assert_eq!(bytes[16..20], 262_144u32.to_ne_bytes());

        // A fixture recorded on lo survives a write and a read unchanged.
        let fixture: Vec<Frame> =
            CaptureReader::open(&fixture("echo-and-refused.pcap"))?.collect::<anyhow::Result<_>>()?;
        assert!(fixture.len() > 10);
        let path = dir.path().join("y.pcap");
        let mut w = CaptureWriter::create(&path, LinkType::Ethernet, 262_144)?;
        for f in &fixture {
            w.write(f)?;
        }
        drop(w); // flushes
        assert_eq!(CaptureReader::open(&path)?.collect::<anyhow::Result<Vec<_>>>()?, fixture);
        Ok(())
    }

    #[test]
    fn the_writer_keeps_microseconds_and_cuts_at_the_snap_length() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.pcap");
        let mut w = CaptureWriter::create(&path, LinkType::RawIp, 64)?;
        let f = Frame {
            ts: Duration::new(5, 123_456_789),
            link: LinkType::RawIp,
            orig_len: 100,
            data: vec![9; 100],
        };
        w.write(&f)?;
        // orig_len below the bytes captured (a lenient read can give it) is raised.
        w.write(&Frame { orig_len: 3, data: vec![1; 10], ..f.clone() })?;
        assert!(w.write(&Frame { link: LinkType::Ethernet, ..f.clone() }).is_err());
        assert!(w.write(&Frame { ts: Duration::from_secs(1 << 33), ..f.clone() }).is_err());
        w.flush()?;
        let back = read(std::fs::read(&path)?)?;
        assert_eq!(
            back,
            vec![
                Frame {
                    ts: Duration::new(5, 123_456_000),
                    link: LinkType::RawIp,
                    orig_len: 100,
                    data: vec![9; 64]
                },
                Frame {
                    ts: Duration::new(5, 123_456_000),
                    link: LinkType::RawIp,
                    orig_len: 10,
                    data: vec![1; 10]
                },
            ]
        );
        Ok(())
    }

    #[test]
    fn link_type_numbers_round_trip() -> anyhow::Result<()> {
        for l in
            [LinkType::Ethernet, LinkType::LinuxSll, LinkType::LinuxSll2, LinkType::RawIp, LinkType::Null]
        {
            assert_eq!(link_type(linktype_number(l))?, l);
        }
        assert_eq!(link_type(228)?, LinkType::RawIp);
        assert_eq!(link_type(229)?, LinkType::RawIp);
        assert_eq!(link_type(108)?, LinkType::Null);
        let e = link_type(147).expect_err("USER0");
        assert!(e.to_string().starts_with("unsupported link type 147"), "{e}");
        Ok(())
    }

    /// A classic pcap: header then `(ts_sec, ts_frac, incl_len, orig_len, data)` records.
    fn pcap(big: bool, nanos: bool, snaplen: u32, link: u32, records: &[(u32, u32, u32, &[u8])]) -> Vec<u8> {
        let w = |v: &mut Vec<u8>, x: u32| {
            v.extend_from_slice(&if big { x.to_be_bytes() } else { x.to_le_bytes() })
        };
        let mut v = Vec::new();
        w(&mut v, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
        w(&mut v, if big { 0x0002_0004 } else { 0x0004_0002 });
        for x in [0, 0, snaplen, link] {
            w(&mut v, x);
        }
        for (sec, frac, orig, data) in records {
            for x in [*sec, *frac, data.len() as u32, *orig] {
                w(&mut v, x);
            }
            v.extend_from_slice(data);
        }
        v
    }

    #[test]
    fn big_endian_nanosecond_pcap() -> anyhow::Result<()> {
        let v = pcap(true, true, 65535, 113, &[(7, 999, 3, &[1, 2, 3])]);
        let f = read(v)?;
        assert_eq!(
            f,
            vec![Frame {
                ts: Duration::new(7, 999),
                link: LinkType::LinuxSll,
                orig_len: 3,
                data: vec![1, 2, 3]
            }]
        );
        let v = pcap(false, false, 65535, 101, &[(7, 999, 3, &[1, 2, 3])]);
        assert_eq!(read(v)?[0].ts, Duration::new(7, 999_000));
        Ok(())
    }

    /// pcap-file's checked records refuse these, which real tools write.
    #[test]
    fn frames_cut_by_a_small_snap_length_and_odd_records_are_read() -> anyhow::Result<()> {
        let v = pcap(
            false,
            false,
            96,
            1,
            &[
                (1, 0, 1500, &[0xaa; 96]),       // tcpdump -s 96: orig_len > snaplen
                (2, 1_500_000, 10, &[0xbb; 10]), // 1.5 million µs: carried into the seconds
                (3, 0, 4, &[0xcc; 10]),          // orig_len < incl_len: raised
            ],
        );
        let f = read(v)?;
        assert_eq!(f.len(), 3);
        assert_eq!((f[0].orig_len, f[0].data.len()), (1500, 96));
        assert_eq!(f[1].ts, Duration::new(3, 500_000_000));
        assert_eq!(f[2].orig_len, 10);
        Ok(())
    }

    /// A pcapng builder for tests, in either byte order.
    struct Ng {
        v: Vec<u8>,
        big: bool,
    }

    impl Ng {
        fn new(big: bool) -> Ng {
            let mut n = Ng { v: Vec::new(), big };
            n.shb();
            n
        }
        fn u16(&self, x: u16) -> [u8; 2] {
            if self.big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }
        fn u32(&self, x: u32) -> [u8; 4] {
            if self.big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }
        fn block(&mut self, kind: u32, body: &[u8]) -> &mut Ng {
            let mut body = body.to_vec();
            while body.len() % 4 != 0 {
                body.push(0);
            }
            let len = self.u32(12 + body.len() as u32);
            let kind = self.u32(kind);
            self.v.extend_from_slice(&kind);
            self.v.extend_from_slice(&len);
            self.v.extend_from_slice(&body);
            self.v.extend_from_slice(&len);
            self
        }
        fn shb(&mut self) -> &mut Ng {
            let mut b = self.u32(0x1a2b_3c4d).to_vec();
            b.extend_from_slice(&self.u16(1));
            b.extend_from_slice(&self.u16(0));
            b.extend_from_slice(&[0xff; 8]);
            self.block(SHB, &b)
        }
        /// An IDB with options `(code, value)`, ended by opt_endofopt if `end`.
        fn idb(&mut self, link: u16, snaplen: u32, opts: &[(u16, &[u8])], end: bool) -> &mut Ng {
            let mut b = self.u16(link).to_vec();
            b.extend_from_slice(&[0, 0]);
            b.extend_from_slice(&self.u32(snaplen));
            for (code, val) in opts {
                b.extend_from_slice(&self.u16(*code));
                b.extend_from_slice(&self.u16(val.len() as u16));
                b.extend_from_slice(val);
                while b.len() % 4 != 0 {
                    b.push(0);
                }
            }
            if end {
                b.extend_from_slice(&[0; 4]);
            }
            self.block(IDB, &b)
        }
        fn epb(&mut self, iface: u32, ticks: u64, orig: u32, data: &[u8]) -> &mut Ng {
            let mut b = Vec::new();
            for x in [iface, (ticks >> 32) as u32, ticks as u32, data.len() as u32, orig] {
                b.extend_from_slice(&self.u32(x));
            }
            b.extend_from_slice(data);
            self.block(EPB, &b)
        }
        fn pb(&mut self, iface: u16, ticks: u64, data: &[u8]) -> &mut Ng {
            let mut b = self.u16(iface).to_vec();
            b.extend_from_slice(&[0, 0]);
            for x in [(ticks >> 32) as u32, ticks as u32, data.len() as u32, data.len() as u32] {
                b.extend_from_slice(&self.u32(x));
            }
            b.extend_from_slice(data);
            self.block(PB, &b)
        }
        fn spb(&mut self, orig: u32, data: &[u8]) -> &mut Ng {
            let mut b = self.u32(orig).to_vec();
            b.extend_from_slice(data);
            self.block(SPB, &b)
        }
    }

    const T: u64 = 1_700_000_000;

    /// Four interfaces of four link types and time resolutions, every kind of
    /// packet block, blocks to skip, then a second section.
    fn rich_pcapng(big: bool) -> Vec<u8> {
        let mut n = Ng::new(big);
        let offset = n.u32(0).iter().chain(n.u32(100).iter()).copied().collect::<Vec<u8>>();
        let offset: Vec<u8> = if big { offset } else { 100u64.to_le_bytes().to_vec() };
        n.idb(1, 262_144, &[], false) // Ethernet, µs by default
            .idb(101, 0, &[(2, b"lo"), (9, &[9])], true) // raw IP, ns
            .idb(276, 65535, &[(1, &[0xff, 0xfe]), (9, &[0x80 | 10])], false) // SLL2, 1/1024 s, a non-UTF-8 comment, no end
            .block(4, &[0; 8]) // name resolution
            .idb(113, 0, &[(14, &offset)], true) // SLL, 100 s offset
            .block(0x4000_0bad, &[1, 2, 3, 4]) // custom
            .epb(0, T * 1_000_000 + 123_456, 60, &[1; 60])
            .epb(1, T * 1_000_000_000 + 123_456_789, 21, &[0x45; 21])
            .epb(2, T * 1024 + 512, 1000, &[2; 30]) // cut at capture: orig 1000
            .epb(3, T * 1_000_000, 5, &[3; 5])
            .block(5, &[0; 16]) // interface statistics
            .spb(3, &[4, 4, 4]) // padded to 4 in the file: the pad is not data
            .pb(1, T * 1_000_000_000 + 7, &[5; 6])
            .shb() // a new section: the interfaces above no longer count
            .idb(0, 0, &[], true)
            .epb(0, T * 1_000_000, 8, &[2, 0, 0, 0, 0x45, 0, 0, 0]);
        n.v
    }

    #[test]
    fn pcapng_interfaces_resolutions_and_every_packet_block() -> anyhow::Result<()> {
        let f = |ts: Duration, link, orig_len, data: &[u8]| Frame { ts, link, orig_len, data: data.to_vec() };
        let want = vec![
            f(Duration::new(T, 123_456_000), LinkType::Ethernet, 60, &[1; 60]),
            f(Duration::new(T, 123_456_789), LinkType::RawIp, 21, &[0x45; 21]),
            f(Duration::new(T, 500_000_000), LinkType::LinuxSll2, 1000, &[2; 30]),
            f(Duration::new(T + 100, 0), LinkType::LinuxSll, 5, &[3; 5]),
            f(Duration::ZERO, LinkType::Ethernet, 3, &[4, 4, 4]),
            f(Duration::new(T, 7), LinkType::RawIp, 6, &[5; 6]),
            f(Duration::new(T, 0), LinkType::Null, 8, &[2, 0, 0, 0, 0x45, 0, 0, 0]),
        ];
        for big in [false, true] {
            assert_eq!(read(rich_pcapng(big))?, want, "big endian: {big}");
        }
        Ok(())
    }

    #[test]
    fn pcapng_errors_name_what_is_wrong() {
        // A packet on an interface of the section before.
        let mut n = Ng::new(false);
        n.idb(1, 0, &[], true).epb(0, 1, 1, &[1]).shb().epb(0, 1, 1, &[1]);
        let mut r = CaptureReader::from_reader(io::Cursor::new(n.v.clone())).expect("opens");
        assert!(r.next_frame().is_some_and(|f| f.is_ok()));
        let e = r.next_frame().and_then(Result::err).expect("an error");
        assert_eq!(
            format!("{e:#}"),
            "damaged record after frame 1: a packet on interface 0, which the file never described"
        );
        assert!(r.next_frame().is_none());

        // An unsupported link type: not "damaged".
        let mut n = Ng::new(false);
        n.idb(147, 0, &[], true).epb(0, 1, 1, &[1]);
        let e = read(n.v).expect_err("USER0");
        let line = kit::error_line("osi-trace", &e);
        assert!(
            line.starts_with(
                "osi-trace: error: frame 1: interface 0 of the pcapng file: unsupported link type 147"
            ),
            "{line}"
        );
        assert!(line.contains("; hint: osi-trace reads Ethernet"), "{line}");

        // Lengths that disagree.
        let mut n = Ng::new(false);
        n.idb(1, 0, &[], true);
        let last = n.v.len() - 4;
        n.v[last] = 0x24;
        let e = read(n.v).expect_err("damaged");
        assert!(format!("{e:#}").contains("whose two length fields disagree (24 and 36)"), "{e:#}");

        // A captured length past the block.
        let mut n = Ng::new(false);
        n.idb(1, 0, &[], true).epb(0, 1, 1, &[1; 8]);
        let at = n.v.len() - 4 - 8 - 8;
        n.v[at] = 9;
        let e = read(n.v).expect_err("damaged");
        assert!(format!("{e:#}").contains("a packet of 9 captured bytes in a block of 40 bytes"), "{e:#}");
    }

    #[test]
    fn an_unsupported_pcap_link_type_is_refused_at_open() {
        let e = read(pcap(false, false, 65535, 147, &[])).expect_err("USER0");
        assert!(e.to_string().starts_with("unsupported link type 147"), "{e}");
    }

    #[test]
    fn garbage_truncation_and_corruption_are_errors_never_panics() -> anyhow::Result<()> {
        let err =
            CaptureReader::from_reader(io::Cursor::new(b"hello world".to_vec())).expect_err("not a capture");
        assert_eq!(err.to_string(), "not a pcap or pcapng file (starts with 0x68656c6c)");
        let err = CaptureReader::from_reader(io::Cursor::new(vec![0xd4, 0xc3])).expect_err("too short");
        assert_eq!(err.to_string(), "not a pcap or pcapng file (starts with 0xd4c3)");
        let err =
            CaptureReader::from_reader(io::Cursor::new(vec![0xd4, 0xc3, 0xb2, 0xa1, 2])).expect_err("short");
        assert_eq!(err.to_string(), "the file ends in the middle of its pcap header (truncated)");

        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.pcap");
        write_frames(&path)?;
        let good = std::fs::read(&path)?;
        for file in [good, rich_pcapng(false), rich_pcapng(true)] {
            let all = read_all(file.clone()).map_err(|_| anyhow::anyhow!("the uncut file fails"))?;
            // Every truncation (one between records or blocks reads as a
            // shorter file), and a byte set at every offset.
            for cut in 0..file.len() {
                if let Ok(n) = read_all(file[..cut].to_vec()) {
                    assert!(n < all, "a file cut at {cut} gave all {n} frames");
                }
            }
            for at in 0..file.len() {
                for val in [0x00, 0xff, 0x80, 0x7f, 0x01] {
                    let mut bad = file.clone();
                    bad[at] = val;
                    let _ = read_all(bad);
                }
            }
            // Many bytes at once (a fixed pseudo-random sequence).
            let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
            let mut rand = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            for _ in 0..3000 {
                let mut bad = file.clone();
                for _ in 0..1 + rand() % 6 {
                    let at = (rand() % bad.len() as u64) as usize;
                    bad[at] = rand() as u8;
                }
                let _ = read_all(bad);
            }
        }
        // A truncated last record is reported as such.
        let full = std::fs::read(&path)?;
        let mut r = CaptureReader::from_reader(io::Cursor::new(full[..full.len() - 10].to_vec()))?;
        let results: Vec<_> = std::iter::from_fn(|| r.next_frame()).collect();
        assert_eq!(results.len(), 5);
        let last = results.last().expect("five").as_ref().expect_err("an error");
        assert_eq!(format!("{last:#}"), format!("damaged record after frame 4: {TRUNCATED}"));
        let cut = rich_pcapng(false);
        let e = read(cut[..cut.len() - 3].to_vec()).expect_err("cut");
        assert_eq!(format!("{e:#}"), format!("damaged record after frame 6: {TRUNCATED}"));
        Ok(())
    }

    /// Reads every frame; whether it ended in an error.
    fn read_all(bytes: Vec<u8>) -> Result<usize, ()> {
        let r = CaptureReader::from_reader(io::Cursor::new(bytes)).map_err(|_| ())?;
        let mut n = 0;
        for f in r {
            f.map_err(|_| ())?;
            n += 1;
        }
        Ok(n)
    }

    fn have(tool: &'static str) -> bool {
        harness::require(&format!("osi-trace pcap unit test ({tool})"), harness::Need::Tool(tool))
    }

    #[test]
    fn tcpdump_reads_what_we_write() -> anyhow::Result<()> {
        if !have("tcpdump") {
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.pcap");
        let fixture: Vec<Frame> =
            CaptureReader::open(&fixture("echo-and-refused.pcap"))?.collect::<anyhow::Result<_>>()?;
        let mut w = CaptureWriter::create(&path, LinkType::Ethernet, 262_144)?;
        for f in &fixture {
            w.write(f)?;
        }
        w.flush()?;
        let out = std::process::Command::new("tcpdump").args(["-nn", "-r"]).arg(&path).output()?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.lines().count(), fixture.len(), "{text}");
        assert!(text.lines().all(|l| l.contains(" IP 127.0.0.1.")), "{text}");
        Ok(())
    }

    /// A pcapng as Wireshark's own tools write it (options, if_tsresol, ...).
    #[test]
    fn reads_pcapng_written_by_editcap() -> anyhow::Result<()> {
        if !have("editcap") {
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        let src = fixture("three-clients.pcap");
        let want: Vec<Frame> = CaptureReader::open(&src)?.collect::<anyhow::Result<_>>()?;
        let ng = dir.path().join("x.pcapng");
        let out = std::process::Command::new("editcap").args(["-F", "pcapng"]).arg(&src).arg(&ng).output()?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read(&ng)?[..4], [0x0a, 0x0d, 0x0d, 0x0a]);
        let got: Vec<Frame> = CaptureReader::open(&ng)?.collect::<anyhow::Result<_>>()?;
        assert_eq!(got, want);
        Ok(())
    }
}
