//! `--lang vi`: what osi-trace says on stderr about bad input (a file that is
//! no capture, damaged, cut short; a path it will not write; a graph it cannot
//! draw; an interface that is not there) and its notes, in Vietnamese, each
//! of them run for real; and every case of the words behind them (each kind of
//! damage, each refused path, each reason no graph is drawn).

#[path = "vi_check/mod.rs"]
mod vi_check;

use std::path::Path;

use kit::Lang;
use osi_trace::analysis::Side;
use osi_trace::decode::Skip;
use osi_trace::render::closing;
use osi_trace::render::words::files::{self, Damage, Refused};
use osi_trace::render::words::graph::{self, NoGraph};
use osi_trace::render::words::notes;
use vi_check::{check, check_line, in_lang, root, LANG};

/// stderr of `osi-trace ARGS --lang vi`, run in `dir`.
fn stderr_vi(dir: &Path, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new(harness::bin("osi-trace"));
    cmd.current_dir(dir).args(args).args(["--lang", "vi"]);
    let out = harness::run(cmd, b"", std::time::Duration::from_secs(60)).expect("osi-trace runs");
    String::from_utf8(out.stderr).expect("UTF-8")
}

/// A line without what another part of the program or the system says: the
/// `warning:` tag of the frame loop (main.rs), an OS error's own words
/// (`: No such file or directory (os error 2)`).
fn ours(line: &str) -> String {
    let line = line.strip_prefix("osi-trace: warning: ").unwrap_or(line);
    let line = line.strip_prefix("osi-trace: cảnh báo: ").unwrap_or(line);
    let Some(at) = line.find(" (os error ") else { return line.to_string() };
    let end = line[at..].find(')').map_or(line.len(), |e| at + e + 1);
    let start = line[..at].rfind(": ").unwrap_or(at);
    format!("{}{}", &line[..start], &line[end..])
}

