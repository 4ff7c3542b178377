//! The explorer's page holds `--json`'s own records (it cannot disagree with
//! the terminal), its byte offsets are tshark's, and each segment's `call`
//! and `by` say what its cause says in words.

mod common;
#[path = "explorer/page.rs"]
mod page;

use common::osi_trace_ok;
use page::{embedded, lines, page_fields, pdml, repo};

/// Fields whose place in the frame the page must agree on with tshark.
const FIELDS: [&str; 12] = [
    "eth.src",
    "eth.type",
    "ip.ttl",
    "ip.src",
    "ipv6.src",
    "ipv6.hlim",
    "tcp.srcport",
    "tcp.seq",
    "tcp.flags",
    "tcp.window_size_value",
    "tcp.options",
    "tcp.payload",
];

#[test]
fn the_page_embeds_exactly_the_records_json_writes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    for (i, pcap) in [
        "lessons/captures/03-hello.pcap",
        "lessons/captures/05-endings.pcap",
        "crates/osi-trace/tests/fixtures/three-clients.pcap",
        "crates/osi-trace/tests/fixtures/bulk-loss.pcap",
        "crates/osi-trace/tests/corpus/qinq.pcap",
    ]
    .iter()
    .enumerate()
    {
        let pcap = repo(pcap);
        let html = dir.path().join(format!("{i}.html"));
        let read = pcap.to_string_lossy();
        let json = osi_trace_ok(&["--read", &read, "--json"])?;
        osi_trace_ok(&[
            "--read",
            &read,
            "--html",
            &html.to_string_lossy(),
            "--programs",
            "server-basic,client",
        ])?;
        let data = embedded(&std::fs::read_to_string(&html)?)?;
        let want = lines(&json);
        assert!(!want.is_empty());
        assert_eq!(data["records"].as_array().expect("records"), &want, "{read}");
    }
    Ok(())
}

/// `--stream N` puts one connection on the page: its segments (with their frames) and its summary.
#[test]
fn a_page_of_one_stream_holds_that_stream_only() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pcap = repo("lessons/captures/05-endings.pcap");
    let html = dir.path().join("one.html");
    let json = osi_trace_ok(&["--read", &pcap.to_string_lossy(), "--json"])?;
    osi_trace_ok(&["--read", &pcap.to_string_lossy(), "--html", &html.to_string_lossy(), "--stream", "1"])?;
    let data = embedded(&std::fs::read_to_string(&html)?)?;
    let want: Vec<_> = lines(&json).into_iter().filter(|r| r["stream"] == 1).collect();
    assert!(want.len() > 5);
    assert_eq!(data["records"].as_array().expect("records"), &want);
    let frames: Vec<_> =
        data["frames"].as_array().expect("frames").iter().map(|f| f["frame"].clone()).collect();
    let segments: Vec<_> =
        want.iter().filter(|r| r["type"] == "segment").map(|r| r["frame"].clone()).collect();
    assert_eq!(frames, segments, "each segment's frame, and no other");
    assert_eq!(data["page"]["stream"], 1);
    Ok(())
}

#[test]
fn the_hop_page_embeds_exactly_the_records_hop_json_writes() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (a, b) = (
        repo("crates/osi-trace/tests/fixtures/syn-ack-resent-link1.pcap"),
        repo("crates/osi-trace/tests/fixtures/syn-ack-resent-link2.pcap"),
    );
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    let html = dir.path().join("hop.html");
    let json = osi_trace_ok(&["--read", &a, "--hop", &b, "--json"])?;
    osi_trace_ok(&["--read", &a, "--hop", &b, "--html", &html.to_string_lossy()])?;
    let data = embedded(&std::fs::read_to_string(&html)?)?;
    assert_eq!(data["hop"].as_array().expect("hop"), &lines(&json));
    assert_eq!(data["page"]["mode"], "hop");
    assert_eq!(
        data["frames"].as_array().map(Vec::len),
        data["hop"].as_array().map(Vec::len),
        "a frame per row"
    );
    Ok(())
}

#[test]
fn field_offsets_are_where_tshark_puts_them() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("tshark")) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let mut checked = std::collections::BTreeSet::new();
    for pcap in [
        "lessons/captures/03-hello.pcap",
        "crates/osi-trace/tests/corpus/qinq.pcap",
        "crates/osi-trace/tests/corpus/vxlan.pcap",
        "crates/osi-trace/tests/corpus/echo-v6.pcap",
        "crates/osi-trace/tests/corpus/sll2.pcap",
    ] {
        let path = repo(pcap);
        let html = dir.path().join("p.html");
        let _ = std::fs::remove_file(&html);
        osi_trace_ok(&["--read", &path.to_string_lossy(), "--html", &html.to_string_lossy()])?;
        let data = embedded(&std::fs::read_to_string(&html)?)?;
        let shark = pdml(&path)?;
        let frames = data["frames"].as_array().expect("frames");
        assert!(!frames.is_empty(), "{pcap}");
        for f in frames {
            let n = f["frame"].as_u64().expect("frame");
            let ours = page_fields(&data, n);
            let theirs = &shark[n as usize - 1];
            for name in FIELDS {
                if let (Some(o), Some(t)) = (ours.get(name), theirs.get(name)) {
                    assert_eq!(o, t, "{pcap} frame {n} {name}: ours (offset, length), tshark's (pos, size)");
                    checked.insert(name);
                } else if ours.contains_key(name) != theirs.contains_key(name) && name != "tcp.options" {
                    panic!(
                        "{pcap} frame {n}: {name} is {} only",
                        if ours.contains_key(name) { "ours" } else { "tshark's" }
                    );
                }
            }
        }
    }
    assert_eq!(checked.len(), FIELDS.len(), "every field was compared: {checked:?}");
    Ok(())
}

