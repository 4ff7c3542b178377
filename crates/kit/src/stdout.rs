//! Stdout that never stalls the program: lines go through a bounded queue to
//! one writer thread. When nobody reads stdout (a full pipe), the queue fills
//! and narration lines are dropped and counted, and a line saying how many
//! takes their place; serving goes on. Lines that must not be lost (READY, the
//! client's `Received …`) wait for room instead.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once};
use std::time::{Duration, Instant};

use crate::words::plural;

/// Lines the queue holds at most (about 100 KiB of narration); the writer holds one such batch more.
const CAPACITY: usize = 1024;

struct Queue {
    lines: VecDeque<String>,
    /// Narration lines dropped since the writer last took the queue.
    dropped: u64,
    /// The writer holds lines it took off the queue and has not written yet.
    writing: bool,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue { lines: VecDeque::new(), dropped: 0, writing: false });
/// Signalled when lines arrive (the writer waits on it).
static ARRIVED: Condvar = Condvar::new();
/// Signalled when the writer has written a batch (room, or drained).
static WRITTEN: Condvar = Condvar::new();
static WRITER: Once = Once::new();
/// No writer thread could be started: write directly (and block, as plain println! would).
static DIRECT: AtomicBool = AtomicBool::new(false);

fn queue() -> MutexGuard<'static, Queue> {
    // A panic elsewhere while holding the lock leaves a usable queue of whole lines.
    QUEUE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Queues `line`. With `must`, waits for room; otherwise a full queue drops
/// it and counts it. Never waits on stdout itself.
pub(crate) fn push(line: String, must: bool) {
    WRITER.call_once(|| {
        if std::thread::Builder::new().name("stdout".into()).spawn(write_forever).is_err() {
            DIRECT.store(true, Ordering::Relaxed);
        }
    });
    if DIRECT.load(Ordering::Relaxed) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        return;
    }
    let mut q = queue();
    while must && q.lines.len() >= CAPACITY {
        q = WRITTEN.wait(q).unwrap_or_else(|poisoned| poisoned.into_inner());
    }
    if q.lines.len() >= CAPACITY {
        // Only while the writer is stuck on stdout: it takes the count with the queue.
        q.dropped += 1;
        return;
    }
    q.lines.push_back(line);
    ARRIVED.notify_one();
}

/// Writes `line` at once on the caller's thread, starting no writer thread:
/// for `--quiet` programs, which print only lines that must not be lost
/// (READY, `Received …`), so a program that serves on one thread stays one thread.
pub(crate) fn write_now(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Waits up to `limit` for every queued line to be written: at exit, so the
/// last lines are not lost; bounded, so a stdout nobody reads cannot hang it.
pub fn drain(limit: Duration) {
    let until = Instant::now() + limit;
    let mut q = queue();
    while !q.lines.is_empty() || q.writing {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        q = match WRITTEN.wait_timeout(q, left) {
            Ok((q, _)) => q,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
}

/// The writer thread: takes every queued line at once, writes them, repeats.
/// Only this thread blocks when stdout is full.
fn write_forever() {
    loop {
        let batch = {
            let mut q = queue();
            while q.lines.is_empty() {
                q = ARRIVED.wait(q).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            q.writing = true;
            let mut batch: Vec<String> = q.lines.drain(..).collect();
            // Lines are dropped only while the queue is full, so after every queued line.
            if q.dropped > 0 {
                batch.push(format!(
                    "[..] {} dropped here: nobody read stdout",
                    plural(q.dropped, "narration line")
                ));
                q.dropped = 0;
            }
            batch
        };
        let mut out = std::io::stdout().lock();
        for line in batch {
            // Write errors (EPIPE: the reader went away) are ignored: narration is best effort.
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
        drop(out);
        queue().writing = false;
        WRITTEN.notify_all();
    }
}
