//! Showing payload bytes on a terminal: valid UTF-8 as text ("Xin chào"), and
//! escaped whatever could hurt the terminal or lie about the bytes, so that no
//! raw control byte ever reaches it; shortened, so that a 1 MiB echo stays one line.

/// How many payload bytes a narration line shows before it shortens.
pub const DEFAULT_PREVIEW: usize = 48;

/// Shows `bytes` as text in double quotes: valid UTF-8 as its characters, with
/// `\n`, `\r`, `\t`, `\\`, `\"` and, as `\xNN` per byte, every other control
/// character (C0, DEL, C1), the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069: they reorder the rest of the terminal's line)
/// and every byte that is not part of valid UTF-8 (a character cut by a
/// segment or a `recv()` shows as its lone bytes). When there are more than
/// `max` bytes, only the first `max` are shown (fewer, rather than half a
/// character), followed by `…(+N bytes)` outside the quotes (`…(+N byte)` in
/// Vietnamese, [`crate::lang`]).
pub fn escape(bytes: &[u8], max: usize) -> String {
    let shown = &bytes[..preview_end(bytes, max)];
    let mut out = String::with_capacity(shown.len() + 16);
    out.push('"');
    push_escaped(&mut out, shown);
    out.push('"');
    if bytes.len() > shown.len() {
        let unit = if crate::lang::vi() { "byte" } else { "bytes" };
        out.push_str(&format!("…(+{} {unit})", bytes.len() - shown.len()));
    }
    out
}

/// How many bytes [`is_binary`] looks at: the start of a payload says what it is, and
/// a 64 KiB segment costs no more than a short one.
pub const BINARY_SAMPLE: usize = 256;

/// How many bytes a binary payload's preview shows, as hex.
pub const HEX_PREVIEW: usize = 8;

/// Whether `bytes` are not text, so a preview shows their hex instead of a line of
/// `\xNN`: true when more than a quarter of the first [`BINARY_SAMPLE`] bytes are
/// neither printable UTF-8 nor `\t`, `\n`, `\r` — each byte of invalid UTF-8 and each
/// control character (C0, DEL, C1) counts. A character cut at either end of the sample
/// (a segment boundary, or the sample's own end) does not count. Random or compressed
/// data has more than half its bytes so; text, even with a stray control byte, almost none.
pub fn is_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(BINARY_SAMPLE)];
    if sample.is_empty() {
        return false;
    }
    // A character cut by the segment: up to 3 continuation bytes at the start.
    let start = sample.iter().take(3).take_while(|b| **b & 0xc0 == 0x80).count();
    let mut bad = 0;
    let mut chunks = sample[start..].utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        let controls = chunk.valid().chars().filter(|c| hostile(*c) && !matches!(c, '\t' | '\n' | '\r'));
        bad += controls.map(char::len_utf8).sum::<usize>();
        // The last invalid bytes may be a character cut at the end: not counted.
        if chunks.peek().is_some() {
            bad += chunk.invalid().len();
        }
    }
    bad * 4 > sample.len() - start
}

/// A payload as a terminal line shows it: text as [`escape`] does, and for bytes that
/// are not text ([`is_binary`]) `binary data: e1 d6 3f 0a 9c 21 00 7f …`, the hex of
/// the first [`HEX_PREVIEW`] bytes (`dữ liệu nhị phân: …` in Vietnamese, [`crate::lang`]).
pub fn preview(bytes: &[u8], max: usize) -> String {
    if !is_binary(bytes) {
        return escape(bytes, max);
    }
    let hex: Vec<String> = bytes.iter().take(HEX_PREVIEW).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > HEX_PREVIEW { " …" } else { "" };
    let binary = if crate::lang::vi() { "dữ liệu nhị phân" } else { "binary data" };
    format!("{binary}: {}{more}", hex.join(" "))
}

/// Escapes all of `bytes` as [`escape`] does, without quotes and without shortening.
pub fn escape_all(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_escaped(&mut out, bytes);
    out
}

/// A name (a file's, a student's) as a person reads it: as [`escape_all`], but `"` and `\`
/// stay as they are, for a name is shown bare, not between quotes (`O"Brien`, never
/// `O\"Brien`). Only what cannot be shown is escaped: control characters, the
/// bidirectional overrides and isolates, bytes that are not UTF-8. A backslash in the
/// result is the name's own or starts such an escape (`\x1b`, `\n`).
pub fn escape_name(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_escaped_as(&mut out, bytes, false);
    out
}

