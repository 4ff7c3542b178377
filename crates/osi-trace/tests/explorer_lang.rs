//! A page written with `--lang vi`, in a real headless Chromium: its controls,
//! panes and the sentences its scripts write are Vietnamese (no English word
//! left in any text or label the reader sees, the programs' listings aside:
//! they are the kit's source), and it still works as the English page does.

#[path = "explorer/browser.rs"]
mod browser;
#[path = "vi_check/mod.rs"]
mod vi_check;

use browser::Browser;
use serde_json::json;
use vi_check::{english_in, osi_trace, root};

/// Every text the reader sees, and the labels and hints of the controls,
/// each text node on its own (the listings of code left out).
const SEEN: &str = "
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode;
    if (!n.parentElement.closest('.listing, script')) out.push(n.data);
  }
  for (const e of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
    for (const a of ['title', 'placeholder', 'aria-label']) if (e.hasAttribute(a)) out.push(e.getAttribute(a));
  }
  return out;";

#[tokio::test]
async fn a_vietnamese_page_says_everything_in_vietnamese() -> anyhow::Result<()> {
    let test = "a_vietnamese_page_says_everything_in_vietnamese";
    if !harness::require(test, harness::Need::Browser) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let html = dir.path().join("vi.html");
    let pcap = root().join("lessons/captures/03-hello.pcap");
    let (p, h) = (pcap.to_string_lossy(), html.to_string_lossy());
    osi_trace(&["--read", &p, "--html", &h, "--programs", "server-basic,client", "--lang", "vi"]);
    let b = Browser::open(1280, 1000).await?;
    b.page(&html).await?;
    assert_eq!(b.js("return document.documentElement.lang").await?, json!("vi"));
    // The SYN: the client's connect(), said in Vietnamese.
    b.click("#list .row[data-i='0']").await?;
    b.until("document.querySelector('#code .call') && document.querySelector('#code .call').textContent === 'connect() của client:'").await?;
    let stats = b.js("return document.getElementById('stats').textContent").await?;
    assert_eq!(stats, json!("10 segment, 1 kết nối · chương trình: server-basic, client"));
    let mut left = Vec::new();
    // Each pane of the lower part in turn: the graphs' hints, the followed stream.
    for tab in ["1", "2", "3"] {
        b.keys(tab).await?;
        let seen: Vec<String> = serde_json::from_value(b.js(SEEN).await?)?;
        left.extend(seen.iter().filter(|t| !english_in(t).is_empty()).cloned());
    }
    left.sort();
    left.dedup();
    assert!(left.is_empty(), "English on the Vietnamese page: {left:?}");
    let requests = b.quit().await?;
    assert!(requests.is_empty(), "the page made requests: {requests:?}");
    Ok(())
}
