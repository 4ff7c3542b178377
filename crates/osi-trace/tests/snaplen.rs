//! `--write --snaplen N`: each frame written keeps at most N bytes and its
//! length on the wire, from a file and live; tshark reads the lengths back,
//! and osi-trace reads back the same segments with the same lengths.

mod common;

use std::path::{Path, PathBuf};

use common::{osi_trace, possible, segments, text, Netns, Proc, T};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(name)
}

/// tshark's `frame.len` and `frame.cap_len` of each frame.
fn lengths(pcap: &Path) -> anyhow::Result<Vec<(u32, u32)>> {
    let out = harness::tshark::fields(pcap, &["frame.len".into(), "frame.cap_len".into()])?;
    out.lines()
        .map(|l| {
            let (len, cap) = l.split_once('\t').unwrap_or((l, ""));
            Ok((len.parse()?, cap.parse()?))
        })
        .collect()
}

/// The snap length in a classic pcap's file header (bytes 16..20, in the
/// byte order of the magic number).
fn header_snaplen(pcap: &Path) -> anyhow::Result<u32> {
    let b = std::fs::read(pcap)?;
    anyhow::ensure!(b.len() >= 24, "no pcap header");
    let field: [u8; 4] = b[16..20].try_into()?;
    Ok(match b[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => u32::from_le_bytes(field),
        _ => u32::from_be_bytes(field),
    })
}

