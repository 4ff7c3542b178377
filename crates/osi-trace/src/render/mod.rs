//! Rendering: one annotated segment → a line, its layers, or a ladder arrow;
//! a connection summary → text. The words come from [`words`], the JSON from
//! [`crate::json`]. Colour comes from `colored`, which the program switches on
//! or off once (`--color`, `NO_COLOR`).

pub mod words;

use std::fmt::Write as _;

use colored::Colorize;

use crate::analysis::{Annotated, Role, Side, State, Summary};
use crate::decode::{flags::*, Link};
use kit::plural;

/// How many payload bytes a line shows before it shortens.
pub const PREVIEW: usize = 32;

/// Wireshark's flag list: `SYN, ACK`.
pub fn flag_names(f: u8) -> String {
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
    let v: Vec<&str> = names.iter().filter(|(b, _)| f & b != 0).map(|(_, n)| *n).collect();
    if v.is_empty() {
        "<none>".into()
    } else {
        v.join(", ")
    }
}

fn secs(d: std::time::Duration) -> String {
    format!("{:.6}", d.as_secs_f64())
}

fn arrow(from: Side) -> &'static str {
    match from {
        Side::Client => "client → server",
        Side::Server => "client ← server",
    }
}

/// The one-line view of a segment.
pub fn line(n: &Annotated) -> String {
    let seg = &n.seg;
    let mut s = String::with_capacity(200);
    let _ = write!(s, "{:>10} #{} {} ", secs(n.time), n.stream, arrow(n.from));
    let flags = format!("[{}]", flag_names(seg.tcp.flags));
    let flags = if seg.tcp.has(RST) {
        flags.red().bold()
    } else if seg.tcp.has(SYN) || seg.tcp.has(FIN) {
        flags.yellow().bold()
    } else if n.len > 0 {
        flags.green()
    } else {
        flags.normal()
    };
    let _ = write!(s, "{flags:<10} seq={}", n.seq);
    if let Some(a) = n.ack {
        let _ = write!(s, " ack={a}");
    }
    let _ = write!(s, " win={} len={}", n.win, n.len);
    for a in &n.analysis {
        let _ = write!(s, " {}", format!("[{}]", words::anomaly(*a)).red().bold());
    }
    let _ = write!(s, "  {}", words::describe(&n.role, n.from).bold());
    if n.len > 0 {
        let _ = write!(s, " {}", kit::escape(&seg.payload, PREVIEW).green());
    }
    let _ = write!(
        s,
        "  {}  {}",
        format!("← {}", words::cause(n)).dimmed(),
        format!("[client {}, server {}]", n.client_state, n.server_state).cyan()
    );
    s
}

/// The `--layers` view: the segment's L2, L3, L4 and L7, one line each, then its cause.
pub fn layers(n: &Annotated) -> Vec<String> {
    let seg = &n.seg;
    let mut out = Vec::with_capacity(5);
    let l2 = match &seg.link {
        Link::Ethernet { src, dst, ethertype } => {
            let note = if seg.link.is_loopback_placeholder() {
                " — loopback: a placeholder header (all-zero MACs), no real link, no ARP"
            } else {
                ""
            };
            format!("Ethernet {} → {}, type 0x{ethertype:04x}{note}", mac(src), mac(dst))
        }
        Link::Cooked { ethertype, v2 } => format!(
            "Linux cooked capture{} (no link header recorded), type 0x{ethertype:04x}",
            if *v2 { " v2" } else { "" }
        ),
        Link::Raw => "none recorded: the capture starts at the IP header".into(),
        Link::Null => "BSD loopback header".into(),
    };
    out.push(format!("    {} {l2}", "L2".blue().bold()));
    let ip = &seg.ip;
    let mut l3 = if ip.id.is_some() {
        format!("IPv4 {} → {}, TTL {}", ip.src, ip.dst, ip.ttl)
    } else {
        format!("IPv6 {} → {}, hop limit {}", ip.src, ip.dst, ip.ttl)
    };
    let _ = write!(l3, ", total length {}", ip.total_len);
    if let Some(id) = ip.id {
        let _ = write!(l3, ", id 0x{id:04x}{}", if ip.df { ", DF (don't fragment)" } else { "" });
    }
    out.push(format!("    {} {l3}", "L3".blue().bold()));
    let t = &seg.tcp;
    let mut l4 = format!(
        "TCP {} → {}, flags {}, seq {} (raw {})",
        t.src_port,
        t.dst_port,
        flag_names(t.flags),
        n.seq,
        t.seq
    );
    if let Some(a) = n.ack {
        let _ = write!(l4, ", ack {a} (raw {})", t.ack);
    }
    let _ = write!(l4, ", window {}", t.window);
    match n.win_shift {
        Some(s) if s > 0 => {
            let _ = write!(l4, " × 2^{s} = {}", n.win);
        }
        Some(_) => {}
        None => l4.push_str(" (scale unknown: handshake not captured)"),
    }
    let _ = write!(l4, ", header {} bytes", t.header_len);
    let o = &t.options;
    let mut opts = Vec::new();
    if let Some(m) = o.mss {
        opts.push(format!("MSS {m}"));
    }
    if let Some(w) = o.wscale {
        opts.push(format!("window scale {w} (×{})", 1u32 << w.min(14)));
    }
    if o.sack_perm {
        opts.push("SACK permitted".into());
    }
    if o.sack_blocks > 0 {
        opts.push(format!("SACK {} blocks", o.sack_blocks));
    }
    if let Some((v, e)) = o.timestamps {
        opts.push(format!("timestamps {v}/{e}"));
    }
    if o.malformed {
        opts.push("malformed option list".into());
    }
    if !opts.is_empty() {
        let _ = write!(l4, ", options: {}", opts.join(", "));
    }
    out.push(format!("    {} {l4}", "L4".yellow().bold()));
    let l7 = if seg.payload_len == 0 {
        "no payload".to_string()
    } else if seg.payload.len() < seg.payload_len as usize {
        format!(
            "{} bytes, {} captured: {}",
            seg.payload_len,
            seg.payload.len(),
            kit::escape(&seg.payload, 64)
        )
    } else {
        format!("{} bytes: {}", seg.payload_len, kit::escape(&seg.payload, 64))
    };
    out.push(format!("    {} {l7}", "L7".green().bold()));
    out.push(format!("    {} {}", "cause".dimmed(), words::cause(n)));
    out
}

