//! Marking a student's answers: `key = value` lines against what a capture says,
//! each marked right or wrong with the reason. A key answered twice is not
//! guessed at: that question is marked not answered, naming both lines.

use anyhow::{bail, Result};

use crate::exercises::Question;

/// The most an answers file may hold: a few lines are expected, and a device
/// or an endless pipe given by mistake must not fill the memory.
pub const MAX_ANSWERS_FILE: u64 = 1 << 20;

/// One `key = value` line of an answers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub key: String,
    pub value: String,
    /// Its line number, from 1.
    pub line: usize,
}

/// One answer, marked.
#[derive(Debug, PartialEq, Eq)]
pub struct Mark {
    pub key: String,
    /// What the student wrote; `None` when the question was left out, or answered more than once.
    pub given: Option<String>,
    /// What the capture says; `None` when it cannot tell (e.g. a capture of something else).
    pub expected: Option<String>,
    pub right: bool,
    pub why: &'static str,
    /// The lines that answered it, when there are more than one.
    pub lines: Vec<usize>,
}

/// Reads an answers file: `key = value` lines; blank lines and `#` comments are skipped.
pub fn parse_answers(text: &str) -> Result<Vec<Given>> {
    let mut answers = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            bail!("line {}: {line:?} is not `key = value`", n + 1);
        };
        answers.push(Given { key: key.trim().to_string(), value: value.trim().to_string(), line: n + 1 });
    }
    Ok(answers)
}

/// Marks `answers` to `questions` against `expected` (each question's answer
/// from the capture, in the questions' order). Answers to questions the
/// exercise does not ask are an error (a typo in a key).
pub fn mark(questions: &[Question], answers: &[Given], expected: &[Option<String>]) -> Result<Vec<Mark>> {
    check_keys(questions, answers)?;
    Ok(questions
        .iter()
        .zip(expected)
        .map(|(q, expected)| {
            let all: Vec<&Given> = answers.iter().filter(|g| g.key == q.key).collect();
            let lines = if all.len() > 1 { all.iter().map(|g| g.line).collect() } else { Vec::new() };
            let given = match all.as_slice() {
                [one] => Some(one.value.clone()),
                _ => None,
            };
            let right = matches!((&given, expected), (Some(g), Some(e)) if same(g, e));
            Mark { key: q.key.to_string(), given, expected: expected.clone(), right, why: q.why, lines }
        })
        .collect())
}

/// Refuses an answer to a question the exercise does not ask (a typo in a key).
pub fn check_keys(questions: &[Question], answers: &[Given]) -> Result<()> {
    if let Some(g) = answers.iter().find(|g| !questions.iter().any(|q| q.key == g.key)) {
        let keys: Vec<&str> = questions.iter().map(|q| q.key).collect();
        bail!("line {}: this exercise asks no `{}`; it asks: {}", g.line, g.key, keys.join(", "));
    }
    Ok(())
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

/// One line per mark, for the terminal: what the student wrote is shown with
/// its control characters escaped (an answer is any text; the terminal is not).
pub fn render(mark: &Mark) -> String {
    let line = match (mark.right, &mark.given, &mark.expected) {
        (_, None, _) if !mark.lines.is_empty() => {
            let lines: Vec<String> = mark.lines.iter().map(usize::to_string).collect();
            format!(
                "open   {}: answered more than once (lines {}), so not marked; keep one answer",
                mark.key,
                lines.join(" and ")
            )
        }
        (true, Some(g), _) => format!("right  {} = {g}: {}", mark.key, mark.why),
        (false, Some(g), Some(e)) => {
            format!("wrong  {} = {g}: the trace says {e}, because {}", mark.key, mark.why)
        }
        (false, None, Some(_)) => format!("open   {}: not answered", mark.key),
        (_, _, None) => format!("?      {}: this capture cannot tell (is it the exercise's run?)", mark.key),
        (true, None, _) => format!("open   {}", mark.key),
    };
    kit::escape_controls(&line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::exercise;

    /// Lesson 3's six answers from the capture, in its questions' order.
    const EXPECTED: [Option<&str>; 6] =
        [Some("41000"), Some("65432"), Some("1"), Some("1"), Some("10"), None];

    fn expected() -> Vec<Option<String>> {
        EXPECTED.iter().map(|e| e.map(String::from)).collect()
    }

    #[test]
    fn right_wrong_and_open_answers_are_told_apart() {
        let questions = exercise(3).expect("lesson 3");
        let answers = parse_answers("server_port = 65432\nsyn_ack_ack = 0 # a guess\n").expect("parses");
        let marks = mark(questions, &answers, &expected()).expect("marks");
        let by_key = |k: &str| marks.iter().find(|m| m.key == k).expect("marked");
        assert!(by_key("server_port").right);
        assert!(!by_key("syn_ack_ack").right);
        assert!(
            render(by_key("syn_ack_ack")).starts_with("wrong  syn_ack_ack = 0: the trace says 1, because")
        );
        assert_eq!(render(by_key("client_port")), "open   client_port: not answered");
        assert!(render(by_key("time_wait")).starts_with("?"));
    }

    #[test]
    fn answers_are_compared_as_a_teacher_would() {
        assert!(same("\"RST+ACK\"", "RST, ACK"));
        assert!(same(" connect() ", "connect"));
        assert!(same("Client", "client"));
        assert!(!same("RST", "RST, ACK"));
        assert!(!same("10", "1"));
    }

    #[test]
    fn a_typo_in_a_key_is_an_error_not_a_silent_skip() {
        let questions = exercise(3).expect("lesson 3");
        let answers = parse_answers("\nserver_prot = 65432").expect("parses");
        let err = mark(questions, &answers, &expected()).expect_err("unknown key");
        assert!(err.to_string().starts_with("line 2: this exercise asks no `server_prot`"), "{err}");
        assert!(parse_answers("just words").is_err());
    }

    /// Two answers to one question: neither counts, whichever is right; the line says both lines.
    #[test]
    fn a_key_answered_twice_is_not_answered_and_says_its_lines() {
        let questions = exercise(3).expect("lesson 3");
        let answers =
            parse_answers("syn_ack_ack = 1\nserver_port = 65432\n# …\nsyn_ack_ack = 0\n").expect("parses");
        let marks = mark(questions, &answers, &expected()).expect("marks");
        let twice = marks.iter().find(|m| m.key == "syn_ack_ack").expect("marked");
        assert!(!twice.right && twice.given.is_none());
        assert_eq!(
            render(twice),
            "open   syn_ack_ack: answered more than once (lines 1 and 4), so not marked; keep one answer"
        );
        assert!(marks.iter().find(|m| m.key == "server_port").is_some_and(|m| m.right));
    }

    #[test]
    fn an_answer_never_reaches_the_terminal_raw() {
        let questions = exercise(3).expect("lesson 3");
        let answers = parse_answers("time_wait = \x1b]0;pwned\x07\x1b[2J").expect("parses");
        let expected: Vec<Option<String>> = vec![None, None, None, None, None, Some("client".into())];
        let marks = mark(questions, &answers, &expected).expect("marks");
        let line = render(marks.last().expect("time_wait"));
        assert!(!line.contains('\x1b') && !line.contains('\x07'), "{line:?}");
        assert!(
            line.starts_with(r"wrong  time_wait = \x1b]0;pwned\x07\x1b[2J: the trace says client"),
            "{line}"
        );
    }
}
