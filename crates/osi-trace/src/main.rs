//! osi-trace — capture a TCP run (live, or from a pcap/pcapng file) and
//! explain every segment by OSI layer, TCP state and the socket call that
//! caused it.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use osi_trace::analysis::{Analyzer, Event, Lookahead, LIVE_WAIT};
use osi_trace::capture::{Limits, LiveCapture, LiveOptions, DEFAULT_BUFFER_MIB, SNAPLEN};
use osi_trace::decode::{Decoded, Decoder};
use osi_trace::explorer::Page;
use osi_trace::frame::Frame;
use osi_trace::graph;
use osi_trace::hop::{self, run::HopOptions};
use osi_trace::neighbours::ControlFrame;
use osi_trace::output::{Output, View};
use osi_trace::pcap::CaptureReader;
use osi_trace::render::closing;
use osi_trace::save::Save;

/// What the hop view does not combine with: it shows datagrams, not connections.
const HOP_ALONE: [&str; 9] =
    ["port", "write", "count", "connections", "layers", "ladder", "rtt", "tsg", "summary_only"];

/// Capture a TCP run and explain each segment by layer, state and cause.
#[derive(Parser, Debug)]
#[command(version, about)]
#[command(group(clap::ArgGroup::new("replaceable").args(["tsg", "html"]).multiple(true)))]
struct Args {
    /// Keep only TCP segments to or from this port (the servers' default is 65432).
    #[arg(long)]
    port: Option<u16>,

    /// Interface to capture on; repeat it for several, or `any` for all.
    #[arg(long, short, default_value = "lo")]
    interface: Vec<String>,

    /// Read frames from this pcap or pcapng file instead of capturing.
    #[arg(long, short)]
    read: Option<PathBuf>,

    /// Also save the frames shown (TCP, ARP, ICMP) to this pcap file (for Wireshark).
    #[arg(long, short)]
    write: Option<PathBuf>,

    /// With --write: keep at most N bytes of each frame, as tcpdump -s (96: the headers of a typical
    /// TCP segment; 0: whole frames). Each frame keeps its length on the wire.
    #[arg(long, short = 's', value_name = "N", requires = "write", allow_negative_numbers = true,
          value_parser = osi_trace::save::snaplen)]
    snaplen: Option<u32>,

    /// Stop after this many TCP segments.
    #[arg(long, short = 'c')]
    count: Option<u64>,

    /// Stop after this many seconds: of wall-clock time live, of capture time with --read.
    #[arg(long, value_parser = kit::duration::seconds)]
    duration: Option<Duration>,

    /// Live: memory for frames captured but not yet shown, in MiB; frames beyond it are dropped and counted.
    #[arg(long, value_name = "MiB", default_value_t = DEFAULT_BUFFER_MIB, conflicts_with = "read",
          value_parser = clap::value_parser!(u32).range(1..=1 << 20))]
    buffer: u32,

    /// Stop once this many connections have ended (FIN both ways, or RST).
    #[arg(long)]
    connections: Option<u64>,

    /// Show each segment's L2, L3, L4 and L7 below its line.
    #[arg(long)]
    layers: bool,

    /// Draw each connection as a ladder (time-sequence) diagram.
    #[arg(long, conflicts_with_all = ["layers", "json"])]
    ladder: bool,

    /// JSON Lines: one object per segment and per connection (schema in the README).
    #[arg(long, conflicts_with = "layers")]
    json: bool,

    /// Each ACK's RTT sample (Wireshark's ack_rtt), and RFC 6298's SRTT and RTO in the summaries.
    #[arg(long, conflicts_with = "ladder")]
    rtt: bool,

    /// Write a time-sequence graph (sequence number against time, ACK and window lines) as SVG.
    #[arg(long, value_name = "FILE.svg")]
    tsg: Option<PathBuf>,

    /// The connection (tcp.stream) to graph, or the only one on the --html page; the graph's
    /// default: the one that carried the most bytes one way.
    #[arg(long, value_name = "N", requires = "replaceable")]
    stream: Option<u64>,

    /// Hop view: the capture of the router's other link; --read gives the first link's.
    /// Each datagram seen on both links once, its two copies side by side per layer.
    /// Without a file: live, on the two --interface given (in the router's namespace).
    #[arg(long, value_name = "LINK2.pcap", num_args = 0..=1, conflicts_with_all = HOP_ALONE)]
    hop: Option<Option<PathBuf>>,

    /// Write the whole run as one page to open in a browser: ladder, segments, layers,
    /// bytes and the code that sent each segment (the trace explorer).
    #[arg(long, value_name = "FILE.html")]
    html: Option<PathBuf>,

    /// With --html: the kit's programs that ran, e.g. server-basic,client; the page
    /// shows the line of each program that made a segment's socket call.
    #[arg(long, value_name = "NAMES", value_delimiter = ',', requires = "html")]
    programs: Vec<String>,

    /// Replace the --tsg or --html file if it exists.
    #[arg(long, requires = "replaceable")]
    force: bool,

    /// Only the connection summaries, no line per segment.
    #[arg(long)]
    summary_only: bool,

    /// Fit every line in N columns (0: never wrap); default: the terminal's width, or one line per segment when stdout is a file or a pipe.
    #[arg(long, value_name = "N")]
    width: Option<usize>,

    /// The language of the explanations: en or vi (default: the first of LC_ALL, LC_MESSAGES,
    /// LANG that is set; one starting with `vi` is Vietnamese). --json is the same in both.
    #[arg(long, value_enum, value_name = "LANG")]
    lang: Option<kit::Lang>,

    #[command(flatten)]
    output: kit::OutputArgs,
}

