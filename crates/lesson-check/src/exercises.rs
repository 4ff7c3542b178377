//! The exercises a student can check: for a lesson, the questions asked of a
//! capture, each with the way to read the answer from `osi-trace --json` and the
//! reason the answer is what it is. Pure: rows in, answers out. Lessons 1 and 2
//! are in `first_steps`, 8 to 10 in `flow`; the rest here.

use serde_json::Value;

mod first_steps;
mod flow;

/// One question of an exercise.
#[derive(Debug)]
pub struct Question {
    /// The name the student writes in the answers file (`key = value`).
    pub key: &'static str,
    /// The question, as the lesson asks it.
    pub text: &'static str,
    /// The answer, read from the capture's JSON rows; `None` when the capture cannot tell.
    pub answer: fn(&Trace) -> Option<String>,
    /// Why the answer is what it is: shown with every mark.
    pub why: &'static str,
}

/// The JSON rows of one capture, as `osi-trace --read FILE --json` prints them.
#[derive(Debug, Default)]
pub struct Trace {
    pub rows: Vec<Value>,
}

impl Trace {
    /// Reads JSON lines; lines that are not JSON objects are skipped.
    pub fn from_json_lines(text: &str) -> Trace {
        Trace { rows: text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect() }
    }

    fn segments(&self, stream: u64) -> impl Iterator<Item = &Value> {
        self.rows.iter().filter(move |r| r["type"] == "segment" && r["stream"] == stream)
    }

    fn first(&self, stream: u64, role: &str) -> Option<&Value> {
        self.segments(stream).find(|r| r["role"] == role)
    }

    fn connections(&self) -> impl Iterator<Item = &Value> {
        self.rows.iter().filter(|r| r["type"] == "connection")
    }
}

/// The exercise of lesson `lesson` ("03", "3" or "03-echo-and-handshake").
pub fn exercise(lesson: &str) -> Option<&'static [Question]> {
    let number: u32 = lesson.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    match number {
        1 => Some(first_steps::LESSON_01),
        2 => Some(first_steps::LESSON_02),
        3 => Some(LESSON_03),
        4 => Some(LESSON_04),
        5 => Some(LESSON_05),
        6 => Some(LESSON_06),
        7 => Some(LESSON_07),
        8 => Some(flow::LESSON_08),
        9 => Some(flow::LESSON_09),
        10 => Some(flow::LESSON_10),
        11 => Some(LESSON_11),
        12 => Some(LESSON_12),
        _ => None,
    }
}

/// The lessons that have a checkable exercise.
pub const LESSONS: [&str; 12] = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"];

const LESSON_03: &[Question] = &[
    Question {
        key: "client_port",
        text: "Which port did the client send its SYN from?",
        answer: |t| Some(t.first(0, "syn")?["srcport"].to_string()),
        why: "connect() picked an ephemeral port for the client; the SYN's source port is it",
    },
    Question {
        key: "server_port",
        text: "Which port was the SYN sent to?",
        answer: |t| Some(t.first(0, "syn")?["dstport"].to_string()),
        why: "the port the server bound and listens on",
    },
    Question {
        key: "syn_ack_ack",
        text: "What is the SYN+ACK's relative acknowledgement number?",
        answer: |t| Some(t.first(0, "syn_ack")?["ack"].to_string()),
        why: "the SYN counts as one byte in sequence space; the SYN+ACK acknowledges it: \"send byte 1 next\"",
    },
    Question {
        key: "first_data_seq",
        text: "What is the relative sequence number of the client's first data byte?",
        answer: |t| Some(t.segments(0).find(|r| r["role"] == "data" && r["from"] == "client")?["seq"].to_string()),
        why: "the SYN used sequence number 0, so data starts at 1",
    },
    Question {
        key: "segments",
        text: "How many TCP segments did the connection take, SYN to last ACK?",
        answer: |t| Some(t.segments(0).count().to_string()),
        why: "3 for the handshake, 2 data segments and 2 ACKs for the echo, 3 for the teardown (the server's ACK rides on its FIN)",
    },
    Question {
        key: "time_wait",
        text: "Which side ends in TIME_WAIT (client or server)?",
        answer: |t| Some(t.segments(0).find(|r| r["role"] == "fin")?["from"].as_str()?.to_string()),
        why: "the side that sends the first FIN (the active close) ends in TIME_WAIT",
    },
];

const LESSON_04: &[Question] = &[
    Question {
        key: "data_len",
        text: "How many payload bytes does the client's data segment carry?",
        answer: |t| {
            Some(t.segments(0).find(|r| r["role"] == "data" && r["from"] == "client")?["len"].to_string())
        },
        why: "\"Hello, OSI\" is 10 bytes, and it fits in one segment",
    },
    Question {
        key: "server_ack",
        text: "What relative ack does the server send after the client's data?",
        answer: |t| {
            Some(t.segments(0).find(|r| r["from"] == "server" && r["role"] != "syn_ack")?["ack"].to_string())
        },
        why: "bytes 1 to 10 arrived, so the next one expected is 11",
    },
    Question {
        key: "ip_total_length",
        text: "What is the IP total length of the client's data segment?",
        answer: |t| {
            Some(t.segments(0).find(|r| r["role"] == "data" && r["from"] == "client")?["ip_len"].to_string())
        },
        why: "20 bytes of IPv4 header + 32 of TCP header (20 + 12 of timestamps option) + 10 of payload",
    },
];

