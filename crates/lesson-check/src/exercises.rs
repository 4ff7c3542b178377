//! The exercises a student can check: for a lesson, the questions asked of a
//! capture, each with the way to read the answer from `osi-trace --json` and the
//! reason the answer is what it is, each question and reason in English and in
//! Vietnamese side by side ([`Question::asked`]). Pure: rows in, answers out, one row at a
//! time ([`reading`]). Lessons 1 and 2 are in `first_steps`, 8 in `flood`, 9
//! and 10 in `flow`, 13 in `idle`, 14 and 17 in `links`, 15 and 16 in `timers`;
//! the rest here.

use osi_trace::json::Record;
use reading::{connection, count, first, firsts, from, or_null, role, seg, segment, yes_no, Reader};

mod first_steps;
mod flood;
mod flow;
mod idle;
mod links;
pub mod reading;
mod timers;

/// One question of an exercise.
#[derive(Debug)]
pub struct Question {
    /// The name the student writes in the answers file (`key = value`).
    pub key: &'static str,
    /// The question, as the lesson asks it.
    pub text: &'static str,
    /// The same question in Vietnamese (answers the student types, `client`, `yes`, `none`,
    /// stay in backticks as the English writes them).
    pub text_vi: &'static str,
    /// Makes the reader that finds the answer in the capture's rows (`None`: the capture cannot tell).
    pub answer: Reader,
    /// Why the answer is what it is: shown with every mark.
    pub why: &'static str,
    /// The same reason in Vietnamese.
    pub why_vi: &'static str,
}

impl Question {
    /// The question in the language of the report ([`kit::Lang`]).
    pub fn asked(&self) -> &'static str {
        if kit::lang::vi() {
            self.text_vi
        } else {
            self.text
        }
    }

    /// Why the answer is what it is, in the language of the report.
    pub fn reason(&self) -> &'static str {
        if kit::lang::vi() {
            self.why_vi
        } else {
            self.why
        }
    }
}

/// The exercise of lesson `number`, if it has one.
pub fn exercise(number: u8) -> Option<&'static [Question]> {
    match number {
        1 => Some(first_steps::LESSON_01),
        2 => Some(first_steps::LESSON_02),
        3 => Some(LESSON_03),
        4 => Some(LESSON_04),
        5 => Some(LESSON_05),
        6 => Some(LESSON_06),
        7 => Some(LESSON_07),
        8 => Some(flood::LESSON_08),
        9 => Some(flow::LESSON_09),
        10 => Some(flow::LESSON_10),
        11 => Some(LESSON_11),
        12 => Some(LESSON_12),
        13 => Some(idle::LESSON_13),
        14 => Some(links::LESSON_14),
        15 => Some(timers::LESSON_15),
        16 => Some(timers::LESSON_16),
        17 => Some(links::LESSON_17),
        _ => None,
    }
}

/// A lesson as the student writes it: a number from 1 to 99 in digits (`3`,
/// `03`); anything else (`5.0`, `1e309`, `-1`) is refused, not read as a number.
pub fn lesson_number(text: &str) -> Option<u8> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u8>().ok().filter(|n| (1..=99).contains(n))
}

/// The lessons that have a checkable exercise.
pub const LESSONS: [&str; 17] =
    ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17"];

/// The time of a row, in seconds since the first frame.
fn time(row: Option<&Record>) -> Option<f64> {
    Some(segment(row?)?.time)
}

