//! IP fragment reassembly, as Wireshark shows it: the pieces of a datagram are
//! held until the last one arrives, and the TCP segment inside belongs to the
//! frame that completes it. Bounded like Linux's own reassembly: a datagram
//! not complete 30 s (capture time) after its first piece is dropped
//! (`net.ipv4.ipfrag_time`), and at most 4 MiB of pieces are held
//! (`ipfrag_high_thresh`), the oldest datagram dropped first.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::Duration;

use super::bytes::Bytes;
use super::tunnel::Defrag;
use super::Ip;

/// Linux's `ipfrag_time`: how long pieces wait for the rest.
const EXPIRE: Duration = Duration::from_secs(30);
/// Linux's `ipfrag_high_thresh`: bytes of pieces held at most.
const MAX_BYTES: usize = 4 << 20;
/// Datagrams held at most (many tiny pieces cost memory too).
const MAX_DATAGRAMS: usize = 4096;
/// No IP datagram is longer (IPv4's 16-bit length; IPv6 jumbograms are never fragmented).
const MAX_DATAGRAM: usize = 65_535;

/// Which datagram a piece belongs to: addresses, protocol, identification.
type Key = (IpAddr, IpAddr, u8, u32);

/// The pieces of one datagram received so far.
pub(super) struct Pending {
    /// Capture time of its first piece, and a tie-breaker: its key in `order`.
    first: (Duration, u64),
    /// (offset, bytes), in order of arrival.
    pieces: Vec<(usize, Vec<u8>)>,
    /// The datagram's payload length, known once the last piece (MF clear) came.
    len: Option<usize>,
    bytes: usize,
}

/// What reassembly did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefragStats {
    /// Datagrams put together.
    pub reassembled: u64,
    /// Datagrams dropped incomplete: too old, or to stay within the memory bound.
    pub dropped: u64,
}

/// Holds the pieces of fragmented datagrams until each is complete.
#[derive(Default)]
pub(super) struct Reassembler {
    pub(super) pending: HashMap<Key, Pending>,
    /// Pending datagrams by the time of their first piece, oldest first.
    order: BTreeMap<(Duration, u64), Key>,
    /// Numbers the datagrams, to tell apart two first pieces of the same time.
    arrivals: u64,
    /// Bytes of pieces held, over all pending datagrams.
    pub(super) bytes: usize,
    /// Capture time of the frame being decoded.
    pub now: Duration,
    pub stats: DefragStats,
}

impl Reassembler {
    /// Drops the datagram whose first piece is the oldest, if it came
    /// before `before` (or whatever its age, with `None`); whether one was.
    fn drop_oldest(&mut self, before: Option<Duration>) -> bool {
        let Some((&(first, n), &key)) = self.order.first_key_value() else {
            return false;
        };
        if before.is_some_and(|t| first >= t) {
            return false;
        }
        self.order.remove(&(first, n));
        if let Some(p) = self.pending.remove(&key) {
            self.bytes -= p.bytes;
        }
        self.stats.dropped += 1;
        true
    }
}

impl Defrag for Reassembler {
    fn piece(&mut self, ip: &Ip, proto: u8, payload: Bytes<'_>) -> Option<(Vec<u8>, u32)> {
        let frag = ip.fragment?;
        let now = self.now;
        if let Some(limit) = now.checked_sub(EXPIRE) {
            while self.drop_oldest(Some(limit)) {}
        }
        // A piece cut by the snap length cannot fill its part of the datagram.
        let (offset, data) = (frag.offset as usize, payload.data);
        if payload.missing > 0 || offset + data.len() > MAX_DATAGRAM {
            return None;
        }
        let key = (ip.src, ip.dst, proto, frag.id);
        while self.bytes + data.len() > MAX_BYTES
            || (self.pending.len() >= MAX_DATAGRAMS && !self.pending.contains_key(&key))
        {
            if !self.drop_oldest(None) {
                return None;
            }
        }
        let (order, arrivals) = (&mut self.order, &mut self.arrivals);
        let p = self.pending.entry(key).or_insert_with(|| {
            *arrivals += 1;
            order.insert((now, *arrivals), key);
            Pending { first: (now, *arrivals), pieces: Vec::new(), len: None, bytes: 0 }
        });
        if !frag.more {
            p.len = Some(offset + data.len());
        }
        p.pieces.push((offset, data.to_vec()));
        p.bytes += data.len();
        self.bytes += data.len();
        let len = p.len?;
        // Complete when the pieces, sorted by offset, leave no hole before the end.
        let mut spans: Vec<(usize, usize)> = p.pieces.iter().map(|(o, d)| (*o, o + d.len())).collect();
        spans.sort_unstable();
        let mut covered = 0;
        for (start, end) in spans {
            if start > covered {
                return None;
            }
            covered = covered.max(end);
        }
        if covered < len {
            return None;
        }
        let p = self.pending.remove(&key)?;
        self.order.remove(&p.first);
        self.bytes -= p.bytes;
        self.stats.reassembled += 1;
        // Later pieces overwrite earlier ones where they overlap.
        let mut whole = vec![0u8; len];
        for (o, d) in &p.pieces {
            let end = (o + d.len()).min(len);
            if *o < end {
                whole[*o..end].copy_from_slice(&d[..end - o]);
            }
        }
        Some((whole, p.pieces.len() as u32))
    }
}
