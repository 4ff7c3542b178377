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
use pnet::datalink::{self, Channel, DataLinkReceiver, NetworkInterface};
use socket2::{Domain, SockFilter, Socket, Type};

use crate::frame::{Frame, LinkType};

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

fn find_interface(name: &str) -> anyhow::Result<NetworkInterface> {
    let all = datalink::interfaces();
    if let Some(i) = all.iter().find(|i| i.name == name) {
        return Ok(i.clone());
    }
    let names: Vec<String> = all.into_iter().map(|i| i.name).collect();
    Err(kit::hinted(format!("no interface named {name:?}"), format!("interfaces here: {}", names.join(", ")))
        .into())
}

fn read_sys(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// Frames of `lo`, Ethernet and veth interfaces start with a 14-byte Ethernet
/// header, which the filter and the decoder expect; refuse others (tun, wg,
/// ppp: raw IP) rather than misread them. `sys_type` is the interface's
/// ARPHRD type from /sys (unknown: let it be).
fn check_ethernet(name: &str, sys_type: Option<String>) -> anyhow::Result<()> {
    let Some(t) = sys_type.and_then(|t| t.parse::<u16>().ok()) else {
        return Ok(());
    };
    if t == libc::ARPHRD_ETHER || t == libc::ARPHRD_LOOPBACK {
        return Ok(());
    }
    Err(kit::hinted(
        format!("{name} is not an Ethernet interface (ARPHRD type {t}); osi-trace captures on Ethernet-framed ones"),
        format!(
            "capture on lo, an Ethernet or a veth interface; or record this one with \
             `tcpdump -i {name} -w FILE` and read it with `osi-trace --read FILE`"
        ),
    )
    .into())
}

/// The error for a failed `socket(AF_PACKET, …)`: permission denied gets the
/// three ways out; `sys` reads a /proc file (a parameter, to test it).
fn permission_error(e: io::Error, iface: &str, sys: impl Fn(&str) -> Option<String>) -> anyhow::Error {
    if !matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES)) {
        return anyhow::Error::new(e).context(format!("cannot open a packet socket on {iface}"));
    }
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "osi-trace".into());
    let mut hint = format!(
        "run as root; or once `sudo setcap cap_net_raw,cap_net_admin=eip {exe}`; \
         or in your own network namespace: `unshare --user --map-root-user --net` \
         then `ip link set lo up`"
    );
    if let Some(why) = userns_restricted(sys) {
        hint.push_str(&format!(" (but this machine restricts unprivileged user namespaces: {why})"));
    }
    kit::hinted(format!("cannot capture on {iface}: permission denied (capturing needs CAP_NET_RAW)"), hint)
        .into()
}