fn main() -> std::process::ExitCode {
    kit::run("osi-trace", || {
        let args = kit::parse_args::<Args>();
        args.output.apply();
        kit::Lang::resolve(args.lang).apply();
        if let Some(link2) = &args.hop {
            let (html, force) = (args.html.clone(), args.force);
            let opts =
                HopOptions { json: args.json, quiet: args.output.quiet, width: width(&args), html, force };
            return match (&args.read, link2, args.interface.as_slice()) {
                (Some(link1), Some(link2), _) if args.duration.is_none() => {
                    hop::run::run(&[link1.clone(), link2.clone()], &opts, kit::PipeOut(std::io::stdout().lock()))
                }
                (None, None, [a, b]) => hop::live::run(&[a.clone(), b.clone()], args.duration, &opts),
                _ => Err(kit::hinted(
                    "--hop compares two files (--read LINK1 --hop LINK2) or two live links (two --interface, no file)",
                    "e.g. --read link1.pcap --hop link2.pcap, or --interface eth0 --interface eth1 --hop --duration 10",
                )
                .into()),
            };
        }
        trace(&args)
    })
}

/// Where frames come from. Live, `several` says whether frames come from
/// more than one link (`--interface any`, or the flag repeated).
enum Source {
    Live { cap: LiveCapture, several: bool },
    File(CaptureReader),
}

/// What the source gave.
enum Got {
    /// A frame, and the link it was seen on when there are several.
    Frame(Frame, Option<Arc<str>>),
    /// Live: a quiet 100 ms, so the caller can check its stop conditions.
    Quiet,
    /// The end of the file, or the interface went down.
    End,
}

impl Source {
    /// Opens the file of `--read`, or the live capture (then says READY on
    /// stderr). Live, a first Ctrl-C ends the capture and the frames already
    /// captured are still shown; a second one sets `stop`: stop showing them.
    fn open(args: &Args, stop: &Arc<AtomicBool>) -> anyhow::Result<Source> {
        if let Some(path) = &args.read {
            let reader = CaptureReader::open(path)?;
            // Ctrl-C stops the reading, so that a --write in progress is removed, not left half done.
            let flag = Arc::clone(stop);
            ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
                .context("installing the Ctrl-C handler")?;
            return Ok(Source::File(reader));
        }
        let opts = LiveOptions { interfaces: args.interface.clone(), port: args.port };
        let cap = LiveCapture::open_with(
            &opts,
            Limits { buffer: (args.buffer as usize) << 20, duration: args.duration },
        )?;
        let (flag, stopper) = (Arc::clone(stop), cap.stopper());
        ctrlc::set_handler(move || {
            if !stopper.stop() {
                flag.store(true, Ordering::SeqCst);
            }
        })
        .context("installing the Ctrl-C handler")?;
        let what = args.port.map_or("all TCP".to_string(), |p| format!("tcp port {p}"));
        let what = format!("{what}, ARP, ICMP");
        eprintln!("READY capturing on {} ({what}); Ctrl-C stops", args.interface.join(", "));
        let several = args.interface.len() > 1 || args.interface.iter().any(|i| i == "any");
        Ok(Source::Live { cap, several })
    }

