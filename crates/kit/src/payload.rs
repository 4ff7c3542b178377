//! Showing payload bytes on a terminal: escaped, so that no raw control byte
//! ever reaches it, and shortened, so that a 1 MiB echo stays one line.

/// How many payload bytes a narration line shows before it shortens.
pub const DEFAULT_PREVIEW: usize = 48;

/// Escapes `bytes` like a Python `bytes` literal (printable ASCII as is,
/// `\n`, `\r`, `\t`, `\\`, `\"`, every other byte as `\xNN`) and wraps them in
/// double quotes. When there are more than `max` bytes, only the first `max`
/// are shown, followed by `…(+N bytes)` outside the quotes.
pub fn escape(bytes: &[u8], max: usize) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut out = String::with_capacity(shown.len() + 16);
    out.push('"');
    push_escaped(&mut out, shown);
    out.push('"');
    if bytes.len() > shown.len() {
        out.push_str(&format!("…(+{} bytes)", bytes.len() - shown.len()));
    }
    out
}

/// Escapes all of `bytes`, without quotes and without shortening.
pub fn escape_all(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    push_escaped(&mut out, bytes);
    out
}

/// A file path for an error line: quoted and escaped like a payload, never
/// shortened, so a name holding control bytes cannot reach the terminal raw.
pub fn escape_path(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    format!("\"{}\"", escape_all(path.as_os_str().as_bytes()))
}

fn push_escaped(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                // No `format!` per byte: a capture of binary payloads calls
                // this for every frame it shows.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\x");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_quoted_as_is() {
        assert_eq!(escape(b"Hello", 48), "\"Hello\"");
    }

    #[test]
    fn control_bytes_and_invalid_utf8_are_escaped() {
        assert_eq!(escape(b"a\0\n\x1b[31m\xff\"\\", 48), r#""a\x00\n\x1b[31m\xff\"\\""#);
    }

    #[test]
    fn long_payloads_are_shortened_with_the_count_left_out() {
        assert_eq!(escape(&[b'x'; 10], 4), "\"xxxx\"…(+6 bytes)");
    }

    #[test]
    fn paths_are_escaped_whole() {
        let p = std::path::Path::new("/tmp/a\x1b[2Jb\nc");
        assert_eq!(escape_path(p), r#""/tmp/a\x1b[2Jb\nc""#);
    }

    #[test]
    fn every_unprintable_byte_is_two_lowercase_hex_digits() {
        for b in (0u8..=0xff).filter(|b| !(0x20..=0x7e).contains(b) && !b"\n\r\t".contains(b)) {
            assert_eq!(escape_all(&[b]), format!("\\x{b:02x}"));
        }
    }

    #[test]
    fn escape_all_never_shortens() {
        assert_eq!(escape_all(&[b'y'; 100]).len(), 100);
    }
}
