//! The exercises of lessons 9 and 10, where the bytes meet the windows and the
//! timers: two sends on one stream (lesson 9), and a message written in two
//! pieces, with Nagle on or off (lesson 10). Each reader keeps a row or two.

use osi_trace::json::Record;

use super::reading::{count, first, from, nth, or_null, role, seg, segment, yes_no, Answer};
use super::Question;

/// Whether `row` is one of the client's data segments of stream 0.
fn client_data(row: &Record) -> bool {
    role(row, 0, "data") && from(row, "client")
}

/// The first segment the server sent on stream 0 after the client's second data segment.
#[derive(Default)]
struct AfterWorld {
    pieces: u64,
    world: Option<u64>,
    found: Option<Record>,
}

impl Answer for AfterWorld {
    fn row(&mut self, row: &Record) {
        if client_data(row) {
            self.pieces += 1;
            if self.pieces == 2 {
                self.world = segment(row).map(|s| s.frame);
            }
        } else if let (Some(world), None) = (self.world, &self.found) {
            if seg(row, 0) && from(row, "server") && segment(row).is_some_and(|s| s.frame > world) {
                self.found = Some(row.clone());
            }
        }
    }

    fn answer(&self) -> Option<String> {
        Some(or_null(segment(self.found.as_ref()?)?.ack))
    }
}

pub(super) const LESSON_09: &[Question] = &[
    Question {
        key: "data_segments",
        text: "How many segments carried the sender's ten bytes?",
        text_vi: "Bao nhiêu segment đã chở mười byte của bên gửi?",
        answer: || count(client_data, |n| Some(n.to_string())),
        why: "with TCP_NODELAY each send() left at once as its own segment: the wire kept the two sends apart; the receiver's buffer, and its one recv(), did not",
        why_vi: "với TCP_NODELAY mỗi send() ra đi ngay thành một segment riêng: đường truyền giữ hai lần send tách biệt; bộ đệm của bên nhận, và lần recv() duy nhất của nó, thì không",
    },
    Question {
        key: "world_seq",
        text: "What is the relative sequence number of the segment carrying \"World\"?",
        text_vi: "Số thứ tự tương đối của segment mang \"World\" là bao nhiêu?",
        answer: || nth(client_data, 1, |r| Some(segment(r)?.seq.to_string())),
        why: "\"Hello\" took bytes 1 to 5, so \"World\" starts at 6: sequence numbers count bytes, not messages",
        why_vi: "\"Hello\" chiếm các byte 1 tới 5, nên \"World\" bắt đầu ở 6: số thứ tự đếm byte, không đếm message",
    },
    Question {
        key: "ack_after_world",
        text: "What relative ack did the receiver's side send right after \"World\" arrived?",
        text_vi: "Phía bên nhận đã gửi ack tương đối nào ngay sau khi \"World\" đến?",
        answer: || Box::<AfterWorld>::default(),
        why: "the receiver's kernel acknowledged bytes 1 to 10 as they arrived, while its program still slept: an ACK says the bytes are in the receive buffer, not that recv() read them",
        why_vi: "kernel của bên nhận xác nhận các byte 1 tới 10 ngay khi chúng đến, trong lúc chương trình của nó vẫn ngủ: một ACK nói các byte đã nằm trong bộ đệm nhận, chứ không nói recv() đã đọc chúng",
    },
    Question {
        key: "time_wait",
        text: "Which side ends in TIME_WAIT (client or server)?",
        text_vi: "Bên nào kết thúc ở TIME_WAIT (`client` hay `server`)?",
        answer: || first(|r| role(r, 0, "fin"), |r| Some(segment(r)?.from.clone())),
        why: "the sender closed right after its two sends, while the receiver slept: its FIN came first (the active close), and the active close ends in TIME_WAIT",
        why_vi: "bên gửi đóng ngay sau hai lần send, trong lúc bên nhận còn ngủ: FIN của nó đến trước (chủ động đóng), và bên chủ động đóng kết thúc ở TIME_WAIT",
    },
];

