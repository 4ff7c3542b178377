//! Running a lesson's console blocks for real: one `bash` session in a fresh
//! network (and PID) namespace, so that port 65432 is free, a capture on `lo`
//! sees only this lesson, and every process the lesson started dies with it.

use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::matching::missing_lines;
use crate::parse::{Command, Lesson};

/// What running a lesson found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One message per command whose output or exit status does not match the lesson.
    pub failures: Vec<String>,
    /// How many commands ran.
    pub ran: usize,
}

/// Runs every command of `lesson` in `workdir` with `bin_dir` first on PATH,
/// inside new namespaces, and compares what they print with what the lesson shows.
/// Fails (rather than reporting mismatches) when the session itself cannot run.
pub fn run_lesson(lesson: &Lesson, workdir: &Path, bin_dir: &Path, limit: Duration) -> Result<Outcome> {
    let commands: Vec<&Command> = lesson.blocks.iter().flat_map(|b| &b.commands).collect();
    let marker = format!(
        "@@lesson-check-{}",
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    );
    let script = script(&commands, &marker);
    let mut bash = namespaced_bash()?;
    bash.arg("-c")
        .arg(script)
        .current_dir(workdir)
        .env("PATH", path_with(bin_dir))
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = run_bounded(bash, limit)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut outcome = Outcome::default();
    let sections = split_by_marker(&stdout, &marker);
    for (i, cmd) in commands.iter().enumerate() {
        let Some((lines, status)) = sections.get(i) else {
            outcome.failures.push(format!(
                "line {}: `{}` never finished (session stopped; stderr: {})",
                cmd.at,
                cmd.line,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
            break;
        };
        outcome.ran += 1;
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let missing = missing_lines(&cmd.expected, &lines);
        if !missing.is_empty() {
            outcome.failures.push(format!(
                "line {}: `{}` did not print, in this order:\n    {}\n  it printed:\n    {}",
                cmd.at,
                cmd.line,
                missing.join("\n    "),
                lines.join("\n    ")
            ));
        }
        let should_fail = cmd.expected.iter().any(|l| l.contains("error:"));
        match (*status, should_fail) {
            (Some(0), true) => outcome
                .failures
                .push(format!("line {}: `{}` succeeded, but the lesson shows an error", cmd.at, cmd.line)),
            (Some(code), false) if code != 0 => outcome.failures.push(format!(
                "line {}: `{}` exited {code}:\n    {}",
                cmd.at,
                cmd.line,
                lines.join("\n    ")
            )),
            _ => {}
        }
    }
    Ok(outcome)
}

/// The bash script: each command between markers, its output and stderr merged in order.
fn script(commands: &[&Command], marker: &str) -> String {
    let mut s = String::from("ip link set lo up\n");
    for (i, cmd) in commands.iter().enumerate() {
        s.push_str(&format!("echo '{marker} begin {i}'\n"));
        if is_cargo(&cmd.line) {
            // The suite has just built the kit; building it again inside the test is not needed.
            s.push_str(&format!("echo '{marker} end {i} 0'\n"));
            continue;
        }
        s.push_str(&format!("{{ {}\n}} 2>&1 </dev/null\n", cmd.line));
        s.push_str(&format!("echo \"{marker} end {i} $?\"\n"));
        let files = redirect_targets(&cmd.line);
        if cmd.line.trim_end().ends_with('&') && !files.is_empty() {
            // Wait, at most 20 s, for the background program's READY line.
            s.push_str(&format!(
                "for _ in $(seq 400); do grep -qs '^READY' {} && break; sleep 0.05; done\n",
                files.join(" ")
            ));
        }
    }
    s.push_str("kill $(jobs -p) 2>/dev/null; wait 2>/dev/null\n");
    s
}

fn is_cargo(line: &str) -> bool {
    line.trim_start().starts_with("cargo ")
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

/// Splits the session's stdout into each command's lines and exit status.
fn split_by_marker(stdout: &str, marker: &str) -> Vec<(Vec<String>, Option<i32>)> {
    let mut sections = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix(marker) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                ["begin", _] => current = Some(Vec::new()),
                ["end", _, code] => {
                    sections.push((current.take().unwrap_or_default(), code.parse().ok()));
                }
                _ => {}
            }
        } else if let Some(lines) = current.as_mut() {
            lines.push(strip_ansi(line));
        }
    }
    sections
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

/// `bash` in new network and PID namespaces: as root directly, otherwise
/// inside a new user namespace where the user holds CAP_NET_RAW over its own `lo`.
fn namespaced_bash() -> Result<Process> {
    let root = Process::new("id").arg("-u").output().map(|o| o.stdout.trim_ascii() == b"0").unwrap_or(false);
    let mut cmd = Process::new("unshare");
    if !root {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--net", "--pid", "--fork", "--kill-child", "bash"]);
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
    fn sections_split_at_markers() {
        let out = "M begin 0\na\nb\nM end 0 0\nM begin 1\nM end 1 3\n";
        let s = split_by_marker(out, "M");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], (vec!["a".to_string(), "b".to_string()], Some(0)));
        assert_eq!(s[1], (vec![], Some(3)));
    }

    #[test]
    fn ansi_colours_are_removed() {
        assert_eq!(strip_ansi("\x1b[1;33m[L4]\x1b[0m x"), "[L4] x");
    }
}
