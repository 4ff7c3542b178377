//! The words of what goes wrong: input lesson-check cannot use (a lesson that is
//! not a number, a missing capture or folder), a capture osi-trace cannot read in
//! time, a student's file that is not read, results that cannot be written. The
//! one-line error's own labels (`error`, `hint`) are `kit::error_line`'s.

use kit::Hinted;

use super::pick;

/// A lesson that is not a number from 1 to 99.
pub fn not_a_lesson(lesson: &str) -> Hinted {
    kit::hinted(
        pick(
            format!("lesson {lesson:?} is not a lesson number"),
            format!("bài {lesson:?} không phải là số của một bài"),
        ),
        pick(
            "write it in digits, from 1 to 99, e.g. `lesson-check answers 03 hello.pcap`".to_string(),
            "hãy viết bằng chữ số, từ 1 đến 99, ví dụ `lesson-check answers 03 hello.pcap`".to_string(),
        ),
    )
}

/// A lesson with no checked exercise; `lessons` lists those that have one.
pub fn no_exercise(number: u8, lessons: &str) -> Hinted {
    kit::hinted(
        pick(
            format!("lesson {number} has no checked exercise"),
            format!("bài {number} không có bài tập được chấm"),
        ),
        pick(format!("these do: {lessons}"), format!("các bài có: {lessons}")),
    )
}

/// No capture file of that name.
pub fn no_capture_file(name: &str) -> String {
    pick(format!("no capture file {name}"), format!("không có file capture {name}"))
}

/// No capture file of that name, and where to get one.
pub fn no_capture_file_hinted(name: &str) -> Hinted {
    kit::hinted(
        no_capture_file(name),
        pick(
            "record one as the lesson shows (`osi-trace … --write FILE`), or use the reference capture in lessons/captures/".to_string(),
            "hãy ghi một capture như bài học chỉ (`osi-trace … --write FILE`), hoặc dùng capture tham chiếu trong lessons/captures/".to_string(),
        ),
    )
}

/// A class folder with no submission in it.
pub fn no_submission(folder: &str) -> Hinted {
    kit::hinted(
        pick(format!("no submission in {folder}"), format!("không có bài nộp nào trong {folder}")),
        pick(
            "name each student's files NAME.pcap and NAME.answers".to_string(),
            "hãy đặt tên các file của mỗi học sinh là NAME.pcap và NAME.answers".to_string(),
        ),
    )
}

/// A path that is there but is no file.
pub fn not_a_file(name: &str) -> String {
    pick(format!("{name} is not a file"), format!("{name} không phải là một file"))
}

/// A capture bigger than a class's limit.
pub fn capture_too_big(name: &str, mib: u64, max: u64) -> String {
    pick(
        format!("{name} holds {mib} MiB, more than the {max} MiB a capture may hold here, so it was not read"),
        format!("{name} chứa {mib} MiB, nhiều hơn {max} MiB mà một capture được phép có ở đây, nên nó không được đọc"),
    )
}

/// osi-trace could not be started.
pub fn run_osi_trace() -> String {
    pick(
        "run osi-trace; hint: build the kit (`cargo build --release`) and put target/release on PATH"
            .to_string(),
        "chạy osi-trace; gợi ý: hãy build kit (`cargo build --release`) và đặt target/release vào PATH"
            .to_string(),
    )
}

/// One of osi-trace's outputs (`stdout`, `stderr`) could not be taken.
pub fn osi_trace_output(which: &str) -> String {
    pick(format!("osi-trace's {which}"), format!("{which} của osi-trace"))
}

/// Reading osi-trace's rows failed.
pub fn reading_osi_trace() -> String {
    pick("reading osi-trace's output".to_string(), "khi đọc đầu ra của osi-trace".to_string())
}

/// The thread that stops osi-trace at the deadline failed.
pub fn watchdog_failed() -> String {
    pick("osi-trace's watchdog failed".to_string(), "watchdog của osi-trace bị hỏng".to_string())
}

/// Waiting for osi-trace to end failed.
pub fn waiting_for_osi_trace() -> String {
    pick("waiting for osi-trace".to_string(), "khi chờ osi-trace kết thúc".to_string())
}

/// A capture whose reading passed the class's time limit.
pub fn too_slow(name: &str, seconds: f64) -> String {
    pick(
        format!("reading {name} took longer than {seconds} s, so it was stopped"),
        format!("việc đọc {name} kéo dài hơn {seconds} s, nên đã bị dừng"),
    )
}

/// osi-trace's own reason for not reading a capture.
pub fn osi_trace_could_not_read(name: &str, why: &str) -> String {
    pick(format!("osi-trace could not read {name}: {why}"), format!("osi-trace không đọc được {name}: {why}"))
}

/// A file that could not be read (the system's reason follows).
pub fn cannot_read(name: &str) -> String {
    pick(format!("cannot read {name}"), format!("không đọc được {name}"))
}

/// A student's file that is a symbolic link.
pub fn symlink(name: &str) -> String {
    pick(
        format!("{name} is a symbolic link, not read: hand in the file itself"),
        format!("{name} là một symbolic link, không được đọc: hãy nộp chính file đó"),
    )
}

