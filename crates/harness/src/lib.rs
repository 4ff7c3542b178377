//! Test support for the kit: every test starts the real programs as real
//! processes, on ephemeral ports, with every wait bounded in time.
//!
//! - [`bin`] builds (once per test process) and finds a workspace binary.
//! - [`Server::start`] starts a server with `--port 0`, reads the port the
//!   kernel chose from its `READY` line (the one READY wait of the kit's
//!   tests), and kills it when dropped; [`Server::start_unread`] leaves its
//!   stdout unread after READY; [`Server::spawn_until`] waits for any line
//!   (a client's `holding …`); [`Server::kill`] ends it as a crash would.
//! - [`run`] runs a command to completion or kills it at a deadline; [`run_measured`]
//!   also gives its peak resident memory.
//! - [`suite`] holds the checks the servers share, and the macros
//!   (`echo_server_tests!`, `event_loop_server_tests!`, `idle_timeout_tests!`)
//!   that make each check one `#[test]` of a server's test file.
//! - [`listing`] compares the sibling servers' sources: shared blocks, diff sizes.
//! - [`tmux::Screen`] runs a program on a terminal of W×H cells and reads its screen;
//!   [`sgr`] reads the colours it painted with.
//! - [`require!`] decides whether a test that needs capture rights, a tool or
//!   namespaces runs, is reported as not run, or (in CI) fails; it names the
//!   test it is written in by itself ([`test_name!`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// The sibling servers' sources: blocks they share byte for byte, and their diffs.
pub mod listing;
mod needs;
/// The colours a program's escape sequences set: 256-colour values, or basic ones left.
pub mod sgr;
/// Checks every echo server must pass, shared by the servers' test files.
pub mod suite;
/// A capture's TCP rows as osi-trace and tshark read them, to compare.
pub mod tcp_rows;
/// A terminal of a given size (a tmux pane) to run a program in and read its screen.
pub mod tmux;
/// One way to ask tshark for a capture's fields.
pub mod tshark;
/// Waiting for an event with a deadline, instead of sleeping.
pub mod wait;
pub use needs::{declared, require, require_all, require_that, test_path, Need};

/// How long a program may take to print its READY line.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The path of the workspace binary `name`, built (once per test process) so
/// that a test of one crate never runs a stale binary of another crate.
pub fn bin(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let dir = profile_dir();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut built = BUILT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !built.iter().any(|b| b == name) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "--workspace", "--bin", name]);
        if dir.file_name().is_some_and(|p| p == "release") {
            cmd.arg("--release");
        }
        // A failed build shows up as the missing (or old) binary when it is started.
        let _ = cmd.status();
        built.push(name.to_string());
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
    /// The stdout pipe of [`Server::start_unread`], kept open and never read.
    _unread: Option<Box<dyn Read + Send>>,
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
    /// This is the one "wait for READY" of the kit's tests.
    pub fn spawn(cmd: Command) -> Result<Server> {
        let mut server = Server::spawn_until(cmd, |l| l.starts_with("READY "))?;
        let ready = server.seen.last().cloned().unwrap_or_default();
        server.addr = ready_addr(&ready)?;
        Ok(server)
    }

    /// Starts `cmd` (stdout and stderr piped) and waits until it prints a line
    /// matching `pred`, e.g. a client's `holding the connection open`. The
    /// address stays `0.0.0.0:0`: only [`Server::spawn`] reads a READY line.
    pub fn spawn_until(mut cmd: Command, pred: impl Fn(&str) -> bool) -> Result<Server> {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("NO_COLOR", "1");
        let mut child = cmd.spawn().with_context(|| format!("spawn {cmd:?}"))?;
        let lines = line_channel(child.stdout.take());
        let stderr = collect(child.stderr.take());
        let mut server =
            Server { child, addr: "0.0.0.0:0".parse()?, lines, seen: Vec::new(), stderr, _unread: None };
        server.expect_line(pred, READY_TIMEOUT).with_context(|| {
            format!("{cmd:?} never printed the awaited line; stderr: {}", server.stderr())
        })?;
        Ok(server)
    }

    /// Kills the program now (SIGKILL): the kernel closes its sockets, with a
    /// FIN where nothing unread is left, as when any process dies.
    pub fn kill(&mut self) -> Result<ExitStatus> {
        self.child.kill()?;
        Ok(self.child.wait()?)
    }

    /// Starts workspace binary `name` like [`Server::start`], but stops reading
    /// its stdout after the READY line and keeps the pipe open: once the pipe
    /// (64 KiB on Linux) is full, every write to stdout would block — as when
    /// a server's narration goes to a pipe nobody reads.
    pub fn start_unread(name: &str, args: &[&str]) -> Result<Server> {
        let mut cmd = Command::new(bin(name));
        cmd.args(["--port", "0", "--color", "never"]).args(args);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("NO_COLOR", "1");
        let mut child = cmd.spawn().with_context(|| format!("spawn {cmd:?}"))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout pipe"))?;
        let stderr = collect(child.stderr.take());
        // Read up to the READY line on a thread (so the wait is bounded), then hand the pipe back.
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) if line.starts_with("READY ") => break,
                    Ok(_) => {}
                }
            }
            let _ = tx.send((line.trim_end().to_string(), reader));
        });
        let (_, silent) = mpsc::channel();
        let mut server = Server {
            child,
            addr: "0.0.0.0:0".parse()?,
            lines: silent,
            seen: Vec::new(),
            stderr,
            _unread: None,
        };
        let (ready, reader) = rx
            .recv_timeout(READY_TIMEOUT)
            .map_err(|_| anyhow!("{name}: no READY line; stderr: {}", server.stderr()))?;
        server.addr = ready_addr(&ready)?;
        server.seen.push(ready);
        server._unread = Some(Box::new(reader));
        Ok(server)
    }

    /// Starts reading the stdout that [`Server::start_unread`] left unread:
    /// from here on [`Server::expect_line`] sees what the program wrote since.
    pub fn read_on(&mut self) {
        if let Some(reader) = self._unread.take() {
            self.lines = line_channel(Some(reader));
        }
    }

    /// The port from the READY line.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Waits up to `timeout` for a stdout line matching `pred` and returns it.
    /// Every line read on the way is kept (see [`Server::lines`]).
    pub fn expect_line(&mut self, pred: impl Fn(&str) -> bool, timeout: Duration) -> Result<String> {
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
                    bail!("stdout closed; saw {:?}; stderr {:?}", self.seen, self.stderr())
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

/// The address of a `READY <addr>` line.
pub fn ready_addr(line: &str) -> Result<SocketAddr> {
    let addr = line.strip_prefix("READY ").ok_or_else(|| anyhow!("not a READY line: {line:?}"))?;
    addr.trim().parse().with_context(|| format!("bad READY line {line:?}"))
}

/// Runs `cmd` to completion with `input` on stdin, killing it after `timeout`.
pub fn run(mut cmd: Command, input: &[u8], timeout: Duration) -> Result<Output> {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("NO_COLOR", "1");
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
    Ok(Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() })
}

