//! osi-trace live on real links: two network namespaces the test creates,
//! joined by a veth pair (real MACs, both directions are real traffic), a tun
//! device (raw IP, no link header), and an interface set down mid-capture.
//! tcpdump on the same link in the same run is the oracle for frame counts.

mod common;

use std::time::{Duration, Instant};

use common::{ip, listing, records, segments, stop_tcpdump_at, tcpdump, text, Lab, Proc, T};

/// On a veth link the frames this host sends are real traffic: osi-trace
/// sees both directions, as many frames as tcpdump on the same link; with
/// `--port`, ARP and ICMP are kept too (here a UDP datagram to a closed port
/// earns an ICMP port unreachable), as with tcpdump's `tcp port N or arp or icmp`.
#[test]
fn on_a_veth_link_both_directions_are_captured_like_tcpdump() -> anyhow::Result<()> {
    let Some(lab) = Lab::for_test(&harness::test_name!(), "veth", &[])? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let port = "7007";
    let ours = lab.trace(
        &["--interface", "va", "--port", port, "--connections", "1", "--duration", "30", "--json"],
        "READY capturing on va",
    )?;
    let theirs_file = dir.path().join("tcpdump.pcap");
    // Not icmp6: a new link's IPv6 router solicitations come when they will,
    // maybe after osi-trace has stopped.
    let filter = format!("tcp port {port} or arp or icmp");
    let theirs = tcpdump(&lab.a, "va", &filter, &theirs_file)?;
    let udp =
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('10.77.0.2', 9))";
    let sent = harness::run(lab.a.cmd("python3", &["-c", udp]), b"", T)?;
    assert!(sent.status.success(), "python3: {}", text(&sent.stderr));
    lab.echo(&lab.b, "10.77.0.2", port)?;

    let (status, json, err) = ours.finish()?;
    assert!(status.success(), "{err:?}");
    let rows = segments(&json);
    let roles: Vec<&str> = rows.iter().map(|j| j["role"].as_str().unwrap_or("?")).collect();
    assert_eq!(
        roles,
        ["syn", "syn_ack", "handshake_ack", "data", "ack", "data", "ack", "fin", "fin", "fin_ack"],
        "{json}"
    );
    // Both directions: the 6 the client here sent (SYN, ACKs, data, FIN) are
    // PACKET_OUTGOING on va, the 4 of the server arrive.
    let from_here =
        rows.iter().filter(|j| j["src"].as_str().is_some_and(|s| s.starts_with("10.77.0.1:"))).count();
    assert_eq!(from_here, 6, "{json}");
    let control = records(&json, "control");
    let said = |m: &str| control.iter().any(|j| j["message"] == m);
    assert!(said("unreachable") && control.iter().all(|j| j["protocol"] != "udp"), "{json}");
    let ours = rows.len() + control.iter().filter(|j| j["protocol"] != "icmpv6").count();
    let theirs = stop_tcpdump_at(theirs, &theirs_file, ours)?;
    let listing = listing(&theirs_file)?;
    assert_eq!(
        theirs, ours,
        "tcpdump -i va '{filter}' saw {theirs} frames, osi-trace {ours}:\n{listing}\n{json}"
    );
    let passed = format!("kernel: {} frames passed the filter, 0 dropped", rows.len() + control.len());
    assert!(err.iter().any(|l| l.contains(&passed)), "{err:?}");
    Ok(())
}

/// Holds a tun device named tun0 open (without a process attached the kernel
/// sends nothing through it) and reads away what the kernel routes into it.
const TUN_HOLDER: &str = r#"
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
IFF_TUN, IFF_NO_PI, TUNSETIFF = 0x0001, 0x1000, 0x400454CA
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"tun0", IFF_TUN | IFF_NO_PI))
print("READY tun0", file=sys.stderr, flush=True)
while True:
    os.read(fd, 65536)
"#;

