//! The code pane never names a line that did not run as a segment's cause: the
//! client has two lines that send a FIN (shutdown(SHUT_WR), only with
//! --half-close, and dropping the socket at the end). When the capture proves
//! which one ran, the pane shows that one; when it cannot, both, close() first,
//! each with the run it belongs to.

#[path = "explorer/browser.rs"]
mod browser;
mod common;
#[path = "explorer/page.rs"]
mod page;

use browser::Browser;
use common::osi_trace_ok;
use page::{embedded, repo};
use serde_json::{json, Value};

fn can_run(test: &str) -> bool {
    harness::require_all(test, &[harness::Need::Browser])
}

/// The lines the code pane lights, and its notes, after a click on row `i`.
async fn code_of(b: &Browser, i: usize) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    b.click(&format!("#list .row[data-i='{i}']")).await?;
    b.until(&format!("document.querySelector('#list .row.sel').dataset.i === '{i}' && document.querySelector('#code .hit')")).await?;
    let hits = b.js("return [...document.querySelectorAll('#code .hit')].map(e => e.textContent)").await?;
    let notes = b
        .js("return [...document.querySelectorAll('#code .hint, #code .when')].map(e => e.textContent)")
        .await?;
    Ok((serde_json::from_value(hits)?, serde_json::from_value(notes)?))
}

/// The row of the client's FIN (or RST) in stream `stream`.
fn close_row(data: &Value, stream: u64) -> usize {
    data["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["type"] == "segment")
        .position(|r| r["stream"] == stream && r["from"] == "client" && r["call"] == "close")
        .expect("the client's close")
}

#[tokio::test]
async fn a_fin_shows_the_close_line_that_sent_it_or_both_with_their_condition() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let page = |pcap: &str, programs: &str, name: &str| -> anyhow::Result<(std::path::PathBuf, Value)> {
        let html = dir.path().join(name);
        let (p, h) = (repo(pcap).to_string_lossy().to_string(), html.to_string_lossy().to_string());
        osi_trace_ok(&["--read", &p, "--html", &h, "--programs", programs])?;
        let data = embedded(&std::fs::read_to_string(&html)?)?;
        Ok((html, data))
    };
    let b = Browser::open(1280, 800).await?;

    // Lesson 3: the client read the whole echo, then its FIN; a run with --half-close
    // could look the same, so both lines, close() (what ran here) first, each with its run.
    let (hello, data) = page("lessons/captures/03-hello.pcap", "server-basic,client", "hello.html")?;
    assert_eq!(data["closes"], json!({}));
    b.page(&hello).await?;
    let (hits, notes) = code_of(&b, close_row(&data, 0)).await?;
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits[0].contains("drop(conn)"), "{hits:?}");
    assert!(hits[1].contains(".shutdown("), "{hits:?}");
    assert!(notes.iter().any(|n| n.starts_with("The wire cannot tell")), "{notes:?}");
    let when: Vec<_> =
        notes.iter().filter(|n| n.contains("--half-close") || n.contains("every run")).collect();
    assert_eq!(when.len(), 2, "{notes:?}");

    // Lesson 5: stream 1 is the half close (the server's data came after the client's
    // FIN and was acknowledged), stream 2 the reset (close() with unread data).
    let (endings, data) = page("lessons/captures/05-endings.pcap", "server-loop,client", "endings.html")?;
    b.page(&endings).await?;
    let (hits, notes) = code_of(&b, close_row(&data, 1)).await?;
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains(".shutdown("), "{hits:?}");
    assert!(notes.iter().any(|n| n.contains("only its write side was shut")), "{notes:?}");
    let (hits, _) = code_of(&b, close_row(&data, 2)).await?;
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("drop(conn)"), "{hits:?}");
    // The server has one close line: shown as it is, with no condition.
    let server_fin = data["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["type"] == "segment")
        .position(|r| r["stream"] == 1 && r["from"] == "server" && r["call"] == "close")
        .expect("the server's FIN");
    let (hits, notes) = code_of(&b, server_fin).await?;
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(notes.iter().all(|n| !n.contains("--half-close")), "{notes:?}");
    b.quit().await?;
    Ok(())
}

#[test]
fn the_summary_names_every_close_line_and_what_it_is() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let html = dir.path().join("p.html");
    let p = repo("lessons/captures/03-hello.pcap").to_string_lossy().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_osi-trace"))
        .args(["--read", &p, "--html", &html.to_string_lossy(), "--programs", "client"])
        .output()?;
    let err = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    let client = err.lines().find(|l| l.trim_start().starts_with("client:")).expect(&err).to_string();
    let text = include_str!("../../client/src/main.rs");
    let line_of = |pat: &str| {
        text.lines().position(|l| l.contains(pat) && !l.trim_start().starts_with("//")).expect(pat) + 1
    };
    let close = format!("close() crates/client/src/main.rs:{}", line_of("drop(conn)"));
    let shut = format!("shutdown(SHUT_WR) crates/client/src/main.rs:{}", line_of(".shutdown("));
    assert!(client.contains(&close) && client.contains(&shut), "{client}");
    assert!(client.find(&close) < client.find(&shut), "close() first: {client}");
    Ok(())
}
