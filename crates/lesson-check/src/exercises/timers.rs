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
        answer: || count(client_data, |n| Some(n.to_string())),
        why: "send() was called once; every other copy is the kernel's, sent when no ACK came in time, until the client's 8 s deadline closed the socket",
    },
    Question {
        key: "first_resend_ms",
        text: "To the nearest 100 ms, how long after \"Hello\" did its first copy leave?",
        answer: || {
            first(
                |r| client_data(r) && segment(r).is_some_and(|s| s.resent_after.is_some()),
                |r| Some(format!("{}", (segment(r)?.resent_after? * 10.0).round() * 100.0)),
            )
        },
        why: "about 200 ms: Linux's tail loss probe, and its minimum retransmission timeout, are both 200 ms on a link whose round trip is well under a millisecond",
    },
    Question {
        key: "backoff",
        text: "The last copy waited how many times as long as the copy before it (rounded)?",
        answer: || Box::<Backoff>::default(),
        why: "each retransmission timeout that expires doubles the next one (exponential back-off, RFC 6298 §5.5)",
    },
    Question {
        key: "rst_seq",
        text: "Which relative sequence number does the client's first RST carry?",
        answer: || first(|r| role(r, 0, "reset") && from(r, "client"), |r| Some(segment(r)?.seq.to_string())),
        why: "the client's next byte after \"Hello\" (bytes 1 to 5): its kernel counts them as sent, though none arrived",
    },
    Question {
        key: "challenge_ack",
        text: "Which relative ack does the server's answer to that RST carry?",
        answer: || first(|r| role(r, 0, "challenge_ack"), |r| Some(segment(r)?.ack?.to_string())),
        why: "the server never got \"Hello\" and expects byte 1: an RST at another number only draws a challenge ACK saying what it expects (RFC 5961)",
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
        answer: || {
            first(connection_0, |r| Some(format!("{}", (srtt(r, |c| &c.client_to_server_rtt)? * 1000.0).round())))
        },
        why: "the client's segments wait in the router's queue toward the server, and their ACKs in the queue back: tens of milliseconds, where the empty path took a fraction of one",
    },
    Question {
        key: "timed_across_the_queues",
        text: "Whose segments does link1 time across both queues, the client's or the server's (the larger SRTT)?",
        answer: || {
            first(connection_0, |r| {
                let (client, server) = (srtt(r, |c| &c.client_to_server_rtt)?, srtt(r, |c| &c.server_to_client_rtt)?);
                Some(if client > server { "client" } else { "server" }.to_string())
            })
        },
        why: "from link1, beside the client, its segments go through both queues before their ACK comes back; the server's arrive after the queues and the client ACKs them at once",
    },
    Question {
        key: "client_retransmissions",
        text: "How many of the client's segments were retransmissions?",
        answer: || {
            count(
                |r| seg(r, 0) && from(r, "client") && segment(r).is_some_and(|s| s.analysis.iter().any(|a| a == "retransmission")),
                |n| Some(n.to_string()),
            )
        },
        why: "the router's queue toward the server overflowed (tc's `dropped`): every dropped segment was sent again, most of them fast, from the SACK blocks",
    },
    Question {
        key: "first_sack_ack",
        text: "The server's first ACK with a SACK block: which relative ack does it carry?",
        answer: || first(server_sack, |r| Some(segment(r)?.ack?.to_string())),
        why: "the first byte the server still misses: the segment carrying it was dropped at the full queue",
    },
    Question {
        key: "first_sack_left",
        text: "The server's first ACK with a SACK block: what is the left edge of its first block?",
        answer: || first(server_sack, |r| Some(segment(r)?.sack.first()?[0].to_string())),
        why: "the first byte the server holds above the hole: a segment after the dropped one arrived, and the SACK block says so, so the client resends only what is missing",
    },
];
