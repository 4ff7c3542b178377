//! Live capture on a Linux interface, as `../shared/notes/capture.md` found
//! works: an `AF_PACKET` socket made with socket2, a classic BPF program that
//! keeps one copy of each frame (it drops the `PACKET_OUTGOING` copy that
//! loopback also delivers) and only TCP on the chosen port, then handed to
//! pnet's datalink channel with a buffer big enough for 64 KiB loopback frames.
//! Each frame gets the kernel's receive timestamp (`SIOCGSTAMPNS` right after
//! the read), the same one tcpdump shows.

use std::io;
use std::os::fd::IntoRawFd;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use pnet::datalink::{self, Channel, DataLinkReceiver};
use socket2::{Domain, Socket, Type};

use crate::frame::{Frame, LinkType};

mod filter;
mod hints;
#[cfg(test)]
mod tests;

pub use filter::filter;
use hints::{check_ethernet, find_interface, permission_error, read_sys};

/// Bytes kept of each frame: more than loopback's 64 KiB segments.
pub const SNAPLEN: u32 = 262_144;

/// What to capture.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Interface name, `lo` by default.
    pub interface: String,
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
}

/// An open live capture.
pub struct LiveCapture {
    rx: Box<dyn DataLinkReceiver>,
    fd: i32,
    interface: String,
    stats: CaptureStats,
    last_ts: Duration,
}

impl std::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCapture").field("interface", &self.interface).field("fd", &self.fd).finish()
    }
}

/// The names of the interfaces this machine has.
pub fn interface_names() -> Vec<String> {
    datalink::interfaces().into_iter().map(|i| i.name).collect()
}

/// `ioctl` request: the kernel timestamp of the last frame read (not in libc).
const SIOCGSTAMPNS: libc::c_ulong = 0x8907;

impl LiveCapture {
    /// Opens the capture; errors carry a hint (permission, unknown interface,
    /// an interface without Ethernet framing).
    pub fn open(opts: &LiveOptions) -> anyhow::Result<LiveCapture> {
        let iface = find_interface(&opts.interface)?;
        check_ethernet(&opts.interface, read_sys(&format!("/sys/class/net/{}/type", opts.interface)))?;
        // Protocol 0: the socket receives nothing until pnet binds it to the
        // interface with ETH_P_ALL, so no frame of another interface slips in
        // before the bind, and none before the filter.
        let sock = Socket::new(Domain::PACKET, Type::RAW, None)
            .map_err(|e| permission_error(e, &opts.interface, read_sys))?;
        sock.attach_filter(&filter(opts.port)).context("attaching the BPF filter")?;
        // A big receive buffer: fewer drops under load. SO_RCVBUFFORCE passes
        // net.core.rmem_max when we may; otherwise take what SO_RCVBUF gives.
        if !force_rcvbuf(&sock, 8 << 20) {
            let _ = sock.set_recv_buffer_size(8 << 20);
        }
        let fd = sock.into_raw_fd();
        // The first SIOCGSTAMPNS turns on the kernel's receive timestamps
        // (answering ENOENT); asked only after the first frame, that frame and
        // the next few would carry the time of the ioctl instead.
        let _ = kernel_timestamp(fd);
        let config = datalink::Config {
            read_buffer_size: SNAPLEN as usize,
            // A backstop: next() waits with its own poll first.
            read_timeout: Some(Duration::from_millis(100)),
            socket_fd: Some(fd),
            ..datalink::Config::default()
        };
        let rx = match datalink::channel(&iface, config) {
            Ok(Channel::Ethernet(_tx, rx)) => rx,
            Ok(_) => anyhow::bail!("pnet returned an unknown channel type"),
            Err(e) => return Err(e).with_context(|| format!("cannot capture on {}", opts.interface)),
        };
        Ok(LiveCapture {
            rx,
            fd,
            interface: opts.interface.clone(),
            stats: CaptureStats::default(),
            last_ts: Duration::ZERO,
        })
    }

