//! osi-trace as a real process: on the checked-in fixtures (recorded from
//! real runs of the kit), against tshark on the same files, and live on lo
//! against the kit's real server and client.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use osi_trace::json::{Record, SCHEMA};

const T: Duration = Duration::from_secs(60);

/// The annotated trace of each fixture is exactly the one checked in, fitted to
/// 100 columns (a projector's): `osi-trace --read F.pcap --color never --width 100`.
#[test]
fn fixtures_give_their_checked_in_trace() -> anyhow::Result<()> {
    for name in ["echo-and-refused", "three-clients", "anomalies"] {
        let pcap = fixture(&format!("{name}.pcap"));
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--color", "never", "--width", "100"])?;
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let want = std::fs::read_to_string(fixture(&format!("{name}.expected.txt")))?;
        assert_eq!(
            text(&out.stdout),
            want,
            "{name}: the trace changed; if on purpose, regenerate the .expected.txt"
        );
    }
    Ok(())
}

/// Every line of `--json` reads into the schema's types and writes back byte for
/// byte; the first says the schema's version, and `type` is every line's first key.
#[test]
fn json_lines_are_the_typed_schema() -> anyhow::Result<()> {
    for name in ["echo-and-refused", "three-clients", "anomalies"] {
        let pcap = fixture(&format!("{name}.pcap"));
        let out = osi_trace(&["--read", &pcap.to_string_lossy(), "--json"])?;
        let mut kinds = (0, 0);
        for (i, line) in text(&out.stdout).lines().enumerate() {
            let r: Record = serde_json::from_str(line)?;
            match &r {
                Record::Start(s) => assert_eq!((i, s.schema), (0, SCHEMA), "{name}"),
                Record::Segment(_) => kinds.0 += 1,
                Record::Connection(_) => kinds.1 += 1,
                Record::Control(_) => {} // no ARP or ICMP in these (the lab's captures have them)
                Record::Hop(_) | Record::HopOnly(_) | Record::Unknown => {
                    panic!("{name}: not a trace's record: {line}")
                }
            }
            assert!(i > 0 || matches!(r, Record::Start(_)), "{name}: first line {line}");
            assert!(line.starts_with("{\"type\":"), "{name}: {line}");
            assert_eq!(serde_json::to_string(&r)?, line, "{name}");
        }
        assert!(kinds.0 > 0 && kinds.1 > 0, "{name}: {kinds:?}");
    }
    Ok(())
}

// osi-trace's and tshark's TCP rows, field by field (harness::tcp_rows).
use common::{fixture, osi_trace, text};
use harness::tcp_rows;

/// The same streams, relative numbers, lengths and analysis flags as tshark.
#[test]
fn agrees_with_tshark_on_the_fixtures() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    for name in [
        "echo-and-refused",
        "three-clients",
        "anomalies",
        "accept-queue",
        "zero-window",
        "wireshark-rules",
        "bulk-echo",
        "bulk-loss",
        "syn-ack-resent-link1",
        "syn-ack-resent-link2",
        // A lab loss run (frames 1-12, 530-570, -s 128): the clock steps back 7 µs at frame 47.
        "clock-steps-back",
        // A lab loss run (link2, frames 1-12, 370-390, -s 128): the handshake's ACK was lost,
        // the first data segment gives the initial RTT (the out-of-order threshold).
        "handshake-ack-lost",
        // A lab loss run (link1, frames 1-12, 220-235, 590-601, -s 128): window updates
        // that carry SACK blocks.
        "sack-window-updates",
        // 30 % loss (link1, frames 1-8 and the last 6): the client's RST lost behind the router.
        "rst-lost",
        // 10 % loss up (link1, frames 1-6 and the last 7): the client's last ACK lost.
        "fin-ack-lost",
        // 10 % loss (link1 of syn-ack-resent's run, frames 1-10 and the last 6): FINs crossing.
        "fin-copy-crossing",
        // 10 % loss (link2, frames 1-10, 250-272): the server's window updates lost after link2.
        "window-update-lost",
    ] {
        let pcap = fixture(&format!("{name}.pcap"));
        let ((ours, _), (theirs, _)) = (tcp_rows::ours(&pcap)?, tcp_rows::theirs(&pcap)?);
        assert!(ours.len() > 1, "{name}: no TCP rows");
        let differ = tcp_rows::differences(&ours, &theirs);
        assert!(differ.is_empty(), "{name}: osi-trace and tshark disagree:\n{}", differ.join("\n"));
    }
    Ok(())
}

