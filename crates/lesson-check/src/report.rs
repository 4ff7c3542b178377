//! What grading a class writes: one CSV row per student (one column per
//! question: `1` right, `0` wrong, empty not answered, `?` the capture cannot
//! tell; then the score and what was wrong with the files), and a plain-text
//! report each student can read, the right answers left out unless the teacher
//! asks for them.

use crate::answers::{render, render_stray};
use crate::capture::Limits;
use crate::csv;
use crate::exercises::Question;
use crate::grade::{file_name, Against, Graded};
use crate::words::report as words;

/// The CSV's first row: `student`, each question's key, `right`, `questions`, `notes`.
pub fn csv_header(questions: &[Question]) -> String {
    let mut fields = vec!["student"];
    fields.extend(questions.iter().map(|q| q.key));
    fields.extend(["right", "questions", "notes"]);
    csv::record(&fields)
}

/// A student's CSV row.
pub fn csv_row(g: &Graded) -> String {
    let mut fields = vec![g.student.shown()];
    for m in &g.marking.marks {
        let cell = match (&m.given, &m.expected) {
            (_, None) => "?",
            (None, Some(_)) => "",
            (Some(_), Some(_)) if m.right => "1",
            (Some(_), Some(_)) => "0",
        };
        fields.push(cell.to_string());
    }
    fields.push(g.marking.right().to_string());
    fields.push(g.marking.marks.len().to_string());
    let mut notes = g.problems.clone();
    if let Against::Fallback(teacher) = &g.against {
        notes.push(words::note_fallback(&file_name(teacher)));
    }
    let stray = g.marking.stray.len() + g.marking.marks.iter().map(|m| m.near.len()).sum::<usize>();
    if stray > 0 {
        notes.push(words::note_not_marked(stray));
    }
    fields.push(notes.join("; "));
    csv::record(&fields)
}

/// A student's report: what was marked against what, a line per question, the
/// lines that answered nothing, the score, and the limits files were read within.
pub fn report(lesson: &str, g: &Graded, keys: &[&str], reveal: bool, limits: Limits) -> String {
    let mut out = format!("{}\n\n", words::heading(lesson, &g.student.shown()));
    let answers = match g.student.answers.as_slice() {
        [one] => file_name(one),
        _ => "-".to_string(),
    };
    out.push_str(&format!("{}\n", words::answers_file(&answers)));
    let capture = match &g.against {
        Against::Own(p) => words::own_capture(&file_name(p)),
        Against::Fallback(p) => words::teachers_capture(&file_name(p)),
        Against::Nothing => words::no_capture(),
    };
    out.push_str(&format!("{}\n", words::capture_line(&capture)));
    for p in &g.problems {
        out.push_str(&format!("{}\n", words::problem(p)));
    }
    out.push('\n');
    for m in &g.marking.marks {
        out.push_str(&render(m, reveal));
        out.push('\n');
    }
    for s in &g.marking.stray {
        out.push_str(&render_stray(s, keys));
        out.push('\n');
    }
    let (right, of) = (g.marking.right(), g.marking.marks.len());
    out.push_str(&format!("\n{}\n", crate::words::marks::score(right, of)));
    out.push_str(&format!("\n{}\n", limits_said(limits)));
    out
}

/// The limits, in words, as each report says them.
pub fn limits_said(limits: Limits) -> String {
    let seconds = limits.time.map(|t| t.as_secs_f64());
    words::limits(limits.max_bytes.map(|b| b >> 20), seconds, crate::answers::MAX_ANSWERS_FILE >> 10)
}

/// The report's file name for a student: the name as the CSV shows it, `.txt`
/// (`O"Brien.txt`). Safe means: the student's own name, which was already a file name
/// in the class folder (so never `/` nor NUL, never hidden: a name starting with `.` is
/// no submission), as valid UTF-8 with no control character nor bidirectional
/// override, which are written as the CSV shows them (`\x1b`), so that `ls` and a file
/// manager show it as it is; at most 200 bytes of name (a file name may have 255),
/// cut at a character; two names alike are numbered (`NAME~2.txt`) to stay apart.
pub fn report_name(shown: &str, taken: &mut std::collections::HashSet<String>) -> String {
    const MAX: usize = 200;
    let mut stem = shown.to_string();
    if stem.len() > MAX {
        let cut = (0..=MAX).rev().find(|&i| stem.is_char_boundary(i)).unwrap_or(0);
        stem.truncate(cut);
    }
    let mut name = format!("{stem}.txt");
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{stem}~{n}.txt");
        n += 1;
    }
    name
}
