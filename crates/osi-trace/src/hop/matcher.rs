//! The matching as the two captures are read: both links' frames in time
//! order, each datagram waiting for its copy on the other link, each row let
//! out in time order once nothing earlier can still come. Memory stays
//! bounded: past [`MAX_HELD`] frames held at once, the one waiting longest is
//! forgotten (counted) and shown on its link only, as is its copy should it
//! come later.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use super::{datagram, pair, Pair, Seen};

/// How many frames are held at once: waiting for their copy on the other
/// link, or for an earlier frame's row to be decided first.
pub const MAX_HELD: usize = 100_000;
/// How many forgotten frames are remembered, so that their copies, should
/// they come, are shown as forgotten too (and are not paired with another).
const KEEP_FORGOTTEN: usize = 200_000;

/// What a datagram's copy on the other link must share with it (`Datagram::key`).
type Key = (std::net::IpAddr, std::net::IpAddr, u8, Option<u16>, u64);

/// A row as the matching decides it; why a one-link frame is on one link
/// only is for the caller to say, with what the whole of both files tells.
#[derive(Debug)]
pub enum Matched {
    Pair(Box<Pair>),
    /// Seen on link `link` (0: link1, 1: link2) only. `forgotten`: its copy
    /// was no longer looked for (memory bound), or it is the copy of such a frame.
    Only {
        link: usize,
        seen: Box<Seen>,
        forgotten: bool,
    },
}

impl Matched {
    /// Where the row goes: by time (of the copy before the router, for a
    /// pair), then pairs and link1's frames before link2's, each in file order.
    fn order(&self) -> (Duration, u8, u64) {
        match self {
            Matched::Pair(p) => (p.before().ts, 0, p.copies[0].frame),
            Matched::Only { link, seen, .. } => (seen.ts, 1 + *link as u8, seen.frame),
        }
    }
}

/// A frame waiting for its copy.
#[derive(Debug)]
struct Waiting {
    link: usize,
    seen: Box<Seen>,
    /// The arrival number of the next frame of its key waiting.
    next: Option<u64>,
}

/// The matching's state between two frames.
#[derive(Debug, Default)]
pub struct Matcher {
    /// Frames waiting for their copy, oldest first; `None` once paired. The
    /// first is always a waiting frame.
    waiting: VecDeque<Option<Waiting>>,
    /// The arrival number of `waiting[0]`.
    first: u64,
    /// Per key, the arrival numbers of its oldest and newest waiting frames
    /// (all on one link: a copy from the other is paired at once), the others
    /// chained between them by `Waiting::next`.
    by_key: HashMap<Key, (u64, u64)>,
    /// Decided rows not yet let out: something earlier may still come.
    ready: BTreeMap<(Duration, u8, u64), Matched>,
    /// Forgotten frames by a hash of their key and link, with how many; and
    /// in which order they were forgotten, to forget the oldest first.
    forgotten_keys: HashMap<u64, u32>,
    forgotten_order: VecDeque<u64>,
    /// Frames forgotten so far, both links.
    forgotten: u64,
}

