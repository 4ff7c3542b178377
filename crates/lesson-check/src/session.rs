//! Running lessons' console blocks for real: one `bash` session in fresh network,
//! PID and mount namespaces (its own `/proc`), so that port 65432 is free, a capture on
//! `lo` sees only the lessons, `pgrep` sees only their processes, and every process
//! they started dies with the session. Several lessons can share one session, in
//! order, as a student types them; after each, whatever it left running is reported.

use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::language::Language;
use crate::matching::missing_lines;
use crate::parse::{Command, Lesson};

/// What `COLUMNS` holds in the lesson's shell. A student's interactive bash keeps
/// it as a shell variable and does not export it, so the programs a lesson runs do
/// not see it ([`Columns::Unset`]); some shells and scripts export it
/// ([`Columns::Exported`]). A lesson must read the same in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    Unset,
    Exported(u16),
}

/// What running one lesson found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One message per command whose output or exit status does not match the lesson,
    /// and one for the processes the lesson left running.
    pub failures: Vec<String>,
    /// How many commands ran.
    pub ran: usize,
    /// What each command printed (stdout and stderr merged), for `bless`.
    pub outputs: Vec<Vec<String>>,
    /// Processes still running when the lesson's last command had finished (`pid name`).
    pub left_running: Vec<String>,
}

/// Runs every command of `lesson` in `workdir` with `bin_dir` first on PATH, in a
/// session of its own, in the locale of `language`'s student, and compares what they
/// print with what the lesson shows.
/// Fails (rather than reporting mismatches) when the session itself cannot run.
pub fn run_lesson(
    lesson: &Lesson,
    workdir: &Path,
    bin_dir: &Path,
    limit: Duration,
    columns: Columns,
    language: &Language,
) -> Result<Outcome> {
    run_lessons(&[lesson], workdir, bin_dir, limit, columns, language)?
        .pop()
        .context("one lesson, one outcome")
}

