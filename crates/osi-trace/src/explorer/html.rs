//! The page as one file: the HTML template with the stylesheet, the scripts
//! (several small files by pane, joined when osi-trace is built), the records
//! and the page's words (in its language) inlined. A Content-Security-Policy
//! allows exactly this script and this stylesheet (by their SHA-256) and nothing
//! from anywhere: even a bug that put capture bytes into markup could neither
//! run them nor load anything.

use base64::Engine;
use sha2::{Digest, Sha256};

use super::records::PageData;

const TEMPLATE: &str = include_str!("assets/page.html");
const STYLE: &str = include_str!("assets/style.css");
/// The scripts, in the order they depend on each other: the core first, the start last.
pub const SCRIPT: &str = concat!(
    include_str!("assets/core.js"),
    include_str!("assets/list.js"),
    include_str!("assets/ladder.js"),
    include_str!("assets/detail.js"),
    include_str!("assets/hop.js"),
    include_str!("assets/code.js"),
    include_str!("assets/graph.js"),
    include_str!("assets/follow.js"),
    include_str!("assets/app.js"),
);

/// The policy: nothing but the page's own script and stylesheet, and `data:` images (the icon).
pub fn csp() -> String {
    let hash = |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; \
         base-uri 'none'; form-action 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// JSON made safe to sit inside `<script type="application/json">`: `<`, `>`
/// and `&` (so no `</script>` or `<!--` can end or change the element) and
/// U+2028/U+2029 written as `\u` escapes. They only ever occur inside JSON
/// strings, where the escape means the same character: the value is unchanged.
pub fn escape_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `text` as HTML text or a quoted attribute's value: `&`, `<`, `>` and `"` escaped.
fn escape_html_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// The whole page. The template is cut at its `{{…}}` marks once, so nothing
/// inserted (the records least of all) is ever searched for marks.
pub fn page(data: &PageData) -> anyhow::Result<String> {
    let json = escape_json(&serde_json::to_string(data)?);
    let mut out = String::with_capacity(TEMPLATE.len() + STYLE.len() + SCRIPT.len() + json.len() + 256);
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..]
            .find("}}")
            .map(|e| start + e)
            .ok_or_else(|| anyhow::anyhow!("template: unclosed mark"))?;
        out.push_str(&rest[..start]);
        match &rest[start + 2..end] {
            "csp" => out.push_str(&csp()),
            "style" => out.push_str(STYLE),
            "script" => out.push_str(SCRIPT),
            "data" => out.push_str(&json),
            mark => {
                // `{{w:NAME}}`: the page's words in its language (`lang`: which one).
                let word = mark.strip_prefix("w:").and_then(|name| data.words.get(name));
                let Some(word) = word else { anyhow::bail!("template: unknown mark {mark}") };
                escape_html_into(&mut out, word);
            }
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_the_records_can_close_the_data_element() {
        let hostile = r#"{"p":"</script><script>alert(1)</script><!-- & \u{2028}\u{2029}"}"#;
        let hostile = hostile.replace("\\u{2028}", "\u{2028}").replace("\\u{2029}", "\u{2029}");
        let safe = escape_json(&hostile);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!safe.contains(bad), "{safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        let before: serde_json::Value = serde_json::from_str(&hostile).expect("JSON");
        assert_eq!(back, before, "the escapes mean the same characters");
    }

    #[test]
    fn the_scripts_and_style_cannot_end_their_own_elements() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        // innerHTML and friends would turn capture bytes into markup: the DOM is built from text.
        for sink in
            ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"]
        {
            assert!(!SCRIPT.contains(sink), "the scripts use {sink}");
        }
        // The SVG namespace is a name, never fetched; any other address would be a request.
        let script = SCRIPT.replace("'http://www.w3.org/2000/svg'", "");
        for f in [
            "http:",
            "https:",
            "ws://",
            "wss://",
            "//cdn",
            "@import",
            "fetch(",
            "XMLHttpRequest",
            "WebSocket",
        ] {
            assert!(!script.contains(f) && !STYLE.contains(f), "{f} in the assets");
        }
        // url() only of an element of the page itself (a clip path's `url(#id)`): no request.
        for text in [&script[..], STYLE] {
            assert!(
                text.match_indices("url(")
                    .all(|(i, _)| text[i + 4..].starts_with("'#") || text[i + 4..].starts_with("#")),
                "url( of something other than the page's own #id"
            );
        }
    }
}
