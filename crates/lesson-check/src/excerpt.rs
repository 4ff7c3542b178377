//! A lesson's code excerpt against the file it quotes: every line stands there,
//! in order and with its indentation (the excerpt may shift the whole block
//! left); source lines left out are shown as an elision mark, `// …`; and the
//! braces balance, so the student reads valid code with its holes marked.

use crate::parse::Excerpt;

/// Whether an excerpt line stands for source lines left out: `// …` (or `// ...`),
/// `# …` in Python.
fn is_elision(line: &str) -> bool {
    matches!(line.trim(), "// …" | "// ..." | "# …" | "# ..." | "…" | "...")
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Everything wrong with `excerpt` as a quote of `source`, one message per problem.
/// The excerpt's first line may stand in several places (`loop {`): the place
/// that leaves the fewest problems is the one it quotes.
pub fn problems(excerpt: &Excerpt, source: &str) -> Vec<String> {
    let source: Vec<&str> = source.lines().collect();
    let first = excerpt.lines.iter().find(|l| !is_elision(l) && !l.trim().is_empty());
    let starts = first.map_or_else(Vec::new, |f| {
        (0..source.len())
            .filter(|&i| source[i].trim() == f.trim() && indent(source[i]) >= indent(f))
            .collect()
    });
    let mut best: Option<Vec<String>> = None;
    for start in starts.into_iter().map(Some).chain(std::iter::once(None)) {
        let found = problems_from(excerpt, &source, start);
        if best.as_ref().is_none_or(|b| found.len() < b.len()) {
            best = Some(found);
        }
    }
    best.unwrap_or_default()
}

/// The problems when the excerpt's first line is quoted from source line `start`
/// (`None`: wherever it first stands).
fn problems_from(excerpt: &Excerpt, source: &[&str], start: Option<usize>) -> Vec<String> {
    let mut found = Vec::new();
    // The source line after the last one matched, and how far the excerpt shifts lines left.
    let (mut next, mut shift): (usize, Option<usize>) = (start.unwrap_or(0), None);
    let mut elided = true;
    for (n, line) in excerpt.lines.iter().enumerate() {
        let at = excerpt.at + 1 + n;
        if is_elision(line) {
            elided = true;
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let line = line.trim_end();
        let same = |s: &&str| match shift {
            Some(d) => s.trim_end().strip_prefix(&" ".repeat(d)) == Some(line),
            None => s.trim() == line.trim() && indent(s) >= indent(line),
        };
        let later = source[next..].iter().position(same).map(|i| next + i);
        // Without a mark, the line must be the next non-blank one of the source.
        let adjacent = (next..source.len()).find(|&i| !source[i].trim().is_empty());
        match later {
            Some(i) if elided || Some(i) == adjacent => {}
            Some(_) => found.push(format!(
                "line {at}: source lines are left out before `{}` without a `// …` mark",
                line.trim()
            )),
            None if source.iter().any(|s| s.trim() == line.trim()) => found.push(format!(
                "line {at}: `{}` is not where the excerpt puts it (order or indentation differs from {})",
                line.trim(),
                excerpt.path
            )),
            None => found.push(format!("line {at}: not found in {}: {}", excerpt.path, line.trim())),
        }
        if let Some(i) = later {
            shift.get_or_insert(indent(source[i]) - indent(line));
            next = i + 1;
        }
        elided = false;
    }
    // Python has no braces to balance: its indentation, checked above, is its structure.
    let python = excerpt.path.ends_with(".py");
    let lines = excerpt.lines.iter().filter(|l| !is_elision(l)).map(String::as_str);
    if let Err(why) = if python { Ok(()) } else { braces(lines) } {
        found.push(format!("the excerpt at line {} is not valid code: {why}", excerpt.at));
    }
    found
}

/// Checks that the braces of `lines` balance, outside strings, characters and comments.
fn braces<'a>(lines: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut depth = 0i64;
    for line in lines {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '"' => {
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => break,
                            _ => {}
                        }
                    }
                }
                // A character literal ('{', '\''), not a lifetime ('a).
                '\'' => {
                    let mut ahead = chars.clone();
                    let lit = match ahead.next() {
                        Some('\\') => ahead.nth(1) == Some('\'') || ahead.any(|c| c == '\''),
                        Some(_) => ahead.next() == Some('\''),
                        None => false,
                    };
                    if lit {
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                    }
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth < 0 {
                        return Err(format!("a `}}` closes nothing: `{}`", line.trim()));
                    }
                }
                _ => {}
            }
        }
    }
    match depth {
        0 => Ok(()),
        d => Err(format!("{d} `{{` never closed (show the rest, or `// …` and the closing `}}`)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "fn echo() {\n    loop {\n        // L7←L4: copy up to --buffer bytes.\n        let n = match conn.recv_into(&mut buf) {\n            Ok(n) => n,\n            Err(e) => return Err(e),\n        };\n\n        if n == 0 {\n            say(\"0 bytes: FIN\");\n            break;\n        }\n        conn.sendall(&buf[..n])?;\n    }\n}\n";

    fn excerpt(text: &str) -> Excerpt {
        Excerpt { path: "src/main.rs".into(), lines: text.lines().map(String::from).collect(), at: 10 }
    }

    #[test]
    fn a_contiguous_dedented_excerpt_stands() {
        let e = excerpt("let n = match conn.recv_into(&mut buf) {\n    Ok(n) => n,\n    Err(e) => return Err(e),\n};\n\nif n == 0 {\n    say(\"0 bytes: FIN\");\n    break;\n}");
        assert_eq!(problems(&e, SOURCE), Vec::<String>::new());
    }

    #[test]
    fn elisions_are_marked_and_braces_balance() {
        let e = excerpt("loop {\n    // …\n    let n = match conn.recv_into(&mut buf) {\n        // ...\n    };\n    // …\n}");
        assert_eq!(problems(&e, SOURCE), Vec::<String>::new());
    }

    #[test]
    fn lines_torn_out_without_marks_or_indentation_are_refused() {
        // What lesson 3 once showed: the match's arms left out unmarked, `break;` at column 0.
        let e = excerpt(
            "let n = match conn.recv_into(&mut buf) {\nif n == 0 {\n    say(\"0 bytes: FIN\");\nbreak;\n}",
        );
        let p = problems(&e, SOURCE);
        assert!(p.iter().any(|p| p.contains("left out before `if n == 0 {` without a `// …` mark")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("`break;` is not where the excerpt puts it")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("1 `{` never closed")), "{p:?}");
    }

    #[test]
    fn braces_in_strings_characters_and_comments_do_not_count() {
        assert_eq!(
            braces(["let s = \"{\"; // {", "let c = '{';", "fn f<'a>(x: &'a str) {}"].into_iter()),
            Ok(())
        );
        assert!(braces(["}", "{"].into_iter()).is_err());
    }

    const PYTHON: &str = "# echo-server.py\nimport socket\n\ndef serve_forever():\n\twith socket.socket() as s:\n\t\ts.listen()\n\t\twhile True:\n\t\t\tconn, addr = s.accept()\n";

    fn python(text: &str) -> Excerpt {
        Excerpt { path: "scripts/python/article/x.py".into(), ..excerpt(text) }
    }

    #[test]
    fn python_is_quoted_with_its_tabs_and_marked_holes() {
        let e = python("def serve_forever():\n\t# …\n\t\twhile True:\n\t\t\tconn, addr = s.accept()");
        assert_eq!(problems(&e, PYTHON), Vec::<String>::new());
    }

    #[test]
    fn python_changed_or_reindented_is_refused() {
        let changed = problems(&python("\t\ts.listen(5)"), PYTHON);
        assert_eq!(changed, ["line 11: not found in scripts/python/article/x.py: s.listen(5)"]);
        // The article's tabs turned into spaces: `accept()` no longer stands inside the loop.
        let spaces = problems(&python("\t\twhile True:\n    conn, addr = s.accept()"), PYTHON);
        assert!(spaces.iter().any(|p| p.contains("is not where the excerpt puts it")), "{spaces:?}");
    }

    #[test]
    fn a_line_not_in_the_source_is_named() {
        let p = problems(&excerpt("let x = 1;"), SOURCE);
        assert_eq!(p, ["line 11: not found in src/main.rs: let x = 1;"]);
    }
}
