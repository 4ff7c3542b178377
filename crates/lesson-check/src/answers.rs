//! Marking a student's answers: `key = value` lines against what a capture says,
//! each marked right or wrong with the reason.

use anyhow::{bail, Result};

use crate::exercises::{Question, Trace};

/// One answer, marked.
#[derive(Debug, PartialEq, Eq)]
pub struct Mark {
    pub key: String,
    /// What the student wrote; `None` when the question was left out.
    pub given: Option<String>,
    /// What the capture says; `None` when it cannot tell (e.g. a capture of something else).
    pub expected: Option<String>,
    pub right: bool,
    pub why: &'static str,
}

/// Reads an answers file: `key = value` lines; blank lines and `#` comments are skipped.
pub fn parse_answers(text: &str) -> Result<Vec<(String, String)>> {
    let mut answers = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            bail!("line {}: {line:?} is not `key = value`", n + 1);
        };
        answers.push((key.trim().to_string(), value.trim().to_string()));
    }
    Ok(answers)
}

/// Marks `answers` to `questions` against `trace`, in the questions' order.
/// Answers to questions the exercise does not ask are an error (a typo in a key).
pub fn mark(questions: &[Question], answers: &[(String, String)], trace: &Trace) -> Result<Vec<Mark>> {
    if let Some((key, _)) = answers.iter().find(|(k, _)| !questions.iter().any(|q| q.key == k)) {
        let keys: Vec<&str> = questions.iter().map(|q| q.key).collect();
        bail!("this exercise asks no `{key}`; it asks: {}", keys.join(", "));
    }
    Ok(questions
        .iter()
        .map(|q| {
            let given = answers.iter().find(|(k, _)| k == q.key).map(|(_, v)| v.clone());
            let expected = (q.answer)(trace);
            let right = matches!((&given, &expected), (Some(g), Some(e)) if same(g, e));
            Mark { key: q.key.to_string(), given, expected, right, why: q.why }
        })
        .collect())
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

/// One line per mark, for the terminal.
pub fn render(mark: &Mark) -> String {
    match (mark.right, &mark.given, &mark.expected) {
        (true, Some(g), _) => format!("right  {} = {g}: {}", mark.key, mark.why),
        (false, Some(g), Some(e)) => {
            format!("wrong  {} = {g}: the trace says {e}, because {}", mark.key, mark.why)
        }
        (false, None, Some(_)) => format!("open   {}: not answered", mark.key),
        (_, _, None) => format!("?      {}: this capture cannot tell (is it the exercise's run?)", mark.key),
        (true, None, _) => format!("open   {}", mark.key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::exercise;

    fn trace() -> Trace {
        Trace::from_json_lines(
            r#"{"type":"segment","stream":0,"role":"syn","from":"client","srcport":41000,"dstport":65432}
{"type":"segment","stream":0,"role":"syn_ack","from":"server","ack":1}"#,
        )
    }

    #[test]
    fn right_wrong_and_open_answers_are_told_apart() {
        let questions = exercise("03").expect("lesson 3");
        let answers = parse_answers("server_port = 65432\nsyn_ack_ack = 0 # a guess\n").expect("parses");
        let marks = mark(questions, &answers, &trace()).expect("marks");
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
        let questions = exercise("03").expect("lesson 3");
        let answers = parse_answers("server_prot = 65432").expect("parses");
        let err = mark(questions, &answers, &trace()).expect_err("unknown key");
        assert!(err.to_string().contains("asks no `server_prot`"), "{err}");
        assert!(parse_answers("just words").is_err());
    }
}
