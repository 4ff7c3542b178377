//! scripts/demo.sh on a fresh clone builds what the first run needs first (server-basic,
//! client, osi-trace) and the rest of the kit in the background while that run plays:
//! checked with a stand-in `cargo` on PATH that records how it is called and puts the
//! kit's real programs in place, its background build finishing only after the first
//! run's trace is drawn (a demo that waited for the whole build would never get there).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use common::{bin_dir, repo};

const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
# A stand-in for cargo: logs its arguments, then copies the built programs in.
echo "$*" >>"$FAKE_LOG"
mkdir -p "$CARGO_TARGET_DIR/release"
if [[ " $* " == *" --bins "* ]]; then
  for ((i = 0; i < 600; i++)); do
    [[ -e $DEMO_OUT/server-basic.trace.jsonl ]] && break
    sleep 0.1
  done
  [[ -e $DEMO_OUT/server-basic.trace.jsonl ]] || { echo "the first run never came" >>"$FAKE_LOG"; exit 1; }
  cp "$REAL_BINS"/server-* "$REAL_BINS"/client "$REAL_BINS"/osi-trace "$CARGO_TARGET_DIR/release/"
  echo "bins done" >>"$FAKE_LOG"
else
  for p in server-basic client osi-trace; do cp "$REAL_BINS/$p" "$CARGO_TARGET_DIR/release/"; done
fi
"#;

#[test]
fn the_demo_builds_the_first_runs_programs_first_and_the_rest_while_it_plays() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Netns) {
        return Ok(());
    }
    let real = bin_dir();
    let dir = tempfile::tempdir()?;
    let (fake, out, target, log) = (
        dir.path().join("bin"),
        dir.path().join("out"),
        dir.path().join("target"),
        dir.path().join("cargo.log"),
    );
    std::fs::create_dir(&fake)?;
    std::fs::write(fake.join("cargo"), FAKE_CARGO)?;
    std::fs::set_permissions(fake.join("cargo"), std::fs::Permissions::from_mode(0o755))?;
    let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/demo.sh"))
        .args(["--no-pause", "--out"])
        .arg(&out)
        .env_remove("KIT_BIN_DIR")
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", &target)
        .env("FAKE_LOG", &log)
        .env("DEMO_OUT", &out)
        .env("REAL_BINS", &real);
    let run = harness::run(cmd, b"", Duration::from_secs(180))?;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let calls = std::fs::read_to_string(&log)?;
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        // The first build shown without cargo's basic colours (its bright green fades on white).
        [
            "build --release --color never -p server-basic -p client -p osi-trace",
            "build --release --bins",
            "bins done"
        ],
        "{calls}"
    );
    // It says what it builds, and every scenario ran on the programs built.
    assert!(stdout.contains("Building what the first run needs: server-basic client osi-trace"), "{stdout}");
    assert!(stdout.contains("builds in the background"), "{stdout}");
    assert_eq!(stdout.matches("Summary: ").count(), 4, "{stdout}");
    Ok(())
}
