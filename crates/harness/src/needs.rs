//! What a test needs from the machine, and what happens when it is missing.
//!
//! A test that needs capture rights, a tool such as tshark, network namespaces
//! or a high fd limit asks `harness::require!(Need::Netns, Need::Tool("tshark"))`
//! first, which names the test it is written in by itself ([`test_name!`]), so
//! that a skip or a failure says which test it was. Where the needs are met it runs.
//! Where it is not, the test is *reported as not run*, never silently passed:
//! a `SKIPPED` line goes to stderr and, when `OSI_KIT_SKIP_LOG` names a file,
//! a line is appended to it (`scripts/test.sh` prints that list at the end).
//!
//! CI declares what it provides in `OSI_KIT_PROVIDES`, a comma-separated list
//! of need names (`capture,netns,tshark,…`). A test whose need is declared
//! there and still missing fails instead of skipping: CI cannot hide a skip.

use std::io::Write;
use std::process::{Command, Stdio};

/// Something a test needs that not every machine has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// CAP_NET_RAW, to open packet sockets (root, or the capability).
    Capture,
    /// Unprivileged user and network namespaces (`unshare --user --net`), or root.
    Netns,
    /// An IPv6 address on `lo`.
    Ipv6,
    /// A hard limit on open files of at least this many.
    FdLimit(u64),
    /// A command on PATH, e.g. `Tool("tshark")`, or `Tool("tmux")` for a test of what a
    /// terminal of a given size shows (see `tmux::Screen`).
    Tool(&'static str),
    /// Root, able to run a program as the unprivileged user `nobody`.
    Unprivileged,
    /// Headless Chromium and its WebDriver, chromedriver (Debian's `chromium`, `chromium-driver`).
    Browser,
}

impl Need {
    /// The name CI lists in `OSI_KIT_PROVIDES`.
    pub fn name(self) -> String {
        match self {
            Need::Capture => "capture".into(),
            Need::Netns => "netns".into(),
            Need::Ipv6 => "ipv6".into(),
            Need::FdLimit(_) => "fd-limit".into(),
            Need::Tool(t) => t.into(),
            Need::Unprivileged => "unprivileged-user".into(),
            Need::Browser => "chromium".into(),
        }
    }

    /// Whether the machine meets the need; the reason when it does not.
    pub fn check(self) -> Result<(), String> {
        match self {
            Need::Capture if crate::can_capture() => Ok(()),
            Need::Capture => Err("no CAP_NET_RAW (run as root, as CI does)".into()),
            Need::Netns => netns(),
            Need::Ipv6 => match std::net::TcpListener::bind("[::1]:0") {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("no IPv6 on lo: {e}")),
            },
            Need::FdLimit(n) => match hard_fd_limit() {
                Some(hard) if hard >= n => Ok(()),
                Some(hard) => Err(format!("the fd hard limit is {hard}, below {n}")),
                None => Err("cannot read the fd limit".into()),
            },
            Need::Tool(t) if on_path(t) => Ok(()),
            Need::Tool(t) => Err(format!("{t} is not installed (scripts/test.sh installs it as root)")),
            Need::Unprivileged if !crate::can_capture() => Err("not root: cannot switch to nobody".into()),
            Need::Unprivileged if on_path("setpriv") => Ok(()),
            Need::Unprivileged => Err("setpriv is not installed".into()),
            Need::Browser => match ["chromium", "chromedriver"].into_iter().find(|t| !on_path(t)) {
                None => Ok(()),
                Some(t) => Err(format!(
                    "{t} is not installed (scripts/test.sh installs chromium and chromium-driver as root)"
                )),
            },
        }
    }
}

/// The name of the test this is written in: its package, then its path as `cargo
/// test` lists it (`osi-trace: pcap::tests::reads_the_file`, or `lab: reruns_go_to_a_fresh_folder`
/// in an integration test), which `cargo test -p PACKAGE PATH` runs again. Taken from
/// the type name of a function declared in place; closures around it are left out.
#[macro_export]
macro_rules! test_name {
    () => {{
        fn __harness_test_name() {}
        $crate::test_path(::std::env!("CARGO_PKG_NAME"), ::std::any::type_name_of_val(&__harness_test_name))
    }};
}

