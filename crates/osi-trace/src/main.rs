//! osi-trace — capture a TCP run (live, or from a pcap/pcapng file) and
//! explain every segment by OSI layer, TCP state and the socket call that
//! caused it.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use colored::Colorize;
use osi_trace::analysis::{Analyzer, Summary};
use osi_trace::capture::{LiveCapture, LiveOptions, SNAPLEN};
use osi_trace::decode::Decoder;
use osi_trace::frame::Frame;
use osi_trace::pcap::{CaptureReader, CaptureWriter};
use osi_trace::render;

/// Capture a TCP run and explain each segment by layer, state and cause.
#[derive(Parser, Debug)]
#[command(version, about)]
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

    /// Also save the captured frames to this pcap file (for Wireshark).
    #[arg(long, short)]
    write: Option<PathBuf>,

    /// Stop after this many TCP segments.
    #[arg(long, short = 'c')]
    count: Option<u64>,

    /// Stop capturing after this many seconds.
    #[arg(long)]
    duration: Option<f64>,

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

    /// Only the connection summaries, no line per segment.
    #[arg(long)]
    summary_only: bool,

    #[command(flatten)]
    output: kit::OutputArgs,
}

fn main() -> std::process::ExitCode {
    kit::run("osi-trace", || {
        let args = Args::parse();
        args.output.color.apply();
        trace(&args)
    })
}

/// Where frames come from.
enum Source {
    Live(LiveCapture),
    File(CaptureReader),
}

fn trace(args: &Args) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut source = match &args.read {
        Some(path) => Source::File(CaptureReader::open(path)?),
        None => {
            let cap =
                LiveCapture::open(&LiveOptions { interfaces: args.interface.clone(), port: args.port })?;
            let flag = Arc::clone(&stop);
            ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
                .context("installing the Ctrl-C handler")?;
            let what = args.port.map_or("all TCP".to_string(), |p| format!("tcp port {p}"));
            eprintln!("READY capturing on {} ({what}); Ctrl-C stops", args.interface.join(", "));
            Source::Live(cap)
        }
    };
    let live = matches!(source, Source::Live(_));
    let deadline = args.duration.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let stdout = std::io::stdout();
    let mut out = Out {
        w: BufWriter::with_capacity(1 << 16, stdout.lock()),
        live,
        args,
        ladders: HashMap::new(),
        summaries: Vec::new(),
        more_summaries: 0,
        link: None,
    };
    let mut writer: Option<CaptureWriter> = None;
    let mut an = Analyzer::new();
    let mut decoder = Decoder::new(); // Hook (decode): remembers IP fragments across frames
    let (mut frames, mut segments, mut skipped) = (0u64, 0u64, 0u64);
    let mut damaged: Option<anyhow::Error> = None;

    loop {
        if stop.load(Ordering::SeqCst) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let frame: Frame = match &mut source {
            Source::Live(cap) => match cap.next(Duration::from_millis(100))? {
                Some(f) => {
                    // Several links: each row says which one it was seen on.
                    out.link = (args.interface.len() > 1 || args.interface.iter().any(|i| i == "any"))
                        .then_some(f.interface);
                    f.frame
                }
                None if cap.is_down() => break,
                None => continue,
            },
            Source::File(r) => match r.next_frame() {
                Some(Ok(f)) => f,
                Some(Err(e)) => {
                    damaged = Some(e);
                    break;
                }
                None => break,
            },
        };
        frames += 1;
        let seg = match decoder.decode(&frame) {
            Ok(seg) if args.port.is_none_or(|p| seg.tcp.src_port == p || seg.tcp.dst_port == p) => seg,
            Ok(_) => continue, // another port: not part of this trace (file input)
            Err(why) => {
                skipped += 1;
                an.skip_frame(frame.ts);
                if args.layers {
                    out.line(format!("{}", format!("frame {frames}: skipped, {why}").dimmed()))?;
                }
                continue;
            }
        };
        if let Some(path) = &args.write {
            if writer.is_none() {
                writer = Some(CaptureWriter::create(path, frame.link, SNAPLEN)?);
            }
            if let Some(w) = writer.as_mut() {
                w.write(&frame)?;
            }
        }
        segments += 1;
        let n = an.push(frame.ts, &seg);
        out.segment(&n, &seg)?;
        for s in an.take_ended() {
            out.ended(s)?;
        }
        // Live, flush when no frame waits: a write per frame would slow the capture.
        if matches!(&source, Source::Live(cap) if !cap.pending()) {
            out.w.flush()?;
            if let Some(w) = writer.as_mut() {
                w.flush()?;
            }
        }
        if args.count.is_some_and(|c| segments >= c)
            || args.connections.is_some_and(|c| an.ended_count() >= c)
        {
            break;
        }
    }

    if let Some(mut w) = writer {
        w.flush()?;
    }
    // Hook (pcap reader): odd but readable things in the file, each said once.
    if let Source::File(r) = &mut source {
        r.take_notes().iter().for_each(|n| eprintln!("osi-trace: warning: {n}"));
    }
    // A --write of a run without any segment still leaves a readable (empty) file.
    if let (Some(path), 0) = (&args.write, segments) {
        CaptureWriter::create(path, osi_trace::frame::LinkType::Ethernet, SNAPLEN)?.flush()?;
    }
    for s in an.open() {
        out.ended(s)?;
    }
    out.finish(segments)?;

    // The closing counts go to stderr, as tcpdump's do.
    let mut tail = format!(
        "{frames} frames, {segments} TCP segments, {} connection{}",
        an.streams(),
        if an.streams() == 1 { "" } else { "s" }
    );
    if skipped > 0 {
        tail.push_str(&format!(", {skipped} frames not decoded as TCP"));
    }
    if let Source::Live(cap) = &mut source {
        let st = cap.stats()?;
        tail.push_str(&format!("; kernel: {} frames passed the filter, {} dropped", st.received, st.dropped));
        if st.other_links > 0 {
            tail.push_str(&format!(", {} of links osi-trace cannot decode left out", st.other_links));
        }
    }
    if !args.output.quiet {
        eprintln!("{tail}");
    }
    if let Some(e) = match &source {
        Source::Live(cap) => cap.finish(),
        Source::File(_) => None,
    } {
        return Err(e);
    }
    if let Some(e) = damaged {
        return Err(e.context(format!(
            "{} is damaged",
            args.read.as_ref().map_or(String::new(), |p| p.display().to_string())
        )));
    }
    Ok(())
}

