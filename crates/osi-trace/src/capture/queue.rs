//! The bounded queue between the capture thread, which only copies frames
//! out of the kernel's ring, and the thread that decodes and renders them.
//! Its memory is a byte budget (`--buffer`): a frame that would go over it is
//! counted as dropped by osi-trace, never lost silently.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Direction;
use crate::frame::LinkType;

/// One frame copied out of the ring: its bytes and what the kernel said of it.
#[derive(Debug)]
pub(super) struct Captured {
    /// Kernel time, in whole microseconds, never earlier than the frame before.
    pub ts: Duration,
    pub link: LinkType,
    /// Length on the wire (the bytes may be fewer, cut by the snap length).
    pub orig_len: u32,
    pub data: Vec<u8>,
    /// The interface it was seen on; the reader turns it into a name.
    pub ifindex: i32,
    pub direction: Direction,
}

impl Captured {
    /// What the frame costs against the budget: its bytes and its record.
    pub fn cost(len: usize) -> usize {
        len + std::mem::size_of::<Captured>()
    }
}

/// Why the capture thread stopped.
#[derive(Debug)]
pub(super) enum End {
    /// Ctrl-C, `--duration`, or the reader is done (`--count`, `--connections`).
    Stopped,
    /// The interface went down (ENETDOWN); the frames until then are queued.
    Down,
    /// Reading the socket failed otherwise.
    Failed(io::Error),
}

/// The kernel's counters and ours, as the capture thread leaves them.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Totals {
    /// Frames that passed the filter (`tp_packets`, summed over reads).
    pub received: u64,
    /// Frames the kernel dropped, its ring full (`tp_drops`).
    pub dropped: u64,
    /// Frames of a link type osi-trace cannot decode (`any` only).
    pub other_links: u64,
}

struct State {
    frames: VecDeque<Captured>,
    /// Set once, by the capture thread as it ends, with when.
    end: Option<(End, Instant)>,
    totals: Totals,
}

/// Shared by the capture thread (producer) and the reader (consumer).
pub(super) struct Queue {
    /// The byte budget, and what queued frames cost now.
    budget: usize,
    used: AtomicUsize,
    /// Frames that did not fit in the budget.
    overflowed: AtomicU64,
    /// Capturing should end (or has ended): set by a stop, or by the thread itself.
    stop: AtomicBool,
    state: Mutex<State>,
    ready: Condvar,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("budget", &self.budget()).finish()
    }
}

impl Queue {
    pub fn new(budget: usize) -> Queue {
        Queue {
            budget,
            used: AtomicUsize::new(0),
            overflowed: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            state: Mutex::new(State { frames: VecDeque::new(), end: None, totals: Totals::default() }),
            ready: Condvar::new(),
        }
    }

    /// The state, even if a thread panicked holding it (it holds plain data).
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Producer: claims room for a frame of `len` bytes before copying it;
    /// false (and one more frame counted) when the budget is spent.
    pub fn reserve(&self, len: usize) -> bool {
        let cost = Captured::cost(len);
        let before = self.used.fetch_add(cost, Ordering::Relaxed);
        if before + cost > self.budget {
            self.used.fetch_sub(cost, Ordering::Relaxed);
            self.overflowed.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Producer: hands a batch of frames over, in capture order.
    pub fn push(&self, batch: &mut Vec<Captured>) {
        if batch.is_empty() {
            return;
        }
        self.state().frames.extend(batch.drain(..));
        self.ready.notify_one();
    }

    /// Producer: the capture is over; the reader gets `End` once the queue is empty.
    pub fn close(&self, end: End, totals: Totals) {
        self.stop.store(true, Ordering::SeqCst);
        let mut s = self.state();
        s.end = Some((end, Instant::now()));
        s.totals = totals;
        drop(s);
        self.ready.notify_one();
    }

    /// Asks the capture to end; true if it was still capturing.
    pub fn stop(&self) -> bool {
        !self.stop.swap(true, Ordering::SeqCst)
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Consumer: moves every queued frame into `into`, waiting up to
    /// `timeout` for one; when none is left and the capture is over, takes
    /// its end (once).
    pub fn take(&self, into: &mut VecDeque<Captured>, timeout: Duration) -> Option<End> {
        let deadline = Instant::now() + timeout;
        let mut s = self.state();
        while s.frames.is_empty() && s.end.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            s = self.ready.wait_timeout(s, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        if s.frames.is_empty() {
            return s.end.as_mut().map(|(e, _)| std::mem::replace(e, End::Stopped));
        }
        if into.is_empty() {
            // Swap rather than copy: the reader's emptied deque is reused.
            std::mem::swap(into, &mut s.frames);
        } else {
            into.extend(s.frames.drain(..));
        }
        None
    }

    /// Consumer: a frame taken has been shown; its bytes leave the budget.
    pub fn release(&self, len: usize) {
        self.used.fetch_sub(Captured::cost(len), Ordering::Relaxed);
    }

    /// Whether frames wait in the queue.
    pub fn has_frames(&self) -> bool {
        !self.state().frames.is_empty()
    }

    /// Frames still queued (not yet taken by the reader).
    pub fn queued(&self) -> u64 {
        self.state().frames.len() as u64
    }

    /// When the capture ended, if it has.
    pub fn ended_at(&self) -> Option<Instant> {
        self.state().end.as_ref().map(|(_, at)| *at)
    }

    pub fn totals(&self) -> Totals {
        self.state().totals
    }

    pub fn overflowed(&self) -> u64 {
        self.overflowed.load(Ordering::Relaxed)
    }

    pub fn budget(&self) -> usize {
        self.budget
    }
}
