//! Live capture on Linux interfaces: an `AF_PACKET` socket made with socket2,
//! a classic BPF program (`filter.rs`) that keeps one copy of each frame on
//! `lo` and only TCP on the chosen port, read through the kernel's
//! memory-mapped `TPACKET_V3` ring (`ring.rs`), as libpcap does. Each frame
//! keeps the kernel's timestamp, its interface, its direction and link type.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use pnet::datalink;
use socket2::{Domain, Socket, Type};

use crate::frame::{Frame, LinkType};

mod filter;
mod hints;
mod ring;
#[cfg(test)]
mod tests;

pub use filter::{filter, FilterSpec};
use hints::{find_interface, permission_error, read_sys, unsupported_link, went_down};
use ring::Ring;

/// Bytes kept of each frame: more than loopback's 64 KiB segments.
pub const SNAPLEN: u32 = 262_144;

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

/// An open live capture.
#[derive(Debug)]
pub struct LiveCapture {
    ring: Ring,
    interface: String,
    /// Interface names by index, for each frame's `interface`.
    names: HashMap<i32, Arc<str>>,
    stats: CaptureStats,
    last_ts: Duration,
    /// Frames of a link type we cannot decode (seen only with `any`).
    other_links: u64,
    /// When the interface went down: the frames the kernel still hands over
    /// until then (it retires a part-filled block on a timer) are shown.
    down_until: Option<Instant>,
    /// The interface went down and the ring is drained: the capture is over.
    over: bool,
}

impl LiveCapture {
    /// Opens the capture; errors carry a hint (permission, unknown interface,
    /// a link type osi-trace cannot decode).
    pub fn open(opts: &LiveOptions) -> anyhow::Result<LiveCapture> {
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
                let index = i32::try_from(iface.index).context("interface index")?;
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
        sock.attach_filter(&filter(&spec)).context("attaching the BPF filter")?;
        let ring = Ring::new(OwnedFd::from(sock), bind_to)
            .with_context(|| format!("cannot set up the capture ring on {label}"))?;
        Ok(LiveCapture {
            ring,
            interface: label,
            names,
            stats: CaptureStats::default(),
            last_ts: Duration::ZERO,
            other_links: 0,
            down_until: None,
            over: false,
        })
    }

    /// The next frame, or `None` when `timeout` passed without one (or a
    /// signal came, or the interface went down: see [`LiveCapture::finish`]),
    /// so the caller can check Ctrl-C and `--duration`.
    pub fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<LiveFrame>> {
        let deadline = Instant::now() + timeout;
        let mut waited = false;
        loop {
            if let Some(raw) = self.ring.next() {
                let Some(link) = link_of(raw.hatype) else {
                    self.other_links += 1;
                    continue;
                };
                // Microseconds: what a pcap file keeps, so --read of --write
                // shows the same; never earlier than the frame before (frames
                // stamped on two CPUs can reach the ring in the other order).
                let ts = Duration::from_micros(raw.ts.as_micros() as u64).max(self.last_ts);
                self.last_ts = ts;
                let frame = Frame { ts, link, orig_len: raw.len, data: raw.data.to_vec() };
                let direction =
                    if raw.pkttype == libc::PACKET_OUTGOING { Direction::Out } else { Direction::In };
                let ifindex = raw.ifindex;
                let interface = self.name_of(ifindex);
                return Ok(Some(LiveFrame { frame, interface, direction }));
            }
            let now = Instant::now();
            if self.over || self.down_until.is_some_and(|t| now >= t) {
                self.over = true;
                return Ok(None);
            }
            if waited && now >= deadline {
                return Ok(None);
            }
            let mut left = deadline.saturating_duration_since(now);
            if let Some(t) = self.down_until {
                left = left.min(t - now);
            }
            match self.ring.wait(left) {
                Ok(true) => waited = true,
                Ok(false) => return Ok(None),
                Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) => {
                    self.down_until = Some(now + ring::RETIRE * 4);
                }
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("reading from the packet socket on {}", self.interface))
                }
            }
        }
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
        self.ring.pending()
    }

    /// Whether the capture is over because its interface went down.
    pub fn is_down(&self) -> bool {
        self.over
    }

    /// The one line to end with, if the capture ended on its own (the
    /// interface went down); print the summary first.
    pub fn finish(&self) -> Option<anyhow::Error> {
        self.over.then(|| went_down(&self.interface))
    }

    /// Kernel counters so far (PACKET_STATISTICS; the kernel resets them on each read).
    pub fn stats(&mut self) -> anyhow::Result<CaptureStats> {
        let (packets, drops) = self.ring.stats().context("getsockopt(PACKET_STATISTICS)")?;
        // tp_packets counts frames that passed the filter, dropped ones included.
        self.stats.received += u64::from(packets);
        self.stats.dropped += u64::from(drops);
        self.stats.other_links = self.other_links;
        Ok(self.stats)
    }
}
