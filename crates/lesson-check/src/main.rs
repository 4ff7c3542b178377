//! `lesson-check answers LESSON PCAP [ANSWERS]`: a lesson's exercise, checked on a
//! capture. Without ANSWERS it lists the questions; with a file of `key = value`
//! lines it marks each answer right or wrong, with the reason, from `osi-trace --json`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use lesson_check::answers::{mark, parse_answers, render};
use lesson_check::exercises::{exercise, Trace, LESSONS};

const USAGE: &str = "usage: lesson-check answers LESSON PCAP [ANSWERS]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lesson-check: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let (lesson, pcap, answers) = match args.as_slice() {
        [cmd, lesson, pcap] if cmd == "answers" => (lesson, pcap, None),
        [cmd, lesson, pcap, answers] if cmd == "answers" => (lesson, pcap, Some(answers)),
        _ => bail!("{USAGE}; hint: e.g. `lesson-check answers 03 hello.pcap` lists lesson 3's questions"),
    };
    let Some(questions) = exercise(lesson) else {
        bail!("lesson {lesson:?} has no checked exercise; hint: these do: {}", LESSONS.join(", "));
    };
    let trace = read_capture(Path::new(pcap))?;
    let Some(answers) = answers else {
        println!("Lesson {lesson}: answer from {pcap}, one `key = value` line each, in a file:");
        for q in questions {
            println!("  {} — {}", q.key, q.text);
        }
        println!("then: lesson-check answers {lesson} {pcap} FILE");
        return Ok(());
    };
    let text = std::fs::read_to_string(answers).with_context(|| format!("read {answers}"))?;
    let marks = mark(questions, &parse_answers(&text).with_context(|| format!("in {answers}"))?, &trace)?;
    for m in &marks {
        println!("{}", render(m));
    }
    println!("{} of {} right", marks.iter().filter(|m| m.right).count(), marks.len());
    Ok(())
}

/// The capture's rows, as `osi-trace --read PCAP --json` prints them.
fn read_capture(pcap: &Path) -> Result<Trace> {
    if !pcap.is_file() {
        bail!("no capture file {}; hint: record one as the lesson shows (`osi-trace … --write FILE`), or use the reference capture in lessons/captures/", pcap.display());
    }
    let out = Command::new(osi_trace())
        .arg("--read")
        .arg(pcap)
        .args(["--json", "--color", "never"])
        .output()
        .context(
            "run osi-trace; hint: build the kit (`cargo build --release`) and put target/release on PATH",
        )?;
    if !out.status.success() {
        bail!("osi-trace could not read {}: {}", pcap.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(Trace::from_json_lines(&String::from_utf8_lossy(&out.stdout)))
}

/// `osi-trace` next to this program (both are built into target/<profile>), else from PATH.
fn osi_trace() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("osi-trace")));
    beside.filter(|p| p.is_file()).unwrap_or_else(|| PathBuf::from("osi-trace"))
}
