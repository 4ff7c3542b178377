//! scripts/demo.sh on the screens a class sees, in tmux at 80×24 and 120×35: the
//! first connection's handshake goes segment by segment (Enter: next segment), the
//! stop after it still shows the SYN, the teardown stops the same way, nothing on the
//! screen wraps, each command it prints for copying is whole on a line of its own, and the
//! files it keeps are plain text and readable by all; its colours
//! (banner, servers, client, trace) are the kit's inks for the background it is told of.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::{bin_dir, repo};
use harness::sgr;
use harness::tmux::{too_wide, Screen};
use harness::Need;

const STEP: &str = "— Enter: next segment";
const WAIT: Duration = Duration::from_secs(60);

fn demo_on_a_screen(width: usize, height: usize) -> anyhow::Result<()> {
    let out = tempfile::tempdir()?;
    let bins = bin_dir();
    // Run from the clone, as an instructor does: the commands it prints name the kit's
    // programs by a path relative to it.
    let command = format!(
        "cd {} && bash scripts/demo.sh --only server-basic --out {}; echo DEMO-EXIT $?",
        repo().canonicalize()?.display(),
        out.path().display()
    );
    let screen = Screen::start(width, height, &command, &[("KIT_BIN_DIR", &bins.display().to_string())])?;
    let at = format!("at {width}×{height}");

    // The first segment, then a stop: the SYN alone, the SYN+ACK not yet drawn.
    let first = screen.wait_for(STEP, WAIT)?;
    assert!(first.contains("handshake 1/3: SYN"), "{at}:\n{first}");
    assert!(!first.contains("handshake 2/3"), "{at}: no stop after the SYN:\n{first}");
    screen.keys(&["Enter"])?;
    let second = screen
        .wait_until("the SYN+ACK, then a stop", WAIT, |s| s.contains("handshake 2/3") && s.contains(STEP))?;
    assert!(!second.contains("handshake 3/3"), "{at}: no stop after the SYN+ACK:\n{second}");
    screen.keys(&["Enter"])?;

    // The stop after the handshake: all of it on the screen, the SYN included.
    let done = screen.wait_for("— handshake done", WAIT)?;
    for seen in ["handshake 1/3: SYN", "handshake 2/3: SYN+ACK", "handshake 3/3: ACK"] {
        assert!(done.contains(seen), "{at}: {seen:?} is not on the screen at the stop:\n{done}");
    }
    assert!(!done.contains("data client→server"), "{at}: the trace went on:\n{done}");

    // On to the teardown, segment by segment, and its stop.
    let mut screen_now = done;
    for _ in 0..10 {
        if screen_now.contains("— teardown done") {
            break;
        }
        screen.keys(&["Enter"])?;
        std::thread::sleep(Duration::from_millis(200));
        screen_now = screen.text()?;
    }
    let teardown = screen.wait_for("— teardown done", WAIT)?;
    for seen in ["teardown: client's FIN", "teardown: server's FIN+ACK", "teardown: last ACK"] {
        assert!(teardown.contains(seen), "{at}: {seen:?} is not on the screen at the stop:\n{teardown}");
    }
    assert!(!teardown.contains("connection refused"), "{at}: the trace went on:\n{teardown}");
    screen.keys(&["Enter"])?;
    screen.wait_for("— Enter for the next run", WAIT)?;
    screen.keys(&["Enter"])?;
    screen.wait_for("DEMO-EXIT 0", WAIT)?;

    // Nothing the demo printed wrapped on this screen, and it came in the order it happened:
    // the server's socket calls before the trace, its accept() after it.
    let all = screen.history()?;
    let wide = too_wide(&all, width);
    assert!(wide.is_empty(), "{at}: lines that wrap: {wide:#?}");
    // … and a line that fits is not broken: the server's accept() (72 columns with its indent).
    assert!(
        all.lines().any(|l| l.contains("accept() → connected by") && l.contains("ESTABLISHED (client 1)")),
        "{at}: the server's accept() line was broken though it fits:\n{all}"
    );
    // The scenario's story wraps as one paragraph: no line of it indented as a continuation.
    let story: Vec<&str> = all
        .lines()
        .skip_while(|l| !l.starts_with("One client sends"))
        .take_while(|l| !l.is_empty())
        .collect();
    let story = &story[..story.iter().position(|l| l.starts_with("The server")).unwrap_or(story.len())];
    assert!(story.len() >= 2 && story.iter().all(|l| !l.starts_with(' ')), "{at}: {story:#?}");
    // The commands printed for copying: each whole on a line of its own, unindented, with no
    // hard line break inside (the history joins the terminal's soft wraps, `capture-pane -J`),
    // short enough for 80 columns; and they work as printed.
    let pcap = out.path().join("server-basic.pcap");
    let osi_trace = bins.canonicalize()?.join("osi-trace");
    let osi_trace = osi_trace.strip_prefix(repo().canonicalize()?)?.display().to_string();
    for copied in
        [format!("wireshark {}", pcap.display()), format!("{osi_trace} --read {} --layers", pcap.display())]
    {
        assert!(
            all.lines().any(|l| l.trim_end() == copied),
            "{at}: {copied:?} not on a line of its own:\n{all}"
        );
        assert!(copied.chars().count() <= 80, "{at}: {copied:?} is wider than 80 columns");
    }
    let again = format!("{osi_trace} --read {} --layers", pcap.display());
    let read = std::process::Command::new("bash").arg("-c").arg(&again).current_dir(repo()).output()?;
    assert!(read.status.success() && !read.stdout.is_empty(), "{at}: {again}: {read:?}");
    let pos = |s: &str| all.find(s).unwrap_or_else(|| panic!("{at}: {s:?} not printed:\n{all}"));
    assert!(pos("bind(127.0.0.1:65432)") < pos("listen(backlog=128)"), "{all}");
    assert!(pos("listen(backlog=128)") < pos("What went over the wire"), "{all}");
    assert!(pos("What went over the wire") < pos("accept() → connected"), "{all}");

    // The files a class opens later: no colour codes, the pcap readable by all as the others.
    for kept in ["trace.txt", "server.log", "ladder.txt"] {
        let text = std::fs::read_to_string(out.path().join(format!("server-basic.{kept}")))?;
        assert!(!text.contains('\x1b'), "{at}: {kept} holds colour codes:\n{text}");
    }
    let mode = |f: &str| -> anyhow::Result<u32> {
        Ok(std::fs::metadata(out.path().join(f))?.permissions().mode() & 0o777)
    };
    assert_eq!(mode("server-basic.pcap")?, mode("server-basic.trace.txt")?, "{at}: the pcap's mode");
    assert_ne!(mode("server-basic.pcap")? & 0o004, 0, "{at}: others cannot read the pcap");
    Ok(())
}

