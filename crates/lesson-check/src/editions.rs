//! The book's two editions, English (`lessons/`) and Vietnamese (`lessons/vi/`), kept in
//! step: the same pages, and on each page the same headings, the same code and console
//! blocks, the same `<!-- … -->` markers, images and `<details>` parts, in the same
//! order, and the language switch under each title. Only prose is translated.
//!
//! One exception: osi-trace speaks the reader's language (`LANG=vi_VN.UTF-8`), so a
//! console or text block's *output* line may differ where the Vietnamese one says the
//! same in Vietnamese: it is Vietnamese where the English line is not, and every fact
//! of the English line — its numbers and addresses, TCP states and flags — is in it
//! ([`facts`]). Commands, line counts and every other line stay byte for byte the same,
//! so a stale number, a lost line or an edited command is still drift.

use std::path::Path;

/// The folder of the Vietnamese edition, inside `lessons/`.
pub const VI_DIR: &str = "vi";

/// The summary of a Vietnamese lesson's final folded part (English: [`crate::prose::DEEPER`]).
pub const DEEPER_VI: &str = "<details><summary>Đi sâu hơn</summary>";

/// The language switch an English page carries right under its title.
pub fn english_switch(file: &str) -> String {
    format!("**English** · [Tiếng Việt]({VI_DIR}/{file})")
}

/// The language switch a Vietnamese page carries right under its title.
pub fn vietnamese_switch(file: &str) -> String {
    format!("[English](../{file}) · **Tiếng Việt**")
}

/// The pages of one edition in `dir`: numbered lessons, `glossary.md`, `README.md`, sorted.
pub fn pages(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.retain(|n| {
        n.ends_with(".md")
            && (n.as_bytes().first().is_some_and(u8::is_ascii_digit)
                || n == "glossary.md"
                || n == "README.md")
    });
    names.sort();
    names
}

/// Every page of `lessons` that has no counterpart in the other edition, named.
pub fn unmatched_pages(lessons: &Path) -> Vec<String> {
    let (en, vi) = (pages(lessons), pages(&lessons.join(VI_DIR)));
    let mut out: Vec<String> = en
        .iter()
        .filter(|f| !vi.contains(f))
        .map(|f| format!("lessons/{VI_DIR}/{f} is missing: the Vietnamese of lessons/{f}"))
        .collect();
    out.extend(
        vi.iter()
            .filter(|f| !en.contains(f))
            .map(|f| format!("lessons/{VI_DIR}/{f} has no English page lessons/{f}")),
    );
    out
}

/// What the two editions must share, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// A heading's level (`#` count); its words are translated.
    Heading(usize),
    /// A fenced block: its info string and lines.
    Fence(String, Vec<String>),
    /// An HTML comment line (`<!-- source: … -->` and the like).
    Marker(String),
    /// An image: where it points from the English page (a Vietnamese page's `../` taken
    /// off); its alt text is translated.
    Image(String),
    /// `<details>` opens (its summary is translated) or closes.
    Open,
    Close,
}

fn describe(part: &Part) -> String {
    match part {
        Part::Heading(n) => format!("a level-{n} heading"),
        Part::Fence(info, lines) => {
            format!("a ```{info} block: {}", lines.first().map_or("(empty)", String::as_str))
        }
        Part::Marker(m) => format!("the marker {m}"),
        Part::Image(target) => format!("the image {target}"),
        Part::Open => "<details>".to_string(),
        Part::Close => "</details>".to_string(),
    }
}

/// The page's parts with their line numbers (1-based).
fn parts(markdown: &str) -> Vec<(usize, Part)> {
    let mut out = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let t = line.trim();
        if let Some(info) = t.strip_prefix("```") {
            let body = lines.by_ref().take_while(|(_, l)| l.trim() != "```").map(|(_, l)| l.to_string());
            out.push((n + 1, Part::Fence(info.to_string(), body.collect())));
            continue;
        }
        let hashes = line.len() - line.trim_start_matches('#').len();
        if hashes > 0 && line[hashes..].starts_with(' ') {
            out.push((n + 1, Part::Heading(hashes)));
        }
        if t.starts_with("<!--") {
            out.push((n + 1, Part::Marker(t.to_string())));
        }
        for image in line.split("![").skip(1) {
            let target = image.split_once("](").and_then(|(_, rest)| rest.split(')').next());
            let target = target.unwrap_or_default();
            out.push((n + 1, Part::Image(target.strip_prefix("../").unwrap_or(target).to_string())));
        }
        if t.starts_with("<details") {
            out.push((n + 1, Part::Open));
        }
        if t.ends_with("</details>") {
            out.push((n + 1, Part::Close));
        }
    }
    out
}