    /// The next frame; `Err` when the file is damaged.
    fn next(&mut self) -> anyhow::Result<Got> {
        match self {
            Source::Live { cap, several } => Ok(match cap.next(Duration::from_millis(100))? {
                Some(f) => Got::Frame(f.frame, several.then_some(f.interface)),
                None if cap.is_over() => Got::End,
                None => Got::Quiet,
            }),
            Source::File(r) => Ok(r.next_frame().transpose()?.map_or(Got::End, |f| Got::Frame(f, None))),
        }
    }
}

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

/// Columns to fit (projection mode): `--width`, else the width of the terminal
/// stdout is (`$COLUMNS` only when that terminal reports none), else 0: a file
/// or a pipe gets one line per segment, as tcpdump's does, whatever `$COLUMNS`
/// says (an interactive bash does not export it, so a student's `> trace.txt`
/// and a script's must read alike).
fn width(args: &Args) -> usize {
    if let Some(w) = args.width {
        return w;
    }
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return 0;
    }
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(&stdout) {
        if w > 0 {
            return w.into();
        }
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|&w: &usize| w > 0).unwrap_or(80)
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

/// Live, said once on stderr: the capture has ended (Ctrl-C, --duration) but
/// frames it captured are still being shown.
fn live_notes(cap: &mut LiveCapture, quiet: bool) {
    if let Some(n) = cap.backlog().filter(|_| !quiet) {
        eprintln!(
            "osi-trace: capture ended; showing the {n} frames it had captured (Ctrl-C again stops now)"
        );
    }
}

/// An event to every view: the terminal's, and the page's with `--html`.
fn show<W: std::io::Write>(out: &mut Output<W>, page: &mut Option<Page>, e: Event) -> anyhow::Result<()> {
    if let Some(p) = page {
        p.event(&e, out.link());
    }
    out.event(e)
}

