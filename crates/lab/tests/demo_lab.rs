//! `scripts/demo.sh --only lab`: the instructor's demo runs every lab scenario,
//! keeps both links' captures of each, and shows each link as osi-trace explains it.

use std::path::Path;
use std::time::Duration;

use harness::Need;

#[test]
fn the_demo_runs_every_lab_scenario_and_keeps_its_captures() {
    if !harness::require!(Need::Netns, Need::Tool("tshark")) {
        return;
    }
    let bin = harness::bin("client");
    harness::bin("server-basic");
    harness::bin("osi-trace"); // the echo and bulk scenarios end with its hop view
    let out = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/demo.sh");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(demo).args(["--only", "lab", "--no-pause", "--out"]).arg(out.path());
    // osi-trace fits its lines to 100 columns (no $COLUMNS): the phrases below stay whole.
    cmd.env("KIT_BIN_DIR", bin.parent().unwrap()).env_remove("COLUMNS");
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
    // Each scenario's annotated view: what osi-trace says, by layer and cause (the
    // scenarios whose outcome is not random; loss's own words depend on what was lost).
    for (name, said) in [
        ("rto", "a retransmission, no new socket call; 2"),
        ("rto", "after the last copy"),
        ("rto", "challenge ACK (RFC 5961)"),
        ("loss", "[TCP Dup ACK #"),
        ("loss", "duplicate_ack        osi-trace"),
        ("bottleneck", "RFC 6298: SRTT"),
        ("refused", "or a firewall on the way answering"),
        ("refused", "L3 IPv4 10.0.2.2 → 10.0.1.2, TTL 64"),
        ("unreachable", "L3 ICMP destination unreachable (host) from 10.0.1.1"),
        ("no-arp", "needs the MAC of the next hop 10.0.2.2"),
        ("no-arp", "EHOSTUNREACH"),
        ("syn-drop", "no new socket call; 1.0"),
        ("mtu", "MSS 1360"),
        ("mtu", "L3 ICMP fragmentation needed from 10.0.1.1"),
    ] {
        let section = scenario_output(&stdout, name);
        assert!(section.contains(said), "{name}: no '{said}' in\n{section}");
    }
    let svg = out.path().join("lab-bottleneck/bottleneck-tsg.svg");
    let svg = std::fs::read_to_string(&svg).unwrap_or_default();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "no time-sequence graph: {svg:.80}");
}

/// What the demo printed for one scenario: from its banner to the next.
fn scenario_output<'a>(stdout: &'a str, name: &str) -> &'a str {
    let banner = format!("the network lab: {name}\n");
    let Some(start) = stdout.find(&banner) else { return "" };
    let rest = &stdout[start + banner.len()..];
    &rest[..rest.find("the network lab: ").unwrap_or(rest.len())]
}
