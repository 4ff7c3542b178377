//! `lesson-check answers LESSON PCAP [ANSWERS]`: a lesson's exercise, checked on a
//! capture. Without ANSWERS it lists the questions; with a file of `key = value`
//! lines it marks each answer right or wrong, with the reason, from `osi-trace
//! --json`, read line by line as it comes (a capture of any size, in bounded memory).
//! `lesson-check grade LESSON FOLDER --out RESULTS`: the same for a whole class.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use lesson_check::answers::{mark, parse_answers, render, render_stray};
use lesson_check::capture::{self, Limits};
use lesson_check::exercises::{exercise, lesson_number, Question, LESSONS};
use lesson_check::grade::{grade_class as grade_all, read_answers, Options};
use lesson_check::words::{self, errors, marks};
use lesson_check::{class, report, results};

/// Checks a lesson's exercise on a capture, for one student or a class.
#[derive(Parser)]
#[command(version, about, after_help = EXIT_STATUS)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
    /// The language of the marks, reports and errors: en or vi (default: the first of LC_ALL,
    /// LC_MESSAGES, LANG that is set; one starting with `vi` is Vietnamese). Keys, answers and
    /// the CSV's columns are the same in both.
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    lang: Option<kit::Lang>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Lists a lesson's questions; with ANSWERS, marks each answer from the capture.
    #[command(after_help = EXIT_STATUS)]
    Answers {
        /// The lesson: its number, 1 to 99 (`3` or `03`); lessons 1 to 17 have an exercise.
        #[arg(allow_hyphen_values = true)]
        lesson: String,
        /// The capture to answer from (pcap or pcapng, as `osi-trace --write` records it).
        pcap: PathBuf,
        /// A file of `key = value` lines, one per question (`#` starts a comment).
        answers: Option<PathBuf>,
    },
    /// Grades a class: FOLDER holds each student's NAME.pcap and NAME.answers; writes
    /// RESULTS/grades.csv (a row per student, a column per question) and RESULTS/NAME.txt,
    /// a report for each student.
    #[command(after_help = GRADE_HELP)]
    Grade {
        /// The lesson: its number, 1 to 99 (`3` or `03`).
        #[arg(allow_hyphen_values = true)]
        lesson: String,
        /// The folder of submissions: NAME.pcap (or .pcapng) and NAME.answers (or
        /// NAME.answers.txt) per student; other files and subfolders are left alone.
        folder: PathBuf,
        /// The folder to write the results to; it must not exist (see --force).
        #[arg(long, value_name = "RESULTS")]
        out: PathBuf,
        /// Mark a student who handed in no capture against this one (e.g. the lesson's reference capture).
        #[arg(long, value_name = "PCAP")]
        capture: Option<PathBuf>,
        /// Put the right answers, and why, in the students' reports (hidden by default).
        #[arg(long)]
        show_answers: bool,
        /// Replace RESULTS when it holds an earlier grading (its grades.csv).
        #[arg(long)]
        force: bool,
        /// A capture bigger than this many MiB is not read; its student's report says so.
        #[arg(long, value_name = "MIB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
        max_capture: u64,
        /// Reading one student's capture stops after this long (e.g. 60, 2.5, 500ms).
        #[arg(long, value_name = "SECS", default_value = "30", value_parser = kit::duration::positive_seconds)]
        time_limit: Duration,
    },
}

const EXIT_STATUS: &str = "\
Exit status:
  0  every answer right (or the questions listed)
  1  some answer wrong, not answered, answered twice, or not told by the capture
  2  unusable input: a lesson that is not a number from 1 to 99, no such capture
     or answers file, an answers file that is not text";

const GRADE_HELP: &str = "\
Example: lesson-check grade 03 class/ --out grades/ --capture lessons/captures/03-hello.pcap

Exit status:
  0  every student's every answer right
  1  some student with an answer wrong or not answered, or a file that could
     not be used (the student's row and report say which)
  2  unusable input: a lesson that is not a number from 1 to 99, no such
     folder, no submission in it, RESULTS exists (without --force), or the
     results could not be written";

fn main() -> ExitCode {
    kit::quiet_on_broken_pipe();
    let args = kit::parse_args::<Args>();
    kit::Lang::resolve(args.lang).apply();
    let outcome = match args.command {
        Cmd::Answers { lesson, pcap, answers } => run(&lesson, &pcap, answers.as_deref()),
        Cmd::Grade { lesson, folder, out, capture, show_answers, force, max_capture, time_limit } => {
            let limits = Limits { max_bytes: Some(max_capture << 20), time: Some(time_limit) };
            let opts = Options { lesson, fallback: capture, limits };
            grade_class(&opts, &folder, &out, show_answers, force)
        }
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{}", kit::error_line("lesson-check", &e));
            ExitCode::from(2)
        }
    }
}