    /// The next frame, or `None` when `timeout` passed without one (or a
    /// signal came), so the caller can check Ctrl-C and `--duration`.
    pub fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<Frame>> {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.wait_readable(deadline.saturating_duration_since(Instant::now()))? {
                return Ok(None);
            }
            match self.rx.next() {
                Ok(data) => {
                    let data = data.to_vec();
                    let ts = kernel_timestamp(self.fd)
                        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default());
                    // Microseconds: what a pcap file keeps, so --read of --write
                    // shows the same; never earlier than the frame before (frames
                    // stamped on two CPUs can be read in the other order).
                    let ts = Duration::from_micros(ts.as_micros() as u64).max(self.last_ts);
                    self.last_ts = ts;
                    return Ok(Some(Frame {
                        ts,
                        link: LinkType::Ethernet,
                        // The filter keeps SNAPLEN bytes and the buffer holds as
                        // many, more than any frame lo or a NIC hands over.
                        orig_len: data.len() as u32,
                        data,
                    }));
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(None),
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("reading from the packet socket on {}", self.interface))
                }
            }
        }
    }

    /// Waits until a frame can be read (true), `wait` passed or a signal came (false).
    fn wait_readable(&self, wait: Duration) -> anyhow::Result<bool> {
        let ms = wait.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
        let mut pfd = libc::pollfd { fd: self.fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(e).context("poll on the packet socket");
        }
        if rc > 0 && pfd.revents & libc::POLLIN == 0 {
            // POLLERR without data: the socket's pending error, e.g. the
            // interface went down or away.
            let mut err: libc::c_int = 0;
            let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            // SAFETY: fd is open; err and len are valid for writes of their sizes.
            unsafe {
                libc::getsockopt(
                    self.fd,
                    libc::SOL_SOCKET,
                    libc::SO_ERROR,
                    (&mut err as *mut libc::c_int).cast(),
                    &mut len,
                )
            };
            let e =
                if err != 0 { io::Error::from_raw_os_error(err) } else { io::Error::other("poll: no data") };
            return Err(e).with_context(|| format!("reading from the packet socket on {}", self.interface));
        }
        Ok(rc > 0)
    }

    /// Kernel counters so far (PACKET_STATISTICS; the kernel resets them on each read).
    pub fn stats(&mut self) -> anyhow::Result<CaptureStats> {
        #[repr(C)]
        #[derive(Default)]
        struct TpacketStats {
            tp_packets: u32,
            tp_drops: u32,
        }
        let mut st = TpacketStats::default();
        let mut len = std::mem::size_of::<TpacketStats>() as libc::socklen_t;
        // SAFETY: fd is the packet socket pnet owns and keeps open; st and len
        // are valid for writes of the sizes given.
        let rc = unsafe {
            libc::getsockopt(
                self.fd,
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&mut st as *mut TpacketStats).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error()).context("getsockopt(PACKET_STATISTICS)");
        }
        // tp_packets counts frames that passed the filter, dropped ones included.
        self.stats.received += u64::from(st.tp_packets);
        self.stats.dropped += u64::from(st.tp_drops);
        Ok(self.stats)
    }

    /// The link type of every frame this capture returns.
    pub fn link(&self) -> LinkType {
        LinkType::Ethernet
    }
}

/// The kernel's receive time of the last frame read on `fd`, if it has one.
fn kernel_timestamp(fd: i32) -> Option<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: fd is a socket; SIOCGSTAMPNS writes one struct timespec.
    let rc = unsafe { libc::ioctl(fd, SIOCGSTAMPNS as _, &mut ts) };
    if rc != 0 || ts.tv_sec <= 0 {
        return None;
    }
    Some(Duration::new(ts.tv_sec as u64, u32::try_from(ts.tv_nsec).ok()?.min(999_999_999)))
}

fn force_rcvbuf(sock: &Socket, bytes: i32) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid socket and an int option value.
    unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&bytes as *const i32).cast(),
            std::mem::size_of::<i32>() as libc::socklen_t,
        ) == 0
    }
}