/// How many letters of the Vietnamese alphabet beyond ASCII a line holds.
fn vietnamese_letters(line: &str) -> usize {
    line.chars()
        .filter(|&c| {
            "ăâđêôơưĂÂĐÊÔƠƯàáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ".contains(c) || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
        })
        .count()
}

/// What an output line says that no language changes: its numbers (times, counts,
/// ports, addresses, `seq=1`, `#0`), TCP states and flags, in order of appearance
/// (`[..]` wildcards and a possessive `'s` set aside).
pub fn facts(line: &str) -> Vec<String> {
    const NAMES: [&str; 19] = [
        "CLOSED",
        "LISTEN",
        "SYN_SENT",
        "SYN_RECEIVED",
        "ESTABLISHED",
        "FIN_WAIT_1",
        "FIN_WAIT_2",
        "CLOSE_WAIT",
        "CLOSING",
        "LAST_ACK",
        "TIME_WAIT",
        "SYN",
        "ACK",
        "FIN",
        "RST",
        "PSH",
        "URG",
        "ECE",
        "CWR",
    ];
    line.replace("[..]", " ")
        .split(|c: char| c.is_whitespace() || ",;()[]\"".contains(c))
        .map(|t| t.trim_matches(|c| c == ':' || c == '.'))
        .map(|t| t.strip_suffix("'s").unwrap_or(t))
        .filter(|t| {
            // A number, `seq=1`, `#0`: what follows `=` or `#` counts as a number too.
            let number = t.rsplit(['=', '#']).next().unwrap_or(t);
            number.starts_with(|c: char| c.is_ascii_digit()) || NAMES.contains(t)
        })
        .map(String::from)
        .collect()
}

/// How many words of English a line holds that Vietnamese never writes (a few function
/// words, and the plurals Vietnamese drops: `5 bytes` is `5 byte`).
fn english_words(line: &str) -> usize {
    const ENGLISH: [&str; 24] = [
        "the",
        "of",
        "and",
        "to",
        "from",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "is",
        "are",
        "its",
        "it",
        "no",
        "not",
        "or",
        "bytes",
        "segments",
        "frames",
        "connections",
        "samples",
        "datagrams",
    ];
    line.split(|c: char| !c.is_alphabetic()).filter(|w| ENGLISH.contains(w)).count()
}

/// Whether the Vietnamese output line `vi` says what the English `en` says: it is
/// Vietnamese where the English is not (more Vietnamese letters, or fewer English
/// words: `6 segment, 5 byte`), and holds every fact of the English.
fn same_in_vietnamese(en: &str, vi: &str) -> bool {
    let mut left = facts(vi);
    let all_there = facts(en).iter().all(|f| match left.iter().position(|g| g == f) {
        Some(i) => {
            left.swap_remove(i);
            true
        }
        None => false,
    });
    let vietnamese = vietnamese_letters(vi) > vietnamese_letters(en) || english_words(vi) < english_words(en);
    all_there && vietnamese
}

/// Whether a Vietnamese console (or text) block stands for the English one: the same
/// lines, except output lines (not `$ ` commands nor their continuations) that say the
/// same in Vietnamese ([`same_in_vietnamese`]).
fn same_console(en: &[String], vi: &[String]) -> Option<String> {
    if en.len() != vi.len() {
        return Some(format!("{} lines where the English has {}", vi.len(), en.len()));
    }
    let mut continued = false;
    for (i, (e, v)) in en.iter().zip(vi).enumerate() {
        let command = continued || e.starts_with("$ ");
        continued = command && e.ends_with('\\');
        if e == v || (!command && !v.starts_with("$ ") && same_in_vietnamese(e, v)) {
            continue;
        }
        return Some(format!("its line {} is `{v}`, the English one `{e}`", i + 1));
    }
    None
}

