//! The run's last words on stderr, as tcpdump's: how many frames, segments and
//! connections, what the kernel and osi-trace dropped live, the graph written,
//! the file found damaged, the page written. Each asks [`kit::lang::vi`] first.

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

/// The context of an error writing the `--html` page.
pub fn writing_page(path: &str) -> String {
    if kit::lang::vi() {
        return vi::writing_page(path);
    }
    format!("writing the page to {path}")
}

/// The line after `--html` wrote its page.
pub fn wrote_page(path: &str, segments: usize, kib: usize) -> String {
    if kit::lang::vi() {
        return vi::wrote_page(path, segments, kib);
    }
    format!("wrote {path}: {} ({kib} KiB)", kit::plural(segments as u64, "segment"))
}

/// What a page left out, after [`wrote_page`].
pub fn page_left_out(left_out: u64, cap: usize) -> String {
    if kit::lang::vi() {
        return vi::page_left_out(left_out, cap);
    }
    format!("; {left_out} left out (a page holds {cap}: choose with --stream or --count)")
}

/// After a `--programs` name that is not one of the kit's programs.
pub fn not_a_program() -> &'static str {
    if kit::lang::vi() {
        return "không phải chương trình của bộ kit, các lệnh của nó được nêu tên mà không có listing";
    }
    "not a program of the kit, its calls are named without a listing"
}
