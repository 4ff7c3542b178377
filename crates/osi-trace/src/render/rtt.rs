//! The `--rtt` words: below a segment, the RTT sample its ACK gives (as
//! Wireshark's `ack_rtt`); below a connection's summary, RFC 6298's SRTT,
//! RTTVAR and RTO for each direction, and Linux's floor beside the RFC's.

use super::fit::{plain, span};
use super::fit_line;
use crate::analysis::{Annotated, Estimate, Summary, G, LINUX_RTO_MIN, RFC_RTO_MIN};

fn ms(s: f64) -> String {
    format!("{:.3} ms", s * 1000.0)
}

/// The RTT sample of this segment's ACK, on an indented line; none without one.
pub fn segment_rtt(n: &Annotated, width: usize) -> Vec<String> {
    let Some(r) = n.ack_rtt else { return Vec::new() };
    if kit::lang::vi() {
        return fit_line(&[span(super::lang::summary::segment_rtt(&r), plain)], width, "    ", "      ");
    }
    let mut text = format!("RTT {}: ACKs frame {} (ack_rtt)", ms(r.rtt.as_secs_f64()), r.acks_frame);
    if r.ambiguous {
        text.push_str(
            "; not used for RTO: those bytes were sent twice, which copy is answered is unknown (Karn)",
        );
    }
    fit_line(&[span(text, plain)], width, "    ", "      ")
}

/// For each direction: the samples, SRTT, RTTVAR and the RTO they give.
pub fn summary_rtt(s: &Summary, width: usize) -> Vec<String> {
    let mut v = Vec::new();
    for (dir, e) in [("client → server", &s.rtt.to_server), ("server → client", &s.rtt.to_client)] {
        v.extend(fit_line(&[span(direction(dir, e), plain)], width, "  ", "    "));
    }
    v
}

fn direction(dir: &str, e: &Estimate) -> String {
    let skipped = match e.karn_skipped {
        0 => String::new(),
        k => format!(", {k} left out by Karn's rule"),
    };
    let (Some(srtt), Some(raw), Some(rto)) = (e.srtt, e.rto_computed(), e.rto()) else {
        if kit::lang::vi() {
            return super::lang::summary::rtt_no_sample(dir, e.karn_skipped);
        }
        return format!("RTT of {dir} segments: no sample{skipped}");
    };
    if kit::lang::vi() {
        let n = [
            ms(e.min),
            ms(e.max),
            ms(srtt),
            ms(e.rttvar),
            ms(G.as_secs_f64()),
            ms(raw),
            secs(rto),
            secs(RFC_RTO_MIN.as_secs_f64()),
            secs(LINUX_RTO_MIN.as_secs_f64()),
            secs(srtt + LINUX_RTO_MIN.as_secs_f64()),
        ];
        return super::lang::summary::rtt_direction(dir, e, n);
    }
    format!(
        "RTT of {dir} segments: {} sample{} (min {}, max {}){skipped}; RFC 6298: SRTT {}, \
         RTTVAR {}, RTO = SRTT + max(G {}, 4·RTTVAR) = {} → {} (the RFC's minimum is {}); \
         Linux keeps its 4·RTTVAR term ≥ {} (TCP_RTO_MIN): RTO ≥ SRTT + 200 ms = {}",
        e.samples,
        if e.samples == 1 { "" } else { "s" },
        ms(e.min),
        ms(e.max),
        ms(srtt),
        ms(e.rttvar),
        ms(G.as_secs_f64()),
        ms(raw),
        secs(rto),
        secs(RFC_RTO_MIN.as_secs_f64()),
        secs(LINUX_RTO_MIN.as_secs_f64()),
        secs(srtt + LINUX_RTO_MIN.as_secs_f64()),
    )
}

/// Seconds at the scale a timeout is read in: `1 s`, `200 ms`, `1.347 ms`.
fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{} s", trim(format!("{s:.3}")))
    } else {
        format!("{} ms", trim(format!("{:.3}", s * 1000.0)))
    }
}

fn trim(s: String) -> String {
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
