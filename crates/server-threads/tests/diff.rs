//! The three blocking servers are one listing that grows, as the Rust Book's
//! listings do: the setup block and `fn echo` are byte-identical in all three,
//! and `diff server-loop server-threads` shows only the idea (a thread per
//! client) in at most 25 changed lines. Lesson 7 shows that diff.

use std::path::PathBuf;
use std::process::Command;

/// The most changed lines `diff -u` may show between server-loop and server-threads.
const MAX_LOOP_TO_THREADS: usize = 25;
/// The same for server-basic → server-loop (one client → a loop of clients).
const MAX_BASIC_TO_LOOP: usize = 36;

fn source(server: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../{server}/src/main.rs"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines from the one starting with `first` up to the first line that
/// equals `last` at or after it, both included.
fn block<'a>(text: &'a str, server: &str, first: &str, last: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(first))
        .unwrap_or_else(|| panic!("{server}: no line starts with {first:?}"));
    let len = lines[start..]
        .iter()
        .position(|l| *l == last)
        .unwrap_or_else(|| panic!("{server}: no {last:?} after {first:?}"));
    lines[start..=start + len].to_vec()
}

/// Changed lines as the lesson counts them: `diff -u a b | grep -c '^[-+][^-+]'`.
fn changed_lines(a: &str, b: &str) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("diff")
        .args(["-u", &format!("{a}/src/main.rs"), &format!("{b}/src/main.rs")])
        .current_dir(dir)
        .output()
        .expect("run diff (diffutils)");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| {
            let mut c = l.chars();
            matches!(c.next(), Some('-' | '+')) && c.next().is_some_and(|d| d != '-' && d != '+')
        })
        .count()
}

#[test]
fn setup_block_and_fn_echo_are_byte_identical_in_the_three_servers() {
    let servers = ["server-basic", "server-loop", "server-threads"];
    let texts: Vec<String> = servers.iter().map(|s| source(s)).collect();
    for (what, first, last) in [
        ("setup block", "fn serve(", "    say.ready(bound);"),
        ("fn echo", "/// The article's `with conn:` block", "}"),
    ] {
        let blocks: Vec<Vec<&str>> =
            texts.iter().zip(servers).map(|(t, s)| block(t, s, first, last)).collect();
        assert!(blocks[0].len() > 10, "{what} of server-basic is only {} lines", blocks[0].len());
        for (b, s) in blocks.iter().zip(servers).skip(1) {
            assert_eq!(b, &blocks[0], "{what} of {s} differs from server-basic's");
        }
    }
}

#[test]
fn loop_to_threads_diff_is_the_idea_only() {
    if !harness::require("loop_to_threads_diff_is_the_idea_only", harness::Need::Tool("diff")) {
        return;
    }
    let n = changed_lines("server-loop", "server-threads");
    assert!(n <= MAX_LOOP_TO_THREADS, "diff server-loop server-threads: {n} changed lines");
    let n = changed_lines("server-basic", "server-loop");
    assert!(n <= MAX_BASIC_TO_LOOP, "diff server-basic server-loop: {n} changed lines");
}