impl Matcher {
    /// Matches frame `seen` of link `link`. `other_done`: the other link has
    /// no more frames, so no copy can come and a frame without one is decided.
    pub fn push(&mut self, link: usize, seen: Seen, other_done: bool) {
        let Some(key) = datagram(&seen).filter(|d| !d.is_link_local()).map(|d| d.key()) else {
            return self.decide(Matched::Only { link, seen: Box::new(seen), forgotten: false });
        };
        // A copy of a frame forgotten on the other link: forgotten too, in its turn.
        if self.unforget(forgotten(&key, 1 - link)) {
            self.forgotten += 1;
            return self.decide(Matched::Only { link, seen: Box::new(seen), forgotten: true });
        }
        let waits = self.by_key.get(&key).and_then(|&(oldest, _)| self.slot(oldest)).map(|w| w.link);
        if waits == Some(1 - link) {
            // The oldest copy waiting on the other link: the first with the first.
            let other = self.pop(&key).and_then(|id| self.take(id));
            let Some(other) = other else { unreachable!("a key's frames are waiting") };
            let (on1, on2) = if link == 0 { (seen, *other.seen) } else { (*other.seen, seen) };
            return self.decide(Matched::Pair(Box::new(pair(on1, on2))));
        }
        if other_done {
            return self.decide(Matched::Only { link, seen: Box::new(seen), forgotten: false });
        }
        let id = self.first + self.waiting.len() as u64;
        match self.by_key.get_mut(&key) {
            Some((_, newest)) => {
                let before = std::mem::replace(newest, id);
                // The newest is never taken out before its key's list moves on.
                let at = (before - self.first) as usize;
                if let Some(w) = self.waiting.get_mut(at).and_then(Option::as_mut) {
                    w.next = Some(id);
                }
            }
            None => drop(self.by_key.insert(key, (id, id))),
        }
        self.waiting.push_back(Some(Waiting { link, seen: Box::new(seen), next: None }));
    }

    fn slot(&self, id: u64) -> Option<&Waiting> {
        self.waiting.get(usize::try_from(id.checked_sub(self.first)?).ok()?)?.as_ref()
    }

    /// The oldest waiting frame of `key`, out of its list.
    fn pop(&mut self, key: &Key) -> Option<u64> {
        let &(oldest, _) = self.by_key.get(key)?;
        match self.slot(oldest).and_then(|w| w.next) {
            Some(next) => drop(self.by_key.insert(*key, (next, self.by_key[key].1))),
            None => drop(self.by_key.remove(key)),
        }
        Some(oldest)
    }

    /// Takes waiting frame `id` out, and the paired ones that were behind the first.
    fn take(&mut self, id: u64) -> Option<Waiting> {
        let taken = self.waiting.get_mut(usize::try_from(id.checked_sub(self.first)?).ok()?)?.take();
        while matches!(self.waiting.front(), Some(None)) {
            self.waiting.pop_front();
            self.first += 1;
        }
        taken
    }

    fn decide(&mut self, m: Matched) {
        self.ready.insert(m.order(), m);
    }

    /// Frames held now: waiting (with the places of those paired behind the
    /// first), and decided but not let out.
    fn held(&self) -> usize {
        self.waiting.len() + self.ready.len()
    }

    /// The rows that can be let out, in time order, when no frame still to be
    /// read is stamped before `next` (`None`: both links are read to the end,
    /// every row goes). Past [`MAX_HELD`], the frame waiting longest is forgotten.
    pub fn ready(&mut self, next: Option<Duration>, mut row: impl FnMut(Matched)) {
        loop {
            // A waiting frame's row (a pair or not) is stamped no earlier than it.
            let waiting = self.waiting.front().and_then(|w| w.as_ref()).map(|w| w.seen.ts);
            let bound = match next {
                Some(next) => Some(waiting.map_or(next, |w| w.min(next))),
                None => waiting,
            };
            while let Some(entry) = self.ready.first_entry() {
                if bound.is_some_and(|b| entry.key().0 >= b) {
                    break;
                }
                row(entry.remove());
            }
            let over = self.held() > MAX_HELD;
            match self.oldest() {
                // Read to the end: no copy can come any more.
                Some(id) if next.is_none() => self.give_up(id, false),
                Some(id) if over => self.give_up(id, true),
                // Nothing waits, yet too many rows are stamped alike: let the first out anyway.
                None if over => {
                    if let Some(entry) = self.ready.first_entry() {
                        row(entry.remove());
                    }
                }
                _ => return,
            }
        }
    }

    /// The arrival number of the frame waiting longest.
    fn oldest(&self) -> Option<u64> {
        self.waiting.front().map(|_| self.first)
    }

