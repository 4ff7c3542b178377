//! Every lesson, run as a student would run it: each command it shows is run in
//! a fresh network namespace and must print the key lines the lesson shows;
//! each code excerpt must still stand, line for line, in the file it names.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lesson_check::{parse, run_lesson};

/// The kit's programs a lesson may call.
const PROGRAMS: [&str; 6] =
    ["server-basic", "server-loop", "server-threads", "server-select", "client", "osi-trace"];

/// How long one lesson's whole session may take.
const LESSON_LIMIT: Duration = Duration::from_secs(240);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lesson_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("lessons"))
        .expect("lessons/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .collect();
    names.sort();
    names
}

/// Runs one lesson and fails with every mismatch it found.
fn check(file: &str) {
    let path = repo().join("lessons").join(file);
    let markdown = std::fs::read_to_string(&path).expect("lesson readable");
    let lesson = parse(&markdown);

    let mut failures = Vec::new();
    for excerpt in &lesson.excerpts {
        let source = std::fs::read_to_string(repo().join(&excerpt.path))
            .unwrap_or_else(|e| panic!("{file}:{}: excerpt source {}: {e}", excerpt.at, excerpt.path));
        let source: Vec<&str> = source.lines().map(str::trim).collect();
        let mut next = 0;
        for line in excerpt.lines.iter().map(|l| l.trim()) {
            if line.is_empty() || line == "// ..." || line == "..." {
                continue;
            }
            match source[next..].iter().position(|s| *s == line) {
                Some(i) => next += i + 1,
                None => failures.push(format!(
                    "{file}:{}: excerpt line not found (in order) in {}: {line}",
                    excerpt.at, excerpt.path
                )),
            }
        }
    }

    if lesson.blocks.iter().all(|b| b.commands.is_empty()) {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        return;
    }
    if !harness::require(file, harness::Need::Netns) {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        return;
    }
    let bin_dir = PROGRAMS
        .iter()
        .map(|p| harness::bin(p))
        .next_back()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .expect("binary directory");
    let work = tempfile::tempdir().expect("temp dir");
    for link in ["crates", "lessons", "scripts"] {
        std::os::unix::fs::symlink(repo().join(link), work.path().join(link)).expect("symlink");
    }
    let outcome = run_lesson(&lesson, work.path(), &bin_dir, LESSON_LIMIT).expect("session runs");
    failures.extend(outcome.failures.iter().map(|f| format!("{file}:{f}")));
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    eprintln!("{file}: {} commands ran as shown", outcome.ran);
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
    lesson_14_real_links => "14-real-links.md",
    lesson_15_loss => "15-loss.md",
    lesson_16_a_bottleneck => "16-a-bottleneck.md",
    lesson_17_when_the_network_says_no => "17-when-the-network-says-no.md",
}
