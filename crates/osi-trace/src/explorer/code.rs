//! The kit's programs' sources, embedded when osi-trace is built, and where
//! each socket call is in them. The rule is plain so that a test can hold it:
//! a call's lines are those (not comments) that contain one of its patterns,
//! in the first file of the program's listing that has any.

use crate::render::call::Call;

use super::closes;
use super::records::{CodeRecord, ListingRecord};

/// A program of the kit: its name, the end it plays, its files (main first).
pub struct Program {
    pub name: &'static str,
    pub side: &'static str,
    pub files: &'static [(&'static str, &'static str)],
}

macro_rules! listing {
    ($path:literal) => {
        ($path, include_str!(concat!("../../../../", $path)))
    };
}

/// Every program whose listing the code pane can show.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "client",
        side: "client",
        files: &[listing!("crates/client/src/main.rs"), listing!("crates/client/src/conn.rs")],
    },
    Program { name: "server-basic", side: "server", files: &[listing!("crates/server-basic/src/main.rs")] },
    Program { name: "server-loop", side: "server", files: &[listing!("crates/server-loop/src/main.rs")] },
    Program {
        name: "server-threads",
        side: "server",
        files: &[listing!("crates/server-threads/src/main.rs")],
    },
    Program { name: "server-select", side: "server", files: &[listing!("crates/server-select/src/main.rs")] },
    Program { name: "server-epoll", side: "server", files: &[listing!("crates/server-epoll/src/main.rs")] },
    Program { name: "server-tokio", side: "server", files: &[listing!("crates/server-tokio/src/main.rs")] },
];

/// The calls the code pane looks for, the kind of each site (`close` has two:
/// dropping the socket, [`closes::CLOSED`], and shutdown(SHUT_WR), [`closes::SHUT_WR`]),
/// and what a line making it contains (socket2's and tokio's method names).
pub const PATTERNS: &[(Call, Option<&str>, &[&str])] = &[
    (Call::Connect, None, &[".connect(", ".connect_timeout("]),
    (Call::Listen, None, &[".listen("]),
    (Call::Send, None, &[".sendall(", ".send(", ".send_with_flags(", ".write_all("]),
    (Call::Recv, None, &[".recv_into(", ".recv(", ".read("]),
    (Call::Close, Some(closes::CLOSED), &["drop(conn", "drop(c.sock", "drop(sock", "drop(stream"]),
    (Call::Close, Some(closes::SHUT_WR), &[".shutdown("]),
];

pub fn program(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

/// The lines (1-based) of `text` that make `call`: not comments, holding a pattern.
pub fn lines_of(text: &str, call: Call) -> Vec<usize> {
    let mut lines: Vec<usize> =
        PATTERNS.iter().filter(|(c, ..)| *c == call).flat_map(|(_, _, p)| lines_with(text, p)).collect();
    lines.sort_unstable();
    lines
}

/// The lines (1-based) of `text`, not comments, that hold one of `patterns`.
fn lines_with(text: &str, patterns: &[&str]) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| patterns.iter().any(|p| l.contains(p)))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Where a program makes `call`: in the first of its files that does.
pub fn find(p: &Program, call: Call) -> Option<CodeRecord> {
    p.files.iter().find_map(|(file, text)| {
        let lines = lines_of(text, call);
        (!lines.is_empty()).then(|| CodeRecord {
            call: call.name().into(),
            file: (*file).into(),
            how: None,
            lines,
            program: p.name.into(),
        })
    })
}

/// Where a program makes each kind of `call` (one record per kind it has), in the
/// first of its files that makes the call: for `close`, its close() lines first,
/// then its shutdown(SHUT_WR) lines.
pub fn sites(p: &Program, call: Call) -> Vec<CodeRecord> {
    let Some((file, text)) = p.files.iter().find(|(_, text)| !lines_of(text, call).is_empty()) else {
        return Vec::new();
    };
    PATTERNS
        .iter()
        .filter(|(c, ..)| *c == call)
        .filter_map(|(_, how, patterns)| {
            let lines = lines_with(text, patterns);
            (!lines.is_empty()).then(|| CodeRecord {
                call: call.name().into(),
                file: (*file).into(),
                how: how.map(String::from),
                lines,
                program: p.name.into(),
            })
        })
        .collect()
}

/// The listings and call sites of the programs named (unknown names have none).
pub fn for_programs(names: &[String]) -> (Vec<ListingRecord>, Vec<CodeRecord>) {
    let (mut listings, mut code) = (Vec::new(), Vec::new());
    for p in names.iter().filter_map(|n| program(n)) {
        for (file, text) in p.files {
            listings.push(ListingRecord {
                file: (*file).into(),
                program: p.name.into(),
                side: p.side.into(),
                text: (*text).into(),
            });
        }
        for call in [Call::Connect, Call::Listen, Call::Send, Call::Recv, Call::Close] {
            code.extend(sites(p, call));
        }
    }
    (listings, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calls each program's segments can be traced to: when a listing
    /// changes so that one of them can no longer be found, this fails.
    #[test]
    fn every_program_makes_its_calls_where_the_rule_finds_them() {
        for p in PROGRAMS {
            let calls: &[Call] = if p.side == "client" {
                &[Call::Connect, Call::Send, Call::Recv, Call::Close]
            } else {
                &[Call::Listen, Call::Send, Call::Recv, Call::Close]
            };
            for &c in calls {
                let found = find(p, c).unwrap_or_else(|| panic!("{}: no line makes {}()", p.name, c.name()));
                assert!(!found.lines.is_empty());
            }
        }
    }

    #[test]
    fn the_client_connects_in_its_main() {
        let client = program("client").expect("client");
        let c = find(client, Call::Connect).expect("connect");
        assert_eq!(c.file, "crates/client/src/main.rs");
        let text = client.files[0].1;
        let line = text.lines().nth(c.lines[0] - 1).expect("line");
        assert!(line.contains("sock.connect_timeout("), "{line}");
        // shutdown(SHUT_WR) with --half-close, and drop (close) at the end: both send a FIN,
        // two sites of two kinds, close() first.
        let close = find(client, Call::Close).expect("close");
        assert_eq!(close.lines.len(), 2, "{close:?}");
        let sites = sites(client, Call::Close);
        let kinds: Vec<_> = sites.iter().map(|s| s.how.as_deref().unwrap_or("")).collect();
        assert_eq!(kinds, ["close", "shutdown"]);
        let line = |s: &CodeRecord| text.lines().nth(s.lines[0] - 1).expect("line").to_string();
        assert!(line(&sites[0]).contains("drop(conn)"), "{}", line(&sites[0]));
        assert!(line(&sites[1]).contains(".shutdown("), "{}", line(&sites[1]));
    }

    #[test]
    fn comments_are_not_calls() {
        assert_eq!(lines_of("// sock.connect(addr)\nsock.connect(addr)?;\n", Call::Connect), vec![2]);
        assert!(lines_of("let x = 1;", Call::Send).is_empty());
    }
}
