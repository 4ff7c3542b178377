//! Projection mode: every view fits a width (`--width`, or the terminal's; 0,
//! no limit, for a file or a pipe). A line that does not fit is broken between
//! words and its continuation indented; a word wider than the line is cut.
//! Colour is painted after the fitting, so widths count only what is visible.

/// How a run of text is coloured.
pub type Paint = fn(&str) -> String;

/// No colour.
pub fn plain(s: &str) -> String {
    s.to_string()
}

/// A run of text in one colour.
#[derive(Clone)]
pub struct Span {
    pub text: String,
    pub paint: Paint,
}

pub fn span(text: impl Into<String>, paint: Paint) -> Span {
    Span { text: text.into(), paint }
}

/// Columns a string takes on a terminal: a payload's text may hold wide
/// characters (日, two columns) and zero-width ones (a combining accent).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The spans side by side, as one painted line.
pub fn join(spans: &[Span]) -> String {
    spans.iter().map(|s| (s.paint)(&s.text)).collect()
}

/// The visible width of the spans side by side.
pub fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| width(&s.text)).sum()
}

/// Breaks the spans into lines of at most `max` columns (0: no limit) between
/// words; the first line starts with `first`, the others with `rest`.
pub fn wrap(spans: &[Span], max: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = first.to_string();
    let (mut used, mut empty) = (width(first), true);
    for s in spans {
        for word in s.text.split(' ').filter(|w| !w.is_empty()) {
            let mut word = word;
            loop {
                let gap = usize::from(!empty);
                let w = width(word);
                if max == 0 || used + gap + w <= max {
                    cur.push_str(&" ".repeat(gap));
                    cur.push_str(&(s.paint)(word));
                    used += gap + w;
                    empty = false;
                    break;
                }
                if !empty {
                    lines.push(std::mem::replace(&mut cur, rest.to_string()));
                    (used, empty) = (width(rest), true);
                    continue;
                }
                // Wider than a whole line: cut it where the line ends, between
                // characters (a wide one that does not fit goes to the next line).
                let room = max.saturating_sub(used).max(1);
                let (mut cut, mut taken) = (0, 0);
                for (i, c) in word.char_indices() {
                    if taken + char_width(c) > room && i > 0 {
                        break;
                    }
                    taken += char_width(c);
                    cut = i + c.len_utf8();
                }
                cur.push_str(&(s.paint)(&word[..cut]));
                lines.push(std::mem::replace(&mut cur, rest.to_string()));
                (used, empty) = (width(rest), true);
                word = &word[cut..];
                if word.is_empty() {
                    break;
                }
            }
        }
    }
    if !empty || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_with_an_indent_and_long_words_are_cut() {
        let s = [span("one two three four", plain)];
        assert_eq!(wrap(&s, 10, "", "  "), ["one two", "  three", "  four"]);
        assert_eq!(wrap(&s, 0, "> ", ""), ["> one two three four"]);
        let long = [span("abcdefghijkl", plain)];
        assert_eq!(wrap(&long, 5, "", " "), ["abcde", " fghi", " jkl"]);
    }

    #[test]
    fn wide_and_zero_width_characters_count_as_the_terminal_shows_them() {
        assert_eq!(width("日本"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("Xin chào"), 8);
        let s = [span("\"日本語のテキスト\" thế giới", plain)];
        for max in 4..30 {
            for l in wrap(&s, max, "", "  ") {
                assert!(width(&l) <= max, "{max}: {l:?}");
            }
        }
        assert_eq!(wrap(&[span("日本語", plain)], 5, "", ""), ["日本", "語"]);
    }

    #[test]
    fn every_line_fits() {
        let s = [span("← client's close() or shutdown(SHUT_WR), or the process exiting", plain)];
        for max in 8..80 {
            for l in wrap(&s, max, "    ", "      ") {
                assert!(width(&l) <= max, "{max}: {l:?}");
            }
        }
    }
}
