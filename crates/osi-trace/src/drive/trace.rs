//! The trace: source → decode → analyse → render, one frame at a time, with
//! one frame counter (`frame.number`), the files beside the view (`--write`,
//! `--tsg`, `--html`) and the stop conditions (`--count`, `--connections`,
//! `--duration`); live, one flush whenever no frame waits in the queue.

use std::time::Duration;

use crate::analysis::{Analyzer, Event, Lookahead, LIVE_WAIT};
use crate::capture::{LiveOptions, SNAPLEN};
use crate::cli::Args;
use crate::decode::{Decoded, Decoder};
use crate::explorer::Page;
use crate::graph;
use crate::neighbours::{ControlFrame, Neighbours};
use crate::output::{self, Sink};
use crate::render::closing;
use crate::save::Save;
use crate::source::{Got, Ready, Source, Stop};

/// Frame numbers and times, as Wireshark counts them: every frame of the
/// source counts, decoded or not, on the port or not.
#[derive(Default)]
struct Clock {
    frames: u64,
    first: Option<Duration>,
}

impl Clock {
    /// How long after the first frame `ts` is (zero for the first).
    fn since_first(&self, ts: Duration) -> Duration {
        self.first.map_or(Duration::ZERO, |f| ts.saturating_sub(f))
    }

    /// Live, the time now on the capture's clock (the kernel stamps frames with
    /// the wall clock): since the first frame.
    fn now_live(&self) -> Duration {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        self.since_first(now)
    }

    /// The frame's number (from 1) and its time since the first frame.
    fn tick(&mut self, ts: Duration) -> (u64, Duration) {
        self.frames += 1;
        (self.frames, ts.saturating_sub(*self.first.get_or_insert(ts)))
    }
}

/// The streams shown (all, or those on `--port`): numbers grow with each new
/// stream, so the set is a bitmap over stream numbers.
#[derive(Default)]
struct Shown {
    seen: Vec<bool>,
    count: u64,
}

impl Shown {
    fn see(&mut self, stream: u64) {
        let i = stream as usize;
        if self.seen.len() <= i {
            self.seen.resize(i + 1, false);
        }
        if !self.seen[i] {
            self.seen[i] = true;
            self.count += 1;
        }
    }

    fn shown(&self, stream: u64) -> bool {
        self.seen.get(stream as usize).copied().unwrap_or(false)
    }
}

/// Every view of the run: the chosen sink, and the page with `--html`.
struct Views<'a> {
    sink: Box<dyn Sink + 'a>,
    page: Option<Page>,
    /// Live on several links: the link of the frame whose events come next
    /// (live shows each frame's events at once, so they are its own).
    link: Option<std::sync::Arc<str>>,
}

impl Views<'_> {
    /// An event to every view.
    fn show(&mut self, e: Event) -> anyhow::Result<()> {
        if let Some(p) = &mut self.page {
            p.event(&e, self.link.as_deref());
        }
        output::event(&mut *self.sink, e, self.link.as_deref())
    }
}

/// Opens the file of `--read`, or the live capture.
fn open(args: &Args, stop: &Stop) -> anyhow::Result<Source> {
    if let Some(path) = &args.read {
        return Source::file(path, stop);
    }
    let opts = LiveOptions { interfaces: args.interface.clone(), port: args.port };
    let ready = Ready { port: args.port, ..Ready::default() };
    Source::live(&opts, args.limits(), ready, stop, args.output.quiet)
}

