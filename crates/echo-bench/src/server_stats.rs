//! The server's own cost while it serves: its resident memory (VmRSS) and
//! thread count, read from /proc/PID/status every 50 ms during a run; the
//! peak of each is reported.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Peak resident memory (KiB) and peak thread count seen.
#[derive(Debug, Default, Clone, Copy)]
pub struct Peak {
    pub rss_kib: u64,
    pub threads: u64,
}

/// A sampler thread watching one process until [`Sampler::stop`].
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<Peak>,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::spawn(move || {
            let mut peak = Peak::default();
            loop {
                if let Some(now) = read(pid) {
                    peak.rss_kib = peak.rss_kib.max(now.rss_kib);
                    peak.threads = peak.threads.max(now.threads);
                }
                if flag.load(Ordering::Relaxed) {
                    return peak;
                }
                thread::sleep(Duration::from_millis(50));
            }
        });
        Sampler { stop, handle }
    }

    /// Takes one last sample and returns the peaks.
    pub fn stop(self) -> Peak {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

/// VmRSS and Threads of `pid` now, or None if it is gone.
pub fn read(pid: u32) -> Option<Peak> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some(Peak { rss_kib: field("VmRSS:")?, threads: field("Threads:")? })
}
