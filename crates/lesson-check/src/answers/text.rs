//! An answers file as students hand it in: UTF-8, with or without the byte order
//! mark Windows Notepad writes, or UTF-16 with its mark (Notepad's "Unicode");
//! lines ended by LF, CRLF or a lone CR. The mark never reaches a key or a message.

/// The file's text, or `None` when it is not text in one of those encodings.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let text = match bytes {
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8(rest.to_vec()).ok()?,
        [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes)?,
        [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes)?,
        _ => String::from_utf8(bytes.to_vec()).ok()?,
    };
    // A mark written twice (a file saved again by another editor) is no text either.
    Some(text.trim_start_matches('\u{feff}').to_string())
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|b| unit([b[0], b[1]])).collect();
    String::from_utf16(&units).ok()
}

/// The lines of `text`, numbered from 1 as an editor numbers them: CRLF, LF and a
/// lone CR (old Mac files) each end one line.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let now = rest?;
        match now.find(['\n', '\r']) {
            Some(i) => {
                let skip = if now[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&now[i + skip..]);
                Some(&now[..i])
            }
            None => {
                rest = None;
                Some(now).filter(|l| !l.is_empty())
            }
        }
    })
    .enumerate()
    .map(|(i, l)| (i + 1, l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_order_mark_is_dropped_in_every_encoding() {
        assert_eq!(decode(b"\xef\xbb\xbfsegments = 10").as_deref(), Some("segments = 10"));
        let le: Vec<u8> =
            [0xff, 0xfe].into_iter().chain("a = 1\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&le).as_deref(), Some("a = 1\r\n"));
        let be: Vec<u8> =
            [0xfe, 0xff].into_iter().chain("a = 1".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&be).as_deref(), Some("a = 1"));
        assert_eq!(decode(b"\xef\xbb\xbf\xef\xbb\xbfa = 1").as_deref(), Some("a = 1"));
        assert_eq!(decode(b"plain").as_deref(), Some("plain"));
        assert_eq!(decode(b"\xff\xfe\x00"), None, "half a UTF-16 unit");
        assert_eq!(decode(b"caf\xe9"), None, "Latin-1 is not UTF-8");
    }

    #[test]
    fn lines_end_at_lf_crlf_or_a_lone_cr_and_keep_their_numbers() {
        let got: Vec<(usize, &str)> = lines("a\r\nb\n\nc\rd").collect();
        assert_eq!(got, [(1, "a"), (2, "b"), (3, ""), (4, "c"), (5, "d")]);
        assert_eq!(lines("a\n").collect::<Vec<_>>(), [(1, "a")]);
        assert_eq!(lines("").count(), 0);
    }
}
