//! The book's two editions cannot drift apart: every English page (lessons, glossary,
//! README) has its Vietnamese page in `lessons/vi/` and back; each pair has the same
//! headings, code and console blocks (commands and outputs), markers and `<details>`
//! parts in the same order, and the language switch under its title; the glossaries
//! define the same terms for the same lessons; the book's summary lists every page.
//! The checks are shown to fail on a doctored copy of a real pair.

use std::path::{Path, PathBuf};

use lesson_check::editions::{self, VI_DIR};

fn lessons() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every pair's drift, for the pages both editions have in `dir`.
fn all_drift(dir: &Path) -> Vec<String> {
    let vi = editions::pages(&dir.join(VI_DIR));
    editions::pages(dir)
        .iter()
        .filter(|f| vi.contains(f))
        .flat_map(|f| editions::drift(f, &read(&dir.join(f)), &read(&dir.join(VI_DIR).join(f))))
        .collect()
}

/// Fails, naming each one, while a Vietnamese page is missing (lessons 6–17 come
/// from the other translators' branches).
#[test]
fn both_editions_have_the_same_pages() {
    let unmatched = editions::unmatched_pages(&lessons());
    assert!(unmatched.is_empty(), "\n{}", unmatched.join("\n"));
}

#[test]
fn every_translated_page_keeps_the_english_pages_sections_blocks_and_details() {
    let drift = all_drift(&lessons());
    assert!(drift.is_empty(), "\n{}", drift.join("\n"));
}

