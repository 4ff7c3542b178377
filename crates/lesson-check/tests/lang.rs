//! lesson-check in Vietnamese (`--lang vi`, or `LANG=vi_VN…` as osi-trace reads it):
//! every question and reason of every exercise, and every phrase of the marks, the
//! class reports and the errors, has its Vietnamese form (a phrase left in English
//! fails here, found by its English words); the binary follows the flag, else the
//! environment, for a student's marks and a teacher's class alike.

mod common;
#[path = "common/vietnamese.rs"]
mod vietnamese;

use std::process::{Command, Output};
use std::sync::Mutex;

use common::{bin_dir, repo};
use kit::Lang;
use lesson_check::capture::Limits;
use lesson_check::exercises::exercise;
use lesson_check::words::errors::{self, ResultsStep};
use lesson_check::words::{marks, report};
use vietnamese::{check, english_in, has_vietnamese};

/// The language is the process's: the tests that switch it take turns.
static LANG: Mutex<()> = Mutex::new(());

/// Every digit run of `s` ("RFC 9293 §3.10.7.1" → 9293, 3, 10, 7, 1), sorted.
fn numbers(s: &str) -> Vec<String> {
    let mut v: Vec<String> =
        s.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).map(String::from).collect();
    v.sort();
    v
}

#[test]
fn every_question_and_reason_has_its_vietnamese_with_the_same_numbers() {
    let mut bad = Vec::new();
    let mut asked = 0;
    for lesson in 1..=99 {
        for q in exercise(lesson).unwrap_or_default() {
            asked += 1;
            for (what, en, vi) in [("question", q.text, q.text_vi), ("reason", q.why, q.why_vi)] {
                let what = format!("lesson {lesson}, {}, its {what}", q.key);
                check(&what, en, vi, &mut bad);
                // The facts are the English's: the same numbers (ports, RFCs, bytes, ms).
                if numbers(en) != numbers(vi) {
                    bad.push(format!(
                        "{what}: numbers {:?} in English, {:?} in Vietnamese",
                        numbers(en),
                        numbers(vi)
                    ));
                }
            }
        }
    }
    assert!(asked > 60, "the exercises' questions: {asked}");
    assert!(bad.is_empty(), "{} without a true Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// Every phrase of `lesson_check::words`, rendered with neutral words (keys, names and
/// answers that hold no English) in the current language; Hinted errors as their line.
fn phrases() -> Vec<(&'static str, String)> {
    let line = |h: kit::Hinted| kit::error_line("lesson-check", &anyhow::Error::from(h));
    let near = [(3, "k2x".to_string())];
    let mut v = vec![
        ("listing_head", marks::listing_head("03", "x.pcap")),
        ("listing_tail", marks::listing_tail("03", "x.pcap")),
        ("score", marks::score(1, 6)),
        ("right", marks::right("k1", "42", "W")),
        ("wrong_shown", marks::wrong_shown("k1", "42", "7", "W")),
        ("wrong_hidden", marks::wrong_hidden("k1", "42", "Q?")),
        ("twice", marks::twice("k1", &[2, 5])),
        ("cannot_tell", marks::cannot_tell("k1", Some("42"))),
        ("cannot_tell, none given", marks::cannot_tell("k1", None)),
        ("open", marks::open("k2", &near, None)),
        ("open, question", marks::open("k2", &[], Some("Q?"))),
        ("not_a_pair", marks::not_a_pair(4, "xyz")),
        ("unknown_near", marks::unknown_near(4, "k2x", "k2")),
        ("unknown", marks::unknown(4, "k9", &["k1", "k2"])),
        ("student_line", report::student_line("Lan", 1, 6, "")),
        ("written", report::written(2, 1, "grades.csv", "kq")),
        ("left_alone 1", report::left_alone(1, "lop")),
        ("left_alone 3", report::left_alone(3, "lop")),
        ("heading", report::heading("03", "Lan")),
        ("answers_file", report::answers_file("Lan.answers")),
        ("capture_line", report::capture_line("Lan.pcap")),
        ("own_capture", report::own_capture("Lan.pcap")),
        ("teachers_capture", report::teachers_capture("03.pcap")),
        ("no_capture", report::no_capture()),
        ("problem", report::problem("XYZ")),
        ("limits", lesson_check::report::limits_said(Limits::NONE)),
        ("limits, class", report::limits(Some(16), Some(30.0), 1024)),
        ("note_fallback", report::note_fallback("03.pcap")),
        ("note_not_marked", report::note_not_marked(2)),
        ("no_answers_file", report::no_answers_file("Lan")),
        ("many_answers_files", report::many_answers_files(2, "a, b")),
        ("no_capture_handed_in", report::no_capture_handed_in("Lan")),
        ("many_captures", report::many_captures(2, "a, b")),
        ("not_a_lesson", line(errors::not_a_lesson("x"))),
        ("no_exercise", line(errors::no_exercise(18, "01, 02"))),
        ("no_capture_file", errors::no_capture_file("x.pcap")),
        ("no_capture_file_hinted", line(errors::no_capture_file_hinted("x.pcap"))),
        ("no_submission", line(errors::no_submission("lop"))),
        ("not_a_file", errors::not_a_file("x.pcap")),
        ("capture_too_big", errors::capture_too_big("x.pcap", 20, 16)),
        ("run_osi_trace", errors::run_osi_trace()),
        ("osi_trace_output", errors::osi_trace_output("stdout")),
        ("reading_osi_trace", errors::reading_osi_trace()),
        ("watchdog_failed", errors::watchdog_failed()),
        ("waiting_for_osi_trace", errors::waiting_for_osi_trace()),
        ("too_slow", errors::too_slow("x.pcap", 30.0)),
        ("osi_trace_could_not_read", errors::osi_trace_could_not_read("x.pcap", "W")),
        ("cannot_read", errors::cannot_read("x.txt")),
        ("symlink", errors::symlink("x.txt")),
        ("not_regular", errors::not_regular("x.txt")),
        ("empty", errors::empty("x.pcap")),
        ("answers_too_long", line(errors::answers_too_long("x.txt", 1024))),
        ("not_text", errors::not_text("x.txt")),
        ("cannot_read_folder", errors::cannot_read_folder("lop")),
        ("too_many_students", line(errors::too_many_students("lop", 10))),
        ("results_exist, folder", line(errors::results_exist("kq", true))),
        ("results_exist, file", line(errors::results_exist("kq", false))),
        ("no_earlier_results", line(errors::no_earlier_results("kq", "grades.csv"))),
        ("no_parent", line(errors::no_parent("a", "a/kq"))),
    ];
    for step in [
        ResultsStep::Look,
        ResultsStep::CreateBeside,
        ResultsStep::Write,
        ResultsStep::MoveAside,
        ResultsStep::Rename,
        ResultsStep::Remove,
        ResultsStep::NoName,
    ] {
        v.push(("results_failed", errors::results_failed(step, "kq")));
    }
    v
}

fn in_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let _turn = LANG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    lang.apply();
    let out = f();
    Lang::En.apply();
    out
}

#[test]
fn every_phrase_of_the_marks_reports_and_errors_has_its_vietnamese() {
    let en = in_lang(Lang::En, phrases);
    let vi = in_lang(Lang::Vi, phrases);
    assert_eq!(en.len(), vi.len());
    let mut bad = Vec::new();
    for ((what, en), (_, vi)) in en.iter().zip(&vi) {
        check(what, en, vi, &mut bad);
        assert!(!has_vietnamese(en), "{what}: Vietnamese in the English {en:?}");
        assert_ne!(en, vi, "{what}");
    }
    assert!(bad.is_empty(), "{} phrases without a true Vietnamese form:\n{}", bad.len(), bad.join("\n"));
}

/// The verdicts line up in one column in both languages, as the keys after them.
#[test]
fn the_verdicts_are_one_column_wide_in_both_languages() {
    for lang in [Lang::En, Lang::Vi] {
        let lines = in_lang(lang, || {
            vec![
                marks::right("k", "1", "x"),
                marks::wrong_shown("k", "1", "2", "x"),
                marks::open("k", &[], None),
                marks::cannot_tell("k", None),
                marks::not_a_pair(1, "x"),
            ]
        });
        for l in &lines {
            assert_eq!(l.chars().nth(6), Some(' '), "{lang:?}: {l:?}");
            assert_ne!(l.chars().nth(7), Some(' '), "{lang:?}: {l:?}");
        }
    }
}

/// `lesson-check` run with `args` in an environment of `env`, the test runner's own
/// language variables removed.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin_dir().join("lesson-check"));
    cmd.args(args).current_dir(repo());
    for v in ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"] {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("lesson-check runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const HELLO: &str = "lessons/captures/03-hello.pcap";

#[test]
fn a_students_marks_follow_the_flag_else_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let answers = dir.path().join("answers.txt");
    std::fs::write(&answers, "server_port = 65432\nsyn_ack_ack = 0\nsegmnets = 10\nnot a pair\n")
        .expect("write");
    let answers = answers.to_str().expect("utf-8 path");
    let vi = [("LANG", "vi_VN.UTF-8")];
    // The list of questions, and the marks, in a Vietnamese terminal.
    let list = stdout(&run(&["answers", "03", HELLO], &vi));
    assert!(list.starts_with("Bài 03: trả lời từ lessons/captures/03-hello.pcap"), "{list}");
    assert!(list.contains("  time_wait — Bên nào kết thúc ở TIME_WAIT (`client` hay `server`)?"), "{list}");
    let marked = run(&["answers", "03", HELLO, answers], &vi);
    assert_eq!(marked.status.code(), Some(1));
    let text = stdout(&marked);
    for said in [
        "đúng   server_port = 65432: port mà server đã bind và đang lắng nghe",
        "sai    syn_ack_ack = 0: trace cho biết 1, vì SYN được tính là một byte",
        "bỏ ngỏ segments: chưa được trả lời (dòng 3 có `segmnets`: có phải bạn muốn viết `segments`?)",
        "lưu ý  dòng 4: \"not a pair\" không phải dạng `key = value`, nên không được chấm",
        "đúng 1 trên 6 câu",
    ] {
        assert!(text.contains(said), "{said:?} in:\n{text}");
    }
    for line in text.lines() {
        // The keys, the student's words and the numbers aside, no English is left.
        let prose = line.split_once(": ").map_or(line, |(_, rest)| rest);
        assert!(english_in(prose).is_empty() || prose.contains("not a pair"), "{line}");
    }
    // LC_ALL decides before LANG, as gettext reads them; --lang decides before both.
    let c =
        stdout(&run(&["answers", "03", HELLO, answers], &[("LC_ALL", "C.UTF-8"), ("LANG", "vi_VN.UTF-8")]));
    assert!(c.contains("right  server_port = 65432") && c.ends_with("1 of 6 right\n"), "{c}");
    let flag = stdout(&run(&["answers", "--lang", "vi", "03", HELLO, answers], &[("LANG", "C.UTF-8")]));
    assert_eq!(flag, text, "--lang vi in an English terminal says the same");
    let en = stdout(&run(&["--lang", "en", "answers", "03", HELLO, answers], &vi));
    assert_eq!(en, c, "--lang en in a Vietnamese terminal: English");
    // The one error line: its labels and its words.
    let err = run(&["answers", "3x", HELLO], &vi);
    let err = String::from_utf8_lossy(&err.stderr);
    assert_eq!(
        err.trim_end(),
        "lesson-check: lỗi: bài \"3x\" không phải là số của một bài; gợi ý: hãy viết bằng chữ số, từ 1 \
         đến 99, ví dụ `lesson-check answers 03 hello.pcap`"
    );
}

