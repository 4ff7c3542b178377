//! Rendering: one annotated segment → a line ([`line()`]), its layers
//! ([`layers`]) or a ladder arrow (`ladder`); a control frame (ARP, ICMP) →
//! its line ([`control()`]); a connection summary → text; two links' captures
//! → the hop view ([`hop`], its words in `words::hop`).
//! The words come from [`words`] (their Vietnamese from [`lang`]), the JSON
//! from [`crate::json`]; every view
//! fits the width of [`fit`]. Colour comes from `colored`, which the program
//! switches on or off once (`--color`, `NO_COLOR`).

pub mod call;
pub mod closing;
mod columns;
mod control;
pub mod fit;
pub mod hop;
mod ladder;
pub mod lang;
mod layers;
mod line;
mod numbers;
mod rtt;
pub mod words;

pub(crate) use crate::decode::mac::{mac, push_mac};
pub use control::control;
pub use ladder::{ladder_head, ladder_row};
pub use layers::layers;
pub use line::line;
pub(crate) use numbers::{push_endpoint, push_hex, push_ip, push_num, secs};
pub use rtt::{segment_rtt, summary_rtt};

use std::fmt;

use colored::Colorize;
use kit::palette::Ink;

use crate::analysis::{Side, Summary};
use crate::decode::flags::*;
use fit::{plain, span, Span};
use kit::plural;

/// How many payload bytes a line shows before it shortens.
pub const PREVIEW: usize = 32;

/// A segment seen on one of several links (`--interface any`, or more than
/// one `--interface`): its lines, fitted in what the link's name leaves of
/// `width`, with the name in front of the first, e.g. `[va]`.
pub fn on_link(interface: &str, width: usize, lines: impl FnOnce(usize) -> Vec<String>) -> Vec<String> {
    let mut tag = String::new();
    let mut v = lines(link_tag(interface, width, &mut tag));
    if let Some(first) = v.first_mut() {
        first.insert_str(0, &tag);
    }
    v
}

/// Writes the link's name as [`on_link`] puts it in front of a line, and
/// returns the width left for the line.
pub fn link_tag(interface: &str, width: usize, out: &mut String) -> usize {
    let tag = format!("[{interface}]");
    out.push_str(&Ink::Cyan.paint(&tag).to_string());
    if width == 0 {
        0
    } else {
        width.saturating_sub(fit::width(&tag)).max(1)
    }
}

/// Wireshark's flag list: `SYN, ACK` (`<none>` without any).
pub fn flag_names(f: u8) -> FlagNames {
    FlagNames(f)
}

/// The flag list of [`flag_names`], written where it goes.
pub struct FlagNames(u8);

impl FlagNames {
    /// Appends the list to `out` (as `{}` prints it).
    pub(crate) fn push_to(&self, out: &mut String) {
        let names = [
            (CWR, "CWR"),
            (ECE, "ECE"),
            (URG, "URG"),
            (FIN, "FIN"),
            (SYN, "SYN"),
            (RST, "RST"),
            (PSH, "PSH"),
            (ACK, "ACK"),
        ];
        let before = out.len();
        for (_, name) in names.iter().filter(|(b, _)| self.0 & b != 0) {
            if out.len() > before {
                out.push_str(", ");
            }
            out.push_str(name);
        }
        if out.len() == before {
            out.push_str("<none>");
        }
    }
}

impl fmt::Display for FlagNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = String::new();
        self.push_to(&mut names);
        f.write_str(&names)
    }
}

pub(crate) fn arrow(from: Side) -> &'static str {
    match from {
        Side::Client => "client → server",
        Side::Server => "client ← server",
    }
}

/// The spans on one line as they are when they fit (or no width is set), else wrapped.
pub(crate) fn fit_line(spans: &[Span], width: usize, first: &str, rest: &str) -> Vec<String> {
    if width == 0 || fit::width(first) + fit::spans_width(spans) <= width {
        vec![format!("{first}{}", fit::join(spans))]
    } else {
        fit::wrap(spans, width, first, rest)
    }
}

/// After the ends of a connection the capture joined after its handshake (no SYN seen):
/// its client and server are guessed from the ports (the streams' `client_port_guess`),
/// and no end's state is known.
pub(crate) fn joined_note() -> &'static str {
    if kit::lang::vi() {
        lang::summary::JOINED
    } else {
        " (joined after the handshake: roles guessed from the ports, states unknown)"
    }
}

/// A connection's summary, as text lines.
pub fn summary(s: &Summary, width: usize) -> Vec<String> {
    if kit::lang::vi() {
        return lang::summary::summary(s, width);
    }
    let ms = |d: std::time::Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    let rtt = match (s.handshake_rtt, s.handshake_time) {
        // The server's timer resent the SYN+ACK after the last SYN: no time from a SYN is a round trip.
        (Some(_), Some(all)) if s.syn_ack_retransmissions > 0 => {
            let mut resent = vec![plural(u64::from(s.syn_ack_retransmissions), "SYN+ACK retransmission")];
            if s.syn_retransmissions > 0 {
                resent.insert(0, plural(u64::from(s.syn_retransmissions), "SYN retransmission"));
            }
            format!("handshake {} (includes {}, so it is no round-trip time)", ms(all), resent.join(" and "))
        }
        // Karn: a retransmitted SYN's answer gives no RTT sample from the first SYN.
        (Some(rtt), Some(all)) if s.syn_retransmissions > 0 => format!(
            "handshake {} (includes {}, so it is no round-trip time; {} from the last SYN)",
            ms(all),
            plural(s.syn_retransmissions, "SYN retransmission"),
            ms(rtt)
        ),
        (Some(rtt), _) => format!("handshake RTT {}", ms(rtt)),
        // Only a simultaneous open has a handshake time and no RTT: each end's SYN left on its own.
        (None, Some(all)) => format!(
            "simultaneous open (both ends called connect()), handshake {} from the first SYN to both ends \
             ESTABLISHED{} (no round-trip time)",
            ms(all),
            match s.syn_retransmissions {
                0 => String::new(),
                n => format!(", including {}", plural(n, "SYN retransmission")),
            }
        ),
        (None, _) => "handshake RTT not seen".to_string(),
    };
    let head = format!(
        "stream {}: client {} → server {}{}",
        s.stream,
        s.client,
        s.server,
        if s.joined_late { joined_note() } else { "" }
    );
    let when = format!("duration {}, {rtt}, ended: {}", format_secs(s.duration()), words::end(s.end));
    let flows = format!(
        "client → server: {}, {};  server → client: {}, {}",
        plural(s.to_server.segments, "segment"),
        plural(s.to_server.bytes, "byte"),
        plural(s.to_client.segments, "segment"),
        plural(s.to_client.bytes, "byte")
    );
    let mut v = fit_line(&[span(head, |t| t.bold().to_string())], width, "", "    ");
    v.extend(fit_line(&[span(when, plain)], width, "  ", "    "));
    v.extend(fit_line(&[span(flows, plain)], width, "  ", "    "));
    v
}

pub(crate) fn format_secs(d: std::time::Duration) -> String {
    if d.as_secs_f64() < 1.0 {
        format!("{:.3} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}
