//! A terminal of a given size for a test: a program runs in a tmux pane of W×H
//! cells, the test types keys into it and reads the screen as a student sees it,
//! and every tmux process of the test ends when the [`Screen`] is dropped.
//!
//! Each screen has a tmux server of its own (`tmux -L NAME`, a socket named for
//! the test process), started without the user's configuration.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::wait;

/// A tmux pane running one command, of a fixed size.
#[derive(Debug)]
pub struct Screen {
    socket: String,
    pub width: usize,
    pub height: usize,
}

impl Screen {
    /// Starts `command` (a shell command line) in a new pane of `width`×`height`, with
    /// `env` in its environment. When the command ends the pane stays, so the test can
    /// still read its last screen.
    pub fn start(width: usize, height: usize, command: &str, env: &[(&str, &str)]) -> Result<Screen> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!("kit-test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let screen = Screen { socket, width, height };
        let mut new = screen.tmux();
        new.args(["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string());
        for (k, v) in env {
            new.arg("-e").arg(format!("{k}={v}"));
        }
        new.arg(command);
        screen.ok(new, "new-session")?;
        screen.ok(Self::set(&screen, "remain-on-exit"), "set remain-on-exit")?;
        Ok(screen)
    }

    fn set(&self, option: &str) -> Command {
        let mut c = self.tmux();
        c.args(["set-option", "-t", "t", option, "on"]);
        c
    }

    /// A tmux command addressed to this screen's own server.
    pub fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn ok(&self, mut cmd: Command, what: &str) -> Result<String> {
        let out = cmd.output().with_context(|| format!("tmux {what}"))?;
        if !out.status.success() {
            bail!("tmux {what}: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// What the pane `target` (e.g. `t`, or `t:0.1`) shows now, one string per row.
    pub fn text_of(&self, target: &str) -> Result<String> {
        let mut c = self.tmux();
        c.args(["capture-pane", "-p", "-t", target]);
        self.ok(c, "capture-pane")
    }

    /// What the screen shows now, one string per row.
    pub fn text(&self) -> Result<String> {
        self.text_of("t")
    }

    /// Everything the pane printed so far (its history too), each line as the program
    /// wrote it: a line the terminal wrapped comes back whole (`capture-pane -J`), so
    /// one longer than the width is a line that did not fit.
    pub fn history(&self) -> Result<String> {
        let mut c = self.tmux();
        c.args(["capture-pane", "-p", "-J", "-S", "-", "-t", "t"]);
        self.ok(c, "capture-pane")
    }

    /// [`Screen::history`] with the colours the pane shows, as escape sequences
    /// (`capture-pane -e`; tmux writes an xterm 256-colour value as `38;5;N`, a basic
    /// colour as 30–37 or 90–97).
    pub fn history_in_colour(&self) -> Result<String> {
        let mut c = self.tmux();
        c.args(["capture-pane", "-p", "-e", "-J", "-S", "-", "-t", "t"]);
        self.ok(c, "capture-pane")
    }

    /// Types `keys` (tmux key names: `Enter`, `c`, `C-c`) into the pane `target`.
    pub fn keys_to(&self, target: &str, keys: &[&str]) -> Result<()> {
        let mut c = self.tmux();
        c.args(["send-keys", "-t", target]).args(keys);
        self.ok(c, "send-keys").map(drop)
    }

    /// Types `keys` into the screen's pane.
    pub fn keys(&self, keys: &[&str]) -> Result<()> {
        self.keys_to("t", keys)
    }

    /// Waits until the screen shows `text` (at most `timeout`); returns the screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Result<String> {
        self.wait_until(&format!("{text:?} on the screen"), timeout, |screen| screen.contains(text))
    }

    /// Waits until `ready` holds for what the screen shows (at most `timeout`), named
    /// `what` in the error, which shows the last screen; returns the screen.
    pub fn wait_until(&self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> Result<String> {
        let mut last = String::new();
        let found = wait::until(what, timeout, || {
            last = self.text()?;
            Ok(ready(&last))
        });
        match found {
            Ok(()) => Ok(last),
            Err(e) => bail!("{e}; the screen:\n{last}"),
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let mut c = self.tmux();
        c.arg("kill-server");
        let _ = c.output();
    }
}

/// The lines of `text` wider than `width` columns (characters, as a terminal counts
/// these: one column each), with their widths.
pub fn too_wide(text: &str, width: usize) -> Vec<(usize, String)> {
    text.lines().map(|l| (l.trim_end().chars().count(), l.to_string())).filter(|(n, _)| *n > width).collect()
}
