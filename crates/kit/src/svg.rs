//! Charts as SVG text, written by hand: the kit's one way to draw (osi-trace's
//! time-sequence graph, echo-bench's ping-pong figures), sized for a book's column.
//!
//! Why by hand and not plotters: a chart here is a frame, ticks, a few polylines,
//! marks and a legend — a page of code — while plotters (with its font stack) added
//! build time on the two-core machines a class builds on, drew each series by colour
//! only unless told otherwise, and could not draw the time-sequence graph's I-beams,
//! step lines and clip path any shorter. By hand, every element carries a `class`
//! that tests (and a reader of the source) can find, and nothing depends on fonts
//! being installed: the text is left to the viewer's sans-serif.

use std::fmt::Write;

/// A mark drawn at each point of a series, so that series differ by shape, not
/// only by colour (a reader with colour-blindness, a grey-scale print).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
    Cross,
    /// No mark: a line only (a legend entry for a line that has no points to mark).
    None,
}

impl Marker {
    /// Six shapes, in the order series take them.
    pub const ALL: [Marker; 6] = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
        Marker::TriangleDown,
        Marker::Cross,
    ];
}

/// How a series is drawn: its colour, its marker, filled or hollow, solid or dashed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub colour: &'static str,
    pub marker: Marker,
    /// Hollow markers and a dashed line: the second member of a pair (Python beside Rust).
    pub hollow: bool,
}

/// An axis: values `lo..hi` onto pixels `from..to`, linear or logarithmic.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub from: f64,
    pub to: f64,
}

impl Axis {
    /// The pixel of value `v`.
    pub fn at(&self, v: f64) -> f64 {
        let f = |v: f64| if self.log { v.max(f64::MIN_POSITIVE).log10() } else { v };
        let (lo, hi) = (f(self.lo), f(self.hi));
        self.from + (f(v) - lo) / (hi - lo).max(f64::EPSILON) * (self.to - self.from)
    }

    /// The values to mark: 1, 2 or 5 times a power of ten, about eight of them;
    /// on a log axis each power of ten (and 2 and 5 times it when there are few).
    pub fn ticks(&self) -> Vec<f64> {
        if !self.log {
            return ticks((self.lo, self.hi), nice_step(self.hi - self.lo));
        }
        let (a, b) = (self.lo.max(f64::MIN_POSITIVE).log10().floor() as i32, self.hi.log10().ceil() as i32);
        let steps: &[f64] = if b - a <= 2 { &[1.0, 2.0, 5.0] } else { &[1.0] };
        (a..=b)
            .flat_map(|e| steps.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| *v >= self.lo * 0.999 && *v <= self.hi * 1.001)
            .collect()
    }
}

/// A tick step of 1, 2 or 5 times a power of ten, about eight ticks over `range`.
pub fn nice_step(range: f64) -> f64 {
    let raw = (range / 8.0).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|&s| s >= raw).unwrap_or(10.0 * mag)
}

/// The multiples of `step` in `lo..=hi` (at most 100).
pub fn ticks((lo, hi): (f64, f64), step: f64) -> Vec<f64> {
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).take(100).map(|i| i as f64 * step).collect()
}

