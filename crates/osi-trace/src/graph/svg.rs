//! Draws a time-sequence graph as SVG, with the kit's one chart writer
//! ([`kit::svg`], by hand: its docs say why): each segment an I-beam from its
//! first to its next sequence number, retransmissions red with an R, the ACK line
//! green, the window line (ACK + window) orange, SACK blocks purple — and a legend
//! that lists only what the graph draws.

use std::fmt::Write;

use kit::svg::{esc, tick_label, Axis, Marker, Style, Svg};

use super::{Acked, Sent, Stream};
use crate::analysis::Side;
use crate::render::words::graph as words;

/// Sized for a book's column (~750 px): the text stays legible at 1:1.
const W: f64 = 720.0;
/// The plot area: left, right, top, bottom.
const L: f64 = 90.0;
const R: f64 = 700.0;
const T: f64 = 50.0;
const B: f64 = 400.0;

const SEGMENT: &str = "#000000";
const RETRANSMISSION: &str = "#d7191c";
const ACK: &str = "#1a9641";
const WINDOW: &str = "#d98c00";
const SACK: &str = "#7b3294";

/// The SVG document and the number of retransmissions marked in it.
pub fn draw(s: &Stream, side: Side) -> (String, usize) {
    let me = match side {
        Side::Client => &s.dirs[0],
        Side::Server => &s.dirs[1],
    };
    let (sent, acks) = (&me.sent, &me.acks);
    let times = sent.iter().map(|p| p.time).chain(acks.iter().map(|a| a.time));
    let t0 = times.clone().fold(f64::INFINITY, f64::min);
    let t1 = times.fold(f64::NEG_INFINITY, f64::max).max(t0 + 1e-3);
    let y0 = sent.iter().map(|p| p.seq).min().unwrap_or(0) as f64;
    // The data and the ACKs fill the height; the window line may run off the top (clipped).
    let top = sent.iter().map(|p| p.next_seq).chain(acks.iter().map(|a| a.ack)).max().unwrap_or(1) as f64;
    let y1 = (top + (top - y0) * 0.1).max(y0 + 1.0);
    let xa = Axis { lo: t0, hi: t1, log: false, from: L, to: R };
    let ya = Axis { lo: y0, hi: y1, log: false, from: B, to: T };
    let (x, y) = (|t: f64| xa.at(t), |v: f64| ya.at(v));

    let (from, to) = match side {
        Side::Client => (s.client, s.server),
        Side::Server => (s.server, s.client),
    };
    let title = words::title(s.stream, side, &from.to_string(), &to.to_string());
    // The window's edge above the plot (a few bytes sent into a 64 KiB window) is not drawn.
    let window = acks.iter().any(|a| ((a.ack + a.win) as f64) < y1);
    let drawn = Drawn {
        retransmissions: sent.iter().any(|p| p.retransmission),
        acks: !acks.is_empty(),
        window,
        sacks: !me.sacks.is_empty(),
    };
    let legend = legend(drawn);
    let rows = legend.len().div_ceil(2) as f64;
    let mut d = Svg::new(W, 475.0 + rows * 20.0, &title);
    let label = |v: f64| tick_label(v);
    let seq = |v: f64| format!("{v:.0}");
    let w = words::labels();
    d.frame(&xa, &ya, (w.x_axis, w.y_axis), (&label, &seq));
    d.raw(&format!(
        r#"<clipPath id="plot"><rect x="{L}" y="{T}" width="{}" height="{}"/></clipPath>"#,
        R - L,
        B - T
    ));

    // The other side's ACKs: a step line, and the window's right edge above it.
    let step = |f: &dyn Fn(&Acked) -> f64| -> String {
        let mut pts = String::new();
        let mut last: Option<f64> = None;
        for a in acks {
            if let Some(prev) = last {
                let _ = write!(pts, "{:.1},{:.1} ", x(a.time), y(prev));
            }
            let _ = write!(pts, "{:.1},{:.1} ", x(a.time), y(f(a)));
            last = Some(f(a));
        }
        pts
    };
    if window {
        d.raw(&format!(
            r#"<polyline class="window" clip-path="url(#plot)" fill="none" stroke="{WINDOW}" points="{}"/>"#,
            step(&|a| (a.ack + a.win) as f64)
        ));
    }
    if !acks.is_empty() {
        d.raw(&format!(
            r#"<polyline class="ack" clip-path="url(#plot)" fill="none" stroke="{ACK}" points="{}"/>"#,
            step(&|a| a.ack as f64)
        ));
    }
    for k in &me.sacks {
        d.raw(&format!(
            r#"<line class="sack" clip-path="url(#plot)" stroke="{SACK}" stroke-width="3" x1="{px:.1}" y1="{:.1}" x2="{px:.1}" y2="{:.1}"/>"#,
            y(k.left as f64),
            y(k.right as f64),
            px = x(k.time)
        ));
    }
    let mut marks = 0;
    for p in sent {
        marks += usize::from(p.retransmission);
        d.raw(&segment(p, &x, &y));
    }
    d.legend(L, 470.0, 2, 310.0, &legend);
    (d.finish(), marks)
}

/// What the graph draws besides its segments.
#[derive(Debug, Clone, Copy)]
struct Drawn {
    retransmissions: bool,
    acks: bool,
    window: bool,
    sacks: bool,
}

/// The legend's entries: the segments always, the rest only where the graph draws them.
fn legend(drawn: Drawn) -> Vec<(String, Style)> {
    let line = |colour| Style { colour, marker: Marker::None, hollow: false };
    let w = words::labels();
    let items = [
        (true, w.segment, line(SEGMENT)),
        (drawn.retransmissions, w.retransmission, line(RETRANSMISSION)),
        (drawn.acks, w.ack, line(ACK)),
        (drawn.window, w.window, line(WINDOW)),
        (drawn.sacks, w.sack, line(SACK)),
    ];
    items
        .into_iter()
        .filter(|(drawn, _, _)| *drawn)
        .map(|(_, text, style)| (text.to_string(), style))
        .collect()
}

/// One segment: an I-beam from its first sequence number to the next one.
fn segment(p: &Sent, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let (px, a, b) = (x(p.time), y(p.seq as f64), y(p.next_seq as f64));
    let (class, colour) =
        if p.retransmission { ("retransmission", RETRANSMISSION) } else { ("segment", SEGMENT) };
    let mut d = format!(
        r#"<path class="{class}" stroke="{colour}" fill="none" d="M{px:.1},{a:.1}V{b:.1}M{:.1},{a:.1}H{:.1}M{:.1},{b:.1}H{:.1}"/>"#,
        px - 2.0,
        px + 2.0,
        px - 2.0,
        px + 2.0
    );
    if p.retransmission {
        let _ = write!(
            d,
            r#"<text class="mark" x="{:.1}" y="{:.1}" fill="{colour}">{}</text>"#,
            px + 3.0,
            b - 2.0,
            esc("R")
        );
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_lists_only_what_is_drawn() {
        let names = |d| legend(d).into_iter().map(|(n, _)| n).collect::<Vec<_>>().join(" | ");
        let nagle = Drawn { retransmissions: false, acks: true, window: false, sacks: false };
        assert_eq!(names(nagle), "segment (seq to next seq) | ACK from the other side");
        let lossy = Drawn { retransmissions: true, acks: true, window: true, sacks: true };
        assert_eq!(names(lossy).matches(" | ").count(), 4);
    }
}
