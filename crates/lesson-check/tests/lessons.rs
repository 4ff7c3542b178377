//! Every lesson, run as a student would run it: each alone in fresh namespaces,
//! and all of them one after another in one session, while another kit server runs
//! on the machine; each time without `COLUMNS` (a student's bash does not export
//! it) and once more with `COLUMNS=80`. Each command must print the key lines the lesson shows, each
//! lesson must stop what it starts, and each code excerpt must still stand, line for
//! line, in the file it names. `LESSON_CHECK_BLESS=1` rewrites shown lines that no
//! longer match from the real run.
//!
//! The Vietnamese edition (`lessons/vi/`, the same commands) runs the same way in a
//! Vietnamese student's terminal, `LANG=vi_VN.UTF-8`: each lesson alone and all in
//! order, once each, without `COLUMNS` only — the English runs already prove that
//! `COLUMNS=80` changes nothing these commands print, and the lesson runs are the
//! suite's longest part (about five minutes in English).

mod common;

use std::time::Duration;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{bin_dir, repo};
use lesson_check::editions::VI_DIR;
use lesson_check::{
    bless, compile_vietnamese_locale, excerpt, parse, run_lesson, run_lessons, Columns, Language, Lesson,
};

/// How long one lesson's whole session may take.
const LESSON_LIMIT: Duration = Duration::from_secs(240);

/// The two environments every lesson must pass in, as it shows its output.
const STUDENT: [Columns; 2] = [Columns::Unset, Columns::Exported(80)];

/// One edition of the book: where its lessons are, and its student's terminal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edition {
    English,
    Vietnamese,
}

impl Edition {
    /// The folder of its lessons, relative to the repository.
    fn dir(self) -> PathBuf {
        match self {
            Edition::English => PathBuf::from("lessons"),
            Edition::Vietnamese => PathBuf::from("lessons").join(VI_DIR),
        }
    }

    fn language(self) -> Language {
        match self {
            Edition::English => Language::English,
            Edition::Vietnamese => Language::Vietnamese { locales: vietnamese_locales() },
        }
    }

    /// How its lessons' files are named in messages.
    fn name(self, file: &str) -> String {
        self.dir().join(file).display().to_string()
    }
}

/// `vi_VN.UTF-8`, compiled once into the tests' own temporary folder.
fn vietnamese_locales() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("locales");
        compile_vietnamese_locale(&dir).unwrap_or_else(|e| panic!("{e:#}"))
    })
    .clone()
}

fn lesson_files() -> Vec<String> {
    edition_files(Edition::English)
}

fn edition_files(edition: Edition) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join(edition.dir()))
        .expect("lessons/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .collect();
    names.sort();
    names
}

fn read(file: &str) -> (String, Lesson) {
    read_in(Edition::English, file)
}

fn read_in(edition: Edition, file: &str) -> (String, Lesson) {
    let path = repo().join(edition.dir()).join(file);
    let markdown = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (the Vietnamese edition has every lesson of the English)", edition.name(file))
    });
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