/// Runs `lessons` one after another in *one* session (one shell, one working
/// directory, one network and PID namespace), as a student who follows them in
/// order, and returns one outcome per lesson: a lesson that leaves a program
/// running, or depends on an earlier one, shows up here.
pub fn run_lessons(
    lessons: &[&Lesson],
    workdir: &Path,
    bin_dir: &Path,
    limit: Duration,
    columns: Columns,
    language: &Language,
) -> Result<Vec<Outcome>> {
    let marker = format!(
        "@@lesson-check-{}",
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    );
    let per_lesson: Vec<Vec<&Command>> =
        lessons.iter().map(|l| l.blocks.iter().flat_map(|b| &b.commands).collect()).collect();
    let mut bash = namespaced_bash()?;
    bash.arg("-c")
        .arg(script(&per_lesson, &marker))
        .current_dir(workdir)
        .env("PATH", path_with(bin_dir))
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The student's environment, not the test runner's.
    match columns {
        Columns::Unset => bash.env_remove("COLUMNS"),
        Columns::Exported(n) => bash.env("COLUMNS", n.to_string()),
    };
    language.apply(&mut bash);
    let output = run_bounded(bash, limit)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let sections = Sections::read(&stdout, &marker);

    let mut outcomes = Vec::new();
    let mut index = 0;
    for (j, commands) in per_lesson.iter().enumerate() {
        let mut outcome = Outcome::default();
        for cmd in commands {
            let Some((lines, status)) = sections.commands.get(&index) else {
                outcome.failures.push(format!(
                    "line {}: `{}` never finished (session stopped; stderr: {})",
                    cmd.at,
                    cmd.line,
                    stderr.trim()
                ));
                break;
            };
            index += 1;
            outcome.ran += 1;
            compare(cmd, lines, *status, &mut outcome.failures);
            outcome.outputs.push(lines.clone());
        }
        if let Some(left) = sections.left.get(&j).filter(|l| !l.is_empty()) {
            outcome.failures.push(format!(
                "the lesson leaves running (stop what it starts, e.g. `S=$!` … `kill $S`):\n    {}",
                left.join("\n    ")
            ));
            outcome.left_running = left.clone();
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Adds a failure when `cmd` did not print its shown lines, or exited other than shown.
fn compare(cmd: &Command, lines: &[String], status: Option<i32>, failures: &mut Vec<String>) {
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let missing = missing_lines(&cmd.expected, &lines);
    if !missing.is_empty() {
        failures.push(format!(
            "line {}: `{}` did not print, in this order:\n    {}\n  it printed:\n    {}",
            cmd.at,
            cmd.line,
            missing.join("\n    "),
            lines.join("\n    ")
        ));
    }
    // kit's error line: `error:`, or `lỗi:` from a program speaking Vietnamese (osi-trace).
    let should_fail = cmd.expected.iter().any(|l| l.contains("error:") || l.contains("lỗi:"));
    match (status, should_fail) {
        (Some(0), true) => {
            failures.push(format!("line {}: `{}` succeeded, but the lesson shows an error", cmd.at, cmd.line))
        }
        (Some(code), false) if code != 0 => failures.push(format!(
            "line {}: `{}` exited {code}:\n    {}",
            cmd.at,
            cmd.line,
            lines.join("\n    ")
        )),
        _ => {}
    }
}

/// Lists the processes of the session other than its shell, waiting up to 2 s
/// for them to go (a program just sent `kill` needs a moment to exit).
/// Only builtins run while listing, so the listing never sees itself.
const LEFT_RUNNING: &str = r#"left_running() {
  local p c s out
  for _ in $(seq 40); do
    out=
    for p in /proc/[0-9]*; do
      p=${p#/proc/}
      [ "$p" = "$$" ] && continue
      read -r _ c s _ < "/proc/$p/stat" 2>/dev/null || continue
      [ "$s" = Z ] && continue
      out+="$p $c"$'\n'
    done
    [ -z "$out" ] && return
    sleep 0.05
  done
  printf %s "$out"
}
"#;

/// The bash script: each command between markers, its output and stderr merged in
/// order; after each lesson, what it left running.
fn script(lessons: &[Vec<&Command>], marker: &str) -> String {
    let mut s = format!("ip link set lo up\n{LEFT_RUNNING}");
    let mut i = 0;
    for (j, commands) in lessons.iter().enumerate() {
        for cmd in commands {
            s.push_str(&format!("echo '{marker} begin {i}'\n"));
            if is_cargo(&cmd.line) {
                // The suite has just built the kit; building it again inside the test is not needed.
                s.push_str(&format!("echo '{marker} end {i} 0'\n"));
                i += 1;
                continue;
            }
            let files = redirect_targets(&cmd.line);
            let awaited = is_background(&cmd.line) && !files.is_empty() && !cmd.line.contains(NO_READY);
            if awaited {
                // The command empties these files anyway; emptied now, a READY line an earlier
                // program left in one (lessons in sequence share a folder) is not taken for its own.
                let fresh = truncated_targets(&cmd.line);
                if !fresh.is_empty() {
                    s.push_str(&format!("rm -f -- {}\n", fresh.join(" ")));
                }
            }
            s.push_str(&format!("{{ {}\n}} 2>&1 </dev/null\n", cmd.line));
            s.push_str(&format!("echo \"{marker} end {i} $?\"\n"));
            if awaited {
                // Wait, at most 20 s, for the background program's READY line.
                s.push_str(&format!(
                    "for _ in $(seq 400); do grep -qs '^READY' {} && break; sleep 0.05; done\n",
                    files.join(" ")
                ));
            }
            i += 1;
        }
        s.push_str(&format!("echo '{marker} left {j}'\nleft_running\necho '{marker} leftend {j}'\n"));
    }
    s.push_str("kill $(jobs -p) 2>/dev/null; wait 2>/dev/null\n");
    s
}

/// The comment a lesson puts after a background program that prints no READY
/// line (the article's own code): the lesson then waits in its own way.
pub const NO_READY: &str = "# no READY line";

fn is_cargo(line: &str) -> bool {
    line.trim_start().starts_with("cargo ")
}

/// Whether a command line runs its program in the background: it ends in `&`,
/// or in `& VAR=$!` (the lesson keeps the PID to stop the program later).
fn is_background(line: &str) -> bool {
    let line = line.rsplit_once(" # ").map_or(line, |(code, _)| code);
    let line = line.trim_end().trim_end_matches(';').trim_end();
    let line = match line.rsplit_once(' ') {
        Some((head, last)) if last.ends_with("=$!") => head.trim_end(),
        _ => line,
    };
    line.ends_with('&') && !line.ends_with("&&")
}

/// Files a command line redirects its output to (`> f`, `2> f`, `&> f`, `>> f`).
fn redirect_targets(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut files = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_start_matches(['1', '2', '&']);
        if let Some(rest) = w.strip_prefix(">>").or_else(|| w.strip_prefix('>')) {
            let target = if rest.is_empty() { words.get(i + 1).copied() } else { Some(rest) };
            if let Some(t) = target.filter(|t| !t.starts_with('&') && *t != "&") {
                files.push(t.to_string());
            }
        }
    }
    files
}

/// The files of `line` that a redirection empties (`>`, not `>>`, which appends).
fn truncated_targets(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let appended: Vec<&str> = words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let rest = w.trim_start_matches(['1', '2', '&']).strip_prefix(">>")?;
            if rest.is_empty() {
                words.get(i + 1).copied()
            } else {
                Some(rest)
            }
        })
        .collect();
    redirect_targets(line).into_iter().filter(|f| !appended.contains(&f.as_str())).collect()
}