/// The exercise of lesson `lesson`, as the user typed it.
fn questions_of(lesson: &str) -> Result<&'static [Question]> {
    let Some(number) = lesson_number(lesson) else {
        bail!(errors::not_a_lesson(lesson));
    };
    let Some(questions) = exercise(number) else {
        bail!(errors::no_exercise(number, &LESSONS.join(", ")));
    };
    Ok(questions)
}

/// Lists or marks; `Ok(false)` when some answer is not right.
fn run(lesson: &str, pcap: &Path, answers: Option<&Path>) -> Result<bool> {
    let questions = questions_of(lesson)?;
    if !pcap.is_file() {
        bail!(errors::no_capture_file_hinted(&kit::escape_path(pcap)));
    }
    let name = kit::escape_path(pcap);
    let Some(answers) = answers else {
        // The capture is read once all the same: a damaged one is said now, not after the work.
        capture::each_row(pcap, &name, None, &mut |_| {})?;
        let shown = name.trim_matches('"');
        println!("{}", marks::listing_head(lesson, shown));
        for q in questions {
            println!("  {} — {}", q.key, q.asked());
        }
        println!("{}", marks::listing_tail(lesson, shown));
        return Ok(true);
    };
    let text = read_answers(answers, &kit::escape_path(answers))?;
    let given = parse_answers(&text);
    let expected = capture::answers(questions, pcap, &name, Limits::NONE)?;
    let marking = mark(questions, &given, &expected);
    for m in &marking.marks {
        println!("{}", render(m, true));
    }
    let keys: Vec<&str> = questions.iter().map(|q| q.key).collect();
    for s in &marking.stray {
        println!("{}", render_stray(s, &keys));
    }
    println!("{}", marks::score(marking.right(), marking.marks.len()));
    Ok(marking.all_right())
}

/// Grades every student of `folder`, writes the results; `Ok(false)` when some
/// student is not all right.
fn grade_class(opts: &Options, folder: &Path, out: &Path, reveal: bool, force: bool) -> Result<bool> {
    let questions = questions_of(&opts.lesson)?;
    let class = class::read_class(folder)?;
    if class.students.is_empty() {
        bail!(errors::no_submission(&kit::escape_path(folder)));
    }
    if let Some(teacher) = &opts.fallback {
        if !teacher.is_file() {
            bail!(errors::no_capture_file(&kit::escape_path(teacher)));
        }
    }
    // The results are refused now, not after the class is graded.
    results::check(out, force)?;
    let keys: Vec<&str> = questions.iter().map(|q| q.key).collect();
    let graded = grade_all(questions, opts, class.students, |g| {
        let problems =
            if g.problems.is_empty() { String::new() } else { format!("; {}", g.problems.join("; ")) };
        // A closed stdout (`| head`) costs the lines, never the grading: the results are still written.
        let line = words::report::student_line(
            &g.student.shown(),
            g.marking.right(),
            g.marking.marks.len(),
            &problems,
        );
        let _ = writeln!(std::io::stdout(), "{line}");
    });
    let mut csv = report::csv_header(questions);
    let mut files = Vec::new();
    let mut names = std::collections::HashSet::new();
    for g in &graded {
        csv.push_str(&report::csv_row(g));
        let name = report::report_name(&g.student.shown(), &mut names);
        files.push((name, report::report(&opts.lesson, g, &keys, reveal, opts.limits)));
    }
    let count = graded.len();
    let all_right = graded.iter().filter(|g| g.marking.all_right() && g.problems.is_empty()).count();
    files.push((results::CSV.to_string(), csv));
    results::write(out, force, &files)?;
    let shown = kit::escape_path(out);
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        words::report::written(count, all_right, results::CSV, shown.trim_matches('"'))
    );
    if class.ignored > 0 {
        let folder = kit::escape_path(folder);
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            words::report::left_alone(class.ignored, folder.trim_matches('"'))
        );
    }
    Ok(all_right == count)
}
