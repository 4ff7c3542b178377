//! Memory stays bounded: a capture of a million connections that never end
//! (one SYN each, as a SYN flood or a port scan leaves) is read with the
//! resident memory under [`BOUND_MB`], the bound the README states. Its own
//! test binary, so that the peak resident size of its children is osi-trace's.

use std::io::{BufWriter, Write};
use std::process::Command;
use std::time::Duration;

/// The bound the README states for any capture.
const BOUND_MB: i64 = 200;
const CONNECTIONS: u32 = 1_000_000;

/// A pcap of `n` segments from 10.a.b.c:port to 127.0.0.1:80, made by `segment(i)`:
/// (client address, client port, sequence number, flags).
fn pcap(
    path: &std::path::Path,
    n: u32,
    segment: impl Fn(u32) -> ([u8; 4], u16, u32, u8),
) -> anyhow::Result<()> {
    let mut f = BufWriter::new(std::fs::File::create(path)?);
    f.write_all(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])?;
    for i in 0..n {
        let (addr, port, seq, flags) = segment(i);
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x08, 0x00]);
        frame.extend_from_slice(&[0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]);
        frame.extend_from_slice(&addr);
        frame.extend_from_slice(&[127, 0, 0, 1]);
        frame.extend_from_slice(&port.to_be_bytes());
        frame.extend_from_slice(&80u16.to_be_bytes());
        frame.extend_from_slice(&seq.to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0, 0, 5 << 4, flags, 0xff, 0xff, 0, 0, 0, 0]);
        let (sec, usec) = (1_700_000_000 + i / 1_000_000, i % 1_000_000);
        for v in [sec, usec, frame.len() as u32, frame.len() as u32] {
            f.write_all(&v.to_le_bytes())?;
        }
        f.write_all(&frame)?;
    }
    f.flush()?;
    Ok(())
}

/// One SYN each from its own address and port: a SYN flood, a port scan.
fn syn_flood(path: &std::path::Path, n: u32) -> anyhow::Result<()> {
    pcap(path, n, |i| ([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 10_000 + (i % 50_000) as u16, i, 0x02))
}

/// `--ladder` holds at most 2000 rows of a connection, and says how many it left out.
#[test]
fn the_ladder_caps_what_it_holds_and_says_so() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("long.pcap");
    // A SYN, then 2 499 keep-alive-sized ACKs of one connection that never ends.
    pcap(&file, 2500, |i| ([10, 0, 0, 1], 40000, 1000 + u32::from(i > 0), if i == 0 { 0x02 } else { 0x10 }))?;
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(["--read", &file.to_string_lossy(), "--ladder", "--color", "never", "--width", "0"]);
    let out = harness::run(cmd, b"", Duration::from_secs(120))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let arrows = text.lines().filter(|l| l.contains('▶') || l.contains('◀')).count();
    let tail: String = text.lines().rev().take(8).collect::<Vec<_>>().join("\n");
    // 2000 rows held: the 3 of the heading and 1997 arrows.
    assert_eq!(arrows, 1997, "{tail}");
    assert!(
        text.contains("… 503 more segments not drawn (--ladder holds at most 2000 rows of a connection)"),
        "{tail}"
    );
    Ok(())
}

/// The largest resident set of any child this process waited for, in MB.
fn children_peak_mb() -> i64 {
    // SAFETY: getrusage fills the struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss / 1024
}

#[test]
fn a_million_connections_that_never_end_stay_under_the_bound() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("flood.pcap");
    syn_flood(&pcap, CONNECTIONS)?;
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(["--read", &pcap.to_string_lossy(), "--summary-only", "--color", "never"]);
    let out = harness::run(cmd, b"", Duration::from_secs(600))?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let peak = children_peak_mb();
    eprintln!("osi-trace on {CONNECTIONS} open connections: peak RSS {peak} MB; {err}");
    assert!(err.contains(&format!("{CONNECTIONS} connections")), "{err}");
    assert!(err.contains("forgotten while open"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("forgotten while still open, the longest idle first"), "{text}");
    assert!(peak < BOUND_MB, "peak RSS {peak} MB, over the {BOUND_MB} MB bound");
    Ok(())
}
