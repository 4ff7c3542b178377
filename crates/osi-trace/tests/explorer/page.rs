//! What the browser tests and the record tests share: reading the records a
//! page embeds, and tshark's field offsets (osi-trace itself runs through
//! `common::osi_trace_ok`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// The JSON object a page embeds, read back as the page's script reads it.
pub fn embedded(html: &str) -> anyhow::Result<serde_json::Value> {
    let open = r#"<script id="data" type="application/json">"#;
    let start = html.find(open).context("no data element")? + open.len();
    let end = start + html[start..].find("</script>").context("data element not closed")?;
    Ok(serde_json::from_str(&html[start..end])?)
}

/// `--json`'s lines as values, after the first (the start record, which gives
/// the schema: the page has its own facts instead).
pub fn lines(stdout: impl AsRef<[u8]>) -> Vec<serde_json::Value> {
    let mut all: Vec<serde_json::Value> = String::from_utf8_lossy(stdout.as_ref())
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(all.first().map(|s| &s["type"]), Some(&serde_json::json!("start")), "{all:?}");
    all.remove(0);
    all
}

/// Each frame's fields as tshark's PDML places them: name → (pos, size), the
/// first occurrence of each `eth.*` field (the outer link) and the last of the
/// others (the innermost IP and TCP, past any tunnel).
pub fn pdml(pcap: &Path) -> anyhow::Result<Vec<HashMap<String, (usize, usize)>>> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-r"]).arg(pcap).args(["-T", "pdml", "-o", "tcp.relative_sequence_numbers:TRUE"]);
    let out = harness::run(cmd, b"", Duration::from_secs(120))?;
    anyhow::ensure!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout)?;
    let doc = roxmltree::Document::parse_with_options(
        &text,
        roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
    )?;
    let mut frames = Vec::new();
    for packet in doc.descendants().filter(|n| n.has_tag_name("packet")) {
        let mut m = HashMap::new();
        for f in packet.descendants().filter(|n| n.has_tag_name("field")) {
            let (Some(name), Some(pos), Some(size)) =
                (f.attribute("name"), f.attribute("pos"), f.attribute("size"))
            else {
                continue;
            };
            let v = (pos.parse()?, size.parse()?);
            if name.starts_with("eth.") {
                m.entry(name.to_string()).or_insert(v);
            } else {
                m.insert(name.to_string(), v);
            }
        }
        frames.push(m);
    }
    Ok(frames)
}

/// A page's fields of frame `frame`: name → (offset, length).
pub fn page_fields(data: &serde_json::Value, frame: u64) -> HashMap<String, (usize, usize)> {
    let mut m = HashMap::new();
    let f = data["frames"].as_array().into_iter().flatten().find(|f| f["frame"] == frame);
    for l in f.and_then(|f| f["layers"].as_array()).into_iter().flatten() {
        for x in l["fields"].as_array().into_iter().flatten() {
            // [field, offset, length, value]
            let pos = (x[1].as_u64().unwrap_or(0) as usize, x[2].as_u64().unwrap_or(0) as usize);
            m.insert(x[0].as_str().unwrap_or("").to_string(), pos);
        }
    }
    m
}
