//! `lesson-check answers` reads the capture's rows as osi-trace writes them and
//! keeps only what each question needs: a capture of 200 000 frames is marked
//! under [`BOUND_MB`] of resident memory (it held every row: 1.58 GB). Its own
//! test binary, so that the peak resident size of its children is lesson-check's
//! (and its osi-trace's).

mod common;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

/// The bound the README states for any capture.
const BOUND_MB: i64 = 100;
const FRAMES: u32 = 200_000;

/// One connection from 10.0.0.1:40000 to 127.0.0.1:65432: a handshake, then
/// `n` segments of 8 bytes each way, in turn.
fn long_run(path: &Path, n: u32) -> anyhow::Result<()> {
    let mut f = BufWriter::new(std::fs::File::create(path)?);
    f.write_all(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])?;
    let (client, server) = ([10, 0, 0, 1], [127, 0, 0, 1]);
    let (mut cseq, mut sseq) = (1000u32, 5000u32);
    let mut frame =
        |i: u32, from_client: bool, flags: u8, len: u32, seq: u32, ack: u32| -> anyhow::Result<()> {
            let (src, dst, sport, dport) = if from_client {
                (client, server, 40000u16, 65432u16)
            } else {
                (server, client, 65432, 40000)
            };
            let mut b = vec![0u8; 12];
            b.extend_from_slice(&[0x08, 0x00, 0x45, 0]);
            b.extend_from_slice(&(40 + len as u16).to_be_bytes());
            b.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
            b.extend_from_slice(&src);
            b.extend_from_slice(&dst);
            b.extend_from_slice(&sport.to_be_bytes());
            b.extend_from_slice(&dport.to_be_bytes());
            b.extend_from_slice(&seq.to_be_bytes());
            b.extend_from_slice(&ack.to_be_bytes());
            b.extend_from_slice(&[5 << 4, flags, 0xff, 0xff, 0, 0, 0, 0]);
            b.extend(std::iter::repeat_n(b'x', len as usize));
            for v in [1_700_000_000 + i / 100_000, (i % 100_000) * 10, b.len() as u32, b.len() as u32] {
                f.write_all(&v.to_le_bytes())?;
            }
            f.write_all(&b)?;
            Ok(())
        };
    frame(0, true, 0x02, 0, cseq - 1, 0)?;
    frame(1, false, 0x12, 0, sseq - 1, cseq)?;
    frame(2, true, 0x10, 0, cseq, sseq)?;
    for i in 3..n {
        if i % 2 == 1 {
            frame(i, true, 0x18, 8, cseq, sseq)?;
            cseq += 8;
        } else {
            frame(i, false, 0x18, 8, sseq, cseq)?;
            sseq += 8;
        }
    }
    f.flush()?;
    Ok(())
}

/// The largest resident set of any child this process waited for (and theirs), in MB.
fn children_peak_mb() -> i64 {
    // SAFETY: getrusage fills the struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss / 1024
}

#[test]
fn a_big_capture_is_marked_in_bounded_memory() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("long.pcap");
    long_run(&pcap, FRAMES)?;
    let answers = dir.path().join("answers.txt");
    std::fs::write(&answers, "segments = 200000\nclient_port = 40000\n")?;
    let lesson_check = common::bin_dir().join("lesson-check");
    let mut cmd = Command::new(lesson_check);
    cmd.arg("answers").arg("03").arg(&pcap).arg(&answers);
    let out = harness::run(cmd, b"", std::time::Duration::from_secs(600))?;
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains(&format!("right  segments = {FRAMES}")), "{said}");
    assert!(said.contains("right  client_port = 40000"), "{said}");
    let peak = children_peak_mb();
    assert!(peak < BOUND_MB, "lesson-check and its osi-trace peaked at {peak} MB");
    Ok(())
}
