//! Rendering: one annotated segment → a line, its layers, a ladder arrow, or
//! a JSON object; a connection summary → text or JSON. Colour comes from
//! `colored`, which the program switches on or off once (`--color`, `NO_COLOR`).

use std::fmt::Write as _;

use colored::Colorize;
use serde_json::{json, Value};

use crate::analysis::{Annotated, Role, Side, State, Summary};
use crate::decode::{flags::*, Link, Segment};

/// How many payload bytes a line shows before it shortens.
pub const PREVIEW: usize = 32;

/// A line seen on one of several links (`--interface any`, or more than one
/// `--interface`): the link's name in front, e.g. `[va]`.
pub fn on_link(interface: &str, line: String) -> String {
    format!("{}{line}", format!("[{interface}]").cyan())
}

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
pub fn line(n: &Annotated, seg: &Segment) -> String {
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
        let _ = write!(s, " {}", format!("[{a}]").red().bold());
    }
    let _ = write!(s, "  {}", n.role.describe(n.from).bold());
    if n.len > 0 {
        let _ = write!(s, " {}", kit::escape(&seg.payload, PREVIEW).green());
    }
    let _ = write!(
        s,
        "  {}  {}",
        format!("← {}", n.cause).dimmed(),
        format!("[client {}, server {}]", n.client_state, n.server_state).cyan()
    );
    s
}

/// The `--layers` view: the segment's L2, L3, L4 and L7, one line each.
pub fn layers(n: &Annotated, seg: &Segment) -> Vec<String> {
    let mut out = Vec::with_capacity(4);
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
        Link::Ppp { protocol } => {
            format!("PPP, protocol 0x{protocol:04x} (a point-to-point link: no addresses)")
        }
        Link::IpOverIb { ethertype } => format!("IP over InfiniBand, type 0x{ethertype:04x}"),
    };
    out.push(format!("    {} {l2}", "L2".blue().bold()));
    // Hook (decode): encapsulation headers between the link and the segment's IP, outermost first.
    out.extend(seg.outer.iter().map(|e| format!("    {} {e}", e.layer().blue().bold())));
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
    if let Some(note) = ip.length.note() {
        let _ = write!(l3, " ({note})"); // Hook (decode): TSO length 0, or longer than the frame
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
    out
}

fn mac(m: &[u8; 6]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Width of the arrow between the two columns of a ladder.
const LADDER: usize = 44;

/// The heading of a connection's ladder diagram.
pub fn ladder_head(stream: u64, client: std::net::SocketAddr, server: std::net::SocketAddr) -> Vec<String> {
    vec![
        format!("stream {stream}: client {client} ⇄ server {server}").bold().to_string(),
        format!("{:>10}  {:<12} {:^w$} {}", "time", "client", "", "server", w = LADDER),
        format!("{:>10}  {:<12} {:^w$} {}", "", State::Closed, "", State::Listen, w = LADDER),
    ]
}

/// One arrow of a ladder diagram: client on the left, server on the right.
pub fn ladder_row(n: &Annotated, seg: &Segment) -> String {
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
    let rtt =
        s.handshake_rtt.map_or("not seen".to_string(), |d| format!("{:.3} ms", d.as_secs_f64() * 1000.0));
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
        format!("  duration {}, handshake RTT {rtt}, ended: {}", format_secs(s.duration()), s.end),
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

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn format_secs(d: std::time::Duration) -> String {
    if d.as_secs_f64() < 1.0 {
        format!("{:.3} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// The JSON object of a segment (see the crate README for the schema).
pub fn segment_json(n: &Annotated, seg: &Segment) -> Value {
    json!({
        "type": "segment",
        "frame": n.frame,
        "time": n.time.as_secs_f64(),
        "stream": n.stream,
        "from": n.from.name(),
        "src": n.src.to_string(),
        "dst": n.dst.to_string(),
        "srcport": seg.tcp.src_port,
        "dstport": seg.tcp.dst_port,
        "flags": flag_names(seg.tcp.flags),
        "flags_hex": format!("0x{:03x}", seg.tcp.flags),
        "seq": n.seq,
        "seq_raw": seg.tcp.seq,
        "ack": n.ack,
        "ack_raw": if seg.tcp.has(ACK) { Some(seg.tcp.ack) } else { None },
        "nxtseq": n.next_seq,
        "len": n.len,
        "window_size_value": seg.tcp.window,
        "window_size": n.win,
        "window_size_scalefactor": n.win_shift.map_or(-1, |s| 1i64 << s),
        "ttl": seg.ip.ttl,
        "ip_len": seg.ip.total_len,
        "role": role_name(&n.role),
        "role_text": n.role.describe(n.from),
        "cause": n.cause,
        "analysis": n.analysis.iter().map(|a| a.field()).collect::<Vec<_>>(),
        "client_state": n.client_state.to_string(),
        "server_state": n.server_state.to_string(),
        "payload": kit::escape_all(&seg.payload[..seg.payload.len().min(256)]),
    })
}

/// A short, stable name for a role, for scripts.
pub fn role_name(r: &Role) -> &'static str {
    match r {
        Role::Handshake(1) => "syn",
        Role::Handshake(2) => "syn_ack",
        Role::Handshake(_) => "handshake_ack",
        Role::Data { .. } => "data",
        Role::Ack { .. } => "ack",
        Role::WindowUpdate => "window_update",
        Role::KeepAlive => "keep_alive",
        Role::Fin { .. } => "fin",
        Role::FinAck { .. } => "fin_ack",
        Role::Refused => "refused",
        Role::Reset => "reset",
    }
}

/// The JSON object of a connection summary.
pub fn summary_json(s: &Summary) -> Value {
    json!({
        "type": "connection",
        "stream": s.stream,
        "client": s.client.to_string(),
        "server": s.server.to_string(),
        "start": s.start.as_secs_f64(),
        "duration": s.duration().as_secs_f64(),
        "handshake_rtt": s.handshake_rtt.map(|d| d.as_secs_f64()),
        "client_to_server": {"segments": s.to_server.segments, "bytes": s.to_server.bytes},
        "server_to_client": {"segments": s.to_client.segments, "bytes": s.to_client.bytes},
        "end": match s.end {
            crate::analysis::End::Graceful => "graceful",
            crate::analysis::End::Reset { refused: true } => "refused",
            crate::analysis::End::Reset { refused: false } => "reset",
            crate::analysis::End::Open => "open",
        },
        "joined_late": s.joined_late,
    })
}