/// The rounds of a `client --split` run: each a pair of client data segments, the
/// first piece ("Hel") and the rest ("lo"), as `split_waits.py` pairs them. A
/// round waited when its second piece left 30 ms or more after the first: longer
/// than any queueing on loopback, shorter than Linux's 40 ms delayed-ACK timer.
#[derive(Default)]
struct Rounds {
    /// The time of a round's first piece, while its second is awaited.
    open: Option<Option<f64>>,
    /// Whether each round waited, counted; `None` once a time was missing.
    waited: Option<u64>,
    rounds: u64,
    first: Option<Option<bool>>,
    /// Whether the answer is about round 1 (else: how many rounds waited).
    round_1: bool,
}

impl Answer for Rounds {
    fn row(&mut self, row: &Record) {
        if !client_data(row) {
            return;
        }
        let at = segment(row).map(|s| s.time);
        let Some(start) = self.open.take() else {
            self.open = Some(at);
            return;
        };
        let waited = start.zip(at).map(|(a, b)| b - a >= 0.030);
        self.rounds += 1;
        self.first.get_or_insert(waited);
        self.waited = match (self.waited, waited) {
            (Some(n), Some(w)) => Some(n + u64::from(w)),
            _ => None,
        };
    }

    fn answer(&self) -> Option<String> {
        if self.round_1 {
            return Some(yes_no(self.first??));
        }
        Some(self.waited?.to_string())
    }
}

/// The server's last segment on stream 0 before round 2's second piece (the
/// client's fourth data segment); the answer is `say` of it.
struct BeforeRest {
    pieces: u64,
    last: Option<Record>,
    found: Option<Record>,
    say: fn(&Record) -> Option<String>,
}

impl Answer for BeforeRest {
    fn row(&mut self, row: &Record) {
        if self.found.is_some() {
            return;
        }
        if client_data(row) {
            self.pieces += 1;
            if self.pieces == 4 {
                self.found = self.last.take();
                self.pieces = u64::MAX; // done, found or not
            }
        } else if seg(row, 0) && from(row, "server") {
            self.last = Some(row.clone());
        }
    }

    fn answer(&self) -> Option<String> {
        (self.say)(self.found.as_ref()?)
    }
}

fn before_rest(say: fn(&Record) -> Option<String>) -> Box<dyn Answer> {
    Box::new(BeforeRest { pieces: 0, last: None, found: None, say })
}

