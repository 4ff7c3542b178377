//! The hop view's memory stays bounded: two links' captures in which far
//! more datagrams wait for a copy than the view holds at once (SYNs sent to
//! the router that it never forwards, while the other link's capture goes on)
//! are read with the resident memory under [`BOUND_MB`], read from /proc
//! while it runs; past the bound the frames waiting longest are forgotten,
//! counted and said.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The bound the README states for the hop view on any capture.
const BOUND_MB: u64 = 150;
/// SYNs on link1 that no copy on link2 answers while link2's capture goes on.
const WAITING: u64 = 300_000;
/// How many frames the view holds at once (`hop::matcher::MAX_HELD`).
const HELD: u64 = 100_000;

/// A pcap of Ethernet frames, each an IPv4 TCP SYN: (time in µs, MACs
/// (destination, source), source address, source port, TTL).
fn pcap(path: &Path, frames: impl Iterator<Item = (u64, [u8; 12], [u8; 4], u16, u8)>) -> anyhow::Result<()> {
    let mut f = BufWriter::new(std::fs::File::create(path)?);
    f.write_all(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])?;
    for (us, macs, src, port, ttl) in frames {
        let mut frame = macs.to_vec();
        frame.extend_from_slice(&[0x08, 0x00]);
        // The IPv4 id is the port: every SYN is its own datagram.
        let id = port.to_be_bytes();
        frame.extend_from_slice(&[0x45, 0, 0, 40, id[0], id[1], 0x40, 0, ttl, 6, 0, 0]);
        frame.extend_from_slice(&src);
        frame.extend_from_slice(&[10, 0, 2, 2]);
        frame.extend_from_slice(&port.to_be_bytes());
        frame.extend_from_slice(&65432u16.to_be_bytes());
        frame.extend_from_slice(&u32::from(port).to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0, 0, 5 << 4, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
        let (sec, usec) = (1_700_000_000 + us / 1_000_000, us % 1_000_000);
        for v in [sec as u32, usec as u32, frame.len() as u32, frame.len() as u32] {
            f.write_all(&v.to_le_bytes())?;
        }
        f.write_all(&frame)?;
    }
    f.flush()?;
    Ok(())
}

/// The largest resident set of process `pid` so far, in kB (`VmHWM`).
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches(" kB").parse().ok()
}

#[test]
fn more_frames_waiting_than_the_view_holds_are_forgotten_counted_and_said() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (one, two) = (dir.path().join("link1.pcap"), dir.path().join("link2.pcap"));
    // Client 02:..:01:02 → router 02:..:01:01, a port (and an id) each, one every 10 µs.
    let to_router = [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 1, 2];
    let ports = (0..WAITING).map(|i| 1024 + (i % 60_000) as u16);
    let sources = (0..WAITING).map(|i| [10, 0, 1, 2 + (i / 60_000) as u8]);
    pcap(&one, ports.zip(sources).enumerate().map(|(i, (p, s))| (i as u64 * 10, to_router, s, p, 64)))?;
    // Link2 holds one copy, of the last SYN, after all of them: until then each waits for its own.
    let last = WAITING - 1;
    let from_router = [2, 0, 0, 0, 2, 2, 2, 0, 0, 0, 2, 1];
    let copy = (
        last * 10 + 20,
        from_router,
        [10, 0, 1, 2 + (last / 60_000) as u8],
        1024 + (last % 60_000) as u16,
        63,
    );
    pcap(&two, std::iter::once(copy))?;

    let mut child = Command::new(harness::bin("osi-trace"))
        .args(["--read", &one.to_string_lossy(), "--hop", &two.to_string_lossy(), "--width", "0"])
        .args(["--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let stdout = child.stdout.take().expect("piped");
    // The text is read as it comes: the reasons given, and the closing lines.
    let reader = std::thread::spawn(move || {
        let (mut forgotten, mut pairs, mut tail) = (0u64, 0u64, Vec::new());
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            forgotten += u64::from(line.contains("↳ not matched: more than 100000 frames waited"));
            pairs += u64::from(line.contains("link1 #300000 → link2 #1"));
            tail.push(line);
            if tail.len() > 4 {
                tail.remove(0);
            }
        }
        (forgotten, pairs, tail)
    });
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut peak = 0;
    let status = loop {
        peak = peak.max(peak_kb(pid).unwrap_or(0));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill()?;
            anyhow::bail!("osi-trace --hop still running after 600 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut err)?;
    let (forgotten, pairs, tail) = reader.join().expect("the reader thread");
    let tail = tail.join("\n");
    eprintln!("osi-trace --hop, {WAITING} SYNs waiting: peak RSS {} MB; {err}", peak / 1024);
    assert!(status.success(), "{err}");
    // Each SYN past the first 100 000 pushes out the one waiting longest.
    let want = WAITING - HELD;
    assert_eq!(forgotten, want, "{tail}");
    assert!(err.contains(&format!("warning: {want} frames forgotten while waiting for their copy")), "{err}");
    assert!(
        tail.contains(&format!("{want} forgotten while waiting for their copy (memory bound)")),
        "{tail}"
    );
    // The last SYN still found its copy, and the rest were not forwarded.
    assert_eq!(pairs, 1, "{tail}");
    assert!(tail.contains(&format!("{} not forwarded", HELD - 1)), "{tail}");
    assert!(peak > 0, "no VmHWM read from /proc/{pid}/status");
    assert!(peak / 1024 < BOUND_MB, "peak RSS {} MB, over the {BOUND_MB} MB bound", peak / 1024);
    Ok(())
}
