//! A capture's answers: `osi-trace --read PCAP --json`, read row by row as it
//! comes (a capture of any size, in bounded memory) into osi-trace's own record
//! types, each question's reader fed each row. The first row gives the schema
//! the rows follow: another version than the one this program was built with is
//! one error line, not answers misread. For a class, within limits: a capture
//! past a size is not read, and one that takes too long is stopped (its
//! osi-trace killed) at a deadline.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use osi_trace::json::{Record, SCHEMA};

use crate::exercises::reading::answer_all;
use crate::exercises::Question;
use crate::words::errors;

/// How much of one capture may be read, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes: a bigger file is refused before it is read.
    pub max_bytes: Option<u64>,
    /// Time for every pass over the capture together.
    pub time: Option<Duration>,
}

impl Limits {
    /// No limit: a student checking their own capture, however big.
    pub const NONE: Limits = Limits { max_bytes: None, time: None };
}

/// The answer to each of `questions` that `pcap` gives, in their order (`None`
/// where it cannot tell). An error is one line saying why the capture could not
/// be read (missing, too big, damaged, too slow), naming it `name`.
pub fn answers(
    questions: &[Question],
    pcap: &Path,
    name: &str,
    limits: Limits,
) -> Result<Vec<Option<String>>> {
    let meta = std::fs::metadata(pcap).with_context(|| errors::no_capture_file(name))?;
    if !meta.is_file() {
        bail!(errors::not_a_file(name));
    }
    if let Some(max) = limits.max_bytes.filter(|&max| meta.len() > max) {
        bail!(errors::capture_too_big(name, mib(meta.len()), mib(max)));
    }
    let deadline = limits.time.map(|t| (Instant::now() + t, t));
    let readers: Vec<_> = questions.iter().map(|q| q.answer).collect();
    answer_all(&readers, |f| each_row(pcap, name, deadline, f))
}

/// Bytes in MiB, rounded up: "more than 64 MiB" never shows a file of 64.2 as 64.
fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// Calls `f` with each row of `osi-trace --read PCAP --json`, as it comes; past
/// the deadline, osi-trace is killed and the reading fails. Errors name the file `name`.
pub fn each_row(
    pcap: &Path,
    name: &str,
    deadline: Option<(Instant, Duration)>,
    f: &mut dyn FnMut(&Record),
) -> Result<()> {
    let mut child = Command::new(osi_trace())
        .arg("--read")
        .arg(pcap)
        .args(["--json", "--color", "never", "--lang", if kit::lang::vi() { "vi" } else { "en" }])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(errors::run_osi_trace)?;
    // Its stderr (a few lines: counts, warnings) is read meanwhile, so it never blocks.
    let stderr = child.stderr.take().with_context(|| errors::osi_trace_output("stderr"))?;
    let said = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.take(64 << 10).read_to_string(&mut text);
        text
    });
    let stdout = child.stdout.take().with_context(|| errors::osi_trace_output("stdout"))?;
    let child = Arc::new(Mutex::new(child));
    let (done, watch) = watchdog(&child, deadline);
    let read = rows(BufReader::new(stdout), f);
    drop(done);
    let killed = watch.join().unwrap_or(false);
    let status = child.lock().map_err(|_| anyhow::anyhow!(errors::watchdog_failed()))?.wait();
    let status = status.with_context(errors::waiting_for_osi_trace)?;
    let said = said.join().unwrap_or_default();
    if let Some((_, time)) = deadline.filter(|_| killed) {
        bail!(errors::too_slow(name, time.as_secs_f64()));
    }
    read?;
    if !status.success() {
        let why = said.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        // Its one error line, in the language it was asked for (see `--lang` above).
        let why = ["osi-trace: error: ", "osi-trace: lỗi: "]
            .iter()
            .find_map(|p| why.strip_prefix(p))
            .unwrap_or(why);
        bail!(errors::osi_trace_could_not_read(name, why));
    }
    Ok(())
}

/// Same version hint for every line that is not what this program reads.
const SAME_KIT: &str = "use an osi-trace and a lesson-check built from the same version of the kit";

