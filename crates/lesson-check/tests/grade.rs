//! `lesson-check grade` on a generated class of 60: right, wrong and partial
//! answers, files saved by Notepad (byte order mark, CRLF, UTF-16), a mistyped
//! key, a key given twice, empty files, a missing capture or answers file, and
//! hostile submissions (a name made to break the CSV and the terminal, a 10 GB
//! capture, a link to a file of the teacher's, a FIFO). One command gives one
//! CSV row and one report per student; the exit status says if all are right.

mod common;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{bin_dir, repo};

const RIGHT: &str = "client_port = 50950\nserver_port = 65432\nsyn_ack_ack = 1\nfirst_data_seq = 1\nsegments = 10\ntime_wait = client\n";
const KEYS: [&str; 6] =
    ["client_port", "server_port", "syn_ack_ack", "first_data_seq", "segments", "time_wait"];
/// A name made to break things: a formula, a comma, a quote, a newline, ESC
/// sequences, a right-to-left override and a byte that is not UTF-8.
const HOSTILE: &[u8] = b"=HYPERLINK(\"x\"),\x1b[2J\x1b]0;owned\x07\ne\xe2\x80\xaevil\xff";

fn hello() -> PathBuf {
    repo().join("lessons/captures/03-hello.pcap")
}

fn grade(args: &[&std::ffi::OsStr]) -> Output {
    let mut cmd = Command::new(bin_dir().join("lesson-check"));
    cmd.arg("grade").args(args);
    harness::run(cmd, b"", Duration::from_secs(600)).expect("lesson-check runs")
}

/// Writes a student's files: `answers` (None: none handed in) and a copy of
/// lesson 3's reference capture when `capture`.
fn student(dir: &Path, name: &[u8], answers: Option<&[u8]>, capture: bool) {
    let path = |ext: &str| dir.join(OsString::from_vec([name, ext.as_bytes()].concat()));
    if let Some(text) = answers {
        std::fs::write(path(".answers"), text).expect("answers");
    }
    if capture {
        std::fs::copy(hello(), path(".pcap")).expect("capture");
    }
}

