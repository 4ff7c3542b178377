//! What osi-trace's tests share: the fixtures and osi-trace run on them
//! ([`fixture`], [`osi_trace`]); for the live tests, network namespaces the test
//! creates (one with only `lo`, or two joined by a veth pair), a child process
//! that is killed on drop and says when it is ready, and tcpdump as the oracle.

// Each test file uses a part of this module; the rest is not dead there.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// The deadline for the setup commands (`ip`, the client of an echo) and the lab's processes.
pub const T: Duration = Duration::from_secs(30);

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A file of tests/fixtures, by its name: `fixture("anomalies.pcap")`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// `osi-trace ARGS`, ready to run: its output not a terminal and `COLUMNS` unset, so
/// that only ARGS say how it writes (a test adds a folder or a variable it needs).
pub fn osi_trace_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.args(args).env_remove("COLUMNS");
    cmd
}

/// Runs `osi-trace ARGS` (two minutes at most): what it wrote, and how it exited.
pub fn osi_trace(args: &[&str]) -> anyhow::Result<Output> {
    harness::run(osi_trace_cmd(args), b"", Duration::from_secs(120))
}

/// Runs `osi-trace ARGS`, which must succeed: what it wrote on stdout.
pub fn osi_trace_ok(args: &[&str]) -> anyhow::Result<String> {
    let out = osi_trace(args)?;
    anyhow::ensure!(out.status.success(), "osi-trace {}: {}", args.join(" "), text(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}

/// Whether `test` can run here: capture rights, namespaces, `ip`, tcpdump and
/// `also`; a missing need is reported as the test not run.
pub fn possible(test: &str, also: &[harness::Need]) -> bool {
    use harness::Need::{Capture, Netns, Tool};
    let needs: Vec<harness::Need> =
        [Capture, Netns, Tool("tcpdump"), Tool("ip")].into_iter().chain(also.iter().copied()).collect();
    harness::require_all(test, &needs)
}

/// Runs `ip ARGS`, failing with its stderr.
pub fn ip(args: &[&str]) -> anyhow::Result<()> {
    let mut c = Command::new("ip");
    c.args(args);
    let out = harness::run(c, b"", T)?;
    anyhow::ensure!(out.status.success(), "ip {}: {}", args.join(" "), text(&out.stderr));
    Ok(())
}

/// A network namespace with its `lo` up; deleted on drop, whatever happened.
pub struct Netns(pub String);

impl Netns {
    pub fn new(name: String) -> anyhow::Result<Netns> {
        ip(&["netns", "add", &name])?;
        // Owned from here: a failure below still deletes it.
        let ns = Netns(name);
        ip(&["-n", &ns.0, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// `prog args…` inside the namespace.
    pub fn cmd(&self, prog: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.0]).arg(prog).args(args);
        c
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// Two namespaces, `a` (10.77.0.1 on `va`) and `b` (10.77.0.2 on `vb`),
/// joined by a veth pair.
pub struct Lab {
    pub a: Netns,
    pub b: Netns,
}

impl Lab {
    /// The lab for `test`, or `None` (the test reported as not run) where this
    /// machine cannot build namespaces and capture in them, or lacks `also`.
    pub fn for_test(test: &str, tag: &str, also: &[harness::Need]) -> anyhow::Result<Option<Lab>> {
        if !possible(test, also) {
            return Ok(None);
        }
        Lab::new(tag).map(Some)
    }

    fn new(tag: &str) -> anyhow::Result<Lab> {
        let base = format!("osi-live-{}-{tag}", std::process::id());
        let lab = Lab { a: Netns::new(format!("{base}-a"))?, b: Netns::new(format!("{base}-b"))? };
        ip(&["-n", &lab.a.0, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", &lab.b.0])?;
        for (ns, dev, addr) in [(&lab.a, "va", "10.77.0.1/24"), (&lab.b, "vb", "10.77.0.2/24")] {
            ip(&["-n", &ns.0, "addr", "add", addr, "dev", dev])?;
            ip(&["-n", &ns.0, "link", "set", dev, "up"])?;
        }
        Ok(lab)
    }

    /// `osi-trace args…` in namespace `a`, once it has printed `ready`.
    pub fn trace(&self, args: &[&str], ready: &str) -> anyhow::Result<Proc> {
        Proc::start(self.a.cmd(harness::bin("osi-trace"), args), ready, T)
    }

    /// One echo: server-basic on `host:port` in namespace `ns`, the kit's
    /// client in namespace `a`; both have exited when this returns.
    pub fn echo(&self, ns: &Netns, host: &str, port: &str) -> anyhow::Result<()> {
        let mut srv = harness::Server::spawn(
            ns.cmd(harness::bin("server-basic"), &["--host", host, "--port", port, "--color", "never"]),
        )?;
        let mut client = self.a.cmd(harness::bin("client"), &["--host", host, "--port", port, "--quiet"]);
        client.stdin(Stdio::null());
        let out = harness::run(client, b"", T)?;
        anyhow::ensure!(out.status.success(), "client to {host}: {}", text(&out.stderr));
        srv.wait_exit(T)?;
        Ok(())
    }
}

/// A child killed on drop; its stdout left unread until [`Proc::finish`],
/// its stderr lines arriving on a channel.
pub struct Proc {
    child: Child,
    stdout: Option<ChildStdout>,
    stderr: Receiver<String>,
    seen: Vec<String>,
    /// How long each wait on it may take.
    patience: Duration,
}

impl Proc {
    /// Starts `cmd` and waits (at most `patience`) for a stderr line containing `ready`.
    pub fn start(mut cmd: Command, ready: &str, patience: Duration) -> anyhow::Result<Proc> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("spawn")?;
        let err = child.stderr.take().context("no stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stdout = child.stdout.take();
        let mut p = Proc { child, stdout, stderr: rx, seen: Vec::new(), patience };
        p.expect(ready)?;
        Ok(p)
    }

    /// Waits (at most its patience) for a stderr line containing `what`.
    pub fn expect(&mut self, what: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + self.patience;
        loop {
            match self.stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.contains(what) {
                        return Ok(l);
                    }
                }
                Err(RecvTimeoutError::Timeout) => bail!("no {what:?} line; stderr: {:?}", self.seen),
                Err(RecvTimeoutError::Disconnected) => {
                    bail!("exited before {what:?}; stderr: {:?}", self.seen)
                }
            }
        }
    }

    /// Reads stdout to its end, waits (at most its patience) for the exit;
    /// stdout and every stderr line.
    pub fn finish(mut self) -> anyhow::Result<(std::process::ExitStatus, String, Vec<String>)> {
        let mut out = self.stdout.take().context("no stdout")?;
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let deadline = Instant::now() + self.patience;
        let status = loop {
            if let Some(st) = self.child.try_wait()? {
                break st;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "still running after {:?}; stderr {:?}",
                self.patience,
                self.seen
            );
            // A poll interval while waiting for the exit, not synchronisation.
            std::thread::sleep(harness::wait::POLL);
        };
        let stdout = reader.join().map_err(|_| anyhow::anyhow!("stdout reader panicked"))?;
        while let Ok(l) = self.stderr.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        Ok((status, stdout, std::mem::take(&mut self.seen)))
    }

    /// SIGINT, as Ctrl-C.
    pub fn interrupt(&self) -> anyhow::Result<()> {
        let st = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status()?;
        anyhow::ensure!(st.success(), "kill -INT failed");
        Ok(())
    }

    /// Whether a thread of this name still runs in the process.
    pub fn has_thread(&self, name: &str) -> anyhow::Result<bool> {
        for t in std::fs::read_dir(format!("/proc/{}/task", self.child.id()))? {
            let comm = std::fs::read_to_string(t?.path().join("comm")).unwrap_or_default();
            if comm.trim() == name {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tcpdump on `dev` in namespace `ns`, writing every frame at once to `file`.
/// In immediate mode libpcap uses a TPACKET_V2 ring, one slot per frame the
/// size of the snap length (256 KiB): its default 2 MiB holds a handful, and
/// `-i any` dropped 2 of an echo's 20 frames in the kernel here; 32 MiB (`-B`) drops none.
pub fn tcpdump(ns: &Netns, dev: &str, filter: &str, file: &Path) -> anyhow::Result<Proc> {
    let f = file.to_string_lossy();
    let args = ["-Z", "root", "-B", "32768", "-i", dev, "-U", "--immediate-mode", "-n", "-w", &f, filter];
    Proc::start(ns.cmd("tcpdump", &args), "listening on", T)
}

/// A pcap as `tcpdump -nn -r` lists it, one line per frame.
pub fn listing(file: &Path) -> anyhow::Result<String> {
    let mut c = Command::new("tcpdump");
    c.args(["-nn", "-r", &file.to_string_lossy()]);
    Ok(text(&harness::run(c, b"", T)?.stdout))
}

/// Frames in a pcap, as `tcpdump -r` counts them.
pub fn frames_in(file: &Path) -> anyhow::Result<usize> {
    Ok(listing(file)?.lines().count())
}

/// Waits (at most 10 s) until tcpdump's file holds `n` frames, then stops it.
pub fn stop_tcpdump_at(dump: Proc, file: &Path, n: usize) -> anyhow::Result<usize> {
    // On a timeout, stop all the same: the caller's count names what is missing.
    let _ = harness::wait::until("tcpdump's frames", Duration::from_secs(10), || Ok(frames_in(file)? >= n));
    dump.interrupt()?;
    dump.finish()?;
    frames_in(file)
}

/// The `type: segment` rows of osi-trace's JSON output.
pub fn segments(json: &str) -> Vec<serde_json::Value> {
    records(json, "segment")
}

/// The rows of osi-trace's JSON output whose `type` is `kind`.
pub fn records(json: &str, kind: &str) -> Vec<serde_json::Value> {
    json.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|j| j["type"] == kind)
        .collect()
}