/// Calls `f` with each record of osi-trace's `--json` output after the
/// first, which must give the schema this program was built with.
fn rows(out: impl BufRead, f: &mut dyn FnMut(&Record)) -> Result<()> {
    for (i, line) in out.lines().enumerate() {
        let line = line.context("reading osi-trace's output")?;
        let record = serde_json::from_str(&line).map_err(|e| {
            kit::hinted(format!("osi-trace wrote a line that is not one of its records ({e})"), SAME_KIT)
        })?;
        match (i, record) {
            (0, Record::Start(start)) if start.schema == SCHEMA => {}
            (0, Record::Start(start)) => bail!(kit::hinted(
                format!("osi-trace writes schema {}, this lesson-check reads schema {SCHEMA}", start.schema),
                SAME_KIT
            )),
            (0, _) => {
                bail!(kit::hinted("osi-trace's --json did not start with its schema version", SAME_KIT))
            }
            // A record type added since this program was built: nothing here asks about it.
            (_, Record::Unknown) => {}
            (_, row) => f(&row),
        }
    }
    Ok(())
}

/// A thread that kills `child` at the deadline, unless the sender it returns is
/// dropped first; it answers whether it killed.
fn watchdog(
    child: &Arc<Mutex<Child>>,
    deadline: Option<(Instant, Duration)>,
) -> (mpsc::Sender<()>, std::thread::JoinHandle<bool>) {
    let (done, wait) = mpsc::channel::<()>();
    let child = Arc::clone(child);
    let watch = std::thread::spawn(move || {
        let Some((at, _)) = deadline else {
            let _ = wait.recv();
            return false;
        };
        match wait.recv_timeout(at.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Timeout) => child.lock().is_ok_and(|mut c| c.kill().is_ok()),
            _ => false,
        }
    });
    (done, watch)
}

/// `osi-trace` next to this program (both are built into target/<profile>), else from PATH.
fn osi_trace() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("osi-trace")));
    beside.filter(|p| p.is_file()).unwrap_or_else(|| PathBuf::from("osi-trace"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Record>> {
        let mut got = Vec::new();
        rows(text.as_bytes(), &mut |r| got.push(r.clone()))?;
        Ok(got)
    }

    /// The rows after the start record are given (a record type added later
    /// skipped); the start record of another schema, none, or a line that is
    /// no record, is one error line.
    #[test]
    fn the_first_row_must_give_this_schema() {
        let start = Record::start_line();
        let connection = r#"{"type":"connection","client":"a","client_to_server":{"bytes":0,"segments":0},"client_to_server_rtt":null,"duration":0.0,"end":"open","handshake_rtt":null,"handshake_time":null,"joined_late":false,"server":"b","server_to_client":{"bytes":0,"segments":0},"server_to_client_rtt":null,"start":0.0,"stream":7,"syn_ack_retransmissions":0,"syn_retransmissions":0}"#;
        let got = read(&format!("{start}{connection}\n")).unwrap();
        assert!(matches!(&got[..], [Record::Connection(c)] if c.stream == 7), "{got:?}");
        assert!(read("").unwrap().is_empty());
        let other = format!("{{\"type\":\"start\",\"schema\":{}}}\n", SCHEMA + 1);
        let e = read(&other).unwrap_err().to_string();
        assert!(
            e.contains(&format!("writes schema {}, this lesson-check reads schema {SCHEMA}", SCHEMA + 1)),
            "{e}"
        );
        let e = read(&format!("{connection}\n")).unwrap_err().to_string();
        assert!(e.contains("did not start with its schema version"), "{e}");
        let e = read(&format!("{start}{{\"type\":\"segment\"}}\n")).unwrap_err().to_string();
        assert!(e.contains("not one of its records"), "{e}");
        // A record type added later, within the same schema, is skipped.
        let got = read(&format!("{start}{{\"type\":\"later\"}}\n{connection}\n")).unwrap();
        assert!(matches!(&got[..], [Record::Connection(_)]), "{got:?}");
    }
}
