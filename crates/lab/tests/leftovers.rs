//! A lab killed outright (SIGKILL) cannot remove its scratch folder; the next
//! run, or `lab.sh --clean`, removes it, and only folders whose owner process
//! is gone. `TMPDIR` points the lab at a temporary folder of the test's own.

use std::path::Path;
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

/// A folder as a lab leaves it, owned by `owner` ("PID START").
fn fake_lab(tmp: &Path, name: &str, owner: Option<&str>) -> anyhow::Result<()> {
    let dir = tmp.join(name);
    std::fs::create_dir(&dir)?;
    std::fs::write(dir.join("link1.pcap"), "a capture")?;
    if let Some(owner) = owner {
        std::fs::write(dir.join(".lab-owner"), format!("{owner}\n"))?;
    }
    Ok(())
}

/// This test process's start time, field 22 of /proc/self/stat.
fn my_start() -> anyhow::Result<String> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or_default();
    rest.split_whitespace().nth(19).map(str::to_string).ok_or_else(|| anyhow::anyhow!("no start time"))
}

#[test]
fn a_killed_labs_folder_is_removed_by_clean_or_the_next_run_and_only_its() -> anyhow::Result<()> {
    let test = "a_killed_labs_folder_is_removed_by_clean_or_the_next_run_and_only_its";
    if !harness::require(test, Need::Netns) {
        return Ok(());
    }
    let tmp = tempfile::tempdir()?;
    let mut cmd = lab_sh(tmp.path());
    cmd.args(["--", "bash", "-c", "echo \"READY $LAB_DIR\"; sleep 60"]);
    let mut lab = harness::Server::spawn_until(cmd, |l| l.starts_with("READY "))?;
    let killed = labs(tmp.path())?;
    assert_eq!(killed.len(), 1, "{killed:?}");
    lab.kill()?; // SIGKILL: its EXIT trap never runs
    harness::wait::until("the killed lab's namespace to go", Duration::from_secs(20), || {
        Ok(!lab.is_running())
    })?;
    assert_eq!(labs(tmp.path())?, killed, "left behind");

    let me = format!("{} {}", std::process::id(), my_start()?);
    fake_lab(tmp.path(), "lab.alive1", Some(&me))?;
    fake_lab(tmp.path(), "lab.nowner", None)?;
    fake_lab(tmp.path(), "lab.reused", Some(&format!("{} 1", std::process::id())))?;
    fake_lab(tmp.path(), "lab.nopid1", Some("4194305 1"))?;

    let mut clean = lab_sh(tmp.path());
    clean.arg("--clean");
    let out = harness::run(clean, b"", Duration::from_secs(60))?;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(said.lines().count(), 3, "{said}");
    for gone in [&killed[0], "lab.reused", "lab.nopid1"] {
        assert!(said.contains(&format!("{gone}: its lab was killed")), "{said}");
    }
    // A live owner's folder and one without an owner are not the lab's to remove.
    assert_eq!(labs(tmp.path())?, ["lab.alive1", "lab.nowner"]);

    fake_lab(tmp.path(), "lab.nopid2", Some("4194305 1"))?;
    let mut next = lab_sh(tmp.path());
    next.args(["--", "true"]);
    let out = harness::run(next, b"", Duration::from_secs(60))?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(labs(tmp.path())?, ["lab.alive1", "lab.nowner"], "the next run removed it, and its own");
    Ok(())
}