/// `--read F --port N` keeps the file's frame numbers and tcp.stream numbers, as tshark's display filter does.
#[test]
fn a_port_filter_keeps_the_files_frame_and_stream_numbers() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let pcap = fixture("wireshark-rules.pcap");
    let p = pcap.to_string_lossy();
    let out = osi_trace(&["--read", &p, "--port", "40002", "--json"])?;
    let ours: Vec<(u64, u64)> = text(&out.stdout)
        .lines()
        .filter_map(|l| match serde_json::from_str::<Record>(l) {
            Ok(Record::Segment(s)) => Some((s.frame, s.stream)),
            _ => None,
        })
        .collect();
    let mut cmd = Command::new("tshark");
    cmd.args(["-r", &p, "-Y", "tcp.port==40002", "-T", "fields", "-e", "frame.number", "-e", "tcp.stream"]);
    let out = harness::run(cmd, b"", T)?;
    let theirs: Vec<(u64, u64)> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?))))
        .collect();
    assert_eq!(ours.first(), Some(&(13, 2)), "{ours:?}");
    assert_eq!(ours, theirs);
    Ok(())
}

#[test]
fn a_file_that_is_not_a_capture_is_one_clear_line() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("notes.txt");
    std::fs::write(&bad, "hello, this is not a pcap\n")?;
    let out = osi_trace(&["--read", &bad.to_string_lossy()])?;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "not a pcap or pcapng file (starts with 0x68656c6c); hint: give a file written by tcpdump -w"
        ),
        "{err}"
    );

    // A capture cut in the middle of a record: what was read is shown, then one error line.
    let full = std::fs::read(fixture("echo-and-refused.pcap"))?;
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &full[..full.len() - 20])?;
    let out = osi_trace(&["--read", &cut.to_string_lossy(), "--color", "never"])?;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).lines().filter(|l| l.contains(" #")).count(), 11);
    assert!(
        text(&out.stderr)
            .contains("damaged record after frame 11: the file ends in the middle of a record (truncated)"),
        "{}",
        text(&out.stderr)
    );

    let out = osi_trace(&["--read", "/no/such/file.pcap"])?;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("osi-trace: error: cannot open \"/no/such/file.pcap\""));

    // A file name holding an escape sequence reaches the terminal escaped.
    let out = osi_trace(&["--read", "/no/such/a\x1b[2Jb.pcap"])?;
    assert!(text(&out.stderr).contains(r#"cannot open "/no/such/a\x1b[2Jb.pcap""#), "{}", text(&out.stderr));
    Ok(())
}

#[test]
fn layers_and_ladder_views() -> anyhow::Result<()> {
    let pcap = fixture("echo-and-refused.pcap");
    let p = pcap.to_string_lossy();
    let out = osi_trace(&["--read", &p, "--layers", "--color", "never", "--count", "1", "--width", "0"])?;
    let s = text(&out.stdout);
    assert!(s.contains("    L2 Ethernet 00:00:00:00:00:00 → 00:00:00:00:00:00, type 0x0800 — loopback: a placeholder header"), "{s}");
    assert!(s.contains("    L3 IPv4 127.0.0.1 → 127.0.0.1, TTL 64, total length 60"), "{s}");
    assert!(s.contains("flags SYN, seq 0 (raw "), "{s}");
    assert!(s.contains("options: MSS 65495"), "{s}");
    assert!(s.contains("    L7 no payload"), "{s}");
    let out = osi_trace(&["--read", &p, "--ladder", "--color", "never"])?;
    let s = text(&out.stdout);
    assert!(s.contains("SYN_SENT     ──────────────── SYN seq=0 ────────────────▶ SYN_RECEIVED"), "{s}");
    assert!(s.contains("CLOSED       ◀────────── RST+ACK seq=1 ack=1 ──────────── CLOSED"), "{s}");
    Ok(())
}

/// A free port on 127.0.0.1 (free a moment ago).
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts a live capture and waits for its READY line on stderr.
fn start_capture(args: &[String]) -> anyhow::Result<std::process::Child> {
    let mut child = Command::new(harness::bin("osi-trace"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(20))?;
    anyhow::ensure!(line.starts_with("READY capturing on lo"), "first stderr line: {line}");
    Ok(child)
}

/// The kit's server-basic and client, captured live: one copy of every
/// frame, the handshake, the data, the teardown, then the refused second
/// client; `--write` gives a pcap that tcpdump and `--read` read the same.
#[test]
fn live_capture_of_an_echo_and_a_refused_connection() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let port = free_port()?;
    let dir = tempfile::tempdir()?;
    let pcap = dir.path().join("run.pcap");
    let cap = start_capture(&[
        "--port".into(),
        port.to_string(),
        "--connections".into(),
        "2".into(),
        "--duration".into(),
        "30".into(),
        "--json".into(),
        "--write".into(),
        pcap.to_string_lossy().into_owned(),
    ])?;
    // tcpdump on the same traffic, if installed, as the oracle for frame counts.
    let tcpdump = if harness::require!(harness::Need::Tool("tcpdump")) {
        let out = dir.path().join("tcpdump.pcap");
        Some((Tcpdump::start(port, &out)?, out))
    } else {
        None
    };
    let mut srv = harness::Server::spawn({
        let mut c = Command::new(harness::bin("server-basic"));
        c.args(["--port", &port.to_string(), "--color", "never"]);
        c
    })?;
    let client = |expect_ok: bool| -> anyhow::Result<()> {
        let mut c = Command::new(harness::bin("client"));
        c.args(["--port", &port.to_string(), "--quiet"]);
        let out = harness::run(c, b"", T)?;
        assert_eq!(out.status.success(), expect_ok, "{}", text(&out.stderr));
        Ok(())
    };
    client(true)?;
    srv.wait_exit(Duration::from_secs(10))?;
    client(false)?;
    let out = cap.wait_with_output()?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json = text(&out.stdout);
    let roles: Vec<String> = json
        .lines()
        .filter_map(|l| match serde_json::from_str::<Record>(l) {
            Ok(Record::Segment(j)) => Some(format!("{}:{}", j.stream, j.role)),
            _ => None,
        })
        .collect();
    assert_eq!(
        roles,
        [
            "0:syn",
            "0:syn_ack",
            "0:handshake_ack",
            "0:data",
            "0:ack",
            "0:data",
            "0:ack",
            "0:fin",
            "0:fin",
            "0:fin_ack",
            "1:syn",
            "1:refused"
        ],
        "{json}"
    );
    // Live, a SYN's row waits for its answer, as --read of what --write saved
    // looks ahead at it: the same records, states included.
    let again = osi_trace(&["--read", &pcap.to_string_lossy(), "--json"])?;
    let parse = |s: &str| -> Vec<Record> { s.lines().filter_map(|l| serde_json::from_str(l).ok()).collect() };
    let (live, read) = (parse(&json), parse(&text(&again.stdout)));
    let syns: Vec<String> = live
        .iter()
        .filter_map(|r| match r {
            Record::Segment(s) if s.role == "syn" => Some(s.server_state.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(syns, ["SYN_RECEIVED", "CLOSED"]);
    assert_eq!(live, read);
    if let Some((dump, their_pcap)) = tcpdump {
        let said = dump.stop_at(&their_pcap, 12)?;
        let count = |p: &Path| -> anyhow::Result<usize> {
            let mut c = Command::new("tcpdump");
            c.args(["-nn", "-r", &p.to_string_lossy()]);
            let out = harness::run(c, b"", T)?;
            assert!(out.status.success(), "tcpdump -r: {}", text(&out.stderr));
            Ok(text(&out.stdout).lines().count())
        };
        assert_eq!(count(&pcap)?, 12, "tcpdump reads our pcap");
        assert_eq!(count(&their_pcap)?, 12, "tcpdump -i lo saw as many frames as we did; it said {said}");
    }
    Ok(())
}

/// tcpdump on lo for `tcp port PORT`, writing every frame at once (`-U`,
/// `--immediate-mode`, with a 32 MiB buffer: in immediate mode each frame takes a
/// 256 KiB slot, and the default 2 MiB dropped frames) to a file; killed on drop.
struct Tcpdump {
    child: Child,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

impl Tcpdump {
    /// Starts tcpdump and waits (at most 20 s) for its "listening on" line,
    /// which it prints once its capture and filter are in place.
    fn start(port: u16, file: &Path) -> anyhow::Result<Tcpdump> {
        let f = file.to_string_lossy();
        let port = port.to_string();
        let args = [
            "-Z",
            "root",
            "-B",
            "32768",
            "--immediate-mode",
            "-i",
            "lo",
            "-U",
            "-w",
            &f,
            "tcp",
            "port",
            &port,
        ];
        let mut child =
            Command::new("tcpdump").args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
        let err = child.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut dump = Tcpdump { child, stderr: rx, seen: Vec::new() };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let line = dump.stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())).map_err(
                |e| anyhow::anyhow!("tcpdump: no \"listening on\" line ({e}); it said {:?}", dump.seen),
            )?;
            let ready = line.contains("listening on");
            dump.seen.push(line);
            if ready {
                return Ok(dump);
            }
        }
    }

    /// Waits (at most 10 s) until `file` holds `n` frames, then stops tcpdump
    /// with SIGINT, as Ctrl-C; returns all it said on stderr.
    fn stop_at(mut self, file: &Path, n: usize) -> anyhow::Result<String> {
        // On a timeout, stop all the same: the caller's count names what is missing.
        let _ =
            harness::wait::until("tcpdump's frames", Duration::from_secs(10), || Ok(frames_in(file)? >= n));
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status()?;
        anyhow::ensure!(status.success(), "kill -INT tcpdump failed");
        self.child.wait()?;
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(line);
        }
        Ok(self.seen.join("\n"))
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Frames in a pcap, as `tcpdump -r` counts them (a file still being written included).
fn frames_in(file: &Path) -> anyhow::Result<usize> {
    let mut c = Command::new("tcpdump");
    c.args(["-nn", "-r", &file.to_string_lossy()]);
    let out = harness::run(c, b"", T)?;
    Ok(text(&out.stdout).lines().count())
}

/// Without CAP_NET_RAW: one line naming the three ways out.
#[test]
fn missing_capture_permission_names_the_ways_out() -> anyhow::Result<()> {
    let me = harness::bin("osi-trace");
    let mut cmd = if harness::can_capture() {
        // Root: drop to nobody, if setpriv can.
        if !harness::require!(harness::Need::Unprivileged) {
            return Ok(());
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]).arg(&me);
        c
    } else {
        Command::new(&me)
    };
    cmd.args(["--port", "65432", "--duration", "1"]);
    let out = harness::run(cmd, b"", T)?;
    let err = text(&out.stderr);
    if err.contains("Permission denied") && err.contains("setpriv")
        || err.contains("cannot open") && err.contains("target")
    {
        let why = "the unprivileged user cannot run the test binary here".to_string();
        harness::require_that!("unprivileged-user", Err(why));
        return Ok(());
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("osi-trace: error: cannot capture on lo: permission denied (capturing needs CAP_NET_RAW); hint: run as root; or once `sudo setcap cap_net_raw=eip "), "{err}");
    assert!(err.contains("`unshare --user --map-root-user --net` then `ip link set lo up`"), "{err}");
    Ok(())
}

#[test]
fn an_unknown_interface_lists_the_real_ones() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let out = osi_trace(&["--interface", "nosuch0", "--duration", "1"])?;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("osi-trace: error: no interface named \"nosuch0\"; hint: interfaces here: "),
        "{err}"
    );
    assert!(err.contains("lo"), "{err}");
    Ok(())
}