#[test]
fn call_and_by_say_what_the_cause_says() -> anyhow::Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    let fixtures = std::fs::read_dir(repo("crates/osi-trace/tests/fixtures"))?;
    let lessons = std::fs::read_dir(repo("lessons/captures"))?;
    for entry in fixtures.chain(lessons) {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "pcap") {
            continue;
        }
        for r in lines(&osi_trace_ok(&["--read", &path.to_string_lossy(), "--json"])?) {
            if r["type"] != "segment" {
                continue;
            }
            let (cause, by, from) = (
                r["cause"].as_str().unwrap_or(""),
                r["by"].as_str().unwrap_or(""),
                r["from"].as_str().unwrap_or(""),
            );
            assert!(by == from || by == format!("{from}_kernel"), "{r}");
            match r["call"].as_str() {
                Some("listen") => assert!(cause.contains("for the listening socket"), "{r}"),
                Some(call) => assert!(cause.contains(&format!("{call}()")), "{r}"),
                None => assert!(cause.starts_with(&format!("{from}'s kernel")), "{r}"),
            }
            if by == from {
                let call = r["call"].as_str().expect("a program's segment has a call");
                assert!(cause.starts_with(&format!("{from}'s {call}()")), "{r}");
            }
            seen.insert(format!("{}/{by}", r["call"].as_str().unwrap_or("-")));
        }
    }
    for want in [
        "connect/client",
        "connect/client_kernel",
        "listen/server_kernel",
        "send/client",
        "send/server",
        "close/client",
        "close/server",
        "-/client_kernel",
        "-/server_kernel",
    ] {
        assert!(seen.contains(want), "no {want} in the captures: {seen:?}");
    }
    Ok(())
}

#[test]
fn an_existing_page_is_not_replaced_without_force() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let html = dir.path().join("p.html");
    std::fs::write(&html, "mine")?;
    let mut cmd = std::process::Command::new(harness::bin("osi-trace"));
    cmd.args([
        "--read",
        &repo("lessons/captures/03-hello.pcap").to_string_lossy(),
        "--html",
        &html.to_string_lossy(),
    ]);
    let out = harness::run(cmd, b"", std::time::Duration::from_secs(60))?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&html)?, "mine");
    osi_trace_ok(&[
        "--read",
        &repo("lessons/captures/03-hello.pcap").to_string_lossy(),
        "--html",
        &html.to_string_lossy(),
        "--force",
    ])?;
    assert!(std::fs::read_to_string(&html)?.starts_with("<!DOCTYPE html>"));
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 1, "no temporary file left");
    Ok(())
}

/// The book's reference pages (lessons/explorer/, and lessons/explorer/vi/ in
/// Vietnamese) are what osi-trace writes today from the lessons' captures: they
/// cannot say what osi-trace no longer says.
#[test]
fn the_books_pages_are_current() -> anyhow::Result<()> {
    let script = std::fs::read_to_string(repo("scripts/screenshots.sh"))?;
    let dir = tempfile::tempdir()?;
    let mut pages = 0;
    for line in script.lines().filter_map(|l| l.trim().strip_prefix('"')?.strip_suffix('"')) {
        let [name, pcap, programs] = line.split(' ').collect::<Vec<_>>()[..] else { continue };
        // Each page in English, and in Vietnamese for the Vietnamese edition (lessons/explorer/vi/).
        for (lang, folder) in [("en", "lessons/explorer"), ("vi", "lessons/explorer/vi")] {
            let fresh = dir.path().join(format!("{name}-{lang}.html"));
            let mut cmd = std::process::Command::new(harness::bin("osi-trace"));
            cmd.current_dir(repo(".")).args(["--read", pcap, "--html"]).arg(&fresh).args([
                "--programs",
                programs,
                "--lang",
                lang,
            ]);
            let out = harness::run(cmd, b"", std::time::Duration::from_secs(60))?;
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let committed = repo(&format!("{folder}/{name}.html"));
            assert!(
                std::fs::read(&committed)? == std::fs::read(&fresh)?,
                "{} is not what osi-trace writes now: run scripts/screenshots.sh and commit what it changes",
                committed.display()
            );
            pages += 1;
        }
    }
    assert_eq!(pages, 6, "the pages scripts/screenshots.sh lists, in both languages");
    Ok(())
}
