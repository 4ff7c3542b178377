//! The lab with a class, on real terminals (tmux panes): in the interactive lab every
//! line a program prints carries its host; `--tmux` gives one pane per host; Ctrl-C
//! stops a `--scenario` run and the demo's lab runs; a wrong `--out`, a missing
//! `--scenario` name and `--help` answer at once and cleanly; `--theme light` colours
//! what the lab shows for a white background.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use harness::tmux::Screen;
use harness::Need;

const WAIT: Duration = Duration::from_secs(60);

fn bins() -> String {
    for name in ["server-basic", "osi-trace"] {
        harness::bin(name);
    }
    harness::bin("client").parent().expect("a folder").display().to_string()
}

fn needs(test: &str) -> bool {
    harness::require_all(test, &[Need::Netns, Need::Tool("tmux")])
}

#[test]
fn the_interactive_lab_labels_each_line_with_its_host() -> anyhow::Result<()> {
    if !needs(&harness::test_name!()) {
        return Ok(());
    }
    let cmd = format!("{}; echo LAB-EXIT $?", lab::lab_sh().display());
    let screen = Screen::start(120, 40, &cmd, &[("KIT_BIN_DIR", &bins())])?;
    screen.wait_for("lab ", WAIT)?;
    screen.keys(&["on server server-basic --host 0.0.0.0 &", "Enter"])?;
    screen.wait_for("server │ READY", WAIT)?;
    screen.keys(&["on client client --host $LAB_SERVER", "Enter"])?;
    screen.wait_for("one client served, exiting", WAIT)?;
    screen.keys(&["exit", "Enter"])?;
    screen.wait_for("LAB-EXIT 0", WAIT)?;
    let all = screen.history()?;
    let said: Vec<&str> = all.lines().filter(|l| l.contains("[L") || l.contains("Received")).collect();
    assert!(said.len() >= 12, "{all}");
    // (A line may follow the shell's prompt, which a background server's output does not wait for.)
    for line in &said {
        assert!(line.contains("server │ ") || line.contains("client │ "), "no host on {line:?}:\n{all}");
    }
    assert!(said.iter().any(|l| l.contains("server │ [L4] accept()")), "{all}");
    assert!(said.iter().any(|l| l.contains("client │ Received \"Hello\"")), "{all}");
    Ok(())
}