/// Escapes `bytes` like a Python `bytes` literal, without quotes: printable
/// ASCII as is, `\n`, `\r`, `\t`, `\\`, `\"`, every other byte as `\xNN`
/// (UTF-8 too). The form of osi-trace's JSON `payload`, a documented schema.
pub fn escape_bytes_literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            0x20..=0x7e if b != b'\\' && b != b'"' => out.push(char::from(b)),
            _ => push_byte(&mut out, b),
        }
    }
    out
}

/// A file path for an error line: quoted and escaped like a payload, never
/// shortened, so a name holding control bytes cannot reach the terminal raw.
pub fn escape_path(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    format!("\"{}\"", escape_all(path.as_os_str().as_bytes()))
}

/// Where a preview of `max` bytes ends: at `max`, or before a character that
/// `max` would cut in two (its bytes all there, only the preview would split it).
fn preview_end(bytes: &[u8], max: usize) -> usize {
    if bytes.len() <= max {
        return bytes.len();
    }
    // The start of the character the cut falls in: at most 3 continuation bytes back.
    let start = (max.saturating_sub(3)..=max).rev().find(|&i| bytes[i] & 0xc0 != 0x80).unwrap_or(max);
    let whole = bytes.get(start..(start + 4).min(bytes.len())).and_then(|b| b.utf8_chunks().next());
    match whole {
        Some(c) if start < max && c.valid().chars().next().is_some_and(|ch| start + ch.len_utf8() > max) => {
            start
        }
        _ => max,
    }
}

/// Whether a character, valid UTF-8, would hurt the terminal if printed as is.
pub(crate) fn hostile(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, bytes: &[u8]) {
    push_escaped_as(out, bytes, true);
}

/// [`push_escaped`]; `quoted`: `"` and `\\` escaped too (the text goes between quotes).
fn push_escaped_as(out: &mut String, bytes: &[u8], quoted: bool) {
    for chunk in bytes.utf8_chunks() {
        let text = chunk.valid();
        // Runs of characters that need no escape are copied in one go: a capture
        // of a million segments calls this for every one it shows.
        let mut run = 0;
        for (i, c) in text.char_indices() {
            let named = match c {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\\' if quoted => "\\\\",
                '"' if quoted => "\\\"",
                _ if hostile(c) => "",
                _ => continue,
            };
            out.push_str(&text[run..i]);
            if named.is_empty() {
                let mut utf8 = [0u8; 4];
                c.encode_utf8(&mut utf8).bytes().for_each(|b| push_byte(out, b));
            } else {
                out.push_str(named);
            }
            run = i + c.len_utf8();
        }
        out.push_str(&text[run..]);
        chunk.invalid().iter().for_each(|&b| push_byte(out, b));
    }
}

