//! `osi-trace --interface A --interface B --hop`: the hop view live, captured
//! through [`Source`] on a router's two links (in its namespace) until Ctrl-C
//! or `--duration`, then matched and shown as from two files.

use anyhow::bail;

use super::{page, show, study, HopOptions};
use crate::capture::{Limits, LiveOptions};
use crate::hop::{see, Seen};
use crate::render::words::notes;
use crate::source::{Got, Ready, Source, Stop};

/// At most this many frames of each link are captured (each kept as its
/// facts, about 200 bytes, until the capture ends and the view is shown).
pub const MAX_FRAMES: usize = 1_000_000;

/// Captures on the two interfaces, then writes the view.
pub fn run(interfaces: &[String; 2], limits: Limits, opts: &HopOptions, stop: &Stop) -> anyhow::Result<()> {
    if interfaces[0] == interfaces[1] || interfaces.iter().any(|i| i == "any") {
        bail!(kit::hinted(
            "--hop needs the router's two links, two different interfaces",
            "e.g. in the lab: on router osi-trace --interface eth0 --interface eth1 --hop --duration 10"
        ));
    }
    let capture = LiveOptions { interfaces: interfaces.to_vec(), port: None };
    let ready = Ready { port: None, purpose: " for the hop view", until: limits.duration };
    let mut source = Source::live(&capture, limits, ready, stop, opts.quiet)?;
    let mut links: [Vec<Seen>; 2] = [Vec::new(), Vec::new()];
    loop {
        let (frame, link) = match source.next_frame()? {
            Got::Frame(f, Some(link)) => (f, link),
            Got::Frame(_, None) | Got::Quiet => continue,
            Got::End => break,
        };
        // Each link's frames are numbered from 1, as in a file of that link alone.
        let i = usize::from(*link == *interfaces[1]);
        if links[i].len() == MAX_FRAMES {
            eprintln!("{}", notes::hop_frames_cap(MAX_FRAMES, &link));
            break;
        }
        links[i].push(see(links[i].len() as u64 + 1, &frame));
    }
    let stats = source.stats()?.unwrap_or_default();
    if !opts.quiet {
        eprintln!(
            "{} on {}, {} on {}; kernel: {} dropped",
            kit::plural(links[0].len() as u64, "frame"),
            interfaces[0],
            kit::plural(links[1].len() as u64, "frame"),
            interfaces[1],
            stats.dropped
        );
    }
    // The frames are read twice, as from two files (see `hop::view`).
    let frames = |i: usize| links[i].iter().cloned().map(Ok);
    let study = study([&mut frames(0), &mut frames(1)])?;
    let names = interfaces.clone();
    let sources = interfaces.clone().map(|i| format!("interface {i}"));
    let rows = show(
        &study,
        [&mut frames(0), &mut frames(1)],
        &names,
        &sources,
        opts,
        kit::PipeOut(std::io::stdout().lock()),
    )?;
    page(rows, &names, &sources, opts, None)?;
    match source.finish() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