/// Why an unprivileged `unshare --user` would fail here, if a known switch says so.
fn userns_restricted(sys: impl Fn(&str) -> Option<String>) -> Option<String> {
    let on = |path: &str, value: &str| sys(path).is_some_and(|v| v == value);
    if on("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1") {
        return Some("AppArmor's kernel.apparmor_restrict_unprivileged_userns=1".into());
    }
    if on("/proc/sys/kernel/unprivileged_userns_clone", "0") {
        return Some("kernel.unprivileged_userns_clone=0".into());
    }
    if on("/proc/sys/user/max_user_namespaces", "0") {
        return Some("user.max_user_namespaces=0".into());
    }
    None
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

/// Classic BPF, as `tcpdump -d 'tcp port N'` would write it, plus one test
/// tcpdump's libpcap adds itself on loopback: drop the outgoing copy.
pub fn filter(port: Option<u16>) -> Vec<SockFilter> {
    const LD_W_ABS: u16 = 0x20;
    const LD_H_ABS: u16 = 0x28;
    const LD_B_ABS: u16 = 0x30;
    const LD_H_IND: u16 = 0x48;
    const LDX_MSH: u16 = 0xb1;
    const JEQ: u16 = 0x15;
    const JSET: u16 = 0x45;
    const RET: u16 = 0x06;
    const SKF_AD_PKTTYPE: u32 = 0xfffff000 + 4;
    const PACKET_OUTGOING: u32 = 4;
    let f = SockFilter::new;
    let keep = SNAPLEN;
    match port {
        Some(p) => {
            let p = u32::from(p);
            vec![
                /* 0 */ f(LD_W_ABS, 0, 0, SKF_AD_PKTTYPE),
                /* 1 */ f(JEQ, 19, 0, PACKET_OUTGOING), // → drop (21)
                /* 2 */ f(LD_H_ABS, 0, 0, 12),
                /* 3 */ f(JEQ, 0, 6, 0x86dd), // IPv6? else → 10
                /* 4 */ f(LD_B_ABS, 0, 0, 20),
                /* 5 */ f(JEQ, 0, 15, 6), // TCP? else → drop
                /* 6 */ f(LD_H_ABS, 0, 0, 54),
                /* 7 */ f(JEQ, 12, 0, p), // → keep (20)
                /* 8 */ f(LD_H_ABS, 0, 0, 56),
                /* 9 */ f(JEQ, 10, 11, p), // → keep / drop
                /* 10 */ f(JEQ, 0, 10, 0x0800), // IPv4? else → drop
                /* 11 */ f(LD_B_ABS, 0, 0, 23),
                /* 12 */ f(JEQ, 0, 8, 6), // TCP? else → drop
                /* 13 */ f(LD_H_ABS, 0, 0, 20),
                /* 14 */ f(JSET, 6, 0, 0x1fff), // a later fragment → drop
                /* 15 */ f(LDX_MSH, 0, 0, 14), // X = IPv4 header length
                /* 16 */ f(LD_H_IND, 0, 0, 14),
                /* 17 */ f(JEQ, 2, 0, p), // → keep
                /* 18 */ f(LD_H_IND, 0, 0, 16),
                /* 19 */ f(JEQ, 0, 1, p), // → keep / drop
                /* 20 */ f(RET, 0, 0, keep),
                /* 21 */ f(RET, 0, 0, 0),
            ]
        }
        None => vec![
            /* 0 */ f(LD_W_ABS, 0, 0, SKF_AD_PKTTYPE),
            /* 1 */ f(JEQ, 8, 0, PACKET_OUTGOING), // → drop (10)
            /* 2 */ f(LD_H_ABS, 0, 0, 12),
            /* 3 */ f(JEQ, 0, 2, 0x86dd),
            /* 4 */ f(LD_B_ABS, 0, 0, 20),
            /* 5 */ f(JEQ, 3, 4, 6), // → keep (9) / drop (10)
            /* 6 */ f(JEQ, 0, 3, 0x0800),
            /* 7 */ f(LD_B_ABS, 0, 0, 23),
            /* 8 */ f(JEQ, 0, 1, 6),
            /* 9 */ f(RET, 0, 0, keep),
            /* 10 */ f(RET, 0, 0, 0),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, flags};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    fn can_capture() -> bool {
        harness::require("osi-trace live capture unit test", harness::Need::Capture)
    }

    fn now() -> Duration {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
    }

    /// Captures on lo while `exchange` runs on `listener`; with `kernel_port`
    /// the kernel filters on the listener's port, else on all TCP.
    fn capture_during(
        listener: TcpListener,
        kernel_port: bool,
        exchange: impl FnOnce(TcpListener) + Send + 'static,
    ) -> (Vec<Frame>, LiveCapture) {
        let port = listener.local_addr().unwrap().port();
        let opts = LiveOptions { interface: "lo".into(), port: kernel_port.then_some(port) };
        let mut cap = LiveCapture::open(&opts).unwrap();
        let t = std::thread::spawn(move || exchange(listener));
        let mut frames = Vec::new();
        // Collect until 300 ms pass without a frame after the exchange ended.
        loop {
            match cap.next(Duration::from_millis(300)).unwrap() {
                Some(f) => frames.push(f),
                None if t.is_finished() => break,
                None => {}
            }
        }
        t.join().unwrap();
        (frames, cap)
    }

    /// One echo of "Hello", then both close.
    fn echo(listener: TcpListener) {
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut c, _) = listener.accept().unwrap();
            let mut buf = [0u8; 5];
            c.read_exact(&mut buf).unwrap();
            c.write_all(&buf).unwrap();
            let _ = c.read(&mut buf);
        });
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"Hello").unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        drop(s);
        server.join().unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Asserts the ten segments of one echo exchange, in capture order.
    fn assert_one_echo(frames: &[Frame], port: u16) {
        let segs: Vec<_> = frames
            .iter()
            .map(|f| decode(f).unwrap())
            .filter(|s| s.tcp.src_port == port || s.tcp.dst_port == port)
            .collect();
        let syns = segs.iter().filter(|s| s.tcp.has(flags::SYN)).count();
        let fins = segs.iter().filter(|s| s.tcp.has(flags::FIN)).count();
        let data: Vec<&[u8]> =
            segs.iter().filter(|s| !s.payload.is_empty()).map(|s| &s.payload[..]).collect();
        assert_eq!((segs.len(), syns, fins), (10, 2, 2), "{segs:#?}");
        assert_eq!(data, [b"Hello", b"Hello"]);
        assert!(segs[0].tcp.has(flags::SYN) && !segs[0].tcp.has(flags::ACK), "{segs:#?}");
        assert!(segs[1].tcp.has(flags::SYN) && segs[1].tcp.has(flags::ACK), "{segs:#?}");
        assert!(segs[9].tcp.has(flags::ACK) && !segs[9].tcp.has(flags::FIN), "{segs:#?}");
    }

    #[test]
    fn one_echo_is_exactly_ten_frames_one_copy_each_with_kernel_times() {
        if !can_capture() {
            return;
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let before = now();
        let (frames, mut cap) = capture_during(listener, true, echo);
        let after = now();
        assert_one_echo(&frames, port);
        assert!(frames.iter().all(|f| f.link == LinkType::Ethernet && f.orig_len as usize == f.data.len()));
        // Times: within the run, in order, in whole microseconds, and not all
        // alike (the read time of a batch would be).
        let ts: Vec<Duration> = frames.iter().map(|f| f.ts).collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
        assert!(ts[0] >= before - Duration::from_millis(1) && ts[9] <= after, "{before:?} {ts:?} {after:?}");
        assert!(ts.iter().all(|t| t.subsec_nanos() % 1000 == 0));
        // The client's 50 ms pause before it closes shows between two frames.
        let gap = ts.windows(2).map(|w| w[1] - w[0]).max().unwrap();
        assert!(gap >= Duration::from_millis(45), "{ts:?}");
        let st = cap.stats().unwrap();
        assert_eq!(st, CaptureStats { received: 10, dropped: 0 });
        assert_eq!(cap.stats().unwrap(), st, "the counters add up across reads");
    }

    #[test]
    fn ipv6_echo_is_ten_frames_too() {
        if !can_capture() || !harness::require("ipv6_echo_is_ten_frames_too", harness::Need::Ipv6) {
            return;
        }
        let listener = TcpListener::bind("[::1]:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (frames, _) = capture_during(listener, true, echo);
        assert_one_echo(&frames, port);
    }

    #[test]
    fn without_a_port_the_kernel_keeps_all_tcp_once() {
        if !can_capture() {
            return;
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (frames, _) = capture_during(listener, false, echo);
        // Other tests' traffic may be there too: every frame is TCP, and ours is one copy each.
        assert!(frames.iter().all(|f| decode(f).is_ok()));
        assert_one_echo(&frames, port);
    }

    #[test]
    fn a_60000_byte_write_is_not_cut_and_other_ports_are_filtered_out() {
        if !can_capture() {
            return;
        }
        // Unrelated traffic on another port during the capture.
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let other_addr = other.local_addr().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (frames, _) = capture_during(listener, true, move |listener| {
            let addr = listener.local_addr().unwrap();
            let server = std::thread::spawn(move || {
                let (mut c, _) = listener.accept().unwrap();
                let mut got = Vec::new();
                c.read_to_end(&mut got).unwrap();
                got
            });
            let mut noise = TcpStream::connect(other_addr).unwrap();
            noise.write_all(b"noise").unwrap();
            let mut s = TcpStream::connect(addr).unwrap();
            let sent: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
            s.write_all(&sent).unwrap();
            drop(s);
            assert_eq!(server.join().unwrap(), sent);
        });
        let segs: Vec<_> = frames.iter().map(|f| decode(f).unwrap()).collect();
        let payload: Vec<u8> = segs.iter().flat_map(|s| s.payload.iter().copied()).collect();
        assert_eq!(payload.len(), 60_000);
        assert!(payload.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8), "the bytes arrive intact");
        assert!(frames.iter().any(|f| f.data.len() > 4096), "no frame above 4096 bytes");
        assert!(segs
            .iter()
            .all(|s| s.tcp.src_port != other_addr.port() && s.tcp.dst_port != other_addr.port()));
        drop(other);
    }

    #[test]
    fn next_returns_none_on_time() {
        if !can_capture() {
            return;
        }
        // A port nothing uses: the listener holds it.
        let quiet = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = quiet.local_addr().unwrap().port();
        let mut cap = LiveCapture::open(&LiveOptions { interface: "lo".into(), port: Some(port) }).unwrap();
        for ms in [0, 30, 150] {
            let t = Instant::now();
            assert!(cap.next(Duration::from_millis(ms)).unwrap().is_none());
            let took = t.elapsed();
            assert!(
                took >= Duration::from_millis(ms) && took < Duration::from_millis(ms + 90),
                "{ms} ms took {took:?}"
            );
        }
    }

    #[test]
    fn an_unknown_interface_lists_those_that_exist() {
        let err = LiveCapture::open(&LiveOptions { interface: "nope0".into(), port: None }).unwrap_err();
        let line = kit::error_line("osi-trace", &err);
        assert!(
            line.starts_with("osi-trace: error: no interface named \"nope0\"; hint: interfaces here: "),
            "{line}"
        );
        assert!(line.contains("lo"), "{line}");
        assert!(interface_names().iter().any(|n| n == "lo"));
    }

    #[test]
    fn only_ethernet_framed_interfaces() {
        assert!(check_ethernet("lo", Some("772".into())).is_ok());
        assert!(check_ethernet("eth0", Some("1".into())).is_ok());
        assert!(check_ethernet("x", None).is_ok());
        let line = kit::error_line("osi-trace", &check_ethernet("tun0", Some("65534".into())).unwrap_err());
        assert!(
            line.starts_with("osi-trace: error: tun0 is not an Ethernet interface (ARPHRD type 65534)"),
            "{line}"
        );
        assert!(line.contains(
            "hint: capture on lo, an Ethernet or a veth interface; or record this one with `tcpdump -i tun0"
        ));
    }

    #[test]
    fn permission_denied_names_three_ways_out() {
        let none = |_: &str| None;
        let err = permission_error(io::Error::from_raw_os_error(libc::EPERM), "lo", none);
        let line = kit::error_line("osi-trace", &err);
        assert!(
            line.starts_with(
                "osi-trace: error: cannot capture on lo: permission denied (capturing needs CAP_NET_RAW); \
                 hint: run as root; or once `sudo setcap cap_net_raw,cap_net_admin=eip /"
            ),
            "{line}"
        );
        assert!(line.ends_with("`unshare --user --map-root-user --net` then `ip link set lo up`"), "{line}");
        assert!(!line.contains('\n'));

        let apparmor = |p: &str| p.contains("apparmor").then(|| "1".to_string());
        let line = kit::error_line(
            "osi-trace",
            &permission_error(io::Error::from_raw_os_error(libc::EACCES), "lo", apparmor),
        );
        assert!(
            line.ends_with("(but this machine restricts unprivileged user namespaces: AppArmor's kernel.apparmor_restrict_unprivileged_userns=1)"),
            "{line}"
        );

        let line = kit::error_line(
            "osi-trace",
            &permission_error(io::Error::from_raw_os_error(libc::EMFILE), "lo", none),
        );
        assert!(
            line.starts_with("osi-trace: error: cannot open a packet socket on lo: Too many open files"),
            "{line}"
        );
    }
}
