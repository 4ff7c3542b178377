//! Every program's and every script's `--help` fits an 80-column terminal (a projector's
//! 80×24): no line wider than 80 characters, whether the terminal says its width in
//! COLUMNS or not, and into a pipe (clap wraps at the terminal's width, at most 80).

mod common;

use std::process::Command;

use common::{bin_dir, repo, PROGRAMS};

/// The lines of `text` wider than 80 columns (one column a character, as here all are).
fn too_wide(text: &str) -> Vec<String> {
    text.lines().filter(|l| l.chars().count() > 80).map(String::from).collect()
}

fn help_of(mut cmd: Command, what: &str) -> String {
    let out = cmd.arg("--help").output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what} --help: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_programs_help_fits_80_columns() {
    for program in PROGRAMS {
        for columns in [None, Some("200")] {
            let mut cmd = Command::new(bin_dir().join(program));
            match columns {
                None => cmd.env_remove("COLUMNS"),
                Some(c) => cmd.env("COLUMNS", c),
            };
            let help = help_of(cmd, program);
            assert!(too_wide(&help).is_empty(), "{program} (COLUMNS={columns:?}): {:#?}", too_wide(&help));
        }
    }
    // A subcommand's help too.
    for (program, sub) in [("lesson-check", "grade"), ("lesson-check", "answers")] {
        let mut cmd = Command::new(bin_dir().join(program));
        cmd.arg(sub).env_remove("COLUMNS");
        let help = help_of(cmd, &format!("{program} {sub}"));
        assert!(too_wide(&help).is_empty(), "{program} {sub}: {:#?}", too_wide(&help));
    }
}

/// demo.sh's, the projector's script, fits (every script is checked by
/// `every_scripts_help_fits_80_columns`), and its help is more than a line or two.
#[test]
fn the_demos_help_fits_80_columns() {
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/demo.sh")).env_remove("COLUMNS");
    let help = help_of(cmd, "demo.sh");
    assert!(help.lines().count() > 10 && too_wide(&help).is_empty(), "{:#?}", too_wide(&help));
}

#[test]
fn every_scripts_help_fits_80_columns() {
    let mut scripts: Vec<_> = std::fs::read_dir(repo().join("scripts"))
        .expect("scripts/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh") && !p.ends_with("lib.sh"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 8, "{scripts:?}");
    let mut wide = Vec::new();
    for script in &scripts {
        let mut cmd = Command::new("bash");
        cmd.arg(script).env_remove("COLUMNS");
        let help = help_of(cmd, &script.display().to_string());
        assert!(help.lines().count() > 2, "{}: {help}", script.display());
        wide.extend(too_wide(&help).into_iter().map(|l| format!("{}: {l}", script.display())));
    }
    assert!(wide.is_empty(), "{wide:#?}");
}
