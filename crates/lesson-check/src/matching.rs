//! Matching shown output against real output: key lines, in order, with `[..]`
//! standing for whatever varies from run to run.

/// Whether `actual` matches the shown line `expected`, where each `[..]` in
/// `expected` matches any run of characters (also none). Trailing white space
/// is ignored on both sides.
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let expected = expected.trim_end();
    let actual = actual.trim_end();
    let mut parts = expected.split("[..]");
    let Some(first) = parts.next() else {
        return actual.is_empty();
    };
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The shown lines that do not appear, in order, in `actual`. A shown line
/// `...` only tells the reader that lines were left out, and matches nothing.
pub fn missing_lines<'a>(expected: &'a [String], actual: &[&str]) -> Vec<&'a str> {
    let mut missing = Vec::new();
    let mut next = 0;
    for want in expected.iter().filter(|l| l.trim() != "...") {
        match actual[next..].iter().position(|got| line_matches(want, got)) {
            Some(i) => next += i + 1,
            None => missing.push(want.as_str()),
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_varying_text() {
        assert!(line_matches("READY 127.0.0.1:[..]", "READY 127.0.0.1:43121"));
        assert!(line_matches("[..] SYN [..] seq=0", "0.000 → SYN win=65495 seq=0"));
        assert!(line_matches("a[..]", "a"));
        assert!(!line_matches("seq=0", "seq=01"));
        assert!(!line_matches("[..]seq=1 ack=1", "seq=1 ack=11"));
        assert!(line_matches("x  ", "x"));
    }

    #[test]
    fn key_lines_must_keep_their_order() {
        let shown = vec!["b".to_string(), "...".to_string(), "d".to_string()];
        assert!(missing_lines(&shown, &["a", "b", "c", "d"]).is_empty());
        assert_eq!(missing_lines(&shown, &["d", "b"]), ["d"]);
    }
}
