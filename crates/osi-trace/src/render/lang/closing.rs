//! The Vietnamese of the run's last words on stderr (`render::closing`).

use crate::analysis::Side;
use crate::capture::CaptureStats;

/// Frames, segments, connections, and what was left out.
pub fn counts(frames: u64, segments: u64, connections: u64, skipped: u64, evicted: u64) -> String {
    let mut tail = format!("{frames} frame, {segments} segment TCP, {connections} kết nối");
    if skipped > 0 {
        tail.push_str(&format!(", {skipped} frame không giải mã được thành TCP"));
    }
    if evicted > 0 {
        tail.push_str(&format!(", {evicted} kết nối bị quên khi còn mở (giới hạn bộ nhớ)"));
    }
    tail
}

/// Live, the kernel's counts and osi-trace's own drops.
pub fn live_counts(st: &CaptureStats, stopped: bool) -> String {
    let mut tail = format!("; kernel: {} frame qua bộ lọc, {} bị bỏ", st.received, st.dropped);
    if st.other_links > 0 {
        tail.push_str(&format!(
            ", {} frame của các link osi-trace không giải mã được bị bỏ qua",
            st.other_links
        ));
    }
    if st.overflowed > 0 {
        tail.push_str(&format!(
            "; {} bị osi-trace bỏ: bộ đệm {} MiB của nó đã đầy, hãy tăng --buffer",
            st.overflowed,
            st.buffer >> 20
        ));
    }
    if stopped && st.unread > 0 {
        tail.push_str(&format!("; {} đã bắt nhưng không hiển thị (Ctrl-C hai lần)", st.unread));
    }
    tail
}

/// The line after `--tsg` wrote its graph.
pub fn wrote_tsg(path: &str, stream: u64, side: Side, marks: usize) -> String {
    format!("đã ghi {path}: stream {stream}, các segment của {}, {marks} lần truyền lại", side.name())
}

/// The context of the error that stopped reading a damaged file.
pub fn damaged(path: &str) -> String {
    format!("{path} bị hỏng")
}

/// The context of an error writing the `--html` page.
pub fn writing_page(path: &str) -> String {
    format!("khi ghi trang vào {path}")
}

/// The line after `--html` wrote its page.
pub fn wrote_page(path: &str, segments: usize, kib: usize) -> String {
    format!("đã ghi {path}: {segments} segment ({kib} KiB)")
}

/// What a page left out.
pub fn page_left_out(left_out: u64, cap: usize) -> String {
    format!("; {left_out} bị bỏ ra (một trang giữ {cap}: chọn bằng --stream hoặc --count)")
}
