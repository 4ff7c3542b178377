//! The time-sequence graph (`--tsg`, Stevens and tcptrace style): one
//! direction's segments, sequence number against time, with the other side's
//! ACK line and window line. Here: what is kept of the trace and which
//! stream is drawn; `svg` draws it; [`write()`] puts it in a file, never over one by accident.

mod svg;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};

use crate::analysis::{Annotated, Anomaly, Side};
use crate::decode::flags::*;
use crate::render::words::graph::{no_graph, writing_graph, NoGraph};
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
    /// When it was last seen (a count of segments), to forget the idle first.
    last: u64,
}

impl Stream {
    fn points(&self) -> usize {
        self.dirs.iter().map(|d| d.sent.len() + d.acks.len() + d.sacks.len()).sum()
    }
}

/// What the graph needs of the trace, collected segment by segment. Every
/// connection's byte counts are kept (16 bytes each), so the one that carried
/// the most is known exactly; the segments of at most [`MAX_KEPT`] connections
/// are, the idle ones with the fewest bytes forgotten first.
#[derive(Debug, Default)]
pub struct Collector {
    /// `--stream N`: only that one is kept.
    want: Option<u64>,
    /// Each connection's new payload bytes, client's and server's, by stream number.
    bytes: Vec<[u64; 2]>,
    /// The connections whose segments are kept.
    streams: HashMap<u64, Stream>,
    /// Connections whose segments were forgotten (never kept again: they would be partial).
    forgotten: Vec<bool>,
    forgotten_count: u64,
    points: usize,
    overflow: bool,
    /// Segments pushed so far: the clock of `Stream::last`.
    tick: u64,
}

/// At most this many connections' segments are kept for the graph at once.
pub const MAX_KEPT: usize = 1000;

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
        let t = &n.seg.tcp;
        let carries = n.len > 0 || t.has(SYN) || t.has(FIN);
        let i = n.stream as usize;
        if self.bytes.len() <= i {
            self.bytes.resize(i + 1, [0, 0]);
            self.forgotten.resize(i + 1, false);
        }
        if carries && !n.is_retransmission() {
            self.bytes[i][index(n.from)] += u64::from(n.len);
        }
        if self.forgotten[i] {
            return;
        }
        if self.points >= MAX_POINTS {
            self.overflow = true;
            return;
        }
        if !self.streams.contains_key(&n.stream) && self.streams.len() >= MAX_KEPT {
            self.forget_half();
        }
        self.tick += 1;
        let (client, server) = n.endpoints();
        let s = self.streams.entry(n.stream).or_insert_with(|| Stream {
            stream: n.stream,
            client,
            server,
            dirs: Default::default(),
            last: 0,
        });
        s.last = self.tick;
        let time = n.time.as_secs_f64();
        if carries {
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

    /// Forgets the half of the kept connections least likely to be drawn: the
    /// fewest bytes one way, then the longest idle (a SYN flood's, a port scan's).
    fn forget_half(&mut self) {
        let mut order: Vec<(u64, u64, u64)> = self
            .streams
            .values()
            .map(|s| {
                let b = self.bytes.get(s.stream as usize).copied().unwrap_or_default();
                (b[0].max(b[1]), s.last, s.stream)
            })
            .collect();
        order.sort_unstable();
        for &(_, _, stream) in &order[..order.len() / 2] {
            if let Some(s) = self.streams.remove(&stream) {
                self.points -= s.points();
                self.forgotten[stream as usize] = true;
                self.forgotten_count += 1;
            }
        }
    }

    /// The stream and direction to draw: `--stream N`, else the direction that
    /// carried the most bytes of any stream (a bulk transfer).
    pub fn pick(&self) -> anyhow::Result<(&Stream, Side)> {
        if self.overflow {
            let several = self.want.is_none() && self.bytes.len() > 1;
            bail!(no_graph(NoGraph::TooMany { max: MAX_POINTS, several }));
        }
        let most = |b: &[u64; 2]| b[0].max(b[1]);
        let s = match self.want {
            Some(w) => self.streams.get(&w).with_context(|| no_graph(NoGraph::NoStream(w)))?,
            None => {
                let (top, winner) = self
                    .bytes
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (most(b), std::cmp::Reverse(i)))
                    .max()
                    .with_context(|| no_graph(NoGraph::NoSegment))?;
                // The one that carried the most; among equals, the first that is kept.
                let kept = self.streams.values().filter(|s| most(&self.bytes[s.stream as usize]) == top);
                let Some(s) = kept.min_by_key(|s| s.stream) else {
                    let (stream, forgotten) = (winner.0 as u64, self.forgotten_count);
                    bail!(no_graph(NoGraph::Forgotten { stream, kept: MAX_KEPT, forgotten }));
                };
                s
            }
        };
        let b = self.bytes.get(s.stream as usize).copied().unwrap_or_default();
        let side = if b[1] > b[0] { Side::Server } else { Side::Client };
        if s.dirs[index(side)].sent.is_empty() {
            bail!(no_graph(NoGraph::NothingSent(s.stream)));
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
    let what = || writing_graph(&kit::escape_path(target.shown()));
    let mut f = target.file()?;
    f.write_all(doc.as_bytes()).and_then(|()| f.flush()).with_context(what)?;
    drop(f);
    target.commit()?;
    Ok((s.stream, side, marks))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Too many points: the hint picks a connection only when there is more than one.
    #[test]
    fn the_stream_hint_is_for_more_than_one_connection() {
        let hint = |connections: usize, want: Option<u64>| {
            let c =
                Collector { overflow: true, want, bytes: vec![[5, 0]; connections], ..Collector::default() };
            c.pick().expect_err("overflow").to_string()
        };
        assert!(hint(2, None).contains("hint: pick one connection with --stream N"), "{}", hint(2, None));
        for one in [hint(1, None), hint(1, Some(0))] {
            assert!(
                one.contains("hint: graph its first seconds: --duration S") && !one.contains("--stream"),
                "{one}"
            );
        }
    }

    #[test]
    fn relative_numbers_unwrap_past_four_gibibytes() {
        assert_eq!(unwrap(None, 5), 5);
        assert_eq!(unwrap(Some(4_294_967_000), 100), 4_294_967_396);
        assert_eq!(unwrap(Some(4_294_967_396), 4_294_967_000), 4_294_967_000);
    }
}
