//! Reading a capture's rows for the questions, one row at a time: each
//! question keeps only what its answer needs (a row or two, a counter), so a
//! capture of any size is marked in bounded memory. A question that can know
//! what to look for only at the end (the flooder: the connection that carried
//! the most) asks to see the rows again. The rows are osi-trace's own typed
//! records (`osi_trace::json::Record`), read as `--json` writes them.

use std::fmt::Display;

use osi_trace::json::{ConnectionRecord, ControlRecord, Record, SegmentRecord};

/// A question's answer, read from the rows of `osi-trace --json` one at a time.
pub trait Answer {
    /// One row, in the order osi-trace wrote them (capture order).
    fn row(&mut self, row: &Record);
    /// After the last row: whether to see every row once more, now that this
    /// pass told what to look for. At most a few times.
    fn again(&mut self) -> bool {
        false
    }
    /// The answer; `None` when the capture cannot tell.
    fn answer(&self) -> Option<String>;
}

/// How a question's reader is made, fresh for each capture.
pub type Reader = fn() -> Box<dyn Answer>;

/// At most this many passes over the rows, whatever a reader asks.
pub const MAX_PASSES: usize = 4;

/// Answers every question of `readers` from the rows `pass` gives (once per
/// pass: `pass` calls its argument with each row). Only the questions that
/// asked for another pass see the rows again.
pub fn answer_all(
    readers: &[Reader],
    mut pass: impl FnMut(&mut dyn FnMut(&Record)) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<Option<String>>> {
    let mut answers: Vec<Box<dyn Answer>> = readers.iter().map(|r| r()).collect();
    let mut reading: Vec<usize> = (0..answers.len()).collect();
    for _ in 0..MAX_PASSES {
        pass(&mut |row| reading.iter().for_each(|&i| answers[i].row(row)))?;
        reading.retain(|&i| answers[i].again());
        if reading.is_empty() {
            break;
        }
    }
    Ok(answers.iter().map(|a| a.answer()).collect())
}

/// The segment a row is, if it is one.
pub fn segment(row: &Record) -> Option<&SegmentRecord> {
    match row {
        Record::Segment(s) => Some(s),
        _ => None,
    }
}

/// The connection a row is, if it is one.
pub fn connection(row: &Record) -> Option<&ConnectionRecord> {
    match row {
        Record::Connection(c) => Some(c),
        _ => None,
    }
}

/// The control frame (ARP, ICMP, ICMPv6) a row is, if it is one.
pub fn control_frame(row: &Record) -> Option<&ControlRecord> {
    match row {
        Record::Control(c) => Some(c),
        _ => None,
    }
}

/// Whether `row` is a segment of stream `stream`.
pub fn seg(row: &Record, stream: u64) -> bool {
    segment(row).is_some_and(|s| s.stream == stream)
}

/// Whether `row` is a segment of stream `stream` with this role.
pub fn role(row: &Record, stream: u64, role: &str) -> bool {
    segment(row).is_some_and(|s| s.stream == stream && s.role == role)
}

/// Whether `row` is a segment `side` (`client` or `server`) sent.
pub fn from(row: &Record, side: &str) -> bool {
    segment(row).is_some_and(|s| s.from == side)
}

/// A value as `--json` writes it: `null` when there is none.
pub fn or_null<T: Display>(v: Option<T>) -> String {
    v.map_or_else(|| "null".to_string(), |v| v.to_string())
}

/// The first row matching each of `N` tests, and the answer made of them.
struct Firsts<const N: usize> {
    keep: [fn(&Record) -> bool; N],
    found: [Option<Record>; N],
    say: fn([Option<&Record>; N]) -> Option<String>,
}

impl<const N: usize> Answer for Firsts<N> {
    fn row(&mut self, row: &Record) {
        for (keep, found) in self.keep.iter().zip(self.found.iter_mut()) {
            if found.is_none() && keep(row) {
                *found = Some(row.clone());
            }
        }
    }

    fn answer(&self) -> Option<String> {
        (self.say)(std::array::from_fn(|i| self.found[i].as_ref()))
    }
}

/// Remembers the first row matching each test of `keep`; answers with `say`.
pub fn firsts<const N: usize>(
    keep: [fn(&Record) -> bool; N],
    say: fn([Option<&Record>; N]) -> Option<String>,
) -> Box<dyn Answer> {
    Box::new(Firsts { keep, found: std::array::from_fn(|_| None), say })
}

/// The first row matching `keep`, answered with `say`.
struct First {
    keep: fn(&Record) -> bool,
    found: Option<Record>,
    say: fn(&Record) -> Option<String>,
}

impl Answer for First {
    fn row(&mut self, row: &Record) {
        if self.found.is_none() && (self.keep)(row) {
            self.found = Some(row.clone());
        }
    }

    fn answer(&self) -> Option<String> {
        self.found.as_ref().and_then(self.say)
    }
}

/// Remembers the first row matching `keep`; answers with `say` (none found: cannot tell).
pub fn first(keep: fn(&Record) -> bool, say: fn(&Record) -> Option<String>) -> Box<dyn Answer> {
    Box::new(First { keep, found: None, say })
}

/// The `n`th row (from 0) matching `keep`, answered with `say`.
struct Nth {
    keep: fn(&Record) -> bool,
    seen: usize,
    n: usize,
    inner: First,
}

impl Answer for Nth {
    fn row(&mut self, row: &Record) {
        if (self.keep)(row) {
            if self.seen == self.n {
                self.inner.row(row);
            }
            self.seen += 1;
        }
    }

    fn answer(&self) -> Option<String> {
        self.inner.answer()
    }
}

/// Remembers the `n`th row (from 0) matching `keep`; answers with `say`.
pub fn nth(keep: fn(&Record) -> bool, n: usize, say: fn(&Record) -> Option<String>) -> Box<dyn Answer> {
    Box::new(Nth { keep, seen: 0, n, inner: First { keep: |_| true, found: None, say } })
}

/// How many rows match `keep`, answered with `say`.
struct Count {
    keep: fn(&Record) -> bool,
    n: u64,
    say: fn(u64) -> Option<String>,
}

impl Answer for Count {
    fn row(&mut self, row: &Record) {
        self.n += u64::from((self.keep)(row));
    }

    fn answer(&self) -> Option<String> {
        (self.say)(self.n)
    }
}

/// Counts the rows matching `keep`; answers with `say`.
pub fn count(keep: fn(&Record) -> bool, say: fn(u64) -> Option<String>) -> Box<dyn Answer> {
    Box::new(Count { keep, n: 0, say })
}

/// The largest value `value` gives of the rows matching `keep`, answered with `say`.
struct Most {
    keep: fn(&Record) -> bool,
    value: fn(&Record) -> Option<f64>,
    most: Option<f64>,
    say: fn(f64) -> Option<String>,
}

impl Answer for Most {
    fn row(&mut self, row: &Record) {
        if (self.keep)(row) {
            if let Some(v) = (self.value)(row) {
                self.most = Some(self.most.map_or(v, |m| m.max(v)));
            }
        }
    }

    fn answer(&self) -> Option<String> {
        (self.say)(self.most?)
    }
}

/// The largest `value` of the rows matching `keep`; answers with `say` (none: cannot tell).
pub fn most(
    keep: fn(&Record) -> bool,
    value: fn(&Record) -> Option<f64>,
    say: fn(f64) -> Option<String>,
) -> Box<dyn Answer> {
    Box::new(Most { keep, value, most: None, say })
}

/// Whether `row` is an ARP, ICMP or ICMPv6 record with this message.
pub fn control(row: &Record, message: &str) -> bool {
    control_frame(row).is_some_and(|c| c.message == message)
}

/// `yes` or `no`.
pub fn yes_no(yes: bool) -> String {
    if yes { "yes" } else { "no" }.to_string()
}

/// Answers from rows given as JSON lines that name only what a test needs
/// (`type` and a few fields): the other fields of each record take a neutral
/// value, and the rows are read into the typed records.
#[cfg(test)]
pub fn answer_lines(readers: &[Reader], text: &str) -> Vec<Option<String>> {
    let rows: Vec<Record> = text.lines().map(test_rows::typed).collect();
    let all = answer_all(readers, |f| {
        rows.iter().for_each(&mut *f);
        Ok(())
    });
    all.unwrap_or_default()
}

#[cfg(test)]
mod test_rows {
    use serde_json::{json, Value};

    use super::Record;

    /// Every field of a record of this type, with a neutral value.
    fn neutral(kind: &str) -> Value {
        let flow = json!({"bytes": 0, "segments": 0});
        match kind {
            "segment" => json!({
                "ack": null, "ack_raw": null, "ack_rtt": null, "ack_rtt_retransmitted": null,
                "acks_frame": null, "analysis": [], "by": "client", "call": null, "cause": "",
                "client_state": "", "dst": "", "dstport": 0, "flags": "", "flags_hex": "", "frame": 0,
                "from": "", "ip_len": 0, "len": 0, "mss": null, "nxtseq": 0, "payload": "",
                "resent_after": null, "role": "", "role_text": "", "sack": [], "seq": 0, "seq_raw": 0,
                "server_state": "", "src": "", "srcport": 0, "stream": 0, "time": 0.0, "ttl": 0,
                "window_size": 0, "window_size_scalefactor": -1, "window_size_value": 0
            }),
            "connection" => json!({
                "client": "", "client_to_server": flow, "client_to_server_rtt": null, "duration": 0.0,
                "end": "open", "handshake_rtt": null, "handshake_time": null, "joined_late": false,
                "server": "", "server_to_client": flow, "server_to_client_rtt": null, "start": 0.0,
                "stream": 0, "syn_ack_retransmissions": 0, "syn_retransmissions": 0
            }),
            other => panic!("no neutral {other} record"),
        }
    }

    /// `partial`'s fields over `into`'s, objects field by field.
    fn merge(into: &mut Value, partial: &Value) {
        match (into, partial) {
            (Value::Object(into), Value::Object(partial)) => {
                for (k, v) in partial {
                    merge(into.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
            (into, partial) => *into = partial.clone(),
        }
    }

    /// One row of a test: its fields over a neutral record of its type.
    pub fn typed(line: &str) -> Record {
        let partial: Value = serde_json::from_str(line).expect("a JSON line");
        let mut full = neutral(partial["type"].as_str().expect("a type"));
        merge(&mut full, &partial);
        serde_json::from_value(full).expect("a record")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: &str = r#"{"type":"segment","stream":0,"role":"syn","seq":0}
{"type":"segment","stream":1,"role":"syn","seq":7}
{"type":"segment","stream":0,"role":"data","seq":1}
{"type":"segment","stream":0,"role":"data","seq":6}"#;

    #[test]
    fn each_reader_keeps_what_its_answer_needs() {
        let readers: [Reader; 5] = [
            || first(|r| role(r, 1, "syn"), |r| Some(segment(r)?.seq.to_string())),
            || nth(|r| role(r, 0, "data"), 1, |r| Some(segment(r)?.seq.to_string())),
            || count(|r| seg(r, 0), |n| Some(n.to_string())),
            || firsts([|r| role(r, 0, "syn"), |r| role(r, 0, "fin")], |[a, b]| Some(format!("{a:?} {b:?}"))),
            || first(|r| role(r, 9, "syn"), |r| Some(segment(r)?.seq.to_string())),
        ];
        let got = answer_lines(&readers, ROWS);
        let largest: [Reader; 2] = [
            || most(|r| seg(r, 0), |r| Some(segment(r)?.seq.into()), |m| Some(m.to_string())),
            || most(|r| seg(r, 5), |r| Some(segment(r)?.seq.into()), |m| Some(m.to_string())),
        ];
        assert_eq!(answer_lines(&largest, ROWS), [Some("6".to_string()), None]);
        assert_eq!(got[0].as_deref(), Some("7"));
        assert_eq!(got[1].as_deref(), Some("6"));
        assert_eq!(got[2].as_deref(), Some("3"));
        assert!(got[3].as_deref().is_some_and(|s| s.ends_with(" None")), "{got:?}");
        assert_eq!(got[4], None);
    }

    /// A reader that asks for a second pass sees every row again; the others do not.
    #[test]
    fn a_second_pass_is_given_to_those_who_ask() {
        struct Twice(u64, bool);
        impl Answer for Twice {
            fn row(&mut self, _: &Record) {
                self.0 += 1;
            }
            fn again(&mut self) -> bool {
                !std::mem::replace(&mut self.1, true)
            }
            fn answer(&self) -> Option<String> {
                Some(self.0.to_string())
            }
        }
        let readers: [Reader; 2] =
            [|| Box::new(Twice(0, false)), || count(|_| true, |n| Some(n.to_string()))];
        assert_eq!(answer_lines(&readers, ROWS), [Some("8".to_string()), Some("4".to_string())]);
    }
}
