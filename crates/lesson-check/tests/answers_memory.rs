//! `lesson-check answers` reads the capture's rows as osi-trace writes them and
//! keeps only what each question needs: a capture of 200 000 frames is marked
//! under [`BOUND_MB`] of resident memory (it held every row: 1.58 GB). The peak
//! is lesson-check's own and its osi-trace's, as `wait4` reports it for that one
//! child: not a `cargo build` the test may start first to have the binaries.

mod common;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Runs `cmd` to its end (killed past `limit`): its exit code, and the largest
/// resident set of it and the children it waited for, in MB (wait4's usage of
/// that one child, so no other child of this test counts).
fn run_measured(mut cmd: Command, limit: Duration) -> anyhow::Result<(Option<i32>, i64)> {
    let mut child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let deadline = Instant::now() + limit;
    loop {
        let mut status = 0;
        // SAFETY: wait4 fills the status and the rusage we own; WNOHANG: it never blocks.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if reaped == pid {
            let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
            return Ok((code, ru.ru_maxrss / 1024));
        }
        anyhow::ensure!(reaped == 0, "wait4: {}", std::io::Error::last_os_error());
        if Instant::now() > deadline {
            child.kill()?;
            anyhow::bail!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_big_capture_is_marked_in_bounded_memory() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("long.pcap");
    long_run(&pcap, FRAMES)?;
    let answers = dir.path().join("answers.txt");
    std::fs::write(&answers, "segments = 200000\nclient_port = 40000\n")?;
    // Built first (this may run cargo, a child this test does not measure).
    let lesson_check = common::bin_dir().join("lesson-check");
    let (stdout, stderr) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut cmd = Command::new(lesson_check);
    cmd.arg("answers").arg("03").arg(&pcap).arg(&answers);
    cmd.stdin(Stdio::null()).stdout(File::create(&stdout)?).stderr(File::create(&stderr)?);
    let (code, peak) = run_measured(cmd, Duration::from_secs(600))?;
    let said = std::fs::read_to_string(&stdout)?;
    assert_eq!(code, Some(1), "{said}{}", std::fs::read_to_string(&stderr)?);
    assert!(said.contains(&format!("right  segments = {FRAMES}")), "{said}");
    assert!(said.contains("right  client_port = 40000"), "{said}");
    assert!(peak < BOUND_MB, "lesson-check and its osi-trace peaked at {peak} MB");
    Ok(())
}