/// The output side: lines, ladders, JSON, summaries.
struct Out<'a, W: Write> {
    w: BufWriter<W>,
    live: bool,
    args: &'a Args,
    /// --ladder: each open connection's rows, printed when it ends.
    ladders: HashMap<u64, Vec<String>>,
    /// Summaries kept for the table at the end (bounded).
    summaries: Vec<Summary>,
    more_summaries: u64,
    /// The link the current frame was seen on, when there are several.
    link: Option<std::sync::Arc<str>>,
}

/// At most this many connection summaries are kept for the closing table.
const MAX_SUMMARIES: usize = 1000;

impl<W: Write> Out<'_, W> {
    fn line(&mut self, s: String) -> anyhow::Result<()> {
        if !self.args.output.quiet {
            writeln!(self.w, "{s}")?;
        }
        Ok(())
    }

    fn segment(
        &mut self,
        n: &osi_trace::analysis::Annotated,
        seg: &osi_trace::decode::Segment,
    ) -> anyhow::Result<()> {
        if self.args.summary_only {
            return Ok(());
        }
        if self.args.json {
            serde_json::to_writer(&mut self.w, &render::segment_json(n, seg))?;
            return Ok(writeln!(self.w)?);
        }
        if self.args.ladder {
            let rows = self.ladders.entry(n.stream).or_insert_with(|| {
                render::ladder_head(
                    n.stream,
                    if n.from == osi_trace::analysis::Side::Client { n.src } else { n.dst },
                    if n.from == osi_trace::analysis::Side::Client { n.dst } else { n.src },
                )
            });
            rows.push(render::ladder_row(n, seg));
            return Ok(());
        }
        let line = render::line(n, seg);
        self.line(match &self.link {
            Some(i) => render::on_link(i, line),
            None => line,
        })?;
        if self.args.layers {
            for l in render::layers(n, seg) {
                self.line(l)?;
            }
            self.line(format!("    {} {}", "cause".dimmed(), n.cause))?;
        }
        Ok(())
    }

    fn ended(&mut self, s: Summary) -> anyhow::Result<()> {
        if self.args.json {
            serde_json::to_writer(&mut self.w, &render::summary_json(&s))?;
            writeln!(self.w)?;
            return Ok(());
        }
        if let Some(rows) = self.ladders.remove(&s.stream) {
            for r in rows {
                self.line(r)?;
            }
            self.line(String::new())?;
        }
        if self.summaries.len() < MAX_SUMMARIES {
            self.summaries.push(s);
        } else {
            self.more_summaries += 1;
        }
        if self.live {
            self.w.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self, segments: u64) -> anyhow::Result<()> {
        if !self.args.json {
            self.summaries.sort_by_key(|s| s.stream);
            if !self.summaries.is_empty() {
                if !self.args.summary_only && !self.args.ladder {
                    self.line(String::new())?;
                }
                let n = self.summaries.len() as u64 + self.more_summaries;
                self.line(format!(
                    "{}",
                    format!(
                        "Summary: {n} connection{}, {segments} TCP segments",
                        if n == 1 { "" } else { "s" }
                    )
                    .bold()
                ))?;
            }
            let summaries = std::mem::take(&mut self.summaries);
            for s in &summaries {
                for l in render::summary(s) {
                    self.line(l)?;
                }
            }
            if self.more_summaries > 0 {
                self.line(format!("… and {} more connections (use --json for all)", self.more_summaries))?;
            }
        }
        self.w.flush()?;
        Ok(())
    }
}
