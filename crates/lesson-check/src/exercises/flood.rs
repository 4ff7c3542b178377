//! The exercise of lesson 8: a flooder that never reads, against select(). Its
//! questions are about the flooder's connection, which is known only once every
//! connection's byte count is: a first pass finds it, a second reads it, and a
//! third (for the others served meanwhile) compares the others with its end.

use osi_trace::json::{Record, SegmentRecord};

use super::reading::{connection, segment, Answer};
use super::Question;

/// What is asked of the flooder's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Port,
    ZeroWindowFrame,
    ZeroWindowFrom,
    ProbesFrom,
    OthersServed,
    ResetBy,
}

/// One of lesson 8's questions, read in passes; what it keeps is a few numbers,
/// one row, and for the others served two bits per connection.
struct Flood {
    ask: Ask,
    pass: u8,
    /// Pass 1: the connection that carried the most bytes client → server (the
    /// last of equals, as the one-pass reading found it): its byte count and stream.
    best: Option<(u64, u64)>,
    /// From pass 2: the flooder's stream.
    stream: Option<u64>,
    /// Pass 2: the first segment of the flooder's connection that answers.
    found: Option<SegmentRecord>,
    /// Pass 2: whether the client, the server sent window probes.
    probes: [bool; 2],
    /// Pass 2: the time of the flooder's last segment.
    end: Option<f64>,
    /// Pass 3: per stream, whether its first echo (server data) was seen, and was before `end`.
    echoed: Vec<bool>,
    before: Vec<bool>,
    served: u64,
}

impl Flood {
    fn reader(ask: Ask) -> Box<dyn Answer> {
        Box::new(Flood {
            ask,
            pass: 1,
            best: None,
            stream: None,
            found: None,
            probes: [false; 2],
            end: None,
            echoed: Vec::new(),
            before: Vec::new(),
            served: 0,
        })
    }

    fn answers(&self, s: &SegmentRecord) -> bool {
        match self.ask {
            Ask::Port => s.from == "client",
            Ask::ZeroWindowFrame | Ask::ZeroWindowFrom => s.analysis.iter().any(|a| a == "zero_window"),
            Ask::ResetBy => s.role == "reset",
            Ask::ProbesFrom | Ask::OthersServed => false,
        }
    }

    /// Pass 3: marks a connection's first echo; counts a connection, when it ends, if it was served in time.
    fn other(&mut self, row: &Record, s: u64, end: f64) {
        let stream = segment(row).map(|g| g.stream).or(connection(row).map(|c| c.stream));
        let Some(x) = stream.filter(|&x| x < 1 << 32) else { return };
        let x_ = x as usize;
        if let Some(g) = segment(row).filter(|g| g.role == "data" && g.from == "server") {
            if self.echoed.len() <= x_ {
                self.echoed.resize(x_ + 1, false);
                self.before.resize(x_ + 1, false);
            }
            if !self.echoed[x_] {
                self.echoed[x_] = true;
                self.before[x_] = g.time < end;
            }
        } else if connection(row).is_some() && x != s && self.before.get(x_).copied().unwrap_or(false) {
            self.served += 1;
        }
    }
}

impl Answer for Flood {
    fn row(&mut self, row: &Record) {
        match (self.pass, self.stream, row) {
            (1, _, Record::Connection(c)) => {
                let bytes = c.client_to_server.bytes;
                if self.best.as_ref().is_none_or(|(most, _)| bytes >= *most) {
                    self.best = Some((bytes, c.stream));
                }
            }
            (2, Some(s), Record::Segment(g)) if g.stream == s => {
                self.end = Some(g.time);
                if g.role == "window_probe" {
                    self.probes[0] |= g.from == "client";
                    self.probes[1] |= g.from == "server";
                }
                if self.found.is_none() && self.answers(g) {
                    self.found = Some((**g).clone());
                }
            }
            (3, Some(s), _) => {
                if let Some(end) = self.end {
                    self.other(row, s, end);
                }
            }
            _ => {}
        }
    }

    fn again(&mut self) -> bool {
        self.pass += 1;
        match self.pass {
            2 => {
                self.stream = self.best.map(|(_, s)| s);
                self.stream.is_some()
            }
            3 => self.ask == Ask::OthersServed && self.end.is_some(),
            _ => false,
        }
    }

    fn answer(&self) -> Option<String> {
        self.stream?;
        let found = self.found.as_ref();
        match self.ask {
            Ask::Port => Some(found?.srcport.to_string()),
            Ask::ZeroWindowFrame => Some(found?.frame.to_string()),
            Ask::ZeroWindowFrom | Ask::ResetBy => Some(found?.from.clone()),
            Ask::ProbesFrom => Some(
                match self.probes {
                    [true, true] => "both",
                    [true, false] => "client",
                    [false, true] => "server",
                    [false, false] => "none",
                }
                .to_string(),
            ),
            Ask::OthersServed => {
                self.end?;
                Some(self.served.to_string())
            }
        }
    }
}

