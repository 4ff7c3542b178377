//! The words of `lesson-check grade`: a line per student on the terminal and the
//! run's last lines, each student's report (what was marked against what, the
//! limits files were read within), the CSV's notes, and what was wrong with the
//! files a student handed in. Vietnamese nouns take no plural.

use super::pick;

/// `n` things: `1 report`, `2 reports`; in Vietnamese `2 báo cáo`.
fn count(n: usize, en: &str, vi: &str) -> String {
    pick(kit::plural(n as u64, en), format!("{n} {vi}"))
}

/// A student's line on the terminal; `problems` is empty or starts with `; `.
pub fn student_line(name: &str, right: usize, of: usize, problems: &str) -> String {
    format!("{name}: {}{problems}", super::marks::score(right, of))
}

/// The run's last line: how many students, how many all right, what was written where.
pub fn written(students: usize, all_right: usize, csv: &str, out: &str) -> String {
    let (who, reports) = (count(students, "student", "học sinh"), count(students, "report", "báo cáo"));
    pick(
        format!(
            "{who}, {all_right} with every answer right; wrote {out}/{csv} and {reports} (one per student) in {out}"
        ),
        format!(
            "{who}, {all_right} người đúng mọi câu; đã ghi {out}/{csv} và {reports} (mỗi học sinh một bản) trong {out}"
        ),
    )
}

/// Entries of the class folder that are no submission, left alone.
pub fn left_alone(ignored: usize, folder: &str) -> String {
    let en = if ignored == 1 { "1 other entry".to_string() } else { format!("{ignored} other entries") };
    pick(
        format!("({en} in {folder} left alone: not NAME.pcap, NAME.pcapng or NAME.answers)"),
        format!(
            "({ignored} mục khác trong {folder} được để nguyên: không phải NAME.pcap, NAME.pcapng hay NAME.answers)"
        ),
    )
}

/// A report's first line.
pub fn heading(lesson: &str, student: &str) -> String {
    pick(format!("Lesson {lesson}, exercise: {student}"), format!("Bài {lesson}, bài tập: {student}"))
}

/// The report's line naming the answers file.
pub fn answers_file(name: &str) -> String {
    pick(format!("Answers: {name}"), format!("File câu trả lời: {name}"))
}

/// The report's line naming the capture marked against (one of the three below).
pub fn capture_line(what: &str) -> String {
    pick(format!("Capture: {what}"), format!("Capture dùng để chấm: {what}"))
}

/// The student's own capture.
pub fn own_capture(file: &str) -> String {
    pick(format!("{file} (yours)"), format!("{file} (của bạn)"))
}

/// The teacher's capture, for a student who handed in none.
pub fn teachers_capture(file: &str) -> String {
    pick(
        format!("none handed in, so marked against {file} (your teacher's)"),
        format!("bạn không nộp capture nào, nên được chấm theo {file} (của giáo viên)"),
    )
}

/// No capture could be read.
pub fn no_capture() -> String {
    pick(
        "none that could be read, so nothing could be marked right".to_string(),
        "không có capture nào đọc được, nên không câu nào có thể được chấm đúng".to_string(),
    )
}

/// A problem with the files, one line of the report.
pub fn problem(what: &str) -> String {
    pick(format!("Problem: {what}"), format!("Vấn đề: {what}"))
}

/// The limits the files were read within, the report's last line.
pub fn limits(max_mib: Option<u64>, seconds: Option<f64>, answers_kib: u64) -> String {
    let size = match max_mib {
        None => pick("any size".to_string(), "cỡ bất kỳ".to_string()),
        Some(m) => pick(format!("up to {m} MiB"), format!("tối đa {m} MiB")),
    };
    let time = seconds.map_or(String::new(), |s| {
        pick(format!(", read for at most {s} s"), format!(", được đọc trong tối đa {s} s"))
    });
    pick(
        format!(
            "(Marked by lesson-check: a capture {size}{time}; an answers file up to {answers_kib} KiB of `key = value` lines, UTF-8 or UTF-16.)"
        ),
        format!(
            "(Chấm bởi lesson-check: một capture {size}{time}; một file câu trả lời tối đa {answers_kib} KiB gồm các dòng `key = value`, UTF-8 hoặc UTF-16.)"
        ),
    )
}

/// The CSV's note for a student marked against the teacher's capture.
pub fn note_fallback(file: &str) -> String {
    pick(
        format!("no capture handed in: marked against {file}"),
        format!("không nộp capture: được chấm theo {file}"),
    )
}

/// The CSV's note for lines that answered nothing.
pub fn note_not_marked(lines: usize) -> String {
    pick(
        format!("{} not marked (see the report)", kit::plural(lines as u64, "line")),
        format!("{lines} dòng không được chấm (xem báo cáo)"),
    )
}

/// No answers file handed in (`name` as the CSV shows it).
pub fn no_answers_file(name: &str) -> String {
    pick(format!("no answers file ({name}.answers)"), format!("không có file câu trả lời ({name}.answers)"))
}

/// Several answers files (`files`, named).
pub fn many_answers_files(n: usize, files: &str) -> String {
    pick(
        format!("{n} answers files ({files}): hand in one"),
        format!("{n} file câu trả lời ({files}): hãy nộp một file thôi"),
    )
}

/// No capture handed in, and no teacher's capture to mark against.
pub fn no_capture_handed_in(name: &str) -> String {
    pick(format!("no capture handed in ({name}.pcap)"), format!("không nộp capture nào ({name}.pcap)"))
}

/// Several captures (`files`, named).
pub fn many_captures(n: usize, files: &str) -> String {
    pick(
        format!("{n} captures ({files}): hand in one"),
        format!("{n} capture ({files}): hãy nộp một capture thôi"),
    )
}