/// A tun device has no link header: its frames start with the IP header
/// (ARPHRD_NONE). osi-trace decodes them as raw IP, as tcpdump does.
#[test]
fn on_a_tun_device_frames_are_raw_ip_and_decoded() -> anyhow::Result<()> {
    let Some(lab) = Lab::for_test(&harness::test_name!(), "tun", &[harness::Need::Tool("python3")])? else {
        return Ok(());
    };
    let _holder = Proc::start(lab.a.cmd("python3", &["-c", TUN_HOLDER]), "READY tun0", T)?;
    ip(&["-n", &lab.a.0, "addr", "add", "10.78.0.1/24", "dev", "tun0"])?;
    ip(&["-n", &lab.a.0, "link", "set", "tun0", "up"])?;
    let port = "7008";
    let ours = lab.trace(
        &["--interface", "tun0", "--port", port, "--count", "2", "--duration", "30", "--json"],
        "READY capturing on tun0",
    )?;
    let theirs_file = tempfile::NamedTempFile::new()?;
    let theirs = tcpdump(&lab.a, "tun0", &format!("tcp port {port}"), theirs_file.path())?;
    // Nobody answers behind tun0: the client's SYN goes out, and again after
    // the kernel's first retransmission timeout (1 s).
    let client = Proc::start(
        {
            let mut c = lab.a.cmd("sh", &[]);
            c.args([
                "-c",
                &format!(
                    "echo started >&2; exec {} --host 10.78.0.2 --port {port} --timeout 10 --quiet",
                    harness::bin("client").display()
                ),
            ]);
            c
        },
        "started",
        T,
    )?;
    let (status, json, err) = ours.finish()?;
    drop(client);
    assert!(status.success(), "{err:?}");
    let rows = segments(&json);
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|j| {
            let s = |k: &str| j[k].as_str().unwrap_or("?").to_string();
            (s("src").split(':').next().unwrap_or("?").to_string(), s("dst"), s("flags"))
        })
        .collect();
    let syn = ("10.78.0.1".to_string(), format!("10.78.0.2:{port}"), "SYN".to_string());
    assert_eq!(got, [syn.clone(), syn], "{json}");
    assert!(rows[1]["analysis"].to_string().contains("retransmission"), "{json}");
    let theirs = stop_tcpdump_at(theirs, theirs_file.path(), rows.len())?;
    assert_eq!(theirs, 2, "tcpdump -i tun0 saw {theirs} frames");
    Ok(())
}

/// An interface set down mid-capture: the frames seen so far, the summary,
/// the counts, and one line saying what happened; exit status 1.
#[test]
fn an_interface_going_down_ends_with_the_summary_and_one_line() -> anyhow::Result<()> {
    let Some(lab) = Lab::for_test(&harness::test_name!(), "down", &[])? else {
        return Ok(());
    };
    let port = "7009";
    let ours = lab.trace(
        &["--interface", "va", "--port", port, "--duration", "30", "--color", "never"],
        "READY capturing on va",
    )?;
    lab.echo(&lab.b, "10.77.0.2", port)?;
    ip(&["-n", &lab.a.0, "link", "set", "va", "down"])?;

    let (status, stdout, err) = ours.finish()?;
    assert_eq!(status.code(), Some(1), "{stdout}\n{err:?}");
    assert!(stdout.contains("Summary: 1 connection, 10 TCP segments"), "{stdout}");
    let rows = stdout.lines().filter(|l| l.contains(" #0 client "));
    assert_eq!(rows.count(), 10, "{stdout}");
    let last = err.last().map(String::as_str).unwrap_or("");
    assert!(
        last.starts_with("osi-trace: error: va went down during the capture (ENETDOWN); the counts above cover the frames until then; hint: bring it up (`ip link set va up`)"),
        "{err:?}"
    );
    assert!(err.iter().any(|l| l.contains(" frames, 10 TCP segments, 1 connection")), "{err:?}");
    assert!(!err.iter().any(|l| l.contains("Unexpected poll event")), "{err:?}");
    Ok(())
}