pub(super) const LESSON_08: &[Question] = &[
    Question {
        key: "flooder_port",
        text: "From which port did the flooder send?",
        text_vi: "Flooder đã gửi từ port nào?",
        answer: || Flood::reader(Ask::Port),
        why: "the flooder's connection is the one that carried megabytes to the server; each client's carried a few bytes",
        why_vi: "kết nối của flooder là kết nối đã chở hàng megabyte tới server; kết nối của mỗi client chỉ chở vài byte",
    },
    Question {
        key: "first_zero_window_frame",
        text: "In the flooder's connection, which frame is the first [TCP ZeroWindow]?",
        text_vi: "Trong kết nối của flooder, frame nào là [TCP ZeroWindow] đầu tiên?",
        answer: || Flood::reader(Ask::ZeroWindowFrame),
        why: "the first segment whose window field is 0: its sender's receive buffer had no room left to offer",
        why_vi: "segment đầu tiên có trường window bằng 0: bộ đệm nhận của bên gửi segment đó đã hết chỗ trống",
    },
    Question {
        key: "first_zero_window_from",
        text: "Which side sent that first [TCP ZeroWindow] (client or server)?",
        text_vi: "Bên nào đã gửi [TCP ZeroWindow] đầu tiên đó (`client` hay `server`)?",
        answer: || Flood::reader(Ask::ZeroWindowFrom),
        why: "a window is the room left in its sender's receive buffer: the flood comes faster than the server reads it (1024 bytes per recv()), and the flooder never reads its echo at all",
        why_vi: "window là chỗ còn trống trong bộ đệm nhận của bên gửi nó: dòng lũ đến nhanh hơn tốc độ server đọc (1024 byte mỗi recv()), còn flooder thì không bao giờ đọc echo của mình",
    },
    Question {
        key: "probes_from",
        text: "Which side's kernel sent window probes on the flooder's connection (client, server, both or none)?",
        text_vi: "Kernel của bên nào đã gửi window probe trên kết nối của flooder (`client`, `server`, `both` hay `none`)?",
        answer: || Flood::reader(Ask::ProbesFrom),
        why: "each side had bytes to send into a closed window — the flood into the server's full buffer, the echo into the flooder's, which never reads — so each kernel's persist timer probed it",
        why_vi: "mỗi bên đều có byte cần gửi vào một window đã đóng — dòng lũ vào bộ đệm đầy của server, echo vào bộ đệm của flooder, vốn không bao giờ đọc — nên persist timer của mỗi kernel đều thăm dò nó",
    },
    Question {
        key: "others_served",
        text: "How many other connections got their echo while the flooder's connection was still open?",
        text_vi: "Bao nhiêu kết nối khác đã nhận được echo trong lúc kết nối của flooder vẫn còn mở?",
        answer: || Flood::reader(Ask::OthersServed),
        why: "select() serves whichever socket is ready: the flooder is left out of the read set while its output buffer is full, and every other client is read and echoed at once",
        why_vi: "select() phục vụ socket nào sẵn sàng: flooder bị để ra ngoài tập đọc trong lúc bộ đệm đầu ra của nó đầy, và mọi client khác được đọc và echo ngay",
    },
    Question {
        key: "flooder_reset_by",
        text: "Which side ended the flooder's connection with an RST (client or server)?",
        text_vi: "Bên nào đã kết thúc kết nối của flooder bằng một RST (`client` hay `server`)?",
        answer: || Flood::reader(Ask::ResetBy),
        why: "the flooder exited (its sendall() timed out, or you stopped it) with the echo unread in its receive buffer: its kernel sent RST, not FIN (lesson 5)",
        why_vi: "flooder đã thoát (sendall() của nó hết giờ, hoặc bạn dừng nó) khi echo còn chưa đọc trong bộ đệm nhận: kernel của nó gửi RST, chứ không phải FIN (bài 5)",
    },
];

#[cfg(test)]
mod tests {
    use super::super::reading::answer_lines;
    use super::*;

    const FLOOD: &str = r#"{"type":"segment","stream":0,"frame":1,"role":"data","from":"client","srcport":41000,"time":0.1,"analysis":[]}
{"type":"segment","stream":0,"frame":2,"role":"ack","from":"server","time":0.2,"analysis":["zero_window"]}
{"type":"segment","stream":1,"frame":3,"role":"data","from":"server","time":0.3,"analysis":[]}
{"type":"connection","stream":1,"client_to_server":{"bytes":6}}
{"type":"segment","stream":0,"frame":4,"role":"window_probe","from":"client","time":0.5,"analysis":["zero_window","keep_alive"]}
{"type":"segment","stream":2,"frame":5,"role":"data","from":"server","time":0.6,"analysis":[]}
{"type":"connection","stream":2,"client_to_server":{"bytes":6}}
{"type":"connection","stream":0,"client_to_server":{"bytes":900000}}"#;

    #[test]
    fn the_flooder_is_the_connection_that_carried_the_most() {
        let readers: Vec<_> = LESSON_08.iter().map(|q| q.answer).collect();
        let got = answer_lines(&readers, FLOOD);
        let answer = |key: &str| got[LESSON_08.iter().position(|q| q.key == key).expect("asked")].clone();
        assert_eq!(answer("flooder_port").as_deref(), Some("41000"));
        assert_eq!(answer("first_zero_window_frame").as_deref(), Some("2"));
        assert_eq!(answer("first_zero_window_from").as_deref(), Some("server"));
        assert_eq!(answer("probes_from").as_deref(), Some("client"));
        // Stream 1 echoed at 0.3, before the flooder's last segment (0.5); stream 2 at 0.6, after.
        assert_eq!(answer("others_served").as_deref(), Some("1"));
        assert_eq!(answer("flooder_reset_by"), None);
    }

    #[test]
    fn without_connections_nothing_can_be_told() {
        let readers: Vec<_> = LESSON_08.iter().map(|q| q.answer).collect();
        assert!(answer_lines(&readers, "").iter().all(Option::is_none));
    }
}
