//! `--tsg` in bounded memory: a capture of a million one-SYN connections (a SYN
//! flood) with a bulk transfer in the middle of it is graphed under
//! [`BOUND_MB`] of resident memory, and the bulk transfer is what is drawn (it
//! kept every stream: 738 MB).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The bound the README states for any capture.
const BOUND_MB: u64 = 200;
const FLOOD: u32 = 1_000_000;

/// Writes one Ethernet/IPv4/TCP frame at time `i` (10 µs apart).
fn frame(
    f: &mut impl Write,
    i: u32,
    from: ([u8; 4], u16),
    to: ([u8; 4], u16),
    tcp: (u32, u32, u8),
    len: u16,
) -> std::io::Result<()> {
    let (seq, ack, flags) = tcp;
    let mut b = vec![0u8; 12];
    b.extend_from_slice(&[0x08, 0x00, 0x45, 0]);
    b.extend_from_slice(&(40 + len).to_be_bytes());
    b.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
    b.extend_from_slice(&from.0);
    b.extend_from_slice(&to.0);
    b.extend_from_slice(&from.1.to_be_bytes());
    b.extend_from_slice(&to.1.to_be_bytes());
    b.extend_from_slice(&seq.to_be_bytes());
    b.extend_from_slice(&ack.to_be_bytes());
    b.extend_from_slice(&[5 << 4, flags, 0xff, 0xff, 0, 0, 0, 0]);
    b.resize(b.len() + usize::from(len), b'x');
    for v in [1_700_000_000 + i / 100_000, (i % 100_000) * 10, b.len() as u32, b.len() as u32] {
        f.write_all(&v.to_le_bytes())?;
    }
    f.write_all(&b)
}

/// `FLOOD` SYNs, each from its own address and port; after every 100 of them,
/// one segment of a bulk transfer from 10.255.255.1:5555: its handshake, then
/// 1000-byte segments each ACKed.
fn flood_with_a_transfer(path: &Path) -> anyhow::Result<()> {
    let mut f = BufWriter::new(std::fs::File::create(path)?);
    f.write_all(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])?;
    let server = ([127, 0, 0, 1], 80);
    let bulk = ([10, 255, 255, 1], 5555);
    let (mut t, mut step, mut seq) = (0u32, 0u32, 1001u32);
    for i in 0..FLOOD {
        let client = ([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 10_000 + (i % 50_000) as u16);
        frame(&mut f, t, client, server, (i, 0, 0x02), 0)?;
        t += 1;
        if i % 100 == 99 {
            match step {
                0 => frame(&mut f, t, bulk, server, (1000, 0, 0x02), 0)?,
                1 => frame(&mut f, t, server, bulk, (5000, 1001, 0x12), 0)?,
                2 => frame(&mut f, t, bulk, server, (1001, 5001, 0x10), 0)?,
                n if n % 2 == 1 => {
                    frame(&mut f, t, bulk, server, (seq, 5001, 0x18), 1000)?;
                    seq += 1000;
                }
                _ => frame(&mut f, t, server, bulk, (5001, seq, 0x10), 0)?,
            }
            step += 1;
            t += 1;
        }
    }
    f.flush()?;
    Ok(())
}

#[test]
fn a_million_streams_are_graphed_in_bounded_memory_and_the_transfer_is_drawn() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("flood.pcap");
    flood_with_a_transfer(&pcap)?;
    let svg = dir.path().join("flood.svg");
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(["--read", &pcap.to_string_lossy(), "--summary-only", "--color", "never"]);
    cmd.args(["--tsg", &svg.to_string_lossy()]);
    let (out, kib) = harness::run_measured(cmd, b"", Duration::from_secs(900))?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let peak = kib / 1024;
    eprintln!("osi-trace --tsg on {FLOOD} streams: peak RSS {peak} MB; {err}");
    // The transfer is stream 100 (it starts after 100 flood SYNs), the client's segments drawn.
    assert!(err.contains("flood.svg\": stream 100, the client's segments"), "{err}");
    let doc = std::fs::read_to_string(&svg)?;
    assert!(doc.matches("class=\"segment\"").count() > 4000, "the transfer's segments are drawn");
    assert!(peak < BOUND_MB, "peak RSS {peak} MB, over the {BOUND_MB} MB bound");
    Ok(())
}
