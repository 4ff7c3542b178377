//! The capture thread: it only drains the kernel's ring, copying each frame
//! into the queue, so a slow terminal or a busy renderer never leaves the
//! ring full (where the kernel would drop frames). It ends on a stop, at
//! `--duration`, or when the interface goes down.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::hints::buffer_full;
use super::queue::{Captured, End, Queue, Totals};
use super::ring::{self, Ring};
use super::{link_of, Direction};

/// Frames handed to the queue at once: one lock per batch, not per frame.
const BATCH: usize = 256;
/// The longest wait on the ring before checking for a stop or the deadline.
const TICK: Duration = Duration::from_millis(50);
/// How often the kernel's counters are read (`tp_packets` is 32 bits: read
/// often enough that it cannot wrap in between).
const STATS_EVERY: Duration = Duration::from_secs(1);

/// Drains `ring` into `queue` until stopped, `deadline`, or the interface
/// goes down; then closes the queue with the kernel's counters.
pub(super) fn run(mut ring: Ring, queue: Arc<Queue>, deadline: Option<Instant>) {
    let mut copier = Copier::default();
    let mut stats_at = Instant::now();
    // When the interface went down: the kernel still hands over the frames of
    // a part-filled block (it retires one on a timer), so wait that long.
    let mut down_until: Option<Instant> = None;
    let end = loop {
        copier.drain(&mut ring, &queue);
        let now = Instant::now();
        if now >= stats_at + STATS_EVERY {
            add_stats(&ring, &mut copier.totals);
            stats_at = now;
        }
        if queue.stopping() || deadline.is_some_and(|d| now >= d) {
            break End::Stopped;
        }
        if down_until.is_some_and(|t| now >= t) {
            break End::Down;
        }
        let mut wait = TICK;
        for t in [deadline, down_until].into_iter().flatten() {
            wait = wait.min(t.saturating_duration_since(now));
        }
        match ring.wait(wait) {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) => {
                down_until.get_or_insert(now + ring::RETIRE * 4);
            }
            Err(e) => break End::Failed(e),
        }
    };
    if let End::Stopped = end {
        // Frames that reached the ring before the stop but sit in a block the
        // kernel has not handed over yet: it does so within RETIRE.
        let until = Instant::now() + ring::RETIRE * 2;
        while let Some(left) = until.checked_duration_since(Instant::now()).filter(|l| !l.is_zero()) {
            if ring.wait(left).is_err() {
                break;
            }
            copier.drain(&mut ring, &queue);
        }
    }
    let mut totals = copier.totals;
    add_stats(&ring, &mut totals);
    queue.close(end, totals);
}

/// Copies frames out of the ring into the queue, in batches.
#[derive(Default)]
struct Copier {
    batch: Vec<Captured>,
    totals: Totals,
    /// The time of the frame before, in whole microseconds.
    last_ts: Duration,
    /// The first frame dropped for a full buffer was said.
    warned: bool,
}

impl Copier {
    /// Copies every frame the kernel has handed over (giving each block back).
    fn drain(&mut self, ring: &mut Ring, queue: &Queue) {
        while let Some(raw) = ring.next() {
            let Some(link) = link_of(raw.hatype) else {
                self.totals.other_links += 1;
                continue;
            };
            if !queue.reserve(raw.data.len()) {
                // Said at once, from here: the reader may be stuck on its output.
                if !self.warned {
                    self.warned = true;
                    eprintln!("{}", kit::warning_line("osi-trace", &buffer_full(queue.budget())));
                }
                continue;
            }
            // Microseconds: what a pcap file keeps, so --read of --write shows
            // the same; never earlier than the frame before (frames stamped on
            // two CPUs can reach the ring in the other order).
            let ts = Duration::from_micros(raw.ts.as_micros() as u64).max(self.last_ts);
            self.last_ts = ts;
            let direction = if raw.pkttype == libc::PACKET_OUTGOING { Direction::Out } else { Direction::In };
            self.batch.push(Captured {
                ts,
                link,
                orig_len: raw.len,
                data: raw.data.to_vec(),
                ifindex: raw.ifindex,
                direction,
            });
            if self.batch.len() == BATCH {
                queue.push(&mut self.batch);
            }
        }
        queue.push(&mut self.batch);
    }
}

/// Adds the kernel's counters since the last read (it resets them on each).
fn add_stats(ring: &Ring, totals: &mut Totals) {
    // A socket that cannot report its counters still captured what it did:
    // the counts stay as they were rather than end the capture.
    if let Ok((packets, drops)) = ring.stats() {
        // tp_packets counts frames that passed the filter, dropped ones included.
        totals.received += u64::from(packets);
        totals.dropped += u64::from(drops);
    }
}
