//! The results folder of a class: `grades.csv` and one report per student,
//! written whole or not at all. They are written into a fresh folder beside the
//! one asked for, then renamed into place; an existing folder is never written
//! over unless the teacher says `--force`, and then only one that holds an
//! earlier `grades.csv` (never, say, the submissions or a home folder).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::words::errors::{self, ResultsStep as Step};

/// The CSV's name in the results folder.
pub const CSV: &str = "grades.csv";

/// Whether `out` may be written: it does not exist, or, with `force`, it holds an
/// earlier grading (then `Ok(true)`); and its folder takes a new folder (the one
/// [`write`] fills), tried for real, not guessed from permission bits (root, ACLs,
/// a read-only mount). Asked before the class is graded, and again when the results
/// are written.
pub fn check(out: &Path, force: bool) -> Result<bool> {
    let earlier = may_replace(out, force)?;
    let probe = beside(out, "new")?;
    if let Err(e) = std::fs::create_dir(&probe) {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        bail!(errors::cannot_write_in(&kit::escape_path(parent), &kit::escape_path(out), &e.to_string()));
    }
    let _ = std::fs::remove_dir(&probe);
    Ok(earlier)
}

/// [`check`] without the trial: `out` is absent, or (with `force`) holds an earlier grading.
fn may_replace(out: &Path, force: bool) -> Result<bool> {
    let shown = kit::escape_path(out);
    match std::fs::symlink_metadata(out) {
        Ok(meta) if !force => bail!(errors::results_exist(&shown, meta.is_dir())),
        Ok(meta) => {
            if !meta.is_dir() || !out.join(CSV).is_file() {
                bail!(errors::no_earlier_results(&shown, CSV));
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                bail!(errors::no_parent(&kit::escape_path(parent), &shown));
            }
            Ok(false)
        }
        Err(e) => Err(e).with_context(|| errors::results_failed(Step::Look, &shown)),
    }
}

/// Files to write, by name, into the folder `out` (see [`check`]).
pub fn write(out: &Path, force: bool, files: &[(String, String)]) -> Result<()> {
    let shown = kit::escape_path(out);
    let earlier = check(out, force)?;
    let fresh = beside(out, "new")?;
    std::fs::create_dir(&fresh).with_context(|| errors::results_failed(Step::CreateBeside, &shown))?;
    let written = (|| -> Result<()> {
        for (name, text) in files {
            let path = fresh.join(name);
            std::fs::write(&path, text)
                .with_context(|| errors::results_failed(Step::Write, &kit::escape_path(&path)))?;
        }
        if earlier {
            let old = beside(out, "old")?;
            std::fs::rename(out, &old).with_context(|| errors::results_failed(Step::MoveAside, &shown))?;
            std::fs::rename(&fresh, out).with_context(|| errors::results_failed(Step::Rename, &shown))?;
            std::fs::remove_dir_all(&old)
                .with_context(|| errors::results_failed(Step::Remove, &kit::escape_path(&old)))?;
        } else {
            std::fs::rename(&fresh, out).with_context(|| errors::results_failed(Step::Rename, &shown))?;
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&fresh);
    }
    written
}

/// A hidden folder name beside `out`, for this process: `.NAME.new-PID`.
fn beside(out: &Path, what: &str) -> Result<PathBuf> {
    let name =
        out.file_name().with_context(|| errors::results_failed(Step::NoName, &kit::escape_path(out)))?;
    let mut hidden = std::ffi::OsString::from(".");
    hidden.push(name);
    hidden.push(format!(".{what}-{}", std::process::id()));
    Ok(out.with_file_name(hidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(csv: &str) -> Vec<(String, String)> {
        vec![(CSV.to_string(), csv.to_string()), ("alice.txt".to_string(), "report".to_string())]
    }

    #[test]
    fn an_existing_folder_is_replaced_only_with_force_and_only_if_it_holds_results() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("grades");
        write(&out, false, &files("first")).expect("a new folder");
        assert_eq!(std::fs::read_to_string(out.join(CSV)).expect("csv"), "first");
        let again = write(&out, false, &files("second")).expect_err("exists");
        assert!(again.to_string().ends_with("already exists (folder): not written over"), "{again}");
        assert_eq!(std::fs::read_to_string(out.join(CSV)).expect("csv"), "first");
        write(&out, true, &files("second")).expect("--force");
        assert_eq!(std::fs::read_to_string(out.join(CSV)).expect("csv"), "second");
        // A folder that holds something else is never replaced.
        let other = dir.path().join("submissions");
        std::fs::create_dir(&other).expect("mkdir");
        std::fs::write(other.join("alice.pcap"), "x").expect("write");
        let refused = write(&other, true, &files("third")).expect_err("not results");
        assert!(refused.to_string().contains("holds no earlier grades.csv"), "{refused}");
        assert!(other.join("alice.pcap").is_file());
        // Nothing is left beside them.
        let left: Vec<_> =
            std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn a_folder_that_cannot_be_written_leaves_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("grades");
        let bad = vec![("no/such/dir.txt".to_string(), String::new())];
        assert!(write(&out, false, &bad).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }
}