/// Runs the trace the flags describe. Live, a first Ctrl-C ends the capture
/// and the frames already captured are still shown; a second one stops
/// showing them. Reading a file, Ctrl-C abandons the run.
pub fn run(args: &Args, stop: &Stop) -> anyhow::Result<()> {
    // Where the files go is settled before anything is read or captured.
    let tsg_target = args.tsg.as_deref().map(|p| graph::target(p, args.force)).transpose()?;
    let mut save = args
        .write
        .as_deref()
        .map(|p| Save::new(p, args.read.as_deref(), args.snaplen.unwrap_or(SNAPLEN)))
        .transpose()?;
    let mut tsg = args.tsg.as_ref().map(|_| graph::Collector::new(args.stream));
    let mut source = open(args, stop)?;
    let live = source.is_live();
    let sink = output::sink(kit::PipeOut(std::io::stdout().lock()), args.view());
    let from = crate::explorer::source_name(args.read.as_deref(), &args.interface);
    let new_page = |p: &std::path::Path| Page::new(p, args.force, &args.programs, args.stream, from);
    let page = args.html.as_deref().map(new_page).transpose()?;
    let mut views = Views { sink, page, link: None };
    // Remembers IP fragments across frames: a segment shows with the frame that completes it.
    let mut decoder = Decoder::new();
    let mut an = Analyzer::new();
    // A SYN's row waits for its answer (reading a file, as long as it takes;
    // live, at most LIVE_WAIT), so both show the server's state it caused.
    let mut lookahead = Lookahead::new();
    let emit = |views: &mut Views, lookahead: &mut Lookahead, e: Event| {
        lookahead.push(e).into_iter().try_for_each(|e| views.show(e))
    };
    // Which neighbour request each reply answers (a broadcast, or a probe).
    let mut neighbours = Neighbours::new();
    let mut clock = Clock::default();
    let (mut segments, mut skipped, mut ended) = (0u64, 0u64, 0u64);
    let mut streams = Shown::default();
    let mut damaged: Option<anyhow::Error> = None;

    // Live, --duration is wall-clock time the capture thread keeps; the frames
    // it captured are all shown. In a file it is the capture's own time.
    loop {
        let frame = match source.next_frame() {
            Ok(Got::Frame(f, link)) => {
                // Several links: each line says which one its frame was seen on.
                views.link = link;
                f
            }
            Ok(Got::Quiet) => {
                // Nothing captured waits: the rows of SYNs left unanswered too long go on.
                for e in lookahead.expire(clock.now_live(), LIVE_WAIT) {
                    views.show(e)?;
                }
                views.sink.flush()?;
                continue;
            }
            Ok(Got::End) => break,
            Err(e) if !live => {
                damaged = Some(e);
                break;
            }
            Err(e) => return Err(e),
        };
        if !live && args.duration.is_some_and(|d| clock.since_first(frame.ts) > d) {
            break;
        }
        let (number, time) = clock.tick(frame.ts);
        match decoder.decode(&frame) {
            Err(why) => {
                skipped += 1;
                // Live, a frame the filter kept but osi-trace cannot decode is saved
                // all the same (tcpdump would save it too).
                if let Some(save) = save.as_mut().filter(|_| live) {
                    save.write(&frame)?;
                }
                views.sink.skipped(number, &why)?;
            }
            // ARP, ICMP and ICMPv6 are not TCP, but they are part of the story
            // (a next hop's MAC, a refusal, a path MTU): shown and saved in their place.
            Ok(Decoded::Control(control)) => {
                skipped += 1;
                if let Some(save) = save.as_mut() {
                    save.write(&frame)?;
                }
                let asked = neighbours.see(&control);
                let c = ControlFrame { frame: number, time, control, asked };
                emit(&mut views, &mut lookahead, Event::Control(Box::new(c)))?;
            }
            Ok(Decoded::Segment(seg)) => {
                // Another port (file input): analysed all the same, so that stream
                // numbers stay tshark's `tcp.stream`, but neither shown nor saved.
                let shown = args.port.is_none_or(|p| seg.tcp.src_port == p || seg.tcp.dst_port == p);
                if shown {
                    if let Some(save) = save.as_mut() {
                        save.write(&frame)?;
                    }
                    segments += 1;
                    if let Some(p) = views.page.as_mut() {
                        p.frame(number, &frame, &seg);
                    }
                }
                let n = an.push(number, time, seg);
                if let Some(g) = tsg.as_mut().filter(|_| shown) {
                    g.push(&n);
                }
                if shown {
                    streams.see(n.stream);
                    emit(&mut views, &mut lookahead, Event::Segment(Box::new(n)))?;
                }
                for s in an.take_ended() {
                    if streams.shown(s.stream) {
                        ended += 1;
                        emit(&mut views, &mut lookahead, Event::Ended(s))?;
                    }
                }
            }
        }
        // Live, each frame is shown (and saved) as it comes, flushed once no
        // frame waits in the queue: a write per frame would slow the reading.
        if live {
            // While frames wait in the queue, the capture's time is this frame's: a SYN's
            // answer may be among them. Once none waits, it is the wall clock's.
            let now = if source.pending() { time } else { clock.now_live() };
            for e in lookahead.expire(now, LIVE_WAIT) {
                views.show(e)?;
            }
            if !source.pending() {
                views.sink.flush()?;
                if let Some(save) = save.as_mut() {
                    save.flush()?;
                }
            }
        }
        if args.count.is_some_and(|c| segments >= c) || args.connections.is_some_and(|c| ended >= c) {
            break;
        }
    }

    // Reading a file, a signal abandons the run: what --write and --tsg began is removed.
    if !live && stop.is_set() {
        let read = args.read.as_deref().map_or(String::new(), kit::escape_path);
        return Err(stop.interrupted(&read, args.write.is_some() || args.tsg.is_some()));
    }
    if let Some(save) = save {
        save.finish()?;
    }
    // Odd but readable things in the file, each said once.
    source.take_notes().iter().for_each(|n| eprintln!("{}", kit::warning_line("osi-trace", n)));
    for e in lookahead.finish() {
        views.show(e)?;
    }
    for s in an.open().into_iter().filter(|s| streams.shown(s.stream)) {
        views.show(Event::Ended(s))?;
    }
    views.sink.finish(segments, an.evictions())?;

    // The closing counts go to stderr, as tcpdump's do.
    let mut tail = closing::counts(clock.frames, segments, streams.count, skipped, an.evictions());
    if let Some(stats) = source.stats()? {
        tail.push_str(&closing::live_counts(&stats, stop.is_set()));
    }
    if !args.output.quiet {
        eprintln!("{tail}");
    }
    if let (Some(g), Some(target), Some(path)) = (&tsg, tsg_target, &args.tsg) {
        let (stream, side, marks) = graph::write(g, target)?;
        if !args.output.quiet {
            eprintln!("{}", closing::wrote_tsg(&kit::escape_path(path), stream, side, marks));
        }
    }
    if let Some(said) = views.page.map(Page::finish).transpose()?.filter(|_| !args.output.quiet) {
        eprintln!("{said}");
    }
    // The interface went down: the summary is out, now the one error line.
    if let Some(e) = source.finish() {
        return Err(e);
    }
    if let Some(e) = damaged {
        let path = args.read.as_ref().map_or(String::new(), |p| kit::escape_path(p));
        return Err(e.context(closing::damaged(&path)));
    }
    Ok(())
}
