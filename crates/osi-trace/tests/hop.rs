//! The hop view (`--read LINK1 --hop LINK2`) on the lab's captures of both
//! links: its text as checked in, every pair's MACs, TTL / hop limit and TCP
//! fields as tshark reads them from the same files, and bad input.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{fixture, osi_trace_cmd};
use osi_trace::json::{CopyRecord, HopOnlyRecord, HopRecord, Record};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../lab/tests/captures")
}

/// osi-trace run in the captures' folder, so file names print the same everywhere.
fn in_captures(args: &[&str]) -> anyhow::Result<Output> {
    let mut cmd = osi_trace_cmd(args);
    cmd.current_dir(captures());
    harness::run(cmd, b"", Duration::from_secs(60))
}

/// The expected text of each pair of captures, in tests/fixtures: rewrite one with
/// `osi-trace --read NAME-link1.pcap --hop NAME-link2.pcap --width 100 --color never`
/// (run in crates/lab/tests/captures) when the wording changes on purpose.
#[test]
fn the_hop_view_of_each_lab_pair_is_as_checked_in() -> anyhow::Result<()> {
    for name in ["echo", "echo6", "no-arp"] {
        let (l1, l2) = (format!("{name}-link1.pcap"), format!("{name}-link2.pcap"));
        let out = in_captures(&["--read", &l1, "--hop", &l2, "--width", "100", "--color", "never"])?;
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let got = String::from_utf8(out.stdout)?;
        let path = fixture(&format!("hop-{name}.expected.txt"));
        let want = std::fs::read_to_string(&path)?;
        assert_eq!(got, want, "{name}: the hop view differs from {}", path.display());
        assert!(got.lines().all(|l| l.chars().count() <= 100), "{name}: a line wider than 100 columns");
    }
    Ok(())
}

/// One frame as tshark reads it.
#[derive(Debug, Clone, Default)]
struct Tshark {
    eth_src: String,
    eth_dst: String,
    ttl: String,
    src: String,
    dst: String,
    ip_id: String,
    /// srcport, dstport, seq, ack, len, flags: all relative as tshark shows them.
    tcp: [String; 6],
    seq_raw: String,
    time: f64,
    protocols: String,
}

const FIELDS: [&str; 19] = [
    "eth.src",
    "eth.dst",
    "ip.ttl",
    "ipv6.hlim",
    "ip.src",
    "ipv6.src",
    "ip.dst",
    "ipv6.dst",
    "ip.id",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq",
    "tcp.ack",
    "tcp.len",
    "tcp.flags.str",
    "tcp.seq_raw",
    "frame.time_epoch",
    "frame.protocols",
    "frame.number",
];

fn tshark(file: &str) -> anyhow::Result<Vec<Tshark>> {
    let fields: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    let text = harness::tshark::fields(&captures().join(file), &fields)?;
    let mut v = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        anyhow::ensure!(f.len() == FIELDS.len(), "tshark row {line:?}");
        // The first value: an ICMP error repeats the quoted header's fields after a comma.
        let one = |i: usize| f[i].split(',').next().unwrap_or("").to_string();
        let either = |i: usize, j: usize| if one(i).is_empty() { one(j) } else { one(i) };
        v.push(Tshark {
            eth_src: one(0),
            eth_dst: one(1),
            ttl: either(2, 3),
            src: either(4, 5),
            dst: either(6, 7),
            ip_id: one(8),
            tcp: [one(9), one(10), one(11), one(12), one(13), one(14)],
            seq_raw: one(15),
            time: one(16).parse()?,
            protocols: one(17),
        });
        anyhow::ensure!(one(18) == v.len().to_string(), "tshark frame numbers out of step");
    }
    Ok(v)
}

/// The records of `--hop --json` after the first, which gives the schema.
fn hop_json(l1: &str, l2: &str) -> anyhow::Result<Vec<Record>> {
    let out = in_captures(&["--read", l1, "--hop", l2, "--json"])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut records = String::from_utf8(out.stdout)?
        .lines()
        .map(|l| Ok(serde_json::from_str(l)?))
        .collect::<anyhow::Result<Vec<Record>>>()?;
    assert!(matches!(records.first(), Some(Record::Start(_))), "{:?}", records.first());
    records.remove(0);
    Ok(records)
}

