//! What the lesson and demo tests share: the repository, and the kit's programs
//! built (all of them, fresh) before a lesson calls them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The kit's programs a lesson or the demo may call.
pub const PROGRAMS: [&str; 9] = [
    "server-basic",
    "server-loop",
    "server-threads",
    "server-select",
    "server-epoll",
    "server-tokio",
    "client",
    "osi-trace",
    "lesson-check",
];

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folder holding every program of [`PROGRAMS`], built now in the test's own
/// profile: `cargo test -p lesson-check` alone builds no binary of other packages,
/// and a stale one would check the lessons against old output. Built once per run.
pub fn bin_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = harness::bin(PROGRAMS[0]).parent().map(Path::to_path_buf).expect("target/<profile>");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.arg("build").arg("--quiet").current_dir(repo());
        for p in PROGRAMS {
            build.args(["--bin", p]);
        }
        if dir.file_name().is_some_and(|p| p == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build of the kit's programs failed");
        for p in PROGRAMS {
            assert!(dir.join(p).exists(), "{p} was not built into {}", dir.display());
        }
        dir
    })
    .clone()
}