#[test]
fn lab_tmux_gives_each_host_a_pane_of_its_own() -> anyhow::Result<()> {
    if !needs(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("run");
    let cmd = format!("{} --tmux --out {}; echo LAB-EXIT $?", lab::lab_sh().display(), out.display());
    let screen = Screen::start(160, 40, &cmd, &[("KIT_BIN_DIR", &bins())])?;
    let sock = out.join(".tmux");
    let inner = |args: &[&str]| -> anyhow::Result<String> {
        let o = Command::new("tmux").arg("-S").arg(&sock).args(args).output()?;
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let titles = || inner(&["list-panes", "-t", "lab", "-F", "#{pane_index} #{pane_title}"]);
    harness::wait::until("the lab's three panes, titled", WAIT, || Ok(titles()?.contains("2 server")))?;
    let titles = titles()?;
    for (i, host) in [(0, "client 10.0.1.2"), (1, "router"), (2, "server 10.0.2.2")] {
        assert!(titles.contains(&format!("{i} {host}")), "{titles}");
    }
    // Each pane is a shell on its host: the server in its pane, the client in its own.
    screen.wait_for("server 10.0.2.2 ·", WAIT)?;
    inner(&["send-keys", "-t", "lab:0.2", "server-basic --host 0.0.0.0", "Enter"])?;
    harness::wait::until("the server's READY", WAIT, || {
        Ok(inner(&["capture-pane", "-p", "-t", "lab:0.2"])?.contains("READY 0.0.0.0:65432"))
    })?;
    inner(&["send-keys", "-t", "lab:0.0", "client --host $LAB_SERVER", "Enter"])?;
    harness::wait::until("the client's echo", WAIT, || {
        Ok(inner(&["capture-pane", "-p", "-t", "lab:0.0"])?.contains("Received \"Hello\""))
    })?;
    let server = inner(&["capture-pane", "-p", "-t", "lab:0.2"])?;
    let client = inner(&["capture-pane", "-p", "-t", "lab:0.0"])?;
    assert!(server.contains("accept() → connected by 10.0.1.2:"), "{server}");
    assert!(!server.contains("Received"), "the client's lines in the server's pane:\n{server}");
    assert!(!client.contains("accept()"), "the server's lines in the client's pane:\n{client}");
    // The panes ask a real shell of their host.
    inner(&["send-keys", "-t", "lab:0.1", "ip -br addr show eth1", "Enter"])?;
    harness::wait::until("the router's address", WAIT, || {
        Ok(inner(&["capture-pane", "-p", "-t", "lab:0.1"])?.contains("10.0.2.1/24"))
    })?;
    // Exiting every pane's shell ends the lab, and its socket goes with it.
    harness::wait::until("every pane closed", WAIT, || {
        let _ = inner(&["send-keys", "-t", "lab:0.0", "exit", "Enter"]);
        Ok(screen.text()?.contains("LAB-EXIT 0"))
    })?;
    assert!(!sock.exists(), "the lab's tmux socket is left behind");
    Ok(())
}

/// Starts `command` on a screen, waits for `shown`, types Ctrl-C: the run ends within
/// 5 s with status 130 and does not go on to `not_after`.
fn ctrl_c_stops(command: &str, shown: &str, not_after: &str) -> anyhow::Result<()> {
    let cmd = format!("{command}; echo RUN-EXIT $?");
    let screen = Screen::start(120, 40, &cmd, &[("KIT_BIN_DIR", &bins())])?;
    screen.wait_for(shown, WAIT)?;
    screen.keys(&["C-c"])?;
    let pressed = Instant::now();
    let last = screen.wait_for("RUN-EXIT", Duration::from_secs(15))?;
    assert!(pressed.elapsed() < Duration::from_secs(5), "Ctrl-C took {:?}:\n{last}", pressed.elapsed());
    assert!(last.contains("RUN-EXIT 130"), "{last}");
    assert!(!screen.history()?.contains(not_after), "the run went on after Ctrl-C:\n{last}");
    Ok(())
}

#[test]
fn ctrl_c_stops_a_scenario_and_the_demos_lab_runs() -> anyhow::Result<()> {
    if !needs(&harness::test_name!()) {
        return Ok(());
    }
    let lab = lab::lab_sh().display().to_string();
    // rto's client waits 8 s for its data to be acknowledged: Ctrl-C in that wait.
    ctrl_c_stops(&format!("{lab} --scenario rto"), "[L7] send 5 bytes", "client done after")?;
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/demo.sh");
    ctrl_c_stops(
        &format!(
            "bash {} --only lab --no-pause --out {}",
            demo.display(),
            tempfile::tempdir()?.path().display()
        ),
        "Lab scenario 'echo'",
        "the network lab: bulk",
    )
}

#[test]
fn lab_sh_answers_a_wrong_out_a_missing_name_and_help_at_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder")?;
    let lab = |args: &[&str]| -> anyhow::Result<(i32, String, String, Duration)> {
        let mut cmd = Command::new(lab::lab_sh());
        cmd.env("KIT_BIN_DIR", bins()).args(args);
        let started = Instant::now();
        let run = harness::run(cmd, b"", Duration::from_secs(60))?;
        let out = String::from_utf8_lossy(&run.stdout).into_owned();
        let err = String::from_utf8_lossy(&run.stderr).into_owned();
        Ok((run.status.code().unwrap_or(-1), out, err, started.elapsed()))
    };
    let (code, _, err, took) = lab(&["--out", &file.display().to_string(), "--", "true"])?;
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("lab.sh: cannot create the folder") && err.lines().count() == 1, "{err}");
    assert!(took < Duration::from_secs(5), "a wrong --out took {took:?}");
    assert_eq!(std::fs::read_to_string(&file)?, "not a folder");

    for args in [&["--scenario"][..], &["--scenario", "--out", "x"], &["--out"]] {
        let (code, _, err, _) = lab(args)?;
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("lab.sh: --") && err.contains(" needs "), "{args:?}: {err}");
        assert!(!err.contains("line "), "{args:?}: {err}");
    }

    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench.sh");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/demo.sh");
    for script in [lab::lab_sh(), bench, demo] {
        let run = harness::run(
            {
                let mut c = Command::new(&script);
                c.arg("--help");
                c
            },
            b"",
            Duration::from_secs(10),
        )?;
        let help = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "{}: {help}", script.display());
        assert!(help.lines().count() > 5, "{}: {help}", script.display());
        assert!(!help.contains("set -e") && !help.contains("#!"), "{}: {help}", script.display());
    }
    Ok(())
}

