//! The exercise checker on the reference captures: every lesson with a checked
//! exercise has a capture in lessons/captures/ and reference answers in
//! crates/lesson-check/answers/ (apart from the captures the book points students
//! to), every answer in it is marked right, and every answer changed is marked
//! wrong, with the reason; exit status 0 when all are right, 1 when not (a
//! mistyped key too: that question is open), 2 for input it cannot use.

mod common;

use std::process::Command;

use common::{bin_dir, repo};
use lesson_check::exercises::LESSONS;

/// What `lesson-check answers LESSON PCAP FILE` prints, checking its exit
/// status: 0 when every answer is right, 1 when one is not.
fn answers(lesson: &str, pcap: &str, file: &std::path::Path) -> String {
    let out = Command::new(bin_dir().join("lesson-check"))
        .args(["answers", lesson, pcap])
        .arg(file)
        .output()
        .expect("run lesson-check");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all_right = stdout.lines().last().is_some_and(|l| {
        let n: Vec<&str> = l.split(' ').collect();
        n.len() == 4 && n[0] == n[2]
    });
    let want = if all_right { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(want), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Each reference answers file in crates/lesson-check/answers/, the lesson it answers
/// and the capture it was answered from (lesson 2 asks of lesson 3's capture; lesson 10 has two).
const REFERENCES: &[(&str, &str, &str)] = &[
    ("01", "01-refused.pcap", "01-refused.answers"),
    ("02", "03-hello.pcap", "02-hello.answers"),
    ("03", "03-hello.pcap", "03-hello.answers"),
    ("04", "04-run.pcap", "04-run.answers"),
    ("05", "05-endings.pcap", "05-endings.answers"),
    ("06", "06-loop.pcap", "06-loop.answers"),
    ("07", "07-threads.pcap", "07-threads.answers"),
    ("08", "08-flood.pcap", "08-flood.answers"),
    ("09", "09-stream.pcap", "09-stream.answers"),
    ("10", "10-nagle.pcap", "10-nagle.answers"),
    ("10", "10-nodelay.pcap", "10-nodelay.answers"),
    ("11", "11-full.pcap", "11-full.answers"),
    ("12", "12-article.pcap", "12-article.answers"),
    ("13", "13-idle.pcap", "13-idle.answers"),
    ("14", "14-echo-link1.pcap", "14-echo-link1.answers"),
    ("15", "15-rto-link1.pcap", "15-rto-link1.answers"),
    ("16", "16-bottleneck-link1.pcap", "16-bottleneck-link1.answers"),
    ("17", "17-mtu-link1.pcap", "17-mtu-link1.answers"),
];

fn captures() -> std::path::PathBuf {
    repo().join("lessons/captures")
}

/// Where the reference answers live: not beside the captures the book sends students to.
fn references() -> std::path::PathBuf {
    repo().join("crates/lesson-check/answers")
}

#[test]
fn every_checked_lesson_has_a_reference_and_every_reference_is_listed() {
    for lesson in LESSONS {
        assert!(REFERENCES.iter().any(|r| r.0 == lesson), "lesson {lesson} has no reference answers");
    }
    let readme = std::fs::read_to_string(captures().join("README.md")).expect("captures/README.md");
    for (_, pcap, file) in REFERENCES {
        assert!(captures().join(pcap).is_file(), "no lessons/captures/{pcap}");
        assert!(references().join(file).is_file(), "no crates/lesson-check/answers/{file}");
        for name in [pcap, file] {
            assert!(readme.contains(&format!("`{name}`")), "captures/README.md does not list {name}");
        }
    }
    for entry in std::fs::read_dir(references()).expect("crates/lesson-check/answers") {
        let name = entry.expect("entry").file_name().into_string().expect("utf-8 name");
        if name.ends_with(".answers") {
            assert!(REFERENCES.iter().any(|r| r.2 == name), "{name} is not checked by this test");
        }
    }
    // No answers beside the captures: a student opening the folder sees captures only.
    for entry in std::fs::read_dir(captures()).expect("lessons/captures") {
        let name = entry.expect("entry").file_name().into_string().expect("utf-8 name");
        assert!(
            !name.ends_with(".answers"),
            "lessons/captures/{name}: answers belong in crates/lesson-check/answers/"
        );
    }
}

#[test]
fn every_reference_answer_is_right_on_its_reference_capture() {
    for (lesson, pcap, file) in REFERENCES {
        let out =
            answers(lesson, captures().join(pcap).to_str().expect("utf-8 path"), &references().join(file));
        let lines: Vec<&str> = out.lines().collect();
        let (summary, marks) = lines.split_last().expect("output");
        assert!(marks.iter().all(|l| l.starts_with("right  ")), "{file}:\n{out}");
        let n = marks.len();
        assert_eq!(*summary, format!("{n} of {n} right"), "{file}:\n{out}");
        let asked = answers_listing(lesson, &captures().join(pcap));
        assert_eq!(asked, n, "{file} does not answer every question of lesson {lesson}");
    }
}

/// How many questions `lesson-check answers LESSON PCAP` lists.
fn answers_listing(lesson: &str, pcap: &std::path::Path) -> usize {
    let out = Command::new(bin_dir().join("lesson-check"))
        .args(["answers", lesson])
        .arg(pcap)
        .output()
        .expect("run lesson-check");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("  ")).count()
}

/// A wrong answer to the same question: another number, the other side, the other yes/no.
fn wrong(value: &str) -> String {
    match value {
        "yes" => "no".to_string(),
        "no" => "yes".to_string(),
        "client" => "server".to_string(),
        "server" => "client".to_string(),
        _ => value.parse::<u64>().map_or_else(|_| format!("{value}x"), |n| (n + 1).to_string()),
    }
}

#[test]
fn every_reference_answer_changed_is_marked_wrong_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (lesson, pcap, file) in REFERENCES {
        let right = std::fs::read_to_string(references().join(file)).expect("answers file");
        let pairs = lesson_check::answers::parse_answers(&right).given;
        let changed: String = pairs.iter().map(|g| format!("{} = {}\n", g.key, wrong(&g.value))).collect();
        let path = dir.path().join(file);
        std::fs::write(&path, &changed).expect("write");
        let out = answers(lesson, captures().join(pcap).to_str().expect("utf-8 path"), &path);
        for g in &pairs {
            let given =
                format!("wrong  {} = {}: the trace says {}, because ", g.key, wrong(&g.value), g.value);
            assert!(out.lines().any(|l| l.starts_with(&given)), "{file}: no line {given:?} in\n{out}");
        }
        assert!(out.ends_with(&format!("0 of {} right\n", pairs.len())), "{file}:\n{out}");
    }
}

