//! The time-sequence graph (`--tsg`, Stevens and tcptrace style): one
//! direction's segments, sequence number against time, with the other side's
//! ACK line and window line. Here: what is kept of the trace and which
//! stream is drawn; `svg` draws it; [`write()`] puts it in a file, never over one by accident.

mod svg;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};

use crate::analysis::{Annotated, Anomaly, Side};
use crate::decode::flags::*;
use crate::target::{Existing, Target};

/// At most this many segments and ACKs are kept for the graph (about 32 bytes each).
pub const MAX_POINTS: usize = 2_000_000;

/// A segment of the graphed direction: a vertical bar from `seq` to `next_seq` at `time`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sent {
    pub time: f64,
    /// Relative sequence numbers, as the line view shows them (the SYN is 0).
    pub seq: u64,
    pub next_seq: u64,
    /// Wireshark's `tcp.analysis.retransmission`: drawn in red.
    pub retransmission: bool,
}

/// An ACK from the other side: the ACK line is `ack`, the window line `ack + win`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Acked {
    pub time: f64,
    pub ack: u64,
    pub win: u64,
}

/// A SACK block in one of the other side's ACKs: bytes it holds above the ACK.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sacked {
    pub time: f64,
    pub left: u64,
    pub right: u64,
}

/// One direction of one connection, as collected.
#[derive(Debug, Clone, Default)]
pub struct Direction {
    pub sent: Vec<Sent>,
    /// The ACKs the other side sent for these segments.
    pub acks: Vec<Acked>,
    /// The SACK blocks of those ACKs.
    pub sacks: Vec<Sacked>,
    pub bytes: u64,
}

/// One connection: its endpoints and both directions (client's segments first).
#[derive(Debug, Clone)]
pub struct Stream {
    pub stream: u64,
    pub client: std::net::SocketAddr,
    pub server: std::net::SocketAddr,
    pub dirs: [Direction; 2],
}

/// What the graph needs of the trace, collected segment by segment.
#[derive(Debug, Default)]
pub struct Collector {
    /// `--stream N`: only that one is kept.
    want: Option<u64>,
    streams: BTreeMap<u64, Stream>,
    points: usize,
    overflow: bool,
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

impl Collector {
    pub fn new(want: Option<u64>) -> Self {
        Collector { want, ..Collector::default() }
    }

    /// Keeps what the graph needs of one segment.
    pub fn push(&mut self, n: &Annotated) {
        if self.want.is_some_and(|w| w != n.stream) {
            return;
        }
        if self.points >= MAX_POINTS {
            self.overflow = true;
            return;
        }
        let (client, server) = n.endpoints();
        let s = self.streams.entry(n.stream).or_insert_with(|| Stream {
            stream: n.stream,
            client,
            server,
            dirs: Default::default(),
        });
        let t = &n.seg.tcp;
        let time = n.time.as_secs_f64();
        if n.len > 0 || t.has(SYN) || t.has(FIN) {
            let d = &mut s.dirs[index(n.from)];
            // Relative numbers grow past 2³² on long transfers: unwrap them against the last one seen.
            let seq = unwrap(d.sent.last().map(|p| p.next_seq), n.seq);
            let next_seq = seq + u64::from(n.next_seq.wrapping_sub(n.seq));
            let retransmission = n.analysis.contains(&Anomaly::Retransmission);
            d.sent.push(Sent { time, seq, next_seq, retransmission });
            if !n.is_retransmission() {
                d.bytes += u64::from(n.len);
            }
            self.points += 1;
        }
        if let Some(ack) = n.ack {
            let d = &mut s.dirs[index(n.from.other())];
            let rel = ack;
            let ack = unwrap(d.acks.last().map(|a| a.ack), rel);
            d.acks.push(Acked { time, ack, win: n.win });
            self.points += 1;
            // SACK edges are raw: made relative with the same base as the ACK.
            let base = t.ack.wrapping_sub(rel);
            for &(l, r) in &t.options.sack {
                let left = unwrap(Some(ack), l.wrapping_sub(base));
                let right = unwrap(Some(ack), r.wrapping_sub(base));
                d.sacks.push(Sacked { time, left, right });
                self.points += 1;
            }
        }
    }

    /// The stream and direction to draw: `--stream N`, else the direction that
    /// carried the most bytes of any stream (a bulk transfer).
    pub fn pick(&self) -> anyhow::Result<(&Stream, Side)> {
        if self.overflow {
            bail!(
                "more than {MAX_POINTS} segments and ACKs to graph; hint: pick one connection with --stream N"
            );
        }
        let s = match self.want {
            Some(w) => self.streams.get(&w).with_context(|| {
                format!(
                    "stream {w} is not in the trace; hint: the summaries (--summary-only) list the streams"
                )
            })?,
            None => self
                .streams
                .values()
                .max_by_key(|s| (s.dirs[0].bytes.max(s.dirs[1].bytes), std::cmp::Reverse(s.stream)))
                .context("no TCP segment to graph")?,
        };
        let side = if s.dirs[1].bytes > s.dirs[0].bytes { Side::Server } else { Side::Client };
        if s.dirs[index(side)].sent.is_empty() {
            bail!("stream {} sent no segment with data, SYN or FIN to graph", s.stream);
        }
        Ok((s, side))
    }
}

/// `rel` (a 32-bit relative number) placed next to `last` on the 64-bit line.
fn unwrap(last: Option<u64>, rel: u32) -> u64 {
    let Some(last) = last else { return u64::from(rel) };
    let base = last & !0xffff_ffff;
    let cands = [base.wrapping_sub(1 << 32), base, base + (1 << 32)];
    cands
        .iter()
        .map(|c| c.wrapping_add(u64::from(rel)))
        .filter(|&v| v < (1 << 63))
        .min_by_key(|&v| v.abs_diff(last))
        .unwrap_or(u64::from(rel))
}

/// Where the graph goes, decided before any work: a new file, an existing
/// one only with `force`, or a FIFO or character device written through
/// (`--tsg /dev/stdout`); anything else is refused in one line.
pub fn target(path: &Path, force: bool) -> anyhow::Result<Target> {
    Target::open(path, "--tsg", if force { Existing::Replace } else { Existing::Keep })
}

/// Draws the picked stream and writes the SVG into `target`, then puts it in
/// place. Returns the stream and side drawn, and the number of retransmissions marked.
pub fn write(c: &Collector, target: Target) -> anyhow::Result<(u64, Side, usize)> {
    let (s, side) = c.pick()?;
    let (doc, marks) = svg::draw(s, side);
    let what = || format!("writing the graph to {}", kit::escape_path(target.shown()));
    let mut f = target.file()?;
    f.write_all(doc.as_bytes()).and_then(|()| f.flush()).with_context(what)?;
    drop(f);
    target.commit()?;
    Ok((s.stream, side, marks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_numbers_unwrap_past_four_gibibytes() {
        assert_eq!(unwrap(None, 5), 5);
        assert_eq!(unwrap(Some(4_294_967_000), 100), 4_294_967_396);
        assert_eq!(unwrap(Some(4_294_967_396), 4_294_967_000), 4_294_967_000);
    }
}
