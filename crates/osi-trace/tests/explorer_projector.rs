//! The explorer at a projector's zoom (1280×800, zoom 1.6, as the book's
//! screenshot): the layout stays and nothing is cut off or drawn over — the
//! header keeps one line, no pane scrolls sideways (the ladder, the list, the
//! code, the layers and bytes, the graph), every ladder text is inside its pane,
//! and no two texts of the ladder or of the graph overlap.

#[path = "explorer/browser.rs"]
mod browser;
mod common;
#[path = "explorer/page.rs"]
mod page;

use browser::Browser;
use common::osi_trace_ok;
use page::repo;

fn can_run(test: &str) -> bool {
    harness::require_all(test, &[harness::Need::Browser])
}

/// What is cut off or overlaps on the page as shown now, in words (empty: nothing).
const PROBLEMS: &str = r#"
const bad = [];
const box = (e) => e.getBoundingClientRect();
for (const e of document.querySelectorAll('#head, #ladder, #list, #detail-pane, #tsg, #code .listing, #layers, #bytes')) {
  if (e.scrollWidth > e.clientWidth + 1) bad.push((e.id || e.className) + ' scrolls sideways: ' + e.scrollWidth + ' > ' + e.clientWidth);
}
const items = [...document.getElementById('head').children].filter((e) => e.id !== 'notice');
const top = Math.max(...items.map((e) => box(e).top));
const bottom = Math.min(...items.map((e) => box(e).bottom));
if (top >= bottom) bad.push('the header wraps: ' + items.map((e) => e.id || e.className + '@' + Math.round(box(e).top)).join(' '));
const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
for (const pane of ['ladder', 'tsg']) {
  const p = box(document.getElementById(pane));
  const texts = [...document.querySelectorAll('#' + pane + ' svg text')].map((t) => [t.textContent, box(t)]).filter(([s, b]) => s && b.width > 0 && b.bottom > p.top && b.top < p.bottom);
  for (const [s, b] of texts) if (b.left < p.left - 1 || b.right > p.right + 1) bad.push(pane + ': "' + s + '" cut off (' + Math.round(b.left) + '..' + Math.round(b.right) + ' in ' + Math.round(p.left) + '..' + Math.round(p.right) + ')');
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    if (overlap(texts[i][1], texts[j][1])) bad.push(pane + ': "' + texts[i][0] + '" overlaps "' + texts[j][0] + '" ' + JSON.stringify([texts[i][1], texts[j][1]]));
  }
}
return bad;
"#;

#[tokio::test]
async fn at_projector_zoom_nothing_is_cut_off_or_overlaps() -> anyhow::Result<()> {
    if !can_run(&harness::test_name!()) {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let b = Browser::open(1280, 800).await?;
    for (pcap, programs) in [("03-hello", "server-basic,client"), ("05-endings", "server-loop,client")] {
        let html = dir.path().join(format!("{pcap}.html"));
        let p = repo(&format!("lessons/captures/{pcap}.pcap")).to_string_lossy().to_string();
        osi_trace_ok(&["--read", &p, "--html", &html.to_string_lossy(), "--programs", programs])?;
        let url = format!("file://{}#row=0&zoom=1.6", html.canonicalize()?.display());
        b.client.goto(&url).await?;
        b.until("document.documentElement.dataset.ready !== undefined && getComputedStyle(document.documentElement).getPropertyValue('--z').trim() === '1.6'").await?;
        // Each row in turn: the ladder, the code (a FIN shows two listings) and the bytes change.
        let rows = b.js("return document.querySelectorAll('#list .row').length").await?.as_u64().unwrap_or(0);
        for i in 0..rows {
            b.click(&format!("#list .row[data-i='{i}']")).await?;
            b.until(&format!("document.querySelector('#list .row.sel').dataset.i === '{i}'")).await?;
            let bad: Vec<String> = serde_json::from_value(b.js(PROBLEMS).await?)?;

            assert!(bad.is_empty(), "{pcap} row {i}: {bad:#?}");
        }
    }
    b.quit().await?;
    Ok(())
}
