//! The exercises of lessons 8, 9 and 10, where the bytes meet the windows and the
//! timers: a flooder that never reads (lesson 8), two sends on one stream (lesson 9),
//! and a message written in two pieces, with Nagle on or off (lesson 10).

use serde_json::Value;

use super::{Question, Trace};

/// The flooder's connection: the one that carried the most bytes client → server.
fn flood_stream(t: &Trace) -> Option<u64> {
    t.connections().max_by_key(|c| c["client_to_server"]["bytes"].as_u64().unwrap_or(0))?["stream"].as_u64()
}

fn flagged(segment: &Value, analysis: &str) -> bool {
    segment["analysis"].as_array().is_some_and(|a| a.iter().any(|x| x == analysis))
}

/// Which sides sent segments with this role on stream `s`: client, server, both or none.
fn senders(t: &Trace, s: u64, role: &str) -> String {
    let from = |side: &str| t.segments(s).any(|r| r["role"] == role && r["from"] == side);
    match (from("client"), from("server")) {
        (true, true) => "both",
        (true, false) => "client",
        (false, true) => "server",
        (false, false) => "none",
    }
    .to_string()
}

pub(super) const LESSON_08: &[Question] = &[
    Question {
        key: "flooder_port",
        text: "From which port did the flooder send?",
        answer: |t| {
            let s = flood_stream(t)?;
            Some(t.segments(s).find(|r| r["from"] == "client")?["srcport"].to_string())
        },
        why: "the flooder's connection is the one that carried megabytes to the server; each client's carried a few bytes",
    },
    Question {
        key: "first_zero_window_frame",
        text: "In the flooder's connection, which frame is the first [TCP ZeroWindow]?",
        answer: |t| {
            let s = flood_stream(t)?;
            Some(t.segments(s).find(|r| flagged(r, "zero_window"))?["frame"].to_string())
        },
        why: "the first segment whose window field is 0: its sender's receive buffer had no room left to offer",
    },
    Question {
        key: "first_zero_window_from",
        text: "Which side sent that first [TCP ZeroWindow] (client or server)?",
        answer: |t| {
            let s = flood_stream(t)?;
            Some(t.segments(s).find(|r| flagged(r, "zero_window"))?["from"].as_str()?.to_string())
        },
        why: "a window is the room left in its sender's receive buffer: the flood comes faster than the server reads it (1024 bytes per recv()), and the flooder never reads its echo at all",
    },
    Question {
        key: "probes_from",
        text: "Which side's kernel sent window probes on the flooder's connection (client, server, both or none)?",
        answer: |t| Some(senders(t, flood_stream(t)?, "window_probe")),
        why: "each side had bytes to send into a closed window — the flood into the server's full buffer, the echo into the flooder's, which never reads — so each kernel's persist timer probed it",
    },
    Question {
        key: "others_served",
        text: "How many other connections got their echo while the flooder's connection was still open?",
        answer: |t| {
            let s = flood_stream(t)?;
            let end = t.segments(s).last()?["time"].as_f64()?;
            let served = |c: &Value| {
                let other = c["stream"].as_u64()?;
                let echo = t.segments(other).find(|r| r["role"] == "data" && r["from"] == "server")?;
                Some(other != s && echo["time"].as_f64()? < end)
            };
            Some(t.connections().filter(|c| served(c) == Some(true)).count().to_string())
        },
        why: "select() serves whichever socket is ready: the flooder is left out of the read set while its output buffer is full, and every other client is read and echoed at once",
    },
    Question {
        key: "flooder_reset_by",
        text: "Which side ended the flooder's connection with an RST (client or server)?",
        answer: |t| {
            let s = flood_stream(t)?;
            Some(t.segments(s).find(|r| r["role"] == "reset")?["from"].as_str()?.to_string())
        },
        why: "the flooder exited (its sendall() timed out, or you stopped it) with the echo unread in its receive buffer: its kernel sent RST, not FIN (lesson 5)",
    },
];

/// The client's data segments of stream 0, in order.
fn client_data(t: &Trace) -> impl Iterator<Item = &Value> {
    t.segments(0).filter(|r| r["role"] == "data" && r["from"] == "client")
}

pub(super) const LESSON_09: &[Question] = &[
    Question {
        key: "data_segments",
        text: "How many segments carried the sender's ten bytes?",
        answer: |t| Some(client_data(t).count().to_string()),
        why: "with TCP_NODELAY each send() left at once as its own segment: the wire kept the two sends apart; the receiver's buffer, and its one recv(), did not",
    },
    Question {
        key: "world_seq",
        text: "What is the relative sequence number of the segment carrying \"World\"?",
        answer: |t| Some(client_data(t).nth(1)?["seq"].to_string()),
        why: "\"Hello\" took bytes 1 to 5, so \"World\" starts at 6: sequence numbers count bytes, not messages",
    },
    Question {
        key: "ack_after_world",
        text: "What relative ack did the receiver's side send right after \"World\" arrived?",
        answer: |t| {
            let world = client_data(t).nth(1)?["frame"].as_u64()?;
            let ack = t.segments(0).find(|r| r["from"] == "server" && r["frame"].as_u64() > Some(world))?;
            Some(ack["ack"].to_string())
        },
        why: "the receiver's kernel acknowledged bytes 1 to 10 as they arrived, while its program still slept: an ACK says the bytes are in the receive buffer, not that recv() read them",
    },
    Question {
        key: "time_wait",
        text: "Which side ends in TIME_WAIT (client or server)?",
        answer: |t| Some(t.first(0, "fin")?["from"].as_str()?.to_string()),
        why: "the sender closed right after its two sends, while the receiver slept: its FIN came first (the active close), and the active close ends in TIME_WAIT",
    },
];

