//! `lesson-check answers LESSON PCAP [ANSWERS]`: a lesson's exercise, checked on a
//! capture. Without ANSWERS it lists the questions; with a file of `key = value`
//! lines it marks each answer right or wrong, with the reason, from `osi-trace
//! --json`, read line by line as it comes (a capture of any size, in bounded memory).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use lesson_check::answers::{check_keys, mark, parse_answers, render, MAX_ANSWERS_FILE};
use lesson_check::exercises::reading::answer_all;
use lesson_check::exercises::{exercise, lesson_number, LESSONS};

/// Checks a lesson's exercise on a capture.
#[derive(Parser)]
#[command(version, about, after_help = EXIT_STATUS)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Lists a lesson's questions; with ANSWERS, marks each answer from the capture.
    #[command(after_help = EXIT_STATUS)]
    Answers {
        /// The lesson: its number, 1 to 99 (`3` or `03`); lessons 1 to 12 have an exercise.
        #[arg(allow_hyphen_values = true)]
        lesson: String,
        /// The capture to answer from (pcap or pcapng, as `osi-trace --write` records it).
        pcap: PathBuf,
        /// A file of `key = value` lines, one per question (`#` starts a comment).
        answers: Option<PathBuf>,
    },
}

const EXIT_STATUS: &str = "\
Exit status:
  0  every answer right (or the questions listed)
  1  some answer wrong, not answered, answered twice, or not told by the capture
  2  unusable input: a lesson that is not a number from 1 to 99, no such capture
     or answers file, a line that is not `key = value`, a key the exercise
     does not ask";

fn main() -> ExitCode {
    let Cmd::Answers { lesson, pcap, answers } = kit::parse_args::<Args>().command;
    match run(&lesson, &pcap, answers.as_deref()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{}", kit::error_line("lesson-check", &e));
            ExitCode::from(2)
        }
    }
}

/// Lists or marks; `Ok(false)` when some answer is not right.
fn run(lesson: &str, pcap: &Path, answers: Option<&Path>) -> Result<bool> {
    let Some(number) = lesson_number(lesson) else {
        bail!(kit::hinted(
            format!("lesson {lesson:?} is not a lesson number"),
            "write it in digits, from 1 to 99, e.g. `lesson-check answers 03 hello.pcap`"
        ));
    };
    let Some(questions) = exercise(number) else {
        bail!(kit::hinted(
            format!("lesson {number} has no checked exercise"),
            format!("these do: {}", LESSONS.join(", "))
        ));
    };
    if !pcap.is_file() {
        bail!(kit::hinted(
            format!("no capture file {}", kit::escape_path(pcap)),
            "record one as the lesson shows (`osi-trace … --write FILE`), or use the reference capture in lessons/captures/"
        ));
    }
    let Some(answers) = answers else {
        // The capture is read once all the same: a damaged one is said now, not after the work.
        each_row(pcap, &mut |_| {})?;
        let shown = kit::escape_path(pcap);
        let shown = shown.trim_matches('"');
        println!("Lesson {lesson}: answer from {shown}, one `key = value` line each, in a file:");
        for q in questions {
            println!("  {} — {}", q.key, q.text);
        }
        println!("then: lesson-check answers {lesson} {shown} FILE");
        return Ok(true);
    };
    let text = read_answers(answers)?;
    let given = parse_answers(&text).with_context(|| format!("in {}", kit::escape_path(answers)))?;
    // A typo in a key is said before the capture is read.
    check_keys(questions, &given).with_context(|| format!("in {}", kit::escape_path(answers)))?;
    let readers: Vec<_> = questions.iter().map(|q| q.answer).collect();
    let expected = answer_all(&readers, |f| each_row(pcap, f))?;
    let marks = mark(questions, &given, &expected)?;
    for m in &marks {
        println!("{}", render(m));
    }
    let right = marks.iter().filter(|m| m.right).count();
    println!("{right} of {} right", marks.len());
    Ok(right == marks.len())
}

/// The answers file's text, refused past [`MAX_ANSWERS_FILE`] bytes (read up to
/// one byte more, never all: it may be a pipe or a device).
fn read_answers(path: &Path) -> Result<String> {
    let what = || format!("cannot read {}", kit::escape_path(path));
    let file = std::fs::File::open(path).with_context(what)?;
    let mut bytes = Vec::new();
    file.take(MAX_ANSWERS_FILE + 1).read_to_end(&mut bytes).with_context(what)?;
    if bytes.len() as u64 > MAX_ANSWERS_FILE {
        bail!(kit::hinted(
            format!("{} holds more than {} KiB", kit::escape_path(path), MAX_ANSWERS_FILE >> 10),
            "an answers file is a few `key = value` lines"
        ));
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not text (UTF-8)", kit::escape_path(path)))
}

/// Calls `f` with each row of `osi-trace --read PCAP --json`, as it comes.
fn each_row(pcap: &Path, f: &mut dyn FnMut(&serde_json::Value)) -> Result<()> {
    let mut child = Command::new(osi_trace())
        .arg("--read")
        .arg(pcap)
        .args(["--json", "--color", "never"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context(
            "run osi-trace; hint: build the kit (`cargo build --release`) and put target/release on PATH",
        )?;
    // Its stderr (a few lines: counts, warnings) is read meanwhile, so it never blocks.
    let stderr = child.stderr.take().context("osi-trace's stderr")?;
    let said = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.take(64 << 10).read_to_string(&mut text);
        text
    });
    let stdout = child.stdout.take().context("osi-trace's stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading osi-trace's output")?;
        if let Ok(row) = serde_json::from_str(&line) {
            f(&row);
        }
    }
    let status = child.wait().context("waiting for osi-trace")?;
    let said = said.join().unwrap_or_default();
    if !status.success() {
        let why = said.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        let why = why.strip_prefix("osi-trace: error: ").unwrap_or(why);
        bail!("osi-trace could not read {}: {why}", kit::escape_path(pcap));
    }
    Ok(())
}

/// `osi-trace` next to this program (both are built into target/<profile>), else from PATH.
fn osi_trace() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("osi-trace")));
    beside.filter(|p| p.is_file()).unwrap_or_else(|| PathBuf::from("osi-trace"))
}