const LESSON_05: &[Question] = &[
    Question {
        key: "refused_ack",
        text: "What relative ack does the RST that refuses stream 0 carry?",
        answer: |t| Some(t.first(0, "refused")?["ack"].to_string()),
        why: "it acknowledges the SYN, which counts as one, so the client's kernel can match it to its connect()",
    },
    Question {
        key: "time_wait",
        text: "Which side of stream 1 (the half-close) ends in TIME_WAIT (client or server)?",
        answer: |t| Some(t.segments(1).find(|r| r["role"] == "fin")?["from"].as_str()?.to_string()),
        why: "the client's shutdown(SHUT_WR) sent the first FIN: the active close ends in TIME_WAIT",
    },
    Question {
        key: "reset_by",
        text: "Which side ended stream 2 with an RST (client or server)?",
        answer: |t| Some(t.segments(2).find(|r| r["role"] == "reset")?["from"].as_str()?.to_string()),
        why: "the client closed with SO_LINGER 0: its kernel throws the connection away and sends RST",
    },
];

const LESSON_06: &[Question] = &[
    Question {
        key: "second_echo_after_first_fin",
        text: "Does the server's echo to B (stream 1) come after A's FIN (stream 0)? (yes or no)",
        answer: |t| {
            let fin = t.first(0, "fin")?["time"].as_f64()?;
            let echo =
                t.segments(1).find(|r| r["role"] == "data" && r["from"] == "server")?["time"].as_f64()?;
            Some(if echo > fin { "yes" } else { "no" }.to_string())
        },
        why: "server-loop serves one client at a time: it calls accept() for B only after A has left",
    },
    Question {
        key: "second_handshake_before_first_fin",
        text: "Did B's handshake (stream 1) finish before A's FIN? (yes or no)",
        answer: |t| {
            let fin = t.first(0, "fin")?["time"].as_f64()?;
            let ack = t.first(1, "handshake_ack")?["time"].as_f64()?;
            Some(if ack < fin { "yes" } else { "no" }.to_string())
        },
        why: "the kernel finishes handshakes by itself into the accept queue, while the program is busy",
    },
];

const LESSON_07: &[Question] = &[Question {
    key: "second_echo_before_first_fin",
    text: "Does the server's echo to B (stream 1) come before A's FIN (stream 0)? (yes or no)",
    answer: |t| {
        let fin = t.first(0, "fin")?["time"].as_f64()?;
        let echo = t.segments(1).find(|r| r["role"] == "data" && r["from"] == "server")?["time"].as_f64()?;
        Some(if echo < fin { "yes" } else { "no" }.to_string())
    },
    why: "B has a thread of its own: it is served while A's thread still holds A's connection",
}];

const LESSON_11: &[Question] = &[
    Question {
        key: "queued",
        text: "How many connections besides A's finished their handshake while A was served?",
        answer: |t| {
            let fin = t.first(0, "fin")?["time"].as_f64()?;
            let done_before = |s: u64| t.first(s, "handshake_ack").and_then(|r| r["time"].as_f64()).is_some_and(|x| x < fin);
            Some((1..4).filter(|&s| done_before(s)).count().to_string())
        },
        why: "with backlog 1 the accept queue holds backlog + 1 = 2 finished connections on Linux",
    },
    Question {
        key: "d_syn_retransmitted",
        text: "Was D's SYN (stream 3) sent more than once? (yes or no)",
        answer: |t| {
            let syns = t.segments(3).filter(|r| r["role"] == "syn").count();
            Some(if syns > 1 { "yes" } else { "no" }.to_string())
        },
        why: "the accept queue was full: the server's kernel dropped the SYN, and D's kernel sent it again a second later",
    },
];

const LESSON_12: &[Question] = &[
    Question {
        key: "resets",
        text: "How many connections ended with an RST?",
        answer: |t| Some(t.connections().filter(|c| c["end"] == "reset").count().to_string()),
        why: "every thread died with the TypeError, so every connection was closed with its data unread",
    },
    Question {
        key: "unread_bytes",
        text: "How many bytes had the server's kernel acknowledged, unread, when stream 0 was reset?",
        answer: |t| {
            let rst = t.segments(0).find(|r| r["role"] == "reset")?;
            Some((rst["ack"].as_u64()? - 1).to_string())
        },
        why: "the RST's ack counts every byte the kernel took in (minus 1 for the SYN): \"Hello\", never read by a thread",
    },
    Question {
        key: "rst_from",
        text: "Which side sent the RSTs (client or server)?",
        answer: |t| Some(t.segments(0).find(|r| r["role"] == "reset")?["from"].as_str()?.to_string()),
        why: "the server closed sockets with unread data: Python collected them, or the process exited",
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
        let trace = Trace::from_json_lines(ROWS);
        let q = exercise("03")?.iter().find(|q| q.key == key)?;
        (q.answer)(&trace)
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
    fn lessons_are_named_as_a_student_would() {
        assert!(exercise("3").is_some());
        assert!(exercise("03-echo-and-handshake").is_some());
        assert!(exercise("12").is_some());
        assert!(exercise("13").is_none());
        assert!(exercise("x").is_none());
    }
}
