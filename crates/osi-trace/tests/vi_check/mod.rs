//! What the tests of `--lang vi` share: the English words a Vietnamese phrase
//! never needs (one of them left is a phrase left in English), the check of one
//! phrase against its English, the switch of the process's language, the
//! repository's captures, and osi-trace run in a language.

// Each test file uses a part of this module; the rest is not dead there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use kit::Lang;

/// The language is the process's: the tests that switch it take turns.
pub static LANG: Mutex<()> = Mutex::new(());

/// English words a Vietnamese sentence never needs: one of them in a phrase
/// rendered in Vietnamese is a phrase (or a piece) left in English. Technical
/// terms the article and the lessons keep in English (socket, kernel, window
/// update, keep-alive, window scale, file) are not among them.
pub const ENGLISH: &[&str] = &[
    "the",
    "of",
    "and",
    "is",
    "are",
    "its",
    "it",
    "to",
    "from",
    "with",
    "by",
    "for",
    "after",
    "before",
    "not",
    "was",
    "were",
    "has",
    "have",
    "this",
    "that",
    "which",
    "when",
    "at",
    "on",
    "no",
    "or",
    "an",
    "be",
    "been",
    "one",
    "still",
    "again",
    "sent",
    "seen",
    "came",
    "lost",
    "way",
    "answers",
    "closes",
    "returns",
    "connection",
    "bytes",
    "data",
    "total",
    "last",
    "peer",
    "handshake",
    "teardown",
    "refused",
    "resets",
    "duration",
    "ended",
    "summary",
    "segments",
    "frames",
    "connections",
    "graceful",
    "open",
    "while",
    "more",
    "forgotten",
    "cannot",
    "permission",
    "denied",
    "run",
    "only",
    "rewritten",
    "unchanged",
    "lower",
    "forwarded",
    "never",
    "nobody",
    "asks",
    "answer",
    "raw",
    "unknown",
    "captured",
    "recorded",
    "placeholder",
    "real",
    "cause",
    "blocks",
    "malformed",
    "inside",
    "carrying",
    "endpoints",
    "whole",
    "priority",
    "exists",
    "directory",
    "give",
    "name",
    "writing",
    "damaged",
    "ends",
    "middle",
    "truncated",
    "must",
    "impossible",
    "disagree",
    "short",
    "described",
    "graph",
    "number",
    "side",
    "advertised",
    "rows",
    "select",
    "filter",
    "step",
    "relative",
    "above",
    "copy",
    "clocks",
    "layers",
    "keeps",
    "holds",
    "pick",
    "nothing",
    "draw",
];

/// Phrases that are the same words in both languages (a flag's name).
pub const NEUTRAL: &[&str] = &["ACK"];

/// The English words left in `vi` (text in double quotes, a payload or a
/// system's own message such as "No route to host", commands in backticks,
/// flags, numbers in hex, compound terms, file names and `{places}` to fill in
/// left aside).
pub fn english_in(vi: &str) -> Vec<String> {
    let unquoted: String = vi.split('"').step_by(2).collect::<Vec<_>>().join(" ");
    // A command in backticks and a flag (`--duration`, `-w`) are typed, not read.
    let untyped: String = unquoted.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    // Numbers in hex (`0x69be`, a binary payload's `41 b5 be …`) are numbers.
    let hex = |w: &str| w.starts_with("0x") || (w.len() == 2 && w.chars().all(|c| c.is_ascii_hexdigit()));
    // A compound name (`hop-by-hop`, `link-local`, `time-sequence`) is a term.
    let compound = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).contains('-');
    // A file's name or path (`run.pcap`, `d/x`) is a name.
    let path = |w: &str| w.trim_end_matches(|c: char| ".,;:)".contains(c)).contains(['.', '/']);
    let words: Vec<&str> = untyped
        .split_whitespace()
        .filter(|w| !w.starts_with('-') && !hex(w) && !compound(w) && !path(w))
        .collect();
    // `{name}`: a place the explorer page fills in.
    let words: Vec<&str> = words.iter().map(|w| if w.contains('{') { "" } else { *w }).collect();
    words
        .join(" ")
        .split(|c: char| !c.is_alphabetic())
        // Names in capitals (SYN_SENT, FIN, ACK) are the same in both languages.
        .filter(|w| w.chars().any(char::is_lowercase))
        .filter(|w| ENGLISH.contains(&w.to_lowercase().as_str()))
        .map(String::from)
        .collect()
}

/// A letter only Vietnamese (of the two) writes: one with a diacritic, or đ.
pub fn has_vietnamese(s: &str) -> bool {
    s.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
}

/// Checks one phrase: `en` and `vi` are the same fact in each language.
pub fn check(what: &str, en: &str, vi: &str, bad: &mut Vec<String>) {
    let left = english_in(vi);
    let untranslated = !(has_vietnamese(vi) || (en == vi && NEUTRAL.contains(&vi)));
    if !left.is_empty() || untranslated {
        bad.push(format!("{what}: {vi:?} (English: {en:?}; English words: {left:?})"));
    }
}

/// Checks one line of a view, which may be all names and numbers (the same in
/// both languages): no English word is left in it. Wireshark's own names in
/// brackets (`[TCP Retransmission]`, `[out_of_order]`) are names.
pub fn check_line(what: &str, en: &str, vi: &str, bad: &mut Vec<String>) {
    let mut named = String::new();
    let mut rest = vi;
    while let Some(open) =
        rest.find("[TCP ").or_else(|| rest.find("[").filter(|&i| wireshark_field(&rest[i..])))
    {
        named.push_str(&rest[..open]);
        rest = rest[open..].split_once(']').map_or("", |(_, after)| after);
    }
    named.push_str(rest);
    let left = english_in(&named);
    if !left.is_empty() {
        bad.push(format!("{what}: {vi:?} (English: {en:?}; English words: {left:?})"));
    }
}

/// `[out_of_order]`: a Wireshark `tcp.analysis` field's name.
fn wireshark_field(s: &str) -> bool {
    s[1..]
        .split(']')
        .next()
        .is_some_and(|f| f.contains('_') && f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

pub fn in_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    lang.apply();
    let out = f();
    Lang::En.apply();
    out
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every capture the repository holds: the lessons', the fixtures', the corpus'.
pub fn captures() -> Vec<PathBuf> {
    let dirs = ["lessons/captures", "crates/osi-trace/tests/fixtures", "crates/osi-trace/tests/corpus"];
    let mut v: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    assert!(v.len() > 40, "the repository's captures: {v:?}");
    v
}

pub fn osi_trace(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(args).env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
    harness::run(cmd, b"", Duration::from_secs(120)).expect("osi-trace runs")
}

pub fn text(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}