/// The session's stdout cut at the markers.
#[derive(Debug, Default)]
struct Sections {
    /// Command index → its lines and exit status.
    commands: std::collections::BTreeMap<usize, (Vec<String>, Option<i32>)>,
    /// Lesson index → the processes it left running.
    left: std::collections::BTreeMap<usize, Vec<String>>,
}

impl Sections {
    fn read(stdout: &str, marker: &str) -> Sections {
        let mut sections = Sections::default();
        let mut current: Option<Vec<String>> = None;
        for line in stdout.lines() {
            if let Some(rest) = line.strip_prefix(marker) {
                let words: Vec<&str> = rest.split_whitespace().collect();
                match words.as_slice() {
                    ["begin", _] | ["left", _] => current = Some(Vec::new()),
                    ["end", i, code] => {
                        if let Ok(i) = i.parse() {
                            sections
                                .commands
                                .insert(i, (current.take().unwrap_or_default(), code.parse().ok()));
                        }
                    }
                    ["leftend", j] => {
                        if let Ok(j) = j.parse() {
                            // Only `pid (name)` lines: a background program may print here too.
                            let mut lines = current.take().unwrap_or_default();
                            lines.retain(|l| is_process_line(l));
                            sections.left.insert(j, lines);
                        }
                    }
                    _ => {}
                }
            } else if let Some(lines) = current.as_mut() {
                lines.push(strip_ansi(line));
            }
        }
        sections
    }
}

/// A line of `left_running`: `7 (server-loop)`.
fn is_process_line(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(pid, name)| {
        pid.bytes().all(|b| b.is_ascii_digit()) && name.starts_with('(') && name.ends_with(')')
    })
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn path_with(bin_dir: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", bin_dir.display())
}

/// `bash` in new network, PID and mount namespaces with its own `/proc`: as root
/// directly, otherwise inside a new user namespace where the user holds
/// CAP_NET_RAW over its own `lo`.
fn namespaced_bash() -> Result<Process> {
    let root = Process::new("id").arg("-u").output().map(|o| o.stdout.trim_ascii() == b"0").unwrap_or(false);
    let mut cmd = Process::new("unshare");
    if !root {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--net", "--pid", "--fork", "--kill-child", "--mount-proc", "bash"]);
    Ok(cmd)
}

fn run_bounded(mut cmd: Process, limit: Duration) -> Result<std::process::Output> {
    let child = cmd.spawn().context("spawn the lesson's bash session")?;
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(limit);
        // The whole PID namespace dies with its first process (--kill-child).
        let _ = Process::new("kill").args(["-KILL", &pid.to_string()]).status();
    });
    let output = child.wait_with_output().context("wait for the lesson's bash session")?;
    drop(watchdog);
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_are_found_in_every_form() {
        assert_eq!(redirect_targets("server-basic > server.log &"), ["server.log"]);
        assert_eq!(redirect_targets("osi-trace --port 1 >trace.txt 2>err.txt &"), ["trace.txt", "err.txt"]);
        assert_eq!(redirect_targets("x &> all.log &"), ["all.log"]);
        assert!(redirect_targets("x 2>&1 | head").is_empty());
    }

    #[test]
    fn only_files_a_redirection_empties_are_emptied_before() {
        assert_eq!(truncated_targets("osi-trace >trace.txt 2> err.txt &"), ["trace.txt", "err.txt"]);
        assert!(truncated_targets("server-loop >> server.log &").is_empty());
        assert_eq!(truncated_targets("x >> a.log 2>b.log &"), ["b.log"]);
    }

    #[test]
    fn background_commands_may_keep_their_pid() {
        assert!(is_background("server-loop > server.log &"));
        assert!(is_background("server-loop > server.log & S=$!"));
        assert!(is_background("osi-trace > t.txt 2> c.log & T=$!;"));
        assert!(is_background("python3 article.py 2> server.log & S=$!   # no READY line"));
        assert!(!is_background("a && b"));
        assert!(!is_background("kill $S"));
    }

    #[test]
    fn sections_split_at_markers() {
        let out = "M begin 0\na\nb\nM end 0 0\nM begin 1\nM end 1 3\nM left 0\n7 (server-loop)\nReceived \"x\"\nM leftend 0\n";
        let s = Sections::read(out, "M");
        assert_eq!(s.commands.len(), 2);
        assert_eq!(s.commands[&0], (vec!["a".to_string(), "b".to_string()], Some(0)));
        assert_eq!(s.commands[&1], (vec![], Some(3)));
        assert_eq!(s.left[&0], ["7 (server-loop)"]);
    }

    #[test]
    fn ansi_colours_are_removed() {
        assert_eq!(strip_ansi("\x1b[1;33m[L4]\x1b[0m x"), "[L4] x");
    }
}
