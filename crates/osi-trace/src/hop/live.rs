//! `osi-trace --interface A --interface B --hop`: the hop view live, captured
//! on a router's two links (in its namespace) until Ctrl-C or `--duration`,
//! then matched and shown as from two files. The I/O around the matching.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use super::run::{show, HopOptions};
use super::{see, view, Seen};
use crate::capture::{LiveCapture, LiveOptions};

/// At most this many frames of each link are captured (each kept as its
/// facts, about 200 bytes, until the capture ends and the view is shown).
pub const MAX_FRAMES: usize = 1_000_000;

/// Captures on the two interfaces, then writes the view.
pub fn run(interfaces: &[String; 2], duration: Option<Duration>, opts: &HopOptions) -> anyhow::Result<()> {
    if interfaces[0] == interfaces[1] || interfaces.iter().any(|i| i == "any") {
        bail!(kit::hinted(
            "--hop needs the router's two links, two different interfaces",
            "e.g. in the lab: on router osi-trace --interface eth0 --interface eth1 --hop --duration 10"
        ));
    }
    let mut cap = LiveCapture::open(&LiveOptions { interfaces: interfaces.to_vec(), port: None })?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    let until = duration.map_or("Ctrl-C stops".to_string(), |d| format!("for {} s", d.as_secs_f64()));
    eprintln!("READY capturing on {} (all TCP, ARP, ICMP) for the hop view; {until}", interfaces.join(", "));
    let deadline = duration.map(|d| Instant::now() + d);
    let mut links: [Vec<Seen>; 2] = [Vec::new(), Vec::new()];
    while !stop.load(Ordering::SeqCst) && deadline.is_none_or(|d| Instant::now() < d) {
        let Some(f) = cap.next(Duration::from_millis(100))? else {
            if cap.is_down() {
                break;
            }
            continue;
        };
        // Each link's frames are numbered from 1, as in a file of that link alone.
        let i = usize::from(*f.interface == *interfaces[1]);
        if links[i].len() == MAX_FRAMES {
            eprintln!("osi-trace: warning: {MAX_FRAMES} frames on {}: the capture stops here", f.interface);
            break;
        }
        links[i].push(see(links[i].len() as u64 + 1, &f.frame));
    }
    let stats = cap.stats()?;
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
    // The frames are read twice, as from two files (see `view`).
    let frames = |i: usize| links[i].iter().cloned().map(Ok);
    let study = view::study([&mut frames(0), &mut frames(1)])?;
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
    super::run::page(rows, &names, &sources, opts, None)?;
    match cap.finish() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
