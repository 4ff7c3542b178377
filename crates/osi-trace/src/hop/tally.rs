//! The hop view's closing counts, kept as the rows go by: the pairs each way,
//! what changed on them, the router's times (lowest, median, highest) and the
//! one-link frames by reason. Bounded: the times are counted per value, and
//! past [`MAX_TIMES`] different values they are counted coarser.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Row, Why};

/// How many different router times are counted one by one.
pub const MAX_TIMES: usize = 65_536;

/// The counts of the rows so far.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub pairs: u64,
    /// Pairs that came in from link1, from link2.
    pub way: [u64; 2],
    /// Pairs whose MACs were both rewritten.
    pub rewritten: u64,
    /// Pairs whose TTL or hop limit is one lower after the router.
    pub lower: u64,
    pub times: Times,
    /// One-link frames by reason, in the order each reason first came (the
    /// first such reason stands for its kind).
    pub only: Vec<(Why, u64)>,
    pub only_total: u64,
    /// TCP segments shown with raw sequence numbers because their flow's
    /// initial sequence number was forgotten (memory bound).
    pub raw_segments: u64,
}

impl Tally {
    pub fn add(&mut self, r: &Row) {
        match r {
            Row::Pair(p) => {
                self.pairs += 1;
                self.way[p.from] += 1;
                self.rewritten += u64::from(p.macs_rewritten());
                self.lower += u64::from(p.one_lower());
                if let Some(t) = p.router_time() {
                    self.times.add(t);
                }
            }
            Row::Only(o) => {
                self.only_total += 1;
                let same = |w: &Why| std::mem::discriminant(w) == std::mem::discriminant(&o.why);
                match self.only.iter_mut().find(|(w, _)| same(w)) {
                    Some((_, n)) => *n += 1,
                    None => self.only.push((o.why, 1)),
                }
            }
        }
    }
}

/// Router times, counted per value (rounded down to `grain` nanoseconds once
/// there are too many different ones to keep).
#[derive(Debug, Clone, Default)]
pub struct Times {
    counts: BTreeMap<u64, u64>,
    n: u64,
    /// 0 (one by one) until the values are coarsened: then 10 ns, 100 ns, …
    grain: u64,
    lowest: Option<Duration>,
    highest: Option<Duration>,
}

impl Times {
    pub fn add(&mut self, t: Duration) {
        self.lowest = Some(self.lowest.map_or(t, |l| l.min(t)));
        self.highest = Some(self.highest.map_or(t, |h| h.max(t)));
        let ns = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
        *self.counts.entry(self.round(ns)).or_default() += 1;
        self.n += 1;
        while self.counts.len() > MAX_TIMES {
            self.grain = if self.grain == 0 { 10 } else { self.grain.saturating_mul(10) };
            let old = std::mem::take(&mut self.counts);
            for (v, c) in old {
                *self.counts.entry(self.round(v)).or_default() += c;
            }
        }
    }

    fn round(&self, ns: u64) -> u64 {
        match self.grain {
            0 => ns,
            g => ns - ns % g,
        }
    }

    pub fn lowest(&self) -> Option<Duration> {
        self.lowest
    }

    pub fn highest(&self) -> Option<Duration> {
        self.highest
    }

    /// The median (the time at the middle of the sorted times, the upper one
    /// of an even count); exact unless [`Times::coarse`].
    pub fn median(&self) -> Option<Duration> {
        let mut left = self.n / 2;
        for (v, c) in &self.counts {
            if left < *c {
                return Some(Duration::from_nanos(*v));
            }
            left -= c;
        }
        None
    }

    /// Whether the times were counted coarser than a nanosecond (too many
    /// different ones): the median is then rounded down to [`Times::grain`].
    pub fn coarse(&self) -> bool {
        self.grain > 0
    }

    pub fn grain(&self) -> Duration {
        Duration::from_nanos(self.grain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_of_the_sorted_times_and_stays_bounded() {
        let mut t = Times::default();
        for us in [27, 5, 40, 5, 1000] {
            t.add(Duration::from_micros(us));
        }
        // Sorted: 5 5 27 40 1000; the middle one.
        assert_eq!(t.median(), Some(Duration::from_micros(27)));
        assert_eq!(
            (t.lowest(), t.highest()),
            (Some(Duration::from_micros(5)), Some(Duration::from_millis(1)))
        );
        t.add(Duration::from_micros(41));
        // Six: the upper of the two in the middle, as `times[len / 2]`.
        assert_eq!(t.median(), Some(Duration::from_micros(40)));
        assert!(!t.coarse());
        let mut many = Times::default();
        for ns in 0..(MAX_TIMES as u64 * 3) {
            many.add(Duration::from_nanos(ns * 7));
        }
        assert!(many.coarse() && many.counts.len() <= MAX_TIMES, "{}", many.counts.len());
        let exact = Duration::from_nanos(MAX_TIMES as u64 * 3 / 2 * 7);
        let got = many.median().unwrap();
        assert!(got <= exact && exact - got < many.grain(), "{got:?} {exact:?}");
    }
}