#[test]
fn lab_sh_uses_the_built_kit_where_it_cannot_build() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns, Need::Unprivileged) {
        return Ok(());
    }
    // A clone's target/ that the student cannot write, with the kit built in release/.
    let target = tempfile::tempdir()?;
    let release = target.path().join("release");
    std::fs::create_dir(&release)?;
    let bin_dir = bins();
    for name in ["client", "server-basic", "osi-trace"] {
        std::fs::copy(Path::new(&bin_dir).join(name), release.join(name))?;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(target.path(), std::fs::Permissions::from_mode(0o755))?;
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .arg(lab::lab_sh())
        .env_remove("KIT_BIN_DIR")
        .env("CARGO_TARGET_DIR", target.path())
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .args(["--", "bash", "-c", "command -v client && client --version"]);
    let run = harness::run(cmd, b"", Duration::from_secs(60))?;
    let out = String::from_utf8_lossy(&run.stdout);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{out}{err}");
    assert!(out.contains(&release.join("client").display().to_string()), "{out}{err}");
    Ok(())
}

/// `lab.sh --theme light --scenario bulk` on an 80×24 terminal (over a COLORFGBG that says
/// black): the hop view in the kit's inks for white (its changed fields in the yellow for
/// white, 130), not the ones for black, without any basic colour; every line fits 80 columns;
/// the client's 1 MiB of random bytes summed up, not a line of \xNN.
#[test]
fn lab_sh_bulk_on_a_light_80_column_terminal() -> anyhow::Result<()> {
    if !needs(&harness::test_name!()) {
        return Ok(());
    }
    let cmd = format!("{} --theme light --scenario bulk; echo LAB-EXIT $?", lab::lab_sh().display());
    let screen = Screen::start(80, 24, &cmd, &[("KIT_BIN_DIR", &bins()), ("COLORFGBG", "15;0")])?;
    screen.wait_for("LAB-EXIT", WAIT)?;
    let all = screen.history_in_colour()?;
    assert!(all.contains("LAB-EXIT 0"), "{all}");
    assert!(harness::sgr::uses_xterm(&all, 130), "no yellow for white (130):\n{all}");
    assert!(!harness::sgr::uses_xterm(&all, 220), "the yellow for black (220):\n{all}");
    assert_eq!(harness::sgr::basic_colours(&all), Vec::<u16>::new(), "basic colours on the screen:\n{all}");
    let plain = screen.history()?;
    let wide = harness::tmux::too_wide(&plain, 80);
    assert!(wide.is_empty(), "lines that wrap at 80 columns: {wide:#?}");
    let received = plain.lines().find(|l| l.starts_with("Received ")).unwrap_or_default();
    assert!(received.starts_with("Received 1048576 bytes of binary data: "), "{plain}");
    assert!(!plain.contains("\\x"), "a line of \\xNN:\n{plain}");
    Ok(())
}
