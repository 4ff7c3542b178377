//! Classic pcap (libpcap's savefile), read by hand as tcpdump and Wireshark
//! read it: a 24-byte file header, then records of a 16-byte header and the
//! captured bytes. Lenient where they are: snap length 0, records longer than
//! the snap length, a captured length above the wire length, a fraction of a
//! second of 10⁶ µs or more.

use std::io::Read;
use std::time::Duration;

use super::{damaged, io_bad, len_u32, link_type, read_full, truncated, Bad};
use crate::frame::{Frame, LinkType};
use crate::render::words::files::{self, Damage};

/// No link type osi-trace reads has frames anywhere near this (Wireshark
/// refuses records over 256 KiB for Ethernet); a bigger captured length is
/// damage, and refusing it keeps memory bounded.
pub(super) const MAX_RECORD: u32 = 64 << 20;

/// The file header's link type word: the link type in the low 16 bits and,
/// when bit 26 is set, the FCS length in 16-bit words in the top 4 bits
/// (libpcap's `LT_FCS_LENGTH_PRESENT` and `LT_FCS_LENGTH`).
const FCS_LENGTH_PRESENT: u32 = 0x0400_0000;

/// A classic pcap file after its header.
pub(super) struct ClassicReader {
    r: Box<dyn Read>,
    big_endian: bool,
    nanos: bool,
    link: LinkType,
    /// Bytes of frame check sequence at the end of each frame, to strip.
    fcs_len: u32,
    /// Whether the "fraction of a second out of range" note was given.
    warned_frac: bool,
}

impl ClassicReader {
    /// Reads the file header: byte order and time unit from the magic
    /// number, the link type. The snap length is not needed to read records.
    /// A link type osi-trace does not decode is no error: its frames are
    /// read, and skipped by the decoder with a reason; `notes` says it once.
    pub(super) fn new(mut r: Box<dyn Read>, notes: &mut Vec<String>) -> anyhow::Result<ClassicReader> {
        let mut h = [0u8; 24];
        if read_full(&mut r, &mut h)? < 24 {
            anyhow::bail!(files::damage(Damage::TruncatedHeader));
        }
        let (big_endian, nanos) = match h[..4] {
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
            _ => anyhow::bail!(files::damage(Damage::NotPcapHeader)),
        };
        let mut reader =
            ClassicReader { r, big_endian, nanos, link: LinkType::Ethernet, fcs_len: 0, warned_frac: false };
        let word = reader.u32_at(&h, 20);
        reader.link = link_type(word & 0xffff).unwrap_or_else(|e| {
            notes.push(files::frames_skipped(None, &e.to_string()));
            LinkType::Unsupported(word & 0xffff)
        });
        if word & FCS_LENGTH_PRESENT != 0 {
            reader.fcs_len = (word >> 28) * 2;
        }
        Ok(reader)
    }

    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let v = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        }
    }

    /// The next record; `None` at the end of the file. `notes` receives a
    /// line about anything odd but readable, once per kind.
    pub(super) fn next_frame(&mut self, notes: &mut Vec<String>) -> Result<Option<Frame>, Bad> {
        let mut h = [0u8; 16];
        match read_full(&mut self.r, &mut h).map_err(io_bad)? {
            0 => return Ok(None),
            16 => {}
            _ => return Err(truncated()),
        }
        let (secs, frac, caplen, wire) =
            (self.u32_at(&h, 0), self.u32_at(&h, 4), self.u32_at(&h, 8), self.u32_at(&h, 12));
        if caplen > MAX_RECORD {
            return Err(damaged(files::damage(Damage::RecordTooBig(caplen, MAX_RECORD))));
        }
        // Sized at once (caplen is bounded above): read_to_end then never grows it.
        let mut data = Vec::with_capacity(caplen as usize);
        (&mut self.r).take(u64::from(caplen)).read_to_end(&mut data).map_err(io_bad)?;
        if data.len() != caplen as usize {
            return Err(truncated());
        }
        let limit = if self.nanos { 1_000_000_000 } else { 1_000_000 };
        if frac >= limit && !self.warned_frac {
            self.warned_frac = true;
            notes.push(files::fraction_note(frac, if self.nanos { "ns" } else { "µs" }));
        }
        let frac = u64::from(frac) * if self.nanos { 1 } else { 1000 };
        let ts = Duration::from_secs(u64::from(secs)) + Duration::from_nanos(frac);
        // The length on the wire is at least what was captured.
        let mut orig_len = wire.max(len_u32(data.len()));
        // The FCS ends a frame captured whole; L2 trailer, not payload.
        if self.fcs_len > 0 && data.len() as u32 == orig_len && orig_len >= self.fcs_len {
            data.truncate(data.len() - self.fcs_len as usize);
            orig_len -= self.fcs_len;
        }
        Ok(Some(Frame { ts, link: self.link, orig_len, data }))
    }
}
