//! osi-trace: what your socket code did on the wire, segment by segment,
//! explained by OSI layer, TCP state and the socket call that caused it.
//!
//! # Layout
//!
//! Data flows one way, one frame at a time: **source → decode → analyse → render → output**,
//! and the modules import each other in that order only (decode never imports the analysis,
//! the analysis never the words, the words never a driver).
//!
//! - [`frame`]: a captured frame (time, link type, bytes), the seam between sources and the rest.
//! - [`source`]: where frames come from, the same way for every driver: a file ([`pcap`]:
//!   pcap/pcapng, and the `--write` writer) or a live capture ([`capture`]: an `AF_PACKET`
//!   socket with a BPF filter) that says READY, read until the end or a signal
//!   (`source::Stop`: Ctrl-C and SIGTERM, handled once for the process).
//! - [`decode`]: pure, one walk down each frame's layers → a TCP segment (one struct per
//!   layer: `Link`, `Ip`, `Tcp`, payload), a control message (ARP, ICMP, ICMPv6:
//!   `decode::control`), or a reason why the frame is skipped. Never panics.
//!   [`neighbours`] says which request a neighbour reply answers.
//! - [`analysis`]: pure, segments → connections: stream numbers, relative sequence numbers,
//!   Wireshark's analysis flags, both ends' TCP states, each segment's role. Facts, no words.
//!   [`hop`]: pure, two links' frames matched datagram by datagram: what a router changes
//!   (MACs, TTL) and what it keeps.
//! - [`render`]: the words (`render::words`, one module per view) and the text views: line,
//!   `--layers`, `--ladder`, summaries, the hop view. [`json`]: every `--json` record as one
//!   `Record` enum, the schema versioned in its first record.
//! - [`output`]: one sink per view (line, ladder, summary, JSON, the hop view's), chosen once;
//!   [`explorer`]: `--html`, the whole run as one self-contained page built from the `--json`
//!   records; [`graph`]: `--tsg`, one connection's time-sequence graph as SVG; [`save`]:
//!   `--write`, whole or not at all; [`target`]: where `--write`, `--tsg` and `--html` write
//!   (a file replaced whole, a FIFO written through).
//! - [`drive`]: the drivers that wire it from the command line ([`cli`]): the trace, and the
//!   hop view from two files or two live links. `main.rs` parses the flags and picks one.

pub mod analysis;
pub mod capture;
pub mod cli;
pub mod decode;
pub mod drive;
pub mod explorer;
pub mod frame;
pub mod graph;
pub mod hop;
pub mod json;
pub mod neighbours;
pub mod output;
pub mod pcap;
pub mod render;
pub mod save;
pub mod source;
pub mod target;
