//! The exercises of lessons 1 and 2, before any server runs: a SYN to a port nobody
//! listens on (lesson 1), and which socket call put which segment of one echo on the
//! wire (lesson 2, answered from lesson 3's capture).

use super::reading::{count, first, or_null, role, seg, segment};
use super::Question;
use osi_trace::json::Record;

/// The socket call a segment's `cause` names ("client's connect()" → `connect`), or
/// `none` when the kernel sent it by itself ("server's kernel (no socket call)").
pub(super) fn call(cause: &str) -> Option<String> {
    let (_, what) = cause.split_once("'s ")?;
    if what.starts_with("kernel") {
        return Some("none".to_string());
    }
    Some(what.split('(').next()?.trim().to_string())
}

/// The call behind a segment, from its `cause`.
fn call_behind(row: &Record) -> Option<String> {
    call(&segment(row)?.cause)
}

pub(super) const LESSON_01: &[Question] = &[
    Question {
        key: "segments",
        text: "How many TCP segments did the capture hold?",
        text_vi: "Capture chứa bao nhiêu TCP segment?",
        answer: || count(|r| seg(r, 0), |n| Some(n.to_string())),
        why: "the client's SYN, and the RST that refused it: nothing listened, so no handshake followed and connect() failed at once",
        why_vi: "SYN của client, và RST đã từ chối nó: không có gì lắng nghe, nên không có handshake nào theo sau và connect() thất bại ngay",
    },
    Question {
        key: "reset_flags",
        text: "Which flags did the answer to the SYN carry, as the trace writes them?",
        text_vi: "Câu trả lời cho SYN mang những flag nào (ghi như trong trace)?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(segment(r)?.flags.clone())),
        why: "RST, because no socket listens on the port; ACK too, because the SYN carried no ACK, so the RST acknowledges it instead (RFC 9293 §3.10.7.1)",
        why_vi: "RST, vì không socket nào lắng nghe trên port đó; và cả ACK, vì SYN không mang ACK, nên RST xác nhận chính SYN (RFC 9293 §3.10.7.1)",
    },
    Question {
        key: "reset_from",
        text: "Which side sent the RST (client or server)?",
        text_vi: "Bên nào đã gửi RST (`client` hay `server`)?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(segment(r)?.from.clone())),
        why: "the server host's kernel answered by itself: no program listens on the port, and none is needed to refuse",
        why_vi: "kernel của máy server tự trả lời: không chương trình nào lắng nghe trên port đó, và cũng chẳng cần chương trình nào để từ chối",
    },
    Question {
        key: "reset_ack",
        text: "What is the RST's relative acknowledgement number?",
        text_vi: "Số xác nhận (acknowledgement number) tương đối của RST là bao nhiêu?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(or_null(segment(r)?.ack))),
        why: "it acknowledges the SYN, which counts as one byte in sequence space, so the client's kernel matches it to its connect(), which fails with ECONNREFUSED",
        why_vi: "nó xác nhận SYN, vốn được tính là một byte trong không gian số thứ tự, nên kernel của client khớp nó với connect() của mình, và connect() thất bại với ECONNREFUSED",
    },
    Question {
        key: "reset_seq_raw",
        text: "What is the RST's raw (absolute) sequence number?",
        text_vi: "Số thứ tự (sequence number) thô (tuyệt đối) của RST là bao nhiêu?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(segment(r)?.seq_raw.to_string())),
        why: "an RST answering a segment without ACK takes sequence number 0 (RFC 9293 §3.10.7.1; Linux's tcp_v4_send_reset)",
        why_vi: "một RST trả lời cho segment không có ACK lấy số thứ tự 0 (RFC 9293 §3.10.7.1; hàm tcp_v4_send_reset của Linux)",
    },
];

pub(super) const LESSON_02: &[Question] = &[
    Question {
        key: "segments",
        text: "How many TCP segments did one \"Hello\" echo put on the wire, first SYN to last ACK?",
        text_vi: "Một lần echo \"Hello\" đưa bao nhiêu TCP segment lên đường truyền, từ SYN đầu tiên tới ACK cuối cùng?",
        answer: || count(|r| seg(r, 0), |n| Some(n.to_string())),
        why: "3 for the handshake (connect()), 4 for the echo (\"Hello\" each way, from the two send() calls, each ACKed by the receiving kernel), 3 or 4 for the teardown (a FIN from each close(), each ACKed; in lesson 3's capture the server's ACK of the client's FIN rides on its own FIN): 10 there, and one more in a run where that ACK goes alone",
        why_vi: "3 cho handshake (connect()), 4 cho echo (\"Hello\" mỗi chiều, từ hai lời gọi send(), mỗi segment được kernel bên nhận ACK), 3 hoặc 4 cho phần đóng kết nối (một FIN từ mỗi close(), mỗi FIN được ACK; trong capture của bài 3, ACK của server cho FIN của client đi chung với FIN của chính server): ở đó là 10, và thêm một trong lần chạy mà ACK ấy đi riêng",
    },
    Question {
        key: "syn_call",
        text: "Which socket call made the client's SYN? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra SYN của client? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || first(|r| role(r, 0, "syn"), call_behind),
        why: "connect() sends the SYN: CLOSED → SYN_SENT",
        why_vi: "connect() gửi SYN: CLOSED → SYN_SENT",
    },
    Question {
        key: "syn_ack_call",
        text: "Which socket call made the server's SYN+ACK? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra SYN+ACK của server? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || first(|r| role(r, 0, "syn_ack"), call_behind),
        why: "the server's kernel answers the SYN by itself, for the socket in LISTEN; accept() only takes the finished connection off the accept queue, and sends nothing",
        why_vi: "kernel của server tự trả lời SYN, thay cho socket đang ở LISTEN; accept() chỉ lấy kết nối đã xong ra khỏi accept queue, và không gửi gì",
    },
    Question {
        key: "data_call",
        text: "Which socket call made the client's segment carrying \"Hello\"? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra segment của client mang \"Hello\"? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || first(|r| role(r, 0, "data"), call_behind),
        why: "send() (the article's sendall()) copies the bytes into the send buffer, and TCP sends them",
        why_vi: "send() (sendall() trong bài viết) chép các byte vào bộ đệm gửi, và TCP gửi chúng đi",
    },
    Question {
        key: "data_ack_call",
        text: "Which socket call made the server's ACK of \"Hello\"? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra ACK của server cho \"Hello\"? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || first(|r| role(r, 0, "ack"), call_behind),
        why: "acknowledging is the kernel's business: it ACKs whether or not the program has called recv() yet",
        why_vi: "xác nhận là việc của kernel: nó gửi ACK dù chương trình đã gọi recv() hay chưa",
    },
    Question {
        key: "first_fin_call",
        text: "Which socket call made the first FIN? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra FIN đầu tiên? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || first(|r| role(r, 0, "fin"), call_behind),
        why: "the client's close() (in the article, the end of its `with` block): the client has its echo and leaves first",
        why_vi: "close() của client (trong bài viết, chỗ kết thúc khối `with` của nó): client đã nhận echo và rời đi trước",
    },
];

#[cfg(test)]
mod tests {
    use super::call;

    #[test]
    fn the_call_is_read_from_the_cause() {
        assert_eq!(call("client's connect()").as_deref(), Some("connect"));
        assert_eq!(call("client's send()/sendall()").as_deref(), Some("send"));
        assert_eq!(call("server's kernel (no socket call)").as_deref(), Some("none"));
        assert_eq!(
            call("client's close() or shutdown(SHUT_WR), or the process exiting").as_deref(),
            Some("close")
        );
        assert_eq!(call("no owner"), None);
    }
}
