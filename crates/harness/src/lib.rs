//! Test support for the kit: every test starts the real programs as real
//! processes, on ephemeral ports, with every wait bounded in time.
//!
//! - [`bin`] finds (and if needed builds) a workspace binary.
//! - [`Server::start`] starts a server with `--port 0`, reads the port the
//!   kernel chose from its `READY` line, and kills it when dropped.
//! - [`run`] runs a command to completion or kills it at a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// How long a program may take to print its READY line.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The path of the workspace binary `name`, built first if it is missing
/// (as when only one package's tests are run).
pub fn bin(name: &str) -> PathBuf {
    let dir = profile_dir();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "--bin", name]);
        if dir.file_name().is_some_and(|p| p == "release") {
            cmd.arg("--release");
        }
        // A failed build shows up as the missing binary when it is started.
        let _ = cmd.status();
    }
    path
}

/// `target/<profile>`, found from the running test binary (`target/<profile>/deps/…`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// A running program whose stdout and stderr are collected line by line.
pub struct Server {
    child: Child,
    /// The address from the READY line.
    pub addr: SocketAddr,
    lines: Receiver<String>,
    seen: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts workspace binary `name` with `--port 0 --color never` and `args`,
    /// and waits for its `READY <addr>` line.
    pub fn start(name: &str, args: &[&str]) -> Result<Server> {
        let mut cmd = Command::new(bin(name));
        cmd.args(["--port", "0", "--color", "never"]).args(args);
        Server::spawn(cmd)
    }

    /// Starts `cmd` (stdout and stderr piped) and waits for its READY line.
    pub fn spawn(mut cmd: Command) -> Result<Server> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1");
        let mut child = cmd.spawn().with_context(|| format!("spawn {cmd:?}"))?;
        let lines = line_channel(child.stdout.take());
        let stderr = collect(child.stderr.take());
        let mut server = Server {
            child,
            addr: "0.0.0.0:0".parse()?,
            lines,
            seen: Vec::new(),
            stderr,
        };
        let ready = server
            .expect_line(|l| l.starts_with("READY "), READY_TIMEOUT)
            .with_context(|| format!("no READY line; stderr: {}", server.stderr()))?;
        server.addr = ready["READY ".len()..]
            .trim()
            .parse()
            .with_context(|| format!("bad READY line {ready:?}"))?;
        Ok(server)
    }

    /// The port from the READY line.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Waits up to `timeout` for a stdout line matching `pred` and returns it.
    /// Every line read on the way is kept (see [`Server::lines`]).
    pub fn expect_line(
        &mut self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return Ok(line);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    bail!("no matching line within {timeout:?}; saw {:?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    bail!(
                        "stdout closed; saw {:?}; stderr {:?}",
                        self.seen,
                        self.stderr()
                    )
                }
            }
        }
    }

    /// Every stdout line read so far, plus those waiting, without blocking.
    pub fn lines(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// Everything the program wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The process id, e.g. to send it a signal.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for the program to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                bail!("still running after {timeout:?}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the program is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn line_channel(out: Option<impl Read + Send + 'static>) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(out) = out {
        thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

fn collect(err: Option<impl Read + Send + 'static>) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    if let Some(mut err) = err {
        let sink = Arc::clone(&buf);
        thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = err.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            }
        });
    }
    buf
}

/// Runs `cmd` to completion with `input` on stdin, killing it after `timeout`.
pub fn run(mut cmd: Command, input: &[u8], timeout: Duration) -> Result<Output> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1");
    let mut child = cmd.spawn().with_context(|| format!("spawn {cmd:?}"))?;
    let mut stdin = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
    let input = input.to_vec();
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = bytes_of(child.stdout.take());
    let err = bytes_of(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{cmd:?} still running after {timeout:?}; killed");
        }
        thread::sleep(Duration::from_millis(10));
    };
    let _ = writer.join();
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

fn bytes_of(src: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut src) = src {
            let _ = src.read_to_end(&mut buf);
        }
        buf
    })
}

/// Whether this process may open packet sockets (root or CAP_NET_RAW).
/// Tests that capture call this and skip, printing why, when it is false.
pub fn can_capture() -> bool {
    // Effective capabilities, as the kernel reports them; CAP_NET_RAW is bit 13.
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << 13) != 0)
}

/// Prints why a test is skipped, in a form `cargo test` output shows.
pub fn skip(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: {why}");
}
