//! Projection mode: every view fits a width (`--width`, or the terminal's; 0,
//! no limit, for a file or a pipe). A line that does not fit is broken between
//! words and its continuation indented; a word wider than the line is cut.
//! Colour is painted after the fitting, so widths count only what is visible.

use std::borrow::Cow;
use std::ops::Range;

/// How a run of text is coloured.
pub type Paint = fn(&str) -> String;

/// No colour.
pub fn plain(s: &str) -> String {
    s.to_string()
}

/// A run of text in one colour (its own, or borrowed from where it was made).
#[derive(Clone)]
pub struct Span<'a> {
    pub text: Cow<'a, str>,
    pub paint: Paint,
}

pub fn span<'a>(text: impl Into<Cow<'a, str>>, paint: Paint) -> Span<'a> {
    Span { text: text.into(), paint }
}

pub use super::columns::one_column_chars;
pub use super::columns::width;
use super::columns::{char_width, printable};

/// Where a word wider than the `room` left on its line is cut, between
/// characters: after those that fit, or after the first one when even it
/// does not (a wide one that does not fit goes to the next line).
fn cut_at(word: &str, room: usize) -> usize {
    let room = room.max(1);
    if word.bytes().all(printable) {
        // A column a character: the first `room` of them.
        return room.min(word.len());
    }
    let (mut cut, mut taken) = (0, 0);
    for (i, c) in word.char_indices() {
        if taken + char_width(c) > room && i > 0 {
            break;
        }
        taken += char_width(c);
        cut = i + c.len_utf8();
    }
    cut
}

/// The spans side by side, as one painted line.
pub fn join(spans: &[Span]) -> String {
    spans.iter().map(|s| (s.paint)(&s.text)).collect()
}

/// The visible width of the spans side by side.
pub fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| width(&s.text)).sum()
}

/// Appends `text` painted (as it is, without colour).
pub fn push_painted(out: &mut String, paint: Paint, text: &str) {
    if colored::control::SHOULD_COLORIZE.should_colorize() {
        out.push_str(&paint(text));
    } else {
        // Without colour every paint leaves the text as it is.
        out.push_str(text);
    }
}

/// Spans written one after the other into one buffer, reused from segment to
/// segment: a view builds its parts here, measures them, and copies them out
/// painted, with no string of its own per span.
#[derive(Default)]
pub struct Runs {
    text: String,
    /// Where each span ends in `text`, and its colour.
    ends: Vec<(usize, Paint)>,
}

impl Runs {
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// The spans written so far: a part is the spans between two counts.
    pub fn count(&self) -> usize {
        self.ends.len()
    }

    /// Writes one more span.
    pub fn push(&mut self, paint: Paint, text: impl std::fmt::Display) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(self.text, "{text}");
        self.ends.push((self.text.len(), paint));
    }

    /// Writes one more span: `write` appends its text.
    pub fn push_with(&mut self, paint: Paint, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.ends.push((self.text.len(), paint));
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1].0
        }
    }

    fn text(&self, i: usize) -> &str {
        &self.text[self.start(i)..self.ends[i].0]
    }

    /// The visible width of spans `part`: the sum of theirs, as [`spans_width`].
    pub fn width(&self, part: Range<usize>) -> usize {
        let all = &self.text[self.start(part.start)..self.start(part.end)];
        // One column a character: the spans' widths add up.
        if let Some(n) = one_column_chars(all) {
            return n;
        }
        part.map(|i| width(self.text(i))).sum()
    }

    /// Appends spans `part` to `out`, painted as [`join`] paints them.
    pub fn paint_into(&self, part: Range<usize>, out: &mut String) {
        if !colored::control::SHOULD_COLORIZE.should_colorize() {
            // Without colour every paint leaves the text as it is.
            out.push_str(&self.text[self.start(part.start)..self.start(part.end)]);
            return;
        }
        for i in part {
            out.push_str(&(self.ends[i].1)(self.text(i)));
        }
    }

    /// Spans `part`, each its own [`Span`] (to be wrapped).
    pub fn spans(&self, part: Range<usize>) -> Vec<Span<'_>> {
        part.map(|i| span(self.text(i), self.ends[i].1)).collect()
    }
}

/// Breaks the spans into lines of at most `max` columns (0: no limit) between
/// words; the first line starts with `first`, the others with `rest`.
pub fn wrap(spans: &[Span], max: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    wrap_with(spans, max, first, rest, |l| lines.push(l.to_string()));
    lines
}

/// [`wrap`], each line appended to `out` with its newline.
pub fn wrap_into(out: &mut String, spans: &[Span], max: usize, first: &str, rest: &str) {
    wrap_with(spans, max, first, rest, |l| {
        out.push_str(l);
        out.push('\n');
    });
}

