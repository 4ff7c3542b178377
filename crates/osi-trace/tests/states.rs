//! The states osi-trace gives each end never contradict what that end sends, on every
//! capture the project holds (fixtures, corpus, the lab's and the lessons' recorded captures): an end
//! shown CLOSED or LISTEN sends nothing but an RST, data never leaves an end in SYN_SENT,
//! TIME_WAIT or FIN_WAIT_2, and no end sends two handshake ACKs (connect() returns
//! once). Each row's state is the sender's as it was when it sent: where segments crossed
//! on the wire or one was lost behind the capture, it follows from the sender's own fields.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use osi_trace::json::{Record, SegmentRecord};

fn captures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("tests/fixtures"),
        root.join("tests/corpus"),
        root.join("../lab/tests/captures"),
        root.join("../../lessons/captures"),
    ];
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap_or_else(|e| panic!("{}: {e}", d.display())))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    files.sort();
    files
}

fn segments(pcap: &Path) -> anyhow::Result<Vec<SegmentRecord>> {
    let mut cmd = Command::new(harness::bin("osi-trace"));
    cmd.arg("--read").arg(pcap).arg("--json");
    let out = harness::run(cmd, b"", Duration::from_secs(120))?;
    anyhow::ensure!(out.status.success(), "{}: {}", pcap.display(), String::from_utf8_lossy(&out.stderr));
    let mut segs = Vec::new();
    for line in String::from_utf8(out.stdout)?.lines() {
        if let Record::Segment(s) = serde_json::from_str(line)? {
            segs.push(*s);
        }
    }
    Ok(segs)
}

/// What is wrong with the sender's state on this row, if anything.
fn contradiction(s: &SegmentRecord) -> Option<String> {
    let me = if s.from == "client" { &s.client_state } else { &s.server_state };
    let rst = s.flags.contains("RST");
    if !rst && (me == "CLOSED" || me == "LISTEN") {
        return Some(format!("{} sends {} from {me}", s.from, s.role));
    }
    if s.len > 0 && matches!(me.as_str(), "SYN_SENT" | "TIME_WAIT" | "FIN_WAIT_2") {
        return Some(format!("{} sends data from {me}", s.from));
    }
    None
}

#[test]
fn no_end_sends_from_a_state_it_cannot_send_from() -> anyhow::Result<()> {
    let files = captures();
    assert!(files.len() > 50, "only {} captures found", files.len());
    let mut wrong = Vec::new();
    for pcap in &files {
        let segs = segments(pcap)?;
        let name = pcap.file_name().unwrap_or_default().to_string_lossy().into_owned();
        wrong.extend(
            segs.iter().filter_map(|s| contradiction(s).map(|w| format!("{name} frame {}: {w}", s.frame))),
        );
        // One per end that called connect(): both, in a simultaneous open.
        let mut handshakes = std::collections::BTreeMap::<(u64, &str), u32>::new();
        for s in segs.iter().filter(|s| s.role == "handshake_ack") {
            *handshakes.entry((s.stream, s.from.as_str())).or_default() += 1;
        }
        wrong.extend(
            handshakes
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|((st, from), n)| format!("{name} stream {st}: {n} handshake ACKs from the {from}")),
        );
    }
    assert!(wrong.is_empty(), "{} rows contradict their states:\n{}", wrong.len(), wrong.join("\n"));
    Ok(())
}

/// The check itself can fail: a data row from an end in TIME_WAIT is caught, and so is
/// an ACK from a CLOSED one.
#[test]
fn the_check_catches_an_end_sending_from_the_wrong_state() -> anyhow::Result<()> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/echo-and-refused.pcap");
    let segs = segments(&fixture)?;
    let mut data = segs.iter().find(|s| s.from == "client" && s.len > 0).expect("a client data row").clone();
    assert_eq!(contradiction(&data), None);
    data.client_state = "TIME_WAIT".into();
    assert_eq!(contradiction(&data).as_deref(), Some("client sends data from TIME_WAIT"));
    let mut ack = segs.iter().find(|s| s.from == "server" && s.role == "ack").expect("a server ACK").clone();
    ack.server_state = "CLOSED".into();
    assert_eq!(contradiction(&ack).as_deref(), Some("server sends ack from CLOSED"));
    Ok(())
}
