//! Every flag of every program of the workspace (echo-bench medians and
//! osi-trace --programs with --html included), and the values the scripts
//! echo back, given hostile values: negative, not a number, infinite, too big
//! for any integer, empty, invalid UTF-8, control characters and ESC sequences.
//! Nothing panics, every run ends by itself, and no raw control character (an
//! ESC sequence could retitle or clear the terminal) reaches stdout or stderr.
//! The flags are read from each program's own `--help`, so a new flag is walked
//! too. Each run is in a network namespace of its own (nothing listens, nothing
//! leaves) and a temporary working folder (a file a flag names lands there).

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::Need;

/// The values every flag gets.
fn hostile() -> Vec<OsString> {
    let text = [
        "-1",
        "nan",
        "inf",
        "-inf",
        "1e309",
        "18446744073709551615",
        "-18446744073709551616",
        "0",
        "",
        " ",
        "1e-400",
        "0x10",
        "\x1b]0;pwned\x07\x1b[2J",
        "\x1b[31mred",
        "\u{9b}2J",
        "a\nb\rc",
        "\x7f\x08",
        "\u{202e}txt.exe",
        "-",
        "%s%n",
    ];
    let mut all: Vec<OsString> = text.iter().map(OsString::from).collect();
    all.push(OsStr::from_bytes(b"\xff\xfe\x1b[2J").to_os_string());
    all
}

/// A program, the subcommand walked (if any), and the flags given besides
/// the one walked, so that a run ends by itself: a capture file to read, a
/// port nobody listens on, an address a server cannot bind.
struct Program {
    name: &'static str,
    sub: Option<&'static str>,
    base: Vec<(&'static str, String)>,
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../osi-trace/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into()
}

fn programs(results: &Path) -> Vec<Program> {
    let p = |name, sub, base: &[(&'static str, String)]| Program { name, sub, base: base.to_vec() };
    let server = [("--host", "192.0.2.1".to_string())];
    let port = [("--port", "1".to_string())];
    let class = results.with_file_name("class").to_string_lossy().into_owned();
    let results = results.to_string_lossy().into_owned();
    vec![
        p("osi-trace", None, &[("--read", fixture("three-clients.pcap"))]),
        p("client", None, &port),
        p("server-basic", None, &server),
        p("server-loop", None, &server),
        p("server-threads", None, &server),
        p("server-select", None, &server),
        p("server-epoll", None, &server),
        p("server-tokio", None, &server),
        p("echo-bench", Some("pingpong"), &port),
        p("echo-bench", Some("bulk"), &port),
        p("echo-bench", Some("churn"), &port),
        p("echo-bench", Some("chart"), &[("--input", results.clone()), ("--output", "chart.svg".into())]),
        p("echo-bench", Some("medians"), &[("--input", results)]),
        // Its positionals first (a lesson, a class of one), then each flag in turn.
        p("lesson-check", Some("grade"), &[("03", class), ("--out", "grades".into())]),
    ]
}

/// The long flags of `name [sub] --help` that take a value.
fn value_flags(name: &str, sub: Option<&str>) -> anyhow::Result<Vec<String>> {
    let mut cmd = Command::new(harness::bin(name));
    cmd.args(sub).arg("--help");
    let out = harness::run(cmd, b"", Duration::from_secs(30))?;
    anyhow::ensure!(out.status.success(), "{name} --help failed");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut flags = Vec::new();
    for line in help.lines().map(str::trim_start).filter(|l| l.starts_with('-')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| w.starts_with("--")) else { continue };
        let takes_value = words.get(at + 1).is_some_and(|w| w.starts_with('<') || w.starts_with("[<"));
        if takes_value {
            flags.push(words[at].trim_end_matches(',').to_string());
        }
    }
    anyhow::ensure!(!flags.is_empty(), "no flag with a value in {name}'s help:\n{help}");
    Ok(flags)
}

/// What is wrong with one run's output, if anything.
fn trouble(out: &Output) -> Option<String> {
    let all = [&out.stdout[..], &out.stderr[..]].concat();
    let raw = all.iter().any(|&b| matches!(b, 0..=8 | 0x0b..=0x1f | 0x7f))
        || all.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]));
    let text = String::from_utf8_lossy(&all);
    if out.status.code() == Some(101) || text.contains("panicked") {
        return Some(format!("panicked: {text}"));
    }
    if out.status.code().is_none() {
        return Some(format!("killed by a signal ({}): {text}", out.status));
    }
    raw.then(|| format!("a raw control character reached the terminal: {:?}", text))
}

/// Runs `program args…` in a network namespace of its own, from `cwd`, until
/// it ends, or until it says READY (a server the values let start: it serves,
/// as asked, and is stopped here), or for at most a minute.
fn run(program: &Path, args: &[OsString], cwd: &Path, env: &[(&str, &OsStr)]) -> anyhow::Result<Output> {
    let mut cmd = Command::new("unshare");
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { nix::libc::geteuid() } != 0 {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--net", "--fork", "--kill-child", "--"]).arg(program).args(args).current_dir(cwd);
    cmd.envs(env.iter().copied()).env("NO_COLOR", "1");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let stdout = gather(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = gather(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let ready = || stdout.0.lock().map(|o| o.windows(6).any(|w| w == b"READY ")).unwrap_or(false);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if ready() || Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (out, err) = (stdout.1.join().unwrap_or_default(), stderr.1.join().unwrap_or_default());
    match status {
        Some(status) => Ok(Output { status, stdout: out, stderr: err }),
        // Stopped here after its READY line: it ended well (exit 0), whatever the kill says.
        None if out.windows(6).any(|w| w == b"READY ") => {
            Ok(Output { status: std::process::ExitStatus::from_raw(0), stdout: out, stderr: err })
        }
        None => anyhow::bail!(
            "still running after a minute, without a READY line: {}",
            String::from_utf8_lossy(&err)
        ),
    }
}

/// Reads a pipe to its end on a thread; what came so far is in the shared buffer.
fn gather(pipe: Option<Box<dyn Read + Send>>) -> (Arc<Mutex<Vec<u8>>>, std::thread::JoinHandle<Vec<u8>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&got);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        if let Some(mut pipe) = pipe {
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                if let Ok(mut all) = into.lock() {
                    all.extend_from_slice(&buf[..n]);
                }
            }
        }
        into.lock().map(|all| all.clone()).unwrap_or_default()
    });
    (got, reader)
}