#[test]
fn a_class_report_follows_the_language_and_the_csv_stays_the_same() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = dir.path().join("lop");
    std::fs::create_dir(&class).expect("mkdir");
    std::fs::write(class.join("Lan.answers"), "server_port = 65432\nsyn_ack_ack = 0\n").expect("write");
    std::fs::copy(repo().join(HELLO), class.join("Lan.pcap")).expect("copy");
    std::fs::write(class.join("Binh.answers"), "server_port = 65432\n").expect("write");
    let (lop, kq) = (class.to_str().expect("utf-8"), dir.path().join("kq"));
    let kq = kq.to_str().expect("utf-8");
    let out =
        run(&["grade", "03", lop, "--out", kq], &[("LC_MESSAGES", "vi_VN.UTF-8"), ("LANG", "en_US.UTF-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let said = stdout(&out);
    assert!(said.contains("Lan: đúng 1 trên 6 câu"), "{said}");
    assert!(said.contains("Binh: đúng 0 trên 6 câu; không nộp capture nào (Binh.pcap)"), "{said}");
    assert!(said.contains("2 học sinh, 0 người đúng mọi câu; đã ghi"), "{said}");
    let an = std::fs::read_to_string(dir.path().join("kq/Lan.txt")).expect("Lan.s report");
    for line in
        ["Bài 03, bài tập: Lan", "File câu trả lời: Lan.answers", "Capture dùng để chấm: Lan.pcap (của bạn)"]
    {
        assert!(an.contains(line), "{line:?} in:\n{an}");
    }
    assert!(
        an.contains("sai    syn_ack_ack = 0: không khớp với điều capture cho biết; câu hỏi: Số xác nhận"),
        "{an}"
    );
    assert!(an.contains("(Chấm bởi lesson-check: một capture tối đa 16 MiB"), "{an}");
    let binh = std::fs::read_to_string(dir.path().join("kq/Binh.txt")).expect("Binh's report");
    assert!(binh.contains("Vấn đề: không nộp capture nào (Binh.pcap)"), "{binh}");
    // The CSV is for a spreadsheet: its columns and cells are the same in both languages.
    let csv = std::fs::read_to_string(dir.path().join("kq/grades.csv")).expect("csv");
    assert!(csv.starts_with("student,client_port,server_port,syn_ack_ack,"), "{csv}");
    for s in [&said, &an, &binh] {
        assert!(has_vietnamese(s));
    }
}

/// The demo's headings (`scripts/demo/words.sh`): each key in both languages, the
/// Vietnamese true to the English (the same numbers, the same `%s`), and every key the
/// demo asks for is there (demo.sh, its build messages, its stops). (tests/demo.rs runs the demo itself in a Vietnamese terminal.)
#[test]
fn every_heading_of_the_demo_has_its_vietnamese() {
    let list = r#". scripts/demo/words.sh
        for k in "${!phrases_en[@]}"; do printf '%s\t%s\t%s\n' "$k" "${phrases_en[$k]}" "${phrases_vi[$k]-}"; done
        for k in "${!phrases_vi[@]}"; do [[ -v "phrases_en[$k]" ]] || printf '%s\t\t%s\n' "$k" "${phrases_vi[$k]}"; done"#;
    let out = Command::new("bash").args(["-c", list]).current_dir(repo()).output().expect("bash");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).expect("utf-8");
    let mut bad = Vec::new();
    let mut keys = Vec::new();
    for row in table.lines() {
        let [key, en, vi] = row.splitn(3, '\t').collect::<Vec<_>>()[..] else { panic!("{row:?}") };
        keys.push(key.to_string());
        if en.is_empty() {
            bad.push(format!("{key}: Vietnamese {vi:?} with no English"));
            continue;
        }
        check(key, en, vi, &mut bad);
        if numbers(en) != numbers(vi) || en.matches("%s").count() != vi.matches("%s").count() {
            bad.push(format!("{key}: {en:?} and {vi:?} do not hold the same numbers and %s"));
        }
    }
    assert!(keys.len() > 15, "{table}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // demo.sh and the parts it sources: its build messages and its stops speak too.
    let mut asked = Vec::new();
    for script in ["scripts/demo.sh", "scripts/demo/build.sh", "scripts/demo/show.sh"] {
        let text = std::fs::read_to_string(repo().join(script)).expect("the demo's script");
        let keys_in = text.split("$(phrase ").skip(1).filter_map(|s| s.split([' ', ')']).next());
        asked.extend(keys_in.map(|k| (script, k.to_string())));
    }
    assert!(asked.len() > 25, "the demo's headings come from the table: {asked:?}");
    for name in ["step_next", "step_handshake", "step_teardown", "build_first", "no_capture"] {
        assert!(asked.iter().any(|(_, k)| k == name), "the demo no longer asks for `{name}`: {asked:?}");
    }
    for (script, key) in asked {
        assert!(keys.contains(&key), "{script} asks for `{key}`, which scripts/demo/words.sh has not");
    }
}

/// The demo chooses its language as the kit's programs do (`kit::Lang::from_env`): the
/// first of LC_ALL, LC_MESSAGES, LANG that is set and not empty.
#[test]
fn the_demo_reads_the_language_as_the_kit_does() {
    let cases: [&[(&str, &str)]; 6] = [
        &[],
        &[("LANG", "vi_VN.UTF-8")],
        &[("LC_ALL", "C.UTF-8"), ("LANG", "vi_VN.UTF-8")],
        &[("LC_MESSAGES", "vi_VN.UTF-8"), ("LANG", "en_US.UTF-8")],
        &[("LC_ALL", ""), ("LANG", "vi")],
        &[("LC_ALL", "vi_VN"), ("LC_MESSAGES", "en_US")],
    ];
    for env in cases {
        let kit = Lang::from_vars(|n| env.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()));
        let mut bash = Command::new("bash");
        bash.args(["-c", ". scripts/demo/words.sh; phrase finished"]).current_dir(repo());
        for v in ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"] {
            bash.env_remove(v);
        }
        let said = bash.envs(env.iter().copied()).output().expect("bash").stdout;
        let want = if kit == Lang::Vi { "Đã xong" } else { "Done" };
        assert_eq!(String::from_utf8_lossy(&said), want, "{env:?}");
    }
}
