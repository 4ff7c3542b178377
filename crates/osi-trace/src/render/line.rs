//! The line view: one line per segment — time, stream, direction, flags,
//! numbers, Wireshark's flags, the role, the payload, the cause and both ends'
//! states. When it does not fit the width, the cause and the states go on indented
//! lines below, then the role too, always in that order.

use colored::Colorize;
use kit::palette::Ink;

use super::fit::{self, plain, span, Span};
use super::{arrow, fit_line, flag_names, secs, words, PREVIEW};
use crate::analysis::Annotated;
use crate::decode::flags::*;

/// The line view of a segment: one line, or more when it does not fit `width` (0: no limit).
pub fn line(n: &Annotated, width: usize) -> Vec<String> {
    let seg = &n.seg;
    let flags = format!("[{}]", flag_names(seg.tcp.flags));
    let pad = " ".repeat(10usize.saturating_sub(fit::width(&flags)));
    let paint: fit::Paint = if seg.tcp.has(RST) {
        |t| Ink::Red.paint(t).bold().to_string()
    } else if seg.tcp.has(SYN) || seg.tcp.has(FIN) {
        |t| Ink::Yellow.paint(t).bold().to_string()
    } else if n.len > 0 {
        |t| Ink::Green.paint(t).to_string()
    } else {
        plain
    };
    let mut numbers = format!("{pad} seq={}", n.seq);
    if let Some(a) = n.ack {
        numbers.push_str(&format!(" ack={a}"));
    }
    numbers.push_str(&format!(" win={} len={}", n.win, n.len));
    let mut head = vec![
        span(format!("{:>10} #{} {} ", secs(n.time), n.stream, arrow(n.from)), plain),
        span(flags, paint),
        span(numbers, plain),
    ];
    for a in &n.analysis {
        head.push(span(" ", plain));
        head.push(span(format!("[{}]", words::anomaly(*a)), |t| Ink::Red.paint(t).bold().to_string()));
    }
    // After Wireshark's flags, as its Info column puts SLE/SRE after them.
    head.push(span(sack(n), plain));
    let mut role = vec![span(words::describe(&n.role, n.from), |t| t.bold().to_string())];
    if n.len > 0 {
        role.push(span(" ", plain));
        role.push(span(kit::preview(&seg.payload, PREVIEW), |t| Ink::Green.paint(t).to_string()));
    }
    // The cause in the terminal's own colour: dim text vanishes on a projector.
    let cause = [span(format!("← {}", words::cause(n)), plain)];
    let states = [span(words::states(n), |t| Ink::Cyan.paint(t).to_string())];
    let gap = || span("  ", plain);
    let cat = |parts: &[&[Span]]| -> Vec<Span> {
        let mut v: Vec<Span> = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                v.push(gap());
            }
            v.extend(p.iter().cloned());
        }
        v
    };
    let indented = |parts: &[&[Span]]| -> Vec<Span> { [vec![span("    ", plain)], cat(parts)].concat() };
    // From one line to four: the first layout whose every line fits, the parts always in
    // the one-line order (the cause right after the role it explains).
    let layouts: [Vec<Vec<Span>>; 5] = [
        vec![cat(&[&head, &role, &cause, &states])],
        vec![cat(&[&head, &role]), indented(&[&cause, &states])],
        vec![cat(&[&head, &role]), indented(&[&cause]), indented(&[&states])],
        vec![cat(&[&head]), indented(&[&role]), indented(&[&cause, &states])],
        vec![cat(&[&head]), indented(&[&role]), indented(&[&cause]), indented(&[&states])],
    ];
    let fits = |l: &Vec<Vec<Span>>| width == 0 || l.iter().all(|line| fit::spans_width(line) <= width);
    match layouts.iter().find(|l| fits(l)) {
        Some(l) => l.iter().map(|line| fit::join(line)).collect(),
        // Narrower than any layout: each part wrapped on its own lines.
        None => [
            fit_line(&head, width, "", "    "),
            fit::wrap(&role, width, "    ", "      "),
            fit::wrap(&cause, width, "    ", "      "),
            fit::wrap(&states, width, "    ", "      "),
        ]
        .concat(),
    }
}

/// The SACK blocks (RFC 2018) of an ACK, relative like its ack number, e.g.
/// ` sack=2897-4345`: bytes the receiver holds above a hole (or, below the ack,
/// bytes it got twice: a D-SACK); empty without any.
fn sack(n: &Annotated) -> String {
    let t = &n.seg.tcp;
    let Some(rel_ack) = n.ack.filter(|_| !t.options.sack.is_empty()) else { return String::new() };
    // The same base as the ack number: the peer's ISN.
    let base = t.ack.wrapping_sub(rel_ack);
    let blocks: Vec<String> = t
        .options
        .sack
        .iter()
        .map(|&(l, r)| format!("{}-{}", l.wrapping_sub(base), r.wrapping_sub(base)))
        .collect();
    format!(" sack={}", blocks.join(","))
}