/// The class: 60 students, the expected CSV cells of each (by name).
fn class(dir: &Path) -> Vec<(Vec<u8>, &'static str)> {
    let mut expect = Vec::new();
    let mut add = |name: &[u8], answers: Option<&[u8]>, capture: bool, cells: &'static str| {
        student(dir, name, answers, capture);
        expect.push((name.to_vec(), cells));
    };
    for i in 1..=30 {
        add(format!("right-{i:02}").as_bytes(), Some(RIGHT.as_bytes()), true, "1,1,1,1,1,1,6,6");
    }
    let wrong = RIGHT.replace("= 1\n", "= 2\n").replace("= 10", "= 11").replace("= client", "= server");
    for i in 1..=5 {
        let wrong = wrong.replace("50950", "1").replace("65432", "2");
        add(format!("wrong-{i}").as_bytes(), Some(wrong.as_bytes()), true, "0,0,0,0,0,0,0,6");
    }
    let partial = "server_port = 65432\nsyn_ack_ack = 0\nsegments = 10\n";
    for i in 1..=5 {
        add(format!("partial-{i}").as_bytes(), Some(partial.as_bytes()), true, ",1,0,,1,,2,6");
    }
    let windows = format!("\u{feff}{}", RIGHT.replace('\n', "   \r\n"));
    add(b"Nguy\xe1\xbb\x85n V\xc4\x83n An", Some(windows.as_bytes()), true, "1,1,1,1,1,1,6,6");
    add(b"bom-crlf", Some(windows.as_bytes()), true, "1,1,1,1,1,1,6,6");
    let utf16: Vec<u8> =
        [0xff, 0xfe].into_iter().chain(RIGHT.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    add(b"notepad-unicode", Some(&utf16), true, "1,1,1,1,1,1,6,6");
    add(b"typo", Some(RIGHT.replace("segments", "segmnets").as_bytes()), true, "1,1,1,1,,1,5,6");
    add(b"twice", Some(format!("{RIGHT}segments = 11\n").as_bytes()), true, "1,1,1,1,,1,5,6");
    add(b"empty", Some(b""), true, ",,,,,,0,6");
    add(b"template", Some(b"client_port =\nsegments =\n"), true, ",,,,,,0,6");
    add(b"latin1", Some(b"time_wait = cli\xe9nt\n"), true, ",,,,,,0,6");
    add(b"no-capture", Some(RIGHT.as_bytes()), false, "?,?,?,?,?,?,0,6");
    add(b"no-answers", None, true, ",,,,,,0,6");
    add(HOSTILE, Some(RIGHT.as_bytes()), true, "1,1,1,1,1,1,6,6");
    add(b"empty-capture", Some(RIGHT.as_bytes()), false, "?,?,?,?,?,?,0,6");
    std::fs::write(dir.join("empty-capture.pcap"), b"").expect("empty capture");
    add(b"garbage-capture", Some(RIGHT.as_bytes()), false, "?,?,?,?,?,?,0,6");
    std::fs::write(dir.join("garbage-capture.pcap"), b"not a pcap at all, just words").expect("garbage");
    // 10 GB, sparse: refused by its size before a byte of it is read.
    add(b"huge", Some(RIGHT.as_bytes()), false, "?,?,?,?,?,?,0,6");
    let huge = std::fs::File::create(dir.join("huge.pcap")).expect("huge");
    huge.set_len(10 << 30).expect("a sparse 10 GB file");
    add(b"linked", None, true, ",,,,,,0,6");
    std::os::unix::fs::symlink("/etc/passwd", dir.join("linked.answers")).expect("symlink");
    add(b"fifo", None, true, ",,,,,,0,6");
    nix_mkfifo(&dir.join("fifo.answers"));
    add(b"two-captures", Some(RIGHT.as_bytes()), true, "?,?,?,?,?,?,0,6");
    std::fs::copy(hello(), dir.join("two-captures.pcapng")).expect("second capture");
    add(b"old-mac", Some(RIGHT.replace('\n', "\r").as_bytes()), true, "1,1,1,1,1,1,6,6");
    let commented = RIGHT
        .replace("time_wait = client", "time_wait = \"Client\"  # the active close")
        .replace("segments = 10", "# my count:\nsegments = 10");
    add(b"comments", Some(commented.as_bytes()), true, "1,1,1,1,1,1,6,6");
    add(b"notepad-txt", None, true, "1,1,1,1,1,1,6,6");
    std::fs::write(dir.join("notepad-txt.answers.txt"), RIGHT).expect("answers.txt");
    // Not submissions: left alone, and counted.
    std::fs::write(dir.join("README.md"), "the class").expect("readme");
    std::fs::create_dir(dir.join("old")).expect("a subfolder");
    std::fs::write(dir.join("._right-01.pcap"), "macOS resource fork").expect("hidden");
    assert_eq!(expect.len(), 60);
    expect
}

/// A FIFO, made in the test's own folder (never in /dev or /tmp's shared names).
fn nix_mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

/// A CSV file's records (RFC 4180: quoted fields may hold commas, quotes, line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty() && !quoted, "the CSV ends with a line end");
    records
}

