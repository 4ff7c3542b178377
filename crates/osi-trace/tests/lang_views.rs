//! `--lang vi` in the views beyond the line: `--layers`, `--ladder` and `--hop`
//! over every capture of the repository, line for line against `--lang en`
//! (a line left in English fails, found by its English words); each reason the
//! hop view gives and each verdict, built from a real frame; the widths they fit;
//! `--hop --json` the same in both languages.

#[path = "vi_check/mod.rs"]
mod vi_check;

use std::path::PathBuf;

use kit::Lang;
use osi_trace::hop::{see, Only, Pair, Row, Tally, What, Why};
use osi_trace::pcap::CaptureReader;
use osi_trace::render::words::hop as hop_words;
use vi_check::{captures, check, check_line, in_lang, osi_trace, root, text, LANG};

/// The lines `osi-trace ARGS` writes in English and in Vietnamese, paired.
fn both(args: &[&str]) -> Vec<(String, String)> {
    let run = |lang: &str| {
        let mut a = args.to_vec();
        a.extend(["--lang", lang]);
        text(&osi_trace(&a))
    };
    let (en, vi) = (run("en"), run("vi"));
    let (en, vi): (Vec<&str>, Vec<&str>) = (en.lines().collect(), vi.lines().collect());
    assert_eq!(en.len(), vi.len(), "{args:?}: a line for a line");
    en.into_iter().zip(vi).map(|(e, v)| (e.to_string(), v.to_string())).collect()
}

/// A frame the decoder skipped is said by the frame loop (`output.rs`), still in English.
fn skipped(line: &str) -> bool {
    line.starts_with("frame ") && line.contains(": skipped, ")
}

