//! Every lesson, run as a student would run it: each alone in fresh namespaces,
//! and all of them one after another in one session, while another kit server runs
//! on the machine; each time without `COLUMNS` (a student's bash does not export
//! it) and once more with `COLUMNS=80`. Each command must print the key lines the lesson shows, each
//! lesson must stop what it starts, and each code excerpt must still stand, line for
//! line, in the file it names. `LESSON_CHECK_BLESS=1` rewrites shown lines that no
//! longer match from the real run.

mod common;

use std::time::Duration;

use common::{bin_dir, repo};
use lesson_check::{bless, excerpt, parse, run_lesson, run_lessons, Columns, Lesson};

/// How long one lesson's whole session may take.
const LESSON_LIMIT: Duration = Duration::from_secs(240);

/// The two environments every lesson must pass in, as it shows its output.
const STUDENT: [Columns; 2] = [Columns::Unset, Columns::Exported(80)];

fn lesson_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("lessons"))
        .expect("lessons/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .collect();
    names.sort();
    names
}

fn read(file: &str) -> (String, Lesson) {
    let markdown = std::fs::read_to_string(repo().join("lessons").join(file)).expect("lesson readable");
    let lesson = parse(&markdown);
    (markdown, lesson)
}

/// A working directory like the student's: the repository's folders at hand.
fn workdir() -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("temp dir");
    for link in ["crates", "lessons", "scripts"] {
        std::os::unix::fs::symlink(repo().join(link), work.path().join(link)).expect("symlink");
    }
    work
}

/// Every excerpt that no longer stands in the file it names, or does not quote it
/// as valid code (marked elisions, indentation kept, braces balanced).
fn stale_excerpts(file: &str, lesson: &Lesson) -> Vec<String> {
    let mut failures = Vec::new();
    for excerpt in &lesson.excerpts {
        let source = std::fs::read_to_string(repo().join(&excerpt.path))
            .unwrap_or_else(|e| panic!("{file}:{}: excerpt source {}: {e}", excerpt.at, excerpt.path));
        failures.extend(excerpt::problems(excerpt, &source).into_iter().map(|p| format!("{file}: {p}")));
    }
    failures
}

