//! The kit's programs' sources, embedded when osi-trace is built, and where
//! each socket call is in them. The rule is plain so that a test can hold it:
//! a call's lines are those (not comments) that contain one of its patterns,
//! in the first file of the program's listing that has any.

use crate::render::call::Call;

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

/// The calls the code pane looks for, and what a line making each contains
/// (socket2's and tokio's method names; close is dropping the socket, or shutdown).
pub const PATTERNS: &[(Call, &[&str])] = &[
    (Call::Connect, &[".connect(", ".connect_timeout("]),
    (Call::Listen, &[".listen("]),
    (Call::Send, &[".sendall(", ".send(", ".send_with_flags(", ".write_all("]),
    (Call::Recv, &[".recv_into(", ".recv(", ".read("]),
    (Call::Close, &["drop(conn", "drop(c.sock", "drop(sock", "drop(stream", ".shutdown("]),
];

pub fn program(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

/// The lines (1-based) of `text` that make `call`: not comments, holding a pattern.
pub fn lines_of(text: &str, call: Call) -> Vec<usize> {
    let patterns = PATTERNS.iter().find(|(c, _)| *c == call).map_or(&[][..], |(_, p)| p);
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
            lines,
            program: p.name.into(),
        })
    })
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
        code.extend(PATTERNS.iter().filter_map(|(call, _)| find(p, *call)));
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
        // shutdown(SHUT_WR) with --half-close, and drop (close) at the end: both send a FIN.
        let close = find(client, Call::Close).expect("close");
        assert_eq!(close.lines.len(), 2, "{close:?}");
    }

    #[test]
    fn comments_are_not_calls() {
        assert_eq!(lines_of("// sock.connect(addr)\nsock.connect(addr)?;\n", Call::Connect), vec![2]);
        assert!(lines_of("let x = 1;", Call::Send).is_empty());
    }
}
