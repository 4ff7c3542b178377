//! `--lang vi`: every phrase osi-trace writes about a segment, a connection or
//! a network message has its Vietnamese form (a phrase left in English fails
//! here, found by its English words, not by eye); the JSON is the same in both
//! languages; the line view keeps one line per segment, and fits 80 columns.

#[path = "vi_check/mod.rs"]
mod vi_check;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kit::Lang;
use osi_trace::analysis::{Analyzer, Annotated, Role, Side, Summary};
use osi_trace::decode::{Decoded, Decoder};
use osi_trace::pcap::CaptureReader;
use osi_trace::render::{self, words};
use vi_check::{captures, check, in_lang, osi_trace, root, text, LANG};

/// Every segment and every connection summary of a capture, analysed.
fn analyse(path: &Path) -> (Vec<Annotated>, Vec<Summary>) {
    let mut reader = CaptureReader::open(path).expect("a capture of the repository");
    let (mut decoder, mut an) = (Decoder::new(), Analyzer::new());
    let (mut segments, mut summaries, mut number, mut first) = (Vec::new(), Vec::new(), 0, None);
    while let Some(Ok(frame)) = reader.next_frame() {
        number += 1;
        let time = frame.ts.saturating_sub(*first.get_or_insert(frame.ts));
        if let Ok(Decoded::Segment(seg)) = decoder.decode(&frame) {
            segments.push(an.push(number, time, seg));
            summaries.extend(an.take_ended());
        }
    }
    summaries.extend(an.open());
    (segments, summaries)
}

/// Every role, each way, with each of its cases: the Vietnamese `describe`
/// and `cause` match on `Role` with no catch-all, so a new role does not build
/// without its Vietnamese; this list makes each one's words checked here.
fn every_role() -> Vec<Role> {
    let mut v = vec![
        Role::Handshake(1),
        Role::Handshake(2),
        Role::Data { bytes: 5, total: 5 },
        Role::Ack { acked: 5 },
        Role::Ack { acked: 0 },
        Role::WindowUpdate,
        Role::KeepAlive,
        Role::WindowProbe { update_lost: false },
        Role::WindowProbe { update_lost: true },
        Role::Refused,
        Role::Reset,
        Role::ChallengeAck,
        Role::StaleReset,
    ];
    for step in 1..=3 {
        for again in [false, true] {
            v.push(Role::Simultaneous { step, again });
        }
    }
    for again in [false, true] {
        for syn_acks in [1, 3] {
            v.push(Role::HandshakeAck { again, syn_acks });
        }
        for last in [false, true] {
            v.push(Role::FinAck { last, again });
        }
    }
    for bits in 0..16u32 {
        let b = |i: u32| bits & (1 << i) != 0;
        v.push(Role::Fin { first: b(0), acks_fin: b(1), crossing: b(2), data: if b(3) { 7 } else { 0 } });
    }
    v
}

/// A segment's three phrases, in both languages.
fn phrases(n: &Annotated) -> [(String, String, String); 3] {
    let say = |lang| {
        in_lang(lang, || {
            let mut states = String::new();
            words::states(n).push_to(&mut states);
            (words::describe(n).to_string(), words::cause(n).to_string(), states)
        })
    };
    let (en, vi) = (say(Lang::En), say(Lang::Vi));
    [("role".into(), en.0, vi.0), ("cause".into(), en.1, vi.1), ("states".into(), en.2, vi.2)]
}

#[test]
fn every_phrase_has_its_vietnamese_form() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let mut bad = Vec::new();
    let mut sample: Option<Annotated> = None;
    for path in captures() {
        let (segments, summaries) = analyse(&path);
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        for n in &segments {
            for (what, en, vi) in phrases(n) {
                // Known states are names only ([client ESTABLISHED, server …]): the same in both.
                if what == "states" && !en.contains("? (") {
                    assert_eq!(en, vi, "{name} frame {}", n.frame);
                    continue;
                }
                check(&format!("{name} frame {} {what}", n.frame), &en, &vi, &mut bad);
            }
        }
        for s in &summaries {
            let en = in_lang(Lang::En, || render::summary(s, 0));
            let vi = in_lang(Lang::Vi, || render::summary(s, 0));
            assert_eq!(en.len(), vi.len(), "{name}: a summary keeps its lines");
            // The head (`stream 0: client … → server …`) and the flows line are names and numbers.
            check(&format!("{name} summary of stream {}", s.stream), &en[1], &vi[1], &mut bad);
        }
        sample = sample.or_else(|| segments.into_iter().next());
    }
    // Each role and each of its cases, from each side, as the cause's facts allow.
    let mut n = sample.expect("a segment");
    // Also in a connection joined after its handshake (its FINs' words differ; `?` states).
    for role in every_role() {
        for from in [Side::Client, Side::Server] {
            for (unheeded, joined) in [(false, false), (true, false), (false, true)] {
                (n.role, n.from, n.reset_unheeded, n.joined_late) = (role.clone(), from, unheeded, joined);
                n.analysis.clear();
                for (what, en, vi) in phrases(&n).into_iter().take(2) {
                    check(
                        &format!("{role:?} from the {} {what} (joined {joined})", from.name()),
                        &en,
                        &vi,
                        &mut bad,
                    );
                }
            }
        }
    }
    for end in [
        osi_trace::analysis::End::Graceful,
        osi_trace::analysis::End::Open,
        osi_trace::analysis::End::Reset { refused: true },
        osi_trace::analysis::End::Reset { refused: false },
    ] {
        let (en, vi) = (in_lang(Lang::En, || words::end(end)), in_lang(Lang::Vi, || words::end(end)));
        check(&format!("end {end:?}"), en, vi, &mut bad);
    }
    assert!(bad.is_empty(), "{} phrases without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// The lines a network message (ARP, ICMP) gets: `  0.000011 L2 ARP reply…`.
fn control_lines(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| {
            l.trim_start().split_once(' ').is_some_and(|(_, t)| t.starts_with("L2 ") || t.starts_with("L3 "))
        })
        .map(String::from)
        .collect()
}

