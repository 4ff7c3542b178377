//! The client narrates the path its connection really took, read from the
//! kernel (TCP_INFO) before close(), and names files in errors truly.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use harness::Server;

/// The server goes first (its process dies, the kernel sends its FIN) while
/// the client holds the connection: the client is in CLOSE_WAIT, and its
/// close() sends the second FIN and enters LAST_ACK — not FIN_WAIT_1.
#[test]
fn after_the_servers_fin_the_client_closes_from_close_wait() -> anyhow::Result<()> {
    let mut srv = Server::start("server-loop", &[])?;
    let mut cmd = Command::new(harness::bin("client"));
    cmd.args(["--port", &srv.port().to_string(), "--hold", "60", "--color", "never"]);
    let mut cl = Server::spawn_until(cmd, |l| l.contains("holding the connection open for 60 s"))?;
    srv.expect_line(|l| l.starts_with("[L7] send to "), harness::ECHO_TIMEOUT)?;
    srv.kill()?;
    let status = cl.wait_exit(Duration::from_secs(20))?;
    assert!(status.success(), "{status:?}: {}", cl.stderr());
    let lines = cl.lines().to_vec();
    let tail = &lines[lines.len() - 2..];
    assert_eq!(
        tail,
        [
            "[L4] recv() → 0 bytes: the server closed first (FIN) → CLOSE_WAIT",
            "[L4] close() → FIN sent, CLOSE_WAIT → LAST_ACK",
        ],
        "{lines:#?}"
    );
    Ok(())
}

/// The same path seen on the wire: osi-trace, capturing live, puts the
/// client in LAST_ACK at its FIN, as the client's own narration says.
#[test]
fn the_tracer_agrees_the_client_closed_from_close_wait() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let mut srv = Server::start("server-loop", &["--quiet"])?;
    let port = srv.port().to_string();
    // osi-trace says READY on stderr: merge it into stdout, where the harness reads.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", r#"exec "$0" "$@" 2>&1"#]).arg(harness::bin("osi-trace"));
    cmd.args(["--port", &port, "--connections", "1", "--duration", "30", "--color", "never", "--width", "0"]);
    let mut trace = Server::spawn_until(cmd, |l| l.starts_with("READY capturing on lo"))?;
    let mut cmd = Command::new(harness::bin("client"));
    cmd.args(["--port", &port, "--hold", "60", "--color", "never"]);
    let mut cl = Server::spawn_until(cmd, |l| l.contains("holding the connection open"))?;
    srv.kill()?;
    assert!(cl.wait_exit(Duration::from_secs(20))?.success(), "{}", cl.stderr());
    let said = cl.lines().last().cloned().unwrap_or_default();
    assert_eq!(said, "[L4] close() → FIN sent, CLOSE_WAIT → LAST_ACK");
    let fin = trace.expect_line(|l| l.contains(" client → server [FIN, ACK] "), Duration::from_secs(20))?;
    assert!(fin.ends_with("[client LAST_ACK, server TIME_WAIT]"), "{fin}");
    assert!(trace.wait_exit(Duration::from_secs(20))?.success(), "{:#?}", trace.lines());
    Ok(())
}

/// A file that is not there, with an escape sequence in its name: one line
/// naming the file, escaped, and the real cause; no word about ports.
#[test]
fn a_missing_file_is_named_escaped() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("no\x1b[31mfile.bin");
    let mut cmd = Command::new(harness::bin("client"));
    cmd.arg("--file").arg(&path);
    let out = harness::run(cmd, b"", Duration::from_secs(20))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains('\x1b'), "a raw escape byte reached the terminal: {stderr:?}");
    assert!(stderr.contains("no\\x1b[31mfile.bin\": No such file or directory"), "{stderr}");
    assert!(stderr.contains("hint: check the path"), "{stderr}");
    assert!(!stderr.contains("port"), "{stderr}");
    Ok(())
}

/// A file the user may not read: the file and "Permission denied", and a
/// hint about the file, not about ports below 1024.
#[test]
fn an_unreadable_file_is_a_permission_error_about_the_file() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Unprivileged) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("secret.bin");
    std::fs::write(&path, b"secret")?;
    // Root's own file, readable by root only; the client runs as nobody.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(harness::bin("client"));
    cmd.arg("--file").arg(&path);
    let out = harness::run(cmd, b"", Duration::from_secs(20))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("secret.bin\": Permission denied"), "{stderr}");
    assert!(stderr.contains("hint: this user may not read it"), "{stderr}");
    assert!(!stderr.contains("ports below 1024"), "{stderr}");
    Ok(())
}

/// The narration's colours follow the terminal's background: `--theme light` paints
/// `[L4]` in a dark brown (xterm 130), a dark terminal's `COLORFGBG` in gold (220), an
/// unknown background in a colour readable on both (136) — never the basic yellow (33).
#[test]
fn the_narrations_colours_follow_the_terminals_background() -> anyhow::Result<()> {
    let srv = Server::start("server-threads", &[])?;
    let run = |args: &[&str], fgbg: Option<&str>| -> anyhow::Result<String> {
        let mut cmd = Command::new(harness::bin("client"));
        cmd.args(["--port", &srv.port().to_string(), "--color", "always"]).args(args).env_remove("COLORFGBG");
        if let Some(v) = fgbg {
            cmd.env("COLORFGBG", v);
        }
        let out = harness::run(cmd, b"", Duration::from_secs(20))?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let l4 = |code: u8| format!("38;5;{code}m[L4]");
    let light = run(&["--theme", "light"], Some("15;0"))?;
    assert!(light.contains(&l4(130)), "{light:?}");
    let dark = run(&[], Some("15;0"))?;
    assert!(dark.contains(&l4(220)), "{dark:?}");
    let white = run(&[], Some("0;15"))?;
    assert!(white.contains(&l4(130)), "{white:?}");
    let unknown = run(&[], None)?;
    assert!(unknown.contains(&l4(136)), "{unknown:?}");
    for text in [&light, &dark, &white, &unknown] {
        assert!(!text.contains("\x1b[33m") && !text.contains(";33m"), "the basic yellow: {text:?}");
    }
    Ok(())
}
