//! The exercise of lesson 13: a silent client and a real one against
//! `server-epoll --idle-timeout 2`. One thread serves the real client at once
//! while the silent one waits, and the idle timer closes the silent one.

use osi_trace::json::Record;

use super::reading::{connection, first, firsts, from, role, segment, yes_no};
use super::Question;

/// The time of a row, in seconds since the first frame.
fn time(row: Option<&Record>) -> Option<f64> {
    Some(segment(row?)?.time)
}

/// The first FIN of the silent connection (stream 0).
fn idle_fin(row: &Record) -> bool {
    role(row, 0, "fin")
}

pub(super) const LESSON_13: &[Question] = &[
    Question {
        key: "idle_closed_by",
        text: "Which side sent the first FIN of the silent connection, stream 0 (client or server)?",
        text_vi: "Bên nào đã gửi FIN đầu tiên của kết nối im lặng, stream 0 (`client` hay `server`)?",
        answer: || first(idle_fin, |r| Some(segment(r)?.from.clone())),
        why: "the client never sent a byte and never closed: the server's idle timer (--idle-timeout) closed it, so the server made the active close",
        why_vi: "client không bao giờ gửi byte nào và không bao giờ đóng: bộ đếm giờ rảnh (--idle-timeout) của server đã đóng nó, nên server là bên chủ động đóng",
    },
    Question {
        key: "idle_seconds",
        text: "How many whole seconds after its handshake did that FIN leave?",
        text_vi: "FIN đó ra đi bao nhiêu giây chẵn sau handshake của kết nối?",
        answer: || {
            firsts([|r| role(r, 0, "handshake_ack"), idle_fin], |[ack, fin]| {
                Some(((time(fin)? - time(ack)?).floor() as i64).to_string())
            })
        },
        why: "--idle-timeout 2: the server closes a client 2 s after its last byte in or out, and a silent client's last is its handshake",
        why_vi: "--idle-timeout 2: server đóng một client 2 s sau byte cuối cùng vào hay ra, và với một client im lặng thì cái cuối cùng là handshake của nó",
    },
    Question {
        key: "idle_bytes",
        text: "How many payload bytes did the silent client send?",
        text_vi: "Client im lặng đã gửi bao nhiêu byte payload?",
        answer: || {
            first(
                |r| connection(r).is_some_and(|c| c.stream == 0),
                |r| Some(connection(r)?.client_to_server.bytes.to_string()),
            )
        },
        why: "none: it connected and waited, holding a socket (and an fd) of the server's, as slowloris's clients do",
        why_vi: "không byte nào: nó kết nối rồi chờ, giữ một socket (và một fd) của server, như các client của slowloris vẫn làm",
    },
    Question {
        key: "echoed_while_idle",
        text: "Did the other client (stream 1) get its echo before the silent connection was closed? (yes or no)",
        text_vi: "Client kia (stream 1) có nhận được echo trước khi kết nối im lặng bị đóng không? (`yes` hoặc `no`)",
        answer: || {
            let echo = |r: &Record| role(r, 1, "data") && from(r, "server");
            firsts([echo, idle_fin], |[echo, fin]| Some(yes_no(time(echo)? < time(fin)?)))
        },
        why: "epoll_wait() reported the second client's socket as soon as its bytes arrived; the silent socket, never ready, cost the one thread nothing",
        why_vi: "epoll_wait() báo socket của client thứ hai ngay khi các byte của nó đến; socket im lặng, không bao giờ sẵn sàng, chẳng tốn gì của thread duy nhất",
    },
    Question {
        key: "idle_fin_call",
        text: "Which socket call made the server's FIN? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra FIN của server? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || first(idle_fin, |r| segment(r)?.call.clone()),
        why: "when the idle timer expired, the server called close() on the socket: its kernel sent the FIN",
        why_vi: "khi bộ đếm giờ rảnh hết hạn, server gọi close() trên socket: kernel của nó gửi FIN",
    },
];
