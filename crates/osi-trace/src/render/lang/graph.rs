//! The Vietnamese of the `--tsg` graph's labels and of the errors that stop it
//! (`render::words::graph`).

use crate::render::words::graph::{Labels, NoGraph};

pub const LABELS: Labels = Labels {
    x_axis: "thời gian (s, tính từ frame đầu tiên của capture)",
    y_axis: "số thứ tự (byte, tương đối: SYN là 0)",
    segment: "segment (từ seq tới seq kế tiếp)",
    retransmission: "R: truyền lại",
    ack: "ACK từ phía bên kia",
    window: "window: ACK + window đã công bố",
    sack: "khối SACK",
};

/// The error line (its hint after `; gợi ý: `).
pub fn no_graph(why: NoGraph) -> String {
    match why {
        NoGraph::TooMany { max, several } => {
            let hint = if several {
                "hãy chọn một kết nối bằng --stream N"
            } else {
                "hãy vẽ vài giây đầu của nó: --duration S (với --read, là số giây của capture)"
            };
            format!("hơn {max} segment và ACK để vẽ; gợi ý: {hint}")
        }
        NoGraph::NoStream(w) => format!(
            "stream {w} không có trong trace; gợi ý: các bản tóm tắt (--summary-only) liệt kê các stream"
        ),
        NoGraph::NoSegment => "không có segment TCP nào để vẽ".into(),
        NoGraph::Forgotten { stream, kept, forgotten } => format!(
            "stream {stream} mang nhiều byte nhất, nhưng các segment đầu của nó đã bị quên: --tsg giữ các segment \
             của {kept} kết nối cùng lúc ({forgotten} bị quên); gợi ý: --stream {stream} vẽ riêng nó"
        ),
        NoGraph::NothingSent(s) => {
            format!("stream {s} không gửi segment nào có dữ liệu, SYN hay FIN để vẽ")
        }
    }
}