/// Like [`run`], and the peak resident memory of that one process, in KiB
/// (its `VmHWM`, read every few milliseconds while it runs). Not its rusage:
/// a child spawned from the test process inherits the test's own high-water
/// mark at exec, so a test holding a big buffer would see that instead.
pub fn run_measured(mut cmd: Command, input: &[u8], timeout: Duration) -> Result<(Output, u64)> {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("NO_COLOR", "1");
    let mut child = cmd.spawn().with_context(|| format!("spawn {cmd:?}"))?;
    let mut stdin = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
    let input = input.to_vec();
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = bytes_of(child.stdout.take());
    let err = bytes_of(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:")?.trim().strip_suffix(" kB")?.trim().parse().ok())
        });
        peak = peak.max(hwm.unwrap_or(0));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{cmd:?} still running after {timeout:?}; killed");
        }
        thread::sleep(Duration::from_millis(2));
    };
    let _ = writer.join();
    let output =
        Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() };
    Ok((output, peak))
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
/// Tests ask [`require`]`(test, Need::Capture)` rather than this.
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

/// How long a test waits for any one echo.
pub const ECHO_TIMEOUT: Duration = Duration::from_secs(20);

/// Connects to `addr` with read and write timeouts of [`ECHO_TIMEOUT`].
pub fn connect(addr: SocketAddr) -> Result<std::net::TcpStream> {
    let s = std::net::TcpStream::connect_timeout(&addr, ECHO_TIMEOUT)
        .with_context(|| format!("connect {addr}"))?;
    s.set_read_timeout(Some(ECHO_TIMEOUT))?;
    s.set_write_timeout(Some(ECHO_TIMEOUT))?;
    Ok(s)
}

/// Sends `payload` on `stream` (from a second thread, so a payload bigger
/// than the socket buffers cannot deadlock) and reads back as many bytes.
pub fn echo_on(stream: &std::net::TcpStream, payload: &[u8]) -> Result<Vec<u8>> {
    let mut writer = stream.try_clone()?;
    let data = payload.to_vec();
    let sender = thread::spawn(move || writer.write_all(&data));
    let mut got = vec![0u8; payload.len()];
    let mut reader = stream;
    reader.read_exact(&mut got).with_context(|| format!("reading a {}-byte echo", payload.len()))?;
    sender.join().map_err(|_| anyhow!("sender panicked"))?.context("sending")?;
    Ok(got)
}

/// One connection, one echo of `payload`, then close.
pub fn echo(addr: SocketAddr, payload: &[u8]) -> Result<Vec<u8>> {
    let stream = connect(addr)?;
    echo_on(&stream, payload)
}

/// Sends `payload`, shuts down the write side (FIN), then reads until the
/// server closes: returns everything that came back.
pub fn echo_half_closed(addr: SocketAddr, payload: &[u8]) -> Result<Vec<u8>> {
    let stream = connect(addr)?;
    let mut writer = stream.try_clone()?;
    let data = payload.to_vec();
    let sender = thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(&data)?;
        writer.shutdown(std::net::Shutdown::Write)
    });
    let mut got = Vec::new();
    (&stream).read_to_end(&mut got).context("reading the echo to EOF")?;
    sender.join().map_err(|_| anyhow!("sender panicked"))?.context("sending")?;
    Ok(got)
}

/// Sends `payload` and closes at once with SO_LINGER 0: the kernel sends RST,
/// mid-echo, as a client that crashes or gives up would.
pub fn send_and_reset(addr: SocketAddr, payload: &[u8]) -> Result<()> {
    let stream = connect(addr)?;
    (&stream).write_all(payload)?;
    socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
    drop(stream);
    Ok(())
}

/// `len` bytes that are neither text nor constant: every byte value, NUL
/// and invalid UTF-8 included, in an order that catches shifted or lost chunks.
pub fn binary_payload(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if i < 256 {
                i as u8
            } else {
                (x >> 24) as u8
            }
        })
        .collect()
}

/// CPU time (user + system) the process `pid` has used, from /proc.
pub fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    // USER_HZ is 100 on every Linux architecture the kit targets.
    Ok(Duration::from_millis(ticks * 10))
}
