//! A lab killed outright (SIGKILL) cannot remove its scratch folder; the next
//! run, or `lab.sh --clean`, removes it, and only folders whose lab is gone
//! (nothing holds the lock on their `.lab-owner`, whatever namespace the lab ran
//! in). `TMPDIR` points the lab at a temporary folder of the test's own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::Need;

/// The `lab.*` folders in `tmp`, sorted.
fn labs(tmp: &Path) -> anyhow::Result<Vec<String>> {
    let mut n = Vec::new();
    for e in std::fs::read_dir(tmp)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if name.starts_with("lab.") {
            n.push(name);
        }
    }
    n.sort();
    Ok(n)
}

fn lab_sh(tmp: &Path) -> Command {
    let mut cmd = Command::new(lab::lab_sh());
    let bin = harness::bin("client");
    for name in ["server-basic", "osi-trace"] {
        harness::bin(name);
    }
    cmd.env("TMPDIR", tmp).env("KIT_BIN_DIR", bin.parent().unwrap_or(Path::new(".")));
    cmd
}

/// A folder as a lab leaves it, with its `.lab-owner` (unlocked: its lab is gone) or without.
fn fake_lab(tmp: &Path, name: &str, owner: bool) -> anyhow::Result<PathBuf> {
    let dir = tmp.join(name);
    std::fs::create_dir(&dir)?;
    std::fs::write(dir.join("link1.pcap"), "a capture")?;
    if owner {
        std::fs::write(dir.join(".lab-owner"), "")?;
    }
    Ok(dir.join(".lab-owner"))
}

/// Whether `file` is locked (flock) by some process.
fn locked(file: &Path) -> anyhow::Result<bool> {
    let out = Command::new("flock").arg("-n").arg(file).arg("true").status()?;
    Ok(!out.success())
}

#[test]
fn a_killed_labs_folder_is_removed_by_clean_or_the_next_run_and_only_its() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns) {
        return Ok(());
    }
    let tmp = tempfile::tempdir()?;
    // A lab started in a PID namespace of its own, as lesson-check's sessions run: from
    // here its processes cannot be seen, and its folder must be kept all the same.
    let inner = lab_sh(tmp.path());
    let mut cmd = Command::new("unshare");
    if !harness::can_capture() {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--pid", "--fork", "--kill-child", "--mount-proc"]).arg(inner.get_program());
    cmd.envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))));
    cmd.args(["--", "bash", "-c", "echo \"READY $LAB_DIR\"; sleep 60"]);
    let mut lab = harness::Server::spawn_until(cmd, |l| l.starts_with("READY "))?;
    let killed = labs(tmp.path())?;
    assert_eq!(killed.len(), 1, "{killed:?}");
    let mut clean = lab_sh(tmp.path());
    clean.arg("--clean");
    let out = harness::run(clean, b"", Duration::from_secs(60))?;
    assert!(out.status.success() && out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(labs(tmp.path())?, killed, "a running lab's folder is kept");
    lab.kill()?; // SIGKILL: its EXIT trap never runs
    harness::wait::until("the killed lab's namespace to go", Duration::from_secs(20), || {
        Ok(!lab.is_running())
    })?;
    assert_eq!(labs(tmp.path())?, killed, "left behind");

    // A lab still running, seen from another namespace: its lock is held (here by flock(1)).
    let alive = fake_lab(tmp.path(), "lab.alive1", true)?;
    let mut holder = Command::new("flock").arg(&alive).args(["sleep", "120"]).spawn()?;
    harness::wait::until("the lock to be held", Duration::from_secs(10), || locked(&alive))?;
    fake_lab(tmp.path(), "lab.nowner", false)?;
    fake_lab(tmp.path(), "lab.dead01", true)?;

    let mut clean = lab_sh(tmp.path());
    clean.arg("--clean");
    let out = harness::run(clean, b"", Duration::from_secs(60))?;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(said.lines().count(), 2, "{said}");
    for gone in [&killed[0], "lab.dead01"] {
        assert!(said.contains(&format!("{gone}: its lab was killed")), "{said}");
    }
    // A live owner's folder and one without an owner are not the lab's to remove.
    assert_eq!(labs(tmp.path())?, ["lab.alive1", "lab.nowner"]);

    fake_lab(tmp.path(), "lab.dead02", true)?;
    let mut next = lab_sh(tmp.path());
    next.args(["--", "true"]);
    let out = harness::run(next, b"", Duration::from_secs(60))?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(labs(tmp.path())?, ["lab.alive1", "lab.nowner"], "the next run removed it, and its own");
    holder.kill()?;
    holder.wait()?;
    Ok(())
}
