//! Live capture on Linux interfaces: an `AF_PACKET` socket made with socket2,
//! a classic BPF program (`filter.rs`) that keeps one copy of each frame on
//! `lo` and only TCP on the chosen port, read through the kernel's
//! memory-mapped `TPACKET_V3` ring (`ring.rs`), as libpcap does, drained by a
//! thread of its own (`thread.rs`) into a bounded queue (`queue.rs`) that the
//! caller reads from. Each frame keeps the kernel's timestamp, its interface,
//! its direction and link type.

use std::collections::{HashMap, VecDeque};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use pnet::datalink;
use socket2::{Domain, Socket, Type};

use crate::frame::{Frame, LinkType};

mod filter;
pub(crate) mod hints;
mod hints_vi;
mod queue;
mod ring;
#[cfg(test)]
mod tests;
mod thread;

pub use filter::{filter, FilterSpec};
use hints::{doing, find_interface, permission_error, read_sys, unsupported_link, went_down, Doing};
use queue::{Captured, End, Queue};
use ring::Ring;

/// Bytes kept of each frame: more than loopback's 64 KiB segments.
pub const SNAPLEN: u32 = 262_144;

/// The default memory for frames captured but not yet shown (`--buffer`):
/// about a million small loopback segments, seconds of the heaviest load.
pub const DEFAULT_BUFFER_MIB: u32 = 256;

/// How long the capture runs and how much it may hold, beyond what it captures.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of frames captured but not yet read by the caller (frame bytes
    /// plus a record of under 100 bytes each); a frame that does not fit is dropped and counted.
    pub buffer: usize,
    /// Capture for this long (`--duration`), then end as on a stop.
    pub duration: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { buffer: (DEFAULT_BUFFER_MIB as usize) << 20, duration: None }
    }
}

/// What to capture.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// Interface names (`lo` in the program's default); `any`, or none, means every interface.
    pub interfaces: Vec<String>,
    /// Keep only TCP segments to or from this port (in the kernel), or all TCP when `None`.
    pub port: Option<u16>,
}

/// Counters of the kernel's packet socket, as tcpdump reports them at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Frames that passed the filter.
    pub received: u64,
    /// Frames the kernel dropped because the socket's buffer was full.
    pub dropped: u64,
    /// Frames left out because their link type cannot be decoded (`any` only).
    pub other_links: u64,
    /// Frames osi-trace dropped because its buffer ([`Limits::buffer`]) was full.
    pub overflowed: u64,
    /// The buffer's size in bytes.
    pub buffer: usize,
    /// Frames captured but never read by the caller (it stopped early).
    pub unread: u64,
}

/// Which way a frame went, as the kernel tells the packet socket (`sll_pkttype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Received by this host (or, promiscuous, seen passing by).
    In,
    /// Sent by this host (`PACKET_OUTGOING`); on `lo` only the arriving copy is kept.
    Out,
}

/// A frame captured live: the frame, and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFrame {
    /// Time, link type and bytes, as a pcap file would hold them.
    pub frame: Frame,
    /// The interface it was seen on (several with `--interface any`).
    pub interface: Arc<str>,
    /// Received or sent by this host.
    pub direction: Direction,
}

/// The link-layer header a packet socket's frames start with on an interface
/// of this ARPHRD type (from `/sys/class/net/*/type` or `sll_hatype`), as
/// libpcap maps them: Ethernet for lo/veth/NICs, raw IP for tun and WireGuard.
pub fn link_of(hatype: u16) -> Option<LinkType> {
    match hatype {
        libc::ARPHRD_ETHER | libc::ARPHRD_LOOPBACK => Some(LinkType::Ethernet),
        libc::ARPHRD_NONE | ARPHRD_RAWIP => Some(LinkType::RawIp),
        _ => None,
    }
}

/// `ARPHRD_RAWIP` (linux/if_arp.h; not in libc): raw IP, e.g. some mobile modems.
const ARPHRD_RAWIP: u16 = 519;

/// An open live capture: a thread drains the kernel's ring into a queue,
/// [`LiveCapture::next`] reads from that queue.
#[derive(Debug)]
pub struct LiveCapture {
    queue: Arc<Queue>,
    thread: Option<JoinHandle<()>>,
    /// Frames taken from the queue in one go, read one by one.
    taken: VecDeque<Captured>,
    interface: String,
    /// Interface names by index, for each frame's `interface`.
    names: HashMap<i32, Arc<str>>,
    /// How the capture thread ended, once every frame before it was read.
    end: Option<End>,
    /// The backlog note ([`LiveCapture::backlog`]) was given.
    told_backlog: bool,
}

/// Stops a live capture from another thread (a Ctrl-C handler).
#[derive(Debug, Clone)]
pub struct Stopper(Arc<Queue>);

impl Stopper {
    /// Ends the capture (frames already captured can still be read); true
    /// if it was still capturing.
    pub fn stop(&self) -> bool {
        self.0.stop()
    }
}

impl LiveCapture {
    /// Opens the capture with the default [`Limits`].
    pub fn open(opts: &LiveOptions) -> anyhow::Result<LiveCapture> {
        LiveCapture::open_with(opts, Limits::default())
    }