    /// Decides waiting frame `id` as seen on its link only; `forget`: it was
    /// waiting when the cap was reached (its copy, should it come, is forgotten too).
    fn give_up(&mut self, id: u64, forget: bool) {
        let key = self.slot(id).and_then(|w| datagram(&w.seen)).map(|d| d.key());
        if let Some(key) = &key {
            // The oldest waiting frame of all is the oldest of its key: out of its list first.
            self.pop(key);
        }
        let Some(Waiting { link, seen, .. }) = self.take(id) else { return };
        if let Some(key) = key {
            if forget {
                let h = forgotten(&key, link);
                *self.forgotten_keys.entry(h).or_default() += 1;
                self.forgotten_order.push_back(h);
                while self.forgotten_order.len() > KEEP_FORGOTTEN {
                    if let Some(old) = self.forgotten_order.pop_front() {
                        self.unforget(old);
                    }
                }
            }
        }
        self.forgotten += u64::from(forget);
        self.decide(Matched::Only { link, seen, forgotten: forget });
    }

    /// Takes one forgotten frame of hash `h` off the list; whether there was one.
    fn unforget(&mut self, h: u64) -> bool {
        let Some(n) = self.forgotten_keys.get_mut(&h) else { return false };
        *n -= 1;
        if *n == 0 {
            self.forgotten_keys.remove(&h);
        }
        true
    }

    /// Frames forgotten so far (memory bound), both links.
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }
}

/// A forgotten frame's key and link, hashed: two such are alike by chance
/// once in 2^64, and a hash takes an eighth of the key's room.
fn forgotten(key: &Key, link: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (key, link).hash(&mut h);
    h.finish()
}

/// What [`walk`] hands on: a frame as it is read, or a row as it is let out.
pub enum Step<'a> {
    /// Frame of link 0 (link1) or 1 (link2), in its file's order.
    Frame(usize, &'a Seen),
    /// A row, in time order.
    Row(Matched),
}

/// Reads the frames of both links (`links[0]` link1's, `links[1]` link2's),
/// each in its file's order, together in time order, and hands `on` each
/// frame as it is read and each row as it is let out. Returns how many
/// frames were forgotten (memory bound).
pub fn walk<E>(
    links: [&mut dyn Iterator<Item = Result<Seen, E>>; 2],
    mut on: impl FnMut(Step) -> Result<(), E>,
) -> Result<u64, E> {
    let [a, b] = links;
    let mut links = [a.peekable(), b.peekable()];
    let mut m = Matcher::default();
    let mut rows = VecDeque::new();
    loop {
        let next = [next_ts(&mut links[0]), next_ts(&mut links[1])];
        // The earlier of the two links' next frames; link1's first when alike.
        let link = match next {
            [None, None] => return Ok(m.forgotten()),
            [Some(x), Some(y)] => usize::from(y < x),
            [Some(_), None] => 0,
            [None, Some(_)] => 1,
        };
        let Some(seen) = links[link].next().transpose()? else { continue };
        on(Step::Frame(link, &seen))?;
        m.push(link, seen, next[1 - link].is_none());
        // No frame still to read is stamped before the links' next ones (each
        // file in time order); with both read to the end, every row goes.
        let next = [next_ts(&mut links[0]), next_ts(&mut links[1])];
        m.ready(next.into_iter().flatten().min(), |r| rows.push_back(r));
        while let Some(r) = rows.pop_front() {
            on(Step::Row(r))?;
        }
    }
}

