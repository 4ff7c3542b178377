//! The run's last words on stderr, as tcpdump's: how many frames, segments and
//! connections, what the kernel and osi-trace dropped live, the graph written,
//! the file found damaged. Each asks [`kit::lang::vi`] first.

use crate::analysis::Side;
use crate::capture::CaptureStats;

use super::lang::closing as vi;

/// The closing counts: frames, segments, connections, and what was left out.
pub fn counts(frames: u64, segments: u64, connections: u64, skipped: u64, evicted: u64) -> String {
    if kit::lang::vi() {
        return vi::counts(frames, segments, connections, skipped, evicted);
    }
    let mut tail = format!(
        "{}, {}, {}",
        kit::plural(frames, "frame"),
        kit::plural(segments, "TCP segment"),
        kit::plural(connections, "connection")
    );
    if skipped > 0 {
        tail.push_str(&format!(", {skipped} frames not decoded as TCP"));
    }
    if evicted > 0 {
        tail.push_str(&format!(", {evicted} forgotten while open (memory bound)"));
    }
    tail
}

/// Live, the kernel's counts and osi-trace's own drops after the closing counts.
pub fn live_counts(st: &CaptureStats, stopped: bool) -> String {
    if kit::lang::vi() {
        return vi::live_counts(st, stopped);
    }
    let mut tail = format!("; kernel: {} frames passed the filter, {} dropped", st.received, st.dropped);
    if st.other_links > 0 {
        tail.push_str(&format!(", {} of links osi-trace cannot decode left out", st.other_links));
    }
    if st.overflowed > 0 {
        tail.push_str(&format!(
            "; {} dropped by osi-trace: its buffer of {} MiB was full, raise --buffer",
            st.overflowed,
            st.buffer >> 20
        ));
    }
    if stopped && st.unread > 0 {
        tail.push_str(&format!("; {} captured but not shown (Ctrl-C twice)", st.unread));
    }
    tail
}

/// The line after `--tsg` wrote its graph.
pub fn wrote_tsg(path: &str, stream: u64, side: Side, marks: usize) -> String {
    if kit::lang::vi() {
        return vi::wrote_tsg(path, stream, side, marks);
    }
    format!(
        "wrote {path}: stream {stream}, the {}'s segments, {}",
        side.name(),
        kit::plural(marks as u64, "retransmission")
    )
}

/// The context of the error that stopped reading a damaged file.
pub fn damaged(path: &str) -> String {
    if kit::lang::vi() {
        return vi::damaged(path);
    }
    format!("{path} is damaged")
}