#[test]
fn a_wrong_answer_is_marked_wrong_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("answers.txt");
    std::fs::write(&file, "syn_ack_ack = 0\ntime_wait = server\n").expect("write");
    let pcap = captures().join("03-hello.pcap");
    let out = answers("03", pcap.to_str().expect("utf-8 path"), &file);
    assert!(
        out.contains("wrong  syn_ack_ack = 0: the trace says 1, because the SYN counts as one byte"),
        "{out}"
    );
    assert!(out.contains("wrong  time_wait = server: the trace says client"), "{out}");
    assert!(out.contains("open   segments: not answered"), "{out}");
    assert!(out.ends_with("0 of 6 right\n"), "{out}");
}

#[test]
fn bad_input_is_one_error_line_with_a_hint_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let latin1 = dir.path().join("answers.txt");
    std::fs::write(&latin1, b"time_wait = cli\xe9nt\n").expect("write");
    let pcap = captures().join("03-hello.pcap");
    let pcap = pcap.to_str().expect("utf-8 path");
    let latin1 = latin1.to_str().expect("utf-8 path");
    for (args, says) in [
        (vec!["answers", "18", "x.pcap"], "lesson 18 has no checked exercise"),
        (vec!["answers", "1e309", pcap], "lesson \"1e309\" is not a lesson number"),
        (vec!["answers", "5.0", pcap], "lesson \"5.0\" is not a lesson number"),
        (vec!["answers", "-1", pcap], "lesson \"-1\" is not a lesson number"),
        (vec!["answers", "03", "/nonexistent.pcap"], "no capture file"),
        (vec!["answers", "03", pcap, "/nonexistent.txt"], "cannot read \"/nonexistent.txt\""),
        (vec!["answers", "03", pcap, latin1], "is not text (UTF-8 or UTF-16); save it as UTF-8 text"),
        // An endless input (read, not written): refused once past its cap.
        (vec!["answers", "03", pcap, "/dev/zero"], "\"/dev/zero\" holds more than 1024 KiB"),
    ] {
        let out = Command::new(bin_dir().join("lesson-check")).args(&args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("lesson-check: error: ") && err.contains(says), "{args:?}: {err}");
        assert!(err.contains("hint:") || args.len() == 4, "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // No subcommand: clap's usage, exit 2.
    let out = Command::new(bin_dir().join("lesson-check")).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage: lesson-check [OPTIONS] <COMMAND>"));
}

/// `--help` is there, and says what each exit status means.
#[test]
fn help_says_the_exit_statuses() {
    for args in [&["--help"][..], &["answers", "--help"]] {
        let out = Command::new(bin_dir().join("lesson-check")).args(args).output().expect("run");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}");
        assert!(help.contains("Exit status:\n  0  every answer right"), "{help}");
        assert!(help.contains("\n  2  unusable input"), "{help}");
    }
}

/// A key answered twice counts for neither answer: the question is open, both lines named.
#[test]
fn a_key_answered_twice_is_open_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("answers.txt");
    let right = std::fs::read_to_string(references().join("03-hello.answers")).expect("answers");
    std::fs::write(&file, format!("{right}segments = 11\n")).expect("write");
    let pcap = captures().join("03-hello.pcap");
    let out = answers("03", pcap.to_str().expect("utf-8 path"), &file);
    let line = out.lines().find(|l| l.contains("segments")).unwrap_or_default();
    assert_eq!(
        line,
        "open   segments: answered more than once (lines 6 and 8), so not marked; keep one answer"
    );
    assert!(out.ends_with("5 of 6 right\n"), "{out}");
}

/// A mistyped key costs that question only: it is open, with a "did you mean", the
/// other answers are marked, and the exit status is 1 (some answer not right), not 2.
#[test]
fn a_mistyped_key_leaves_its_question_open_and_marks_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("answers.txt");
    let right = std::fs::read_to_string(references().join("03-hello.answers")).expect("answers");
    // As Notepad saves it: a byte order mark, CRLF line ends, trailing spaces.
    let typo = format!("\u{feff}{}", right.replace("segments", "segmnets").replace('\n', "  \r\n"));
    std::fs::write(&file, typo).expect("write");
    let pcap = captures().join("03-hello.pcap");
    let out = answers("03", pcap.to_str().expect("utf-8 path"), &file);
    assert!(
        out.contains("open   segments: not answered (line 6 has `segmnets`: did you mean `segments`?)"),
        "{out}"
    );
    assert!(out.contains("right  time_wait = client"), "{out}");
    assert!(out.ends_with("5 of 6 right\n"), "{out}");
    assert!(!out.contains('\u{feff}'), "{out:?}");
}