/// `\xNN`, lowercase; no `format!` per byte.
fn push_byte(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        b'\\' => out.push_str("\\\\"),
        b'"' => out.push_str("\\\""),
        _ => {
            out.push_str("\\x");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_what_is_mostly_not_text() {
        // Random bytes (a fixed xorshift stream, as the lab's /dev/urandom payload).
        let mut x: u32 = 0x2545_f491;
        let random: Vec<u8> = (0..1448)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        assert!(is_binary(&random));
        assert!(is_binary(&random[1..200]), "a cut anywhere");
        assert!(is_binary(b"\x00\x01\x02\x03"));
        // Text: ASCII, Vietnamese, a line of lines, a character cut at either end, a stray control.
        for text in ["Hello", "Xin chào thế giới", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "a\tb\x07c d e f g h"]
        {
            assert!(!is_binary(text.as_bytes()), "{text:?}");
        }
        let vi = "thế giới ".repeat(40);
        assert!(!is_binary(&vi.as_bytes()[1..vi.len() - 1]), "cut mid-character at both ends");
        assert!(!is_binary(b""));
        // The rule's edge: a quarter of bad bytes is still text, more is binary.
        assert!(!is_binary(b"abc\x01abc\x01"));
        assert!(is_binary(b"ab\x01\x02ab\x01\x02"));
    }

    #[test]
    fn a_binary_preview_is_its_first_bytes_in_hex() {
        assert_eq!(
            preview(b"\xe1\xd6\x3f\x0a\x9c\x21\x00\x7f\x80\x81", 48),
            "binary data: e1 d6 3f 0a 9c 21 00 7f …"
        );
        assert_eq!(preview(b"\x00\x01", 48), "binary data: 00 01");
        assert_eq!(preview(b"Hello", 48), "\"Hello\"");
    }

    #[test]
    fn printable_text_is_quoted_as_is() {
        assert_eq!(escape(b"Hello", 48), "\"Hello\"");
    }

    #[test]
    fn valid_utf8_is_shown_as_text() {
        let vi = "Xin chào, thế giới";
        assert_eq!(escape(vi.as_bytes(), 48), format!("\"{vi}\""));
        assert_eq!(escape_all("日本語 ✓ é".as_bytes()), "日本語 ✓ é");
        // A combining accent and a zero-width joiner are text too: they cannot hurt a terminal.
        assert_eq!(escape_all("e\u{301} a\u{200d}b".as_bytes()), "e\u{301} a\u{200d}b");
    }

    #[test]
    fn c0_controls_del_and_escape_are_escaped() {
        assert_eq!(escape(b"a\0\n\x1b[31m\x7f\"\\", 48), r#""a\x00\n\x1b[31m\x7f\"\\""#);
        for b in (0u8..0x20).chain([0x7f]).filter(|b| !b"\n\r\t".contains(b)) {
            assert_eq!(escape_all(&[b]), format!("\\x{b:02x}"));
        }
    }

    #[test]
    fn c1_controls_are_escaped_as_their_bytes() {
        // U+009B is CSI: some terminals take it as ESC [.
        assert_eq!(escape_all("x\u{9b}31m\u{85}".as_bytes()), r"x\xc2\x9b31m\xc2\x85");
        for c in '\u{80}'..='\u{9f}' {
            assert!(escape_all(c.to_string().as_bytes()).starts_with("\\xc2\\x"), "{c:?}");
        }
    }

    #[test]
    fn bidirectional_overrides_and_isolates_are_escaped() {
        // "Trojan Source": U+202E would show the rest of the line backwards.
        assert_eq!(escape_all("abc\u{202e}fed".as_bytes()), r"abc\xe2\x80\xaefed");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            assert!(escape_all(c.to_string().as_bytes()).starts_with("\\xe2\\x"), "{c:?}");
        }
        // Neighbours that are no overrides stay text.
        assert_eq!(escape_all("\u{2029}\u{206a}".as_bytes()), "\u{2029}\u{206a}");
    }

    #[test]
    fn invalid_utf8_is_escaped_byte_by_byte() {
        assert_eq!(escape_all(b"\xff\xfe ok \xc3"), r"\xff\xfe ok \xc3");
        // An overlong encoding and a surrogate are not valid UTF-8 either.
        assert_eq!(escape_all(b"\xc0\xaf\xed\xa0\x80"), r"\xc0\xaf\xed\xa0\x80");
    }

    #[test]
    fn a_character_cut_by_a_segment_shows_its_lone_bytes() {
        // "à" is 2 bytes, c3 a0: a recv() of 7 bytes of "Xin chào" ends inside it.
        let bytes = "Xin chào".as_bytes();
        assert_eq!(escape(&bytes[..7], 48), r#""Xin ch\xc3""#);
        assert_eq!(escape(&bytes[7..], 48), r#""\xa0o""#);
    }

    #[test]
    fn long_payloads_are_shortened_with_the_count_left_out() {
        assert_eq!(escape(&[b'x'; 10], 4), "\"xxxx\"…(+6 bytes)");
        // Not inside a character: "à" (2 bytes) would straddle the cut at 7.
        assert_eq!(escape("Xin chào".as_bytes(), 7), "\"Xin ch\"…(+3 bytes)");
        assert_eq!(escape("日本".as_bytes(), 4), "\"日\"…(+3 bytes)");
        // A lone byte at the cut is no character: the cut stays.
        assert_eq!(escape(b"abc\xffdef", 4), r#""abc\xff"…(+3 bytes)"#);
    }

    #[test]
    fn paths_are_escaped_whole() {
        let p = std::path::Path::new("/tmp/a\x1b[2Jb\nc/thư mục");
        assert_eq!(escape_path(p), r#""/tmp/a\x1b[2Jb\nc/thư mục""#);
    }

    #[test]
    fn the_bytes_literal_form_escapes_every_byte_outside_printable_ascii() {
        assert_eq!(escape_bytes_literal("à\n\"\\x".as_bytes()), r#"\xc3\xa0\n\"\\x"#);
        for b in (0u8..=0xff).filter(|b| !(0x20..=0x7e).contains(b) && !b"\n\r\t".contains(b)) {
            assert_eq!(escape_bytes_literal(&[b]), format!("\\x{b:02x}"));
        }
    }

    #[test]
    fn a_name_keeps_its_quotes_and_backslashes() {
        assert_eq!(escape_name(br#"O"Brien \ co"#), r#"O"Brien \ co"#);
        assert_eq!(escape_name(b"a\x1bb\n\xff\xe2\x80\xae"), r"a\x1bb\n\xff\xe2\x80\xae");
        assert_eq!(escape_name("Nguyễn Văn An".as_bytes()), "Nguyễn Văn An");
    }

    #[test]
    fn escape_all_never_shortens() {
        assert_eq!(escape_all(&[b'y'; 100]).len(), 100);
    }
}
