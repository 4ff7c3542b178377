//! The sibling servers as listings that grow, as the Rust Book's do: the
//! blocks two siblings must share byte for byte, and how many lines `diff -u`
//! shows between them, counted as the lessons count them.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};

/// The crates' folder, where each server's `src/main.rs` is.
fn crates() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The source of `server`'s `src/main.rs`.
pub fn source(server: &str) -> Result<String> {
    let path = crates().join(server).join("src/main.rs");
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// The lines of `text` from the one starting with `first` up to the first line
/// that equals `last` at or after it, both included.
pub fn block<'a>(text: &'a str, server: &str, first: &str, last: &str) -> Result<Vec<&'a str>> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(first))
        .ok_or_else(|| anyhow!("{server}: no line starts with {first:?}"))?;
    let len = lines[start..]
        .iter()
        .position(|l| *l == last)
        .ok_or_else(|| anyhow!("{server}: no {last:?} after {first:?}"))?;
    Ok(lines[start..=start + len].to_vec())
}

/// Checks that each `(what, first, last)` block (see [`block`]) is the same,
/// byte for byte, in every one of `servers`, and longer than a few lines.
pub fn same_blocks(servers: &[&str], blocks: &[(&str, &str, &str)]) -> Result<()> {
    let texts: Vec<String> = servers.iter().map(|s| source(s)).collect::<Result<_>>()?;
    for (what, first, last) in blocks {
        let found: Vec<Vec<&str>> =
            texts.iter().zip(servers).map(|(t, s)| block(t, s, first, last)).collect::<Result<_>>()?;
        ensure!(found[0].len() > 3, "{what} of {} is only {} lines", servers[0], found[0].len());
        for (b, s) in found.iter().zip(servers).skip(1) {
            ensure!(b == &found[0], "{what} of {s} differs from {}'s:\n{}", servers[0], b.join("\n"));
        }
    }
    Ok(())
}

/// The changed lines of `diff -u` between servers `a` and `b`, as the lessons
/// count them: `diff -u a b | grep '^[-+][^-+]'`.
pub fn changed_lines(a: &str, b: &str) -> Result<Vec<String>> {
    let mut cmd = Command::new("diff");
    cmd.args(["-u", &format!("{a}/src/main.rs"), &format!("{b}/src/main.rs")]).current_dir(crates());
    let out = crate::run(cmd, b"", Duration::from_secs(20))?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.code() == Some(1),
        "diff {a} {b}: {:?} (no difference at all, or trouble)",
        out.status
    );
    Ok(text
        .lines()
        .filter(|l| {
            let mut c = l.chars();
            matches!(c.next(), Some('-' | '+')) && c.next().is_some_and(|d| d != '-' && d != '+')
        })
        .map(String::from)
        .collect())
}
