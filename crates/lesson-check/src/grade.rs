//! Grading a class: each student's answers marked against the student's own
//! capture (or, for one who handed in none, the teacher's), within the limits of
//! [`Limits`], so that no one file — a 10 GB capture, a device, a link to
//! another file — can stall the class or leak into a report. What goes wrong
//! with one student's files is said in that student's row and report; the others
//! are graded all the same.

use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{bail, Context, Result};

use crate::answers::{self, mark, parse_answers, Answers, Marking, MAX_ANSWERS_FILE};
use crate::capture::{self, Limits};
use crate::class::Submission;
use crate::exercises::Question;
use crate::words::{errors, report as words};

/// How a class is graded.
#[derive(Debug, Clone)]
pub struct Options {
    /// The lesson, as the teacher wrote it (`03`).
    pub lesson: String,
    /// The capture to mark against when a student handed in none.
    pub fallback: Option<PathBuf>,
    pub limits: Limits,
}

/// Which capture a student's answers were marked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Against {
    /// The student's own.
    Own(PathBuf),
    /// The teacher's `--capture`: the student handed in none.
    Fallback(PathBuf),
    /// None could be read: nothing is marked right.
    Nothing,
}

/// One student, graded.
#[derive(Debug)]
pub struct Graded {
    pub student: Submission,
    pub marking: Marking,
    pub against: Against,
    /// What was wrong with the files handed in, one line each (the file names escaped).
    pub problems: Vec<String>,
}

/// The teacher's `--capture` and its answers (or why it could not be read): read
/// once for the whole class, and only if some student handed in no capture.
pub type Teacher = Option<(PathBuf, std::result::Result<Vec<Option<String>>, String>)>;

fn teacher(questions: &[Question], opts: &Options, students: &[Submission]) -> Teacher {
    let path = opts.fallback.as_ref().filter(|_| students.iter().any(|s| s.captures.is_empty()))?;
    let read =
        capture::answers(questions, path, &kit::escape_path(path), opts.limits).map_err(|e| format!("{e:#}"));
    Some((path.clone(), read))
}

/// The most students graded at once: each is an osi-trace reading a capture.
pub const WORKERS: usize = 4;

/// Grades every student of a class, a few at a time (one osi-trace each, up to
/// the machine's cores, at most [`WORKERS`]); `done` is called for each student
/// in the class's order, as soon as that one and all before it are graded.
pub fn grade_class(
    questions: &[Question],
    opts: &Options,
    students: Vec<Submission>,
    done: impl FnMut(&Graded) + Send,
) -> Vec<Graded> {
    let teacher = teacher(questions, opts, &students);
    let count = students.len();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, WORKERS).min(count);
    let queue = Mutex::new(students.into_iter().enumerate());
    // The graded students by place in the class, how many went to `done` so far, and `done`.
    let slots: Vec<Option<Graded>> = std::iter::repeat_with(|| None).take(count).collect();
    let board = Mutex::new((slots, 0, done));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                let Some((place, student)) = next else { break };
                let graded = grade(questions, opts.limits, &teacher, student);
                let mut board = board.lock().unwrap_or_else(PoisonError::into_inner);
                let (slots, shown, done) = &mut *board;
                slots[place] = Some(graded);
                while let Some(Some(g)) = slots.get(*shown) {
                    done(g);
                    *shown += 1;
                }
            });
        }
    });
    let (slots, ..) = board.into_inner().unwrap_or_else(PoisonError::into_inner);
    slots.into_iter().flatten().collect()
}

/// Grades one student's submission.
pub fn grade(questions: &[Question], limits: Limits, teacher: &Teacher, student: Submission) -> Graded {
    let mut problems = Vec::new();
    let answers = match student.answers.as_slice() {
        [] => {
            problems.push(words::no_answers_file(&student.shown()));
            Answers::default()
        }
        [one] => match read_submitted(one) {
            Ok(text) => parse_answers(&text),
            Err(e) => {
                problems.push(kit::escape_controls(&format!("{e:#}")));
                Answers::default()
            }
        },
        many => {
            problems.push(words::many_answers_files(many.len(), &names(many)));
            Answers::default()
        }
    };
    let (expected, against) = match (student.captures.as_slice(), teacher) {
        ([one], _) => match own_capture(questions, one, limits) {
            Ok(expected) => (expected, Against::Own(one.clone())),
            Err(e) => {
                problems.push(kit::escape_controls(&format!("{e:#}")));
                (vec![None; questions.len()], Against::Nothing)
            }
        },
        ([], Some((path, Ok(expected)))) => (expected.clone(), Against::Fallback(path.clone())),
        ([], Some((_, Err(e)))) => {
            problems.push(e.clone());
            (vec![None; questions.len()], Against::Nothing)
        }
        ([], None) => {
            problems.push(words::no_capture_handed_in(&student.shown()));
            (vec![None; questions.len()], Against::Nothing)
        }
        (many, _) => {
            problems.push(words::many_captures(many.len(), &names(many)));
            (vec![None; questions.len()], Against::Nothing)
        }
    };
    let marking = mark(questions, &answers, &expected);
    Graded { student, marking, against, problems }
}

/// File names, escaped, for a problem line.
fn names(files: &[PathBuf]) -> String {
    let names: Vec<String> = files.iter().map(|f| file_name(f)).collect();
    names.join(", ")
}

/// A file's name (not its folder), as a student recognises it as theirs: only what
/// cannot be shown escaped ([`kit::escape_name`]).
pub fn file_name(path: &Path) -> String {
    kit::escape_name(path.file_name().map_or(path.as_os_str(), |n| n).as_bytes())
}

/// A student's file is read only if it is a regular file: not a link (it could
/// point at any file of the teacher's, whose lines would end up in a report),
/// not a device or a FIFO (which could block or never end).
fn check_submitted(path: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(path).with_context(|| errors::cannot_read(&file_name(path)))?;
    if meta.file_type().is_symlink() {
        bail!(errors::symlink(&file_name(path)));
    }
    if !meta.is_file() {
        bail!(errors::not_regular(&file_name(path)));
    }
    Ok(())
}

fn own_capture(questions: &[Question], pcap: &Path, limits: Limits) -> Result<Vec<Option<String>>> {
    check_submitted(pcap)?;
    if std::fs::metadata(pcap).is_ok_and(|m| m.len() == 0) {
        bail!(errors::empty(&file_name(pcap)));
    }
    capture::answers(questions, pcap, &file_name(pcap), limits)
}

fn read_submitted(path: &Path) -> Result<String> {
    check_submitted(path)?;
    read_answers(path, &file_name(path))
}

/// An answers file's text, refused past [`MAX_ANSWERS_FILE`] bytes (read up to
/// one byte more, never all: it may be a pipe or a device); UTF-8 or UTF-16,
/// its byte order mark dropped ([`answers::text::decode`]). Errors name it `name`.
pub fn read_answers(path: &Path, name: &str) -> Result<String> {
    let what = || errors::cannot_read(name);
    let file = std::fs::File::open(path).with_context(what)?;
    let mut bytes = Vec::new();
    file.take(MAX_ANSWERS_FILE + 1).read_to_end(&mut bytes).with_context(what)?;
    if bytes.len() as u64 > MAX_ANSWERS_FILE {
        bail!(errors::answers_too_long(name, MAX_ANSWERS_FILE >> 10));
    }
    answers::text::decode(&bytes).with_context(|| errors::not_text(name))
}
