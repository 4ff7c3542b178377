//! The words of the `--tsg` graph (its title, axes and legend) and of the errors
//! that stop it: too many points, no such stream, nothing to draw. The
//! Vietnamese of the graph's labels is in `lang::graph`.

use kit::lang::vi;

use crate::analysis::Side;
use crate::render::lang::graph as vi_words;

/// The labels of one graph, in one language.
pub struct Labels {
    pub x_axis: &'static str,
    pub y_axis: &'static str,
    pub segment: &'static str,
    pub retransmission: &'static str,
    pub ack: &'static str,
    pub window: &'static str,
    pub sack: &'static str,
}

const EN: Labels = Labels {
    x_axis: "time (s, since the capture's first frame)",
    y_axis: "sequence number (bytes, relative: the SYN is 0)",
    segment: "segment (seq to next seq)",
    retransmission: "R: retransmission",
    ack: "ACK from the other side",
    window: "window: ACK + advertised window",
    sack: "SACK block",
};

/// The labels in the process's language.
pub fn labels() -> &'static Labels {
    if vi() {
        &vi_words::LABELS
    } else {
        &EN
    }
}

/// The graph's title: which stream, whose segments, which way.
pub fn title(stream: u64, side: Side, from: &str, to: &str) -> String {
    if vi() {
        return format!(
            "Đồ thị time-sequence: stream {stream}, các segment của {} {from} → {to}",
            side.name()
        );
    }
    format!("Time-sequence graph: stream {stream}, the {}'s segments {from} → {to}", side.name())
}

/// Why no graph can be drawn.
#[derive(Debug, Clone, Copy)]
pub enum NoGraph {
    /// More points than a graph holds; whether several streams could be picked from.
    TooMany {
        max: usize,
        several: bool,
    },
    /// `--stream N` names no stream of the trace.
    NoStream(u64),
    NoSegment,
    /// The busiest stream's first segments were forgotten: it, the most kept, how many forgotten.
    Forgotten {
        stream: u64,
        kept: usize,
        forgotten: u64,
    },
    /// The stream sent nothing to graph.
    NothingSent(u64),
}

/// The error line (its hint after `; hint: `).
pub fn no_graph(why: NoGraph) -> String {
    if vi() {
        return vi_words::no_graph(why);
    }
    match why {
        NoGraph::TooMany { max, several } => {
            let hint = if several {
                "pick one connection with --stream N"
            } else {
                "graph its first seconds: --duration S (with --read, seconds of the capture)"
            };
            format!("more than {max} segments and ACKs to graph; hint: {hint}")
        }
        NoGraph::NoStream(w) => {
            format!("stream {w} is not in the trace; hint: the summaries (--summary-only) list the streams")
        }
        NoGraph::NoSegment => "no TCP segment to graph".into(),
        NoGraph::Forgotten { stream, kept, forgotten } => format!(
            "stream {stream} carried the most bytes, but its first segments were forgotten: --tsg keeps those of \
             {kept} connections at a time ({forgotten} forgotten); hint: --stream {stream} graphs it alone"
        ),
        NoGraph::NothingSent(s) => format!("stream {s} sent no segment with data, SYN or FIN to graph"),
    }
}

/// The context of an error writing the graph.
pub fn writing_graph(path: &str) -> String {
    if vi() {
        return format!("khi ghi đồ thị vào {path}");
    }
    format!("writing the graph to {path}")
}
