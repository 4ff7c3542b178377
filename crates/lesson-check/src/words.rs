//! What lesson-check says to a student or a teacher, in English or in Vietnamese
//! ([`kit::Lang`]: `--lang`, else the first of `LC_ALL`, `LC_MESSAGES`, `LANG`, as
//! osi-trace chooses): every phrase is one function holding both languages side by
//! side, so neither can be written without the other, and `tests/lang.rs` renders each
//! one in Vietnamese and fails on English words left in it. The questions and their
//! reasons live beside their readers, in [`crate::exercises`], also in both languages.
//! What the student types (keys, answers such as `client` or `none`), file names,
//! numbers and the CSV's columns are the same in both.

pub mod errors;
pub mod marks;
pub mod report;

/// Whether lesson-check speaks Vietnamese now.
fn vi() -> bool {
    kit::lang::vi()
}

/// `en` or `vi`, as the language is.
fn pick(en: String, vi: String) -> String {
    if self::vi() {
        vi
    } else {
        en
    }
}
