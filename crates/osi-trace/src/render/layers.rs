//! The `--layers` view: below a segment's line, its L2, L3, L4 and L7 (and
//! its cause), one line each, continued on indented lines when they do not fit.

use std::fmt::Write as _;

use colored::Colorize;
use kit::palette::Ink;

use super::fit::{plain, span, Paint};
use super::{fit_line, flag_names, mac, words};
use crate::analysis::Annotated;
use crate::decode::Link;

/// One layer's line: its tag, then the text.
fn layer(tag: &str, paint: Paint, text: String, width: usize) -> Vec<String> {
    fit_line(&[span(tag, paint), span(" ", plain), span(text, plain)], width, "    ", "       ")
}

/// The `--layers` view: the segment's L2, L3, L4 and L7, one line each, then its cause.
pub fn layers(n: &Annotated, width: usize) -> Vec<String> {
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
        Link::Ppp { protocol } => {
            format!("PPP, protocol 0x{protocol:04x} (a point-to-point link: no addresses)")
        }
        Link::IpOverIb { ethertype } => format!("IP over InfiniBand, type 0x{ethertype:04x}"),
    };
    out.extend(layer("L2", |t| Ink::Blue.paint(t).bold().to_string(), l2, width));
    // Encapsulation between the link and the segment's IP (VLAN tags, PPPoE,
    // MPLS, tunnels' outer headers), outermost first: each one more layer.
    for e in &seg.outer {
        out.extend(layer(e.layer(), |t| Ink::Blue.paint(t).bold().to_string(), e.to_string(), width));
    }
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
        let _ = write!(l3, " ({note})"); // TSO's length 0, longer than the frame, or reassembled
    }
    out.extend(layer("L3", |t| Ink::Blue.paint(t).bold().to_string(), l3, width));
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
    out.extend(layer("L4", |t| Ink::Yellow.paint(t).bold().to_string(), l4, width));
    let l7 = if seg.payload_len == 0 {
        "no payload".to_string()
    } else if seg.payload.len() < seg.payload_len as usize {
        format!(
            "{} bytes, {} captured: {}",
            seg.payload_len,
            seg.payload.len(),
            kit::preview(&seg.payload, 64)
        )
    } else {
        format!("{} bytes: {}", seg.payload_len, kit::preview(&seg.payload, 64))
    };
    out.extend(layer("L7", |t| Ink::Green.paint(t).bold().to_string(), l7, width));
    out.extend(layer("cause", |t| t.bold().to_string(), words::cause(n), width));
    out
}