/// [`wrap_into`] for one text without colour, told whether its every character
/// is one column ([`one_column_chars`], measured already): then, single-spaced,
/// its lines are copied at once.
pub fn wrap_text_into(out: &mut String, text: &str, one_column: bool, max: usize, first: &str, rest: &str) {
    let spans = [span(text, plain)];
    let mut line = |l: &str| {
        out.push_str(l);
        out.push('\n');
    };
    match single_spaced(&spans).filter(|_| one_column && max > 0) {
        Some(text) => wrap_lines(&text, max, first, rest, line),
        None => wrap_words(&spans, max, first, rest, false, &mut line),
    }
}

/// The words of all the spans as one text, a space between two words, when
/// each span already is such a text (or blank): then, without colour, a line
/// of the wrapped text is a piece of it. `None` for any other spans.
fn single_spaced<'a>(spans: &'a [Span]) -> Option<Cow<'a, str>> {
    let mut texts = spans.iter().map(|s| &*s.text).filter(|t| !t.bytes().all(|b| b == b' '));
    let one = |t: &str| !t.starts_with(' ') && !t.ends_with(' ') && !t.contains("  ");
    let first = texts.next().unwrap_or_default();
    let Some(second) = texts.next() else { return one(first).then_some(Cow::Borrowed(first)) };
    let mut joined = String::with_capacity(spans.iter().map(|s| s.text.len() + 1).sum());
    for t in [first, second].into_iter().chain(texts) {
        if !one(t) {
            return None;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(t);
    }
    Some(Cow::Owned(joined))
}

/// [`wrap_with`] for a single-spaced text without colour (see [`single_spaced`])
/// whose every character is one column (see [`one_column_chars`]): each line the
/// longest run of whole words that fits, copied at once (characters counted a
/// stretch at a time); a word wider than a whole line cut where the line ends,
/// as the word by word way does.
fn wrap_lines(text: &str, max: usize, first: &str, rest: &str, mut line: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut cur = String::with_capacity(max * 2);
    cur.push_str(first);
    let (mut used, mut p) = (width(first), 0);
    if text.is_empty() {
        return line(&cur);
    }
    while p < bytes.len() {
        let room = max.saturating_sub(used);
        let Some(q) = after_chars(bytes, p, room + 1) else {
            // All the rest fits.
            cur.push_str(&text[p..]);
            return line(&cur);
        };
        // The character that does not fit: the line ends at a space before it, or at it.
        let mut over = q - 1;
        while bytes[over] & 0xc0 == 0x80 {
            over -= 1;
        }
        let space = match bytes[over] {
            b' ' => Some(over),
            _ => bytes[p..over].iter().rposition(|&b| b == b' ').map(|k| p + k),
        };
        let next = match space {
            Some(end) => {
                cur.push_str(&text[p..end]);
                end + 1
            }
            // The first word alone is wider than the line: cut it (room + 1 characters remain).
            None => {
                let cut = after_chars(bytes, p, room.max(1)).unwrap_or(bytes.len());
                cur.push_str(&text[p..cut]);
                // The rest of the word goes on; a space after it ends it.
                if bytes.get(cut) == Some(&b' ') {
                    cut + 1
                } else {
                    cut
                }
            }
        };
        line(&cur);
        cur.clear();
        cur.push_str(rest);
        used = width(rest);
        p = next;
    }
}

/// Where the `n` characters of `bytes` from byte `p` end, `None` when fewer
/// remain. Counted a stretch at a time (a character starts at every byte that
/// does not continue one), which the compiler turns into vector code.
fn after_chars(bytes: &[u8], p: usize, n: usize) -> Option<usize> {
    let starts = |s: &[u8]| s.iter().filter(|&&b| b & 0xc0 != 0x80).count();
    let (mut q, mut have) = (p, 0);
    while have < n {
        // A character is at least a byte: `have` never passes `n`.
        let step = (n - have).min(bytes.len() - q);
        if step == 0 {
            return None;
        }
        have += starts(&bytes[q..q + step]);
        q += step;
    }
    // Past the last character's first byte: on to its end.
    while bytes.get(q).is_some_and(|&b| b & 0xc0 == 0x80) {
        q += 1;
    }
    Some(q)
}

/// The words of `text` (split at spaces, none empty), each with its width
/// (printable ASCII measured by its length at once).
fn words(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        let (start, mut ascii) = (i, true);
        while let Some(&b) = bytes.get(i).filter(|&&b| b != b' ') {
            ascii &= printable(b);
            i += 1;
        }
        let word = &text[start..i];
        (i > start).then(|| (word, if ascii { word.len() } else { width(word) }))
    })
}