    /// Opens the capture and starts its thread; errors carry a hint
    /// (permission, unknown interface, a link type osi-trace cannot decode).
    pub fn open_with(opts: &LiveOptions, limits: Limits) -> anyhow::Result<LiveCapture> {
        let any = opts.interfaces.is_empty() || opts.interfaces.iter().any(|i| i == "any");
        let label = if any { "any".to_string() } else { opts.interfaces.join(", ") };
        let mut names = HashMap::new();
        if !any {
            for name in &opts.interfaces {
                let iface = find_interface(name)?;
                let sys_type = read_sys(&format!("/sys/class/net/{name}/type"));
                if let Some(t) = sys_type.and_then(|t| t.parse::<u16>().ok()) {
                    if link_of(t).is_none() {
                        return Err(unsupported_link(name, t));
                    }
                }
                let index = i32::try_from(iface.index).with_context(|| doing(Doing::InterfaceIndex))?;
                names.insert(index, Arc::from(name.as_str()));
            }
        }
        // One interface: bind the socket to it (the kernel then also tells us
        // when it goes down). Several, or `any`: bind to all (index 0) and let
        // the filter keep the chosen ones by index.
        let (bind_to, ifindexes) = match names.keys().copied().collect::<Vec<i32>>()[..] {
            [one] => (one, Vec::new()),
            ref several => (0, several.iter().map(|i| *i as u32).collect()),
        };
        // Protocol 0: the socket receives nothing until the ring binds it
        // with ETH_P_ALL, so no frame slips in before the bind and the filter.
        let sock = Socket::new(Domain::PACKET, Type::RAW, None)
            .map_err(|e| permission_error(e, &label, read_sys))?;
        let spec = FilterSpec { port: opts.port, ifindexes };
        sock.attach_filter(&filter(&spec)).with_context(|| doing(Doing::Filter))?;
        let ring = Ring::new(OwnedFd::from(sock), bind_to).with_context(|| doing(Doing::Ring(&label)))?;
        let queue = Arc::new(Queue::new(limits.buffer));
        let deadline = limits.duration.and_then(|d| Instant::now().checked_add(d));
        let q = Arc::clone(&queue);
        let thread = std::thread::Builder::new()
            .name("capture".into())
            .spawn(move || thread::run(ring, q, deadline))
            .with_context(|| doing(Doing::StartThread))?;
        Ok(LiveCapture {
            queue,
            thread: Some(thread),
            taken: VecDeque::new(),
            interface: label,
            names,
            end: None,
            told_backlog: false,
        })
    }

    /// The next frame, in capture order, or `None` when `timeout` passed
    /// without one, or the capture is over (see [`LiveCapture::is_over`]),
    /// so the caller can check its own stop conditions.
    pub fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<LiveFrame>> {
        if self.taken.is_empty() && self.end.is_none() {
            match self.queue.take(&mut self.taken, timeout) {
                Some(End::Failed(e)) => {
                    self.end = Some(End::Stopped);
                    return Err(e).with_context(|| doing(Doing::Reading(&self.interface)));
                }
                end => self.end = end,
            }
        }
        let Some(c) = self.taken.pop_front() else { return Ok(None) };
        self.queue.release(c.data.len());
        let interface = self.name_of(c.ifindex);
        let frame = Frame { ts: c.ts, link: c.link, orig_len: c.orig_len, data: c.data };
        Ok(Some(LiveFrame { frame, interface, direction: c.direction }))
    }

    /// The interface's name for an index (an interface may appear mid-capture).
    fn name_of(&mut self, ifindex: i32) -> Arc<str> {
        if let Some(n) = self.names.get(&ifindex) {
            return Arc::clone(n);
        }
        let name = datalink::interfaces()
            .into_iter()
            .find(|i| i64::from(i.index) == i64::from(ifindex))
            .map_or_else(|| format!("if{ifindex}"), |i| i.name);
        let name: Arc<str> = Arc::from(name.as_str());
        self.names.insert(ifindex, Arc::clone(&name));
        name
    }

    /// Whether the next frame is already there: the caller can hold its
    /// output until the capture is idle instead of flushing after every frame.
    pub fn pending(&self) -> bool {
        !self.taken.is_empty() || self.queue.has_frames()
    }

    /// A handle that ends the capture from elsewhere (a Ctrl-C handler).
    pub fn stopper(&self) -> Stopper {
        Stopper(Arc::clone(&self.queue))
    }

    /// Whether the capture has ended (stopped, `--duration`, interface down)
    /// and every frame it captured was read.
    pub fn is_over(&self) -> bool {
        self.end.is_some()
    }

    /// Whether the capture is over because its interface went down.
    pub fn is_down(&self) -> bool {
        matches!(self.end, Some(End::Down))
    }

    /// Once, when the capture ended more than a second ago and frames it
    /// captured are still to be read: how many (the caller says so).
    pub fn backlog(&mut self) -> Option<u64> {
        if self.told_backlog || self.end.is_some() {
            return None;
        }
        let ended = self.queue.ended_at()?;
        if ended.elapsed() < Duration::from_secs(1) {
            return None;
        }
        self.told_backlog = true;
        Some(self.taken.len() as u64 + self.queue.queued())
    }

    /// The one line to end with, if the capture ended on its own (the
    /// interface went down); print the summary first.
    pub fn finish(&self) -> Option<anyhow::Error> {
        self.is_down().then(|| went_down(&self.interface))
    }

    /// Ends the capture if it still runs, and returns its final counts: the
    /// kernel's (PACKET_STATISTICS) and osi-trace's own.
    pub fn stats(&mut self) -> anyhow::Result<CaptureStats> {
        self.queue.stop();
        if let Some(t) = self.thread.take() {
            t.join().map_err(|_| anyhow::anyhow!(doing(Doing::ThreadFailed)))?;
        }
        let t = self.queue.totals();
        Ok(CaptureStats {
            received: t.received,
            dropped: t.dropped,
            other_links: t.other_links,
            overflowed: self.queue.overflowed(),
            buffer: self.queue.budget(),
            unread: self.taken.len() as u64 + self.queue.queued(),
        })
    }
}

impl Drop for LiveCapture {
    fn drop(&mut self) {
        // The thread sees the stop within one tick of its wait on the ring.
        self.queue.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
