//! A segment's `--json` record written straight from the analysed segment:
//! the same bytes as serializing its [`super::Record::Segment`] (a test holds them
//! equal), without making the record's strings first — one record per
//! segment, a million of them in a big capture. The names are written as
//! they are; each value is serde_json's own (numbers, null, escaped text).

use std::fmt::Display;

use serde::Serialize;

use super::{role_name, sack_blocks, PAYLOAD};
use crate::analysis::Annotated;
use crate::decode::flags::ACK;
use crate::render::{call, flag_names, push_endpoint, push_hex, words};

/// Writes segment records, its buffers reused from record to record.
#[derive(Default)]
pub struct SegmentWriter {
    /// The record being written.
    line: Vec<u8>,
    /// A text value as it is made, before it goes in (escaped when it must).
    text: String,
}

impl SegmentWriter {
    /// The record of segment `n`, seen on `link` when the capture had several:
    /// one line of JSON, its newline included.
    pub fn record(&mut self, n: &Annotated, link: Option<&str>) -> serde_json::Result<&[u8]> {
        // JSON is language-neutral: its texts are English whatever --lang says.
        let _en = kit::lang::English::now();
        let (seg, tcp) = (&n.seg, &n.seg.tcp);
        let (out, raw) = (&mut self.line, &mut self.text);
        out.clear();
        // The tag first, then SegmentRecord's fields in its order, made the same way.
        out.extend_from_slice(b"{\"type\":\"segment\"");
        value(out, b",\"ack\":", &n.ack)?;
        value(out, b",\"ack_raw\":", &tcp.has(ACK).then_some(tcp.ack))?;
        value(out, b",\"ack_rtt\":", &n.ack_rtt.map(|r| r.rtt.as_secs_f64()))?;
        value(out, b",\"ack_rtt_retransmitted\":", &n.ack_rtt.map(|r| r.ambiguous))?;
        value(out, b",\"acks_frame\":", &n.ack_rtt.map(|r| r.acks_frame))?;
        out.extend_from_slice(b",\"analysis\":[");
        for (i, a) in n.analysis.iter().enumerate() {
            value(out, if i == 0 { b"" } else { b"," }, a.field())?;
        }
        out.push(b']');
        let call = call::cause(n);
        out.extend_from_slice(b",\"by\":\"");
        out.extend_from_slice(call.side.name().as_bytes());
        if call.kernel {
            out.extend_from_slice(b"_kernel");
        }
        out.push(b'"');
        value(out, b",\"call\":", &call.call.map(|c| c.name()))?;
        text(out, raw, b",\"cause\":", words::cause(n))?;
        quoted(out, b",\"client_state\":", n.client_state.name())?;
        endpoint(out, b",\"dst\":", n.dst);
        value(out, b",\"dstport\":", &tcp.dst_port)?;
        raw.clear();
        flag_names(tcp.flags).push_to(raw);
        quoted(out, b",\"flags\":", raw)?;
        raw.clear();
        raw.push_str("0x");
        push_hex(raw, tcp.flags12.into(), 3);
        quoted(out, b",\"flags_hex\":", raw)?;
        value(out, b",\"frame\":", &n.frame)?;
        value(out, b",\"from\":", n.from.name())?;
        value(out, b",\"ip_len\":", &seg.ip.total_len)?;
        value(out, b",\"len\":", &n.len)?;
        if let Some(link) = link {
            value(out, b",\"link\":", link)?;
        }
        value(out, b",\"mss\":", &tcp.options.mss)?;
        value(out, b",\"nxtseq\":", &n.next_seq)?;
        quoted(
            out,
            b",\"payload\":",
            &kit::escape_bytes_literal(&seg.payload[..seg.payload.len().min(PAYLOAD)]),
        )?;
        value(out, b",\"resent_after\":", &n.resent_after.map(|d| d.as_secs_f64()))?;
        value(out, b",\"role\":", role_name(&n.role))?;
        text(out, raw, b",\"role_text\":", words::describe(n))?;
        // No SACK block (nearly every segment): `[]`, and nothing allocated.
        value(out, b",\"sack\":", &sack_blocks(n))?;
        value(out, b",\"seq\":", &n.seq)?;
        value(out, b",\"seq_raw\":", &tcp.seq)?;
        quoted(out, b",\"server_state\":", n.server_state.name())?;
        endpoint(out, b",\"src\":", n.src);
        value(out, b",\"srcport\":", &tcp.src_port)?;
        value(out, b",\"stream\":", &n.stream)?;
        value(out, b",\"time\":", &n.time.as_secs_f64())?;
        value(out, b",\"ttl\":", &seg.ip.ttl)?;
        value(out, b",\"window_size\":", &n.win)?;
        value(out, b",\"window_size_scalefactor\":", &n.win_shift.map_or(-1, |s| 1i64 << s))?;
        value(out, b",\"window_size_value\":", &tcp.window)?;
        out.extend_from_slice(b"}\n");
        Ok(out)
    }
}