/// A copy's MACs and TTL are what tshark reads in that frame.
fn same_copy(c: &CopyRecord, t: &Tshark) {
    assert_eq!(c.eth_src.as_deref(), Some(t.eth_src.as_str()), "{c:?} {t:?}");
    assert_eq!(c.eth_dst.as_deref(), Some(t.eth_dst.as_str()), "{c:?} {t:?}");
    assert_eq!(c.ttl.to_string(), t.ttl, "{c:?} {t:?}");
}

/// Every frame of both files is shown exactly once (a pair shows two), each pair
/// agrees with tshark on both copies, and what a router must keep, tshark finds kept.
#[test]
fn every_pair_agrees_with_tshark_on_the_same_files() -> anyhow::Result<()> {
    for name in ["echo", "echo6", "no-arp"] {
        let files = [format!("{name}-link1.pcap"), format!("{name}-link2.pcap")];
        let ts = [tshark(&files[0])?, tshark(&files[1])?];
        let link = |l: &str| usize::from(l == "link2");
        let mut shown: HashMap<(usize, u64), usize> = HashMap::new();
        let (mut pairs, mut lowered) = (0, 0);
        for line in hop_json(&files[0], &files[1])? {
            match line {
                Record::Hop(h) => {
                    let HopRecord { before, after, .. } = &*h;
                    let (b, a) = (
                        &ts[link(&before.link)][before.frame as usize - 1],
                        &ts[link(&after.link)][after.frame as usize - 1],
                    );
                    same_copy(before, b);
                    same_copy(after, a);
                    // L2 rewritten on both ends; L3 addresses and id kept; TTL one lower.
                    assert!(b.eth_src != a.eth_src && b.eth_dst != a.eth_dst, "{name}: {h:?}");
                    assert_eq!((&b.src, &b.dst, &b.ip_id), (&a.src, &a.dst, &a.ip_id), "{name}: {h:?}");
                    assert_eq!((h.src.as_str(), h.dst.as_str()), (b.src.as_str(), b.dst.as_str()));
                    lowered += usize::from(b.ttl.parse::<u8>()? == a.ttl.parse::<u8>()? + 1);
                    // L4 kept, and as tshark numbers it.
                    assert_eq!(b.tcp, a.tcp, "{name}: {h:?}");
                    if let Some(t) = &h.tcp {
                        assert_eq!(t.srcport.to_string(), b.tcp[0]);
                        assert_eq!(t.seq.to_string(), b.tcp[2], "{name}: {h:?}");
                        if let Some(ack) = t.ack {
                            assert_eq!(ack.to_string(), b.tcp[3], "{name}: {h:?}");
                        }
                        assert_eq!(t.len.to_string(), b.tcp[4]);
                    }
                    let router = h.router_time.unwrap_or(-1.0);
                    assert!(
                        (router - (a.time - b.time)).abs() < 2e-6,
                        "{name}: {router} vs tshark {}",
                        a.time - b.time
                    );
                    for c in [before, after] {
                        *shown.entry((link(&c.link), c.frame)).or_default() += 1;
                    }
                    pairs += 1;
                }
                Record::HopOnly(o) => {
                    let HopOnlyRecord { link: l, frame, reason, .. } = &*o;
                    let t = &ts[link(l)][*frame as usize - 1];
                    // On one link only: tshark finds no frame on the other link with the
                    // same addresses, IP id and raw sequence number.
                    let other = &ts[1 - link(l)];
                    let twin = |x: &&Tshark| {
                        !t.src.is_empty()
                            && (&x.src, &x.dst, &x.ip_id, &x.seq_raw)
                                == (&t.src, &t.dst, &t.ip_id, &t.seq_raw)
                    };
                    assert!(
                        !other.iter().any(|x| twin(&x)) || reason == "link_local",
                        "{name}: {o:?} has a twin"
                    );
                    if reason == "arp" {
                        assert!(t.protocols.ends_with(":arp"), "{name}: {o:?} {t:?}");
                    }
                    *shown.entry((link(l), *frame)).or_default() += 1;
                }
                other => panic!("{name}: not a hop record: {other:?}"),
            }
        }
        assert_eq!(shown.len(), ts[0].len() + ts[1].len(), "{name}: every frame shown");
        assert!(shown.values().all(|&n| n == 1), "{name}: no frame shown twice");
        assert_eq!(lowered, pairs, "{name}: the TTL or hop limit one lower on every pair");
        let want = if name == "no-arp" { 0 } else { 10 };
        assert_eq!(pairs, want, "{name}: datagrams seen on both links");
    }
    Ok(())
}

