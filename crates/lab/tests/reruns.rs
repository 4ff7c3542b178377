//! A lab run typed again with the same `--out` (lesson 14's exercise) works: it goes
//! to a fresh numbered folder and says so, the earlier run's captures untouched;
//! `--force` puts it into the same folder, replacing them.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use harness::Need;

fn echo_scenario(out: &Path, force: bool) -> (bool, String) {
    let mut cmd = Command::new(lab::lab_sh());
    cmd.env("KIT_BIN_DIR", harness::bin("client").parent().expect("a folder"));
    cmd.args(["--scenario", "echo", "--out"]).arg(out);
    if force {
        cmd.arg("--force");
    }
    let run = harness::run(cmd, b"", Duration::from_secs(120)).expect("lab.sh runs");
    let all = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    (run.status.success(), all)
}

#[test]
fn a_scenario_run_again_into_the_same_out_goes_to_a_fresh_folder_or_with_force_replaces() {
    if !harness::require!(Need::Netns, Need::Tool("tshark")) {
        return;
    }
    for name in ["client", "server-basic", "osi-trace"] {
        harness::bin(name);
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    let echo = dir.path().join("echo");
    let (ok, first) = echo_scenario(&echo, false);
    assert!(ok, "{first}");
    let link1 = echo.join("link1.pcap");
    // The captures open for the class as every other file of the run (not dumpcap's 0600).
    let mode = |f: &Path| std::fs::metadata(f).map(|m| m.permissions().mode() & 0o777).expect("a file");
    assert_eq!(mode(&link1), mode(&echo.join("capture-link1.log")), "link1.pcap's mode");
    assert_eq!(mode(&echo.join("link2.pcap")), mode(&echo.join("capture-link2.log")), "link2.pcap's mode");
    let before = std::fs::metadata(&link1).and_then(|m| m.modified()).expect("the first run's capture");

    let (ok, again) = echo_scenario(&echo, false);
    assert!(ok, "a rerun fails:\n{again}");
    let fresh = dir.path().join("echo.2");
    assert!(
        again.contains(&format!("holds an earlier run; this one goes to {}", fresh.display())),
        "{again}"
    );
    assert!(fresh.join("link1.pcap").is_file(), "{again}");
    assert_eq!(
        std::fs::metadata(&link1).and_then(|m| m.modified()).ok(),
        Some(before),
        "the first run's capture changed"
    );

    let (ok, forced) = echo_scenario(&echo, true);
    assert!(ok, "--force fails:\n{forced}");
    assert!(!forced.contains("earlier run") && !dir.path().join("echo.3").exists(), "{forced}");
    assert!(std::fs::metadata(&link1).and_then(|m| m.modified()).expect("replaced") > before);
}