/// What a segment's JSON record says of it that a cut frame must not change:
/// everything but the payload's bytes (and, live, the server's state after a
/// SYN, which only a file's look-ahead knows).
fn facts(json: &str) -> Vec<String> {
    segments(json)
        .into_iter()
        .map(|j| {
            let keep =
                ["frame", "stream", "src", "dst", "flags", "seq", "ack", "len", "ip_len", "nxtseq", "role"];
            keep.iter().map(|k| format!("{k}={}", j[*k])).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// The frames of a file written with `--snaplen n`, as tshark reads them,
/// against those it was written from: the same lengths on the wire, at most
/// `n` bytes each (as many as there were when fewer).
fn assert_cut(written: &Path, from: &[(u32, u32)], n: u32) -> anyhow::Result<()> {
    let got = lengths(written)?;
    let want: Vec<(u32, u32)> = from.iter().map(|&(len, cap)| (len, cap.min(n))).collect();
    assert_eq!(got, want, "frame.len and frame.cap_len of {}", written.display());
    assert!(got.iter().any(|&(len, cap)| cap < len), "some frame is longer than {n}");
    assert_eq!(header_snaplen(written)?, n, "the file header's snap length");
    Ok(())
}

/// From a file (IPv4 with losses, and IPv6): each frame cut at N bytes, its
/// length kept; osi-trace reads back the same segments, lengths and all, and
/// its `--layers` view says how much of a payload was captured.
#[test]
fn snaplen_cuts_each_frame_read_from_a_file_and_keeps_its_length() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    for (name, n) in [("lossy-echo.pcap", 96u32), ("echo-v6.pcap", 90)] {
        let (src, cut) = (corpus(name), dir.path().join(format!("cut-{name}")));
        let (src_s, cut_s, n_s) = (src.to_string_lossy(), cut.to_string_lossy(), n.to_string());
        let out = osi_trace(&["--read", &src_s, "--write", &cut_s, "--snaplen", &n_s, "--quiet"])?;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_cut(&cut, &lengths(&src)?, n)?;

        let whole = osi_trace(&["--read", &src_s, "--json"])?;
        let back = osi_trace(&["--read", &cut_s, "--json"])?;
        assert!(back.status.success(), "{}", text(&back.stderr));
        let (whole, back) = (facts(&text(&whole.stdout)), facts(&text(&back.stdout)));
        assert!(!whole.is_empty());
        assert_eq!(back, whole, "{name}: the segments read back from the cut file");

        let layers = osi_trace(&["--read", &cut_s, "--layers", "--color", "never", "--width", "0"])?;
        let layers = text(&layers.stdout);
        assert!(layers.lines().any(|l| l.contains(" bytes, ") && l.contains(" captured: ")), "{layers}");
    }
    Ok(())
}

/// Live on a namespace's `lo`: an echo of 2000 bytes, written with
/// `--snaplen 100`; the file holds 100 bytes of each longer frame and its
/// real length, and reads back as the segments shown live.
#[test]
fn snaplen_cuts_each_frame_captured_live() -> anyhow::Result<()> {
    if !possible(&harness::test_name!(), &[harness::Need::Tool("tshark")]) {
        return Ok(());
    }
    let ns = Netns::new(format!("osi-snap-{}", std::process::id()))?;
    let dir = tempfile::tempdir()?;
    let written = dir.path().join("live.pcap");
    let mut srv =
        harness::Server::spawn(ns.cmd(harness::bin("server-basic"), &["--port", "0", "--color", "never"]))?;
    let port = srv.port().to_string();
    let w = written.to_string_lossy();
    let args = [
        "--port",
        &port,
        "--connections",
        "1",
        "--duration",
        "30",
        "--json",
        "--write",
        &w,
        "--snaplen",
        "100",
    ];
    let cap = Proc::start(ns.cmd(harness::bin("osi-trace"), &args), "READY capturing on lo", T)?;
    let message = "x".repeat(2000);
    let client = harness::run(
        ns.cmd(harness::bin("client"), &["--port", &port, "--message", &message, "--quiet"]),
        b"",
        T,
    )?;
    assert!(client.status.success(), "client: {}", text(&client.stderr));
    srv.wait_exit(T)?;
    let (status, live, err) = cap.finish()?;
    assert!(status.success(), "{err:?}");

    // What was shown live: each frame's length on the wire is its IP length
    // plus loopback's 14-byte Ethernet header, and all of it was captured.
    let shown: Vec<(u32, u32)> = segments(&live)
        .iter()
        .map(|j| {
            let len = j["ip_len"].as_u64().unwrap_or(0) as u32 + 14;
            (len, len)
        })
        .collect();
    // The handshake, 2000 bytes each way, the ACKs and the teardown: how the
    // echo is split in segments is the kernel's business.
    assert!(shown.len() >= 10 && shown.iter().any(|&(len, _)| len > 100), "{live}");
    assert_cut(&written, &shown, 100)?;
    let back = osi_trace(&["--read", &w, "--json"])?;
    assert!(back.status.success(), "{}", text(&back.stderr));
    assert_eq!(facts(&text(&back.stdout)), facts(&live));
    Ok(())
}

/// A bad `--snaplen` is one error line with a hint, and nothing is written.
#[test]
fn a_bad_snaplen_is_one_line_with_a_hint_and_writes_nothing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("out.pcap");
    let (t, src) = (target.to_string_lossy(), corpus("lossy-echo.pcap"));
    let src = src.to_string_lossy();
    for (bad, says) in [
        ("x", "\"x\" is not a number of bytes; give e.g. 96 (the L2 to L4 headers of a typical TCP segment) or 0 (whole frames)"),
        ("10", "10 is below 14, an Ethernet header, so not even L2 would be kept whole; give e.g. 96"),
        ("-5", "-5 is below 14"),
        ("300000", "300000 is above 262144, the most osi-trace keeps of a frame; give 0 (or no --snaplen) for whole frames"),
    ] {
        let out = osi_trace(&["--read", &src, "--write", &t, "--snaplen", bad])?;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(errors.len(), 1, "{err}");
        assert!(errors[0].starts_with(&format!("error: invalid value '{bad}' for '--snaplen <N>': ")), "{err}");
        assert!(errors[0].contains(says), "{err}");
        assert!(!target.exists(), "--snaplen {bad} wrote a file");
    }
    let out = osi_trace(&["--read", &src, "--snaplen", "96"])?;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--write"), "{}", text(&out.stderr));
    Ok(())
}
