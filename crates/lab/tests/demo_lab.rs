//! `scripts/demo.sh --only lab`: the instructor's demo runs every lab scenario and
//! keeps both links' captures of each.

use std::path::Path;
use std::time::Duration;

use harness::Need;

#[test]
fn the_demo_runs_every_lab_scenario_and_keeps_its_captures() {
    let test = "the_demo_runs_every_lab_scenario_and_keeps_its_captures";
    if !harness::require(test, Need::Netns) || !harness::require(test, Need::Tool("tshark")) {
        return;
    }
    let bin = harness::bin("client");
    harness::bin("server-basic");
    harness::bin("osi-trace"); // the echo and bulk scenarios end with its hop view
    let out = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/demo.sh");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(demo).args(["--only", "lab", "--no-pause", "--out"]).arg(out.path());
    cmd.env("KIT_BIN_DIR", bin.parent().unwrap());
    let run = harness::run(cmd, b"", Duration::from_secs(240)).unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let list = std::process::Command::new(lab::lab_sh()).arg("--list").output().unwrap();
    let names: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    for name in &names {
        assert!(stdout.contains(&format!("the network lab: {name}")), "no banner for {name}");
        let link1 = out.path().join(format!("lab-{name}/link1.pcap"));
        let frames = lab::fields(&link1, "", &["frame.number"]).unwrap();
        assert!(!frames.is_empty(), "{}: no frames", link1.display());
    }
    assert!(stdout.contains("Received \"Hello\""), "the echo scenario's echo");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("Connection refused (os error 111)"), "the refused scenario: {stderr}");
}
