//! The explorer's pages in a real headless Chromium: one list row per segment,
//! a click selects the same segment in every pane (ladder arrow, layers, the
//! bytes tshark puts each field at, the line of code), step mode grows the
//! ladder one segment at a time, a hostile capture shows its strings and runs
//! nothing, and no page logs a console error or makes a network request.

#[path = "explorer/browser.rs"]
mod browser;
mod common;
#[path = "explorer/page.rs"]
mod page;

use std::path::Path;
use std::time::Duration;

use browser::{Browser, DOWN, RIGHT};
use common::osi_trace_ok;
use osi_trace::frame::{Frame, LinkType};
use osi_trace::pcap::CaptureWriter;
use page::{embedded, pdml, repo};
use serde_json::json;

fn can_run(test: &str) -> bool {
    harness::require_all(test, &[harness::Need::Browser, harness::Need::Tool("tshark")])
}

/// A page of `pcap` in `dir`, with the programs of the lessons' echo.
fn page_of(dir: &Path, pcap: &Path, name: &str) -> anyhow::Result<std::path::PathBuf> {
    let html = dir.join(name);
    osi_trace_ok(&[
        "--read",
        &pcap.to_string_lossy(),
        "--html",
        &html.to_string_lossy(),
        "--programs",
        "server-basic,client",
    ])?;
    Ok(html)
}

/// Nothing went wrong in the page: no console message above info, no resource loaded.
async fn clean(b: &Browser) -> anyhow::Result<()> {
    let bad: Vec<_> =
        b.console().await?.into_iter().filter(|(level, _)| level != "INFO" && level != "DEBUG").collect();
    assert!(bad.is_empty(), "console: {bad:?}");
    assert_eq!(b.js("return performance.getEntriesByType('resource').length").await?, json!(0));
    Ok(())
}

#[tokio::test]
async fn a_click_on_a_row_selects_it_in_every_pane() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let pcap = repo("lessons/captures/03-hello.pcap");
    let html = page_of(dir.path(), &pcap, "hello.html")?;
    let data = embedded(&std::fs::read_to_string(&html)?)?;
    let segments: Vec<_> = data["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["type"] == "segment")
        .cloned()
        .collect();
    let shark = pdml(&pcap)?;
    let b = Browser::open(1280, 1000).await?;
    b.page(&html).await?;

    // One row per segment, one arrow per segment.
    assert_eq!(b.js("return document.querySelectorAll('#list .row').length").await?, json!(segments.len()));
    assert_eq!(
        b.js("return document.querySelectorAll('#ladder g.arrow').length").await?,
        json!(segments.len())
    );

    // The client's data segment ("Hello"): the 4th row.
    let i = segments.iter().position(|s| s["role"] == "data").expect("a data segment");
    b.click(&format!("#list .row[data-i='{i}']")).await?;
    b.until(&format!("document.querySelector('#ladder g.arrow.sel') && document.querySelector('#ladder g.arrow.sel').getAttribute('data-i') === '{i}'")).await?;
    let frame = segments[i]["frame"].as_u64().expect("frame");
    let title = b.js("return document.getElementById('detail-title').textContent").await?;
    assert!(title.as_str().is_some_and(|t| t.starts_with(&format!("Frame {frame} "))), "{title}");
    // Hovering a field lights exactly the bytes tshark says it holds.
    let theirs = &shark[frame as usize - 1];
    for field in [
        "eth.src",
        "ip.ttl",
        "ip.src",
        "tcp.srcport",
        "tcp.seq",
        "tcp.flags",
        "tcp.window_size_value",
        "tcp.options",
        "tcp.payload",
    ] {
        b.hover(&format!("#layers .field[data-field='{field}']")).await?;
        let lit = b
            .js("return [...document.querySelectorAll('#bytes .b.hl')].map(e => Number(e.dataset.k))")
            .await?;
        let (pos, size) = theirs[field];
        assert_eq!(
            lit,
            json!((pos..pos + size).collect::<Vec<_>>()),
            "{field}: tshark's pos {pos} size {size}"
        );
    }
    // And a byte lights its field.
    let (seq_at, _) = theirs["tcp.seq"];
    b.hover(&format!("#bytes .b[data-k='{seq_at}']")).await?;
    assert_eq!(
        b.js("return document.querySelector('#layers .field.hl').dataset.field").await?,
        json!("tcp.seq")
    );
    // The code: this segment is the client's send(), found in its listing.
    let code = b.js("return document.querySelector('#code .hit').textContent").await?;
    assert!(code.as_str().is_some_and(|c| c.contains("conn.sendall(")), "{code}");

    // The SYN: connect() in client/src/main.rs.
    b.click("#list .row[data-i='0']").await?;
    b.until("document.querySelector('#code .hit') && document.querySelector('#code .hit').textContent.includes('connect_timeout(')").await?;
    let file = b.js("return document.querySelector('#code .listing .hint').textContent").await?;
    assert_eq!(file, json!("crates/client/src/main.rs"));
    assert_eq!(
        b.js("return document.querySelector('#code .call').textContent").await?,
        json!("The client’s connect():")
    );

    // The keyboard: ↓ selects the next row, in every pane.
    b.keys(DOWN).await?;
    b.until("document.querySelector('#list .row.sel').dataset.i === '1' && document.querySelector('#ladder g.arrow.sel').getAttribute('data-i') === '1'").await?;
    // The graphs' points click through to their segment: the data segment's
    // direction is drawn, and its SYN is a point too.
    b.click(&format!("#list .row[data-i='{i}']")).await?;
    b.keys("1").await?;
    // Its axes start where the capture does: at 0 s and sequence 0, never '-0.0000 s'.
    let labels =
        b.js("return [...document.querySelectorAll('#tsg svg text')].map(t => t.textContent)").await?;
    let labels: Vec<String> = serde_json::from_value(labels)?;
    assert!(labels.contains(&"0.0000 s".to_string()), "{labels:?}");
    assert!(labels.iter().all(|l| !l.starts_with('-')), "{labels:?}");
    b.click("#tsg .pt[data-i='0']").await?;
    b.until("document.querySelector('#list .row.sel').dataset.i === '0'").await?;
    b.keys("3").await?;
    b.until("document.querySelector('#follow pre') && document.querySelector('#follow pre').textContent === 'HelloHello'").await?;
    clean(&b).await?;
    let requests = b.quit().await?;
    assert!(requests.is_empty(), "the page made requests: {requests:?}");
    Ok(())
}

