//! Writing CSV (RFC 4180) that a spreadsheet opens as it was meant: every field
//! that holds a comma, a quote or a line break is quoted, its quotes doubled;
//! a field a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets
//! a `'` in front, as OWASP advises: a student's name is data, never a command.

/// One CSV field.
pub fn field(value: &str) -> String {
    let value = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One CSV record, with its line end (CRLF, as RFC 4180 has it).
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let fields: Vec<String> = fields.iter().map(|f| field(f.as_ref())).collect();
    format!("{}\r\n", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("alice"), "alice");
        assert_eq!(field("Nguyễn, An"), "\"Nguyễn, An\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(""), "");
        assert_eq!(record(&["a", "b,c", "1"]), "a,\"b,c\",1\r\n");
    }

    #[test]
    fn a_formula_is_kept_as_text() {
        assert_eq!(field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("-"), "'-");
    }
}
