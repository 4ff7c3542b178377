//! Projection mode: every view of every fixture fits the width (`--width`, or
//! the terminal's); a file or a pipe gets one line per segment whatever
//! `COLUMNS` says; the cause moves to its own indented line when the line is
//! too long, and is never printed dim.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{fixture, osi_trace_cmd};

const FIXTURES: [&str; 5] = [
    "echo-and-refused.pcap",
    "three-clients.pcap",
    "anomalies.pcap",
    "accept-queue.pcap",
    "zero-window.pcap",
];
const VIEWS: [&[&str]; 4] = [&[], &["--layers"], &["--ladder"], &["--summary-only"]];

/// osi-trace's stdout, with `COLUMNS` set to `columns` (or unset).
fn run(args: &[&str], columns: Option<&str>) -> anyhow::Result<String> {
    let mut cmd = osi_trace_cmd(args);
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
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
            for w in ["60", "80", "132"] {
                let out = run(&[&base[..], &["--width", w]].concat(), Some("300"))?;
                assert!(widest(&out) <= w.parse()?, "{name} {view:?} --width {w}:\n{out}");
            }
        }
    }
    Ok(())
}

/// A file or a pipe gets one line per segment, as tcpdump's output does: what a
/// student greps. `COLUMNS` does not change it (an interactive bash does not export
/// it, so a file must not depend on it); only `--width` does.
#[test]
fn a_file_or_a_pipe_gets_one_line_per_segment_whatever_columns_says() -> anyhow::Result<()> {
    for name in FIXTURES {
        let pcap = fixture(name);
        let p = pcap.to_string_lossy();
        for view in VIEWS {
            let base = [&["--read", &p, "--color", "never"][..], view].concat();
            let unwrapped = run(&[&base[..], &["--width", "0"]].concat(), None)?;
            for columns in [None, Some("80"), Some("40")] {
                let out = run(&base, columns)?;
                assert_eq!(out, unwrapped, "{name} {view:?} COLUMNS={columns:?}: not as --width 0");
            }
        }
        // The line view: every row starts with its time (no continuation lines).
        let out = run(&["--read", &p, "--color", "never"], Some("80"))?;
        for line in out.lines().take_while(|l| !l.is_empty()) {
            assert!(
                line.trim_start().split(' ').next().is_some_and(|t| t.parse::<f64>().is_ok()),
                "{name}: {line}"
            );
        }
    }
    Ok(())
}

/// osi-trace with its stdout on a terminal `cols` columns wide (a pseudo-terminal),
/// with `COLUMNS` set to something else: what the student's screen shows.
fn on_terminal(args: &[&str], cols: u16, columns: &str) -> anyhow::Result<String> {
    use std::io::Read;
    let size = nix::pty::Winsize { ws_row: 24, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
    let pty = nix::pty::openpty(&size, None)?;
    let mut child = Command::new(harness::bin("osi-trace"))
        .args(args)
        .env("COLUMNS", columns)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::from(pty.slave.try_clone()?))
        .stderr(std::process::Stdio::null())
        .spawn()?;
    drop(pty.slave);
    let mut master = std::fs::File::from(pty.master);
    let mut bytes = Vec::new();
    // Reading ends with EIO once the child has closed the terminal's last writer.
    let _ = master.read_to_end(&mut bytes);
    anyhow::ensure!(child.wait()?.success(), "osi-trace failed");
    // The terminal turns each \n into \r\n.
    Ok(String::from_utf8(bytes)?.replace("\r\n", "\n"))
}

/// On a terminal the views fit its real width (`$COLUMNS` aside: it may be stale,
/// or exported by someone else), and the line view wraps its rows there.
#[test]
fn on_a_terminal_the_views_fit_its_real_width() -> anyhow::Result<()> {
    let pcap = fixture("echo-and-refused.pcap");
    let p = pcap.to_string_lossy();
    for view in VIEWS {
        let args = [&["--read", &p, "--color", "never"][..], view].concat();
        for cols in [60u16, 80] {
            let out = on_terminal(&args, cols, "300")?;
            assert!(!out.is_empty(), "{view:?}: nothing on the terminal");
            assert!(widest(&out) <= usize::from(cols), "{view:?} on {cols} columns:\n{out}");
        }
    }
    let out = on_terminal(&["--read", &p, "--color", "never"], 80, "300")?;
    assert!(out.lines().any(|l| l.starts_with("    ← ")), "the causes moved below their rows:\n{out}");
    Ok(())
}

#[test]
fn the_cause_goes_on_its_own_indented_line_when_it_does_not_fit() -> anyhow::Result<()> {
    let p = fixture("echo-and-refused.pcap");
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
    let p = fixture("echo-and-refused.pcap");
    let p = p.to_string_lossy();
    for view in [&[][..], &["--layers"]] {
        let out = run(&[&["--read", &p, "--color", "always"][..], view].concat(), None)?;
        assert!(out.contains("← client's connect()"), "{out}");
        // SGR 2 is "faint": it vanishes on a projector.
        assert!(!out.contains("\x1b[2m"), "{view:?}: dim text in\n{out}");
    }
    Ok(())
}