#[tokio::test]
async fn step_mode_shows_the_handshake_in_three_steps() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let html = page_of(dir.path(), &repo("lessons/captures/03-hello.pcap"), "step.html")?;
    let b = Browser::open(1280, 800).await?;
    b.page(&html).await?;
    b.keys("s").await?;
    b.until("document.querySelectorAll('#ladder g.arrow').length === 0").await?;
    let arrows = "return [...document.querySelectorAll('#ladder g.arrow text')].filter(t => !t.classList.contains('state')).map(t => t.textContent)";
    let want = ["SYN seq=0", "SYN+ACK seq=0 ack=1", "ACK seq=1 ack=1"];
    for k in 1..=3 {
        b.keys(RIGHT).await?;
        b.until(&format!("document.querySelectorAll('#ladder g.arrow').length === {k}")).await?;
        assert_eq!(b.js(arrows).await?, json!(want[..k]), "after {k} steps");
        assert_eq!(b.js("return document.querySelectorAll('#list .row').length").await?, json!(k));
    }
    // Step mode off: every segment again.
    b.keys("s").await?;
    b.until("document.querySelectorAll('#ladder g.arrow').length === 10").await?;
    // Projector zoom keeps the layout: the panes stay side by side, only larger.
    // (the gaps between them grow with the text: a few pixels).
    let layout = "return ['ladder-pane','list-pane','detail-pane'].map(id => document.getElementById(id).getBoundingClientRect().left)";
    let before: Vec<f64> = serde_json::from_value(b.js(layout).await?)?;
    b.keys("++").await?;
    b.until("getComputedStyle(document.documentElement).getPropertyValue('--z').trim() !== '1'").await?;
    let after: Vec<f64> = serde_json::from_value(b.js(layout).await?)?;
    assert!(before.iter().zip(&after).all(|(x, y)| (x - y).abs() < 8.0), "{before:?} → {after:?}");
    let font = "return parseFloat(getComputedStyle(document.getElementById('list')).fontSize)";
    assert!(b.js(font).await?.as_f64().is_some_and(|f| f > 18.0), "the text grew");
    // Dark theme: text and background far apart.
    b.keys("t").await?;
    let contrast = "const s = getComputedStyle(document.body); return [s.color, s.backgroundColor]";
    let [fg, bg] = serde_json::from_value::<[String; 2]>(b.js(contrast).await?)?;
    assert_ne!(fg, bg);
    clean(&b).await?;
    let requests = b.quit().await?;
    assert!(requests.is_empty(), "{requests:?}");
    Ok(())
}

/// Strings a capture can carry that would be markup or script if a page took them as such.
const HOSTILE: [&str; 6] = [
    "<script>window.pwned=1</script>",
    "<img src=x onerror=\"window.pwned=2\">",
    "</script><script>window.pwned=3</script>",
    "<!-- javascript:window.pwned=4 -->",
    "<a href=\"javascript:window.pwned=5\">click</a>",
    "line\u{2028}sep\u{2029}end",
];

