//! The hop view's layout: each forwarded datagram as a head line (time, way
//! through the router, frames, the router's time) and one row per layer with
//! link1's copy beside link2's, what changed painted; each one-link frame as its
//! line and the reason below. Stacked instead of side by side when too narrow.

use colored::Colorize;
use kit::palette::Ink;

use super::fit::{self, plain, span, Span};
use super::words::hop as words;
use super::{fit_line, secs};
use crate::hop::{HopView, Only, Pair, Row, Tally, What};
use crate::render::words::control::{explain, Names};

/// Indent of the layer rows and of the reason, under the time column.
const INDENT: &str = "    ";
/// Indent of a line's continuation when it does not fit.
const CONT: &str = "      ";
/// `L2  `: the layer label of a row.
const LABEL: usize = 4;
const GAP: &str = " │ ";

fn bold(s: &str) -> String {
    s.bold().to_string()
}

fn changed(s: &str) -> String {
    Ink::Yellow.paint(s).to_string()
}

fn said(s: &str) -> String {
    Ink::Magenta.paint(s).to_string()
}

/// The widest L2 or L3 cell of a pair; the widest of all pairs is the
/// column's width, so the columns line up down the view.
pub fn cells_width(p: &Pair) -> usize {
    (0..2)
        .flat_map(|i| [words::l2_cell(p, i), words::l3_cell(p, i)])
        .map(|c| fit::width(&c))
        .max()
        .unwrap_or(0)
}

/// Whether the two copies fit side by side in `width` (0: no limit).
fn side_by_side(col: usize, width: usize) -> bool {
    width == 0 || INDENT.len() + LABEL + 2 * col + fit::width(GAP) <= width
}

/// The view's first lines: which file is which link, and the column heads.
pub fn head(names: &[String; 2], files: &[String; 2], col: usize, width: usize) -> Vec<String> {
    let mut v = fit_line(&[span(words::title(names, files), bold)], width, "", "  ");
    if col > 0 && side_by_side(col, width) {
        let pad = " ".repeat(INDENT.len() + LABEL);
        v.push(format!("{pad}{:<col$}{GAP}{}", names[0], names[1]).trim_end().to_string());
    }
    v
}

/// The lines of one row.
pub fn row(view: &HopView, r: &Row, names: &[String; 2], col: usize, width: usize) -> Vec<String> {
    match r {
        Row::Pair(p) => pair(view, p, names, col, width),
        Row::Only(o) => only(view, o, names, width),
    }
}

/// The time column: seconds since the first frame of either file.
fn time(view: &HopView, ts: std::time::Duration) -> String {
    format!("{:>10} ", secs(ts.saturating_sub(view.start)))
}

fn pair(view: &HopView, p: &Pair, names: &[String; 2], col: usize, width: usize) -> Vec<String> {
    let b = p.before();
    let head = format!("{}, {}", words::direction(p, names), words::router_time(p));
    let mut v = fit_line(&[span(head, bold)], width, &time(view, b.ts), CONT);
    let l2 = [words::l2_cell(p, 0), words::l2_cell(p, 1)];
    let l3 = [words::l3_cell(p, 0), words::l3_cell(p, 1)];
    let paint = |same: bool| -> fit::Paint {
        if same {
            plain
        } else {
            changed
        }
    };
    v.extend(layer("L2", &l2, &words::l2_verdict(p), paint(!p.macs_rewritten()), names, col, width));
    let lower = p.datagram(0).ttl != p.datagram(1).ttl;
    v.extend(layer("L3", &l3, &words::l3_verdict(p), paint(!lower), names, col, width));
    let l4 =
        [span(words::l4(view, p.datagram(p.from)), plain), span(format!("  {}", words::l4_verdict()), plain)];
    // ICMP's words name their own layer (`L3 ICMP …`); TCP and UDP are L4.
    let d = p.datagram(p.from);
    let label = if d.tcp.is_some() || d.protocol == 17 { "L4" } else { "" };
    v.extend(fit_line(&l4, width, &format!("{INDENT}{label:<LABEL$}"), &" ".repeat(INDENT.len() + LABEL)));
    v
}

/// One layer's row: link1's cell, link2's cell, the verdict (on its own line
/// when it does not fit); stacked when the cells do not fit side by side.
fn layer(
    label: &str,
    cells: &[String; 2],
    verdict: &str,
    paint: fit::Paint,
    names: &[String; 2],
    col: usize,
    width: usize,
) -> Vec<String> {
    let first = format!("{INDENT}{label:<LABEL$}");
    let under = " ".repeat(INDENT.len() + LABEL);
    if side_by_side(col, width) {
        let spans = [
            span(format!("{:<col$}", cells[0]), paint),
            span(GAP, plain),
            span(format!("{:<col$}", cells[1]), paint),
        ];
        let line = format!("{first}{}", fit::join(&spans));
        let used = fit::width(&first) + fit::spans_width(&spans);
        let verdict = span(format!("  {verdict}"), paint);
        if width == 0 || used + fit::width(&verdict.text) <= width {
            return vec![format!("{line}{}", fit::join(&[verdict])).trim_end().to_string()];
        }
        let mut v = vec![line.trim_end().to_string()];
        v.extend(fit_line(&[span(verdict.text.trim_start(), paint)], width, &under, &under));
        return v;
    }
    let mut v = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let lead = if i == 0 { &first } else { &under };
        let spans: [Span; 2] = [span(format!("{} ", names[i]), plain), span(cell.clone(), paint)];
        v.extend(fit_line(&spans, width, lead, &under));
    }
    v.extend(fit_line(&[span(verdict, paint)], width, &under, &under));
    v
}

fn only(view: &HopView, o: &Only, names: &[String; 2], width: usize) -> Vec<String> {
    let text = match &o.seen.what {
        What::Datagram(d) => words::carries(view, d),
        What::Arp(c) => explain(c, &Names::default(), None, o.asked),
        What::Other(why) => why.clone(),
    };
    let lead = span(words::only_on(&names[o.link], o.seen.frame), bold);
    let mut v = fit_line(&[lead, span(text, said)], width, &time(view, o.seen.ts), CONT);
    v.extend(fit_line(&[span(format!("↳ {}", words::why(o, names)), plain)], width, INDENT, CONT));
    v
}

/// The closing lines.
pub fn summary(tally: &Tally, names: &[String; 2], width: usize) -> Vec<String> {
    let mut v = vec![String::new()];
    for s in words::summary(tally, names) {
        v.extend(fit_line(&[span(s, plain)], width, "", "  "));
    }
    v
}
