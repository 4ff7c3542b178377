//! The language of a lesson's shell: the English edition runs as the test runner's
//! terminal does (`C.UTF-8`), the Vietnamese one as a Vietnamese student's terminal
//! (`LANG=vi_VN.UTF-8`, with that locale really there, compiled by `localedef`).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use anyhow::{bail, Context, Result};

/// The locale a Vietnamese student's terminal has.
pub const VIETNAMESE: &str = "vi_VN.UTF-8";

/// Which edition's student types the lesson, and so the locale of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language {
    /// `LANG=C.UTF-8`, built into glibc: the same on every machine.
    English,
    /// `LANG=vi_VN.UTF-8`; `locales` is a folder holding that locale compiled
    /// ([`compile_vietnamese_locale`]), so that the session has it whether or not the
    /// machine has generated it (bash and coreutils then speak Vietnamese, and
    /// `printf` wants a decimal comma, as on the student's machine).
    Vietnamese { locales: PathBuf },
}

impl Language {
    /// Sets the session's locale variables; every other `LC_*` and `LANGUAGE` of the
    /// test runner is removed, so that only `LANG` decides.
    pub(crate) fn apply(&self, bash: &mut Process) {
        for (var, _) in std::env::vars_os() {
            let name = var.to_string_lossy();
            if name.starts_with("LC_") || name == "LANGUAGE" || name == "LOCPATH" {
                bash.env_remove(&var);
            }
        }
        match self {
            Language::English => bash.env("LANG", "C.UTF-8"),
            // Nothing but LANG, as on the student's machine: osi-trace (which reads
            // LC_ALL, LC_MESSAGES, LANG as gettext does) explains in Vietnamese, and
            // the Vietnamese pages show its Vietnamese words; the servers and the
            // client narrate in English whatever the locale.
            Language::Vietnamese { locales } => bash.env("LANG", VIETNAMESE).env("LOCPATH", locales),
        };
    }
}

/// Compiles `vi_VN.UTF-8` into `dir` (once: an earlier compilation is kept) and returns
/// `dir`, to be given as [`Language::Vietnamese`]'s `locales`. It writes nothing outside
/// `dir`; it needs `localedef` and glibc's locale sources (Debian: `locales`).
pub fn compile_vietnamese_locale(dir: &Path) -> Result<PathBuf> {
    let target = dir.join(VIETNAMESE);
    if target.join("LC_CTYPE").exists() {
        return Ok(dir.to_path_buf());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    // Compiled beside it, then renamed: a test process running at the same time never
    // sees half a locale.
    let partial = dir.join(format!("{VIETNAMESE}.partial-{}", std::process::id()));
    let out = Process::new("localedef")
        .args(["-i", "vi_VN", "-f", "UTF-8"])
        .arg(&partial)
        .output()
        .context("run localedef (Debian: apt-get install locales)")?;
    // localedef exits 1 on mere warnings; the compiled LC_CTYPE says whether it worked.
    if !partial.join("LC_CTYPE").exists() {
        let _ = std::fs::remove_dir_all(&partial);
        bail!(
            "localedef could not compile {VIETNAMESE}: {}; hint: install glibc's locale sources (Debian: apt-get install locales)",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    if std::fs::rename(&partial, &target).is_err() {
        // Another process compiled it first; its copy is as good.
        let _ = std::fs::remove_dir_all(&partial);
    }
    Ok(dir.to_path_buf())
}