/// A missing file, the same file twice, a file that is no capture, two captures
/// that share nothing, `--hop` with neither a file nor two interfaces (or one
/// interface twice): one error line each, exit status 1.
#[test]
fn bad_input_is_one_line_and_a_non_zero_exit() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let text = dir.path().join("notes.pcap");
    std::fs::write(&text, "not a capture\n")?;
    let text = text.to_string_lossy().into_owned();
    let cases: [(&[&str], &str); 7] = [
        (&["--hop"], "--hop compares two files (--read LINK1 --hop LINK2) or two live links"),
        (&["--read", "echo-link1.pcap", "--hop", "echo-link2.pcap", "--duration", "1"], "--hop compares"),
        (&["--interface", "x", "--interface", "x", "--hop"], "two different interfaces"),
        (&["--read", "echo-link1.pcap", "--hop", "missing.pcap"], "cannot open \"missing.pcap\""),
        (&["--read", "echo-link1.pcap", "--hop", "./echo-link1.pcap"], "name the same file"),
        (&["--read", "echo-link1.pcap", "--hop", &text], "cannot read"),
        (&["--read", "echo-link1.pcap", "--hop", "echo6-link2.pcap"], "no datagram seen on both links"),
    ];
    for (args, want) in cases {
        let out = in_captures(args)?;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    // A flag of the connection views: refused by the argument parser (exit 2).
    let out = in_captures(&["--read", "echo-link1.pcap", "--hop", "echo-link2.pcap", "--ladder"])?;
    assert_eq!(out.status.code(), Some(2));
    Ok(())
}

/// Projection mode: at any width every line fits (side by side where the copies
/// fit, stacked below that), and `--width 0` never wraps.
#[test]
fn every_line_fits_the_width() -> anyhow::Result<()> {
    for name in ["echo", "echo6", "no-arp"] {
        let (l1, l2) = (format!("{name}-link1.pcap"), format!("{name}-link2.pcap"));
        for width in [30, 50, 70, 84, 85, 100, 120] {
            let w = width.to_string();
            let out = in_captures(&["--read", &l1, "--hop", &l2, "--width", &w, "--color", "never"])?;
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout)?;
            for l in text.lines() {
                assert!(l.chars().count() <= width, "{name} at {width}: {l:?}");
            }
            let side_by_side = text.contains(" │ 02:00:00:00:02:01");
            // 4 + 4 (indent, label) + 37 + 3 + 37: side by side from 85 columns (no-arp has no pair).
            assert_eq!(side_by_side, width >= 85 && name != "no-arp", "{name} at {width}");
        }
        let out = in_captures(&["--read", &l1, "--hop", &l2, "--width", "0", "--color", "never"])?;
        let text = String::from_utf8(out.stdout)?;
        // A continuation is indented 6 columns (the column heads 8, the layer rows 4).
        let continued = |l: &&str| l.starts_with("      ") && !l.starts_with("       ");
        assert!(!text.lines().any(|l| continued(&l)), "{name}: a continuation line at width 0");
    }
    Ok(())
}

/// A capture that ends sooner than the other: link1's last frame (the client's
/// last ACK) cut off. Its copy on link2 comes from the router's MAC, yet it is no
/// frame the router made: it says the other capture lacks the copy.
#[test]
fn a_copy_missing_from_one_capture_is_not_blamed_on_the_router() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("editcap")) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let cut = dir.path().join("link1.pcap");
    let status =
        Command::new("editcap").arg(captures().join("echo-link1.pcap")).arg(&cut).arg("12").status()?;
    assert!(status.success());
    let link2 = captures().join("echo-link2.pcap");
    let out = in_captures(&["--read", cut.to_str().unwrap(), "--hop", link2.to_str().unwrap(), "--json"])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let only: Vec<HopOnlyRecord> = String::from_utf8(out.stdout)?
        .lines()
        .filter_map(|l| match serde_json::from_str::<Record>(l) {
            Ok(Record::HopOnly(o)) if o.reason != "arp" => Some(*o),
            _ => None,
        })
        .collect();
    assert_eq!(only.len(), 1, "{only:?}");
    assert_eq!((only[0].frame, only[0].reason.as_str()), (12, "missed_on_other"), "{only:?}");
    assert!(only[0].link.ends_with("link2"), "{only:?}");
    assert!(only[0].reason_text.contains("the capture of link1 lacks that copy"), "{}", only[0].reason_text);
    Ok(())
}
