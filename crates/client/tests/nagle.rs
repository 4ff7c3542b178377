//! The flags for Nagle's write–write–read: `--split N` sends each message as
//! two send() calls (seen with strace), `--nodelay` sets TCP_NODELAY on the
//! socket (read back from the running client's own socket with getsockopt).
//! The ~40 ms stall itself is timing and is measured, not tested: see the README.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Command;
use std::time::Duration;

use harness::Server;

fn client(port: u16, args: &[&str]) -> Command {
    let mut cmd = Command::new(harness::bin("client"));
    cmd.args(["--port", &port.to_string(), "--color", "never"]).args(args);
    cmd
}

/// The data-carrying sendto() calls strace saw the client make: `(bytes, length)`.
fn sends_under_strace(port: u16, args: &[&str]) -> anyhow::Result<Vec<String>> {
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("strace.txt");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=sendto", "-o"]).arg(&log).arg(harness::bin("client"));
    cmd.args(["--port", &port.to_string(), "--quiet"]).args(args);
    let out = harness::run(cmd, b"", Duration::from_secs(30))?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&log)?;
    // `1234 sendto(3, "Hel", 3, 0, NULL, 0) = 3` → `"Hel", 3`
    Ok(text
        .lines()
        .filter_map(|l| l.split_once("sendto(")?.1.split_once(", ")?.1.rsplit_once(", 0, NULL"))
        .map(|(sent, _)| sent.to_string())
        .collect())
}

#[test]
fn split_sends_each_message_as_two_send_calls() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("strace")) {
        return Ok(());
    }
    let srv = Server::start("server-threads", &["--quiet"])?;
    assert_eq!(sends_under_strace(srv.port(), &[])?, ["\"Hello\", 5"]);
    assert_eq!(sends_under_strace(srv.port(), &["--split", "3"])?, ["\"Hel\", 3", "\"lo\", 2"]);
    let repeated = sends_under_strace(srv.port(), &["--split", "1", "--repeat", "2"])?;
    assert_eq!(repeated, ["\"H\", 1", "\"ello\", 4", "\"H\", 1", "\"ello\", 4"]);
    Ok(())
}

#[test]
fn a_split_that_does_not_cut_the_message_is_refused() -> anyhow::Result<()> {
    let out = harness::run(client(9, &["--split", "5"]), b"", Duration::from_secs(20))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "client: error: --split 5 does not cut the message (5 bytes) in two; hint: give --split between 1 and 4"
    );
    Ok(())
}

/// TCP_NODELAY as the kernel holds it on the running client's connected
/// socket: the test takes a copy of that socket with pidfd_getfd(2).
fn nodelay_of_running_client(args: &[&str]) -> anyhow::Result<bool> {
    let srv = Server::start("server-loop", &["--quiet"])?;
    let mut cmd = client(srv.port(), args);
    cmd.args(["--hold", "60"]);
    let cl = Server::spawn_until(cmd, |l| l.contains("holding the connection open"))?;
    let pid = cl.pid();
    let target = std::fs::read_dir(format!("/proc/{pid}/fd"))?
        .filter_map(Result::ok)
        .find(|e| std::fs::read_link(e.path()).is_ok_and(|l| l.to_string_lossy().starts_with("socket:")))
        .and_then(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .ok_or_else(|| anyhow::anyhow!("the client has no socket open"))?;
    // SAFETY: plain syscalls on integers; each returns a new fd we own, or -1.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    anyhow::ensure!(pidfd >= 0, "pidfd_open: {}", std::io::Error::last_os_error());
    // SAFETY: `pidfd` is a valid fd just returned to us and owned by nobody else.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as i32) };
    // SAFETY: a plain syscall on integers; it returns a new fd we own, or -1.
    let copy =
        unsafe { libc::syscall(libc::SYS_pidfd_getfd, std::os::fd::AsRawFd::as_raw_fd(&pidfd), target, 0) };
    anyhow::ensure!(copy >= 0, "pidfd_getfd: {}", std::io::Error::last_os_error());
    // SAFETY: `copy` is a new fd, a duplicate of the client's socket, owned by us alone.
    let socket = unsafe { OwnedFd::from_raw_fd(copy as i32) };
    Ok(socket2::SockRef::from(&socket).tcp_nodelay()?)
}

#[test]
fn nodelay_sets_tcp_nodelay_on_the_socket() -> anyhow::Result<()> {
    assert!(nodelay_of_running_client(&["--nodelay"])?, "--nodelay: TCP_NODELAY is off");
    assert!(!nodelay_of_running_client(&[])?, "without --nodelay: TCP_NODELAY is on");
    Ok(())
}
