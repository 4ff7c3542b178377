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
        answer: || count(|r| seg(r, 0), |n| Some(n.to_string())),
        why: "the client's SYN, and the RST that refused it: nothing listened, so no handshake followed and connect() failed at once",
    },
    Question {
        key: "reset_flags",
        text: "Which flags did the answer to the SYN carry, as the trace writes them?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(segment(r)?.flags.clone())),
        why: "RST, because no socket listens on the port; ACK too, because the SYN carried no ACK, so the RST acknowledges it instead (RFC 9293 §3.10.7.1)",
    },
    Question {
        key: "reset_from",
        text: "Which side sent the RST (client or server)?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(segment(r)?.from.clone())),
        why: "the server host's kernel answered by itself: no program listens on the port, and none is needed to refuse",
    },
    Question {
        key: "reset_ack",
        text: "What is the RST's relative acknowledgement number?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(or_null(segment(r)?.ack))),
        why: "it acknowledges the SYN, which counts as one byte in sequence space, so the client's kernel matches it to its connect(), which fails with ECONNREFUSED",
    },
    Question {
        key: "reset_seq_raw",
        text: "What is the RST's raw (absolute) sequence number?",
        answer: || first(|r| role(r, 0, "refused"), |r| Some(segment(r)?.seq_raw.to_string())),
        why: "an RST answering a segment without ACK takes sequence number 0 (RFC 9293 §3.10.7.1; Linux's tcp_v4_send_reset)",
    },
];

pub(super) const LESSON_02: &[Question] = &[
    Question {
        key: "segments",
        text: "How many TCP segments did one \"Hello\" echo put on the wire, first SYN to last ACK?",
        answer: || count(|r| seg(r, 0), |n| Some(n.to_string())),
        why: "3 for the handshake (connect()), 4 for the echo (\"Hello\" each way, from the two send() calls, each ACKed by the receiving kernel), 3 or 4 for the teardown (a FIN from each close(), each ACKed; in lesson 3's capture the server's ACK of the client's FIN rides on its own FIN): 10 there, and one more in a run where that ACK goes alone",
    },
    Question {
        key: "syn_call",
        text: "Which socket call made the client's SYN? (connect, accept, send, recv, close, or none)",
        answer: || first(|r| role(r, 0, "syn"), call_behind),
        why: "connect() sends the SYN: CLOSED → SYN_SENT",
    },
    Question {
        key: "syn_ack_call",
        text: "Which socket call made the server's SYN+ACK? (connect, accept, send, recv, close, or none)",
        answer: || first(|r| role(r, 0, "syn_ack"), call_behind),
        why: "the server's kernel answers the SYN by itself, for the socket in LISTEN; accept() only takes the finished connection off the accept queue, and sends nothing",
    },
    Question {
        key: "data_call",
        text: "Which socket call made the client's segment carrying \"Hello\"? (connect, accept, send, recv, close, or none)",
        answer: || first(|r| role(r, 0, "data"), call_behind),
        why: "send() (the article's sendall()) copies the bytes into the send buffer, and TCP sends them",
    },
    Question {
        key: "data_ack_call",
        text: "Which socket call made the server's ACK of \"Hello\"? (connect, accept, send, recv, close, or none)",
        answer: || first(|r| role(r, 0, "ack"), call_behind),
        why: "acknowledging is the kernel's business: it ACKs whether or not the program has called recv() yet",
    },
    Question {
        key: "first_fin_call",
        text: "Which socket call made the first FIN? (connect, accept, send, recv, close, or none)",
        answer: || first(|r| role(r, 0, "fin"), call_behind),
        why: "the client's close() (in the article, the end of its `with` block): the client has its echo and leaves first",
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