/// Every excerpt of every lesson, without running anything: quick to check alone.
#[test]
fn every_excerpt_quotes_its_source_as_valid_code() {
    let failures: Vec<String> = lesson_files().iter().flat_map(|f| stale_excerpts(f, &read(f).1)).collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn blessing() -> bool {
    std::env::var_os("LESSON_CHECK_BLESS").is_some_and(|v| v == "1")
}

/// Runs one lesson alone and fails with every mismatch it found.
fn check(file: &str) {
    let (markdown, lesson) = read(file);
    let mut failures = stale_excerpts(file, &lesson);
    if lesson.blocks.iter().all(|b| b.commands.is_empty()) || !harness::require(file, harness::Need::Netns) {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        return;
    }
    let work = workdir();
    let outcome =
        run_lesson(&lesson, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset).expect("session runs");
    let lesson = if blessing() && !outcome.failures.is_empty() {
        let blessed = bless(&markdown, &lesson, &outcome.outputs);
        std::fs::write(repo().join("lessons").join(file), &blessed.markdown)
            .expect("write the blessed lesson");
        eprintln!(
            "{file}: blessed, {} shown lines replaced; review `git diff lessons/{file}`",
            blessed.replaced
        );
        for u in &blessed.unresolved {
            eprintln!("{file}: not blessed: {u}");
        }
        // Mismatches bless cannot mend (exit status, processes left running) still fail below.
        read(file).1
    } else {
        failures.extend(outcome.failures.iter().map(|f| format!("{file}:{f}")));
        lesson
    };
    // Blessed, it runs again in both environments; else once more, with COLUMNS=80.
    let again = if blessing() && !outcome.failures.is_empty() { &STUDENT[..] } else { &STUDENT[1..] };
    for &columns in again {
        let o =
            run_lesson(&lesson, workdir().path(), &bin_dir(), LESSON_LIMIT, columns).expect("session runs");
        failures.extend(o.failures.iter().map(|f| format!("{file} ({columns:?}):{f}")));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    eprintln!("{file}: {} commands ran as shown, without COLUMNS and with COLUMNS=80", outcome.ran);
}

/// A student's evening: every lesson in order, in one shell and one folder, while
/// a classmate's `server-threads` runs on the same machine (outside the session).
fn all_lessons_in_order(columns: Columns) {
    if !harness::require("lessons in order", harness::Need::Netns) {
        return;
    }
    let bin = bin_dir();
    let mut classmate = std::process::Command::new(bin.join("server-threads"));
    classmate.args(["--port", "0", "--quiet"]);
    let mut classmate = harness::Server::spawn(classmate).expect("a server-threads outside the lessons");
    let files = lesson_files();
    let lessons: Vec<Lesson> = files.iter().map(|f| read(f).1).collect();
    let refs: Vec<&Lesson> = lessons.iter().collect();
    let work = workdir();
    let outcomes = run_lessons(&refs, work.path(), &bin, LESSON_LIMIT * files.len() as u32, columns)
        .expect("session runs");
    let failures: Vec<String> = files
        .iter()
        .zip(&outcomes)
        .flat_map(|(file, o)| {
            o.failures.iter().map(move |f| format!("{file} (in sequence, {columns:?}):{f}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert!(classmate.is_running(), "the lessons disturbed a server outside their session");
}

#[test]
fn all_lessons_in_order_in_one_session_while_another_kit_server_runs() {
    all_lessons_in_order(Columns::Unset);
}

#[test]
fn all_lessons_in_order_with_columns_80() {
    all_lessons_in_order(Columns::Exported(80));
}

/// The lessons' shell is a student's, not the test runner's: `COLUMNS` unset, or
/// exported as the test asks, whatever the environment of `cargo test` holds.
#[test]
fn lessons_run_in_a_students_environment() {
    if !harness::require("student's environment", harness::Need::Netns) {
        return;
    }
    let lesson = parse("```console\n$ echo \"COLUMNS=${COLUMNS-unset}\"\nCOLUMNS=unset\n```\n");
    let work = workdir();
    let unset =
        run_lesson(&lesson, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset).expect("session runs");
    assert!(unset.failures.is_empty(), "{:?}", unset.failures);
    let set = run_lesson(&lesson, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Exported(80))
        .expect("session runs");
    assert_eq!(set.outputs, [["COLUMNS=80"]], "{:?}", set.failures);
}

/// The check of what a lesson leaves running can fail: a lesson that starts a
/// server and forgets it is caught; the same lesson that stops it passes.
#[test]
fn a_lesson_that_leaves_a_server_running_fails() {
    if !harness::require("left running", harness::Need::Netns) {
        return;
    }
    let forgets = parse("```console\n$ server-loop --port 0 > s.log &\n```\n");
    let stops = parse("```console\n$ server-loop --port 0 > s.log & S=$!\n$ kill $S\n```\n");
    let work = workdir();
    let outcomes = run_lessons(&[&forgets, &stops], work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset)
        .expect("session runs");
    assert!(outcomes[0].left_running.iter().any(|p| p.contains("server-loop")), "{:?}", outcomes[0]);
    // The first lesson's server is still there during the second: only the second's stops.
    assert!(outcomes[1].left_running.iter().any(|p| p.contains("server-loop")), "{:?}", outcomes[1]);
    let alone =
        run_lesson(&stops, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset).expect("session runs");
    assert!(alone.failures.is_empty(), "{:?}", alone.failures);
    assert_eq!(alone.ran, 2);
}

/// A background program's READY line is awaited in the file it writes now, not
/// taken from what an earlier program left in a file of the same name (lessons
/// run in sequence share their folder: lesson 4's server.log said READY while
/// lesson 5's server had not yet started, and a client found nobody listening).
#[test]
fn a_ready_line_left_by_an_earlier_program_is_not_taken_for_the_new_ones() {
    if !harness::require("stale READY", harness::Need::Netns) {
        return;
    }
    let md = "```console\n$ echo READY old > server.log\n$ sleep 0.5 && echo READY new > server.log &\n$ cat server.log\nREADY new\n```\n";
    let work = workdir();
    let outcome =
        run_lesson(&parse(md), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset).expect("session runs");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
}

/// What the lead does after merging a change of narration: bless rewrites the shown
/// line the program no longer prints, keeps its `[..]`, and the lesson passes again.
#[test]
fn bless_mends_a_lesson_whose_program_changed_its_words() {
    if !harness::require("bless", harness::Need::Netns) {
        return;
    }
    let md = "```console\n$ echo 'READY 127.0.0.1:7'; echo '[L3+L4] bind(127.0.0.1:65432) in 0.21 ms'\nREADY 127.0.0.1:[..]\n[L3] bind(127.0.0.1:65432) in [..] ms\n```\n";
    let work = workdir();
    let before =
        run_lesson(&parse(md), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset).expect("session runs");
    assert_eq!(before.failures.len(), 1, "{:?}", before.failures);
    let blessed = bless(md, &parse(md), &before.outputs);
    assert_eq!(blessed.replaced, 1);
    assert!(
        blessed.markdown.contains("\nREADY 127.0.0.1:[..]\n[L3+L4] bind(127.0.0.1:65432) in [..] ms\n"),
        "{}",
        blessed.markdown
    );
    let after = run_lesson(&parse(&blessed.markdown), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset)
        .expect("session runs");
    assert!(after.failures.is_empty(), "{:?}", after.failures);
}

macro_rules! lessons {
    ($($test:ident => $file:literal,)*) => {
        $( #[test] fn $test() { check($file); } )*

        #[test]
        fn every_lesson_has_a_test_and_a_place_in_the_book() {
            let tested = [$($file),*];
            let files = lesson_files();
            assert_eq!(files, tested, "lessons/ and the tests list different lessons");
            let summary = std::fs::read_to_string(repo().join("lessons/SUMMARY.md")).expect("SUMMARY.md");
            let readme = std::fs::read_to_string(repo().join("lessons/README.md")).expect("README.md");
            for file in files {
                assert!(summary.contains(&format!("({file})")), "SUMMARY.md does not list {file}");
                assert!(readme.contains(&format!("({file})")), "lessons/README.md does not list {file}");
            }
        }
    };
}

lessons! {
    lesson_01_setup => "01-setup.md",
    lesson_02_the_map => "02-the-map.md",
    lesson_03_echo_and_handshake => "03-echo-and-handshake.md",
    lesson_04_reading_a_trace => "04-reading-a-trace.md",
    lesson_05_teardown => "05-teardown.md",
    lesson_06_sequential_server => "06-sequential-server.md",
    lesson_07_threads => "07-threads.md",
    lesson_08_select => "08-select.md",
    lesson_09_byte_stream => "09-byte-stream.md",
    lesson_10_nagle_and_delayed_ack => "10-nagle-and-delayed-ack.md",
    lesson_11_two_queues => "11-two-queues.md",
    lesson_12_article_thread_bug => "12-article-thread-bug.md",
    lesson_13_after_select => "13-after-select.md",
    lesson_14_real_links => "14-real-links.md",
    lesson_15_loss => "15-loss.md",
    lesson_16_a_bottleneck => "16-a-bottleneck.md",
    lesson_17_when_the_network_says_no => "17-when-the-network-says-no.md",
}