/// `name`, then the value as serde_json writes it. (Inlined, as the other
/// writers: the names' lengths are then known where they are copied.)
#[inline(always)]
fn value(out: &mut Vec<u8>, name: &[u8], v: &(impl Serialize + ?Sized)) -> serde_json::Result<()> {
    out.extend_from_slice(name);
    serde_json::to_writer(out, v)
}

/// `name`, then an address and port as a JSON string (they need no escape).
#[inline(always)]
fn endpoint(out: &mut Vec<u8>, name: &[u8], a: std::net::SocketAddr) {
    out.extend_from_slice(name);
    out.push(b'"');
    push_endpoint(out, a);
    out.push(b'"');
}

/// `name`, then the text `v` writes, as a JSON string (made in `raw` first).
fn text(out: &mut Vec<u8>, raw: &mut String, name: &[u8], v: impl Display) -> serde_json::Result<()> {
    use std::fmt::Write as _;
    raw.clear();
    // Writing into a String cannot fail.
    let _ = write!(raw, "{v}");
    quoted(out, name, raw)
}

/// `name`, then `s` as a JSON string: as it is when it needs no escape (the
/// words always), else escaped by serde_json.
#[inline(always)]
fn quoted(out: &mut Vec<u8>, name: &[u8], s: &str) -> serde_json::Result<()> {
    out.extend_from_slice(name);
    // serde_json escapes control characters, quotes and backslashes, nothing else.
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(out, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;
    use crate::decode::Decoder;
    use crate::json::{Record, SegmentRecord};
    use crate::pcap::CaptureReader;

    /// Every segment of every capture in tests/fixtures and tests/corpus, on one
    /// link and on a named one: the same bytes as its [`Record::Segment`].
    #[test]
    fn the_record_written_straight_is_the_record_serialized() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut files: Vec<_> = ["fixtures", "corpus"]
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        files.sort();
        assert!(files.len() > 20, "{files:?}");
        let (mut w, mut segments) = (SegmentWriter::default(), 0);
        for path in &files {
            let mut reader = CaptureReader::open(path).unwrap();
            let (mut decoder, mut an, mut number) = (Decoder::new(), Analyzer::new(), 0);
            // Three thousand frames of each file: the big ones repeat themselves.
            while let Some(Ok(frame)) = reader.next_frame().filter(|_| number < 3000) {
                number += 1;
                let Ok(crate::decode::Decoded::Segment(seg)) = decoder.decode(&frame) else { continue };
                let n = an.push(number, frame.ts, seg);
                for link in [None, Some("veth \"0\"")] {
                    let want = SegmentRecord { link: link.map(String::from), ..SegmentRecord::from(&n) };
                    let want = Record::Segment(Box::new(want));
                    let want = serde_json::to_string(&want).unwrap() + "\n";
                    let got = String::from_utf8(w.record(&n, link).unwrap().to_vec()).unwrap();
                    assert_eq!(got, want, "{}", path.display());
                }
                segments += 1;
            }
        }
        assert!(segments > 4000, "{segments}");
    }

    /// Text that needs escaping (a payload's backslashes, a quote, a control
    /// character) is escaped as serde_json escapes it.
    #[test]
    fn text_is_escaped_as_serde_json_escapes_it() {
        let (mut out, mut raw) = (Vec::new(), String::new());
        for s in ["plain → text", "a \"quote\"", "back\\slash", "tab\there", "\u{1}\u{1f}\u{7f}é"] {
            out.clear();
            text(&mut out, &mut raw, b"", s).unwrap();
            assert_eq!(String::from_utf8(out.clone()).unwrap(), serde_json::to_string(s).unwrap());
        }
    }
}
