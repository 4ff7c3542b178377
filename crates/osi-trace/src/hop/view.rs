//! The hop view's two passes over the two links' frames. The first learns
//! what only the whole of both files tells: the router's MACs, who asked for
//! whose MAC, the widest cell, whether the files belong together. The second
//! gives each row with its reason, in time order, and counts them. Both read
//! the frames the same way, so they match them the same way; neither holds
//! more than the matching's bound.

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

use super::matcher::{walk, Matched, Step};
use super::why::MAX_FACTS;
use super::{HopView, Knowledge, Only, Pair, Row, Seen, Tally, What, Why};
use crate::neighbours::Neighbours;

/// One link's frames, each in its file's order.
pub type Frames<'a> = &'a mut dyn Iterator<Item = anyhow::Result<Seen>>;

/// What the first pass learns.
#[derive(Debug)]
pub struct Study {
    pub knowledge: Knowledge,
    /// The widest L2 or L3 cell of any pair: the columns line up down the view.
    pub column: usize,
    /// Whether the two captures share anything at all (a datagram, or an IP
    /// address): two unrelated files give an error, not a view.
    pub related: bool,
    /// The first frame's time of either file: rows are timed from it.
    pub start: Duration,
    /// Frames read of each link.
    pub frames: [u64; 2],
    /// Frames forgotten while waiting for their copy (memory bound): the
    /// second reading forgets the same.
    pub forgotten: u64,
}

/// The first pass; `width` measures a pair's widest cell as the view lays it
/// out (`render::hop::cells_width`).
pub fn study(links: [Frames; 2], width: impl Fn(&Pair) -> usize) -> anyhow::Result<Study> {
    let mut knowledge = Knowledge::default();
    let mut addresses: [HashSet<IpAddr>; 2] = Default::default();
    let (mut column, mut paired, mut start, mut frames) = (0, false, None, [0, 0]);
    let forgotten = walk(links, |step| {
        match step {
            Step::Frame(link, s) => {
                frames[link] += 1;
                start = Some(start.map_or(s.ts, |t: Duration| t.min(s.ts)));
                knowledge.frame(link, s);
                // The addresses of datagrams (not link-local), asked or answered by ARP.
                let ips = match &s.what {
                    What::Datagram(d) if !d.is_link_local() => [d.src, d.dst],
                    What::Arp(c) => [c.message.src(), c.message.dst()],
                    _ => return Ok(()),
                };
                for ip in ips {
                    if addresses[link].len() <= MAX_FACTS {
                        addresses[link].insert(ip);
                    }
                }
            }
            Step::Row(m) => {
                if let Matched::Pair(p) = &m {
                    paired = true;
                    column = column.max(width(p));
                }
                knowledge.row(&m);
            }
        }
        Ok(())
    })?;
    knowledge.finish();
    // Past the bound the sets are not whole: then they are taken as related.
    let full = addresses.iter().any(|a| a.len() > MAX_FACTS);
    let shared = addresses[0].intersection(&addresses[1]).next().is_some();
    Ok(Study {
        knowledge,
        column,
        related: paired || shared || full,
        start: start.unwrap_or_default(),
        frames,
        forgotten,
    })
}

/// The second pass: each row, with its reason, handed to `row` in time order
/// with what showing it needs; then the closing counts.
pub fn rows(
    study: &Study,
    links: [Frames; 2],
    mut row: impl FnMut(&HopView, &Row) -> anyhow::Result<()>,
) -> anyhow::Result<Tally> {
    let mut view = HopView { start: study.start, ..HopView::default() };
    let mut tally = Tally::default();
    // Which request each neighbour reply answers, in time order, as the line view tells it.
    let mut neighbours = Neighbours::new();
    walk(links, |step| {
        let Step::Row(m) = step else { return Ok(()) };
        let r = match m {
            Matched::Pair(p) => Row::Pair(p),
            Matched::Only { link, seen, forgotten } => {
                let why = if forgotten { Why::Forgotten } else { study.knowledge.why(link, &seen) };
                let asked = match &seen.what {
                    What::Arp(c) => neighbours.see(c),
                    _ => None,
                };
                Row::Only(Box::new(Only { link, seen: *seen, why, asked }))
            }
        };
        view.isn.learn(&r);
        tally.add(&r);
        row(&view, &r)
    })?;
    tally.raw_segments = view.isn.raw();
    Ok(tally)
}
