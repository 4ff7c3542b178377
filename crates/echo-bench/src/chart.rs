//! The SVG chart of scripts/bench.sh: messages/s (left) and p99 latency
//! (right) against the number of connections, one line per server.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use plotters::prelude::*;

/// One ping-pong result, as `pingpong --json` writes it.
#[derive(serde::Deserialize)]
struct Point {
    label: String,
    conns: u32,
    msgs_per_sec: f64,
    p99_us: Option<u64>,
    stalled: Option<String>,
}

const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

pub fn draw(input: &Path, output: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(input).with_context(|| format!("cannot read {}", input.display()))?;
    let mut series: BTreeMap<String, Vec<(u32, f64, f64)>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let p: Point =
            serde_json::from_str(line).with_context(|| format!("{}:{}", input.display(), i + 1))?;
        if p.stalled.is_none() {
            let p99_ms = p.p99_us.unwrap_or(0) as f64 / 1000.0;
            series.entry(p.label).or_default().push((p.conns, p.msgs_per_sec, p99_ms.max(0.001)));
        }
    }
    anyhow::ensure!(!series.is_empty(), "{} holds no completed ping-pong run", input.display());
    let max_c = series.values().flatten().map(|p| p.0).max().unwrap_or(1).max(10) as f64;
    let max_rate = series.values().flatten().map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let max_p99 = series.values().flatten().map(|p| p.2).fold(0.01, f64::max) * 2.0;
    let min_p99 = series.values().flatten().map(|p| p.2).fold(f64::MAX, f64::min) / 2.0;

    let root = SVGBackend::new(output, (1100, 460)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (left, right) = root.split_horizontally(550);
    let mut rate = ChartBuilder::on(&left)
        .caption("Ping-pong throughput (messages/s)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d((1f64..max_c * 1.2).log_scale(), 0f64..max_rate)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    rate.configure_mesh().x_desc("concurrent connections").draw().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut lat = ChartBuilder::on(&right)
        .caption("p99 round-trip latency (ms)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d((1f64..max_c * 1.2).log_scale(), (min_p99..max_p99).log_scale())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    lat.configure_mesh().x_desc("concurrent connections").draw().map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, (label, mut pts)) in series.into_iter().enumerate() {
        pts.sort_by_key(|p| p.0);
        let colour = COLOURS[i % COLOURS.len()];
        let style = ShapeStyle::from(&colour).stroke_width(2);
        rate.draw_series(LineSeries::new(pts.iter().map(|p| (f64::from(p.0), p.1)), style))
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        rate.draw_series(pts.iter().map(|p| Circle::new((f64::from(p.0), p.1), 3, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        lat.draw_series(LineSeries::new(pts.iter().map(|p| (f64::from(p.0), p.2)), style))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        lat.draw_series(pts.iter().map(|p| Circle::new((f64::from(p.0), p.2), 3, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    rate.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
