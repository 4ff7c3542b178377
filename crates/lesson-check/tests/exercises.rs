//! The exercise checker on the reference captures: every lesson with a checked
//! exercise has a capture and an answers file in lessons/captures/, and every
//! answer in it is marked right; a wrong answer is marked wrong, with the reason.

mod common;

use std::process::Command;

use common::{bin_dir, repo};
use lesson_check::exercises::LESSONS;

fn answers(lesson: &str, pcap: &str, file: &std::path::Path) -> String {
    let out = Command::new(bin_dir().join("lesson-check"))
        .args(["answers", lesson, pcap])
        .arg(file)
        .output()
        .expect("run lesson-check");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn reference(lesson: &str, ext: &str) -> std::path::PathBuf {
    let dir = repo().join("lessons/captures");
    std::fs::read_dir(&dir)
        .expect("lessons/captures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(&format!("{lesson}-")) && name.ends_with(ext)
        })
        .unwrap_or_else(|| panic!("no {lesson}-*{ext} in {}", dir.display()))
}

#[test]
fn every_reference_answer_is_right_on_its_reference_capture() {
    for lesson in LESSONS {
        let pcap = reference(lesson, ".pcap");
        let file = reference(lesson, ".answers");
        let out = answers(lesson, pcap.to_str().expect("utf-8 path"), &file);
        let lines: Vec<&str> = out.lines().collect();
        let (summary, marks) = lines.split_last().expect("output");
        assert!(marks.iter().all(|l| l.starts_with("right  ")), "lesson {lesson}:\n{out}");
        let n = marks.len();
        assert_eq!(*summary, format!("{n} of {n} right"), "lesson {lesson}:\n{out}");
    }
}

#[test]
fn a_wrong_answer_is_marked_wrong_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("answers.txt");
    std::fs::write(&file, "syn_ack_ack = 0\ntime_wait = server\n").expect("write");
    let pcap = reference("03", ".pcap");
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
fn bad_input_is_one_error_line_with_a_hint() {
    for args in [vec![], vec!["answers", "9", "x.pcap"], vec!["answers", "03", "/nonexistent.pcap"]] {
        let out = Command::new(bin_dir().join("lesson-check")).args(&args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("lesson-check: error: ") && err.contains("hint:"), "{args:?}: {err}");
    }
}
