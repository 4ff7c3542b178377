//! The lessons as a beginner meets them, checked without running anything: each
//! opens with a short part (the idea, one run, one trace, one question) and folds the
//! expert's details into one "Deeper" part at the end; commands short enough to type,
//! no Python one-liners, no `$!`/`wait PID`/`kill` juggling in lessons 1–9
//! (programs stop by themselves: `--connections N`, `--count`); the article's Python
//! beside the Rust, verbatim; a glossary whose every term is where it says. The
//! Vietnamese edition (`lessons/vi/`) keeps the same shape, with its own word limit.

use std::path::{Path, PathBuf};

use lesson_check::editions::{DEEPER_VI, VI_DIR};
use lesson_check::{parse, prose};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Words a lesson may have outside its folded parts (about ten minutes' reading).
const WORDS: usize = 850;
/// The same for a Vietnamese lesson, counted the same way. Vietnamese writes one
/// syllable per space-separated token ("kết nối", *connection*, is two), so the same
/// text takes more tokens: lessons 1–5 translated run 1.07–1.17 times their English
/// outside <details> (prose alone 1.11–1.19; code and output count the same in both).
/// 1.3 × 850 keeps a faithful translation of a lesson at the English limit inside
/// it, with room for another translator's wordier style, and no more.
const WORDS_VI: usize = 1100;
/// The longest command a student types.
const COMMAND: usize = 100;

/// The English lessons, `(file, text)`.
fn lessons() -> Vec<(String, String)> {
    edition("lessons")
}

/// Both editions' lessons, `(path under lessons/, text, word limit, Deeper summary)`.
fn both_editions() -> Vec<(String, String, usize, &'static str)> {
    let en = lessons().into_iter().map(|(f, md)| (f, md, WORDS, prose::DEEPER));
    let vi = edition(&format!("lessons/{VI_DIR}"))
        .into_iter()
        .map(|(f, md)| (format!("{VI_DIR}/{f}"), md, WORDS_VI, DEEPER_VI));
    en.chain(vi).collect()
}

/// The numbered lessons in `dir` (relative to the repository), `(file, text)`.
fn edition(dir: &str) -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join(dir))
        .expect("lessons folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(repo().join(dir).join(&n)).expect("lesson readable");
            (n, text)
        })
        .collect()
}

fn number(file: &str) -> u32 {
    let name = file.rsplit('/').next().unwrap_or(file);
    name[..2].parse().expect("NN-name.md")
}

#[test]
fn every_lesson_is_short_outside_its_folded_parts() {
    let long: Vec<String> = both_editions()
        .iter()
        .map(|(f, md, limit, _)| (f, prose::words_outside_details(md), limit))
        .filter(|(_, n, limit)| n > limit)
        .map(|(f, n, limit)| format!("{f}: {n} words outside <details> (limit {limit})"))
        .collect();
    assert!(long.is_empty(), "\n{}", long.join("\n"));
}

