//! The exercises of lessons 15 and 16, read from the client's link (link1) of
//! the lab: "Hello" dropped by the router, sent again by a timer that backs off
//! (lesson 15); a 1 MiB echo through a 2 Mbit/s bottleneck, its RTT estimate
//! and the SACK blocks that repair the drops at the full queue (lesson 16).

use osi_trace::json::{ConnectionRecord, Record, RttRecord};

use super::reading::{connection, count, first, from, role, seg, segment, Answer};
use super::Question;

/// Whether `row` is one of the client's data segments on stream 0, first copies and resent ones.
fn client_data(row: &Record) -> bool {
    role(row, 0, "data") && from(row, "client")
}

/// The back-off of the client's retransmission timer: the wait of its last copy
/// of data over the wait of the copy before, rounded.
#[derive(Default)]
struct Backoff {
    waits: [Option<f64>; 2],
}

impl Answer for Backoff {
    fn row(&mut self, row: &Record) {
        if let Some(wait) = segment(row).and_then(|s| s.resent_after).filter(|_| client_data(row)) {
            self.waits = [self.waits[1], Some(wait)];
        }
    }

    fn answer(&self) -> Option<String> {
        let [Some(before), Some(last)] = self.waits else { return None };
        (before > 0.0).then(|| format!("{}", (last / before).round()))
    }
}

pub(super) const LESSON_15: &[Question] = &[
    Question {
        key: "copies",
        text: "How many times in all did the client's kernel send \"Hello\" (the first time included)?",
        text_vi: "Kernel của client đã gửi \"Hello\" tổng cộng bao nhiêu lần (tính cả lần đầu)?",
        answer: || count(client_data, |n| Some(n.to_string())),
        why: "send() was called once; every other copy is the kernel's, sent when no ACK came in time, until the client's 8 s deadline closed the socket",
        why_vi: "send() chỉ được gọi một lần; mọi bản sao khác là của kernel, gửi khi không có ACK nào đến kịp, cho tới khi hạn chót 8 s của client đóng socket",
    },
    Question {
        key: "first_resend_ms",
        text: "To the nearest 100 ms, how long after \"Hello\" did its first copy leave?",
        text_vi: "Làm tròn tới 100 ms, bản sao đầu tiên của \"Hello\" ra đi bao lâu sau nó?",
        answer: || {
            first(
                |r| client_data(r) && segment(r).is_some_and(|s| s.resent_after.is_some()),
                |r| Some(format!("{}", (segment(r)?.resent_after? * 10.0).round() * 100.0)),
            )
        },
        why: "about 200 ms: Linux's tail loss probe, and its minimum retransmission timeout, are both 200 ms on a link whose round trip is well under a millisecond",
        why_vi: "khoảng 200 ms: tail loss probe của Linux, và thời gian chờ truyền lại tối thiểu của nó, đều là 200 ms trên một link có thời gian khứ hồi dưới một mili giây khá xa",
    },
    Question {
        key: "backoff",
        text: "The last copy waited how many times as long as the copy before it (rounded)?",
        text_vi: "Bản sao cuối cùng đã chờ lâu gấp bao nhiêu lần bản sao trước nó (làm tròn)?",
        answer: || Box::<Backoff>::default(),
        why: "each retransmission timeout that expires doubles the next one (exponential back-off, RFC 6298 §5.5)",
        why_vi: "mỗi lần hết giờ truyền lại (retransmission timeout) làm lần kế tiếp dài gấp đôi (exponential back-off, RFC 6298 §5.5)",
    },
    Question {
        key: "rst_seq",
        text: "Which relative sequence number does the client's first RST carry?",
        text_vi: "RST đầu tiên của client mang số thứ tự tương đối nào?",
        answer: || first(|r| role(r, 0, "reset") && from(r, "client"), |r| Some(segment(r)?.seq.to_string())),
        why: "the client's next byte after \"Hello\" (bytes 1 to 5): its kernel counts them as sent, though none arrived",
        why_vi: "byte kế tiếp của client sau \"Hello\" (các byte 1 tới 5): kernel của nó tính chúng là đã gửi, dù không byte nào đến nơi",
    },
    Question {
        key: "challenge_ack",
        text: "Which relative ack does the server's answer to that RST carry?",
        text_vi: "Câu trả lời của server cho RST đó mang ack tương đối nào?",
        answer: || first(|r| role(r, 0, "challenge_ack"), |r| Some(segment(r)?.ack?.to_string())),
        why: "the server never got \"Hello\" and expects byte 1: an RST at another number only draws a challenge ACK saying what it expects (RFC 5961)",
        why_vi: "server chưa bao giờ nhận được \"Hello\" và đang chờ byte 1: một RST ở số khác chỉ nhận về một challenge ACK nói rõ nó đang chờ gì (RFC 5961)",
    },
];

