//! Marking a student's answers: `key = value` lines against what a capture says,
//! each marked right or wrong with the reason. Partial credit: a line that answers
//! nothing (a mistyped key, a line that is not `key = value`) is said and left
//! unmarked, with a "did you mean" for a key that looks like a question's, and the
//! other answers count; a key answered twice is not guessed at: that question is
//! marked not answered, naming both lines.

use crate::exercises::Question;
use crate::words::marks;

mod near;
pub mod text;

/// The most an answers file may hold: a few lines are expected, and a device
/// or an endless pipe given by mistake must not fill the memory.
pub const MAX_ANSWERS_FILE: u64 = 1 << 20;

/// The most of a key or an answer a message shows: a line may be a megabyte long.
const SHOWN: usize = 60;

/// One `key = value` line of an answers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub key: String,
    pub value: String,
    /// Its line number, from 1.
    pub line: usize,
}

/// An answers file, read: its `key = value` lines (those with a value: `key =`
/// alone, as a template leaves it, is no answer), and the lines that are not
/// `key = value`, with their text.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Answers {
    pub given: Vec<Given>,
    pub not_pairs: Vec<(usize, String)>,
}

/// A line that answers no question, so it is not marked.
#[derive(Debug, PartialEq, Eq)]
pub struct Stray {
    pub line: usize,
    pub what: StrayKind,
}

#[derive(Debug, PartialEq, Eq)]
pub enum StrayKind {
    /// Not `key = value`: its text.
    NotAPair(String),
    /// A key the exercise does not ask, and the question it looks like, if any.
    Unknown { key: String, near: Option<&'static str> },
}

/// One answer, marked.
#[derive(Debug, PartialEq, Eq)]
pub struct Mark {
    pub key: String,
    /// The question, as the lesson asks it, in the language of the run.
    pub question: &'static str,
    /// What the student wrote; `None` when the question was left out, or answered more than once.
    pub given: Option<String>,
    /// What the capture says; `None` when it cannot tell (e.g. a capture of something else).
    pub expected: Option<String>,
    pub right: bool,
    pub why: &'static str,
    /// The lines that answered it, when there are more than one.
    pub lines: Vec<usize>,
    /// Lines whose key looks like a typo of this one (line, key as written).
    pub near: Vec<(usize, String)>,
}

/// A file of answers, marked: one mark per question, in the exercise's order,
/// and the lines that answered none.
#[derive(Debug, PartialEq, Eq)]
pub struct Marking {
    pub marks: Vec<Mark>,
    pub stray: Vec<Stray>,
}

impl Marking {
    /// How many answers are right.
    pub fn right(&self) -> usize {
        self.marks.iter().filter(|m| m.right).count()
    }

    /// Whether every question is answered right.
    pub fn all_right(&self) -> bool {
        self.right() == self.marks.len()
    }
}

/// Reads an answers file's text: `key = value` lines; blank lines and `#`
/// comments are skipped, spaces around key and value (trailing ones too) ignored.
pub fn parse_answers(text: &str) -> Answers {
    let mut answers = Answers::default();
    for (n, line) in text::lines(text) {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                if !value.trim().is_empty() {
                    answers.given.push(Given { key: key.trim().into(), value: value.trim().into(), line: n });
                }
            }
            _ => answers.not_pairs.push((n, line.to_string())),
        }
    }
    answers
}

