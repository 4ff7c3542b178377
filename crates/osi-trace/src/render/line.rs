//! The line view: one line per segment — time, stream, direction, flags,
//! numbers, Wireshark's flags, the role, the payload, the cause and both ends'
//! states. When it does not fit the width, the cause and the states go on indented
//! lines below, then the role too, always in that order.

use colored::Colorize;
use kit::palette::Ink;

use super::fit::{plain, Runs};
use super::{arrow, fit_line, flag_names, push_num, secs, words, PREVIEW};
use crate::analysis::Annotated;
use crate::decode::flags::*;

/// The four parts of a line, in [`line`]'s order.
const HEAD: usize = 0;
const ROLE: usize = 1;
const CAUSE: usize = 2;
const STATES: usize = 3;

/// From one line to four: the parts on each line (the second and later ones
/// indented); the first layout whose every line fits is the one shown. The parts
/// are always in the one-line order (the cause right after the role it explains).
const LAYOUTS: [&[&[usize]]; 5] = [
    &[&[HEAD, ROLE, CAUSE, STATES]],
    &[&[HEAD, ROLE], &[CAUSE, STATES]],
    &[&[HEAD, ROLE], &[CAUSE], &[STATES]],
    &[&[HEAD], &[ROLE], &[CAUSE, STATES]],
    &[&[HEAD], &[ROLE], &[CAUSE], &[STATES]],
];
const INDENT: &str = "    ";
const GAP: &str = "  ";

/// The line view of a segment, appended to `out`: one line, or more when it
/// does not fit `width` (0: no limit), each ending in a newline. `runs` is
/// scratch space the caller keeps from segment to segment.
pub fn line(n: &Annotated, width: usize, runs: &mut Runs, out: &mut String) {
    let seg = &n.seg;
    runs.clear();
    runs.push_with(plain, |s| {
        secs(n.time).push_to(s, 10);
        s.push_str(" #");
        push_num(s, n.stream);
        s.push(' ');
        s.push_str(arrow(n.from));
        s.push(' ');
    });
    let paint: super::fit::Paint = if seg.tcp.has(RST) {
        |t| Ink::Red.paint(t).bold().to_string()
    } else if seg.tcp.has(SYN) || seg.tcp.has(FIN) {
        |t| Ink::Yellow.paint(t).bold().to_string()
    } else if n.len > 0 {
        |t| Ink::Green.paint(t).to_string()
    } else {
        plain
    };
    let before = runs.count();
    runs.push_with(paint, |s| {
        s.push('[');
        flag_names(seg.tcp.flags).push_to(s);
        s.push(']');
    });
    let pad = 10usize.saturating_sub(runs.width(before..runs.count()));
    runs.push_with(plain, |s| {
        s.extend(std::iter::repeat_n(' ', pad));
        s.push_str(" seq=");
        push_num(s, n.seq.into());
        if let Some(a) = n.ack {
            s.push_str(" ack=");
            push_num(s, a.into());
        }
        s.push_str(" win=");
        push_num(s, n.win);
        s.push_str(" len=");
        push_num(s, n.len.into());
    });
    for a in &n.analysis {
        runs.push(plain, " ");
        runs.push(|t| Ink::Red.paint(t).bold().to_string(), format_args!("[{}]", words::anomaly(*a)));
    }
    // After Wireshark's flags, as its Info column puts SLE/SRE after them.
    runs.push(plain, sack(n));
    let head = 0..runs.count();
    runs.push(|t| t.bold().to_string(), words::describe(n));
    if n.len > 0 {
        runs.push(plain, " ");
        runs.push(|t| Ink::Green.paint(t).to_string(), kit::preview(&seg.payload, PREVIEW));
    }
    let role = head.end..runs.count();
    // The cause in the terminal's own colour: dim text vanishes on a projector.
    runs.push(plain, format_args!("← {}", words::cause(n)));
    let cause = role.end..runs.count();
    runs.push_with(|t| Ink::Cyan.paint(t).to_string(), |s| words::states(n).push_to(s));
    let states = cause.end..runs.count();
    let parts = [head, role, cause, states];

    // Measured only when there is a width to fit.
    let widths = if width == 0 { [0; 4] } else { parts.clone().map(|p| runs.width(p)) };
    let fits = |layout: &[&[usize]]| {
        layout.iter().enumerate().all(|(i, line)| {
            let indent = if i == 0 { 0 } else { INDENT.len() };
            indent + line.iter().map(|&p| widths[p]).sum::<usize>() + GAP.len() * (line.len() - 1) <= width
        })
    };
    let layout = if width == 0 { Some(&LAYOUTS[0]) } else { LAYOUTS.iter().find(|l| fits(l)) };
    let Some(layout) = layout else {
        // Narrower than any layout: each part wrapped on its own lines.
        let lines = [
            fit_line(&runs.spans(parts[HEAD].clone()), width, "", INDENT),
            super::fit::wrap(&runs.spans(parts[ROLE].clone()), width, INDENT, "      "),
            super::fit::wrap(&runs.spans(parts[CAUSE].clone()), width, INDENT, "      "),
            super::fit::wrap(&runs.spans(parts[STATES].clone()), width, INDENT, "      "),
        ];
        for l in lines.iter().flatten() {
            out.push_str(l);
            out.push('\n');
        }
        return;
    };
    for (i, line) in layout.iter().enumerate() {
        if i > 0 {
            out.push_str(INDENT);
        }
        for (k, &p) in line.iter().enumerate() {
            if k > 0 {
                out.push_str(GAP);
            }
            runs.paint_into(parts[p].clone(), out);
        }
        out.push('\n');
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
