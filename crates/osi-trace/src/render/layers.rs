//! The `--layers` view: below a segment's line, its L2, L3, L4 and L7 (and
//! its cause), one line each, continued on indented lines when they do not fit.

use std::fmt::Write as _;

use colored::Colorize;
use kit::palette::Ink;

use super::fit::{self, plain, span, Paint};
use super::{flag_names, push_hex, push_ip, push_mac, push_num, words};
use crate::analysis::Annotated;
use crate::decode::Link;

/// One layer's line, appended to `out`: its tag, then the text.
fn layer(out: &mut String, tag: &str, paint: Paint, text: &mut String, width: usize) {
    const FIRST: &str = "    ";
    const REST: &str = "       ";
    // Measured once: a text of one-column characters is wrapped knowing it.
    let one_column = (width > 0).then(|| fit::one_column_chars(text)).flatten();
    let fits = || FIRST.len() + fit::width(tag) + 1 + one_column.unwrap_or_else(|| fit::width(text)) <= width;
    if width == 0 || fits() {
        out.push_str(FIRST);
        fit::push_painted(out, paint, tag);
        out.push(' ');
        out.push_str(text);
        out.push('\n');
    } else if colored::control::SHOULD_COLORIZE.should_colorize() {
        fit::wrap_into(out, &[span(tag, paint), span(" ", plain), span(&**text, plain)], width, FIRST, REST);
    } else {
        // Without colour the tag is one more word of the text: one span, wrapped a line at a time.
        text.insert(0, ' ');
        text.insert_str(0, tag);
        let one_column = one_column.is_some() && fit::one_column_chars(tag).is_some();
        fit::wrap_text_into(out, text, one_column, width, FIRST, REST);
    }
}

/// The `--layers` view, appended to `out`: the segment's L2, L3, L4 and L7,
/// one line each, then its cause. `text` is scratch space the caller keeps
/// from segment to segment. (Writing into a String cannot fail: the results
/// of `write!` are left aside.)
pub fn layers(n: &Annotated, width: usize, text: &mut String, out: &mut String) {
    let seg = &n.seg;
    let blue: Paint = |t| Ink::Blue.paint(t).bold().to_string();
    let w = words::layers::words();
    text.clear();
    match &seg.link {
        Link::Ethernet { src, dst, ethertype } => {
            text.push_str("Ethernet ");
            push_mac(text, src);
            text.push_str(" → ");
            push_mac(text, dst);
            text.push_str(", type 0x");
            push_hex(text, u64::from(*ethertype), 4);
            if seg.link.is_loopback_placeholder() {
                text.push_str(w.loopback);
            }
        }
        Link::Cooked { ethertype, v2 } => {
            let v2 = if *v2 { " v2" } else { "" };
            let _ = write!(text, "Linux cooked capture{v2} ({}), type 0x{ethertype:04x}", w.no_link_header);
        }
        Link::Raw => text.push_str(w.none_recorded),
        Link::Null => text.push_str(w.bsd_loopback),
        Link::Ppp { protocol } => {
            let _ = write!(text, "PPP, protocol 0x{protocol:04x} ({})", w.point_to_point);
        }
        Link::IpOverIb { ethertype } => {
            let _ = write!(text, "IP over InfiniBand, type 0x{ethertype:04x}");
        }
    }
    layer(out, "L2", blue, text, width);
    // Encapsulation between the link and the segment's IP (VLAN tags, PPPoE,
    // MPLS, tunnels' outer headers), outermost first: each one more layer.
    for e in &seg.outer {
        text.clear();
        let _ = write!(text, "{}", words::layers::encap(e));
        layer(out, e.layer(), blue, text, width);
    }
    // L3 and L4 written piece by piece, not with `write!`: --layers writes
    // them for every segment, and their numbers and addresses add up.
    let ip = &seg.ip;
    text.clear();
    text.push_str(if ip.id.is_some() { "IPv4 " } else { "IPv6 " });
    push_ip(text, ip.src);
    text.push_str(" → ");
    push_ip(text, ip.dst);
    text.push_str(if ip.id.is_some() { ", TTL " } else { ", hop limit " });
    push_num(text, ip.ttl.into());
    text.push_str(w.total_length);
    push_num(text, ip.total_len.into());
    if let Some(id) = ip.id {
        text.push_str(", id 0x");
        push_hex(text, id.into(), 4);
        text.push_str(if ip.df { ", DF (don't fragment)" } else { "" });
    }
    if let Some(note) = words::layers::length_note(&ip.length) {
        let _ = write!(text, " ({note})"); // TSO's length 0, longer than the frame, or reassembled
    }
    layer(out, "L3", blue, text, width);
    let t = &seg.tcp;
    text.clear();
    text.push_str("TCP ");
    push_num(text, t.src_port.into());
    text.push_str(" → ");
    push_num(text, t.dst_port.into());
    text.push_str(", flags ");
    flag_names(t.flags).push_to(text);
    text.push_str(", seq ");
    push_num(text, n.seq.into());
    text.push_str(w.raw);
    push_num(text, t.seq.into());
    text.push(')');
    if let Some(a) = n.ack {
        text.push_str(", ack ");
        push_num(text, a.into());
        text.push_str(w.raw);
        push_num(text, t.ack.into());
        text.push(')');
    }
    text.push_str(", window ");
    push_num(text, t.window.into());
    match n.win_shift {
        Some(s) if s > 0 => {
            let _ = write!(text, " × 2^{s} = {}", n.win);
        }
        Some(_) => {}
        None => text.push_str(w.scale_unknown),
    }
    let _ = write!(text, ", header {} {}", t.header_len, w.bytes);
    let o = &t.options;
    // `, options: ` before the first, `, ` between the others.
    let mut sep = w.options;
    let mut option = |text: &mut String| {
        text.push_str(sep);
        sep = ", ";
    };
    if let Some(m) = o.mss {
        option(text);
        let _ = write!(text, "MSS {m}");
    }
    if let Some(w) = o.wscale {
        option(text);
        let _ = write!(text, "window scale {w} (×{})", 1u32 << w.min(14));
    }
    if o.sack_perm {
        option(text);
        text.push_str("SACK permitted");
    }
    if o.sack_blocks > 0 {
        option(text);
        let _ = write!(text, "SACK {} {}", o.sack_blocks, w.blocks);
    }
    if let Some((v, e)) = o.timestamps {
        option(text);
        text.push_str("timestamps ");
        push_num(text, v.into());
        text.push('/');
        push_num(text, e.into());
    }
    if o.malformed {
        option(text);
        text.push_str(w.malformed_options);
    }
    layer(out, "L4", |t| Ink::Yellow.paint(t).bold().to_string(), text, width);
    text.clear();
    if seg.payload_len == 0 {
        text.push_str(w.no_payload);
    } else if seg.payload.len() < seg.payload_len as usize {
        let cut = words::layers::cut_payload(seg.payload_len, seg.payload.len());
        let _ = write!(text, "{cut}: {}", kit::preview(&seg.payload, 64));
    } else {
        push_num(text, seg.payload_len.into());
        text.push(' ');
        text.push_str(w.bytes);
        text.push_str(": ");
        text.push_str(&kit::preview(&seg.payload, 64));
    }
    layer(out, "L7", |t| Ink::Green.paint(t).bold().to_string(), text, width);
    text.clear();
    let _ = write!(text, "{}", words::cause(n));
    layer(out, w.cause, |t| t.bold().to_string(), text, width);
}
