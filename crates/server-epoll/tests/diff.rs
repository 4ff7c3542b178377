//! server-epoll is server-select with another readiness mechanism, as the Rust
//! Book's listings grow by one idea: every function that does not wait or
//! watch is byte-identical in the two, and `diff` of the two sources stays
//! within a bound. Lesson 13 shows that diff.

use harness::listing;

/// The most changed lines `diff -u` may show between server-select and server-epoll
/// (150, plus server-select's `--connections N`, which lessons 5–9 stop it with).
const MAX_SELECT_TO_EPOLL: usize = 175;

#[test]
fn shared_functions_are_byte_identical_in_select_and_epoll() -> anyhow::Result<()> {
    listing::same_blocks(
        &["server-select", "server-epoll"],
        &[
            (
                "setup block",
                // Its body: server-select's signature also takes --connections.
                "    let say = Narrator::new(&args.output);",
                r#"    server.set_nonblocking(true).context("fcntl(O_NONBLOCK)")?;"#,
            ),
            ("limits", "/// Echo bytes waiting for a client", "const NARRATE: u32 = 6;"),
            ("struct Client", "/// One connected client.", "    active: Instant,"),
            ("idle timeout", "        // Slowloris:", "        }"),
            ("fn close", "/// close(), narrated from", "}"),
            ("fn read_from", "/// The client is readable", "}"),
            ("fn write_to", "/// The client is writable", "}"),
            ("fn broken", "/// A client that reset or vanished", "}"),
        ],
    )
}

/// The lesson's claim, kept true: server-epoll is server-select with another
/// readiness mechanism. `diff -u` of the two sources changes at most this many lines.
#[test]
fn differs_from_server_select_only_in_the_readiness_mechanism() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("diff")) {
        return Ok(());
    }
    let changed = listing::changed_lines("server-select", "server-epoll")?;
    let n = changed.len();
    assert!(
        n <= MAX_SELECT_TO_EPOLL,
        "{n} changed lines (bound {MAX_SELECT_TO_EPOLL}):\n{}",
        changed.join("\n")
    );
    for line in &changed {
        let l = line.to_lowercase();
        assert!(!l.contains("thread::spawn") && !l.contains("async"), "not the readiness mechanism: {line}");
    }
    Ok(())
}
