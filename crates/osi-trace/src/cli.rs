//! osi-trace's command line: every flag, with its help text, in one place.
//! `main.rs` parses it and hands it to a driver (`drive`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::capture::{Limits, DEFAULT_BUFFER_MIB};
use crate::output::View;

/// What the hop view does not combine with: it shows datagrams, not connections.
pub const HOP_ALONE: [&str; 9] =
    ["port", "write", "count", "connections", "layers", "ladder", "rtt", "tsg", "summary_only"];

/// Capture a TCP run and explain each segment by layer, state and cause.
#[derive(Parser, Debug)]
#[command(version, about)]
#[command(group(clap::ArgGroup::new("replaceable").args(["tsg", "html"]).multiple(true)))]
pub struct Args {
    /// Keep only TCP segments to or from this port (the servers' default is 65432).
    #[arg(long)]
    pub port: Option<u16>,

    /// Interface to capture on; repeat it for several, or `any` for all.
    #[arg(long, short, default_value = "lo")]
    pub interface: Vec<String>,

    /// Read frames from this pcap or pcapng file instead of capturing.
    #[arg(long, short)]
    pub read: Option<PathBuf>,

    /// Also save the frames shown (TCP, ARP, ICMP) to this pcap file (for Wireshark).
    #[arg(long, short)]
    pub write: Option<PathBuf>,

    /// With --write: keep at most N bytes of each frame, as tcpdump -s (96: the headers of a typical
    /// TCP segment; 0: whole frames). Each frame keeps its length on the wire.
    #[arg(long, short = 's', value_name = "N", requires = "write", allow_negative_numbers = true,
          value_parser = crate::save::snaplen)]
    pub snaplen: Option<u32>,

    /// Stop after this many TCP segments.
    #[arg(long, short = 'c')]
    pub count: Option<u64>,

    /// Stop after this many seconds: of wall-clock time live, of capture time with --read.
    #[arg(long, value_parser = kit::duration::seconds)]
    pub duration: Option<Duration>,

    /// Live: memory for frames captured but not yet shown, in MiB; frames beyond it are dropped and counted.
    #[arg(long, value_name = "MiB", default_value_t = DEFAULT_BUFFER_MIB, conflicts_with = "read",
          value_parser = clap::value_parser!(u32).range(1..=1 << 20))]
    pub buffer: u32,

    /// Stop once this many connections have ended (FIN both ways, or RST).
    #[arg(long)]
    pub connections: Option<u64>,

    /// Show each segment's L2, L3, L4 and L7 below its line.
    #[arg(long)]
    pub layers: bool,

    /// Draw each connection as a ladder (time-sequence) diagram.
    #[arg(long, conflicts_with_all = ["layers", "json"])]
    pub ladder: bool,

    /// JSON Lines: one object per segment and per connection (schema in the README).
    #[arg(long, conflicts_with = "layers")]
    pub json: bool,

    /// Each ACK's RTT sample (Wireshark's ack_rtt), and RFC 6298's SRTT and RTO in the summaries.
    #[arg(long, conflicts_with = "ladder")]
    pub rtt: bool,

    /// Write a time-sequence graph (sequence number against time, ACK and window lines) as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub tsg: Option<PathBuf>,

    /// The connection (tcp.stream) to graph, or the only one on the --html page; the graph's
    /// default: the one that carried the most bytes one way.
    #[arg(long, value_name = "N", requires = "replaceable")]
    pub stream: Option<u64>,

    /// Hop view: the capture of the router's other link; --read gives the first link's.
    /// Each datagram seen on both links once, its two copies side by side per layer.
    /// Without a file: live, on the two --interface given (in the router's namespace).
    #[arg(long, value_name = "LINK2.pcap", num_args = 0..=1, conflicts_with_all = HOP_ALONE)]
    pub hop: Option<Option<PathBuf>>,

    /// Write the whole run as one page to open in a browser: ladder, segments, layers,
    /// bytes and the code that sent each segment (the trace explorer).
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<PathBuf>,

    /// With --html: the kit's programs that ran, e.g. server-basic,client; the page
    /// shows the line of each program that made a segment's socket call.
    #[arg(long, value_name = "NAMES", value_delimiter = ',', requires = "html")]
    pub programs: Vec<String>,

    /// Replace the --tsg or --html file if it exists.
    #[arg(long, requires = "replaceable")]
    pub force: bool,

    /// Only the connection summaries, no line per segment.
    #[arg(long)]
    pub summary_only: bool,

    /// Fit every line in N columns (0: never wrap); default: the terminal's width, or one line per segment when stdout is a file or a pipe.
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,

    /// The language of the explanations: en or vi (default: the first of LC_ALL, LC_MESSAGES,
    /// LANG that is set; one starting with `vi` is Vietnamese). --json is the same in both.
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<kit::Lang>,

    #[command(flatten)]
    pub output: kit::OutputArgs,
}

impl Args {
    /// Live: how long to capture and how much the capture may hold.
    pub fn limits(&self) -> Limits {
        Limits { buffer: (self.buffer as usize) << 20, duration: self.duration }
    }

    /// The view the flags choose.
    pub fn view(&self) -> View {
        View {
            layers: self.layers,
            ladder: self.ladder,
            json: self.json,
            summary_only: self.summary_only,
            rtt: self.rtt,
            quiet: self.output.quiet,
            width: width(self),
        }
    }
}

/// Columns to fit (projection mode): `--width`, else the width of the terminal
/// stdout is (`$COLUMNS` only when that terminal reports none), else 0: a file
/// or a pipe gets one line per segment, as tcpdump's does, whatever `$COLUMNS`
/// says (an interactive bash does not export it, so a student's `> trace.txt`
/// and a script's must read alike).
pub fn width(args: &Args) -> usize {
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