#[test]
fn a_class_of_60_is_graded_in_one_command_into_a_csv_and_60_reports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let subs = dir.path().join("class");
    std::fs::create_dir(&subs).expect("mkdir");
    let expect = class(&subs);
    let out = dir.path().join("grades");
    let started = Instant::now();
    let run = grade(&["03".as_ref(), subs.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(took < Duration::from_secs(120), "60 students took {took:?}");
    // The terminal: one line per student and two of summary, nothing raw.
    assert!(!stdout.chars().any(|c| c.is_control() && c != '\n'), "{stdout:?}");
    assert_eq!(stdout.lines().count(), 62, "{stdout}");
    assert!(stdout.contains("60 students, 37 with every answer right; wrote "), "{stdout}");
    assert!(stdout.contains("(3 other entries in "), "{stdout}");
    // Graded a few at a time, said in the class's order (by name).
    let order: Vec<usize> =
        (1..=30).filter_map(|i| stdout.find(&format!("right-{i:02}: 6 of 6 right\n"))).collect();
    assert!(order.len() == 30 && order.windows(2).all(|w| w[0] < w[1]), "{stdout}");
    // The CSV: a header and a row per student, each as expected.
    let csv = std::fs::read_to_string(out.join("grades.csv")).expect("grades.csv");
    let records = parse_csv(&csv);
    let header = [&["student"][..], &KEYS, &["right", "questions", "notes"]].concat();
    assert_eq!(records[0], header);
    assert_eq!(records.len(), 61, "{csv}");
    for (name, cells) in &expect {
        // A name shows as it is, quotes and all; only what cannot be shown is escaped.
        let shown = kit::escape_name(name);
        let shown = if name.starts_with(b"=") { format!("'{shown}") } else { shown };
        let row =
            records.iter().find(|r| r[0] == shown).unwrap_or_else(|| panic!("no row for {shown}:\n{csv}"));
        assert_eq!(row[1..9].join(","), *cells, "{shown}: {row:?}");
    }
    assert!(!csv.contains('\x1b') && !csv.contains('\u{202e}') && csv.lines().count() == 61, "{csv:?}");
    // RFC 4180: the hostile name's quotes are doubled inside a quoted field, never `\"`.
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\"),\\x1b[2J"), "{csv:?}");
    assert!(!csv.contains("\\\""), "{csv:?}");
    // The notes say what went wrong with each student's files.
    let notes = |name: &str| records.iter().find(|r| r[0] == name).map(|r| r[9].clone()).unwrap_or_default();
    for (name, says) in [
        ("right-01", ""),
        ("typo", "1 line not marked (see the report)"),
        ("no-capture", "no capture handed in (no-capture.pcap)"),
        ("no-answers", "no answers file (no-answers.answers)"),
        ("empty-capture", "empty-capture.pcap is empty"),
        ("garbage-capture", "osi-trace could not read garbage-capture.pcap: "),
        (
            "huge",
            "huge.pcap holds 10240 MiB, more than the 16 MiB a capture may hold here, so it was not read",
        ),
        ("linked", "linked.answers is a symbolic link, not read: hand in the file itself"),
        ("fifo", "fifo.answers is not a regular file, not read"),
        ("two-captures", "2 captures (two-captures.pcap, two-captures.pcapng): hand in one"),
        ("latin1", "latin1.answers is not text (UTF-8 or UTF-16); save it as UTF-8 text"),
    ] {
        assert!(notes(name).starts_with(says), "{name}: {:?}", notes(name));
    }
    // A report per student, and the CSV: nothing else.
    let reports: Vec<OsString> =
        std::fs::read_dir(&out).expect("results").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(reports.len(), 61, "{reports:?}");
    let report = |name: &str| std::fs::read_to_string(out.join(format!("{name}.txt"))).expect("a report");
    let right = report("right-07");
    assert!(
        right.starts_with(
            "Lesson 03, exercise: right-07\n\nAnswers: right-07.answers\nCapture: right-07.pcap (yours)\n"
        ),
        "{right}"
    );
    assert!(
        right.contains("\n6 of 6 right\n") && right.contains("a capture up to 16 MiB, read for at most 30 s"),
        "{right}"
    );
    // The right answers stay hidden: a wrong answer repeats the question.
    let wrong = report("wrong-1");
    assert!(
        wrong
            .contains("wrong  segments = 11: not what the capture says; the question: How many TCP segments"),
        "{wrong}"
    );
    assert!(!wrong.contains("the trace says") && !wrong.contains("= 10"), "{wrong}");
    let typo = report("typo");
    assert!(
        typo.contains("open   segments: not answered (line 5 has `segmnets`: did you mean `segments`?)"),
        "{typo}"
    );
    let huge = report("huge");
    assert!(huge.contains("Problem: huge.pcap holds 10240 MiB, more than the 16 MiB"), "{huge}");
    assert!(!report("linked").contains("root:"), "a link to a file of the teacher's is never read");
    // Its report is named as the CSV shows it: the quotes as they are, the ESC and the
    // override escaped, so `ls` shows it without harm.
    let hostile_file = r#"=HYPERLINK("x"),\x1b[2J\x1b]0;owned\x07\ne\xe2\x80\xaevil\xff.txt"#;
    let hostile = std::fs::read_to_string(out.join(hostile_file)).expect("the hostile name's report");
    assert!(
        !hostile.chars().any(|c| c.is_control() && c != '\n') && !hostile.contains('\u{202e}'),
        "{hostile:?}"
    );
    assert!(hostile.contains("\n6 of 6 right\n"));
    let nguyen = report("Nguyễn Văn An");
    assert!(
        nguyen.contains("Capture: Nguyễn Văn An.pcap (yours)") && !nguyen.contains('\u{feff}'),
        "{nguyen}"
    );

    // Run again: the results are not written over, unless --force; then with the answers shown,
    // and a teacher's capture for the students who handed in none.
    let again = grade(&["03".as_ref(), subs.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists (folder): not written over; hint: ")
    );
    assert_eq!(std::fs::read_to_string(out.join("grades.csv")).expect("csv"), csv);
    let args = ["03".as_ref(), subs.as_os_str(), "--out".as_ref(), out.as_os_str(), "--force".as_ref()];
    let shown =
        grade(&[&args[..], &["--show-answers".as_ref(), "--capture".as_ref(), hello().as_os_str()]].concat());
    assert_eq!(shown.status.code(), Some(1));
    let wrong = report("wrong-1");
    assert!(
        wrong.contains("wrong  segments = 11: the trace says 10, because 3 for the handshake"),
        "{wrong}"
    );
    let no_capture = report("no-capture");
    assert!(
        no_capture.contains("Capture: none handed in, so marked against 03-hello.pcap (your teacher's)"),
        "{no_capture}"
    );
    assert!(no_capture.contains("\n6 of 6 right\n"), "{no_capture}");
    let csv = parse_csv(&std::fs::read_to_string(out.join("grades.csv")).expect("csv"));
    let row = csv.iter().find(|r| r[0] == "no-capture").expect("row");
    assert_eq!(row[1..].join(","), "1,1,1,1,1,1,6,6,no capture handed in: marked against 03-hello.pcap");
    // Nothing left beside the results.
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 2);
}