/// [`wrap`], each line handed to `line` as it is made (in one buffer, reused).
fn wrap_with(spans: &[Span], max: usize, first: &str, rest: &str, line: impl FnMut(&str)) {
    let colour = colored::control::SHOULD_COLORIZE.should_colorize();
    if !colour && max > 0 {
        if let Some(text) = single_spaced(spans).filter(|t| one_column_chars(t).is_some()) {
            return wrap_lines(&text, max, first, rest, line);
        }
    }
    wrap_words(spans, max, first, rest, colour, line)
}

/// [`wrap_with`] word by word: each word painted on its own.
fn wrap_words(spans: &[Span], max: usize, first: &str, rest: &str, colour: bool, mut line: impl FnMut(&str)) {
    let push_painted = |cur: &mut String, paint: Paint, text: &str| match colour {
        true => cur.push_str(&paint(text)),
        // Without colour every paint leaves the text as it is.
        false => cur.push_str(text),
    };
    let mut cur = String::with_capacity(max.max(80) * 2);
    cur.push_str(first);
    let (mut used, mut empty, mut any) = (width(first), true, false);
    let mut next_line = |cur: &mut String| {
        line(cur);
        cur.clear();
        cur.push_str(rest);
        any = true;
    };
    for s in spans {
        for (mut word, mut w) in words(&s.text) {
            loop {
                let gap = usize::from(!empty);
                if max == 0 || used + gap + w <= max {
                    if gap == 1 {
                        cur.push(' ');
                    }
                    push_painted(&mut cur, s.paint, word);
                    used += gap + w;
                    empty = false;
                    break;
                }
                if !empty {
                    next_line(&mut cur);
                    (used, empty) = (width(rest), true);
                    continue;
                }
                // Wider than a whole line: cut it where the line ends.
                let cut = cut_at(word, max.saturating_sub(used));
                push_painted(&mut cur, s.paint, &word[..cut]);
                next_line(&mut cur);
                (used, empty) = (width(rest), true);
                word = &word[cut..];
                w = width(word);
                if word.is_empty() {
                    break;
                }
            }
        }
    }
    if !empty || !any {
        line(&cur);
    }
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

    /// The wrapping as it was written first, word by word, each word
    /// measured whole and cut character by character: what the faster ways
    /// must give, line for line.
    fn reference(spans: &[Span], max: usize, first: &str, rest: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = first.to_string();
        let (mut used, mut empty) = (width(first), true);
        for s in spans {
            for mut word in s.text.split(' ').filter(|w| !w.is_empty()) {
                loop {
                    let gap = usize::from(!empty);
                    let w = unicode_width::UnicodeWidthStr::width(word);
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

    /// Words one by one give what the reference gives, and so do whole lines
    /// copied at once where they are used (a text of one-column characters):
    /// texts of words of 1 to 12 characters, ASCII or not, wide (日, 😀),
    /// zero-width (a combining accent, a joiner, a variation selector) or a
    /// control, at every width.
    #[test]
    fn lines_at_once_and_words_one_by_one_are_the_reference() {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let alphabet = [
            'a', 'b', '7', '#', '→', '×', 'à', '日', '😀', '\u{301}', '\u{200d}', '\u{fe0f}', '\t', '\r',
            '\n',
        ];
        for round in 0..600 {
            // Half the texts ASCII and arrows, as the views' words mostly are.
            let letters = if round % 2 == 0 { 6 } else { alphabet.len() as u64 };
            let words: Vec<String> = (0..next(30))
                .map(|_| (0..1 + next(12)).map(|_| alphabet[next(letters) as usize]).collect())
                .collect();
            let text = words.join(" ");
            for max in 1..40 {
                for (first, rest) in [("", ""), ("    ", "      "), ("> ", "")] {
                    let want = reference(&[span(&*text, plain)], max, first, rest);
                    let mut slow = Vec::new();
                    wrap_words(&[span(&*text, plain)], max, first, rest, false, |l| slow.push(l.to_string()));
                    assert_eq!(slow, want, "{text:?} at {max}");
                    if one_column_chars(&text).is_some() {
                        let mut fast = Vec::new();
                        wrap_lines(&text, max, first, rest, |l| fast.push(l.to_string()));
                        assert_eq!(fast, want, "{text:?} at {max}");
                    }
                }
            }
        }
    }

    /// A part's width is the sum of its spans' widths, as [`spans_width`] says
    /// it, though a variation selector would make the whole wider.
    #[test]
    fn a_parts_width_is_its_spans_widths() {
        let mut runs = Runs::default();
        for t in ["[SYN] ", "1", "\u{fe0f} ", "日"] {
            runs.push(plain, t);
        }
        let spans = runs.spans(0..runs.count());
        assert_eq!(runs.width(0..runs.count()), spans_width(&spans));
        assert_eq!(spans_width(&spans), 10);
        assert_eq!(width(&runs.text), 11);
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
