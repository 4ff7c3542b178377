//! osi-trace: what your socket code did on the wire, segment by segment,
//! explained by OSI layer, TCP state and the socket call that caused it.
//!
//! # Layout
//!
//! Data flows one way, one frame at a time: **source → decode → analyse → render**.
//!
//! - [`frame`]: a captured frame (time, link type, bytes), the seam between sources and the rest.
//! - Sources: [`capture`] (live, an `AF_PACKET` socket with a BPF filter) and [`pcap`]
//!   (pcap/pcapng files, and the `--write` writer).
//! - [`decode`]: pure, one walk down each frame's layers → a TCP segment (one struct per
//!   layer: `Link`, `Ip`, `Tcp`, payload), a control message (ARP, ICMP, ICMPv6:
//!   `decode::control`), or a reason why the frame is skipped. Never panics.
//!   `render::words::control` says a control message in one line; [`neighbours`] which request
//!   a neighbour reply answers.
//! - [`analysis`]: pure, segments → connections: stream numbers, relative sequence numbers,
//!   Wireshark's analysis flags, both ends' TCP states, each segment's role. Facts, no words.
//! - [`render`]: the words (`render::words`, one module per view) and the text views: line, `--layers`, `--ladder`,
//!   summaries. [`json`]: the `--json` schema as types (the hop view's too).
//! - [`output`]: writes the chosen view; [`save`]: `--write`, whole or not at all;
//!   [`target`]: where `--write` and `--tsg` write (a file replaced whole, a FIFO written through);
//!   `main.rs` wires the pipeline and the flags.
//! - [`graph`]: `--tsg`, one connection's time-sequence graph as SVG.
//! - [`explorer`]: `--html`, the whole run as one self-contained page (ladder, list,
//!   layers, bytes, the code), built from the `--json` records.
//! - [`hop`]: `--hop`, two links' captures matched datagram by datagram: what a router
//!   changes (MACs, TTL) and what it keeps; `render::hop` lays it out.

pub mod analysis;
pub mod capture;
pub mod decode;
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
pub mod target;