/// Marks `answers` to `questions` against `expected` (each question's answer
/// from the capture, in the questions' order; `None` where it cannot tell).
pub fn mark(questions: &[Question], answers: &Answers, expected: &[Option<String>]) -> Marking {
    let keys: Vec<&'static str> = questions.iter().map(|q| q.key).collect();
    let mut stray: Vec<Stray> = answers
        .not_pairs
        .iter()
        .map(|(line, text)| Stray { line: *line, what: StrayKind::NotAPair(text.clone()) })
        .collect();
    let mut near: Vec<(&'static str, usize, String)> = Vec::new();
    for g in answers.given.iter().filter(|g| !keys.contains(&g.key.as_str())) {
        let guess = near::nearest(&g.key, &keys);
        // A typo of a question left open is said on that question; of one answered, as a line apart.
        let open = guess.is_some_and(|k| !answers.given.iter().any(|o| o.key == k));
        match guess {
            Some(k) if open => near.push((k, g.line, g.key.clone())),
            _ => stray
                .push(Stray { line: g.line, what: StrayKind::Unknown { key: g.key.clone(), near: guess } }),
        }
    }
    stray.sort_by_key(|s| s.line);
    let marks = questions
        .iter()
        .zip(expected)
        .map(|(q, expected)| {
            let all: Vec<&Given> = answers.given.iter().filter(|g| g.key == q.key).collect();
            let lines = if all.len() > 1 { all.iter().map(|g| g.line).collect() } else { Vec::new() };
            let given = match all.as_slice() {
                [one] => Some(one.value.clone()),
                _ => None,
            };
            let right = matches!((&given, expected), (Some(g), Some(e)) if same(g, e));
            let near = near.iter().filter(|(k, ..)| *k == q.key).map(|(_, l, t)| (*l, t.clone())).collect();
            Mark {
                key: q.key.to_string(),
                question: q.asked(),
                given,
                expected: expected.clone(),
                right,
                why: q.reason(),
                lines,
                near,
            }
        })
        .collect();
    Marking { marks, stray }
}

fn same(given: &str, expected: &str) -> bool {
    normal(given) == normal(expected)
}

/// An answer as compared: no quotes, case or spaces; `connect()` is `connect`, and
/// `RST+ACK` is `RST, ACK` (flags written as a textbook or as the trace writes them).
fn normal(answer: &str) -> String {
    let answer = answer.trim().trim_matches('"');
    let answer = answer.strip_suffix("()").unwrap_or(answer);
    answer
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '+' { ',' } else { c.to_ascii_lowercase() })
        .collect()
}

/// What a student wrote, as a message shows it: at most [`SHOWN`] characters.
fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// One line per mark, for the terminal or a report, in the language of the run
/// ([`marks`]): what the student wrote is shown with its control characters
/// escaped (an answer is any text; the terminal is not). With `reveal`, a wrong
/// answer says what the capture says and why; without, it repeats the question (a
/// report handed back to a class).
pub fn render(mark: &Mark, reveal: bool) -> String {
    let key = &mark.key;
    let line = match (mark.right, &mark.given, &mark.expected) {
        (_, None, _) if !mark.lines.is_empty() => marks::twice(key, &mark.lines),
        (_, Some(g), None) => marks::cannot_tell(key, Some(&shown(g))),
        (_, None, None) => marks::cannot_tell(key, None),
        (true, Some(g), _) => marks::right(key, &shown(g), mark.why),
        (false, Some(g), Some(e)) if reveal => marks::wrong_shown(key, &shown(g), e, mark.why),
        (false, Some(g), Some(_)) => marks::wrong_hidden(key, &shown(g), mark.question),
        (_, None, Some(_)) => {
            let near: Vec<(usize, String)> = mark.near.iter().map(|(n, typed)| (*n, shown(typed))).collect();
            marks::open(key, &near, (!reveal).then_some(mark.question))
        }
    };
    kit::escape_controls(&line)
}

/// One line per stray line, in the same columns as the marks.
pub fn render_stray(stray: &Stray, keys: &[&str]) -> String {
    let n = stray.line;
    let line = match &stray.what {
        StrayKind::NotAPair(text) => marks::not_a_pair(n, &shown(text)),
        StrayKind::Unknown { key, near: Some(k) } => marks::unknown_near(n, &shown(key), k),
        StrayKind::Unknown { key, near: None } => marks::unknown(n, &shown(key), keys),
    };
    kit::escape_controls(&line)
}

#[cfg(test)]
mod tests;