/// A student's file that is a device, a FIFO or a folder.
pub fn not_regular(name: &str) -> String {
    pick(
        format!("{name} is not a regular file, not read"),
        format!("{name} không phải là file thường, không được đọc"),
    )
}

/// A student's empty capture.
pub fn empty(name: &str) -> String {
    pick(format!("{name} is empty"), format!("{name} rỗng"))
}

/// An answers file past the limit.
pub fn answers_too_long(name: &str, kib: u64) -> Hinted {
    kit::hinted(
        pick(format!("{name} holds more than {kib} KiB"), format!("{name} chứa hơn {kib} KiB")),
        pick(
            "an answers file is a few `key = value` lines".to_string(),
            "một file câu trả lời chỉ gồm vài dòng `key = value`".to_string(),
        ),
    )
}

/// An answers file that is not text.
pub fn not_text(name: &str) -> String {
    pick(
        format!("{name} is not text (UTF-8 or UTF-16); save it as UTF-8 text"),
        format!("{name} không phải văn bản (UTF-8 hay UTF-16); hãy lưu nó thành văn bản UTF-8"),
    )
}

/// The class folder could not be listed.
pub fn cannot_read_folder(folder: &str) -> String {
    pick(format!("cannot read the folder {folder}"), format!("không đọc được thư mục {folder}"))
}

/// A class folder with more students than one class.
pub fn too_many_students(folder: &str, max: usize) -> Hinted {
    kit::hinted(
        pick(
            format!("{folder} holds more than {max} students' files"),
            format!("{folder} chứa file của hơn {max} học sinh"),
        ),
        pick("give the folder of one class".to_string(), "hãy đưa thư mục của một lớp".to_string()),
    )
}

/// The results folder exists already (`folder`: a folder, else a file).
pub fn results_exist(out: &str, folder: bool) -> Hinted {
    kit::hinted(
        pick(
            format!("{out} already exists ({}): not written over", if folder { "folder" } else { "file" }),
            format!("{out} đã tồn tại ({}): không ghi đè", if folder { "thư mục" } else { "file" }),
        ),
        pick(
            "give a new folder with --out, or --force to replace the results of an earlier grading"
                .to_string(),
            "hãy đưa một thư mục mới bằng --out, hoặc --force để thay kết quả của một lần chấm trước"
                .to_string(),
        ),
    )
}

/// `--force` on a folder that holds no earlier results.
pub fn no_earlier_results(out: &str, csv: &str) -> Hinted {
    kit::hinted(
        pick(
            format!("{out} holds no earlier {csv}: not replaced, even with --force"),
            format!("{out} không chứa {csv} nào từ trước: không thay thế, kể cả với --force"),
        ),
        pick("give a new folder with --out".to_string(), "hãy đưa một thư mục mới bằng --out".to_string()),
    )
}

/// The folder the results would go in does not exist.
pub fn no_parent(parent: &str, out: &str) -> Hinted {
    kit::hinted(
        pick(
            format!("no folder {parent} to write {out} in"),
            format!("không có thư mục {parent} để ghi {out} vào"),
        ),
        pick(
            "create it first, or give --out in an existing folder".to_string(),
            "hãy tạo nó trước, hoặc đưa --out trong một thư mục đã có".to_string(),
        ),
    )
}

/// Something about the results folder failed; `what` says what (the system's reason follows).
/// The folder `--out` would be made in refuses a new folder (no write permission, a
/// read-only file system): said before any student is graded.
pub fn cannot_write_in(parent: &str, out: &str, why: &str) -> Hinted {
    kit::hinted(
        pick(
            format!("cannot write {out}: cannot create a folder in {parent}: {why}"),
            format!("không ghi được {out}: không tạo được thư mục trong {parent}: {why}"),
        ),
        pick(
            "give --out in a folder you may write, e.g. --out ~/grades".to_string(),
            "hãy đưa --out trong một thư mục bạn được ghi, ví dụ --out ~/grades".to_string(),
        ),
    )
}

pub fn results_failed(what: ResultsStep, path: &str) -> String {
    match what {
        ResultsStep::Look => pick(format!("cannot look at {path}"), format!("không xem được {path}")),
        ResultsStep::CreateBeside => pick(
            format!("cannot create a folder beside {path}"),
            format!("không tạo được thư mục bên cạnh {path}"),
        ),
        ResultsStep::Write => pick(format!("cannot write {path}"), format!("không ghi được {path}")),
        ResultsStep::MoveAside => {
            pick(format!("cannot move {path} aside"), format!("không dời được {path} sang bên"))
        }
        ResultsStep::Rename => pick(
            format!("cannot rename the results to {path}"),
            format!("không đổi tên được kết quả thành {path}"),
        ),
        ResultsStep::Remove => pick(format!("cannot remove {path}"), format!("không xoá được {path}")),
        ResultsStep::NoName => {
            pick(format!("{path} names no folder"), format!("{path} không chỉ tới thư mục nào"))
        }
    }
}

/// The steps of writing the results, as [`results_failed`] names them.
#[derive(Debug, Clone, Copy)]
pub enum ResultsStep {
    Look,
    CreateBeside,
    Write,
    MoveAside,
    Rename,
    Remove,
    NoName,
}