/// Runs one lesson alone and fails with every mismatch it found; `test` is the
/// test's name ([`harness::test_name!`]).
fn check(test: &str, edition: Edition, file: &str) {
    let (markdown, lesson) = read_in(edition, file);
    let language = edition.language();
    let shown = edition.name(file);
    let file = shown.as_str();
    let mut failures = stale_excerpts(file, &lesson);
    if lesson.blocks.iter().all(|b| b.commands.is_empty()) || !harness::require(test, harness::Need::Netns) {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        return;
    }
    let work = workdir();
    let outcome = run_lesson(&lesson, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &language)
        .expect("session runs");
    let lesson = if blessing() && !outcome.failures.is_empty() {
        let blessed = bless(&markdown, &lesson, &outcome.outputs);
        std::fs::write(repo().join(file), &blessed.markdown).expect("write the blessed lesson");
        eprintln!("{file}: blessed, {} shown lines replaced; review `git diff {file}`", blessed.replaced);
        for u in &blessed.unresolved {
            eprintln!("{file}: not blessed: {u}");
        }
        // Mismatches bless cannot mend (exit status, processes left running) still fail below.
        parse(&std::fs::read_to_string(repo().join(file)).expect("lesson readable"))
    } else {
        failures.extend(outcome.failures.iter().map(|f| format!("{file}:{f}")));
        lesson
    };
    // Blessed, it runs again in both environments; else once more, with COLUMNS=80
    // (the Vietnamese edition: again only when blessed, without COLUMNS).
    let again = match (blessing() && !outcome.failures.is_empty(), edition) {
        (true, Edition::English) => &STUDENT[..],
        (false, Edition::English) => &STUDENT[1..],
        (true, Edition::Vietnamese) => &STUDENT[..1],
        (false, Edition::Vietnamese) => &[],
    };
    for &columns in again {
        let o = run_lesson(&lesson, workdir().path(), &bin_dir(), LESSON_LIMIT, columns, &language)
            .expect("session runs");
        failures.extend(o.failures.iter().map(|f| format!("{file} ({columns:?}):{f}")));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    eprintln!("{file}: {} commands ran as shown", outcome.ran);
}

/// A student's evening: every lesson in order, in one shell and one folder, while
/// a classmate's `server-threads` runs on the same machine (outside the session).
fn all_lessons_in_order(test: &str, edition: Edition, columns: Columns) {
    if !harness::require(test, harness::Need::Netns) {
        return;
    }
    let language = edition.language();
    let bin = bin_dir();
    let mut classmate = std::process::Command::new(bin.join("server-threads"));
    classmate.args(["--port", "0", "--quiet"]);
    let mut classmate = harness::Server::spawn(classmate).expect("a server-threads outside the lessons");
    // The Vietnamese edition runs the lessons it has; those it lacks are named at the end.
    let files = edition_files(edition);
    let lessons: Vec<Lesson> = files.iter().map(|f| read_in(edition, f).1).collect();
    let refs: Vec<&Lesson> = lessons.iter().collect();
    let work = workdir();
    let limit = LESSON_LIMIT * files.len() as u32;
    let outcomes = run_lessons(&refs, work.path(), &bin, limit, columns, &language).expect("session runs");
    let mut failures: Vec<String> = files
        .iter()
        .zip(&outcomes)
        .flat_map(|(file, o)| {
            let file = edition.name(file);
            o.failures
                .iter()
                .map(move |f| format!("{file} (in sequence, {columns:?}):{f}"))
                .collect::<Vec<_>>()
        })
        .collect();
    failures.extend(
        lesson_files()
            .iter()
            .filter(|f| !files.contains(f))
            .map(|f| format!("{} is missing: the sequence ran without it", edition.name(f))),
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert!(classmate.is_running(), "the lessons disturbed a server outside their session");
}

#[test]
fn all_lessons_in_order_in_one_session_while_another_kit_server_runs() {
    all_lessons_in_order(&harness::test_name!(), Edition::English, Columns::Unset);
}

#[test]
fn all_lessons_in_order_with_columns_80() {
    all_lessons_in_order(&harness::test_name!(), Edition::English, Columns::Exported(80));
}

/// The Vietnamese edition in order, once: the same commands as the English in a
/// Vietnamese terminal (see the file's head for why not again with `COLUMNS=80`).
#[test]
fn all_vietnamese_lessons_in_order_in_a_vietnamese_terminal() {
    all_lessons_in_order(&harness::test_name!(), Edition::Vietnamese, Columns::Unset);
}

/// A Vietnamese lesson's shell has the locale a Vietnamese student's terminal has:
/// `locale` finds it (no "Cannot set" warning), bash speaks Vietnamese, and the
/// shell's own `printf` wants a decimal comma; an English lesson's shell has C.UTF-8.
#[test]
fn vietnamese_lessons_run_in_a_vietnamese_locale() {
    if !harness::require!(harness::Need::Netns) {
        return;
    }
    let md = "```console\n$ locale 2>&1 | grep -E '^(LANG|LC_CTYPE|LC_NUMERIC)=|annot'\n$ printf '%.1f\\n' 2,5\n```\n";
    let work = workdir();
    let vi = Edition::Vietnamese.language();
    let o = run_lesson(&parse(md), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &vi)
        .expect("session runs");
    assert_eq!(
        o.outputs,
        [vec!["LANG=vi_VN.UTF-8", "LC_CTYPE=\"vi_VN.UTF-8\"", "LC_NUMERIC=\"vi_VN.UTF-8\""], vec!["2,5"]],
        "{:?}",
        o.failures
    );
    let en =
        run_lesson(&parse(md), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &Language::English)
            .expect("session runs");
    assert_eq!(en.outputs[0], ["LANG=C.UTF-8", "LC_CTYPE=\"C.UTF-8\"", "LC_NUMERIC=\"C.UTF-8\""]);
}

/// The lessons' shell is a student's, not the test runner's: `COLUMNS` unset, or
/// exported as the test asks, whatever the environment of `cargo test` holds.
#[test]
fn lessons_run_in_a_students_environment() {
    if !harness::require!(harness::Need::Netns) {
        return;
    }
    let lesson = parse("```console\n$ echo \"COLUMNS=${COLUMNS-unset}\"\nCOLUMNS=unset\n```\n");
    let work = workdir();
    let unset =
        run_lesson(&lesson, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &Language::English)
            .expect("session runs");
    assert!(unset.failures.is_empty(), "{:?}", unset.failures);
    let set =
        run_lesson(&lesson, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Exported(80), &Language::English)
            .expect("session runs");
    assert_eq!(set.outputs, [["COLUMNS=80"]], "{:?}", set.failures);
}

/// The check of what a lesson leaves running can fail: a lesson that starts a
/// server and forgets it is caught; the same lesson that stops it passes.
#[test]
fn a_lesson_that_leaves_a_server_running_fails() {
    if !harness::require!(harness::Need::Netns) {
        return;
    }
    let forgets = parse("```console\n$ server-loop --port 0 > s.log &\n```\n");
    let stops = parse("```console\n$ server-loop --port 0 > s.log & S=$!\n$ kill $S\n```\n");
    let work = workdir();
    let outcomes = run_lessons(
        &[&forgets, &stops],
        work.path(),
        &bin_dir(),
        LESSON_LIMIT,
        Columns::Unset,
        &Language::English,
    )
    .expect("session runs");
    assert!(outcomes[0].left_running.iter().any(|p| p.contains("server-loop")), "{:?}", outcomes[0]);
    // The first lesson's server is still there during the second: only the second's stops.
    assert!(outcomes[1].left_running.iter().any(|p| p.contains("server-loop")), "{:?}", outcomes[1]);
    let alone = run_lesson(&stops, work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &Language::English)
        .expect("session runs");
    assert!(alone.failures.is_empty(), "{:?}", alone.failures);
    assert_eq!(alone.ran, 2);
}

/// A background program's READY line is awaited in the file it writes now, not
/// taken from what an earlier program left in a file of the same name (lessons
/// run in sequence share their folder: lesson 4's server.log said READY while
/// lesson 5's server had not yet started, and a client found nobody listening).
#[test]
fn a_ready_line_left_by_an_earlier_program_is_not_taken_for_the_new_ones() {
    if !harness::require!(harness::Need::Netns) {
        return;
    }
    let md = "```console\n$ echo READY old > server.log\n$ sleep 0.5 && echo READY new > server.log &\n$ cat server.log\nREADY new\n```\n";
    let work = workdir();
    let outcome =
        run_lesson(&parse(md), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &Language::English)
            .expect("session runs");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
}

/// What the lead does after merging a change of narration: bless rewrites the shown
/// line the program no longer prints, keeps its `[..]`, and the lesson passes again.
#[test]
fn bless_mends_a_lesson_whose_program_changed_its_words() {
    if !harness::require!(harness::Need::Netns) {
        return;
    }
    let md = "```console\n$ echo 'READY 127.0.0.1:7'; echo '[L3+L4] bind(127.0.0.1:65432) in 0.21 ms'\nREADY 127.0.0.1:[..]\n[L3] bind(127.0.0.1:65432) in [..] ms\n```\n";
    let work = workdir();
    let before =
        run_lesson(&parse(md), work.path(), &bin_dir(), LESSON_LIMIT, Columns::Unset, &Language::English)
            .expect("session runs");
    assert_eq!(before.failures.len(), 1, "{:?}", before.failures);
    let blessed = bless(md, &parse(md), &before.outputs);
    assert_eq!(blessed.replaced, 1);
    assert!(
        blessed.markdown.contains("\nREADY 127.0.0.1:[..]\n[L3+L4] bind(127.0.0.1:65432) in [..] ms\n"),
        "{}",
        blessed.markdown
    );
    let after = run_lesson(
        &parse(&blessed.markdown),
        work.path(),
        &bin_dir(),
        LESSON_LIMIT,
        Columns::Unset,
        &Language::English,
    )
    .expect("session runs");
    assert!(after.failures.is_empty(), "{:?}", after.failures);
}

macro_rules! lessons {
    ($($test:ident, $vi_test:ident => $file:literal,)*) => {
        $( #[test] fn $test() { check(&harness::test_name!(), Edition::English, $file); } )*
        $( #[test] fn $vi_test() { check(&harness::test_name!(), Edition::Vietnamese, $file); } )*

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
    lesson_01_setup, vi_lesson_01_setup => "01-setup.md",
    lesson_02_the_map, vi_lesson_02_the_map => "02-the-map.md",
    lesson_03_echo_and_handshake, vi_lesson_03_echo_and_handshake => "03-echo-and-handshake.md",
    lesson_04_reading_a_trace, vi_lesson_04_reading_a_trace => "04-reading-a-trace.md",
    lesson_05_teardown, vi_lesson_05_teardown => "05-teardown.md",
    lesson_06_sequential_server, vi_lesson_06_sequential_server => "06-sequential-server.md",
    lesson_07_threads, vi_lesson_07_threads => "07-threads.md",
    lesson_08_select, vi_lesson_08_select => "08-select.md",
    lesson_09_byte_stream, vi_lesson_09_byte_stream => "09-byte-stream.md",
    lesson_10_nagle_and_delayed_ack, vi_lesson_10_nagle_and_delayed_ack => "10-nagle-and-delayed-ack.md",
    lesson_11_two_queues, vi_lesson_11_two_queues => "11-two-queues.md",
    lesson_12_article_thread_bug, vi_lesson_12_article_thread_bug => "12-article-thread-bug.md",
    lesson_13_after_select, vi_lesson_13_after_select => "13-after-select.md",
    lesson_14_real_links, vi_lesson_14_real_links => "14-real-links.md",
    lesson_15_loss, vi_lesson_15_loss => "15-loss.md",
    lesson_16_a_bottleneck, vi_lesson_16_a_bottleneck => "16-a-bottleneck.md",
    lesson_17_when_the_network_says_no, vi_lesson_17_when_the_network_says_no => "17-when-the-network-says-no.md",
}