const LESSON_03: &[Question] = &[
    Question {
        key: "client_port",
        text: "Which port did the client send its SYN from?",
        text_vi: "Client gửi SYN của nó từ port nào?",
        answer: || first(|r| role(r, 0, "syn"), |r| Some(segment(r)?.srcport.to_string())),
        why: "connect() picked an ephemeral port for the client; the SYN's source port is it",
        why_vi: "connect() đã chọn một port tạm (ephemeral) cho client; port nguồn của SYN chính là port đó",
    },
    Question {
        key: "server_port",
        text: "Which port was the SYN sent to?",
        text_vi: "SYN được gửi tới port nào?",
        answer: || first(|r| role(r, 0, "syn"), |r| Some(segment(r)?.dstport.to_string())),
        why: "the port the server bound and listens on",
        why_vi: "port mà server đã bind và đang lắng nghe",
    },
    Question {
        key: "syn_ack_ack",
        text: "What is the SYN+ACK's relative acknowledgement number?",
        text_vi: "Số xác nhận (acknowledgement number) tương đối của SYN+ACK là bao nhiêu?",
        answer: || first(|r| role(r, 0, "syn_ack"), |r| Some(or_null(segment(r)?.ack))),
        why: "the SYN counts as one byte in sequence space; the SYN+ACK acknowledges it: \"send byte 1 next\"",
        why_vi: "SYN được tính là một byte trong không gian số thứ tự; SYN+ACK xác nhận nó: \"hãy gửi byte 1 tiếp theo\"",
    },
    Question {
        key: "first_data_seq",
        text: "What is the relative sequence number of the client's first data byte?",
        text_vi: "Số thứ tự tương đối của byte dữ liệu đầu tiên của client là bao nhiêu?",
        answer: || first(|r| role(r, 0, "data") && from(r, "client"), |r| Some(segment(r)?.seq.to_string())),
        why: "the SYN used sequence number 0, so data starts at 1",
        why_vi: "SYN đã dùng số thứ tự 0, nên dữ liệu bắt đầu từ 1",
    },
    Question {
        key: "segments",
        text: "How many TCP segments did the connection take, SYN to last ACK?",
        text_vi: "Kết nối dùng bao nhiêu TCP segment, từ SYN tới ACK cuối cùng?",
        answer: || count(|r| seg(r, 0), |n| Some(n.to_string())),
        why: "3 for the handshake, 2 data segments and 2 ACKs for the echo, 3 for the teardown (the server's ACK rides on its FIN)",
        why_vi: "3 cho handshake, 2 segment dữ liệu và 2 ACK cho echo, 3 cho phần đóng kết nối (ACK của server đi chung với FIN của nó)",
    },
    Question {
        key: "time_wait",
        text: "Which side ends in TIME_WAIT (client or server)?",
        text_vi: "Bên nào kết thúc ở TIME_WAIT (`client` hay `server`)?",
        answer: || first(|r| role(r, 0, "fin"), |r| Some(segment(r)?.from.clone())),
        why: "the side that sends the first FIN (the active close) ends in TIME_WAIT",
        why_vi: "bên gửi FIN đầu tiên (bên chủ động đóng) kết thúc ở TIME_WAIT",
    },
];

const LESSON_04: &[Question] = &[
    Question {
        key: "data_len",
        text: "How many payload bytes does the client's data segment carry?",
        text_vi: "Segment dữ liệu của client mang bao nhiêu byte payload?",
        answer: || first(|r| role(r, 0, "data") && from(r, "client"), |r| Some(segment(r)?.len.to_string())),
        why: "\"Hello, OSI\" is 10 bytes, and it fits in one segment",
        why_vi: "\"Hello, OSI\" dài 10 byte, và vừa trong một segment",
    },
    Question {
        key: "server_ack",
        text: "What relative ack does the server send after the client's data?",
        text_vi: "Server gửi ack tương đối nào sau dữ liệu của client?",
        answer: || {
            first(
                |r| seg(r, 0) && from(r, "server") && !role(r, 0, "syn_ack"),
                |r| Some(or_null(segment(r)?.ack)),
            )
        },
        why: "bytes 1 to 10 arrived, so the next one expected is 11",
        why_vi: "các byte 1 tới 10 đã đến, nên byte được chờ tiếp theo là 11",
    },
    Question {
        key: "ip_total_length",
        text: "What is the IP total length of the client's data segment?",
        text_vi: "Tổng độ dài IP (total length) của segment dữ liệu của client là bao nhiêu?",
        answer: || {
            first(|r| role(r, 0, "data") && from(r, "client"), |r| Some(segment(r)?.ip_len.to_string()))
        },
        why: "20 bytes of IPv4 header + 32 of TCP header (20 + 12 of timestamps option) + 10 of payload",
        why_vi: "20 byte header IPv4 + 32 byte header TCP (20 + 12 của option timestamps) + 10 byte payload",
    },
];