/// How the Vietnamese page `vi` has drifted from the English page `en`, both named
/// `file`: an empty list when they are in step.
pub fn drift(file: &str, en: &str, vi: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(problem) = switch_problem(en, &english_switch(file)) {
        out.push(format!("lessons/{file}: {problem}"));
    }
    if let Some(problem) = switch_problem(vi, &vietnamese_switch(file)) {
        out.push(format!("lessons/{VI_DIR}/{file}: {problem}"));
    }
    let (en_parts, vi_parts) = (parts(en), parts(vi));
    for (i, ((en_at, e), (vi_at, v))) in en_parts.iter().zip(&vi_parts).enumerate() {
        let why = match (e, v) {
            (Part::Fence(ei, el), Part::Fence(vi_info, vl))
                if ei == vi_info && (ei == "console" || ei == "text") =>
            {
                same_console(el, vl)
            }
            _ if e == v => None,
            _ => Some(format!("{}, where the English has {}", describe(v), describe(e))),
        };
        if let Some(why) = why {
            out.push(format!(
                "lessons/{VI_DIR}/{file}:{vi_at} drifted from lessons/{file}:{en_at} (part {} of {}): {why}",
                i + 1,
                en_parts.len()
            ));
            // After one difference the rest is shifted; the first says where to look.
            return out;
        }
    }
    if en_parts.len() != vi_parts.len() {
        let (longer, at) = match en_parts.len() > vi_parts.len() {
            true => ("lessons", en_parts[vi_parts.len()].0),
            false => ("lessons/vi", vi_parts[en_parts.len()].0),
        };
        out.push(format!(
            "lessons/{VI_DIR}/{file}: {} headings, blocks, markers, images and <details> where the English has {}; {longer}/{file}:{at} is the first without a counterpart",
            vi_parts.len(),
            en_parts.len()
        ));
    }
    out
}

/// Whether the page has `switch` alone on the line after its `# ` title, blank lines around it.
fn switch_problem(page: &str, switch: &str) -> Option<String> {
    let lines: Vec<&str> = page.lines().take(4).collect();
    match lines[..] {
        [title, "", s, ""] if title.starts_with("# ") && s == switch => None,
        _ => Some(format!("the line under the `# ` title (blank lines around it) is not `{switch}`")),
    }
}