#[test]
fn the_layers_and_the_ladder_are_vietnamese() {
    let mut bad = Vec::new();
    for path in captures() {
        let p = path.to_string_lossy();
        for view in ["--layers", "--ladder"] {
            for (en, vi) in both(&["--read", &p, view]) {
                if !skipped(&vi) {
                    check_line(&format!("{p} {view}"), &en, &vi, &mut bad);
                }
                // The ladder's heads: `time` is a word the check cannot tell (the
                // Vietnamese keeps it in `(round-trip time)`), so it is looked for.
                if en.trim_start().starts_with("time ") && vi == en {
                    bad.push(format!("{p} {view}: the heads {vi:?} are English"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{} lines without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// The two links' captures of the repository (`…-link1.pcap` with its `…-link2.pcap`).
fn hop_pairs() -> Vec<(PathBuf, PathBuf)> {
    let v: Vec<(PathBuf, PathBuf)> = captures()
        .into_iter()
        .filter_map(|p| {
            let two = PathBuf::from(p.to_string_lossy().replace("-link1.", "-link2."));
            (two != p && two.exists()).then_some((p, two))
        })
        .collect();
    assert!(!v.is_empty(), "no pair of links' captures");
    v
}

#[test]
fn the_hop_view_is_vietnamese_and_its_json_is_not() {
    let mut bad = Vec::new();
    for (one, two) in hop_pairs() {
        let (a, b) = (one.to_string_lossy(), two.to_string_lossy());
        for (en, vi) in both(&["--read", &a, "--hop", &b]) {
            check_line(&format!("{a} --hop"), &en, &vi, &mut bad);
        }
        let json = |lang| osi_trace(&["--read", &a, "--hop", &b, "--json", "--lang", lang]).stdout;
        assert!(json("en") == json("vi"), "{a}: --hop --json differs between --lang en and --lang vi");
    }
    assert!(bad.is_empty(), "{} lines without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// The hop view's copies of real frames: an ARP request, and the first TCP segment.
fn seen_frames() -> (osi_trace::hop::Seen, osi_trace::hop::Seen) {
    let path = root().join("crates/osi-trace/tests/fixtures/syn-ack-resent-link1.pcap");
    let mut reader = CaptureReader::open(&path).expect("the fixture");
    let (mut arp, mut tcp) = (None, None);
    let mut n = 0;
    while let Some(Ok(f)) = reader.next_frame() {
        n += 1;
        let s = see(n, &f);
        match &s.what {
            What::Arp(_) => arp = arp.or(Some(s)),
            What::Datagram(d) if d.tcp.is_some() => tcp = tcp.or(Some(s)),
            _ => {}
        }
    }
    (arp.expect("an ARP frame"), tcp.expect("a TCP segment"))
}

/// Every reason a frame is on one link only, and every closing line.
#[test]
fn every_reason_and_count_of_the_hop_view_has_its_vietnamese_form() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let (arp, tcp) = seen_frames();
    let names = ["link1".to_string(), "link2".to_string()];
    let mut whys = vec![
        Why::LinkLocal,
        Why::RouterSent,
        Why::ToRouter,
        Why::Missed,
        Why::NotForwarded { unanswered: true },
        Why::NotForwarded { unanswered: false },
        Why::Fragment,
        Why::Forgotten,
        Why::Unknown,
        Why::NotIp,
    ];
    for bits in 0..16u8 {
        let b = |i: u8| bits & (1 << i) != 0;
        whys.push(Why::Arp { request: b(0), by_router: b(1), for_router: b(2), answered: b(3) });
    }
    let mut bad = Vec::new();
    let mut tally = Tally { pairs: 0, raw_segments: 3, ..Tally::default() };
    for why in &whys {
        for seen in [&arp, &tcp] {
            let o = Only { link: 0, seen: seen.clone(), why: *why, asked: None };
            let say = |lang| in_lang(lang, || hop_words::why(&o, &names));
            check(&format!("{why:?}"), &say(Lang::En), &say(Lang::Vi), &mut bad);
            tally.add(&Row::Only(Box::new(o)));
        }
    }
    // The verdicts of a pair whose two copies are the same frame: nothing rewritten, nothing lower.
    let mut pair = Pair { from: 0, copies: [tcp.clone(), tcp.clone()] };
    for macs in [tcp.macs, None] {
        pair.copies[1].macs = macs;
        let say = |lang| in_lang(lang, || [hop_words::l2_verdict(&pair), hop_words::l3_verdict(&pair)]);
        for (en, vi) in say(Lang::En).iter().zip(say(Lang::Vi)) {
            check("a pair's verdict", en, &vi, &mut bad);
        }
        tally.add(&Row::Pair(Box::new(pair.clone())));
    }
    // The router's time, and clocks that disagree (stamped earlier after the router).
    for after in [pair.copies[0].ts, std::time::Duration::ZERO] {
        pair.copies[1].ts = after;
        let say =
            |lang| in_lang(lang, || [hop_words::router_time(&pair), hop_words::l4_verdict().to_string()]);
        for (en, vi) in say(Lang::En).iter().zip(say(Lang::Vi)) {
            check("a pair's words", en, &vi, &mut bad);
        }
    }
    for pairs in [0, tally.pairs] {
        let t = Tally { pairs, ..tally.clone() };
        let (en, vi) = (
            in_lang(Lang::En, || hop_words::summary(&t, &names)),
            in_lang(Lang::Vi, || hop_words::summary(&t, &names)),
        );
        assert_eq!(en.len(), vi.len());
        for (e, v) in en.iter().zip(&vi) {
            check("the hop view's counts", e, v, &mut bad);
        }
    }
    assert!(bad.is_empty(), "{} phrases without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// Vietnamese letters are one column each, several bytes each: the ladder and
/// the hop view, wrapped, fit the width in columns, not bytes.
#[test]
fn the_ladder_and_the_hop_view_fit_their_width_in_vietnamese() {
    use unicode_width::UnicodeWidthStr;
    let (one, two) = hop_pairs().remove(0);
    let (a, b) = (one.to_string_lossy().into_owned(), two.to_string_lossy().into_owned());
    let hello = root().join("lessons/captures/03-hello.pcap").to_string_lossy().into_owned();
    let lossy = root().join("crates/osi-trace/tests/corpus/lossy-echo.pcap").to_string_lossy().into_owned();
    for width in ["80", "60", "50"] {
        for args in [
            vec!["--read", &hello, "--ladder"],
            vec!["--read", &lossy, "--ladder"],
            vec!["--read", &lossy, "--layers"],
            vec!["--read", &a, "--hop", &b],
        ] {
            let mut args = args.clone();
            args.extend(["--lang", "vi", "--width", width]);
            let out = text(&osi_trace(&args));
            let wide = out.lines().any(|l| l.len() > l.width());
            assert!(wide, "{args:?}: some line holds Vietnamese letters");
            for line in out.lines() {
                let w: usize = width.parse().expect("a number");
                assert!(line.width() <= w, "{args:?}: {} columns: {line}", line.width());
            }
        }
    }
}