const LESSON_05: &[Question] = &[
    Question {
        key: "refused_ack",
        text: "What relative ack does the RST that refuses stream 0 carry?",
        text_vi: "RST từ chối stream 0 mang ack tương đối nào?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(or_null(segment(r)?.ack))),
        why: "it acknowledges the SYN, which counts as one, so the client's kernel can match it to its connect()",
        why_vi: "nó xác nhận SYN, vốn được tính là một, nên kernel của client khớp được nó với connect() của mình",
    },
    Question {
        key: "time_wait",
        text: "Which side of stream 1 (the half-close) ends in TIME_WAIT (client or server)?",
        text_vi: "Bên nào của stream 1 (half-close) kết thúc ở TIME_WAIT (`client` hay `server`)?",
        answer: || first(|r| role(r, 1, "fin"), |r| Some(segment(r)?.from.clone())),
        why: "the client's shutdown(SHUT_WR) sent the first FIN: the active close ends in TIME_WAIT",
        why_vi: "shutdown(SHUT_WR) của client đã gửi FIN đầu tiên: bên chủ động đóng kết thúc ở TIME_WAIT",
    },
    Question {
        key: "reset_by",
        text: "Which side ended stream 2 with an RST (client or server)?",
        text_vi: "Bên nào đã kết thúc stream 2 bằng một RST (`client` hay `server`)?",
        answer: || first(|r| role(r, 2, "reset"), |r| Some(segment(r)?.from.clone())),
        why: "the client closed with SO_LINGER 0: its kernel throws the connection away and sends RST",
        why_vi: "client đã đóng với SO_LINGER 0: kernel của nó vứt bỏ kết nối và gửi RST",
    },
];

const LESSON_06: &[Question] = &[
    Question {
        key: "second_echo_after_first_fin",
        text: "Does the server's echo to B (stream 1) come after A's FIN (stream 0)? (yes or no)",
        text_vi: "Echo của server cho B (stream 1) có đến sau FIN của A (stream 0) không? (`yes` hoặc `no`)",
        answer: || {
            let echo = |r: &Record| role(r, 1, "data") && from(r, "server");
            firsts([|r| role(r, 0, "fin"), echo], |[fin, echo]| Some(yes_no(time(echo)? > time(fin)?)))
        },
        why: "server-loop serves one client at a time: it calls accept() for B only after A has left",
        why_vi: "server-loop phục vụ từng client một: nó chỉ gọi accept() cho B sau khi A đã rời đi",
    },
    Question {
        key: "second_handshake_before_first_fin",
        text: "Did B's handshake (stream 1) finish before A's FIN? (yes or no)",
        text_vi: "Handshake của B (stream 1) có xong trước FIN của A không? (`yes` hoặc `no`)",
        answer: || {
            let ack = |r: &Record| role(r, 1, "handshake_ack");
            firsts([|r| role(r, 0, "fin"), ack], |[fin, ack]| Some(yes_no(time(ack)? < time(fin)?)))
        },
        why: "the kernel finishes handshakes by itself into the accept queue, while the program is busy",
        why_vi: "kernel tự hoàn tất các handshake vào accept queue, trong lúc chương trình đang bận",
    },
];

const LESSON_07: &[Question] = &[Question {
    key: "second_echo_before_first_fin",
    text: "Does the server's echo to B (stream 1) come before A's FIN (stream 0)? (yes or no)",
    text_vi: "Echo của server cho B (stream 1) có đến trước FIN của A (stream 0) không? (`yes` hoặc `no`)",
    answer: || {
        let echo = |r: &Record| role(r, 1, "data") && from(r, "server");
        firsts([|r| role(r, 0, "fin"), echo], |[fin, echo]| Some(yes_no(time(echo)? < time(fin)?)))
    },
    why: "B has a thread of its own: it is served while A's thread still holds A's connection",
    why_vi: "B có thread riêng: nó được phục vụ trong khi thread của A vẫn giữ kết nối của A",
}];

