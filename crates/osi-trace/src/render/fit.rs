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

/// Columns a string takes on a terminal (every character here is one column wide).
pub fn width(s: &str) -> usize {
    s.chars().count()
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
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let gap = usize::from(!empty);
                if max == 0 || used + gap + word.len() <= max {
                    cur.push_str(&" ".repeat(gap));
                    cur.push_str(&(s.paint)(&word.iter().collect::<String>()));
                    used += gap + word.len();
                    empty = false;
                    break;
                }
                if !empty {
                    lines.push(std::mem::replace(&mut cur, rest.to_string()));
                    (used, empty) = (width(rest), true);
                    continue;
                }
                // Wider than a whole line: cut it where the line ends.
                let room = max.saturating_sub(used).max(1);
                let tail = word.split_off(room.min(word.len()));
                cur.push_str(&(s.paint)(&word.iter().collect::<String>()));
                lines.push(std::mem::replace(&mut cur, rest.to_string()));
                (used, empty) = (width(rest), true);
                word = tail;
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
    fn every_line_fits() {
        let s = [span("← client's close() or shutdown(SHUT_WR), or the process exiting", plain)];
        for max in 8..80 {
            for l in wrap(&s, max, "    ", "      ") {
                assert!(width(&l) <= max, "{max}: {l:?}");
            }
        }
    }
}