/// Every English page offers the Vietnamese one, translated yet or not.
#[test]
fn every_english_page_links_to_its_vietnamese_page() {
    let mut bad = Vec::new();
    for f in editions::pages(&lessons()) {
        let switch = editions::english_switch(&f);
        let page = read(&lessons().join(&f));
        let lines: Vec<&str> = page.lines().take(4).collect();
        if !matches!(lines[..], [t, "", s, ""] if t.starts_with("# ") && s == switch) {
            bad.push(format!("lessons/{f}: no `{switch}` under its title"));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[test]
fn both_glossaries_define_the_same_terms_for_the_same_lessons() {
    let en = editions::glossary_terms(&read(&lessons().join("glossary.md")));
    let vi = editions::glossary_terms(&read(&lessons().join(VI_DIR).join("glossary.md")));
    assert!(en.len() >= 20, "{en:?}");
    assert_eq!(vi, en, "lessons/vi/glossary.md and lessons/glossary.md differ in terms or lessons");
    // Each Vietnamese line gives the Vietnamese term after the English one: `- **T** (…): …`.
    let glossary = read(&lessons().join(VI_DIR).join("glossary.md"));
    let bare: Vec<&str> = glossary.lines().filter(|l| l.starts_with("- **") && !l.contains("** (")).collect();
    assert!(bare.is_empty(), "terms without their Vietnamese form:\n{}", bare.join("\n"));
}

/// The book's summary and each edition's introduction list every page of both editions.
#[test]
fn the_book_lists_every_page_of_both_editions() {
    let summary = read(&lessons().join("SUMMARY.md"));
    let (_, vi_part) = summary.split_once("# Tiếng Việt").expect("SUMMARY.md has a `# Tiếng Việt` part");
    let vi_intro = read(&lessons().join(VI_DIR).join("README.md"));
    let mut bad = Vec::new();
    for f in editions::pages(&lessons()) {
        if !vi_part.contains(&format!("({VI_DIR}/{f})")) {
            bad.push(format!("SUMMARY.md's Tiếng Việt part does not list {VI_DIR}/{f}"));
        }
        if f.as_bytes()[0].is_ascii_digit() && !vi_intro.contains(&format!("({f})")) {
            bad.push(format!("lessons/vi/README.md does not list {f}"));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

/// Every relative link and image of a Vietnamese page leads to a file that exists
/// (files outside lessons/vi need `../`); Vietnamese pages not yet translated are left
/// to `both_editions_have_the_same_pages`.
#[test]
fn every_link_of_a_vietnamese_page_leads_somewhere() {
    let dir = lessons().join(VI_DIR);
    let english = editions::pages(&lessons());
    let mut bad = Vec::new();
    for f in editions::pages(&dir) {
        let page = read(&dir.join(&f));
        for target in page.split("](").skip(1).filter_map(|r| r.split(')').next()) {
            let path = target.split('#').next().unwrap_or_default();
            if path.is_empty() || path.contains("://") || path.contains(' ') {
                continue;
            }
            let untranslated = !path.contains('/') && english.iter().any(|e| e == path);
            if !dir.join(path).exists() && !untranslated {
                bad.push(format!("lessons/vi/{f}: ({target}) leads nowhere"));
            }
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

/// The checks fail on drift: a real pair, doctored one way at a time in a copy.
#[test]
fn drift_in_a_doctored_copy_is_caught() {
    let file = "03-echo-and-handshake.md";
    let en = read(&lessons().join(file));
    let vi = read(&lessons().join(VI_DIR).join(file));
    assert_eq!(editions::drift(file, &en, &vi), Vec::<String>::new(), "the real pair drifts already");
    let doctored = [
        ("a changed command", vi.replacen("$ client\n", "$ client --quiet\n", 1)),
        ("a changed output", vi.replacen("Received \"Hello\"", "Received \"Hallo\"", 1)),
        ("a dropped heading", vi.replacen("\n## ", "\n", 1)),
        ("a heading one level down", vi.replacen("\n## ", "\n### ", 1)),
        ("an excerpt with a space more", vi.replacen("import socket\n", "import socket \n", 1)),
        ("a moved marker", vi.replacen("<!-- source: crates/server-basic/src/main.rs -->\n", "", 1)),
        ("no language switch", vi.replacen(&editions::vietnamese_switch(file), "", 1)),
        ("no Deeper part", vi.replacen("<details><summary>Đi sâu hơn</summary>", "", 1)),
    ];
    for (what, page) in &doctored {
        assert_ne!(page, &vi, "{what}: the doctoring changed nothing");
        let drift = editions::drift(file, &en, page);
        assert!(!drift.is_empty(), "{what} was not caught");
    }
    // A page missing on either side is named, in a copy of the book.
    let copy = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(copy.path().join(VI_DIR)).expect("mkdir");
    std::fs::write(copy.path().join(file), &en).expect("write");
    std::fs::write(copy.path().join(VI_DIR).join("99-extra.md"), &vi).expect("write");
    assert_eq!(
        editions::unmatched_pages(copy.path()),
        [
            format!("lessons/vi/{file} is missing: the Vietnamese of lessons/{file}"),
            "lessons/vi/99-extra.md has no English page lessons/99-extra.md".to_string(),
        ]
    );
}

/// The repository's README leads a Vietnamese reader, without English prose, from its
/// top to every Vietnamese lesson: a link under its title to its `## Tiếng Việt`
/// section, which has the two commands and the lesson map, each lesson linked in lessons/vi.
#[test]
fn the_readme_leads_a_vietnamese_reader_to_every_vietnamese_lesson() {
    let readme = read(&lessons().join("../README.md"));
    let top: Vec<&str> = readme.lines().take(3).collect();
    assert!(
        top[2].starts_with("**English** · [Tiếng Việt](#tiếng-việt)"),
        "README.md's line 3: {:?}",
        top[2]
    );
    let (_, section) =
        readme.split_once("\n## Tiếng Việt\n").expect("README.md has a `## Tiếng Việt` section");
    let section = section.split("\n## ").next().unwrap_or_default();
    for needle in ["### Hai lệnh", "scripts/demo.sh", "scripts/test.sh", "### Bản đồ"] {
        assert!(section.contains(needle), "README.md's Tiếng Việt section lacks {needle:?}");
    }
    let missing: Vec<String> = editions::pages(&lessons())
        .into_iter()
        .filter(|f| f.as_bytes()[0].is_ascii_digit())
        .filter(|f| !section.contains(&format!("(lessons/{VI_DIR}/{f})")))
        .collect();
    assert!(missing.is_empty(), "README.md's Tiếng Việt section does not link {missing:?}");
}
