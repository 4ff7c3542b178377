//! Wireshark's analysis rules (packet-tcp.c, `tcp_analyze_sequence_number`)
//! on captures this test crafts: each scenario is written to a pcap, and the
//! analysis flags osi-trace gives every frame must be the ones it expects and
//! the ones tshark gives the same file.

use super::*;
use crate::decode::craft::{frame, SYN_OPTIONS};
use crate::decode::flags::*;
use crate::decode::segment;
use crate::frame::{Frame, LinkType};
use crate::pcap::CaptureWriter;

const C: u16 = 45678; // client port
const S: u16 = 80; // server port
const CI: u32 = 1_000_000; // client ISN
const SI: u32 = 3_000_000_000; // server ISN

/// (ms, from_client, seq, ack, flags, window, payload)
type Seg<'a> = (u64, bool, u32, u32, u8, u16, &'a [u8]);

/// The window of every segment but the one that closes it.
const W: u16 = 65535;

/// The handshake every scenario starts with: an initial RTT of 2 ms, the
/// out-of-order threshold.
const HANDSHAKE: [Seg<'static>; 3] = [
    (0, true, CI, 0, SYN, W, b""),
    (1, false, SI, CI + 1, SYN | ACK, W, b""),
    (2, true, CI + 1, SI + 1, ACK, W, b""),
];

/// The compared flags of each frame, sorted, as Wireshark names them.
fn ours(frames: &[Frame]) -> Vec<Vec<String>> {
    let mut a = Analyzer::new();
    let t0 = frames[0].ts;
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let n = a.push(i as u64 + 1, f.ts - t0, segment(f).unwrap());
            let mut v: Vec<String> = n.analysis.iter().map(|x| x.field().to_string()).collect();
            v.sort();
            v
        })
        .collect()
}

/// The same flags as tshark reads them from the file.
fn theirs(frames: &[Frame]) -> Vec<Vec<String>> {
    const FIELDS: [&str; 8] = [
        "retransmission",
        "spurious_retransmission",
        "out_of_order",
        "lost_segment",
        "ack_lost_segment",
        "zero_window",
        "zero_window_probe",
        "keep_alive",
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.pcap");
    let mut w = CaptureWriter::create(&path, LinkType::Ethernet, 0).unwrap();
    frames.iter().for_each(|f| w.write(f).unwrap());
    w.flush().unwrap();
    let fields: Vec<String> = FIELDS.iter().map(|f| format!("tcp.analysis.{f}")).collect();
    let out = harness::tshark::fields(&path, &fields).unwrap();
    out.lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let mut v: Vec<String> =
                FIELDS.iter().zip(&c).filter(|(_, v)| !v.is_empty()).map(|(f, _)| f.to_string()).collect();
            v.sort();
            v
        })
        .collect()
}

fn frames(segs: &[Seg]) -> Vec<Frame> {
    segs.iter()
        .map(|&(ms, c, seq, ack, fl, win, data)| {
            let (sp, dp) = if c { (C, S) } else { (S, C) };
            let opts: &[u8] = if fl & SYN != 0 { &SYN_OPTIONS } else { &[] };
            frame(ms, sp, dp, seq, ack, fl, win, opts, data)
        })
        .collect()
}

/// Asserts the flags of the last frame: tshark's when it is installed, and ours.
fn assert_last(test: &str, segs: &[Seg], expected: &[&str]) {
    let frames = frames(segs);
    let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    // tshark first: it is the judge of what the scenario should give.
    if harness::require(test, harness::Need::Tool("tshark")) {
        assert_eq!(theirs(&frames).last(), Some(&expected), "tshark");
    }
    assert_eq!(ours(&frames).last(), Some(&expected), "osi-trace");
}

/// A zero-window probe does not move what its side has sent: the next
/// probe of the same byte is one too, not a keep-alive; the data after the
/// window opens, which starts at that byte, is new data.
#[test]
fn zero_window_probes_leave_the_next_sequence_number_alone() {
    let test = &harness::test_name!();
    let mut segs = HANDSHAKE.to_vec();
    segs.extend([
        (10, true, CI + 1, SI + 1, PSH | ACK, W, &b"Hello"[..]),
        (11, false, SI + 1, CI + 6, ACK, 0, b""),
        (300, true, CI + 6, SI + 1, ACK, W, b"w"),
    ]);
    assert_last(test, &segs, &["zero_window_probe"]);
    segs.push((900, true, CI + 6, SI + 1, ACK, W, b"w"));
    assert_last(test, &segs, &["zero_window_probe"]);
    segs.push((1000, true, CI + 6, SI + 1, PSH | ACK, W, b"world"));
    assert_last(test, &segs, &[]);
}

/// A segment that starts one byte below what its side has sent and carries
/// more than one byte is new data, not out-of-order nor a retransmission
/// (packet-tcp.c: "the previous segment is possibly a zero window probe").
#[test]
fn one_byte_below_next_with_more_data_is_new_data() {
    let mut segs = HANDSHAKE.to_vec();
    segs.extend([
        (10, true, CI + 1, SI + 1, PSH | ACK, W, &b"Hello"[..]),
        (11, true, CI + 5, SI + 1, PSH | ACK, W, b"o, world"),
    ]);
    assert_last(&harness::test_name!(), &segs, &[]);
}

/// Bytes the peer already acknowledged, sent again, are a spurious
/// retransmission even when the capture missed their first sending: the
/// check comes before, and without, "below what this side has sent"; and
/// they move what this side has sent, as any segment beyond it does.
#[test]
fn resending_bytes_acked_unseen_is_a_spurious_retransmission() {
    let mut segs = HANDSHAKE.to_vec();
    segs.extend([
        (10, true, CI + 1, SI + 1, PSH | ACK, W, &b"Hello"[..]),
        // The server acknowledges ten bytes: the second five were not captured.
        (11, false, SI + 1, CI + 11, ACK, W, b""),
        (300, true, CI + 6, SI + 1, PSH | ACK, W, b"world"),
    ]);
    assert_last(&harness::test_name!(), &segs, &["retransmission", "spurious_retransmission"]);
    // It moved what the client has sent: its next bytes follow on, no gap.
    segs.push((310, true, CI + 11, SI + 1, PSH | ACK, W, b"again"));
    assert_last(&harness::test_name!(), &segs, &[]);
}

/// The ordinary cases around them stay: old bytes at once are out of order,
/// after a pause a retransmission.
#[test]
fn old_bytes_are_out_of_order_at_once_and_a_retransmission_later() {
    let mut segs = HANDSHAKE.to_vec();
    segs.extend([
        (10, true, CI + 1, SI + 1, PSH | ACK, W, &b"Hello"[..]),
        (10, true, CI + 6, SI + 1, PSH | ACK, W, b"world"),
        (11, true, CI + 1, SI + 1, PSH | ACK, W, b"Hello"),
    ]);
    let test = &harness::test_name!();
    assert_last(test, &segs, &["out_of_order"]);
    segs.last_mut().unwrap().0 = 500;
    assert_last(test, &segs, &["retransmission"]);
}
