//! Telling a Vietnamese sentence from one left (partly) in English, as osi-trace's
//! language test does: English function words a Vietnamese sentence never needs,
//! found outside what is quoted ("…", `…`: payloads, keys and the answers a student
//! types) and outside names (a word joined to another by `-`, `.`, `/` or `_`: a
//! program, a file, a path). Technical terms the article keeps in English (socket,
//! kernel, capture, trace, segment) are not among them.

/// English words a Vietnamese sentence of lesson-check's never needs.
const ENGLISH: &[&str] = &[
    "the", "of", "and", "is", "are", "its", "it", "to", "from", "with", "by", "for", "after", "before",
    "not", "was", "were", "has", "have", "this", "that", "which", "when", "at", "on", "or", "an", "be",
    "been", "one", "still", "again", "sent", "came", "because", "what", "how", "many", "did", "does",
    "right", "wrong", "answer", "answers", "answered", "line", "lines", "marked", "read", "yours", "teacher",
    "report", "reports", "student", "students", "folder", "cannot", "while", "more", "than", "into", "could",
    "would", "every", "each", "none", "hint", "error", "question", "exercise", "lesson", "says", "give",
    "hand", "written", "already", "exists", "holds", "left", "alone", "took", "longer", "stopped", "save",
    "text", "empty", "only", "once", "first", "last", "next", "same", "side", "bytes", "data",
];

/// The English words left in `vi`, outside quotes and backticks.
pub fn english_in(vi: &str) -> Vec<String> {
    let mut outside = String::new();
    let (mut quoted, mut ticked) = (false, false);
    for c in vi.chars() {
        match c {
            '"' if !ticked => quoted = !quoted,
            '`' if !quoted => ticked = !ticked,
            _ if quoted || ticked => {}
            _ => outside.push(c),
        }
    }
    outside
        .split_whitespace()
        .filter(|token| !token.trim_matches(|c: char| !c.is_alphanumeric()).contains(['-', '.', '/', '_']))
        .flat_map(|token| token.split(|c: char| !c.is_alphabetic()))
        // Names in capitals (SYN_SENT, FIN, ACK, MSS) are the same in both languages.
        .filter(|w| w.chars().any(char::is_lowercase))
        .filter(|w| ENGLISH.contains(&w.to_lowercase().as_str()))
        .map(String::from)
        .collect()
}

/// A letter only Vietnamese (of the two) writes: one with a diacritic, or đ.
pub fn has_vietnamese(s: &str) -> bool {
    s.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
}

/// Checks one phrase: a complaint when `vi` is no Vietnamese form of `en`.
pub fn check(what: &str, en: &str, vi: &str, bad: &mut Vec<String>) {
    let left = english_in(vi);
    if !left.is_empty() || !has_vietnamese(vi) || vi.trim().is_empty() {
        bad.push(format!("{what}: {vi:?} (English: {en:?}; English words: {left:?})"));
    }
}
