//! osi-trace on the lab's recorded captures of loss, lost data (rto) and dropped
//! SYNs: every TCP row — stream, relative seq and ack, length, flags, and the
//! retransmission / duplicate-ACK / fast-retransmission flags — is tshark's, and
//! the time osi-trace gives between copies of a segment is tshark's too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::tcp_rows::{differences, ours, theirs};
use harness::Need;

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures").join(name)
}

/// How many of the rows carry the analysis flag `flag`.
fn flagged(rows: &std::collections::BTreeMap<u64, harness::tcp_rows::Row>, flag: &str) -> usize {
    rows.values().filter(|r| r.5.iter().any(|f| f == flag)).count()
}

#[test]
fn tshark_agrees_on_every_tcp_row_of_the_loss_rto_and_syn_drop_captures() -> anyhow::Result<()> {
    if !harness::require!(Need::Tool("tshark")) {
        return Ok(());
    }
    // What each capture must show, so that the agreement is about something:
    // (file, flag, at least this many rows carrying it).
    let wanted = [
        ("loss-link1.pcap", "retransmission", 3),
        ("loss-link1.pcap", "duplicate_ack", 3),
        ("loss-link1.pcap", "fast_retransmission", 1),
        ("rto-link1.pcap", "retransmission", 6),
        ("syn-drop-link1.pcap", "retransmission", 2),
    ];
    for name in ["loss-link1.pcap", "rto-link1.pcap", "syn-drop-link1.pcap"] {
        let file = capture(name);
        let ((ours, our_frames), (theirs, their_frames)) = (ours(&file)?, theirs(&file)?);
        assert_eq!(our_frames, their_frames, "{name}: frames read");
        let diff = differences(&ours, &theirs);
        assert!(diff.is_empty(), "{name}: {} rows differ:\n{}", diff.len(), diff.join("\n"));
        for (_, flag, least) in wanted.iter().filter(|w| w.0 == name) {
            let n = flagged(&theirs, flag);
            assert!(n >= *least, "{name}: tshark flags {n} rows {flag}, expected at least {least}");
        }
    }
    Ok(())
}

/// The seconds osi-trace prints as "… after the last copy" on each retransmission,
/// in order (`206.3 ms`, `1.660 s`).
fn intervals(file: &Path) -> Vec<f64> {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(file).args(["--width", "0", "--color", "never"]);
    let out = harness::run(cmd, b"", Duration::from_secs(60)).expect("osi-trace runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let before =
                l.split(" after the last copy").next().filter(|_| l.contains(" after the last copy"))?;
            let mut words = before.rsplit(' ');
            let (unit, value) = (words.next()?, words.next()?.parse::<f64>().ok()?);
            Some(if unit == "ms" { value / 1000.0 } else { value })
        })
        .collect()
}

/// The times between successive copies, from tshark: the frames `filter` keeps.
fn tshark_intervals(file: &Path, filter: &str) -> Vec<f64> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(file).args(["-Y", filter, "-T", "fields", "-e", "frame.time_relative"]);
    let out = harness::run(cmd, b"", Duration::from_secs(60)).expect("tshark runs");
    let times: Vec<f64> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn the_back_off_osi_trace_shows_is_the_one_tshark_measures() {
    if !harness::require!(Need::Tool("tshark")) {
        return;
    }
    for (name, filter) in [
        ("rto-link1.pcap", "ip.src == 10.0.1.2 && tcp.len > 0"),
        ("syn-drop-link1.pcap", "tcp.flags.syn == 1"),
    ] {
        let file = capture(name);
        let (ours, theirs) = (intervals(&file), tshark_intervals(&file, filter));
        assert_eq!(ours.len(), theirs.len(), "{name}: osi-trace {ours:?}, tshark {theirs:?}");
        for (a, b) in ours.iter().zip(&theirs) {
            // osi-trace prints 0.1 ms (or 1 ms past a second) of precision.
            assert!((a - b).abs() < 0.0011, "{name}: osi-trace {ours:?}, tshark {theirs:?}");
        }
        // The timer's back-off: from the third copy on, each wait about twice the one before.
        if name == "rto-link1.pcap" {
            for w in theirs[1..].windows(2) {
                assert!((1.8..2.2).contains(&(w[1] / w[0])), "{name}: no doubling in {theirs:?}");
            }
        }
    }
}
