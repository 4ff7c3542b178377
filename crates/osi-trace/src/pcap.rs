//! Capture files: reads pcap and pcapng (as tcpdump, tshark, Wireshark and
//! osi-trace write them) and writes pcap, through the `pcap-file` crate.
//! A file that is not a capture, or is cut short, gives one clear error; it
//! never panics.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::{DataLink, PcapError, TsResolution};

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

fn link_of(dl: DataLink) -> anyhow::Result<LinkType> {
    Ok(match dl {
        DataLink::ETHERNET => LinkType::Ethernet,
        DataLink::LINUX_SLL => LinkType::LinuxSll,
        DataLink::LINUX_SLL2 => LinkType::LinuxSll2,
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => LinkType::RawIp,
        DataLink::NULL | DataLink::LOOP => LinkType::Null,
        other => bail!(kit::hinted(
            format!("unsupported link type {} ({other:?})", u32::from(other)),
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

enum Inner {
    Pcap { reader: PcapReader<Box<dyn Read>>, link: LinkType },
    PcapNg(Box<PcapNgReader<Box<dyn Read>>>),
}

impl CaptureReader {
    /// Opens `path`, telling pcap from pcapng by the magic number.
    pub fn open(path: &Path) -> anyhow::Result<CaptureReader> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        Self::from_reader(BufReader::with_capacity(1 << 20, file))
            .with_context(|| format!("cannot read {}", path.display()))
    }

    /// Reads a capture from any byte stream.
    pub fn from_reader(mut r: impl Read + 'static) -> anyhow::Result<CaptureReader> {
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match r.read(&mut magic[got..])? {
                0 => bail!(not_a_capture(&magic[..got])),
                n => got += n,
            }
        }
        let chained: Box<dyn Read> = Box::new(std::io::Cursor::new(magic).chain(r));
        let inner = match u32::from_le_bytes(magic) {
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 => {
                let reader = PcapReader::new(chained).map_err(pcap_err)?;
                let link = link_of(reader.header().datalink)?;
                Inner::Pcap { reader, link }
            }
            0x0a0d_0d0a => Inner::PcapNg(Box::new(PcapNgReader::new(chained).map_err(pcap_err)?)),
            _ => bail!(not_a_capture(&magic)),
        };
        Ok(CaptureReader { inner, frames: 0, done: false })
    }

    /// The next frame; `None` at the end; an error (then `None`) for a
    /// damaged or truncated record.
    pub fn next_frame(&mut self) -> Option<anyhow::Result<Frame>> {
        if self.done {
            return None;
        }
        let item = match &mut self.inner {
            Inner::Pcap { reader, link } => reader.next_packet().map(|p| {
                p.map(|p| Frame {
                    ts: p.timestamp,
                    link: *link,
                    orig_len: p.orig_len,
                    data: p.data.into_owned(),
                })
                .map_err(pcap_err)
            }),
            Inner::PcapNg(reader) => next_ng(reader),
        };
        match item {
            Some(Ok(f)) => {
                self.frames += 1;
                Some(Ok(f))
            }
            Some(Err(e)) => {
                self.done = true;
                Some(Err(e.context(format!("damaged record after frame {}", self.frames))))
            }
            None => None,
        }
    }
}

impl Iterator for CaptureReader {
    type Item = anyhow::Result<Frame>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame()
    }
}

fn next_ng(reader: &mut PcapNgReader<Box<dyn Read>>) -> Option<anyhow::Result<Frame>> {
    loop {
        let block = match reader.next_block()? {
            Ok(b) => b,
            Err(e) => return Some(Err(pcap_err(e))),
        };
        let (iface, ticks, orig_len, data) = match block {
            Block::EnhancedPacket(p) => (
                p.interface_id,
                // pcap-file 2.0 stores the raw tick count in a Duration of
                // nanoseconds; the interface's if_tsresol says what a tick is.
                Some(p.timestamp.as_nanos()),
                p.original_len,
                p.data.into_owned(),
            ),
            Block::SimplePacket(p) => (0, None, p.original_len, p.data.into_owned()),
            Block::Packet(p) => (
                u32::from(p.interface_id),
                Some(u128::from(p.timestamp)),
                p.original_len,
                p.data.into_owned(),
            ),
            _ => continue,
        };
        let Some(idb) = reader.interfaces().get(iface as usize) else {
            return Some(Err(anyhow::anyhow!(
                "a packet names interface {iface}, which the file never described"
            )));
        };
        let link = match link_of(idb.linktype) {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        let resol = idb
            .options
            .iter()
            .find_map(|o| match o {
                InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
                _ => None,
            })
            .unwrap_or(6);
        let ts = ticks.map_or(Duration::ZERO, |t| ticks_to_duration(t, resol));
        return Some(Ok(Frame { ts, link, orig_len, data }));
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
        let exp = u32::from((resol & 0x7f).min(100));
        ticks.saturating_mul(1_000_000_000) >> exp.min(127)
    };
    let secs = (nanos / 1_000_000_000).min(u128::from(u64::MAX)) as u64;
    Duration::new(secs, (nanos % 1_000_000_000) as u32)
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
        PcapError::IncompleteBuffer => {
            anyhow::anyhow!("the file ends in the middle of a record (truncated)")
        }
        PcapError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            anyhow::anyhow!("the file ends in the middle of a record (truncated)")
        }
        PcapError::IoError(e) => anyhow::Error::new(e),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Writes frames to a classic pcap file (microsecond timestamps), which
/// tcpdump, tshark and Wireshark all read.
pub struct CaptureWriter {
    writer: PcapWriter<SharedFile>,
    file: SharedFile,
    link: LinkType,
}

/// The buffered file, shared between the pcap writer and [`CaptureWriter::flush`]
/// (pcap-file's writer does not hand its inner writer out for flushing).
#[derive(Clone)]
struct SharedFile(std::rc::Rc<std::cell::RefCell<BufWriter<File>>>);

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

impl CaptureWriter {
    /// Creates `path` for frames of link type `link`, cut at `snaplen` bytes.
    pub fn create(path: &Path, link: LinkType, snaplen: u32) -> anyhow::Result<CaptureWriter> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let header = PcapHeader {
            datalink: DataLink::from(linktype_number(link)),
            snaplen,
            ts_resolution: TsResolution::MicroSecond,
            ..PcapHeader::default()
        };
        let file = SharedFile(std::rc::Rc::new(std::cell::RefCell::new(BufWriter::new(file))));
        let writer = PcapWriter::with_header(file.clone(), header).map_err(pcap_err)?;
        Ok(CaptureWriter { writer, file, link })
    }

    /// Appends one frame.
    pub fn write(&mut self, frame: &Frame) -> anyhow::Result<()> {
        if frame.link != self.link {
            bail!("a {:?} frame in a {:?} capture", frame.link, self.link);
        }
        let packet = PcapPacket::new(frame.ts, frame.orig_len, &frame.data);
        self.writer.write_packet(&packet).map_err(pcap_err)?;
        Ok(())
    }

    /// Flushes what is buffered to the file.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.file.flush().context("flushing the capture file")
    }
}

impl Drop for CaptureWriter {
    fn drop(&mut self) {
        let _ = self.file.flush();
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

    #[test]
    fn what_it_writes_it_reads_back_identically() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.pcap");
        write_frames(&path)?;
        let back: Vec<Frame> = CaptureReader::open(&path)?.collect::<anyhow::Result<_>>()?;
        assert_eq!(back, frames());
        Ok(())
    }

    /// A minimal pcapng: SHB, IDB (given link type, if_tsresol 9), one EPB.
    fn pcapng(link: u16, tsresol: Option<u8>, packet: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        let block = |v: &mut Vec<u8>, kind: u32, body: &[u8]| {
            let len = 12 + body.len() as u32;
            v.extend_from_slice(&kind.to_le_bytes());
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(body);
            v.extend_from_slice(&len.to_le_bytes());
        };
        let mut shb = vec![];
        shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        shb.extend_from_slice(&[1, 0, 0, 0]);
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        block(&mut v, 0x0a0d_0d0a, &shb);
        let mut idb = vec![];
        idb.extend_from_slice(&link.to_le_bytes());
        idb.extend_from_slice(&[0, 0]);
        idb.extend_from_slice(&262_144u32.to_le_bytes());
        if let Some(r) = tsresol {
            idb.extend_from_slice(&[9, 0, 1, 0, r, 0, 0, 0, 0, 0, 0, 0]);
        }
        block(&mut v, 1, &idb);
        let ticks: u64 = match tsresol {
            Some(9) => 1_700_000_000_123_456_789,
            _ => 1_700_000_000_123_456,
        };
        let mut epb = vec![];
        epb.extend_from_slice(&0u32.to_le_bytes());
        epb.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ticks as u32).to_le_bytes());
        epb.extend_from_slice(&(packet.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(packet.len() as u32).to_le_bytes());
        epb.extend_from_slice(packet);
        while epb.len() % 4 != 0 {
            epb.push(0);
        }
        block(&mut v, 6, &epb);
        v
    }

    #[test]
    fn pcapng_with_sll2_and_raw_ip_and_both_time_resolutions() -> anyhow::Result<()> {
        let pkt = [0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, 9];
        for (link, want, resol, nanos) in [
            (276, LinkType::LinuxSll2, Some(9), 123_456_789),
            (101, LinkType::RawIp, None, 123_456_000),
            (228, LinkType::RawIp, Some(6), 123_456_000),
        ] {
            let bytes = pcapng(link, resol, &pkt);
            let mut r = CaptureReader::from_reader(std::io::Cursor::new(bytes))?;
            let f = r.next_frame().expect("one frame")?;
            assert_eq!((f.link, f.ts, f.orig_len), (want, Duration::new(1_700_000_000, nanos), 21));
            assert_eq!(f.data, pkt);
            assert!(r.next_frame().is_none());
        }
        Ok(())
    }

    #[test]
    fn big_endian_nanosecond_pcap() -> anyhow::Result<()> {
        let mut v =
            vec![0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 113];
        v.extend_from_slice(&7u32.to_be_bytes());
        v.extend_from_slice(&999u32.to_be_bytes());
        v.extend_from_slice(&3u32.to_be_bytes());
        v.extend_from_slice(&3u32.to_be_bytes());
        v.extend_from_slice(&[1, 2, 3]);
        let mut r = CaptureReader::from_reader(std::io::Cursor::new(v))?;
        let f = r.next_frame().expect("one frame")?;
        assert_eq!((f.link, f.ts, f.data), (LinkType::LinuxSll, Duration::new(7, 999), vec![1, 2, 3]));
        Ok(())
    }

    #[test]
    fn garbage_truncation_and_corruption_are_errors_never_panics() -> anyhow::Result<()> {
        let err = CaptureReader::from_reader(std::io::Cursor::new(b"hello world".to_vec()))
            .err()
            .expect("not a capture");
        assert_eq!(err.to_string(), "not a pcap or pcapng file (starts with 0x68656c6c)");
        assert!(CaptureReader::from_reader(std::io::Cursor::new(vec![0xd4, 0xc3])).is_err());

        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.pcap");
        write_frames(&path)?;
        let good = std::fs::read(&path)?;
        let ng = pcapng(276, Some(9), &[0x45; 40]);
        for file in [good, ng] {
            // Every truncation, and a byte flipped at every offset.
            for cut in 0..file.len() {
                read_all(file[..cut].to_vec());
            }
            for at in 0..file.len() {
                for val in [0x00, 0xff, 0x80] {
                    let mut bad = file.clone();
                    bad[at] = val;
                    read_all(bad);
                }
            }
        }
        // A truncated last record is reported as such.
        let full = std::fs::read(&path)?;
        let mut r = CaptureReader::from_reader(std::io::Cursor::new(full[..full.len() - 10].to_vec()))?;
        let results: Vec<_> = std::iter::from_fn(|| r.next_frame()).collect();
        assert_eq!(results.len(), 5);
        let last = results.last().expect("five").as_ref().expect_err("an error");
        assert_eq!(
            format!("{last:#}"),
            "damaged record after frame 4: the file ends in the middle of a record (truncated)"
        );
        Ok(())
    }

    fn read_all(bytes: Vec<u8>) {
        if let Ok(r) = CaptureReader::from_reader(std::io::Cursor::new(bytes)) {
            for (i, f) in r.enumerate() {
                if f.is_err() || i > 100 {
                    break;
                }
            }
        }
    }
}
