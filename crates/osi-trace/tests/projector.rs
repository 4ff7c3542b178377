//! What a class reads on the projector: a bulk transfer's random bytes summarised as
//! `binary data: e1 d6 …` (text stays text), the colours of `--theme` (or COLORFGBG)
//! for the background, never the basic yellow and cyan, and every line fitted to 80 and
//! 120 columns with no word cut.

mod common;

use std::process::Output;
use std::time::Duration;

use common::{fixture, osi_trace_cmd};
use unicode_width::UnicodeWidthStr;

/// osi-trace, which must succeed, told the terminal's background in `COLORFGBG` (`None`: told nothing).
fn on_background(args: &[&str], fgbg: Option<&str>) -> anyhow::Result<Output> {
    let mut cmd = osi_trace_cmd(args);
    cmd.env_remove("COLORFGBG");
    if let Some(v) = fgbg {
        cmd.env("COLORFGBG", v);
    }
    let out = harness::run(cmd, b"", Duration::from_secs(30))?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Ok(out)
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn random_payloads_are_summarised_and_text_stays_text() -> anyhow::Result<()> {
    let bulk = text(&on_background(
        &["--read", &fixture("bulk-echo.pcap").to_string_lossy(), "--color", "never"],
        None,
    )?);
    let data: Vec<&str> = bulk.lines().filter(|l| l.contains("  data ")).collect();
    assert!(data.len() > 20, "{bulk}");
    for line in &data {
        let at = line.find("binary data: ").unwrap_or_else(|| panic!("no summary: {line}"));
        let hex: Vec<&str> = line[at + 13..].split_whitespace().take(9).collect();
        assert!(hex[..8].iter().all(|h| h.len() == 2 && u8::from_str_radix(h, 16).is_ok()), "{line}");
        assert_eq!(hex[8], "…", "{line}");
    }
    assert!(!bulk.contains("\\x"), "a line of \\xNN is left");
    let hello = text(&on_background(
        &["--read", &fixture("echo-and-refused.pcap").to_string_lossy(), "--color", "never"],
        None,
    )?);
    assert!(hello.contains("(total 5) \"Hello\""), "{hello}");
    assert!(!hello.contains("binary data"), "{hello}");
    Ok(())
}

#[test]
fn the_colours_are_for_the_background() -> anyhow::Result<()> {
    let read = |args: &[&str], fgbg| -> anyhow::Result<String> {
        let pcap = fixture("bulk-loss.pcap");
        let mut all = vec!["--read", pcap.to_str().unwrap_or_default(), "--color", "always"];
        all.extend_from_slice(args);
        Ok(text(&on_background(&all, fgbg)?))
    };
    // (theme, COLORFGBG) and the xterm 256-colour values of its yellow, green and cyan.
    let cases: [(&[&str], Option<&str>, [u8; 3]); 4] = [
        (&["--theme", "light"], Some("15;0"), [130, 28, 24]),
        (&["--theme", "dark"], None, [220, 78, 80]),
        (&[], Some("0;15"), [130, 28, 24]),
        (&[], None, [136, 28, 30]),
    ];
    for (args, fgbg, [yellow, green, cyan]) in cases {
        for view in [&[][..], &["--layers"], &["--ladder"]] {
            let out = read(&[args, view].concat(), fgbg)?;
            let has = |code: u8| out.contains(&format!("38;5;{code}m"));
            assert!(has(green) && (has(yellow) || has(cyan)), "{args:?} {fgbg:?} {view:?}: {out:.600}");
            assert_eq!(
                harness::sgr::basic_colours(&out),
                Vec::<u16>::new(),
                "{args:?} {fgbg:?} {view:?}: basic colours"
            );
        }
    }
    Ok(())
}

#[test]
fn every_line_fits_80_and_120_columns_without_cutting_a_word() -> anyhow::Result<()> {
    for width in [80usize, 120] {
        for name in ["echo-and-refused.pcap", "bulk-loss.pcap", "three-clients.pcap"] {
            for view in [&[][..], &["--layers"], &["--ladder"]] {
                let pcap = fixture(name);
                let w = width.to_string();
                let mut args =
                    vec!["--read", pcap.to_str().unwrap_or_default(), "--color", "never", "--width", &w];
                args.extend_from_slice(view);
                let out = text(&on_background(&args, None)?);
                let one = text(&on_background(&[&args[..4], view].concat(), None)?);
                // Words, not the ladder's arrows (drawn as long as the width allows).
                let arrow = |w: &&str| w.chars().all(|c| matches!(c, '─' | '▶' | '◀'));
                let words: Vec<&str> = one.split_whitespace().filter(|w| !arrow(w)).collect();
                for line in out.lines() {
                    assert!(
                        line.width() <= width,
                        "{name} {view:?} at {width}: {} columns: {line}",
                        line.width()
                    );
                }
                // The same words in the same order as the one-line-per-segment output: none cut.
                let mut fitted: Vec<&str> = out.split_whitespace().filter(|w| !arrow(w)).collect();
                let mut words = words;
                if view == ["--ladder"] {
                    // A label too long for its arrow moves to the line above it: the same words,
                    // in another order.
                    fitted.sort_unstable();
                    words.sort_unstable();
                }
                if let Some(i) = (0..words.len().max(fitted.len())).find(|&i| words.get(i) != fitted.get(i)) {
                    let near = |v: &[&str]| v[i.saturating_sub(3)..(i + 3).min(v.len())].join(" ");
                    panic!(
                        "{name} {view:?} at {width}: a word was cut: {:?} for {:?}",
                        near(&fitted),
                        near(&words)
                    );
                }
            }
        }
    }
    Ok(())
}
