//! Bringing a lesson's shown output up to date after a program changed what it
//! prints: each shown line that no longer matches is replaced by the real line it
//! stood for, keeping the lesson's `[..]` wherever they still fit. Lines that still
//! match, `...` and the lesson's choice of key lines stay as they are; a human
//! reviews the diff.

use crate::matching::line_matches;
use crate::parse::Lesson;

/// A lesson rewritten from a real run.
#[derive(Debug, Default)]
pub struct Blessed {
    /// The new Markdown.
    pub markdown: String,
    /// How many shown lines were replaced.
    pub replaced: usize,
    /// Shown lines for which no real line was similar enough (left as they were).
    pub unresolved: Vec<String>,
}

/// Rewrites the shown output in `markdown` (parsed as `lesson`) from `outputs`,
/// what each command really printed, in order.
pub fn bless(markdown: &str, lesson: &Lesson, outputs: &[Vec<String>]) -> Blessed {
    let mut lines: Vec<String> = markdown.lines().map(str::to_string).collect();
    let mut blessed = Blessed::default();
    let commands = lesson.blocks.iter().flat_map(|b| &b.commands);
    for (cmd, actual) in commands.zip(outputs) {
        for (k, new) in bless_lines(&cmd.expected, actual).into_iter().enumerate() {
            match new {
                Some(new) if new != cmd.expected[k] => {
                    lines[cmd.expected_at[k] - 1] = new;
                    blessed.replaced += 1;
                }
                Some(_) => {}
                None => blessed.unresolved.push(format!(
                    "line {}: `{}` shows `{}`, and no line it printed is like it",
                    cmd.expected_at[k], cmd.line, cmd.expected[k]
                )),
            }
        }
    }
    blessed.markdown = lines.join("\n");
    if markdown.ends_with('\n') {
        blessed.markdown.push('\n');
    }
    blessed
}

/// For each shown line: itself if it matches (in order), else the most similar
/// real line between its matched neighbours, generalised; `None` if none is similar.
pub fn bless_lines(expected: &[String], actual: &[String]) -> Vec<Option<String>> {
    let mut matched: Vec<Option<usize>> = Vec::with_capacity(expected.len());
    let mut next = 0;
    for want in expected {
        if want.trim() == "..." {
            matched.push(None);
            continue;
        }
        let at = actual[next..].iter().position(|got| line_matches(want, got)).map(|i| next + i);
        if let Some(i) = at {
            next = i + 1;
        }
        matched.push(at);
    }
    let mut used: Vec<bool> = vec![false; actual.len()];
    matched.iter().flatten().for_each(|&i| used[i] = true);
    let mut result = Vec::with_capacity(expected.len());
    for (k, want) in expected.iter().enumerate() {
        if want.trim() == "..." || matched[k].is_some() {
            result.push(Some(want.clone()));
            continue;
        }
        let from = matched[..k].iter().rev().flatten().next().map_or(0, |i| i + 1);
        let to = matched[k + 1..].iter().flatten().next().copied().unwrap_or(actual.len());
        let best = (from..to.max(from))
            .filter(|&i| !used[i])
            .map(|i| (similarity(want, &actual[i]), i))
            .filter(|(score, _)| *score >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((_, i)) => {
                used[i] = true;
                matched[k] = Some(i);
                result.push(Some(generalise(want, &actual[i])));
            }
            None => result.push(None),
        }
    }
    result
}

/// Words of `actual` in common with `expected` (a `[..]` word matches what it stands
/// for), as a share of the longer of the two.
fn similarity(expected: &str, actual: &str) -> f64 {
    let e: Vec<&str> = expected.split_whitespace().collect();
    let a: Vec<&str> = actual.split_whitespace().collect();
    let longest = e.len().max(a.len());
    if longest == 0 {
        return 1.0;
    }
    align(&e, &a).len() as f64 / longest as f64
}

/// `actual`, with each word that a `[..]` word of `expected` stood for written as
/// that word again, so what varies from run to run still does.
fn generalise(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split_whitespace().collect();
    let a: Vec<&str> = actual.split_whitespace().collect();
    let pairs = align(&e, &a);
    let mut out = String::new();
    let mut rest = actual.trim_end();
    let mut word = 0;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let general = pairs.iter().find(|(_, ai)| *ai == word).map(|(ei, _)| e[*ei]);
        out.push_str(general.filter(|g| g.contains("[..]")).unwrap_or(&rest[..end]));
        rest = &rest[end..];
        word += 1;
    }
    if line_matches(&out, actual) {
        out
    } else {
        actual.trim_end().to_string()
    }
}

/// The longest common subsequence of two word lists, as index pairs, where a
/// shown word matches a real one as a whole line would.
fn align(e: &[&str], a: &[&str]) -> Vec<(usize, usize)> {
    let mut table = vec![vec![0u32; a.len() + 1]; e.len() + 1];
    for i in (0..e.len()).rev() {
        for j in (0..a.len()).rev() {
            table[i][j] = if line_matches(e[i], a[j]) {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < e.len() && j < a.len() {
        if line_matches(e[i], a[j]) && table[i][j] == table[i + 1][j + 1] + 1 {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_changed_line_takes_the_new_words_and_keeps_its_wildcards() {
        let shown = strings(&["READY 127.0.0.1:65432", "...", "[L3] bind(127.0.0.1:[..]) in [..] ms"]);
        let real = strings(&["READY 127.0.0.1:65432", "x", "[L3+L4] bind(127.0.0.1:65432) in 0.3 ms"]);
        let new = bless_lines(&shown, &real);
        assert_eq!(new[0].as_deref(), Some("READY 127.0.0.1:65432"));
        assert_eq!(new[1].as_deref(), Some("..."));
        assert_eq!(new[2].as_deref(), Some("[L3+L4] bind(127.0.0.1:[..]) in [..] ms"));
    }

    #[test]
    fn a_line_with_nothing_like_it_is_left_for_a_human() {
        let shown = strings(&["a b c d", "e f"]);
        let real = strings(&["zz yy", "e f"]);
        assert_eq!(bless_lines(&shown, &real), [None, Some("e f".to_string())]);
    }

    #[test]
    fn columns_and_order_are_kept() {
        let shown = strings(&["[..] #0 client → server [SYN]      seq=0 win=[..] len=0  SYN"]);
        let real = strings(&["0.000 #0 client → server [SYN]      seq=0 win=65495 len=0  handshake: SYN"]);
        let new = bless_lines(&shown, &real);
        assert_eq!(
            new[0].as_deref(),
            Some("[..] #0 client → server [SYN]      seq=0 win=[..] len=0  handshake: SYN")
        );
    }

    #[test]
    fn the_markdown_changes_only_where_lines_no_longer_match() {
        let md = "# L\n\n```console\n$ prog\nold words here\nsame\n```\ntext\n";
        let lesson = parse(md);
        let blessed = bless(md, &lesson, &[strings(&["new words here", "same"])]);
        assert_eq!(blessed.markdown, "# L\n\n```console\n$ prog\nnew words here\nsame\n```\ntext\n");
        assert_eq!(blessed.replaced, 1);
        assert!(blessed.unresolved.is_empty());
    }
}
