//! The three blocking servers are one listing that grows, as the Rust Book's
//! listings do: the setup block, `fn accept` and `fn echo` are byte-identical
//! in all three, and `diff server-loop server-threads` shows only the idea (a
//! thread per client) in at most 19 changed lines. Lesson 7 shows that diff.

use harness::listing;

/// The most changed lines `diff -u` may show between server-loop and server-threads
/// (19 before `--connections`: the threads' server now joins its client threads).
const MAX_LOOP_TO_THREADS: usize = 29;
/// The same for server-basic → server-loop (one client → a loop of clients, and
/// `--connections N` to end the loop: 21 lines before that flag).
const MAX_BASIC_TO_LOOP: usize = 32;

#[test]
fn setup_block_fn_accept_and_fn_echo_are_byte_identical_in_the_three_servers() -> anyhow::Result<()> {
    listing::same_blocks(
        &["server-basic", "server-loop", "server-threads"],
        &[
            (
                "setup block", // Its body: the signature grows with a server's own flags (--connections, --idle-timeout).
                "    let say = Narrator::new(&args.output);",
                "    say.ready(bound);",
            ),
            ("fn accept", "/// accept(), until it returns a connection.", "}"),
            ("fn echo", "/// The article's `with conn:` block", "}"),
        ],
    )
}

#[test]
fn loop_to_threads_diff_is_the_idea_only() -> anyhow::Result<()> {
    if !harness::require!(harness::Need::Tool("diff")) {
        return Ok(());
    }
    let n = listing::changed_lines("server-loop", "server-threads")?.len();
    assert!(n <= MAX_LOOP_TO_THREADS, "diff server-loop server-threads: {n} changed lines");
    let n = listing::changed_lines("server-basic", "server-loop")?.len();
    assert!(n <= MAX_BASIC_TO_LOOP, "diff server-basic server-loop: {n} changed lines");
    Ok(())
}