#[test]
fn network_messages_and_closing_lines_are_in_vietnamese() {
    let mut bad = Vec::new();
    for path in captures() {
        let p = path.to_string_lossy();
        let (en, vi) =
            (osi_trace(&["--read", &p, "--lang", "en"]), osi_trace(&["--read", &p, "--lang", "vi"]));
        let (en_lines, vi_lines) = (control_lines(&text(&en)), control_lines(&text(&vi)));
        assert_eq!(en_lines.len(), vi_lines.len(), "{p}");
        for (e, v) in en_lines.iter().zip(&vi_lines) {
            check(&format!("{p}"), e, v, &mut bad);
        }
        // The closing counts, stderr's last line (a file's format notes before it stay English).
        let last =
            |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).lines().last().map(String::from);
        check(
            &format!("{p} counts"),
            &last(&en).unwrap_or_default(),
            &last(&vi).unwrap_or_default(),
            &mut bad,
        );
    }
    assert!(bad.is_empty(), "{} lines without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn json_and_the_line_layout_are_the_same_in_both_languages() {
    for path in captures() {
        let p = path.to_string_lossy();
        let en = osi_trace(&["--read", &p, "--json", "--lang", "en"]);
        let vi = osi_trace(&["--read", &p, "--json", "--lang", "vi"]);
        assert_eq!(en.status.code(), vi.status.code(), "{p}");
        assert!(en.stdout == vi.stdout, "{p}: the JSON differs between --lang en and --lang vi");
        // A file gets one line per segment, whatever the language.
        let (en, vi) =
            (osi_trace(&["--read", &p, "--lang", "en"]), osi_trace(&["--read", &p, "--lang", "vi"]));
        assert_eq!(text(&en).lines().count(), text(&vi).lines().count(), "{p}");
    }
}

#[test]
fn the_environment_chooses_as_gettext_does() {
    let p = root().join("lessons/captures/03-hello.pcap");
    let run = |vars: &[(&str, &str)], flag: &[&str]| {
        let mut cmd = Command::new(harness::bin("osi-trace"));
        cmd.args(["--read", &p.to_string_lossy(), "--summary-only"]).args(flag);
        cmd.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG").envs(vars.iter().copied());
        text(&harness::run(cmd, b"", Duration::from_secs(60)).expect("osi-trace runs"))
    };
    let vi = |s: String| s.starts_with("Tóm tắt: 1 kết nối");
    assert!(vi(run(&[("LANG", "vi_VN.UTF-8")], &[])));
    assert!(vi(run(&[("LC_MESSAGES", "vi_VN.UTF-8"), ("LANG", "en_US.UTF-8")], &[])));
    assert!(!vi(run(&[("LC_ALL", "C.UTF-8"), ("LANG", "vi_VN.UTF-8")], &[])));
    assert!(!vi(run(&[("LANG", "vi_VN.UTF-8")], &["--lang", "en"])));
    assert!(vi(run(&[], &["--lang", "vi"])));
    assert!(!vi(run(&[], &[])));
}

/// Vietnamese letters are one column each, precomposed (`ệ`) or not (`e` and
/// two combining marks): the wrapped views fit 80 columns in both languages.
#[test]
fn vietnamese_lines_fit_80_columns() {
    use unicode_width::UnicodeWidthStr;
    assert_eq!("ệ".width(), 1);
    assert_eq!("e\u{302}\u{323}".width(), 1);
    for name in
        ["03-hello.pcap", "05-endings.pcap", "14-echo-link1.pcap", "17-mtu-link1.pcap", "15-rto-link1.pcap"]
    {
        let p = root().join("lessons/captures").join(name);
        for view in [&[][..], &["--layers"][..], &["--rtt"][..]] {
            let mut args = vec!["--read", p.to_str().expect("a UTF-8 path"), "--lang", "vi", "--width", "80"];
            args.extend(view);
            let out = text(&osi_trace(&args));
            assert!(out.contains("kết nối"), "{name} {view:?}");
            for line in out.lines() {
                assert!(line.width() <= 80, "{name} {view:?}: {} columns: {line}", line.width());
            }
        }
    }
}