/// Whether `row` is a segment of the server's, on stream 0, with SACK blocks.
fn server_sack(row: &Record) -> bool {
    seg(row, 0) && from(row, "server") && segment(row).is_some_and(|s| !s.sack.is_empty())
}

/// The SRTT of one direction of stream 0, in seconds, from its connection record.
fn srtt(row: &Record, direction: fn(&ConnectionRecord) -> &Option<Box<RttRecord>>) -> Option<f64> {
    Some(direction(connection(row)?).as_ref()?.srtt)
}

fn connection_0(row: &Record) -> bool {
    connection(row).is_some_and(|c| c.stream == 0)
}

pub(super) const LESSON_16: &[Question] = &[
    Question {
        key: "client_srtt_ms",
        text: "RFC 6298's SRTT of the client's segments, as osi-trace --rtt gives it on link1, in whole milliseconds?",
        text_vi: "SRTT theo RFC 6298 của các segment của client, như osi-trace --rtt cho trên link1, tính bằng mili giây chẵn?",
        answer: || {
            first(connection_0, |r| Some(format!("{}", (srtt(r, |c| &c.client_to_server_rtt)? * 1000.0).round())))
        },
        why: "the client's segments wait in the router's queue toward the server, and their ACKs in the queue back: tens of milliseconds, where the empty path took a fraction of one",
        why_vi: "các segment của client chờ trong hàng đợi của router về phía server, và ACK của chúng chờ trong hàng đợi chiều về: hàng chục mili giây, trong khi đường trống chỉ mất một phần nhỏ của một mili giây",
    },
    Question {
        key: "timed_across_the_queues",
        text: "Whose segments does link1 time across both queues, the client's or the server's (the larger SRTT)?",
        text_vi: "Trên link1, segment của bên nào được đo thời gian qua cả hai hàng đợi, `client` hay `server` (SRTT lớn hơn)?",
        answer: || {
            first(connection_0, |r| {
                let (client, server) = (srtt(r, |c| &c.client_to_server_rtt)?, srtt(r, |c| &c.server_to_client_rtt)?);
                Some(if client > server { "client" } else { "server" }.to_string())
            })
        },
        why: "from link1, beside the client, its segments go through both queues before their ACK comes back; the server's arrive after the queues and the client ACKs them at once",
        why_vi: "nhìn từ link1, cạnh client, các segment của client đi qua cả hai hàng đợi trước khi ACK của chúng quay về; segment của server đến sau các hàng đợi và client ACK chúng ngay",
    },
    Question {
        key: "client_retransmissions",
        text: "How many of the client's segments were retransmissions?",
        text_vi: "Bao nhiêu segment của client là truyền lại (retransmission)?",
        answer: || {
            count(
                |r| seg(r, 0) && from(r, "client") && segment(r).is_some_and(|s| s.analysis.iter().any(|a| a == "retransmission")),
                |n| Some(n.to_string()),
            )
        },
        why: "the router's queue toward the server overflowed (tc's `dropped`): every dropped segment was sent again, most of them fast, from the SACK blocks",
        why_vi: "hàng đợi của router về phía server đã tràn (`dropped` của tc): mọi segment bị bỏ đều được gửi lại, phần lớn là gửi lại nhanh (fast retransmit), nhờ các khối SACK",
    },
    Question {
        key: "first_sack_ack",
        text: "The server's first ACK with a SACK block: which relative ack does it carry?",
        text_vi: "ACK đầu tiên của server có khối SACK: nó mang ack tương đối nào?",
        answer: || first(server_sack, |r| Some(segment(r)?.ack?.to_string())),
        why: "the first byte the server still misses: the segment carrying it was dropped at the full queue",
        why_vi: "byte đầu tiên server vẫn còn thiếu: segment mang nó đã bị bỏ ở hàng đợi đầy",
    },
    Question {
        key: "first_sack_left",
        text: "The server's first ACK with a SACK block: what is the left edge of its first block?",
        text_vi: "ACK đầu tiên của server có khối SACK: mép trái của khối đầu tiên là bao nhiêu?",
        answer: || first(server_sack, |r| Some(segment(r)?.sack.first()?[0].to_string())),
        why: "the first byte the server holds above the hole: a segment after the dropped one arrived, and the SACK block says so, so the client resends only what is missing",
        why_vi: "byte đầu tiên server đang giữ phía trên lỗ hổng: một segment sau segment bị bỏ đã đến, và khối SACK nói như vậy, nên client chỉ gửi lại phần còn thiếu",
    },
];
