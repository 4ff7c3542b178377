//! Live capture on lo, against real TCP connections made by the test.

use super::*;
use crate::decode::{decode, flags, segment, Decoded};
use std::io;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{SystemTime, UNIX_EPOCH};

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
    let opts = LiveOptions { interfaces: vec!["lo".into()], port: kernel_port.then_some(port) };
    let mut cap = LiveCapture::open(&opts).unwrap();
    let t = std::thread::spawn(move || exchange(listener));
    let mut frames = Vec::new();
    // Collect until 300 ms pass without a frame after the exchange ended, or
    // 2 s after it ended (without a port, other programs' TCP on lo may never pause).
    let mut ended: Option<Instant> = None;
    loop {
        if t.is_finished() {
            let since = *ended.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_secs(2) {
                break;
            }
        }
        match cap.next(Duration::from_millis(300)).unwrap() {
            Some(f) => frames.push(f.frame),
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

/// The frame's TCP segment; `None` for a control message (ARP, ICMP) or a skip.
fn tcp_only(f: &Frame) -> Option<crate::decode::Segment> {
    match decode(f) {
        Ok(Decoded::Segment(s)) => Some(s),
        _ => None,
    }
}

/// Asserts the ten segments of one echo exchange, in capture order.
fn assert_one_echo(frames: &[Frame], port: u16) {
    let segs: Vec<_> = frames
        .iter()
        // The filter keeps ARP and ICMP too: anyone's, on lo.
        .filter_map(tcp_only)
        .filter(|s| s.tcp.src_port == port || s.tcp.dst_port == port)
        .collect();
    let syns = segs.iter().filter(|s| s.tcp.has(flags::SYN)).count();
    let fins = segs.iter().filter(|s| s.tcp.has(flags::FIN)).count();
    let data: Vec<&[u8]> = segs.iter().filter(|s| !s.payload.is_empty()).map(|s| &s.payload[..]).collect();
    assert_eq!((segs.len(), syns, fins), (10, 2, 2), "{segs:#?}");
    assert_eq!(data, [b"Hello", b"Hello"]);
    assert!(segs[0].tcp.has(flags::SYN) && !segs[0].tcp.has(flags::ACK), "{segs:#?}");
    assert!(segs[1].tcp.has(flags::SYN) && segs[1].tcp.has(flags::ACK), "{segs:#?}");
    assert!(segs[9].tcp.has(flags::ACK) && !segs[9].tcp.has(flags::FIN), "{segs:#?}");
}

#[test]
fn one_echo_is_exactly_ten_frames_one_copy_each_with_kernel_times() {
    if !harness::require!(harness::Need::Capture) {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let before = now();
    let (frames, mut cap) = capture_during(listener, true, echo);
    let after = now();
    assert_one_echo(&frames, port);
    // ICMP on lo (another program's) passes the filter too: only our TCP here.
    let all = frames.len() as u64;
    let frames: Vec<Frame> = frames.into_iter().filter(|f| tcp_only(f).is_some()).collect();
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
    let buffer = Limits::default().buffer;
    let expected =
        CaptureStats { received: all, dropped: 0, other_links: 0, overflowed: 0, buffer, unread: 0 };
    assert_eq!(st, expected);
    assert_eq!(cap.stats().unwrap(), st, "the counters add up across reads");
}

#[test]
fn ipv6_echo_is_ten_frames_too() {
    if !harness::require!(harness::Need::Capture, harness::Need::Ipv6) {
        return;
    }
    let listener = TcpListener::bind("[::1]:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (frames, _) = capture_during(listener, true, echo);
    assert_one_echo(&frames, port);
}

#[test]
fn without_a_port_the_kernel_keeps_all_tcp_once() {
    if !harness::require!(harness::Need::Capture) {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (frames, mut cap) = capture_during(listener, false, echo);
    // Other tests' traffic may be there too: every frame is TCP, ARP or ICMP,
    // and ours is one copy each.
    assert!(frames.iter().all(|f| decode(f).is_ok()));
    let st = cap.stats().unwrap();
    assert_eq!(st.dropped, 0, "all TCP on lo, machine-wide, overflowed the ring: {st:?}");
    assert_one_echo(&frames, port);
}

#[test]
fn a_60000_byte_write_is_not_cut_and_other_ports_are_filtered_out() {
    if !harness::require!(harness::Need::Capture) {
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
    let segs: Vec<_> = frames.iter().map(|f| segment(f).unwrap()).collect();
    let payload: Vec<u8> = segs.iter().flat_map(|s| s.payload.iter().copied()).collect();
    assert_eq!(payload.len(), 60_000);
    assert!(payload.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8), "the bytes arrive intact");
    assert!(frames.iter().any(|f| f.data.len() > 4096), "no frame above 4096 bytes");
    assert!(segs.iter().all(|s| s.tcp.src_port != other_addr.port() && s.tcp.dst_port != other_addr.port()));
    drop(other);
}

#[test]
fn next_returns_none_on_time() {
    if !harness::require!(harness::Need::Capture) {
        return;
    }
    // A port nothing uses: the listener holds it.
    let quiet = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = quiet.local_addr().unwrap().port();
    let mut cap =
        LiveCapture::open(&LiveOptions { interfaces: vec!["lo".into()], port: Some(port) }).unwrap();
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
    let err = LiveCapture::open(&LiveOptions { interfaces: vec!["lo".into(), "nope0".into()], port: None })
        .unwrap_err();
    let line = kit::error_line("osi-trace", &err);
    assert!(
        line.starts_with("osi-trace: error: no interface named \"nope0\"; hint: interfaces here: "),
        "{line}"
    );
    assert!(line.contains("lo"), "{line}");
}

#[test]
fn link_types_follow_the_interface_type_as_libpcap_maps_them() {
    assert_eq!(link_of(772), Some(LinkType::Ethernet), "lo");
    assert_eq!(link_of(1), Some(LinkType::Ethernet), "Ethernet, veth");
    assert_eq!(link_of(65534), Some(LinkType::RawIp), "tun, wireguard: ARPHRD_NONE");
    assert_eq!(link_of(519), Some(LinkType::RawIp), "ARPHRD_RAWIP");
    assert_eq!(link_of(512), None, "ppp");
    let line = kit::error_line("osi-trace", &hints::unsupported_link("ppp0", 512));
    assert!(
        line.starts_with(
            "osi-trace: error: ppp0 has link type ARPHRD 512, which osi-trace cannot decode live"
        ),
        "{line}"
    );
    assert!(line.contains("hint: record it with `tcpdump -i ppp0 -w FILE`"), "{line}");
}

#[test]
fn permission_denied_names_three_ways_out() {
    let none = |_: &str| None;
    let err = permission_error(io::Error::from_raw_os_error(libc::EPERM), "lo", none);
    let line = kit::error_line("osi-trace", &err);
    assert!(
        line.starts_with(
            "osi-trace: error: cannot capture on lo: permission denied (capturing needs CAP_NET_RAW); \
             hint: run as root; or once `sudo setcap cap_net_raw=eip /"
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
