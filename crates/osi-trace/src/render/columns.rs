//! How many columns a text takes on a terminal, as unicode-width counts them
//! (a payload's text may hold wide characters, 日, and zero-width ones, a
//! combining accent), with a fast way for the views' own words: printable
//! ASCII and a few symbols, one column each whatever surrounds them.

/// The characters besides printable ASCII that the views print most (arrows,
/// dashes, ×, ·, µ, box drawing): each takes one column and starts or ends no
/// sequence unicode-width knows (emoji, ligatures, joiners), so a text of
/// these and printable ASCII is as wide as it has characters. A test holds
/// them to unicode-width next to every other character.
#[cfg(test)]
const ONE_COLUMN: [char; 9] = ['→', '←', '—', '…', '×', '·', 'µ', '─', '│'];

/// Columns `s` takes on a terminal: unicode-width's.
pub fn width(s: &str) -> usize {
    one_column_chars(s).unwrap_or_else(|| unicode_width::UnicodeWidthStr::width(s))
}

/// The columns of one character where a long word is cut (a control: none).
pub fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// How many characters `s` has when every one is printable ASCII or one of
/// [`ONE_COLUMN`] (then each is a column); `None` when another is there.
pub fn one_column_chars(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    // The bytes past the first of each one-column symbol: they add no character.
    let (mut i, mut extra) = (0, 0);
    while let Some(k) = next_other(&b[i..]) {
        // Every byte before it is printable ASCII or part of a whole symbol: a character starts here.
        let len = one_column_symbol(&b[i + k..])?;
        i += k + len;
        extra += len - 1;
    }
    Some(b.len() - extra)
}

/// The length in bytes of the [`ONE_COLUMN`] symbol `b` starts with, if it
/// starts with one: their UTF-8, matched as bytes (a test holds the two lists equal).
fn one_column_symbol(b: &[u8]) -> Option<usize> {
    match b {
        // → ←, — …, ─ │
        [0xe2, 0x86, 0x92 | 0x90, ..] | [0xe2, 0x80, 0x94 | 0xa6, ..] | [0xe2, 0x94, 0x80 | 0x82, ..] => {
            Some(3)
        }
        // ×, · µ
        [0xc3, 0x97, ..] | [0xc2, 0xb7 | 0xb5, ..] => Some(2),
        _ => None,
    }
}

/// Where the first byte that is not printable ASCII is, if any: looked for
/// 8 bytes at a time, in one word (the last 8 bytes of a longer text overlap
/// the word before).
fn next_other(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = b[i..].first_chunk::<8>() {
        if let Some(k) = other_in(*chunk, 0) {
            return Some(i + k);
        }
        i += 8;
    }
    match b.last_chunk::<8>() {
        Some(last) if i < b.len() => other_in(*last, 8 - (b.len() - i)).map(|k| b.len() - 8 + k),
        Some(_) => None,
        None => b.iter().position(|&x| !printable(x)),
    }
}

/// The first byte of `chunk` from `from` on that is not printable ASCII. Each of
/// the three tests flags its bytes in their high bit, the lowest flag always
/// right: a borrow only carries up from a byte it flags, and the bytes before
/// `from` flag nothing (they were looked at).
fn other_in(chunk: [u8; 8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let w = u64::from_le_bytes(chunk);
    let del = w ^ (0x7f * ONES);
    // 0x80 or more; below 0x20; 0x7f.
    let flags = (w | (w.wrapping_sub(0x20 * ONES) & !w) | (del.wrapping_sub(ONES) & !del)) & HIGH;
    let flags = flags & (!0u64 << (8 * from));
    (flags != 0).then(|| flags.trailing_zeros() as usize / 8)
}

/// Whether a byte is printable ASCII (a space to `~`).
pub fn printable(x: u8) -> bool {
    (0x20..0x7f).contains(&x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn widths_are_those_of_unicode_width() {
        let mut seed = 11u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        // Sequences unicode-width knows: emoji, variation selectors, joiners, a keycap,
        // flags, a skin tone, a ligature (lam-alef), Khmer's coeng, a line ending; controls.
        let alphabet = [
            " ",
            "a",
            ",",
            "1",
            "#",
            "*",
            "→",
            "←",
            "—",
            "×",
            "日",
            "😀",
            "\u{fe0f}",
            "\u{fe0e}",
            "\u{200d}",
            "\u{20e3}",
            "\u{301}",
            "\u{1f1fb}",
            "\u{1f3fb}",
            "\u{644}",
            "\u{627}",
            "\u{1780}",
            "\u{17d2}",
            "\r",
            "\n",
            "\t",
            "\u{7f}",
            "\u{85}",
        ];
        for round in 0..50_000 {
            // Some texts of ASCII and the one-column symbols only, as the views' words are.
            let letters = if round % 3 == 0 { 10 } else { alphabet.len() };
            let s: String = (0..next(16)).map(|_| alphabet[next(letters)]).collect();
            assert_eq!(width(&s), UnicodeWidthStr::width(&*s), "{s:?}");
        }
        assert_eq!(one_column_chars("client → server: x"), Some(18));
        assert_eq!(one_column_chars("Xin chào"), None);
    }

    /// The first byte that is not printable ASCII is found wherever it is, whatever follows it.
    #[test]
    fn the_first_other_byte_is_found_at_any_place() {
        for len in 0..40 {
            for at in 0..len {
                for x in (0..0x20).chain(0x7f..=0xff) {
                    for after in [b'a', 0, 0x7f, 0xff, 0x1f, 0x20] {
                        let mut b = vec![b'~'; len];
                        b[at] = x;
                        b[at + 1..].fill(after);
                        assert_eq!(next_other(&b), Some(at), "{b:?}");
                    }
                }
            }
            assert_eq!(next_other(&vec![b' '; len]), None);
        }
    }

    /// The symbols matched as bytes are those of [`ONE_COLUMN`], no other character.
    #[test]
    fn the_symbols_matched_as_bytes_are_the_one_column_ones() {
        let mut buf = [0; 4];
        for c in (0..0x110000).filter_map(char::from_u32) {
            let utf8 = c.encode_utf8(&mut buf).as_bytes();
            let want = ONE_COLUMN.contains(&c).then_some(utf8.len());
            assert_eq!(one_column_symbol(utf8), want, "{c:?}");
        }
    }

    /// Each symbol of [`ONE_COLUMN`] is one column after any character of the
    /// planes where unicode-width's sequences live (and the tags): it changes
    /// nothing before it, and takes one column itself.
    #[test]
    fn the_one_column_symbols_are_one_column_next_to_anything() {
        let chars = (0..0x20000u32).chain(0xe0000..0xe0080).filter_map(char::from_u32);
        let mut buf = String::new();
        for p in chars {
            let alone = UnicodeWidthStr::width(p.encode_utf8(&mut [0; 4]) as &str);
            for c in ONE_COLUMN {
                assert_eq!(char_width(c), 1, "{c:?}");
                buf.clear();
                buf.push(p);
                buf.push(c);
                assert_eq!(UnicodeWidthStr::width(&*buf), alone + 1, "{buf:?}");
                buf.clear();
                buf.push(c);
                buf.push(p);
                assert_eq!(UnicodeWidthStr::width(&*buf), 1 + alone, "{buf:?}");
            }
        }
    }
}
