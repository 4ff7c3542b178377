//! A lesson's shape for a beginner: what lies outside its folded parts
//! (`<details>`), how many words that is, and its one "Deeper" part at the end,
//! where kernel names, RFC sections and the expert's details go.

/// The summary that opens a lesson's last folded part.
pub const DEEPER: &str = "<details><summary>Deeper</summary>";

/// The lesson's text outside every `<details>` … `</details>` (nested ones included).
pub fn outside_details(markdown: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with("<details") {
            depth += 1;
        }
        if depth == 0 {
            out.push_str(line);
            out.push('\n');
        }
        if t.ends_with("</details>") {
            depth = depth.saturating_sub(1);
        }
    }
    out
}

/// Words outside the folded parts, counted as `wc -w` counts them (code and output included:
/// the reader reads them too), but for the language switch under the title, which is
/// navigation, not reading.
pub fn words_outside_details(markdown: &str) -> usize {
    let switch = |l: &str| {
        l.starts_with("**English** · [Tiếng Việt](")
            || (l.starts_with("[English](") && l.ends_with("· **Tiếng Việt**"))
    };
    outside_details(markdown).lines().filter(|l| !switch(l)).flat_map(str::split_whitespace).count()
}

/// Whether the lesson ends with one folded "Deeper" part: exactly one `deeper` line
/// ([`DEEPER`] in English, [`crate::editions::DEEPER_VI`] in Vietnamese), at the top level,
/// whose `</details>` is the lesson's last line.
pub fn deeper_part_problem(markdown: &str, deeper: &str) -> Option<String> {
    let lines: Vec<&str> = markdown.lines().collect();
    let opens: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].trim() == deeper).collect();
    let [open] = opens[..] else {
        return Some(format!("{} `{deeper}` lines, not one", opens.len()));
    };
    let mut depth = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with("<details") {
            if i == open && depth != 0 {
                return Some(format!("line {}: the Deeper part is inside another <details>", i + 1));
            }
            depth += 1;
        }
        if t.ends_with("</details>") {
            depth = depth.saturating_sub(1);
            if depth == 0 && i > open {
                return match lines[i + 1..].iter().all(|l| l.trim().is_empty()) {
                    true => None,
                    false => {
                        Some(format!("line {}: text after the Deeper part, which must end the lesson", i + 2))
                    }
                };
            }
        }
    }
    Some("the Deeper part is never closed".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "# 1. T\n\nIdea here.\n\n<details><summary>Answers</summary>\n\nhidden words\n\n</details>\n\n<details><summary>Deeper</summary>\n\nmore\n<details><summary>Answers</summary>\nx\n</details>\n\n</details>\n";

    #[test]
    fn words_in_folded_parts_do_not_count() {
        assert_eq!(words_outside_details(LESSON), 5);
        let switched = LESSON.replace("# 1. T\n", "# 1. T\n\n**English** · [Tiếng Việt](vi/01-t.md)\n");
        assert_eq!(words_outside_details(&switched), 5);
        assert_eq!(deeper_part_problem(LESSON, DEEPER), None);
    }

    #[test]
    fn a_lesson_without_a_final_deeper_part_is_named() {
        assert!(deeper_part_problem("# T\n", DEEPER).is_some_and(|p| p.contains("0 `")));
        let after = format!("{LESSON}\n## More\n");
        assert!(deeper_part_problem(&after, DEEPER).is_some_and(|p| p.contains("text after")));
        let unclosed = "<details><summary>Deeper</summary>\n\nx\n";
        assert!(deeper_part_problem(unclosed, DEEPER).is_some_and(|p| p.contains("never closed")));
    }
}
