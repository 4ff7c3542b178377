//! A class's submissions: one folder, each student's files named after the
//! student — `NAME.pcap` (or `.pcapng`) for the capture, `NAME.answers` (or
//! `NAME.answers.txt`, as Notepad saves it) for the answers. A name is whatever
//! the file system allows; it is data, never trusted to be printable.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::words::errors;

/// The most students one folder may hold: a folder of a million files given by
/// mistake is refused, not listed into memory.
pub const MAX_STUDENTS: usize = 10_000;

/// One student's files, as found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Submission {
    /// The file names' common part, as bytes.
    pub name: OsString,
    /// Every capture handed in (more than one is a problem the report says).
    pub captures: Vec<PathBuf>,
    /// Every answers file handed in.
    pub answers: Vec<PathBuf>,
}

impl Submission {
    /// The name as the CSV, a report and the terminal show it: as it is (`O"Brien`),
    /// but control characters, bidirectional overrides and bytes that are not UTF-8
    /// escaped (`\x1b`, [`kit::escape_name`]).
    pub fn shown(&self) -> String {
        kit::escape_name(self.name.as_bytes())
    }
}

/// A folder of submissions, read.
#[derive(Debug, Default)]
pub struct Class {
    /// By name, in byte order.
    pub students: Vec<Submission>,
    /// Entries that are no submission: other files, folders, hidden files.
    pub ignored: usize,
}

/// What a file name says: whose it is and what it holds.
fn classify(file: &OsStr) -> Option<(OsString, bool)> {
    let bytes = file.as_bytes();
    // Hidden files are an editor's or an archive's (`.DS_Store`, macOS's `._NAME.pcap`).
    if bytes.first() == Some(&b'.') {
        return None;
    }
    let lower = bytes.to_ascii_lowercase();
    for (ending, capture) in
        [(&b".answers.txt"[..], false), (b".answers", false), (b".pcapng", true), (b".pcap", true)]
    {
        if lower.ends_with(ending) && bytes.len() > ending.len() {
            return Some((OsString::from_vec(bytes[..bytes.len() - ending.len()].to_vec()), capture));
        }
    }
    None
}

/// Reads the folder `dir`: its files only (not its subfolders), grouped by student.
pub fn read_class(dir: &Path) -> Result<Class> {
    let shown = kit::escape_path(dir);
    let entries = std::fs::read_dir(dir).with_context(|| errors::cannot_read_folder(&shown))?;
    let mut by_name: BTreeMap<Vec<u8>, Submission> = BTreeMap::new();
    let mut ignored = 0;
    for entry in entries {
        let entry = entry.with_context(|| errors::cannot_read_folder(&shown))?;
        let Some((name, capture)) = classify(&entry.file_name()) else {
            ignored += 1;
            continue;
        };
        if !by_name.contains_key(name.as_bytes()) && by_name.len() == MAX_STUDENTS {
            bail!(errors::too_many_students(&shown, MAX_STUDENTS));
        }
        let student = by_name
            .entry(name.as_bytes().to_vec())
            .or_insert_with(|| Submission { name, ..Submission::default() });
        let files = if capture { &mut student.captures } else { &mut student.answers };
        files.push(entry.path());
    }
    let mut students: Vec<Submission> = by_name.into_values().collect();
    for s in &mut students {
        s.captures.sort();
        s.answers.sort();
    }
    Ok(Class { students, ignored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_says_whose_it_is_and_what_it_holds() {
        let c = |s: &str| classify(OsStr::new(s)).map(|(n, cap)| (n.into_string().expect("utf-8"), cap));
        assert_eq!(c("alice.pcap"), Some(("alice".into(), true)));
        assert_eq!(c("alice.PCAPNG"), Some(("alice".into(), true)));
        assert_eq!(c("alice.answers"), Some(("alice".into(), false)));
        assert_eq!(c("Nguyễn Văn An.answers.txt"), Some(("Nguyễn Văn An".into(), false)));
        assert_eq!(c("a.b.pcap"), Some(("a.b".into(), true)));
        for none in [".pcap", "._alice.pcap", ".hidden.answers", "alice.txt", "alice", "notes.md"] {
            assert_eq!(c(none), None, "{none}");
        }
        let raw = OsStr::from_bytes(b"\x1b[2J\xff.pcap");
        assert_eq!(classify(raw).map(|(n, _)| n.into_vec()), Some(b"\x1b[2J\xff".to_vec()));
    }

    #[test]
    fn a_name_is_shown_escaped() {
        let s = Submission {
            name: OsString::from_vec(b"\x1b]0;x\x07\xff\xe2\x80\xae".to_vec()),
            ..Default::default()
        };
        assert_eq!(s.shown(), r"\x1b]0;x\x07\xff\xe2\x80\xae");
    }
}