/// The pipeline: source → decode → analyse → render, one frame at a time.
fn trace(args: &Args) -> anyhow::Result<()> {
    // Where the files go is settled before anything is read or captured.
    let tsg_target = args.tsg.as_deref().map(|p| graph::target(p, args.force)).transpose()?;
    let mut save = args
        .write
        .as_deref()
        .map(|p| Save::new(p, args.read.as_deref(), args.snaplen.unwrap_or(SNAPLEN)))
        .transpose()?;
    let mut tsg = args.tsg.as_ref().map(|_| graph::Collector::new(args.stream));
    let stop = Arc::new(AtomicBool::new(false));
    let mut source = Source::open(args, &stop)?;
    let live = matches!(source, Source::Live { .. });
    let view = View {
        layers: args.layers,
        ladder: args.ladder,
        json: args.json,
        summary_only: args.summary_only,
        rtt: args.rtt,
        quiet: args.output.quiet,
        width: width(args),
    };
    let mut out = Output::new(kit::PipeOut(std::io::stdout().lock()), view);
    // Remembers IP fragments across frames: a segment shows with the frame that completes it.
    let mut decoder = Decoder::new();
    let mut an = Analyzer::new();
    // A SYN's row waits for its answer (reading a file, as long as it takes;
    // live, at most LIVE_WAIT), so both show the server's state it caused.
    let mut lookahead = Lookahead::new();
    let from = osi_trace::explorer::source_name(args.read.as_deref(), &args.interface);
    let new_page = |p: &std::path::Path| Page::new(p, args.force, &args.programs, args.stream, from);
    let mut page = args.html.as_deref().map(new_page).transpose()?;
    let emit = |out: &mut Output<_>, lookahead: &mut Lookahead, page: &mut Option<Page>, e: Event| {
        lookahead.push(e).into_iter().try_for_each(|e| show(out, page, e))
    };
    // Which neighbour request each reply answers (a broadcast, or a probe).
    let mut neighbours = osi_trace::neighbours::Neighbours::new();
    let mut clock = Clock::default();
    let (mut segments, mut skipped, mut ended) = (0u64, 0u64, 0u64);
    let mut streams = Shown::default();
    let mut damaged: Option<anyhow::Error> = None;

    // Live, --duration is wall-clock time the capture thread keeps; the frames
    // it captured are all shown. In a file it is the capture's own time.
    while !stop.load(Ordering::SeqCst) {
        let frame = match source.next() {
            Ok(Got::Frame(f, link)) => {
                // Several links: each line says which one its frame was seen on.
                out.set_link(link);
                f
            }
            Ok(Got::Quiet) => {
                // Nothing captured waits: the rows of SYNs left unanswered too long go on.
                for e in lookahead.expire(clock.now_live(), LIVE_WAIT) {
                    show(&mut out, &mut page, e)?;
                }
                out.flush()?;
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
                out.skipped(number, &why)?;
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
                emit(&mut out, &mut lookahead, &mut page, Event::Control(Box::new(c)))?;
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
                    if let Some(p) = page.as_mut() {
                        p.frame(number, &frame, &seg);
                    }
                }
                let n = an.push(number, time, seg);
                if let Some(g) = tsg.as_mut().filter(|_| shown) {
                    g.push(&n);
                }
                if shown {
                    streams.see(n.stream);
                    emit(&mut out, &mut lookahead, &mut page, Event::Segment(Box::new(n)))?;
                }
                for s in an.take_ended() {
                    if streams.shown(s.stream) {
                        ended += 1;
                        emit(&mut out, &mut lookahead, &mut page, Event::Ended(s))?;
                    }
                }
            }
        }
        // Live, each frame is shown (and saved) as it comes, flushed once no
        // frame waits in the queue: a write per frame would slow the reading.
        if let Source::Live { cap, .. } = &mut source {
            // While frames wait in the queue, the capture's time is this frame's: a SYN's
            // answer may be among them. Once none waits, it is the wall clock's.
            let now = if cap.pending() { time } else { clock.now_live() };
            for e in lookahead.expire(now, LIVE_WAIT) {
                show(&mut out, &mut page, e)?;
            }
            if !cap.pending() {
                out.flush()?;
                if let Some(save) = save.as_mut() {
                    save.flush()?;
                }
            }
            live_notes(cap, args.output.quiet);
        }
        if args.count.is_some_and(|c| segments >= c) || args.connections.is_some_and(|c| ended >= c) {
            break;
        }
    }

    // Reading a file, Ctrl-C abandons the run: what --write and --tsg began is removed.
    if !live && stop.load(Ordering::SeqCst) {
        let read = args.read.as_deref().map_or(String::new(), kit::escape_path);
        let kept = match (&args.write, &args.tsg) {
            (None, None) => "",
            _ => "; the files of --write and --tsg are put in place only when the whole capture was read",
        };
        bail!("stopped by Ctrl-C before the end of {read}{kept}");
    }
    if let Some(save) = save {
        save.finish()?;
    }
    // Odd but readable things in the file, each said once.
    if let Source::File(r) = &mut source {
        r.take_notes().iter().for_each(|n| eprintln!("osi-trace: warning: {n}"));
    }
    for e in lookahead.finish() {
        show(&mut out, &mut page, e)?;
    }
    for s in an.open().into_iter().filter(|s| streams.shown(s.stream)) {
        show(&mut out, &mut page, Event::Ended(s))?;
    }
    out.finish(segments, an.evictions())?;

    // The closing counts go to stderr, as tcpdump's do.
    let mut tail = closing::counts(clock.frames, segments, streams.count, skipped, an.evictions());
    if let Source::Live { cap, .. } = &mut source {
        tail.push_str(&closing::live_counts(&cap.stats()?, stop.load(Ordering::SeqCst)));
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
    if let Some(said) = page.map(Page::finish).transpose()?.filter(|_| !args.output.quiet) {
        eprintln!("{said}");
    }
    // The interface went down: the summary is out, now the one error line.
    if let Some(e) = match &source {
        Source::Live { cap, .. } => cap.finish(),
        Source::File(_) => None,
    } {
        return Err(e);
    }
    if let Some(e) = damaged {
        let path = args.read.as_ref().map_or(String::new(), |p| kit::escape_path(p));
        return Err(e.context(closing::damaged(&path)));
    }
    Ok(())
}