#[test]
fn the_demo_stops_after_the_handshake_and_the_teardown_at_80x24() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns, Need::Tool("tmux")) {
        return Ok(());
    }
    demo_on_a_screen(80, 24)
}

#[test]
fn the_demo_stops_after_the_handshake_and_the_teardown_at_120x35() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns, Need::Tool("tmux")) {
        return Ok(());
    }
    demo_on_a_screen(120, 35)
}

/// The demo in colour on a white projector, told by `--theme light` (over a COLORFGBG that
/// says black) or, without it, by COLORFGBG alone: the banner, the narration and the trace
/// in the kit's inks for white (cyan 24, yellow 130, green 28), none of those for black,
/// and none of the basic colours, whose yellow and cyan fade on white.
#[test]
fn the_demo_paints_for_the_background_it_is_told_of() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns, Need::Tool("tmux")) {
        return Ok(());
    }
    let bins = bin_dir().display().to_string();
    for (flag, colorfgbg) in [("--theme light", "15;0"), ("", "0;15")] {
        let out = tempfile::tempdir()?;
        let command = format!(
            "bash {} --only server-basic --no-pause {flag} --out {}; echo DEMO-EXIT $?",
            repo().join("scripts/demo.sh").display(),
            out.path().display()
        );
        let screen = Screen::start(80, 24, &command, &[("KIT_BIN_DIR", &bins), ("COLORFGBG", colorfgbg)])?;
        screen.wait_for("DEMO-EXIT", WAIT)?;
        let all = screen.history_in_colour()?;
        let run = format!("{flag:?} with COLORFGBG={colorfgbg}");
        assert!(all.contains("DEMO-EXIT 0"), "{run}:\n{all}");
        for (ink, code) in [("cyan", 24), ("yellow", 130), ("green", 28)] {
            assert!(sgr::uses_xterm(&all, code), "{run}: no {ink} for white ({code}):\n{all}");
        }
        for code in [80, 220, 78, 30, 136] {
            assert!(!sgr::uses_xterm(&all, code), "{run}: {code} is an ink for black or for both:\n{all}");
        }
        assert_eq!(sgr::basic_colours(&all), Vec::<u16>::new(), "{run}: basic colours on the screen:\n{all}");
    }
    Ok(())
}

/// The terminal closed in the middle of a run (tmux's server killed: a hang-up for every
/// process in it): the demo leaves no scratch folder behind in TMPDIR.
#[test]
fn a_closed_terminal_leaves_no_scratch_folder() -> anyhow::Result<()> {
    if !harness::require!(Need::Netns, Need::Tool("tmux")) {
        return Ok(());
    }
    let (tmp, out) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let command = format!(
        "bash {} --only server-basic --out {}",
        repo().join("scripts/demo.sh").display(),
        out.path().display()
    );
    let bins = bin_dir().display().to_string();
    let tmpdir = tmp.path().display().to_string();
    let screen = Screen::start(80, 24, &command, &[("KIT_BIN_DIR", &bins), ("TMPDIR", &tmpdir)])?;
    screen.wait_for(STEP, WAIT)?;
    assert_eq!(std::fs::read_dir(tmp.path())?.count(), 1, "one scratch folder while it runs");
    drop(screen);
    let left = || std::fs::read_dir(tmp.path()).map(|d| d.count()).unwrap_or(0);
    harness::wait::until("the scratch folder removed", Duration::from_secs(10), || Ok(left() == 0))?;
    Ok(())
}