/// An echo of the hostile strings on loopback, written with the kit's pcap writer.
fn hostile_capture(path: &Path) -> anyhow::Result<()> {
    let mut w = CaptureWriter::create(path, LinkType::Ethernet, 65535)?;
    let (c, s) = (40000u16, 65432u16);
    let (mut cs, mut ss) = (1000u32, 5000u32);
    let mut t = 0u64;
    let mut put = |w: &mut CaptureWriter, from_client: bool, seq: u32, ack: u32, flags: u8, data: &[u8]| {
        t += 1;
        let (sp, dp) = if from_client { (c, s) } else { (s, c) };
        w.write(&tcp_frame(t, sp, dp, seq, ack, flags, data))
    };
    put(&mut w, true, cs, 0, 0x02, b"")?;
    put(&mut w, false, ss, cs + 1, 0x12, b"")?;
    (cs, ss) = (cs + 1, ss + 1);
    put(&mut w, true, cs, ss, 0x10, b"")?;
    for h in HOSTILE {
        put(&mut w, true, cs, ss, 0x18, h.as_bytes())?;
        cs += h.len() as u32;
        put(&mut w, false, ss, cs, 0x18, h.as_bytes())?;
        ss += h.len() as u32;
    }
    put(&mut w, true, cs, ss, 0x11, b"")?;
    put(&mut w, false, ss, cs + 1, 0x11, b"")?;
    put(&mut w, true, cs + 1, ss + 1, 0x10, b"")?;
    w.flush()
}

/// Ethernet (loopback's zero MACs) + IPv4 + TCP.
fn tcp_frame(ms: u64, sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, data: &[u8]) -> Frame {
    let total = 40 + data.len();
    let mut d = vec![0u8; 12];
    d.extend_from_slice(&[0x08, 0x00, 0x45, 0, (total >> 8) as u8, total as u8, 0, 1, 0x40, 0, 64, 6, 0, 0]);
    d.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
    d.extend_from_slice(&sport.to_be_bytes());
    d.extend_from_slice(&dport.to_be_bytes());
    d.extend_from_slice(&seq.to_be_bytes());
    d.extend_from_slice(&ack.to_be_bytes());
    d.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    d.extend_from_slice(data);
    Frame {
        ts: Duration::from_millis(1_700_000_000_000 + ms),
        link: LinkType::Ethernet,
        orig_len: d.len() as u32,
        data: d,
    }
}

#[tokio::test]
async fn a_hostile_capture_shows_its_strings_and_runs_nothing() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    // The file's name is shown too (the page's title): markup there as well.
    let pcap = dir.path().join("<img src=x onerror=window.pwned=6>.pcap");
    hostile_capture(&pcap)?;
    let html = page_of(dir.path(), &pcap, "hostile.html")?;
    let text = std::fs::read_to_string(&html)?;
    for h in HOSTILE {
        assert!(!text.contains(h), "{h} is in the page's source as is");
    }
    let b = Browser::open(1280, 800).await?;
    b.page(&html).await?;
    assert_eq!(b.js("return window.pwned === undefined").await?, json!(true));
    // Nothing became an element: the page's own two scripts, no image, no link.
    assert_eq!(b.js("return document.scripts.length").await?, json!(2));
    assert_eq!(
        b.js("return document.querySelectorAll('img, a, iframe, object, embed').length").await?,
        json!(0)
    );
    let title = b.js("return document.title").await?;
    assert!(title.as_str().is_some_and(|t| t.contains("<img src=x onerror=window.pwned=6>.pcap")), "{title}");
    // The strings are there as text: in the list, the layers and the followed stream.
    b.keys("3").await?;
    b.until("document.querySelector('#follow pre')").await?;
    let follow = b.js("return document.querySelector('#follow pre').textContent").await?;
    for h in &HOSTILE[..5] {
        assert_eq!(follow.as_str().map(|f| f.matches(h).count()), Some(2), "{h} once each way in {follow}");
    }
    // U+2028 and U+2029 are line breaks to a reader: shown escaped, as controls are.
    assert!(follow.as_str().is_some_and(|f| f.contains("line\\u2028sep\\u2029end")), "{follow}");
    let list = b.js("return document.getElementById('list').textContent").await?;
    assert!(list.as_str().is_some_and(|l| l.contains("<script>window.pwned=1")), "{list}");
    b.click("#list .row[data-i='3']").await?;
    b.until("document.querySelector('#layers .field[data-field=\"tcp.payload\"]')").await?;
    let payload = b
        .js("return document.querySelector('#layers .field[data-field=\"tcp.payload\"] .v').textContent")
        .await?;
    assert!(payload.as_str().is_some_and(|p| p.contains("<script>window.pwned=1</script>")), "{payload}");
    assert_eq!(b.js("return window.pwned === undefined").await?, json!(true));
    clean(&b).await?;
    let requests = b.quit().await?;
    assert!(requests.is_empty(), "{requests:?}");
    Ok(())
}

/// The checks above can fail: a page that asks for an image on loopback is seen
/// in the net log and in the console (its policy refuses it, and says so).
#[tokio::test]
async fn a_page_request_would_be_seen() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let html = dir.path().join("leaky.html");
    // Port 9 (discard) on loopback: nothing answers, nothing leaves the machine.
    std::fs::write(&html, "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"><p id=x>x</p><script>document.documentElement.dataset.ready='1'</script></body></html>")?;
    let b = Browser::open(800, 600).await?;
    b.page(&html).await?;
    b.until("performance.getEntriesByType('resource').length > 0").await?;
    let requests = b.quit().await?;
    assert!(requests.iter().any(|u| u.starts_with("http://127.0.0.1:9/")), "{requests:?}");
    Ok(())
}
