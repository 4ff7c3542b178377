//! pcapng, walked block by block: section headers, interface descriptions
//! and the three kinds of packet block; every other block is skipped.

use std::io::Read;
use std::time::Duration;

use anyhow::bail;

use super::{damaged, io_bad, len_u32, link_type, read_full, truncated, Bad};
use crate::frame::{Frame, LinkType};
use crate::render::words::files::{self, Damage};

// pcapng

pub(super) const SHB: u32 = 0x0a0d_0d0a;
pub(super) const IDB: u32 = 1;
pub(super) const PB: u32 = 2;
pub(super) const SPB: u32 = 3;
pub(super) const EPB: u32 = 6;
/// No block of a sane capture comes near this; a bigger length is damage.
const MAX_BLOCK: u32 = 64 << 20;

/// A pcapng file, block by block.
pub(super) struct NgReader {
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
    pub(super) fn new(r: Box<dyn Read>) -> anyhow::Result<NgReader> {
        let mut ng = NgReader { r, big_endian: false, interfaces: Vec::new() };
        match ng.next_block() {
            Ok(Some((SHB, body))) => ng.section(&body).map_err(bad_error)?,
            Ok(_) => bail!(files::damage(Damage::NgStart)),
            Err(bad) => return Err(bad_error(bad).context(files::damage(Damage::NgSectionHeader))),
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
                _ => return Err(damaged(files::damage(Damage::ByteOrder))),
            };
            self.interfaces.clear();
            body.extend_from_slice(&bom);
            SHB
        } else {
            self.u32_at(&head, 0).unwrap_or_default()
        };
        let len = self.u32_at(&head, 4).unwrap_or_default();
        // Some writers of the obsolete Packet Block (type 2) leave the padding out of
        // its length fields; the block still takes it (tshark reads such files).
        let taken = if kind == 2 { len.next_multiple_of(4) } else { len };
        if len < 12 + len_u32(body.len()) || taken % 4 != 0 || taken > MAX_BLOCK {
            return Err(damaged(files::damage(Damage::BlockLength(kind, len))));
        }
        let rest = u64::from(taken - 12) - body.len() as u64;
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
            return Err(damaged(files::damage(Damage::LengthsDisagree(kind, len, tail))));
        }
        Ok(Some((kind, body)))
    }

    pub(super) fn next_frame(&mut self, notes: &mut Vec<String>) -> Result<Option<Frame>, Bad> {
        loop {
            let Some((kind, body)) = self.next_block()? else {
                return Ok(None);
            };
            let short = || damaged(files::damage(Damage::BlockShort(kind)));
            match kind {
                SHB => self.section(&body)?,
                IDB => self.interface(&body, notes)?,
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
            return Err(damaged(files::damage(Damage::SectionShort)));
        };
        if major != 1 {
            return Err(damaged(files::damage(Damage::Version(major, minor))));
        }
        Ok(())
    }

    fn interface(&mut self, body: &[u8], notes: &mut Vec<String>) -> Result<(), Bad> {
        let (Some(linktype), Some(snaplen)) = (self.u16_at(body, 0), self.u32_at(body, 4)) else {
            return Err(damaged(files::damage(Damage::InterfaceShort)));
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
        if let Err(e) = link_type(iface.linktype) {
            notes.push(files::frames_skipped(Some(self.interfaces.len()), &e.to_string()));
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
            return Err(damaged(files::damage(Damage::Undescribed(iface as u32))));
        };
        // A frame of a link type osi-trace does not read is passed on marked
        // so: the decoder skips it with a reason, and the read goes on.
        let link = link_type(i.linktype).unwrap_or(LinkType::Unsupported(i.linktype));
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
    body.get(at..at.saturating_add(caplen as usize))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| damaged(files::damage(Damage::PacketTooBig(caplen, body.len() + 12))))
}

fn bad_error(bad: Bad) -> anyhow::Error {
    bad.0
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
