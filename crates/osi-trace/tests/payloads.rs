//! Payloads as a student sees them, live on lo through the kit's client and
//! server-loop: valid UTF-8 as text ("Xin chào, thế giới") in the client's, the
//! server's and osi-trace's lines; every byte that could hurt a terminal escaped
//! there (C0, ESC, DEL, C1, bidi overrides, invalid UTF-8); wide and zero-width
//! characters fitted by the columns they take; JSON keeping its bytes literal.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::osi_trace_ok;
use unicode_width::UnicodeWidthStr;

const T: Duration = Duration::from_secs(30);
const VIETNAMESE: &str = "Xin chào, thế giới";
/// Wide (CJK, two columns each), zero-width (a combining accent, a zero-width space).
const WIDE: &str = "日本語のテキスト e\u{301}\u{200b} thế giới";

/// One of each class a terminal must never receive raw.
fn hostile() -> Vec<u8> {
    let mut b = b"clear:\x1b[2J nul:\x00 bell:\x07 del:\x7f ".to_vec();
    b.extend_from_slice("csi:\u{9b}31m nel:\u{85} rlo:\u{202e}olleh pdi:\u{2069} lri:\u{2066} ".as_bytes());
    b.extend_from_slice(b"bad:\xff\xfe end");
    b
}

/// Raw characters of the hostile classes found in `out`, if any.
fn raw_hostile(out: &str) -> Vec<char> {
    out.chars()
        .filter(|&c| {
            (c < ' ' && c != '\n')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

/// The escaped forms of [`hostile`], in the terminal form of every view and narration.
const ESCAPED: [&str; 9] = [
    r"\x1b[2J",
    r"\x00",
    r"\x07",
    r"\x7f",
    r"\xc2\x9b31m",
    r"\xc2\x85",
    r"\xe2\x80\xaeolleh",
    r"\xe2\x81\xa9",
    r"\xff\xfe end",
];

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap_or_else(|e| panic!("output is not UTF-8: {e}"))
}

#[test]
fn utf8_is_text_and_hostile_bytes_are_escaped_in_client_server_and_trace() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Capture) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let (pcap, bad) = (dir.path().join("run.pcap"), dir.path().join("hostile.bin"));
    std::fs::write(&bad, hostile())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port().to_string();
    let mut cap = Command::new(harness::bin("osi-trace"))
        .args(["--port", &port, "--connections", "3", "--duration", "30", "--color", "never"])
        .arg("--write")
        .arg(&pcap)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = cap.stderr.take().ok_or_else(|| anyhow::anyhow!("no stderr"))?;
    let mut ready = String::new();
    BufReader::new(stderr).read_line(&mut ready)?;
    anyhow::ensure!(ready.starts_with("READY capturing on lo"), "{ready}");
    let mut server = harness::Server::spawn({
        let mut c = Command::new(harness::bin("server-loop"));
        c.args(["--port", &port, "--color", "never"]);
        c
    })?;
    let client = |args: &[&str]| -> anyhow::Result<String> {
        let mut c = Command::new(harness::bin("client"));
        c.args(["--port", &port, "--color", "never"]).args(args);
        let out = harness::run(c, b"", T)?;
        anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        Ok(text(&out.stdout))
    };
    let vi = client(&["--message", VIETNAMESE])?;
    let wide = client(&["--message", WIDE])?;
    let hostile = client(&["--file", &bad.to_string_lossy()])?;
    let live = text(&cap.wait_with_output()?.stdout);
    harness::wait::until("server-loop's last line", T, || {
        Ok(server.lines().iter().filter(|l| l.contains("close()")).count() >= 3)
    })?;
    let served = server.lines().join("\n");
    server.kill()?;

    // Valid UTF-8: as text, everywhere a terminal shows it.
    let quoted = format!("\"{VIETNAMESE}\"");
    assert!(vi.contains(&format!("[L7] send 23 bytes {quoted}")), "client:\n{vi}");
    assert!(vi.contains(&format!("Received {quoted}")), "client:\n{vi}");
    assert!(served.contains(&format!("23 bytes {quoted}")), "server:\n{served}");
    assert!(live.contains(&format!("(total 23) {quoted}")), "live trace:\n{live}");
    assert!(wide.contains(&format!("Received \"{WIDE}\"")), "client:\n{wide}");

    // The hostile bytes: escaped in the client's, the server's and the trace's lines.
    let pcap = pcap.to_string_lossy().into_owned();
    let read = osi_trace_ok(&["--read", &pcap, "--color", "never", "--width", "0"])?;
    let layers = osi_trace_ok(&["--read", &pcap, "--color", "never", "--layers", "--width", "0"])?;
    for (who, out) in
        [("client", &hostile), ("server", &served), ("live", &live), ("read", &read), ("layers", &layers)]
    {
        assert_eq!(raw_hostile(out), [], "{who}: raw bytes reach the terminal:\n{out}");
    }
    for escaped in ESCAPED.iter().take(6) {
        // The narration's and the line view's previews: 48 and 32 bytes.
        assert!(hostile.contains(escaped), "client lacks {escaped}:\n{hostile}");
        assert!(served.contains(escaped), "server lacks {escaped}:\n{served}");
    }
    for escaped in ESCAPED.iter().take(3) {
        assert!(read.contains(escaped), "the line view lacks {escaped}:\n{read}");
    }
    assert!(layers.contains(r"\xe2\x80\xaeolleh"), "the L7 line (64 bytes) lacks the override:\n{layers}");

    // Wide and zero-width characters: every line fits 80 (and 60) columns as the terminal counts them.
    for width in ["80", "60"] {
        for view in [&[][..], &["--layers"]] {
            let args = [&["--read", &pcap, "--color", "never", "--width", width][..], view].concat();
            let out = osi_trace_ok(&args)?;
            assert!(out.contains("日本語のテキスト"), "{view:?}:\n{out}");
            let max: usize = width.parse()?;
            for line in out.lines() {
                assert!(line.width() <= max, "{view:?} --width {width}: {} columns: {line}", line.width());
            }
        }
    }

    // JSON keeps its documented bytes-literal form.
    let json = osi_trace_ok(&["--read", &pcap, "--color", "never", "--json"])?;
    assert!(
        json.contains(r#""payload":"Xin ch\\xc3\\xa0o, th\\xe1\\xba\\xbf gi\\xe1\\xbb\\x9bi""#),
        "{json}"
    );
    Ok(())
}
