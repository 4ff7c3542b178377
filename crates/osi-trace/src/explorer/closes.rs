//! Which of a program's closing lines sent a FIN or an RST, when the capture
//! can tell. A program such as the client has two: `shutdown(SHUT_WR)` (taken
//! only with `--half-close`) and dropping the socket (close()). On the wire
//! both FINs look the same; what follows tells them apart (Linux,
//! `tcp_rcv_state_process`): after close() the socket no longer reads, so new
//! data from the peer is answered with RST; after shutdown(SHUT_WR) it is read
//! and acknowledged. An RST is never shutdown()'s. Anything else: not known,
//! and the page shows both lines with the condition of each.

use std::collections::BTreeMap;

use crate::json::{Record, SegmentRecord};

/// The socket was closed (dropped): the close() line, not shutdown().
pub const CLOSED: &str = "close";
/// Only its write side was shut: the shutdown(SHUT_WR) line.
pub const SHUT_WR: &str = "shutdown";

/// For each FIN or RST a program's close call sent (by frame number), the kind
/// of call the capture proves: [`CLOSED`] or [`SHUT_WR`]; unproven ones are absent.
pub fn proven(records: &[Record]) -> BTreeMap<u64, String> {
    let segs: Vec<&SegmentRecord> = records
        .iter()
        .filter_map(|r| match r {
            Record::Segment(s) => Some(&**s),
            _ => None,
        })
        .collect();
    let mut out = BTreeMap::new();
    for (i, s) in segs.iter().enumerate() {
        if s.call.as_deref() != Some("close") || s.by != s.from {
            continue;
        }
        if s.flags.contains("RST") {
            out.insert(s.frame, CLOSED.to_string());
            continue;
        }
        let later = segs[i + 1..].iter().filter(|t| t.stream == s.stream);
        // The peer's new data after this FIN, then this end's first answer to it: an RST,
        // or an ACK that covers it (an earlier ACK may have crossed the data).
        let mut data_end = None;
        let mut verdict = None;
        for t in later {
            if t.from != s.from {
                if t.call.as_deref() == Some("send") && t.len > 0 {
                    data_end = Some(t.nxtseq);
                }
                continue;
            }
            let Some(end) = data_end else { continue };
            if t.flags.contains("RST") {
                verdict = Some(CLOSED);
                break;
            }
            if t.ack.is_some_and(|a| a >= end) {
                verdict = Some(SHUT_WR);
                break;
            }
        }
        if let Some(v) = verdict {
            out.insert(s.frame, v.to_string());
        }
    }
    out
}
