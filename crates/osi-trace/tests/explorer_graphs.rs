//! The explorer's graphs in a real headless Chromium: the time-sequence graph
//! draws the other side's ACKs as steps, as `--tsg` does (an ACK number holds
//! until the next ACK), and a click on an RTT point selects its ACK without
//! turning the graph to the other direction, where that point is not drawn.

#[path = "explorer/browser.rs"]
mod browser;
mod common;
#[path = "explorer/page.rs"]
mod page;

use browser::Browser;
use common::osi_trace_ok;
use page::repo;
use serde_json::json;

fn can_run(test: &str) -> bool {
    harness::require_all(test, &[harness::Need::Browser])
}

/// The page of one of the lessons' captures, in `dir`.
fn page_of(dir: &std::path::Path, capture: &str) -> anyhow::Result<std::path::PathBuf> {
    let html = dir.join("page.html");
    let pcap = repo(capture);
    osi_trace_ok(&["--read", &pcap.to_string_lossy(), "--html", &html.to_string_lossy()])?;
    Ok(html)
}

#[tokio::test]
async fn the_ack_line_is_a_step_line() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let html = page_of(dir.path(), "lessons/captures/03-hello.pcap")?;
    let b = Browser::open(1280, 800).await?;
    b.page(&html).await?;
    b.until("document.querySelector('#tsg path.ackl')").await?;
    // The server's three ACK numbers (1, 6, 7): a move, then a level and a rise per ACK.
    let d = b.js("return document.querySelector('#tsg path.ackl').getAttribute('d')").await?;
    let d = d.as_str().unwrap_or_default().to_string();
    let moves: Vec<&str> = d.split_whitespace().filter(|w| w.starts_with(char::is_alphabetic)).collect();
    assert_eq!(moves.first().map(|m| &m[..1]), Some("M"), "{d}");
    assert!(moves[1..].iter().all(|m| m.starts_with('H') || m.starts_with('V')), "no slope: {d}");
    assert!(!d.contains('L'), "{d}");
    let requests = b.quit().await?;
    assert!(requests.is_empty(), "{requests:?}");
    Ok(())
}

#[tokio::test]
async fn a_click_on_an_rtt_point_keeps_its_graph() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    // Lesson 16's bottleneck: the client sends, the server's ACKs time its segments.
    let html = page_of(dir.path(), "lessons/captures/16-bottleneck-link1.pcap")?;
    let b = Browser::open(1280, 800).await?;
    b.page(&html).await?;
    b.keys("2").await?;
    b.until("document.querySelectorAll('#rtt .pt').length > 100").await?;
    let hint = "return document.querySelector('#rtt .hint').textContent";
    let before = b.js(hint).await?;
    assert!(before.as_str().is_some_and(|h| h.contains("server’s ACKs timing the client’s")), "{before}");
    let points = b.js("return document.querySelectorAll('#rtt .pt').length").await?;
    // The last point drawn is on top of any it overlaps: a click lands on it.
    let i = b
        .js("const p = document.querySelectorAll('#rtt .pt'); return p[p.length - 1].getAttribute('data-i')")
        .await?;
    let i = i.as_str().unwrap_or_default().to_string();
    b.click(&format!("#rtt .pt[data-i='{i}']")).await?;
    b.until(&format!("String(S.sel) === '{i}'")).await?;
    b.until(&format!("document.querySelector('#rtt .pt.sel') && document.querySelector('#rtt .pt.sel').getAttribute('data-i') === '{i}'")).await?;
    assert_eq!(b.js(hint).await?, before);
    assert_eq!(b.js("return document.querySelectorAll('#rtt .pt').length").await?, points);
    // The selected ACK is the server's: the time-sequence graph shows the server's direction.
    b.keys("1").await?;
    b.until("document.querySelector('#tsg .hint')").await?;
    let tsg = b.js("return document.querySelector('#tsg .hint').textContent").await?;
    assert!(tsg.as_str().is_some_and(|h| h.contains("the server’s segments")), "{tsg}");
    assert_eq!(b.js("return ROWS[S.sel].from").await?, json!("server"));
    let requests = b.quit().await?;
    assert!(requests.is_empty(), "{requests:?}");
    Ok(())
}
