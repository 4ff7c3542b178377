//! Reading a lesson: its console blocks (commands and their shown output) and
//! its source excerpts.

/// One command of a console block and the output the lesson shows for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command line, continuation lines (`\` at the end) joined.
    pub line: String,
    /// The output lines the lesson shows below it.
    pub expected: Vec<String>,
    /// Line number (1-based) in the lesson of each of `expected`, for rewriting them.
    pub expected_at: Vec<usize>,
    /// Line number of the `$` in the lesson, for messages.
    pub at: usize,
}

/// A ```` ```console ```` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub commands: Vec<Command>,
}

/// A ```` ```rust ```` or ```` ```python ```` block preceded by `<!-- source: PATH -->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// Path of the source file, relative to the repository root.
    pub path: String,
    /// The excerpt's lines.
    pub lines: Vec<String>,
    /// Line number of the opening fence, for messages.
    pub at: usize,
}

/// What the checker reads from one lesson file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lesson {
    pub blocks: Vec<Block>,
    pub excerpts: Vec<Excerpt>,
}

/// Parses a lesson's Markdown.
pub fn parse(markdown: &str) -> Lesson {
    let mut lesson = Lesson::default();
    let mut lines = markdown.lines().enumerate().peekable();
    let mut source: Option<String> = None;
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim();
        if let Some(path) = trimmed.strip_prefix("<!-- source:").and_then(|rest| rest.strip_suffix("-->")) {
            source = Some(path.trim().to_string());
            continue;
        }
        let Some(info) = trimmed.strip_prefix("```") else {
            if !trimmed.is_empty() {
                source = None;
            }
            continue;
        };
        let body: Vec<(usize, &str)> = lines.by_ref().take_while(|(_, l)| l.trim() != "```").collect();
        match info.split_whitespace().next() {
            Some("console") => lesson.blocks.push(console_block(&body)),
            // The kit's Rust, and the article's Python (scripts/python/article/) beside it.
            Some("rust" | "python") => {
                if let Some(path) = source.take() {
                    lesson.excerpts.push(Excerpt {
                        path,
                        lines: body.iter().map(|(_, l)| l.to_string()).collect(),
                        at: n + 1,
                    });
                }
            }
            _ => {}
        }
        source = None;
    }
    lesson
}

fn console_block(body: &[(usize, &str)]) -> Block {
    let mut commands: Vec<Command> = Vec::new();
    let mut continued = false;
    for &(n, line) in body {
        if continued {
            if let Some(cmd) = commands.last_mut() {
                cmd.line.push('\n');
                cmd.line.push_str(line);
            }
            continued = line.ends_with('\\');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            commands.push(Command {
                line: cmd.to_string(),
                expected: Vec::new(),
                expected_at: Vec::new(),
                at: n + 1,
            });
            continued = line.ends_with('\\');
        } else if let Some(cmd) = commands.last_mut() {
            if !line.trim().is_empty() {
                cmd.expected.push(line.trim_end().to_string());
                cmd.expected_at.push(n + 1);
            }
        }
    }
    Block { commands }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "# Title\n\nText.\n\n```console\n$ server-basic > server.log &\n$ client --message Hi\n[L7] send 2 bytes \"Hi\"\n\nReceived \"Hi\"\n$ echo a \\\n  b\na b\n```\n\n<!-- source: crates/client/src/main.rs -->\n```rust\nlet x = 1;\n```\n\n```rust\nnot checked\n```\n";

    #[test]
    fn commands_carry_their_shown_output() {
        let lesson = parse(LESSON);
        assert_eq!(lesson.blocks.len(), 1);
        let cmds = &lesson.blocks[0].commands;
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0].line, "server-basic > server.log &");
        assert!(cmds[0].expected.is_empty());
        assert_eq!(cmds[1].expected, ["[L7] send 2 bytes \"Hi\"", "Received \"Hi\""]);
        assert_eq!(cmds[1].at, 7);
        assert_eq!(cmds[1].expected_at, [8, 10]);
        assert_eq!(cmds[2].line, "echo a \\\n  b");
        assert_eq!(cmds[2].expected, ["a b"]);
    }

    #[test]
    fn python_excerpts_and_commands_inside_details_are_read() {
        let md = "<details><summary>Deeper</summary>\n\n<!-- source: scripts/python/article/echo_client.py -->\n```python\nimport socket\n```\n\n```console\n$ echo deep\ndeep\n```\n\n</details>\n";
        let lesson = parse(md);
        assert_eq!(lesson.excerpts.len(), 1);
        assert_eq!(lesson.excerpts[0].lines, ["import socket"]);
        assert_eq!(lesson.blocks.len(), 1);
        assert_eq!(lesson.blocks[0].commands[0].expected, ["deep"]);
    }

    #[test]
    fn only_marked_rust_blocks_are_excerpts() {
        let lesson = parse(LESSON);
        assert_eq!(lesson.excerpts.len(), 1);
        assert_eq!(lesson.excerpts[0].path, "crates/client/src/main.rs");
        assert_eq!(lesson.excerpts[0].lines, ["let x = 1;"]);
    }
}