/// The time of a link's next frame; an error comes first, to be handed on.
fn next_ts<E>(l: &mut std::iter::Peekable<&mut dyn Iterator<Item = Result<Seen, E>>>) -> Option<Duration> {
    l.peek().map(|f| f.as_ref().map_or(Duration::ZERO, |s| s.ts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hop::{Datagram, What};
    use std::net::{IpAddr, Ipv4Addr};

    /// Frame `frame` of a link at `us` µs: a datagram whose content is `n`, with `ttl`.
    fn seen(frame: u64, us: u64, n: u64, ttl: u8) -> Seen {
        let ip = |last| IpAddr::V4(Ipv4Addr::new(10, 0, 1, last));
        let d = Datagram {
            src: ip(2),
            dst: ip(9),
            ttl,
            id: Some(n as u16),
            protocol: 6,
            fragment: false,
            fingerprint: n,
            tcp: None,
            control: None,
        };
        Seen { frame, ts: Duration::from_micros(us), macs: None, what: What::Datagram(d) }
    }

    /// Runs the matching over two links' frames; the rows as they come out.
    fn rows(a: Vec<Seen>, b: Vec<Seen>) -> (Vec<Matched>, u64) {
        let mut out = Vec::new();
        let (mut a, mut b) = (a.into_iter().map(Ok::<_, ()>), b.into_iter().map(Ok));
        let forgotten = walk([&mut a, &mut b], |step| {
            if let Step::Row(r) = step {
                out.push(r);
            }
            Ok(())
        })
        .unwrap();
        (out, forgotten)
    }

    #[test]
    fn rows_come_out_in_time_order_each_pair_once() {
        // Link2's copies 3 µs later; a datagram the router kept (5) and one it sent (link2's 99).
        let a = vec![seen(1, 0, 1, 64), seen(2, 10, 5, 64), seen(3, 20, 2, 64)];
        let b = vec![seen(1, 3, 1, 63), seen(2, 15, 99, 64), seen(3, 23, 2, 63)];
        let (rows, forgotten) = rows(a, b);
        let got: Vec<_> = rows.iter().map(|r| r.order()).collect();
        let us = Duration::from_micros;
        assert_eq!(got, [(us(0), 0, 1), (us(10), 1, 2), (us(15), 2, 2), (us(20), 0, 3)]);
        assert_eq!(forgotten, 0);
    }

    /// Past the bound the frame waiting longest is forgotten; its copy, when
    /// it comes, is forgotten too, not paired with a later frame alike. Rows
    /// held behind a waiting frame count: each such copy's row pushes out one
    /// more of the longest waiting.
    #[test]
    fn past_the_bound_the_longest_waiting_and_their_copies_are_forgotten() {
        let extra = 5;
        let n = (MAX_HELD + extra) as u64;
        // Link1: n datagrams, each waiting for a copy; link2: copies of the first
        // `extra` (forgotten by then) and of the last (still waiting), after them all.
        let a: Vec<Seen> = (0..n).map(|i| seen(i + 1, i, i, 64)).collect();
        let late = (0..extra as u64).chain([n - 1]);
        let b: Vec<Seen> = late.enumerate().map(|(j, i)| seen(j as u64 + 1, n + j as u64, i, 63)).collect();
        let (rows, forgotten) = rows(a, b);
        assert_eq!(
            forgotten,
            3 * extra as u64,
            "the {extra} longest waiting, their copies, and as many more"
        );
        let forgotten_rows: Vec<(usize, u64)> = rows
            .iter()
            .filter_map(|r| match r {
                Matched::Only { link, seen, forgotten: true } => Some((*link, seen.frame)),
                _ => None,
            })
            .collect();
        let want: Vec<(usize, u64)> =
            (1..=2 * extra as u64).map(|f| (0, f)).chain((1..=extra as u64).map(|f| (1, f))).collect();
        assert_eq!(forgotten_rows, want);
        let pairs: Vec<(u64, u64)> = rows
            .iter()
            .filter_map(|r| match r {
                Matched::Pair(p) => Some((p.copies[0].frame, p.copies[1].frame)),
                _ => None,
            })
            .collect();
        assert_eq!(pairs, [(n, extra as u64 + 1)]);
        assert_eq!(rows.len() as u64, n + extra as u64, "every frame once: {} pairs", pairs.len());
    }
}