/// All right is exit 0; a capture read too long is stopped at the time limit and said.
#[test]
fn a_class_all_right_exits_0_and_a_slow_capture_is_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let subs = dir.path().join("class");
    std::fs::create_dir(&subs).expect("mkdir");
    for name in ["a", "b"] {
        student(&subs, name.as_bytes(), Some(RIGHT.as_bytes()), true);
    }
    let out = dir.path().join("grades");
    let run = grade(&["3".as_ref(), subs.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
    // Lesson 16's reference capture (2 437 frames), given 1 ms: stopped, said in the row.
    let slow = repo().join("lessons/captures/16-bottleneck-link1.pcap");
    std::fs::copy(slow, subs.join("a.pcap")).expect("copy");
    let args = ["16", "--out", "--force", "--time-limit", "1ms"].map(std::ffi::OsStr::new);
    let run = grade(&[args[0], subs.as_os_str(), args[1], out.as_os_str(), args[2], args[3], args[4]]);
    assert_eq!(run.status.code(), Some(1));
    let csv = std::fs::read_to_string(out.join("grades.csv")).expect("csv");
    assert!(csv.contains("reading a.pcap took longer than 0.001 s, so it was stopped"), "{csv}");
}

/// What cannot be graded at all: exit 2, one line with a hint, nothing written.
#[test]
fn unusable_input_is_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = dir.path().join("grades");
    for (args, says) in [
        (vec!["03", empty.to_str().expect("utf-8")], "no submission in"),
        (vec!["1e3", empty.to_str().expect("utf-8")], "lesson \"1e3\" is not a lesson number"),
        (vec!["03", "/nonexistent-class"], "cannot read the folder \"/nonexistent-class\""),
    ] {
        let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        all.extend(["--out".as_ref(), out.as_os_str()]);
        let run = grade(&all);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("lesson-check: error: ") && err.contains(says) && err.lines().count() == 1,
            "{err}"
        );
        assert!(!out.exists());
    }
    let help = Command::new(bin_dir().join("lesson-check")).args(["grade", "--help"]).output().expect("help");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.status.success()
            && text.contains("Usage: lesson-check grade [OPTIONS] --out <RESULTS> <LESSON> <FOLDER>"),
        "{text}"
    );
    assert!(text.contains("  2  unusable input"), "{text}");
}

/// `--out` in a folder the teacher may not write: refused before any student is graded,
/// in one line with a hint, exit 2, nothing written (run as nobody: root writes anywhere).
#[test]
fn an_unwritable_out_is_refused_before_grading() {
    if !harness::require!(harness::Need::Unprivileged) {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let subs = dir.path().join("class");
    std::fs::create_dir(&subs).expect("mkdir");
    for name in ["a", "b", "c"] {
        student(&subs, name.as_bytes(), Some(RIGHT.as_bytes()), true);
    }
    let out = dir.path().join("grades");
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(bin_dir().join("lesson-check"));
    cmd.args(["grade".as_ref(), "03".as_ref(), subs.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let run = harness::run(cmd, b"", Duration::from_secs(120)).expect("lesson-check runs");
    let (stdout, err) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert_eq!(run.status.code(), Some(2), "{stdout}{err}");
    assert_eq!(stdout, "", "no student is graded before the refusal");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("lesson-check: error: cannot write ")
            && err.contains(": cannot create a folder in ")
            && err.contains("Permission denied")
            && err.contains("; hint: give --out in a folder you may write"),
        "{err}"
    );
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, vec![OsString::from("class")], "nothing written beside the class");
}
