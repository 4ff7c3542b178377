//! Draws a time-sequence graph as SVG, by hand (it is a few lines and
//! rectangles): each segment an I-beam from its first to its next sequence
//! number, retransmissions red with an R, the ACK line green, the window line
//! (ACK + window) orange, SACK blocks purple.

use std::fmt::Write;

use super::{Acked, Sent, Stream};
use crate::analysis::Side;

const W: f64 = 1000.0;
const H: f64 = 640.0;
/// The plot area: left, right, top, bottom.
const L: f64 = 110.0;
const R: f64 = 970.0;
const T: f64 = 80.0;
const B: f64 = 560.0;

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
    let x = |t: f64| L + (t - t0) / (t1 - t0) * (R - L);
    let y = |v: f64| B - (v - y0) / (y1 - y0) * (B - T);

    let mut d = String::new();
    let (from, to) = match side {
        Side::Client => (s.client, s.server),
        Side::Server => (s.server, s.client),
    };
    let _ = writeln!(
        d,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let title =
        format!("Time-sequence graph: stream {}, the {}'s segments {from} → {to}", s.stream, side.name());
    let _ = writeln!(d, "<title>{}</title>", esc(&title));
    let _ = writeln!(d, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        d,
        r#"<text x="{}" y="30" text-anchor="middle" font-size="15">{}</text>"#,
        W / 2.0,
        esc(&title)
    );
    let _ = writeln!(
        d,
        r#"<clipPath id="plot"><rect x="{L}" y="{T}" width="{}" height="{}"/></clipPath>"#,
        R - L,
        B - T
    );
    axes(&mut d, (t0, t1), (y0, y1), &x, &y);

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
    if !acks.is_empty() {
        let _ = writeln!(
            d,
            r##"<polyline class="window" clip-path="url(#plot)" fill="none" stroke="#d98c00" points="{}"/>"##,
            step(&|a| (a.ack + a.win) as f64)
        );
        let _ = writeln!(
            d,
            r##"<polyline class="ack" clip-path="url(#plot)" fill="none" stroke="#1a9641" points="{}"/>"##,
            step(&|a| a.ack as f64)
        );
    }
    for k in &me.sacks {
        let _ = writeln!(
            d,
            r##"<line class="sack" clip-path="url(#plot)" stroke="#7b3294" stroke-width="3" x1="{px:.1}" y1="{:.1}" x2="{px:.1}" y2="{:.1}"/>"##,
            y(k.left as f64),
            y(k.right as f64),
            px = x(k.time)
        );
    }
    let mut marks = 0;
    for p in sent {
        marks += usize::from(p.retransmission);
        segment(&mut d, p, &x, &y);
    }
    legend(&mut d);
    d.push_str("</svg>\n");
    (d, marks)
}

/// One segment: an I-beam from its first sequence number to the next one.
fn segment(d: &mut String, p: &Sent, x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) {
    let (px, a, b) = (x(p.time), y(p.seq as f64), y(p.next_seq as f64));
    let (class, colour) = if p.retransmission { ("retransmission", "#d7191c") } else { ("segment", "black") };
    let _ = writeln!(
        d,
        r#"<path class="{class}" stroke="{colour}" fill="none" d="M{px:.1},{a:.1}V{b:.1}M{:.1},{a:.1}H{:.1}M{:.1},{b:.1}H{:.1}"/>"#,
        px - 2.0,
        px + 2.0,
        px - 2.0,
        px + 2.0
    );
    if p.retransmission {
        let _ = writeln!(
            d,
            r#"<text class="mark" x="{:.1}" y="{:.1}" fill="{colour}">R</text>"#,
            px + 3.0,
            b - 2.0
        );
    }
}

/// The frame, the ticks and the two axis labels.
fn axes(d: &mut String, t: (f64, f64), v: (f64, f64), x: &dyn Fn(f64) -> f64, y: &dyn Fn(f64) -> f64) {
    let _ = writeln!(
        d,
        r#"<rect x="{L}" y="{T}" width="{}" height="{}" fill="none" stroke="gray"/>"#,
        R - L,
        B - T
    );
    let step = nice_step(t.1 - t.0);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    for tick in ticks(t, step) {
        let px = x(tick);
        let _ = writeln!(
            d,
            r#"<line x1="{px:.1}" y1="{B}" x2="{px:.1}" y2="{}" stroke="gray"/><text x="{px:.1}" y="{}" text-anchor="middle">{tick:.decimals$}</text>"#,
            B + 5.0,
            B + 20.0
        );
    }
    for tick in ticks(v, nice_step(v.1 - v.0)) {
        let py = y(tick);
        let _ = writeln!(
            d,
            r#"<line x1="{}" y1="{py:.1}" x2="{L}" y2="{py:.1}" stroke="gray"/><text x="{}" y="{:.1}" text-anchor="end">{tick:.0}</text>"#,
            L - 5.0,
            L - 8.0,
            py + 4.0
        );
    }
    let _ = writeln!(
        d,
        r#"<text class="axis-label" x="{}" y="{}" text-anchor="middle">time (s, since the capture's first frame)</text>"#,
        (L + R) / 2.0,
        B + 45.0
    );
    let _ = writeln!(
        d,
        r#"<text class="axis-label" transform="translate(25,{}) rotate(-90)" text-anchor="middle">sequence number (bytes, relative: the SYN is 0)</text>"#,
        (T + B) / 2.0
    );
}

fn legend(d: &mut String) {
    let items = [
        ("black", "segment (seq to next seq)"),
        ("#d7191c", "R: retransmission"),
        ("#1a9641", "ACK from the other side"),
        ("#d98c00", "window: ACK + advertised window"),
        ("#7b3294", "SACK block"),
    ];
    // In a row between the title and the plot, each as wide as its words.
    let mut px = L;
    for (colour, text) in items {
        let _ = writeln!(
            d,
            r#"<line x1="{px}" y1="56" x2="{}" y2="56" stroke="{colour}" stroke-width="2"/><text x="{}" y="60">{}</text>"#,
            px + 15.0,
            px + 20.0,
            esc(text)
        );
        px += 30.0 + 6.5 * text.chars().count() as f64;
    }
}

/// A tick step of 1, 2 or 5 times a power of ten, about eight ticks over `range`.
fn nice_step(range: f64) -> f64 {
    let raw = range / 8.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|&s| s >= raw).unwrap_or(10.0 * mag)
}

fn ticks((lo, hi): (f64, f64), step: f64) -> Vec<f64> {
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).take(100).map(|i| i as f64 * step).collect()
}

/// Text for XML: `&`, `<` and `>` escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.06), 0.01);
        assert_eq!(nice_step(270_000.0), 50_000.0);
        assert_eq!(ticks((0.0, 0.035), 0.01).len(), 4);
    }
}
