//! The marking of answers files: right, wrong and open told apart, a typo and a
//! stray line as a student makes them, files from Windows, hostile text.

use super::*;
use crate::exercises::exercise;

/// Lesson 3's six answers from the capture, in its questions' order.
const EXPECTED: [Option<&str>; 6] = [Some("41000"), Some("65432"), Some("1"), Some("1"), Some("10"), None];

fn expected() -> Vec<Option<String>> {
    EXPECTED.iter().map(|e| e.map(String::from)).collect()
}

fn marked(text: &str) -> Marking {
    mark(exercise(3).expect("lesson 3"), &parse_answers(text), &expected())
}

fn by_key<'a>(m: &'a Marking, key: &str) -> &'a Mark {
    m.marks.iter().find(|m| m.key == key).expect("marked")
}

#[test]
fn right_wrong_and_open_answers_are_told_apart() {
    let m = marked("server_port = 65432\nsyn_ack_ack = 0 # a guess\n");
    assert!(by_key(&m, "server_port").right);
    assert!(!by_key(&m, "syn_ack_ack").right);
    assert!(render(by_key(&m, "syn_ack_ack"), true)
        .starts_with("wrong  syn_ack_ack = 0: the trace says 1, because"));
    assert_eq!(render(by_key(&m, "client_port"), true), "open   client_port: not answered");
    assert!(render(by_key(&m, "time_wait"), true).starts_with("?"));
    assert_eq!(m.right(), 1);
}

/// Without `reveal` (a report for the student), a wrong answer repeats the question, not the answer.
#[test]
fn a_hidden_answer_repeats_the_question_not_the_answer() {
    let m = marked("syn_ack_ack = 0\n");
    let line = render(by_key(&m, "syn_ack_ack"), false);
    assert_eq!(
        line,
        "wrong  syn_ack_ack = 0: not what the capture says; the question: What is the SYN+ACK's relative acknowledgement number?"
    );
    let open = render(by_key(&m, "segments"), false);
    assert!(open.starts_with("open   segments: not answered; the question: How many"), "{open}");
    assert!(!line.contains("the trace says") && !open.contains("10"));
}

#[test]
fn answers_are_compared_as_a_teacher_would() {
    assert!(same("\"RST+ACK\"", "RST, ACK"));
    assert!(same(" connect() ", "connect"));
    assert!(same("Client", "client"));
    assert!(!same("RST", "RST, ACK"));
    assert!(!same("10", "1"));
}

/// A mistyped key leaves its question open with a hint; the file's other answers still count.
#[test]
fn a_typo_in_a_key_is_a_question_left_open_with_a_hint() {
    let m = marked("server_port = 65432\nsegmnets = 10\n");
    assert!(by_key(&m, "server_port").right);
    assert_eq!(
        render(by_key(&m, "segments"), true),
        "open   segments: not answered (line 2 has `segmnets`: did you mean `segments`?)"
    );
    assert!(m.stray.is_empty());
}

/// Lines that answer nothing are said, by line, and nothing else changes.
#[test]
fn lines_that_answer_nothing_are_notes() {
    let m = marked("just words\nsegments = 10\nsegmnets = 11\nport = 1\n= 5\nclient_port =\n");
    let notes: Vec<String> = m.stray.iter().map(|s| render_stray(s, &["a", "b"])).collect();
    assert_eq!(
        notes,
        [
            "note   line 1: \"just words\" is not `key = value`, so it is not marked",
            "note   line 3: this exercise asks no `segmnets` (did you mean `segments`? it is answered on another line), so it is not marked",
            "note   line 4: this exercise asks no `port`, so it is not marked; it asks: a, b",
            "note   line 5: \"= 5\" is not `key = value`, so it is not marked",
        ]
    );
    assert!(by_key(&m, "segments").right);
    // `client_port =` is the template's line, left blank: no answer, no note.
    assert_eq!(render(by_key(&m, "client_port"), true), "open   client_port: not answered");
}

/// Two answers to one question: neither counts, whichever is right; the line says both lines.
#[test]
fn a_key_answered_twice_is_not_answered_and_says_its_lines() {
    let m = marked("syn_ack_ack = 1\nserver_port = 65432\n# …\nsyn_ack_ack = 0\n");
    let twice = by_key(&m, "syn_ack_ack");
    assert!(!twice.right && twice.given.is_none());
    assert_eq!(
        render(twice, true),
        "open   syn_ack_ack: answered more than once (lines 1 and 4), so not marked; keep one answer"
    );
    assert!(by_key(&m, "server_port").right);
}

/// Notepad's byte order mark and CRLF, trailing spaces, a lone CR: the same answers, the same lines.
#[test]
fn a_file_from_windows_reads_as_any_other() {
    let plain = parse_answers("server_port = 65432\nsegments = 10\n");
    let windows = text::decode(b"\xef\xbb\xbfserver_port = 65432  \r\nsegments\t= 10 \r\n").expect("text");
    assert_eq!(parse_answers(&windows), plain);
    assert_eq!(parse_answers("server_port = 65432\rsegments = 10"), plain);
    // A typo on the first line of such a file: the message shows the key, not the mark.
    let first = text::decode(b"\xef\xbb\xbfsegmnets = 10\r\n").expect("text");
    let line = render(by_key(&marked(&first), "segments"), true);
    assert_eq!(line, "open   segments: not answered (line 1 has `segmnets`: did you mean `segments`?)");
    assert!(!line.contains('\u{feff}'));
}

#[test]
fn an_answer_never_reaches_the_terminal_raw() {
    let questions = exercise(3).expect("lesson 3");
    let answers = parse_answers("time_wait = \x1b]0;pwned\x07\x1b[2J\n\x1b[31m = 1\n\u{9b}2J");
    let expected: Vec<Option<String>> = vec![None, None, None, None, None, Some("client".into())];
    let m = mark(questions, &answers, &expected);
    let line = render(m.marks.last().expect("time_wait"), true);
    assert!(line.starts_with(r"wrong  time_wait = \x1b]0;pwned\x07\x1b[2J: the trace says client"), "{line}");
    for s in &m.stray {
        let note = render_stray(s, &[]);
        assert!(!note.chars().any(|c| c.is_control()), "{note:?}");
    }
    assert_eq!(m.stray.len(), 2);
}

#[test]
fn a_long_answer_is_shown_cut() {
    let long = "x".repeat(100_000);
    let m = marked(&format!("segments = {long}\n{long} = 1\n"));
    let line = render(by_key(&m, "segments"), true);
    assert!(line.len() < 400 && line.contains("xxx…:"), "{}", line.len());
    assert!(render_stray(&m.stray[0], &[]).len() < 400);
}