#[test]
fn bad_input_is_told_in_vietnamese() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path();
    let hello = std::fs::read(root().join("lessons/captures/03-hello.pcap")).expect("a capture");
    std::fs::write(d.join("hello.pcap"), &hello).expect("write");
    std::fs::write(d.join("text.pcap"), "hello, not a capture").expect("write");
    std::fs::write(d.join("cut-header.pcap"), &hello[..10]).expect("write");
    std::fs::write(d.join("cut-record.pcap"), &hello[..300]).expect("write");
    // A pcapng section header whose byte-order magic is wrong.
    let bad_ng = [[0x0a, 0x0d, 0x0d, 0x0a], 28u32.to_le_bytes(), [1, 2, 3, 4]].concat();
    std::fs::write(d.join("bad.pcapng"), bad_ng).expect("write");
    std::fs::write(d.join("exists.svg"), "").expect("write");
    std::fs::create_dir(d.join("adir")).expect("mkdir");
    let corpus =
        |name: &str| root().join("crates/osi-trace/tests/corpus").join(name).to_string_lossy().into_owned();
    let (mixed, usec) = (corpus("mixed-links.pcapng"), corpus("usec-overflow-incl-over-orig.pcap"));
    let cases: Vec<Vec<&str>> = vec![
        vec!["--read", "nosuch.pcap"],
        vec!["--read", "text.pcap"],
        vec!["--read", "cut-header.pcap"],
        vec!["--read", "cut-record.pcap"],
        vec!["--read", "bad.pcapng"],
        vec!["--read", "hello.pcap", "--write", "adir"],
        vec!["--read", "hello.pcap", "--write", "nodir/x.pcap"],
        vec!["--read", "hello.pcap", "--write", "hello.pcap"],
        vec!["--read", "hello.pcap", "--tsg", "exists.svg"],
        vec!["--read", "hello.pcap", "--tsg", "new.svg", "--stream", "7"],
        vec!["--read", "hello.pcap", "--tsg", "g.svg"],
        vec!["--read", "hello.pcap", "--html", "p.html", "--programs", "server-basic,nosuch"],
        vec!["--read", &mixed],
        vec!["--read", &usec],
        vec!["--interface", "nosuch0", "--duration", "1"],
    ];
    let mut bad = Vec::new();
    for args in &cases {
        let err = stderr_vi(d, args);
        assert!(!err.is_empty(), "{args:?}: nothing said");
        for line in err.lines() {
            // `  server-basic: listen() crates/…:42, …`: a program's calls are names.
            match line.starts_with("  ") {
                true => check_line(&format!("{args:?}"), "", line, &mut bad),
                false => check(&format!("{args:?}"), "", &ours(line), &mut bad),
            }
        }
    }
    assert!(bad.is_empty(), "{} lines without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// Words said from nothing: a case of [`each`].
type Say<'a> = Box<dyn Fn() -> String + 'a>;

/// Each case of the words, English and Vietnamese.
fn each(bad: &mut Vec<String>, what: &str, say: impl Fn() -> String) {
    let (en, vi) = (in_lang(Lang::En, &say), in_lang(Lang::Vi, &say));
    check(what, &en, &ours(&vi), bad);
}

#[test]
fn every_case_of_the_words_about_files_and_graphs_has_its_vietnamese_form() {
    let _turn = LANG.lock().unwrap_or_else(|e| e.into_inner());
    let mut bad = Vec::new();
    let damages = [
        Damage::TruncatedHeader,
        Damage::TruncatedRecord,
        Damage::NotPcapHeader,
        Damage::RecordAfter(3),
        Damage::RecordTooBig(9_000_000, 262_144),
        Damage::NgStart,
        Damage::NgSectionHeader,
        Damage::ByteOrder,
        Damage::BlockLength(6, 7),
        Damage::LengthsDisagree(6, 32, 36),
        Damage::BlockShort(6),
        Damage::SectionShort,
        Damage::Version(2, 0),
        Damage::InterfaceShort,
        Damage::Undescribed(4),
        Damage::PacketTooBig(100, 40),
    ];
    for d in damages {
        each(&mut bad, &format!("{d:?}"), || files::damage(d));
    }
    let refusals = [
        Refused::Directory("d/run.pcap"),
        Refused::Socket,
        Refused::BlockDevice,
        Refused::Exists,
        Refused::NoDirectory("d"),
    ];
    for r in refusals {
        each(&mut bad, &format!("{r:?}"), || {
            kit::error_line("osi-trace", &files::refused("--write", "x", r).into())
        });
    }
    let e = std::io::Error::from_raw_os_error(17); // EEXIST
    let said: [(&str, Say<'_>); 12] = [
        ("appeared", Box::new(|| kit::error_line("osi-trace", &files::appeared("x", &e).into()))),
        ("write is read", Box::new(|| files::write_is_read("x.pcap"))),
        ("link", Box::new(|| kit::error_line("osi-trace", &files::unsupported_link(147, "USER0").into()))),
        ("skipped", Box::new(|| files::frames_skipped(None, "x"))),
        ("skipped ng", Box::new(|| files::frames_skipped(Some(2), "x"))),
        ("fraction", Box::new(|| files::fraction_note(1_500_000, "µs"))),
        (
            "two links",
            Box::new(|| kit::error_line("osi-trace", &files::two_link_types("a", "b", "x").into())),
        ),
        ("pcapng", Box::new(|| files::turning_pcapng().to_string())),
        ("too late", Box::new(|| files::too_late(1 << 33))),
        (
            "cannot",
            Box::new(|| {
                [files::cannot_open("x"), files::cannot_read("x"), files::cannot_write("x")].join("; ")
            }),
        ),
        ("create", Box::new(|| [files::cannot_create("x"), files::writing("x")].join("; "))),
        ("page", Box::new(|| [closing::writing_page("x"), closing::wrote_page("x", 3, 80)].join("; "))),
    ];
    for (what, say) in &said {
        each(&mut bad, what, say);
    }
    each(&mut bad, "left out", || closing::page_left_out(9, 50_000) + closing::not_a_program());
    let graphs = [
        NoGraph::TooMany { max: 2_000_000, several: true },
        NoGraph::TooMany { max: 2_000_000, several: false },
        NoGraph::NoStream(7),
        NoGraph::NoSegment,
        NoGraph::Forgotten { stream: 3, kept: 1000, forgotten: 9 },
        NoGraph::NothingSent(2),
    ];
    for g in graphs {
        each(&mut bad, &format!("{g:?}"), || graph::no_graph(g));
    }
    each(&mut bad, "graph title", || graph::title(0, Side::Server, "a", "b") + &graph::writing_graph("x"));
    let warning = |lang| in_lang(lang, || kit::warning_line("osi-trace", "x"));
    assert_eq!(warning(Lang::En), "osi-trace: warning: x");
    assert_eq!(warning(Lang::Vi), "osi-trace: cảnh báo: x");
    each(&mut bad, "backlog", || notes::backlog(12));
    each(&mut bad, "interrupted", || notes::interrupted("SIGTERM", "big.pcap", true));
    each(&mut bad, "interrupted, nothing written", || notes::interrupted("Ctrl-C", "big.pcap", false));
    each(&mut bad, "hop forgotten", || notes::hop_forgotten(3, 100_000));
    each(&mut bad, "hop facts", || notes::hop_facts_not_kept(4, 4096));
    each(&mut bad, "hop frames", || notes::hop_frames_cap(1_000_000, "veth1"));
    let skips = [
        Skip::NotIp(0x88cc),
        Skip::NotIpOver { link: "PPP", protocol: 0xc021 },
        Skip::UnsupportedLink(147),
        Skip::NotTcp(17),
        Skip::Fragment,
        Skip::Truncated { layer: "TCP", need: 20, have: 12 },
        Skip::BadHeader { layer: "IPv4", why: "IHL 3".into() },
        Skip::BadControl { carrier: Box::new(Skip::NotTcp(1)), why: "8".into() },
    ];
    for s in &skips {
        each(&mut bad, &format!("{s:?}"), || notes::skipped(7, s));
    }
    let labels = |lang| {
        in_lang(lang, || {
            let l = graph::labels();
            [l.x_axis, l.y_axis, l.segment, l.retransmission, l.ack, l.window, l.sack]
        })
    };
    for (en, vi) in labels(Lang::En).iter().zip(labels(Lang::Vi)) {
        check("a graph's label", en, vi, &mut bad);
    }
    assert!(bad.is_empty(), "{} phrases without their Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}