/// The rounds of a `client --split` run: each a pair of client data segments, the
/// first piece ("Hel") and the rest ("lo"), as `split_waits.py` pairs them.
fn rounds(t: &Trace) -> Vec<(&Value, &Value)> {
    let pieces: Vec<&Value> = client_data(t).collect();
    pieces.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

/// Whether the second piece of a round left 30 ms or more after the first: longer than
/// any queueing on loopback, shorter than Linux's 40 ms delayed-ACK timer.
fn waited(round: &(&Value, &Value)) -> Option<bool> {
    Some(round.1["time"].as_f64()? - round.0["time"].as_f64()? >= 0.030)
}

/// The server's last segment before round 2's second piece.
fn before_round_2_rest(t: &Trace) -> Option<&Value> {
    let rest = rounds(t).get(1)?.1["frame"].as_u64()?;
    t.segments(0).filter(|r| r["from"] == "server" && r["frame"].as_u64() < Some(rest)).last()
}

pub(super) const LESSON_10: &[Question] = &[
    Question {
        key: "waited_rounds",
        text: "In how many rounds did \"lo\" leave 30 ms or more after \"Hel\"?",
        answer: |t| {
            let waits: Option<Vec<bool>> = rounds(t).iter().map(waited).collect();
            Some(waits?.into_iter().filter(|&w| w).count().to_string())
        },
        why: "with Nagle on, \"lo\" waits for the ACK of \"Hel\", which the server's kernel delays (40 ms timer) once the connection is interactive, from round 2 on; with TCP_NODELAY \"lo\" leaves at once",
    },
    Question {
        key: "round_1_waited",
        text: "Did round 1's \"lo\" leave 30 ms or more after its \"Hel\"? (yes or no)",
        answer: |t| Some(if waited(rounds(t).first()?)? { "yes" } else { "no" }.to_string()),
        why: "round 1 never waits: with TCP_NODELAY nothing holds \"lo\", and with Nagle on the server's kernel is still in quick-ACK mode at the start of a connection, so its ACK of \"Hel\" comes at once",
    },
    Question {
        key: "ack_before_lo",
        text: "In round 2, what relative ack does the server's last segment before \"lo\" carry?",
        answer: |t| Some(before_round_2_rest(t)?["ack"].to_string()),
        why: "with Nagle on, \"lo\" leaves only once \"Hel\" (bytes 6 to 8) is acknowledged: ack=9; with TCP_NODELAY it does not wait, and the server's last segment is still round 1's echo: ack=6",
    },
    Question {
        key: "ack_before_lo_call",
        text: "Which socket call made that segment? (connect, accept, send, recv, close, or none)",
        answer: |t| super::first_steps::call(before_round_2_rest(t)?["cause"].as_str()?),
        why: "with Nagle on it is the delayed ACK, which the server's kernel sends when its timer fires (no call); with TCP_NODELAY it is round 1's echo, from the server's send()",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    const FLOOD: &str = r#"{"type":"segment","stream":0,"frame":1,"role":"data","from":"client","srcport":41000,"time":0.1,"analysis":[]}
{"type":"segment","stream":0,"frame":2,"role":"ack","from":"server","time":0.2,"analysis":["zero_window"]}
{"type":"segment","stream":1,"frame":3,"role":"data","from":"server","time":0.3,"analysis":[]}
{"type":"segment","stream":0,"frame":4,"role":"window_probe","from":"client","time":0.5,"analysis":["zero_window","keep_alive"]}
{"type":"connection","stream":0,"client_to_server":{"bytes":900000}}
{"type":"connection","stream":1,"client_to_server":{"bytes":6}}"#;

    #[test]
    fn the_flooder_is_the_connection_that_carried_the_most() {
        let t = Trace::from_json_lines(FLOOD);
        assert_eq!(flood_stream(&t), Some(0));
        assert_eq!(senders(&t, 0, "window_probe"), "client");
        assert_eq!(senders(&t, 1, "window_probe"), "none");
        let answer = |key: &str| (LESSON_08.iter().find(|q| q.key == key).expect("asked").answer)(&t);
        assert_eq!(answer("flooder_port").as_deref(), Some("41000"));
        assert_eq!(answer("first_zero_window_from").as_deref(), Some("server"));
        assert_eq!(answer("others_served").as_deref(), Some("1"));
        assert_eq!(answer("flooder_reset_by"), None);
    }

    #[test]
    fn rounds_pair_the_client_pieces_and_a_wait_is_30_ms() {
        let t = Trace::from_json_lines(
            r#"{"type":"segment","stream":0,"frame":1,"role":"data","from":"client","time":0.0}
{"type":"segment","stream":0,"frame":2,"role":"data","from":"client","time":0.0002}
{"type":"segment","stream":0,"frame":3,"role":"data","from":"client","time":0.01}
{"type":"segment","stream":0,"frame":4,"role":"ack","from":"server","ack":9,"time":0.05,"cause":"server's kernel (no socket call)"}
{"type":"segment","stream":0,"frame":5,"role":"data","from":"client","time":0.0501}"#,
        );
        let answer = |key: &str| (LESSON_10.iter().find(|q| q.key == key).expect("asked").answer)(&t);
        assert_eq!(rounds(&t).len(), 2);
        assert_eq!(answer("waited_rounds").as_deref(), Some("1"));
        assert_eq!(answer("round_1_waited").as_deref(), Some("no"));
        assert_eq!(answer("ack_before_lo").as_deref(), Some("9"));
        assert_eq!(answer("ack_before_lo_call").as_deref(), Some("none"));
    }
}
