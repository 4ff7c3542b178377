//! The words of `lesson-check answers`: the list of a lesson's questions, one line
//! per answer marked (right, wrong, open, or not told by the capture), one per line
//! that answers nothing, and the score. Each line starts with its verdict, padded to
//! one column, so the keys line up in both languages.

use super::pick;

/// The verdicts, padded to the same width (7 characters) in each language.
fn verdict(en: &str, vi: &str) -> String {
    format!("{:<7}", if super::vi() { vi } else { en })
}

/// The list's first line: where the answers come from, and how to write them.
pub fn listing_head(lesson: &str, capture: &str) -> String {
    pick(
        format!("Lesson {lesson}: answer from {capture}, one `key = value` line each, in a file:"),
        format!("Bài {lesson}: trả lời từ {capture}, mỗi câu một dòng `key = value`, trong một file:"),
    )
}

/// The list's last line: the command that marks the file.
pub fn listing_tail(lesson: &str, capture: &str) -> String {
    pick(
        format!("then: lesson-check answers {lesson} {capture} FILE"),
        format!("rồi chạy: `lesson-check answers {lesson} {capture} FILE`"),
    )
}

/// The score: `right` answers right of `of` questions.
pub fn score(right: usize, of: usize) -> String {
    pick(format!("{right} of {of} right"), format!("đúng {right} trên {of} câu"))
}

/// A right answer, and why it is right.
pub fn right(key: &str, given: &str, why: &str) -> String {
    format!("{}{key} = {given}: {why}", verdict("right", "đúng"))
}

/// A wrong answer, with what the capture says and why (`lesson-check answers`, `--show-answers`).
pub fn wrong_shown(key: &str, given: &str, expected: &str, why: &str) -> String {
    let v = verdict("wrong", "sai");
    pick(
        format!("{v}{key} = {given}: the trace says {expected}, because {why}"),
        format!("{v}{key} = {given}: trace cho biết {expected}, vì {why}"),
    )
}

/// A wrong answer in a report handed back to a class: the question again, not the answer.
pub fn wrong_hidden(key: &str, given: &str, question: &str) -> String {
    let v = verdict("wrong", "sai");
    pick(
        format!("{v}{key} = {given}: not what the capture says; the question: {question}"),
        format!("{v}{key} = {given}: không khớp với điều capture cho biết; câu hỏi: {question}"),
    )
}

/// A question answered on more than one line (`lines`, numbered), so not marked.
pub fn twice(key: &str, lines: &[usize]) -> String {
    let v = verdict("open", "bỏ ngỏ");
    let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
    pick(
        format!(
            "{v}{key}: answered more than once (lines {}), so not marked; keep one answer",
            lines.join(" and ")
        ),
        format!(
            "{v}{key}: được trả lời nhiều lần (các dòng {}), nên không được chấm; hãy giữ một câu trả lời",
            lines.join(" và ")
        ),
    )
}

/// A question the capture cannot answer; `given` is the student's answer, if any.
pub fn cannot_tell(key: &str, given: Option<&str>) -> String {
    let answer = given.map_or(String::new(), |g| format!(" = {g}"));
    pick(
        format!("?      {key}{answer}: this capture cannot tell (is it the exercise's run?)"),
        format!(
            "?      {key}{answer}: capture này không cho biết được (nó có phải lần chạy của bài tập không?)"
        ),
    )
}

/// A question left open: the lines whose key looks like a typo of this one (line,
/// key as typed), and the question itself when the answers are not shown.
pub fn open(key: &str, near: &[(usize, String)], question: Option<&str>) -> String {
    let v = verdict("open", "bỏ ngỏ");
    let mut line = pick(format!("{v}{key}: not answered"), format!("{v}{key}: chưa được trả lời"));
    if !near.is_empty() {
        let near: Vec<String> = near
            .iter()
            .map(|(n, typed)| pick(format!("line {n} has `{typed}`"), format!("dòng {n} có `{typed}`")))
            .collect();
        line.push_str(&pick(
            format!(" ({}: did you mean `{key}`?)", near.join(", ")),
            format!(" ({}: có phải bạn muốn viết `{key}`?)", near.join(", ")),
        ));
    }
    if let Some(q) = question {
        line.push_str(&pick(format!("; the question: {q}"), format!("; câu hỏi: {q}")));
    }
    line
}

/// Line `n` is not `key = value`.
pub fn not_a_pair(n: usize, text: &str) -> String {
    let v = verdict("note", "lưu ý");
    pick(
        format!("{v}line {n}: \"{text}\" is not `key = value`, so it is not marked"),
        format!("{v}dòng {n}: \"{text}\" không phải dạng `key = value`, nên không được chấm"),
    )
}

/// Line `n` answers a key the exercise does not ask, a typo of `near`, which another line answers.
pub fn unknown_near(n: usize, key: &str, near: &str) -> String {
    let v = verdict("note", "lưu ý");
    pick(
        format!(
            "{v}line {n}: this exercise asks no `{key}` (did you mean `{near}`? it is answered on another line), so it is not marked"
        ),
        format!(
            "{v}dòng {n}: bài tập này không hỏi `{key}` (có phải bạn muốn viết `{near}`? câu đó đã được trả lời ở một dòng khác), nên không được chấm"
        ),
    )
}

/// Line `n` answers a key the exercise does not ask; `keys` are those it asks.
pub fn unknown(n: usize, key: &str, keys: &[&str]) -> String {
    let v = verdict("note", "lưu ý");
    let keys = keys.join(", ");
    pick(
        format!("{v}line {n}: this exercise asks no `{key}`, so it is not marked; it asks: {keys}"),
        format!("{v}dòng {n}: bài tập này không hỏi `{key}`, nên không được chấm; nó hỏi: {keys}"),
    )
}
