//! The SVG chart of scripts/bench.sh: messages/s (left), p99 latency (middle)
//! and the server's peak resident memory (right) against the number of
//! connections, one line per server. Tick labels are short decimals (`0.3`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};
use plotters::prelude::*;

/// One ping-pong result, as `pingpong --json` writes it.
#[derive(serde::Deserialize)]
struct Point {
    label: String,
    conns: u32,
    msgs_per_sec: f64,
    p99_us: Option<u64>,
    stalled: Option<String>,
    #[serde(default)]
    server_rss_kib: Option<u64>,
}

/// One point of one line: connections, messages/s, p99 in ms, resident MB (if measured).
type Row = (u32, f64, f64, Option<f64>);

/// The median of some numbers (the mean of the middle two for an even count); 0 for none.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A tick label with at most three significant digits and no float noise:
/// `0.3`, not `0.30000000000000004`; `20000`, not `20000.000`.
pub fn tick(v: &f64) -> String {
    if *v == 0.0 || !v.is_finite() {
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

const COLOURS: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 0),
    RGBColor(255, 187, 120),
];

/// The most `--input` may hold: bench.sh's results are a few KiB, and a
/// device or an endless pipe given by mistake must not fill the memory.
pub const MAX_INPUT: u64 = 16 << 20;

/// The text of `input`, refused in one line past [`MAX_INPUT`] bytes (read up
/// to one byte more, never all of it: `--input` may be a pipe or a device).
fn read_input(input: &Path) -> anyhow::Result<String> {
    let what = || format!("cannot read --input {}", kit::escape_path(input));
    let file = std::fs::File::open(input).with_context(what)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT + 1).read_to_end(&mut bytes).with_context(what)?;
    if bytes.len() as u64 > MAX_INPUT {
        bail!(kit::hinted(
            format!("--input {} holds more than {} MiB of results", kit::escape_path(input), MAX_INPUT >> 20),
            "give the JSON lines of pingpong --json runs (scripts/bench.sh collects a few KiB of them)"
        ));
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("--input {} is not text", kit::escape_path(input)))
}

pub fn draw(input: &Path, output: &Path) -> anyhow::Result<()> {
    let text = read_input(input)?;
    let mut series: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    // Every run of one server at one C; a point is their median, and no point if one stalled.
    let mut runs: BTreeMap<(String, u32), Vec<Point>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let p: Point =
            serde_json::from_str(line).with_context(|| format!("{}:{}", kit::escape_path(input), i + 1))?;
        runs.entry((p.label.clone(), p.conns)).or_default().push(p);
    }
    for ((label, conns), group) in runs {
        if group.iter().any(|p| p.stalled.is_some()) {
            continue;
        }
        let rate = median(group.iter().map(|p| p.msgs_per_sec));
        let p99_ms = median(group.iter().map(|p| p.p99_us.unwrap_or(0) as f64 / 1000.0));
        let rss: Vec<f64> =
            group.iter().filter_map(|p| p.server_rss_kib).map(|k| k as f64 / 1024.0).collect();
        let rss_mb = (!rss.is_empty()).then(|| median(rss.into_iter()).max(0.1));
        series.entry(label).or_default().push((conns, rate, p99_ms.max(0.001), rss_mb));
    }
    anyhow::ensure!(!series.is_empty(), "{} holds no completed ping-pong run", kit::escape_path(input));
    let max_c = series.values().flatten().map(|p| p.0).max().unwrap_or(1).max(10) as f64;
    let max_rate = series.values().flatten().map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let max_p99 = series.values().flatten().map(|p| p.2).fold(0.01, f64::max) * 2.0;
    let min_p99 = series.values().flatten().map(|p| p.2).fold(f64::MAX, f64::min) / 2.0;
    let max_rss = series.values().flatten().filter_map(|p| p.3).fold(1.0, f64::max) * 10.0;
    let min_rss = series.values().flatten().filter_map(|p| p.3).fold(max_rss, f64::min) / 2.0;

    let root = SVGBackend::new(output, (1650, 460)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (left, rest) = root.split_horizontally(550);
    let (right, memory) = rest.split_horizontally(550);
    let mut rate = ChartBuilder::on(&left)
        .caption("Ping-pong throughput (messages/s)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d((1f64..max_c * 1.2).log_scale(), 0f64..max_rate)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    rate.configure_mesh()
        .x_desc("concurrent connections")
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut lat = ChartBuilder::on(&right)
        .caption("p99 round-trip latency (ms)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d((1f64..max_c * 1.2).log_scale(), (min_p99..max_p99).log_scale())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    lat.configure_mesh()
        .x_desc("concurrent connections")
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut mem = ChartBuilder::on(&memory)
        .caption("Server peak resident memory (MB)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d((1f64..max_c * 1.2).log_scale(), (min_rss..max_rss).log_scale())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    mem.configure_mesh()
        .x_desc("concurrent connections")
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, (label, mut pts)) in series.into_iter().enumerate() {
        pts.sort_by_key(|p| p.0);
        let colour = COLOURS[i % COLOURS.len()];
        let style = ShapeStyle::from(&colour).stroke_width(2);
        rate.draw_series(LineSeries::new(pts.iter().map(|p| (f64::from(p.0), p.1)), style))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        rate.draw_series(pts.iter().map(|p| Circle::new((f64::from(p.0), p.1), 3, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        lat.draw_series(LineSeries::new(pts.iter().map(|p| (f64::from(p.0), p.2)), style))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        lat.draw_series(pts.iter().map(|p| Circle::new((f64::from(p.0), p.2), 3, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let rss: Vec<(f64, f64)> = pts.iter().filter_map(|p| Some((f64::from(p.0), p.3?))).collect();
        // The legend sits in the memory panel's empty upper left.
        mem.draw_series(LineSeries::new(rss.iter().copied(), style))
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        mem.draw_series(rss.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    mem.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tick;

    #[test]
    fn tick_labels_are_short_decimals() {
        assert_eq!(tick(&(0.1 + 0.2)), "0.3");
        assert_eq!(tick(&20000.0), "20000");
        assert_eq!(tick(&1.5), "1.5");
        assert_eq!(tick(&0.012_345), "0.0123");
        assert_eq!(tick(&100.0), "100");
        assert_eq!(tick(&0.0), "0");
    }
}