pub(super) const LESSON_10: &[Question] = &[
    Question {
        key: "waited_rounds",
        text: "In how many rounds did \"lo\" leave 30 ms or more after \"Hel\"?",
        text_vi: "Trong bao nhiêu vòng \"lo\" ra đi từ 30 ms trở lên sau \"Hel\"?",
        answer: || Box::new(Rounds { waited: Some(0), ..Rounds::default() }),
        why: "with Nagle on, \"lo\" waits for the ACK of \"Hel\", which the server's kernel delays (40 ms timer) once the connection is interactive, from round 2 on; with TCP_NODELAY \"lo\" leaves at once",
        why_vi: "khi Nagle bật, \"lo\" chờ ACK của \"Hel\", thứ mà kernel của server trì hoãn (bộ đếm giờ 40 ms) một khi kết nối đã thành tương tác, từ vòng 2 trở đi; với TCP_NODELAY \"lo\" ra đi ngay",
    },
    Question {
        key: "round_1_waited",
        text: "Did round 1's \"lo\" leave 30 ms or more after its \"Hel\"? (yes or no)",
        text_vi: "\"lo\" của vòng 1 có ra đi từ 30 ms trở lên sau \"Hel\" của nó không? (`yes` hoặc `no`)",
        answer: || Box::new(Rounds { round_1: true, waited: Some(0), ..Rounds::default() }),
        why: "round 1 never waits: with TCP_NODELAY nothing holds \"lo\", and with Nagle on the server's kernel is still in quick-ACK mode at the start of a connection, so its ACK of \"Hel\" comes at once",
        why_vi: "vòng 1 không bao giờ phải chờ: với TCP_NODELAY không gì giữ \"lo\" lại, còn khi Nagle bật thì kernel của server vẫn ở chế độ quick-ACK lúc đầu kết nối, nên ACK của nó cho \"Hel\" đến ngay",
    },
    Question {
        key: "ack_before_lo",
        text: "In round 2, what relative ack does the server's last segment before \"lo\" carry?",
        text_vi: "Ở vòng 2, segment cuối cùng của server trước \"lo\" mang ack tương đối nào?",
        answer: || before_rest(|r| Some(or_null(segment(r)?.ack))),
        why: "with Nagle on, \"lo\" leaves only once \"Hel\" (bytes 6 to 8) is acknowledged: ack=9; with TCP_NODELAY it does not wait, and the server's last segment is still round 1's echo: ack=6",
        why_vi: "khi Nagle bật, \"lo\" chỉ ra đi khi \"Hel\" (các byte 6 tới 8) đã được xác nhận: ack=9; với TCP_NODELAY nó không chờ, và segment cuối cùng của server vẫn là echo của vòng 1: ack=6",
    },
    Question {
        key: "ack_before_lo_call",
        text: "Which socket call made that segment? (connect, accept, send, recv, close, or none)",
        text_vi: "Lời gọi socket nào tạo ra segment đó? (`connect`, `accept`, `send`, `recv`, `close`, hoặc `none`)",
        answer: || before_rest(|r| super::first_steps::call(&segment(r)?.cause)),
        why: "with Nagle on it is the delayed ACK, which the server's kernel sends when its timer fires (no call); with TCP_NODELAY it is round 1's echo, from the server's send()",
        why_vi: "khi Nagle bật, đó là delayed ACK, do kernel của server gửi khi bộ đếm giờ của nó nổ (không lời gọi nào); với TCP_NODELAY đó là echo của vòng 1, từ send() của server",
    },
];

#[cfg(test)]
mod tests {
    use super::super::reading::answer_lines;
    use super::*;

    #[test]
    fn rounds_pair_the_client_pieces_and_a_wait_is_30_ms() {
        let rows = r#"{"type":"segment","stream":0,"frame":1,"role":"data","from":"client","time":0.0}
{"type":"segment","stream":0,"frame":2,"role":"data","from":"client","time":0.0002}
{"type":"segment","stream":0,"frame":3,"role":"data","from":"client","time":0.01}
{"type":"segment","stream":0,"frame":4,"role":"ack","from":"server","ack":9,"time":0.05,"cause":"server's kernel (no socket call)"}
{"type":"segment","stream":0,"frame":5,"role":"data","from":"client","time":0.0501}"#;
        let readers: Vec<_> = LESSON_10.iter().map(|q| q.answer).collect();
        let got = answer_lines(&readers, rows);
        let answer = |key: &str| got[LESSON_10.iter().position(|q| q.key == key).expect("asked")].clone();
        assert_eq!(answer("waited_rounds").as_deref(), Some("1"));
        assert_eq!(answer("round_1_waited").as_deref(), Some("no"));
        assert_eq!(answer("ack_before_lo").as_deref(), Some("9"));
        assert_eq!(answer("ack_before_lo_call").as_deref(), Some("none"));
    }

    #[test]
    fn the_ack_after_world_is_the_servers_next_segment() {
        let rows = r#"{"type":"segment","stream":0,"frame":4,"role":"data","from":"client","seq":1}
{"type":"segment","stream":0,"frame":5,"role":"ack","from":"server","ack":6}
{"type":"segment","stream":0,"frame":6,"role":"data","from":"client","seq":6}
{"type":"segment","stream":0,"frame":7,"role":"ack","from":"server","ack":11}"#;
        let readers: Vec<_> = LESSON_09.iter().map(|q| q.answer).collect();
        let got = answer_lines(&readers, rows);
        assert_eq!(got[..3], [Some("2".into()), Some("6".into()), Some("11".into())]);
    }
}