/// A tick label with at most three significant digits and no float noise:
/// `0.3`, not `0.30000000000000004`; `20000`, not `20000.000`.
pub fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_string();
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Text for XML: `&`, `<`, `>` and `"` escaped, and each control character
/// (ESC in a label from a results file) written as [`crate::escape_controls`]
/// writes it: XML 1.0 forbids most of them, and `cat chart.svg` shows it raw.
pub fn esc(s: &str) -> String {
    crate::escape_controls(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG document being written.
#[derive(Debug)]
pub struct Svg {
    out: String,
}

impl Svg {
    /// A `width`×`height` document on white, `title` its accessible name and heading.
    pub fn new(width: f64, height: f64, title: &str) -> Svg {
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(out, "<title>{}</title>", esc(title));
        let _ = writeln!(out, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
        let mut svg = Svg { out };
        svg.text(width / 2.0, 26.0, "middle", 16.0, "title", title);
        svg
    }

    /// Raw SVG elements, for what only one chart draws (the tsg's I-beams).
    pub fn raw(&mut self, element: &str) {
        self.out.push_str(element);
        self.out.push('\n');
    }

    /// A text at (`x`, `y`), anchored `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, anchor: &str, size: f64, class: &str, text: &str) {
        let _ = writeln!(
            self.out,
            r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}">{}</text>"#,
            esc(text)
        );
    }

    /// The plot's frame with ticks, tick labels and axis titles; `xl` and `yl` format the labels.
    pub fn frame(
        &mut self,
        x: &Axis,
        y: &Axis,
        titles: (&str, &str),
        labels: (&dyn Fn(f64) -> String, &dyn Fn(f64) -> String),
    ) {
        let (l, r, b, t) = (x.from, x.to, y.from, y.to);
        let _ = writeln!(
            self.out,
            r#"<rect class="frame" x="{l}" y="{t}" width="{}" height="{}" fill="none" stroke="gray"/>"#,
            r - l,
            b - t
        );
        for v in x.ticks() {
            let px = x.at(v);
            let _ = writeln!(
                self.out,
                r##"<line x1="{px:.1}" y1="{t}" x2="{px:.1}" y2="{b}" stroke="#e4e4e4"/><line x1="{px:.1}" y1="{b}" x2="{px:.1}" y2="{}" stroke="gray"/>"##,
                b + 5.0
            );
            self.text(px, b + 20.0, "middle", 13.0, "tick", &labels.0(v));
        }
        for v in y.ticks() {
            let py = y.at(v);
            let _ = writeln!(
                self.out,
                r##"<line x1="{l}" y1="{py:.1}" x2="{r}" y2="{py:.1}" stroke="#e4e4e4"/><line x1="{}" y1="{py:.1}" x2="{l}" y2="{py:.1}" stroke="gray"/>"##,
                l - 5.0
            );
            self.text(l - 8.0, py + 4.0, "end", 13.0, "tick", &labels.1(v));
        }
        self.text((l + r) / 2.0, b + 42.0, "middle", 14.0, "axis-label", titles.0);
        let _ = writeln!(
            self.out,
            r#"<text class="axis-label" transform="translate(18,{:.1}) rotate(-90)" text-anchor="middle" font-size="14">{}</text>"#,
            (t + b) / 2.0,
            esc(titles.1)
        );
    }

    /// A series: its line (dashed when hollow) and a marker at each point.
    pub fn series(&mut self, label: &str, style: Style, points: &[(f64, f64)]) {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let dash = if style.hollow { r#" stroke-dasharray="6 3""# } else { "" };
        let _ = writeln!(
            self.out,
            r#"<polyline class="series" data-label="{}" fill="none" stroke="{}" stroke-width="2"{dash} points="{}"/>"#,
            esc(label),
            style.colour,
            pts.join(" ")
        );
        for &(x, y) in points {
            self.marker(x, y, style);
        }
    }

    /// One marker centred on (`x`, `y`).
    pub fn marker(&mut self, x: f64, y: f64, style: Style) {
        let c = style.colour;
        let fill = if style.hollow { "white" } else { c };
        let paint = format!(r#"class="marker" fill="{fill}" stroke="{c}" stroke-width="1.5""#);
        let s = 4.5;
        let _ = match style.marker {
            Marker::None => Ok(()),
            Marker::Circle => writeln!(self.out, r#"<circle {paint} cx="{x:.1}" cy="{y:.1}" r="{s}"/>"#),
            Marker::Square => writeln!(
                self.out,
                r#"<rect {paint} x="{:.1}" y="{:.1}" width="{}" height="{}"/>"#,
                x - s,
                y - s,
                2.0 * s,
                2.0 * s
            ),
            Marker::Triangle => {
                self.polygon(&paint, &[(x, y - s - 1.0), (x + s + 1.0, y + s), (x - s - 1.0, y + s)])
            }
            Marker::TriangleDown => {
                self.polygon(&paint, &[(x, y + s + 1.0), (x + s + 1.0, y - s), (x - s - 1.0, y - s)])
            }
            Marker::Diamond => self
                .polygon(&paint, &[(x, y - s - 1.0), (x + s + 1.0, y), (x, y + s + 1.0), (x - s - 1.0, y)]),
            Marker::Cross => writeln!(
                self.out,
                r#"<path class="marker" stroke="{c}" stroke-width="2.5" d="M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}"/>"#,
                x - s,
                y - s,
                x + s,
                y + s,
                x - s,
                y + s,
                x + s,
                y - s
            ),
        };
    }

    fn polygon(&mut self, paint: &str, corners: &[(f64, f64)]) -> std::fmt::Result {
        let pts: Vec<String> = corners.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        writeln!(self.out, r#"<polygon {paint} points="{}"/>"#, pts.join(" "))
    }

    /// A legend of `items` (label, style) in `columns` columns of `width` pixels from
    /// (`x`, `y`), each a short stretch of line with its marker, then the label.
    pub fn legend(&mut self, x: f64, y: f64, columns: usize, width: f64, items: &[(String, Style)]) {
        for (i, (label, style)) in items.iter().enumerate() {
            let (col, row) = (i % columns.max(1), i / columns.max(1));
            let (lx, ly) = (x + col as f64 * width, y + row as f64 * 20.0);
            let dash = if style.hollow { r#" stroke-dasharray="6 3""# } else { "" };
            let _ = writeln!(
                self.out,
                r#"<g class="legend-item"><line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{}" stroke-width="2"{dash}/>"#,
                lx + 28.0,
                style.colour
            );
            self.marker(lx + 14.0, ly, *style);
            self.text(lx + 34.0, ly + 4.5, "start", 13.0, "legend", label);
            self.out.push_str("</g>\n");
        }
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.06), 0.01);
        assert_eq!(nice_step(270_000.0), 50_000.0);
        assert_eq!(ticks((0.0, 0.035), 0.01).len(), 4);
        let log = Axis { lo: 1.0, hi: 12_000.0, log: true, from: 0.0, to: 100.0 };
        assert_eq!(log.ticks(), [1.0, 10.0, 100.0, 1000.0, 10_000.0]);
        assert!((log.at(100.0) - 100.0 * 2.0 / 12_000f64.log10()).abs() < 1e-9);
    }

    #[test]
    fn text_has_no_control_character_xml_forbids() {
        assert_eq!(esc("a\x1b]0;x\x07<b>&\"c\""), "a\\x1b]0;x\\x07&lt;b&gt;&amp;&quot;c&quot;");
        assert_eq!(esc("client → server"), "client → server");
    }

    #[test]
    fn tick_labels_are_short_decimals() {
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(20000.0), "20000");
        assert_eq!(tick_label(0.012_345), "0.0123");
        assert_eq!(tick_label(0.0), "0");
    }

    #[test]
    fn text_is_escaped_and_every_marker_is_drawn() {
        let mut svg = Svg::new(100.0, 100.0, "a < b & \"c\"");
        for (i, m) in Marker::ALL.into_iter().enumerate() {
            svg.marker(10.0, 10.0, Style { colour: "black", marker: m, hollow: i % 2 == 1 });
        }
        let text = svg.finish();
        assert!(text.contains("<title>a &lt; b &amp; &quot;c&quot;</title>"), "{text}");
        assert_eq!(text.matches(r#"class="marker""#).count(), 6, "{text}");
    }
}