/// The glossary's terms: the bold term and the lesson file each line names.
pub fn glossary_terms(glossary: &str) -> Vec<(String, String)> {
    glossary
        .lines()
        .filter(|l| l.starts_with("- **"))
        .map(|l| {
            let term = l[4..].split("**").next().unwrap_or_default().to_string();
            let file = l.rsplit("](").next().and_then(|r| r.strip_suffix(".md))")).unwrap_or_default();
            (term, format!("{file}.md"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = "# 1. T\n\n**English** · [Tiếng Việt](vi/01-t.md)\n\nText.\n\n![A chart](charts/b.svg)\n\n## Run\n\n```console\n$ client --message \"a b\" \\\n  --quiet\nReceived \"a b\"\n```\n\n<details><summary>Deeper</summary>\n\n<!-- source: a.rs -->\n```rust\nlet x = 1;\n```\n\n</details>\n";
    const VI: &str = "# 1. Tê\n\n[English](../01-t.md) · **Tiếng Việt**\n\nChữ.\n\n![Biểu đồ](../charts/b.svg)\n\n## Chạy\n\n```console\n$ client --message \"a b\" \\\n  --quiet\nReceived \"a b\"\n```\n\n<details><summary>Đi sâu hơn</summary>\n\n<!-- source: a.rs -->\n```rust\nlet x = 1;\n```\n\n</details>\n";

    #[test]
    fn a_faithful_translation_has_no_drift() {
        assert_eq!(drift("01-t.md", EN, VI), Vec::<String>::new());
    }

    #[test]
    fn every_kind_of_drift_is_named() {
        for (doctored, needle) in [
            (VI.replace("--quiet", "--quiet --count 2"), "its line 2"),
            (VI.replace("Received \"a b\"", "Received \"a c\""), "its line 3"),
            (VI.replace("## Chạy", "### Chạy"), "level-3 heading"),
            (VI.replace("let x = 1;", "let x = 1; "), "```rust"),
            (VI.replace("../charts/b.svg", "../charts/c.svg"), "charts/c.svg"),
            (VI.replace("<!-- source: a.rs -->", "<!-- source: b.rs -->"), "b.rs"),
            (VI.replace("[English](../01-t.md) · **Tiếng Việt**", ""), "not `[English]"),
            (VI.replace("</details>\n", ""), "headings, blocks, markers"),
            (VI.replace("Chữ.", "![Hình](../charts/a.svg)"), "the image charts/a.svg"),
        ] {
            let found = drift("01-t.md", EN, &doctored);
            assert!(found.iter().any(|d| d.contains(needle)), "{needle}: {found:?}");
        }
    }

    #[test]
    fn an_output_line_may_differ_only_where_it_is_vietnamese() {
        let translated = VI.replace("Received \"a b\"", "Đã nhận \"a b\"");
        assert_eq!(drift("01-t.md", EN, &translated), Vec::<String>::new());
        // A command is never translated, even into Vietnamese words.
        let command = VI.replace("  --quiet", "  --quiet # yên lặng");
        assert!(!drift("01-t.md", EN, &command).is_empty());
    }

    /// osi-trace's line in both languages: the same facts, said in Vietnamese.
    const EN_LINE: &str = "[..] #0 client → server [PSH, ACK] seq=1 ack=1 win=[..] len=5  data client→server: 5 bytes (total 5) \"Hi\"  ← client's send()/sendall()  [client ESTABLISHED, server ESTABLISHED]";
    const VI_LINE: &str = "[..] #0 client → server [PSH, ACK] seq=1 ack=1 win=[..] len=5  dữ liệu client→server: 5 byte (tổng 5) \"Hi\"  ← send()/sendall() của client  [client ESTABLISHED, server ESTABLISHED]";

    #[test]
    fn a_vietnamese_output_line_keeps_every_fact_of_the_english() {
        let (en, vi) = (EN.replace("Received \"a b\"", EN_LINE), VI.replace("Received \"a b\"", VI_LINE));
        assert_eq!(drift("01-t.md", &en, &vi), Vec::<String>::new());
        // A stale number, a state that changed, a fact left out: drift, however Vietnamese.
        for stale in [
            VI_LINE.replace("len=5", "len=6"),
            VI_LINE.replace("(tổng 5)", "(tổng 6)"),
            VI_LINE.replace("server ESTABLISHED]", "server CLOSE_WAIT]"),
            VI_LINE.replace("[PSH, ACK]", "[PSH]"),
            VI_LINE.replace(" (tổng 5)", ""),
        ] {
            let found = drift("01-t.md", &en, &VI.replace("Received \"a b\"", &stale));
            assert!(found.iter().any(|d| d.contains("its line 3")), "{stale}: {found:?}");
        }
        // English words changed in English and left in the Vietnamese: drift.
        let (en2, vi2) =
            (EN.replace("Received", "6 segments, 5 bytes"), VI.replace("Received", "6 segment, 5 byte"));
        assert_eq!(drift("01-t.md", &en2, &vi2), Vec::<String>::new());
        let stale = VI.replace("Received", "6 segments, 5 bytes");
        assert!(!drift("01-t.md", &en2.replace("bytes", "octets"), &stale).is_empty());
        // An English line left where the English says something else is drift too.
        let old = VI.replace("Received \"a b\"", &EN_LINE.replace("5 bytes", "6 bytes"));
        assert!(!drift("01-t.md", &en, &old).is_empty());
    }

    #[test]
    fn a_text_block_of_output_follows_the_same_rule() {
        let text = |line: &str| {
            format!("# T\n\n{}\n\n```text\n$ osi-trace --read x.pcap\n{line}\n```\n", "{switch}")
        };
        let (en, vi) = (text(EN_LINE).replace("{switch}", &english_switch("t.md")), text(VI_LINE));
        let vi = vi.replace("{switch}", &vietnamese_switch("t.md"));
        assert_eq!(drift("t.md", &en, &vi), Vec::<String>::new());
        assert!(!drift("t.md", &en, &vi.replace("len=5", "len=4")).is_empty());
        assert!(!drift("t.md", &en, &vi.replace("--read x.pcap", "--read y.pcap")).is_empty());
    }

    #[test]
    fn the_facts_of_a_line_are_its_numbers_states_and_flags() {
        assert_eq!(
            facts("[..] #0 client ← server [SYN, ACK] seq=0 ack=1  10.0.1.2's kernel, 2[..] ms  [client SYN_SENT, server LISTEN]"),
            ["#0", "SYN", "ACK", "seq=0", "ack=1", "10.0.1.2", "2", "SYN_SENT", "LISTEN"]
        );
    }

    #[test]
    fn headings_inside_code_are_not_sections() {
        let en = "# T\n\n```python\n# comment\n```\n";
        assert_eq!(
            parts(en),
            [(1, Part::Heading(1)), (3, Part::Fence("python".into(), vec!["# comment".into()]))]
        );
    }
}
