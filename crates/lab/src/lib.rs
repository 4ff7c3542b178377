//! Drives `scripts/lab.sh` from tests: one lab per run, a bash script run inside it,
//! its folder of captures and logs kept for the test, every run bounded in time.
//!
//! [`Lab::run`] starts the lab with impairment flags; [`fields`] asks tshark for
//! chosen fields of a capture, frame by frame — the oracle the tests compare with.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// How one lab run ended, and where its files are.
pub struct Run {
    /// The lab's `$LAB_DIR`: captures and logs the script wrote.
    dir: tempfile::TempDir,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Wall time of the whole run, lab set-up and tear-down included.
    pub elapsed: Duration,
}

impl Run {
    /// A file the script wrote into `$LAB_DIR`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A file's text ("" when missing, so the assertion shows what was there).
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }
}

/// Options for one run of the lab.
#[derive(Default)]
pub struct Lab {
    flags: Vec<String>,
    /// Run the lab as the unprivileged user `nobody` (via setpriv), as a student would.
    as_nobody: bool,
}

impl Lab {
    /// A lab with these impairment flags (e.g. `["--loss", "10"]`).
    pub fn with(flags: &[&str]) -> Lab {
        Lab { flags: flags.iter().map(|f| f.to_string()).collect(), as_nobody: false }
    }

    /// The same lab, started by the user `nobody` (no root, no sudo).
    pub fn as_nobody(mut self) -> Lab {
        self.as_nobody = true;
        self
    }

    /// Runs `script` (bash, `set -euo pipefail`) inside the lab, killing it after `timeout`.
    pub fn run(&self, script: &str, timeout: Duration) -> Result<Run> {
        // The binaries the lab puts on PATH; harness::bin builds them if missing.
        let client = harness::bin("client");
        for name in ["server-basic", "server-threads", "osi-trace"] {
            harness::bin(name);
        }
        let bin_dir = client.parent().context("the client binary has no folder")?;
        let dir = tempfile::Builder::new().prefix("lab-test.").tempdir()?;
        if self.as_nobody {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))?;
        }
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]).arg(lab_sh());
            c
        } else {
            Command::new(lab_sh())
        };
        cmd.env("KIT_BIN_DIR", bin_dir).arg("--out").arg(dir.path()).args(&self.flags);
        cmd.args(["--", "bash", "-c", &format!("set -euo pipefail\n{script}")]);
        let started = Instant::now();
        let out = harness::run(cmd, b"", timeout)?;
        Ok(Run {
            dir,
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        })
    }
}

/// `scripts/lab.sh` of this workspace.
pub fn lab_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/lab.sh")
}

/// The frames of `pcap` matching the display `filter`, each as the values of
/// `fields` (tshark -T fields), in capture order. A field that occurs twice (the
/// outer and the quoted IP header of an ICMP error) gives its first, outer value.
pub fn fields(pcap: &Path, filter: &str, fields: &[&str]) -> Result<Vec<Vec<String>>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(pcap).args([
        "-Y",
        filter,
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-E",
        "occurrence=f",
    ]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = harness::run(cmd, b"", Duration::from_secs(60))?;
    if !out.status.success() {
        bail!("tshark on {}: {}", pcap.display(), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect())
}

/// The script fragment most tests share: a server on the server host (READY
/// awaited), both links captured. `server` is the kit program, `host` its bind address.
pub fn serve_and_capture(server: &str, host: &str) -> String {
    format!(
        "on server {server} --host {host} --color never >\"$LAB_DIR/server.log\" 2>&1 &\n\
         wait-ready \"$LAB_DIR/server.log\"\n\
         capture start link1 \"$LAB_DIR/link1.pcap\"\n\
         capture start link2 \"$LAB_DIR/link2.pcap\"\n"
    )
}