#[test]
fn every_lesson_ends_with_one_deeper_part() {
    let bad: Vec<String> = both_editions()
        .iter()
        .filter_map(|(f, md, _, deeper)| Some(format!("{f}: {}", prose::deeper_part_problem(md, deeper)?)))
        .collect();
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[test]
fn no_typed_command_is_longer_than_a_line_a_student_types() {
    let long: Vec<String> = both_editions()
        .iter()
        .flat_map(|(f, md, _, _)| {
            let lesson = parse(md);
            let cmds: Vec<_> = lesson.blocks.into_iter().flat_map(|b| b.commands).collect();
            cmds.into_iter()
                .filter(|c| c.line.lines().any(|l| l.chars().count() > COMMAND))
                .map(move |c| format!("{f}:{}: {} characters: {}", c.at, c.line.chars().count(), c.line))
        })
        .collect();
    assert!(long.is_empty(), "\n{}", long.join("\n"));
}

#[test]
fn no_python_one_liners_and_no_job_juggling_in_lessons_1_to_9() {
    let mut bad = Vec::new();
    for (f, md, _, _) in both_editions() {
        for c in parse(&md).blocks.iter().flat_map(|b| &b.commands) {
            if c.line.contains("python3 -c") {
                bad.push(format!("{f}:{}: a Python one-liner (a named script instead): {}", c.at, c.line));
            }
            let juggles = c.line.contains("$!")
                || c.line.split([';', '&', '|']).any(|p| {
                    let p = p.trim();
                    // A bare `wait` (every background program stops by itself) is fine.
                    p.starts_with("wait ") || p.starts_with("kill ")
                });
            if number(&f) <= 9 && juggles {
                bad.push(format!(
                    "{f}:{}: `$!`/`wait`/`kill`: stop programs their own way: {}",
                    c.at, c.line
                ));
            }
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

/// The article's programs, verbatim: every line below each file's box is shown in
/// some lesson's Python excerpt (the excerpts themselves are checked line for line).
#[test]
fn every_line_of_the_articles_python_is_shown_beside_the_rust() {
    let dir = repo().join("scripts/python/article");
    let excerpts: Vec<_> = lessons().iter().flat_map(|(_, md)| parse(md).excerpts).collect();
    let mut missing = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("scripts/python/article").flatten().collect();
    files.sort_by_key(|e| e.file_name());
    for entry in files.iter().filter(|e| e.path().extension().is_some_and(|x| x == "py")) {
        let path = format!("scripts/python/article/{}", entry.file_name().to_string_lossy());
        let text = std::fs::read_to_string(entry.path()).expect("readable");
        let shown: Vec<&str> =
            excerpts.iter().filter(|e| e.path == path).flat_map(|e| &e.lines).map(|l| l.trim()).collect();
        let code = text.lines().filter(|l| !l.starts_with("# ---") && !l.trim().is_empty());
        let body: Vec<&str> = code.skip_while(|l| l.starts_with("# ") && !l.starts_with("# echo")).collect();
        for line in body.iter().map(|l| l.trim()).filter(|l| !shown.contains(l)) {
            missing.push(format!("{path}: `{line}` is in no lesson's excerpt"));
        }
        let rust_beside = parse_all_with(&path).iter().any(|f| {
            let md = std::fs::read_to_string(repo().join("lessons").join(f)).expect("lesson");
            parse(&md).excerpts.iter().any(|e| e.path.ends_with(".rs"))
        });
        assert!(rust_beside, "{path}: no lesson shows it beside a Rust listing");
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}

/// The lessons that show an excerpt of `path`.
fn parse_all_with(path: &str) -> Vec<String> {
    lessons()
        .into_iter()
        .filter(|(_, md)| parse(md).excerpts.iter().any(|e| e.path == path))
        .map(|(f, _)| f)
        .collect()
}

/// The article is credited where a reader starts: the README and lesson 2 give its
/// title, author, date and address, and the previous post on the OSI model.
#[test]
fn the_article_is_linked_from_the_readme_and_lesson_2() {
    for file in ["README.md", "lessons/02-the-map.md", "lessons/vi/02-the-map.md"] {
        let text = std::fs::read_to_string(repo().join(file)).expect("readable");
        for needle in [
            "Computer Network (P4) - How To Create A TCP Client - Server in Python",
            "https://nhatthanh020996.github.io/socket-programming-p4/",
            "https://nhatthanh020996.github.io/socket-programing-p3/",
            "2023-11-14",
            "Admin",
        ] {
            assert!(text.contains(needle), "{file} does not give {needle:?}");
        }
    }
}

/// Whether `text` holds `term` as a word of its own (case ignored).
fn mentions(text: &str, term: &str) -> bool {
    let (text, term) = (text.to_lowercase(), term.to_lowercase());
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(&term)
        .any(|(i, _)| !word(text[..i].chars().last()) && !word(text[i + term.len()..].chars().next()))
}

/// `lessons/glossary.md`: a line per term, `- **TERM**: one sentence. ([N](NN-….md))`;
/// the lesson it names is the first one that mentions the term.
#[test]
fn every_glossary_term_first_appears_in_the_lesson_it_names() {
    let glossary = std::fs::read_to_string(repo().join("lessons/glossary.md")).expect("lessons/glossary.md");
    let summary = std::fs::read_to_string(repo().join("lessons/SUMMARY.md")).expect("SUMMARY.md");
    assert!(summary.contains("(glossary.md)"), "SUMMARY.md does not list the glossary");
    let lessons = lessons();
    let mut terms = 0;
    let mut bad = Vec::new();
    for line in glossary.lines().filter(|l| l.starts_with("- **")) {
        terms += 1;
        let term = line[4..].split("**").next().unwrap_or_default();
        let file = line.rsplit("](").next().and_then(|r| r.strip_suffix(".md))")).map(|f| format!("{f}.md"));
        let first = lessons.iter().find(|(_, md)| mentions(md, term)).map(|(f, _)| f.clone());
        match (file, first) {
            (Some(f), Some(first)) if f == first => {}
            (f, first) => bad.push(format!("{term}: the glossary says {f:?}, first mentioned in {first:?}")),
        }
        let sentences = line.matches(". ").count() + usize::from(line.contains(".)"));
        if sentences > 2 {
            bad.push(format!("{term}: more than one sentence"));
        }
    }
    assert!(terms >= 20, "only {terms} glossary terms");
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}
