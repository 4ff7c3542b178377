//! Keeps the lessons from rotting. A lesson is Markdown; its ```` ```console ````
//! blocks are a shell session (`$ command`, then the output it prints), and its
//! ```` ```rust ```` blocks marked `<!-- source: PATH -->` are excerpts of the kit's code
//! (```` ```python ```` ones, of the article's code in `scripts/python/article/`).
//! This crate parses both, runs the session for real and says what no longer matches.
//!
//! The rules a lesson follows (also in `lessons/README.md`):
//! - Every `$ ` line is run, in order, by one `bash` in a fresh network namespace,
//!   so the article's port 65432 is free and a capture on `lo` sees only the lesson;
//!   in a student's environment: `COLUMNS` unset (an interactive bash does not
//!   export it), and once more exported as 80 — the lesson must read the same.
//! - The lines below a command are *key lines* of its output (stdout and stderr):
//!   they must appear in that order; lines in between may be left out (`...` says so
//!   to the reader). `[..]` in a line stands for text that varies: ports, times.
//! - A command exits 0, unless its shown output contains `error:`: then it must fail.
//! - A command run in the background (`… > FILE &`) is waited for until FILE
//!   holds its `READY` line, as a student waits before typing the next command —
//!   unless the line ends in `# no READY line` (the article's own programs print none).
//! - `cargo` commands are not run again (the test suite has just built the kit).
//! - A code excerpt quotes its file line for line, in order, with its indentation
//!   (shifted left as a whole at most); lines it leaves out are marked `// …`, and
//!   its braces balance ([`excerpt`]); a Python excerpt marks holes `# …`.
//! - A lesson is a beginner's part, then one folded `<details><summary>Deeper</summary>`
//!   at the end; the words outside `<details>` stay under a limit ([`prose`]).
//! - A lesson stops every program it starts: what is still running after its last
//!   command is a failure (lessons also run one after another in one session).
//!
//! The binary, `lesson-check answers LESSON PCAP [ANSWERS]`, marks a student's answers
//! to a lesson's exercise ([`exercises`]) from a capture ([`answers`]), reading
//! `osi-trace --json` row by row in bounded memory, into osi-trace's own record types
//! (`osi_trace::json::Record`, the schema version checked) ([`capture`]); it exits 0 when every
//! answer is right, 1 when one is not, 2 on input it cannot use. `lesson-check grade
//! LESSON FOLDER --out RESULTS` does it for a class ([`class`], [`grade`]): a CSV and a
//! report per student ([`report`]), written whole or not at all ([`results`]). The test
//! suite runs it on the reference captures in `lessons/captures/`, against the
//! reference answers in `crates/lesson-check/answers/`. Its marks, reports and errors
//! speak English or Vietnamese as osi-trace does (`--lang`, else `LC_ALL`,
//! `LC_MESSAGES`, `LANG`): [`words`].
//!
//! `LESSON_CHECK_BLESS=1 cargo test -p lesson-check` rewrites the shown lines that no
//! longer match from the real run (see [`bless`]); review the diff before committing.

pub mod answers;
mod bless;
pub mod capture;
pub mod class;
mod csv;
pub mod editions;
pub mod excerpt;
pub mod exercises;
pub mod grade;
pub mod language;
mod matching;
mod parse;
pub mod prose;
pub mod report;
pub mod results;
mod session;
pub mod words;

pub use bless::{bless, bless_lines, Blessed};
pub use language::{compile_vietnamese_locale, Language};
pub use matching::{line_matches, missing_lines};
pub use parse::{parse, Block, Command, Excerpt, Lesson};
pub use session::{run_lesson, run_lessons, Columns, Outcome};
