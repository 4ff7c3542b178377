//! tshark as the oracle: the fields of every frame of a capture, one row per
//! frame, tab-separated (tshark joins repeated values of one field with commas).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Result};

/// `tshark -r PCAP -T fields -e F… -E separator=/t`: its stdout.
pub fn fields(pcap: &Path, fields: &[String]) -> Result<String> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap).args(["-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    cmd.args(["-E", "separator=/t"]);
    let out = crate::run(cmd, b"", Duration::from_secs(120))?;
    ensure!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
