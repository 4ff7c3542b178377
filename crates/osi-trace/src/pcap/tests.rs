//! Unit tests of the capture file reader and writer, on crafted bytes.

use std::io;
use std::path::Path;
use std::time::Duration;

use super::ng::{EPB, IDB, PB, SHB, SPB};
use super::*;
use crate::frame::{Frame, LinkType};

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

pub(super) fn read(bytes: Vec<u8>) -> anyhow::Result<Vec<Frame>> {
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
    let f =
        Frame { ts: Duration::new(5, 123_456_789), link: LinkType::RawIp, orig_len: 100, data: vec![9; 100] };
    w.write(&f)?;
    // orig_len below the bytes captured (a lenient read can give it) is raised.
    w.write(&Frame { orig_len: 3, data: vec![1; 10], ..f.clone() })?;
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
    for l in [LinkType::Ethernet, LinkType::LinuxSll, LinkType::LinuxSll2, LinkType::RawIp, LinkType::Null] {
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
pub(super) fn pcap(
    big: bool,
    nanos: bool,
    snaplen: u32,
    link: u32,
    records: &[(u32, u32, u32, &[u8])],
) -> Vec<u8> {
    let w =
        |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&if big { x.to_be_bytes() } else { x.to_le_bytes() });
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
        vec![Frame { ts: Duration::new(7, 999), link: LinkType::LinuxSll, orig_len: 3, data: vec![1, 2, 3] }]
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
pub(super) struct Ng {
    pub(super) v: Vec<u8>,
    big: bool,
}

impl Ng {
    pub(super) fn new(big: bool) -> Ng {
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
    pub(super) fn block(&mut self, kind: u32, body: &[u8]) -> &mut Ng {
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
    pub(super) fn idb(&mut self, link: u16, snaplen: u32, opts: &[(u16, &[u8])], end: bool) -> &mut Ng {
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
    pub(super) fn epb(&mut self, iface: u32, ticks: u64, orig: u32, data: &[u8]) -> &mut Ng {
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
fn an_unsupported_pcap_link_type_is_read_and_noted() -> anyhow::Result<()> {
    let mut r =
        CaptureReader::from_reader(io::Cursor::new(pcap(false, false, 65535, 147, &[(1, 0, 1, &[7])])))?;
    let notes = r.take_notes();
    assert_eq!(notes, ["unsupported link type 147 (USER0); its frames are skipped"]);
    let f = r.collect::<anyhow::Result<Vec<_>>>()?;
    assert_eq!(f[0].link, LinkType::Unsupported(147));
    Ok(())
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
    assert_eq!(
        format!("{last:#}"),
        format!("damaged record after frame 4: the file ends in the middle of a record (truncated)")
    );
    let cut = rich_pcapng(false);
    let e = read(cut[..cut.len() - 3].to_vec()).expect_err("cut");
    assert_eq!(
        format!("{e:#}"),
        format!("damaged record after frame 6: the file ends in the middle of a record (truncated)")
    );
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

#[test]
fn tcpdump_reads_what_we_write() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tcpdump")) {
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
    if !harness::require!(harness::Need::Tool("editcap")) {
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