const LESSON_11: &[Question] = &[
    Question {
        key: "queued",
        text: "How many connections besides A's finished their handshake while A was served?",
        text_vi: "Ngoài kết nối của A, bao nhiêu kết nối đã xong handshake trong lúc A được phục vụ?",
        answer: || {
            let (b, c, d) = (|r: &_| role(r, 1, "handshake_ack"), |r: &_| role(r, 2, "handshake_ack"), |r: &_| role(r, 3, "handshake_ack"));
            firsts([|r| role(r, 0, "fin"), b, c, d], |[fin, a, b, c]| {
                let fin = time(fin)?;
                Some([a, b, c].into_iter().filter(|&ack| time(ack).is_some_and(|x| x < fin)).count().to_string())
            })
        },
        why: "with backlog 1 the accept queue holds backlog + 1 = 2 finished connections on Linux",
        why_vi: "với backlog 1, trên Linux accept queue chứa backlog + 1 = 2 kết nối đã xong",
    },
    Question {
        key: "d_syn_retransmitted",
        text: "Was D's SYN (stream 3) sent more than once? (yes or no)",
        text_vi: "SYN của D (stream 3) có được gửi nhiều hơn một lần không? (`yes` hoặc `no`)",
        answer: || count(|r| role(r, 3, "syn"), |syns| Some(yes_no(syns > 1))),
        why: "the accept queue was full: the server's kernel dropped the SYN, and D's kernel sent it again a second later",
        why_vi: "accept queue đã đầy: kernel của server bỏ SYN đó, và kernel của D gửi lại nó một giây sau",
    },
];

const LESSON_12: &[Question] = &[
    Question {
        key: "resets",
        text: "How many connections ended with an RST?",
        text_vi: "Bao nhiêu kết nối kết thúc bằng một RST?",
        answer: || count(|r| connection(r).is_some_and(|c| c.end == "reset"), |n| Some(n.to_string())),
        why: "every thread died with the TypeError, so every connection was closed with its data unread",
        why_vi: "mọi thread đều chết vì TypeError, nên mọi kết nối bị đóng khi dữ liệu của nó chưa được đọc",
    },
    Question {
        key: "unread_bytes",
        text: "How many bytes had the server's kernel acknowledged, unread, when stream 0 was reset?",
        text_vi: "Khi stream 0 bị reset, kernel của server đã xác nhận bao nhiêu byte chưa được đọc?",
        answer: || first(|r| role(r, 0, "reset"), |rst| Some(segment(rst)?.ack?.checked_sub(1)?.to_string())),
        why: "the RST's ack counts every byte the kernel took in (minus 1 for the SYN): \"Hello\", never read by a thread",
        why_vi: "ack của RST đếm mọi byte kernel đã nhận (trừ 1 cho SYN): \"Hello\", không thread nào từng đọc",
    },
    Question {
        key: "rst_from",
        text: "Which side sent the RSTs (client or server)?",
        text_vi: "Bên nào đã gửi các RST (`client` hay `server`)?",
        answer: || first(|r| role(r, 0, "reset"), |r| Some(segment(r)?.from.clone())),
        why: "the server closed sockets with unread data: Python collected them, or the process exited",
        why_vi: "server đã đóng các socket còn dữ liệu chưa đọc: Python thu dọn chúng, hoặc tiến trình thoát",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: &str = r#"{"type":"segment","stream":0,"role":"syn","from":"client","srcport":41000,"dstport":65432,"seq":0}
{"type":"segment","stream":0,"role":"syn_ack","from":"server","seq":0,"ack":1}
{"type":"segment","stream":0,"role":"data","from":"client","seq":1,"ack":1,"len":5}
{"type":"segment","stream":0,"role":"fin","from":"client","seq":6}
{"type":"connection","stream":0,"end":"graceful"}"#;

    fn answer(key: &str) -> Option<String> {
        let q = exercise(3)?.iter().find(|q| q.key == key)?;
        reading::answer_lines(&[q.answer], ROWS).pop()?
    }

    #[test]
    fn answers_come_from_the_rows() {
        assert_eq!(answer("client_port").as_deref(), Some("41000"));
        assert_eq!(answer("syn_ack_ack").as_deref(), Some("1"));
        assert_eq!(answer("first_data_seq").as_deref(), Some("1"));
        assert_eq!(answer("time_wait").as_deref(), Some("client"));
        assert_eq!(answer("segments").as_deref(), Some("4"));
    }

    #[test]
    fn a_lesson_is_a_number_from_1_to_99_in_digits() {
        for (text, n) in [("3", 3), ("03", 3), ("12", 12), ("99", 99), ("003", 3)] {
            assert_eq!(lesson_number(text), Some(n), "{text}");
        }
        for bad in
            ["0", "100", "5.0", "1e309", "-1", "+3", " 3", "3 ", "x", "", "03-echo", "18446744073709551615"]
        {
            assert_eq!(lesson_number(bad), None, "{bad}");
        }
        assert!(exercise(3).is_some() && exercise(17).is_some());
        assert!(exercise(18).is_none());
    }
}