/// `--interface lo --interface va` and `--interface any`: every frame of both
/// links, each row naming its link; loopback still one copy per frame; as
/// many frames as `tcpdump -i any` in the same run.
#[test]
fn several_interfaces_and_any_name_the_link_of_each_row() -> anyhow::Result<()> {
    let Some(lab) = Lab::for_test(&harness::test_name!(), "many", &[])? else {
        return Ok(());
    };
    let port = "7010";
    let trace = |ifaces: &[&str], ready: &str| -> anyhow::Result<Proc> {
        let mut args: Vec<&str> = Vec::new();
        for i in ifaces {
            args.extend(["--interface", i]);
        }
        args.extend(["--port", port, "--connections", "2", "--duration", "30", "--color", "never"]);
        lab.trace(&args, ready)
    };
    let two = trace(&["lo", "va"], "READY capturing on lo, va")?;
    let any = trace(&["any"], "READY capturing on any")?;
    let dump_file = tempfile::NamedTempFile::new()?;
    let dump = tcpdump(&lab.a, "any", &format!("tcp port {port}"), dump_file.path())?;
    // One echo on lo inside namespace a, one over the veth link to b.
    for (ns, host) in [(&lab.a, "127.0.0.1"), (&lab.b, "10.77.0.2")] {
        lab.echo(ns, host, port)?;
    }
    for p in [two, any] {
        let (status, stdout, err) = p.finish()?;
        assert!(status.success(), "{err:?}");
        // TCP rows (ARP rows on va may come too).
        let on = |link: &str| {
            stdout.lines().filter(|l| l.starts_with(&format!("[{link}]")) && l.contains(" #")).count()
        };
        assert_eq!((on("lo"), on("va")), (10, 10), "{stdout}");
        assert!(err.iter().any(|l| l.contains(" frames, 20 TCP segments, 2 connections")), "{err:?}");
    }
    let theirs = stop_tcpdump_at(dump, dump_file.path(), 20)?;
    assert_eq!(theirs, 20, "tcpdump -i any");
    Ok(())
}

/// The library's own view of a veth link: each frame names its interface and
/// its direction, the client's SYN going out and the server's SYN+ACK coming in.
#[test]
fn each_frame_knows_its_interface_and_direction() -> anyhow::Result<()> {
    use osi_trace::capture::{Direction, LiveCapture, LiveOptions};
    let Some(lab) = Lab::for_test(&harness::test_name!(), "dir", &[])? else {
        return Ok(());
    };
    let port = 7011u16;
    let ns_a = format!("/run/netns/{}", lab.a.0);
    // A thread of our own enters namespace a (setns changes only the calling thread).
    let (open_tx, open_rx) = std::sync::mpsc::channel();
    let capture = std::thread::spawn(move || -> anyhow::Result<Vec<(String, Direction, u8)>> {
        let ns = std::fs::File::open(&ns_a)?;
        nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET)?;
        let mut cap = LiveCapture::open(&LiveOptions { interfaces: vec!["va".into()], port: Some(port) })?;
        open_tx.send(())?;
        let mut seen = Vec::new();
        let deadline = Instant::now() + T;
        while seen.len() < 2 && Instant::now() < deadline {
            // TCP only: the filter keeps ARP too, which may come first.
            if let Some(f) = cap.next(Duration::from_millis(100))? {
                if let Ok(osi_trace::decode::Decoded::Segment(seg)) = osi_trace::decode::decode(&f.frame) {
                    seen.push((f.interface.to_string(), f.direction, seg.tcp.flags));
                }
            }
        }
        Ok(seen)
    });
    // Echo once the capture is open (or its thread has failed: its error comes below).
    let _ = open_rx.recv_timeout(T);
    lab.echo(&lab.b, "10.77.0.2", &port.to_string())?;
    let seen = capture.join().map_err(|_| anyhow::anyhow!("capture thread panicked"))??;
    use osi_trace::decode::flags::{ACK, SYN};
    assert_eq!(
        seen,
        [("va".to_string(), Direction::Out, SYN), ("va".to_string(), Direction::In, SYN | ACK)],
        "first two frames on va"
    );
    Ok(())
}