fn mac(m: &[u8; 6]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Width of the arrow between the two columns of a ladder.
const LADDER: usize = 44;

/// The heading of a connection's ladder diagram.
/// `first` is the connection's first segment: the states before it follow from it.
pub fn ladder_head(first: &Annotated) -> Vec<String> {
    let (client, server) = first.endpoints();
    let before = if first.joined_late {
        (State::Established, State::Established)
    } else {
        // A refused SYN found no socket at all: the server end was never LISTENing.
        let server = match first.server_state {
            State::Closed | State::Unknown => first.server_state,
            _ => State::Listen,
        };
        (State::Closed, server)
    };
    vec![
        format!("stream {}: client {client} ⇄ server {server}", first.stream).bold().to_string(),
        format!("{:>10}  {:<12} {:^w$} {}", "time", "client", "", "server", w = LADDER),
        format!("{:>10}  {:<12} {:^w$} {}", "", before.0, "", before.1, w = LADDER),
    ]
}

/// One arrow of a ladder diagram: client on the left, server on the right.
pub fn ladder_row(n: &Annotated) -> String {
    let seg = &n.seg;
    let mut label = format!("{} seq={}", flag_names(seg.tcp.flags).replace(", ", "+"), n.seq);
    if let Some(a) = n.ack {
        let _ = write!(label, " ack={a}");
    }
    if n.len > 0 {
        let _ = write!(label, " len={}", n.len);
    }
    for a in &n.analysis {
        let _ = write!(label, " [{}]", a.field());
    }
    let room = LADDER.saturating_sub(label.chars().count() + 4);
    let (l, r) = (room / 2, room - room / 2);
    let body = match n.from {
        Side::Client => format!("─{} {label} {}▶", "─".repeat(l), "─".repeat(r)),
        Side::Server => format!("◀{} {label} {}─", "─".repeat(l), "─".repeat(r)),
    };
    let body = match n.role {
        Role::Refused | Role::Reset => body.red().to_string(),
        Role::Handshake(_) | Role::Fin { .. } | Role::FinAck { .. } => body.yellow().to_string(),
        Role::Data { .. } => body.green().to_string(),
        _ => body,
    };
    format!("{:>10}  {:<12} {body} {}", secs(n.time), n.client_state.to_string(), n.server_state)
}

/// A connection's summary, as text lines.
pub fn summary(s: &Summary) -> Vec<String> {
    let ms = |d: std::time::Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    let rtt = match (s.handshake_rtt, s.handshake_time) {
        // Karn: a retransmitted SYN's answer gives no RTT sample from the first SYN.
        (Some(rtt), Some(all)) if s.syn_retransmissions > 0 => format!(
            "handshake {} (includes {}, so it is no round-trip time; {} from the last SYN)",
            ms(all),
            plural(s.syn_retransmissions, "SYN retransmission"),
            ms(rtt)
        ),
        (Some(rtt), _) => format!("handshake RTT {}", ms(rtt)),
        (None, _) => "handshake RTT not seen".to_string(),
    };
    let mut v = vec![
        format!(
            "stream {}: client {} → server {}{}",
            s.stream,
            s.client,
            s.server,
            if s.joined_late { " (joined after the handshake)" } else { "" }
        )
        .bold()
        .to_string(),
        format!("  duration {}, {rtt}, ended: {}", format_secs(s.duration()), words::end(s.end)),
        format!(
            "  client → server: {}, {};  server → client: {}, {}",
            plural(s.to_server.segments, "segment"),
            plural(s.to_server.bytes, "byte"),
            plural(s.to_client.segments, "segment"),
            plural(s.to_client.bytes, "byte")
        ),
    ];
    v.shrink_to_fit();
    v
}

fn format_secs(d: std::time::Duration) -> String {
    if d.as_secs_f64() < 1.0 {
        format!("{:.3} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}