/// Whether the test this is written in can run: every need given is met, asked
/// in order (the first one missing is the one reported). Named by [`test_name!`].
///
/// ```ignore
/// if !harness::require!(Need::Netns, Need::Tool("tshark")) {
///     return;
/// }
/// ```
#[macro_export]
macro_rules! require {
    ($($need:expr),+ $(,)?) => {
        $crate::require_all(&$crate::test_name!(), &[$($need),+])
    };
}

/// Like [`require!`], for a condition the test checks itself: `name` is the need's
/// name in `OSI_KIT_PROVIDES`, `outcome` the result of the check.
#[macro_export]
macro_rules! require_that {
    ($name:expr, $outcome:expr $(,)?) => {
        $crate::require_that(&$crate::test_name!(), $name, $outcome)
    };
}

/// `package: path`, the path from the type name of [`test_name!`]'s function without
/// the crate (the test file's), the enclosing closures and the function's own name.
pub fn test_path(package: &str, type_name: &str) -> String {
    let mut path = type_name.strip_suffix("::__harness_test_name").unwrap_or(type_name);
    while let Some(outer) = path.strip_suffix("::{{closure}}") {
        path = outer;
    }
    let path = path.split_once("::").map_or(path, |(_, in_crate)| in_crate);
    format!("{package}: {path}")
}

/// Whether `test` can run: every one of `needs` met, in order; the first missing is
/// reported as [`require`] does.
pub fn require_all(test: &str, needs: &[Need]) -> bool {
    needs.iter().all(|need| require(test, *need))
}

/// Whether `test` can run: true when `need` is met. Otherwise the skip is
/// reported (stderr and the skip log) and false comes back — unless CI
/// declared the need in `OSI_KIT_PROVIDES`, in which case this panics.
pub fn require(test: &str, need: Need) -> bool {
    match need.check() {
        Ok(()) => true,
        Err(why) => not_run(test, &need.name(), &why),
    }
}

/// Like [`require`], for a condition the test checks itself: `name` is the
/// need's name in `OSI_KIT_PROVIDES`, `outcome` the result of the check.
pub fn require_that(test: &str, name: &str, outcome: Result<(), String>) -> bool {
    match outcome {
        Ok(()) => true,
        Err(why) => not_run(test, name, &why),
    }
}

fn not_run(test: &str, name: &str, why: &str) -> bool {
    if declared(name) {
        panic!("{test}: CI declares `{name}` in OSI_KIT_PROVIDES, but: {why}");
    }
    eprintln!("SKIPPED {test}: {why}");
    if let Some(log) = std::env::var_os("OSI_KIT_SKIP_LOG") {
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = writeln!(f, "{test}: {why}");
        }
    }
    false
}

/// Whether CI listed `name` (or `all`) in `OSI_KIT_PROVIDES`.
pub fn declared(name: &str) -> bool {
    std::env::var("OSI_KIT_PROVIDES")
        .is_ok_and(|list| list.split(',').map(str::trim).any(|n| n == name || n == "all"))
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v '{tool}'")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn hard_fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(4)?.parse().ok()
}

/// `unshare` into new user (unless root), network and PID namespaces, and bring `lo` up there.
fn netns() -> Result<(), String> {
    let mut cmd = Command::new("unshare");
    if !crate::can_capture() {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--net", "--pid", "--fork", "--kill-child", "ip", "link", "set", "lo", "up"]);
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "cannot create network namespaces here: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run unshare (util-linux): {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_ci_lists() {
        assert_eq!(Need::Tool("tshark").name(), "tshark");
        assert_eq!(Need::Tool("tmux").name(), "tmux");
        assert_eq!(Need::FdLimit(2300).name(), "fd-limit");
        assert_eq!(Need::Capture.name(), "capture");
        assert_eq!(Need::Browser.name(), "chromium");
    }

    #[test]
    fn a_test_names_itself() {
        assert_eq!(test_name!(), "harness: needs::tests::a_test_names_itself");
        let in_closure = || test_name!();
        assert_eq!(in_closure(), "harness: needs::tests::a_test_names_itself");
        assert_eq!(test_path("kit", "kit::outer::inner::__harness_test_name"), "kit: outer::inner");
        let nested = "files::reads::{{closure}}::{{closure}}::__harness_test_name";
        assert_eq!(test_path("osi-trace", nested), "osi-trace: reads");
    }

    #[test]
    fn a_missing_tool_is_a_reason_not_a_pass() {
        let why = Need::Tool("no-such-tool-anywhere").check().unwrap_err();
        assert!(why.contains("no-such-tool-anywhere is not installed"), "{why}");
    }
}
