//! Live capture on a Linux interface, as `../shared/notes/capture.md` found
//! works: an `AF_PACKET` socket made with socket2, a classic BPF program that
//! keeps one copy of each frame (it drops the `PACKET_OUTGOING` copy that
//! loopback also delivers) and only TCP on the chosen port, then handed to
//! pnet's datalink channel with a buffer big enough for 64 KiB loopback frames.

use std::io;
use std::os::fd::IntoRawFd;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    stats: CaptureStats,
    last_ts: Duration,
}

impl std::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCapture").field("fd", &self.fd).finish()
    }
}

/// The names of the interfaces this machine has.
pub fn interface_names() -> Vec<String> {
    datalink::interfaces().into_iter().map(|i| i.name).collect()
}

impl LiveCapture {
    /// Opens the capture; errors carry a hint (permission, unknown interface).
    pub fn open(opts: &LiveOptions) -> anyhow::Result<LiveCapture> {
        let iface = find_interface(&opts.interface)?;
        // Protocol 0: the socket receives nothing until pnet binds it to the
        // interface, so no frame slips in before the filter is attached.
        let sock =
            Socket::new(Domain::PACKET, Type::RAW, None).map_err(|e| permission_error(e, &opts.interface))?;
        sock.attach_filter(&filter(opts.port)).context("attaching the BPF filter")?;
        // A big receive buffer: fewer drops under load. SO_RCVBUFFORCE passes
        // net.core.rmem_max when we may; otherwise take what SO_RCVBUF gives.
        if !force_rcvbuf(&sock, 8 << 20) {
            let _ = sock.set_recv_buffer_size(8 << 20);
        }
        let fd = sock.into_raw_fd();
        let config = datalink::Config {
            read_buffer_size: SNAPLEN as usize,
            read_timeout: Some(Duration::from_millis(100)),
            socket_fd: Some(fd),
            ..datalink::Config::default()
        };
        let rx = match datalink::channel(&iface, config) {
            Ok(Channel::Ethernet(_tx, rx)) => rx,
            Ok(_) => anyhow::bail!("pnet returned an unknown channel type"),
            Err(e) => return Err(e).with_context(|| format!("cannot capture on {}", opts.interface)),
        };
        Ok(LiveCapture { rx, fd, stats: CaptureStats::default(), last_ts: Duration::ZERO })
    }

    /// The next frame, or `None` when `timeout` passed without one, so the
    /// caller can check Ctrl-C and `--duration` between frames.
    pub fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<Frame>> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match self.rx.next() {
                Ok(data) => {
                    let data = data.to_vec();
                    // The time we read it, never earlier than the frame before.
                    // (SIOCGSTAMPNS was tried: on lo it returned stamps out of
                    // order with the frames, as TCP's pacing sets skb times.)
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                    // Microseconds: what a pcap file keeps, so --read of --write shows the same.
                    let now = Duration::from_micros(now.as_micros() as u64);
                    let ts = now.max(self.last_ts);
                    self.last_ts = ts;
                    return Ok(Some(Frame {
                        ts,
                        link: LinkType::Ethernet,
                        orig_len: data.len() as u32,
                        data,
                    }));
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    if std::time::Instant::now() >= deadline {
                        return Ok(None);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(None),
                Err(e) => return Err(e).context("reading from the packet socket"),
            }
        }
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

fn find_interface(name: &str) -> anyhow::Result<NetworkInterface> {
    let all = datalink::interfaces();
    if let Some(i) = all.iter().find(|i| i.name == name) {
        return Ok(i.clone());
    }
    let names: Vec<String> = all.into_iter().map(|i| i.name).collect();
    Err(kit::hinted(format!("no interface named {name:?}"), format!("interfaces here: {}", names.join(", ")))
        .into())
}

fn permission_error(e: io::Error, iface: &str) -> anyhow::Error {
    if matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES)) {
        let exe =
            std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "osi-trace".into());
        return kit::hinted(
            format!("cannot capture on {iface}: permission denied (capturing needs CAP_NET_RAW)"),
            format!(
                "run as root; or once `sudo setcap cap_net_raw,cap_net_admin=eip {exe}`; \
                 or in your own network namespace: `unshare --user --map-root-user --net` \
                 then `ip link set lo up`"
            ),
        )
        .into();
    }
    anyhow::Error::new(e).context("socket(AF_PACKET, SOCK_RAW)")
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
        let ok = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("CapEff:"))
                    .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
            })
            .is_some_and(|c| c & (1 << 13) != 0);
        if !ok {
            eprintln!("SKIPPED live capture test: no CAP_NET_RAW (run as root, as CI does)");
        }
        ok
    }

    /// Captures on lo, filtered on the listener's port, while `exchange` runs.
    fn capture_during(exchange: impl FnOnce(TcpListener) + Send + 'static) -> Vec<Frame> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut cap = LiveCapture::open(&LiveOptions { interface: "lo".into(), port: Some(port) }).unwrap();
        let t = std::thread::spawn(move || exchange(listener));
        let mut frames = Vec::new();
        // Collect until 500 ms pass without a frame after the exchange ended.
        loop {
            match cap.next(Duration::from_millis(500)).unwrap() {
                Some(f) => frames.push(f),
                None if t.is_finished() => break,
                None => {}
            }
        }
        t.join().unwrap();
        frames
    }

    #[test]
    fn one_echo_is_exactly_ten_frames_one_copy_each() {
        if !can_capture() {
            return;
        }
        let frames = capture_during(|listener| {
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
        });
        let segs: Vec<_> = frames.iter().map(|f| decode(f).unwrap()).collect();
        let syns = segs.iter().filter(|s| s.tcp.has(flags::SYN)).count();
        let fins = segs.iter().filter(|s| s.tcp.has(flags::FIN)).count();
        let data = segs.iter().filter(|s| !s.payload.is_empty()).count();
        assert_eq!((segs.len(), syns, fins, data), (10, 2, 2, 2), "{segs:#?}");
    }

    #[test]
    fn a_60000_byte_write_is_not_cut_and_other_ports_are_filtered_out() {
        if !can_capture() {
            return;
        }
        // Unrelated traffic on another port during the capture.
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let other_addr = other.local_addr().unwrap();
        let frames = capture_during(move |listener| {
            let addr = listener.local_addr().unwrap();
            let server = std::thread::spawn(move || {
                let (mut c, _) = listener.accept().unwrap();
                let mut got = Vec::new();
                c.read_to_end(&mut got).unwrap();
                got.len()
            });
            let _noise = TcpStream::connect(other_addr).unwrap();
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(&vec![7u8; 60_000]).unwrap();
            drop(s);
            assert_eq!(server.join().unwrap(), 60_000);
        });
        let segs: Vec<_> = frames.iter().map(|f| decode(f).unwrap()).collect();
        let bytes: u32 = segs.iter().map(|s| s.payload.len() as u32).sum();
        assert_eq!(bytes, 60_000);
        assert!(frames.iter().any(|f| f.data.len() > 4096), "no frame above 4096 bytes");
        assert!(segs
            .iter()
            .all(|s| s.tcp.src_port != other_addr.port() && s.tcp.dst_port != other_addr.port()));
        drop(other);
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
    }
}