/// Walks the cases on a few threads; the failures, one line each.
fn walk(cases: Vec<(PathBuf, Vec<OsString>)>, cwd: &Path, env: &[(&str, &OsStr)]) -> Vec<String> {
    let chunks: Vec<Vec<(PathBuf, Vec<OsString>)>> = {
        let mut c: Vec<Vec<_>> = (0..4).map(|_| Vec::new()).collect();
        for (i, case) in cases.into_iter().enumerate() {
            c[i % 4].push(case);
        }
        c
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    let mut failed = Vec::new();
                    for (program, args) in chunk {
                        let what = format!("{} {:?}", program.display(), args);
                        match run(&program, &args, cwd, env) {
                            Ok(out) => failed.extend(trouble(&out).map(|t| format!("{what}: {t}"))),
                            Err(e) => failed.push(format!("{what}: {e}")),
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| vec!["a walker panicked".into()]))
            .collect()
    })
}

#[test]
fn no_flag_value_panics_hangs_or_reaches_the_terminal_raw() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let results = dir.path().join("results.jsonl");
    std::fs::write(
        &results,
        "{\"label\":\"a\",\"conns\":1,\"msgs_per_sec\":10,\"p99_us\":5,\"stalled\":null}\n",
    )?;
    // lesson-check grade's class: one student.
    std::fs::create_dir(dir.path().join("class"))?;
    std::fs::copy(fixture("three-clients.pcap"), dir.path().join("class/a.pcap"))?;
    std::fs::write(dir.path().join("class/a.answers"), "segments = 1\n")?;
    let mut cases = Vec::new();
    let mut walked = 0;
    for p in programs(&results) {
        let bin = harness::bin(p.name);
        for flag in value_flags(p.name, p.sub)? {
            walked += 1;
            for value in hostile() {
                let mut args: Vec<OsString> = p.sub.iter().map(OsString::from).collect();
                for (f, v) in p.base.iter().filter(|(f, _)| *f != flag) {
                    args.extend([OsString::from(f), OsString::from(v)]);
                }
                let mut both = OsString::from(format!("{flag}="));
                both.push(&value);
                args.push(both);
                cases.push((bin.clone(), args));
            }
        }
    }
    // lesson-check's arguments are positional: each in turn.
    let lesson_check = harness::bin("lesson-check");
    harness::bin("osi-trace");
    let pcap = OsString::from(fixture("three-clients.pcap"));
    for value in hostile() {
        for args in [
            vec![value.clone(), pcap.clone()],
            vec!["03".into(), value.clone()],
            vec!["03".into(), pcap.clone(), value.clone()],
        ] {
            cases.push((lesson_check.clone(), [vec![OsString::from("answers")], args].concat()));
        }
    }
    // --programs is echoed back only when a page is written: walked with --html too.
    let osi_trace = harness::bin("osi-trace");
    for value in hostile() {
        let mut programs = OsString::from("--programs=");
        programs.push(&value);
        let args =
            ["--read".into(), pcap.clone(), "--html".into(), "page.html".into(), "--force".into(), programs];
        cases.push((osi_trace.clone(), args.to_vec()));
    }
    let mut failed = walk(cases, dir.path(), &[]);
    eprintln!("walked {walked} flags and lesson-check's arguments with {} values each", hostile().len());

    // The scripts: what they echo back of a bad value is quoted, never raw.
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let bin_dir = harness::bin("client").parent().map(Path::to_path_buf).unwrap_or_default();
    let mut cases = Vec::new();
    // "0" is a valid number for these flags (it would start a lab or a demo): not hostile there.
    for value in hostile().into_iter().filter(|v| v != "0") {
        for flag in
            ["--loss", "--loss-up", "--loss-down", "--rate", "--queue", "--mtu", "--delay", "--scenario"]
        {
            cases.push((scripts.join("lab.sh"), vec![flag.into(), value.clone()]));
        }
        cases.push((scripts.join("lab.sh"), vec![value.clone()]));
        cases.push((scripts.join("demo.sh"), vec!["--only".into(), value.clone()]));
        cases.push((scripts.join("demo.sh"), vec![value.clone()]));
        for script in ["bench.sh", "bench-trace.sh", "screenshots.sh"] {
            cases.push((scripts.join(script), vec![value.clone()]));
        }
    }
    let env = [("KIT_BIN_DIR", bin_dir.as_os_str()), ("TMPDIR", dir.path().as_os_str())];
    failed.extend(walk(cases, dir.path(), &env));
    assert!(failed.is_empty(), "{} runs went wrong:\n{}", failed.len(), failed.join("\n"));
    Ok(())
}
