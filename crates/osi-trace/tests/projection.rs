//! Projection mode: every view of every fixture fits the width (`--width`,
//! `COLUMNS`, or 100 when stdout is no terminal); the cause moves to its own
//! indented line when the line is too long, and is never printed dim.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const FIXTURES: [&str; 5] = ["echo-and-refused", "three-clients", "anomalies", "accept-queue", "zero-window"];
const VIEWS: [&[&str]; 4] = [&[], &["--layers"], &["--ladder"], &["--summary-only"]];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{name}.pcap"))
}

fn run(args: &[&str], columns: Option<&str>) -> anyhow::Result<String> {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(args);
    match columns {
        Some(c) => cmd.env("COLUMNS", c),
        None => cmd.env_remove("COLUMNS"),
    };
    let out = harness::run(cmd, b"", Duration::from_secs(60))?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn every_view_fits_the_width() -> anyhow::Result<()> {
    for name in FIXTURES {
        let pcap = fixture(name);
        let p = pcap.to_string_lossy();
        for view in VIEWS {
            let base = [&["--read", &p, "--color", "never"][..], view].concat();
            // Not a terminal, no COLUMNS: 100.
            let out = run(&base, None)?;
            assert!(widest(&out) <= 100, "{name} {view:?}: {}", widest(&out));
            for w in ["60", "80", "132"] {
                let out = run(&[&base[..], &["--width", w]].concat(), None)?;
                assert!(widest(&out) <= w.parse()?, "{name} {view:?} --width {w}:\n{out}");
            }
            let out = run(&base, Some("72"))?;
            assert!(widest(&out) <= 72, "{name} {view:?} COLUMNS=72:\n{out}");
        }
    }
    Ok(())
}

#[test]
fn the_cause_goes_on_its_own_indented_line_when_it_does_not_fit() -> anyhow::Result<()> {
    let p = fixture("echo-and-refused");
    let p = p.to_string_lossy();
    let wide = run(&["--read", &p, "--color", "never", "--width", "0"], None)?;
    let syn_ack = wide.lines().nth(1).unwrap_or_default();
    assert!(
        syn_ack.contains("handshake 2/3: SYN+ACK  ← server's kernel"),
        "one line without a limit: {syn_ack}"
    );
    assert!(syn_ack.chars().count() > 100);
    let narrow = run(&["--read", &p, "--color", "never", "--width", "100"], None)?;
    let rows: Vec<&str> = narrow.lines().skip(2).take(3).collect();
    assert!(rows[0].starts_with("  0.000") && rows[0].ends_with("handshake 2/3: SYN+ACK"), "{narrow}");
    assert_eq!(rows[1], "    ← server's kernel, for the listening socket, before any accept()", "{narrow}");
    assert_eq!(rows[2], "    [client ESTABLISHED, server SYN_RECEIVED]", "{narrow}");
    Ok(())
}

#[test]
fn causes_are_not_dim() -> anyhow::Result<()> {
    let p = fixture("echo-and-refused");
    let p = p.to_string_lossy();
    for view in [&[][..], &["--layers"]] {
        let out = run(&[&["--read", &p, "--color", "always"][..], view].concat(), None)?;
        assert!(out.contains("← client's connect()"), "{out}");
        // SGR 2 is "faint": it vanishes on a projector.
        assert!(!out.contains("\x1b[2m"), "{view:?}: dim text in\n{out}");
    }
    Ok(())
}
