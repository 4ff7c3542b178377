//! One-line errors: every error a user can cause ends the program with a
//! single line `PROGRAM: error: WHAT; hint: WHAT TO DO` and a non-zero exit,
//! never a panic or a backtrace; a bad flag is clap's message. Both show what
//! the user typed with its control characters escaped: never raw to the terminal.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;

/// An error that carries its own hint for the user.
#[derive(Debug)]
pub struct Hinted {
    message: String,
    hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {}

/// Builds an error with an explicit hint: `return Err(hinted("no server", "start one").into())`.
pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> Hinted {
    Hinted { message: message.into(), hint: hint.into() }
}

/// Runs `body` and turns its error into one line on stderr and exit code 1.
/// Narration still queued is written first (waiting 2 s at most). When the
/// error is stdout's reader gone ([`crate::PipeOut`]), or a `println!` found it
/// gone ([`crate::quiet_on_broken_pipe`]), the program ends quietly, by SIGPIPE,
/// as tcpdump and grep do.
pub fn run(program: &str, body: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    crate::pipe::quiet_on_broken_pipe();
    let result = body();
    crate::stdout::drain(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if crate::pipe::reader_gone(&err) => crate::pipe::die_of_sigpipe(),
        Err(err) => {
            eprintln!("{}", error_line(program, &err));
            ExitCode::FAILURE
        }
    }
}

/// One warning line for stderr, `PROGRAM: warning: NOTE` (`cảnh báo` in
/// Vietnamese): something odd the program goes on after.
pub fn warning_line(program: &str, note: &str) -> String {
    let warning = if crate::lang::vi() { "cảnh báo" } else { "warning" };
    escape_controls(&format!("{program}: {warning}: {note}"))
}

/// The error line: the context chain joined by `: `, then the hint, if one is
/// known. Every error goes through here, so here no control character (an ESC
/// sequence in a file name, a value or a peer's message) passes raw.
pub fn error_line(program: &str, err: &anyhow::Error) -> String {
    let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
    // Vietnamese (`--lang vi`, `LANG=vi…`): the same line with its two labels translated.
    let (error, hint_label) = if crate::lang::vi() { ("lỗi", "gợi ý") } else { ("error", "hint") };
    let mut line = format!("{program}: {error}: {}", chain.join(": "));
    if let Some(hint) = hint_for(err) {
        line.push_str("; ");
        line.push_str(hint_label);
        line.push_str(": ");
        line.push_str(&hint);
    }
    escape_controls(&line)
}

/// `text` as it is, but each control character (C0 with newline and ESC, DEL,
/// C1) and each bidirectional override or isolate escaped as [`crate::escape_all`]
/// escapes it. Text already escaped (a quoted path) is left as it is.
pub fn escape_controls(text: &str) -> String {
    let hostile = crate::payload::hostile;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hostile(c) {
            out.push_str(&crate::escape_all(c.encode_utf8(&mut [0u8; 4]).as_bytes()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses the command line into `T`, as clap's `T::parse()` does, except that
/// a bad flag's message shows the values typed with their control characters
/// escaped: clap writes them raw to a terminal (an ESC sequence in a value
/// would retitle or clear it). `--help` and `--version` are clap's own.
pub fn parse_args<T: clap::Parser>() -> T {
    // --help wrapped at the terminal's width, at most 80 columns (a pipe or a file gets
    // 80): a projector's 80×24 or a student's narrow window shows no line wrapped mid-word.
    let command = T::command().max_term_width(80);
    match command.try_get_matches().and_then(|m| T::from_arg_matches(&m)) {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            // Rendered without colour, line by line: clap's message is a few lines.
            let text = e.render().to_string();
            let lines: Vec<String> = text.lines().map(escape_controls).collect();
            eprintln!("{}", lines.join("\n"));
            std::process::exit(e.exit_code());
        }
    }
}

fn hint_for(err: &anyhow::Error) -> Option<String> {
    for cause in err.chain() {
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            return Some(h.hint.clone());
        }
    }
    let kind = err.chain().find_map(|cause| cause.downcast_ref::<io::Error>())?.kind();
    if crate::lang::vi() {
        return io_hint_vi(kind, err);
    }
    let hint = match kind {
        io::ErrorKind::AddrInUse => {
            "another socket holds that port: a server still running, or connections of an earlier \
             one in TIME_WAIT (on Linux SO_REUSEADDR gets past those only if the old sockets set it \
             too); stop it, wait a minute, or pick another port with --port (0 picks a free one)"
        }
        // Only bind() to a low port is refused this way; a file's permission error has its own words.
        io::ErrorKind::PermissionDenied if err.chain().any(|c| c.to_string().starts_with("bind ")) => {
            "ports below 1024 need root or CAP_NET_BIND_SERVICE; use a port of 1024 or more"
        }
        io::ErrorKind::AddrNotAvailable => {
            "that address is not one of this machine's; try --host 127.0.0.1 or --host ::1"
        }
        io::ErrorKind::ConnectionRefused => {
            // The program's name as the lessons type it (the kit's binaries on PATH, or
            // KIT_BIN_DIR's), not a cargo command a student with prebuilt binaries cannot run.
            let port = refused_port(err);
            return Some(format!(
                "no server listens there (the kernel answered the SYN with RST); start one first, \
                 e.g. `server-basic --port {port}`"
            ));
        }
        io::ErrorKind::TimedOut => "nothing answered in time; check --host and --port",
        _ => return None,
    };
    Some(hint.to_string())
}

/// The port the client was given, read back from its `connect to ADDR` context.
fn refused_port(err: &anyhow::Error) -> u16 {
    err.chain()
        .find_map(|c| c.to_string().strip_prefix("connect to ")?.parse::<SocketAddr>().ok())
        .map_or(65432, |addr| addr.port())
}

/// The Vietnamese of [`hint_for`]'s hints by kind, sentence for sentence.
fn io_hint_vi(kind: io::ErrorKind, err: &anyhow::Error) -> Option<String> {
    Some(
        match kind {
            io::ErrorKind::AddrInUse => {
                "một socket khác đang giữ port đó: một server vẫn đang chạy, hoặc các kết nối của một server \
             trước đang ở TIME_WAIT (trên Linux SO_REUSEADDR chỉ vượt qua được chúng nếu các socket cũ cũng \
             đặt nó); hãy dừng nó, chờ một phút, hoặc chọn port khác với --port (0 chọn một port trống)"
            }
            io::ErrorKind::PermissionDenied if err.chain().any(|c| c.to_string().starts_with("bind ")) => {
                "port dưới 1024 cần root hoặc CAP_NET_BIND_SERVICE; hãy dùng port từ 1024 trở lên"
            }
            io::ErrorKind::AddrNotAvailable => {
                "địa chỉ đó không phải của máy này; thử --host 127.0.0.1 hoặc --host ::1"
            }
            io::ErrorKind::ConnectionRefused => {
                return Some(format!(
                    "không server nào lắng nghe ở đó (kernel trả lời SYN bằng RST); hãy chạy một server \
                 trước, ví dụ `server-basic --port {}`",
                    refused_port(err)
                ));
            }
            io::ErrorKind::TimedOut => "không gì trả lời kịp; hãy kiểm tra --host và --port",
            _ => return None,
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn io_errors_get_a_hint_by_kind() {
        let err = Err::<(), _>(io::Error::from(io::ErrorKind::AddrInUse))
            .context("bind 127.0.0.1:65432")
            .unwrap_err();
        let line = error_line("server-basic", &err);
        assert!(line.starts_with("server-basic: error: bind 127.0.0.1:65432: "), "{line}");
        assert!(line.contains("; hint: another socket holds that port"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn the_refused_hint_names_the_port_the_client_was_given() {
        let refused = |addr: &str| {
            let err = Err::<(), _>(io::Error::from(io::ErrorKind::ConnectionRefused))
                .context(format!("connect to {addr}"))
                .unwrap_err();
            error_line("client", &err)
        };
        // The program as the lessons type it (`server-basic --port N`), never a cargo command:
        // a student with prebuilt binaries (KIT_BIN_DIR) has no cargo.
        let line = refused("127.0.0.1:9000");
        assert!(line.ends_with("e.g. `server-basic --port 9000`"), "{line}");
        let line = refused("[::1]:65432");
        assert!(line.ends_with("e.g. `server-basic --port 65432`"), "{line}");
        let err = Err::<(), _>(io::Error::from(io::ErrorKind::ConnectionRefused))
            .context("connect to 127.0.0.1:9000")
            .unwrap_err();
        let vi = io_hint_vi(io::ErrorKind::ConnectionRefused, &err).unwrap_or_default();
        assert!(vi.ends_with("ví dụ `server-basic --port 9000`"), "{vi}");
    }

    #[test]
    fn explicit_hints_win() {
        let err = anyhow::Error::new(hinted("no capture permission", "run as root"));
        assert_eq!(
            error_line("osi-trace", &err),
            "osi-trace: error: no capture permission; hint: run as root"
        );
    }

    #[test]
    fn the_low_port_hint_is_for_bind_only() {
        let denied = || Err::<(), _>(io::Error::from(io::ErrorKind::PermissionDenied));
        let bind = denied().context("bind 127.0.0.1:80").unwrap_err();
        assert!(error_line("s", &bind).contains("ports below 1024"));
        let file = denied().context("reading \"x.bin\"").unwrap_err();
        assert!(!error_line("c", &file).contains("port"), "{}", error_line("c", &file));
    }

    #[test]
    fn control_characters_never_reach_the_terminal_raw() {
        let err = anyhow::anyhow!("time_wait = \x1b]0;pwned\x07\x1b[2J\u{9b}1m\x7f\u{202e}x\nnext")
            .context("line 3 of \"answers.txt\" → 2");
        let line = error_line("lesson-check", &err);
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        assert!(line.contains(r"time_wait = \x1b]0;pwned\x07\x1b[2J"), "{line}");
        assert!(line.contains(r"x\nnext") && !line.contains('\u{202e}'), "{line}");
        // What is already escaped, quotes and non-ASCII text stay as they are.
        assert!(line.starts_with("lesson-check: error: line 3 of \"answers.txt\" → 2: "), "{line}");
        let path = crate::escape_path(std::path::Path::new("a\x1bb"));
        assert_eq!(escape_controls(&path), path);
    }

    #[test]
    fn unknown_errors_have_no_hint() {
        let err = anyhow::anyhow!("something odd");
        assert_eq!(error_line("x", &err), "x: error: something odd");
    }
}
