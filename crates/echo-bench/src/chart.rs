//! The SVG figures of scripts/bench.sh, one per panel, each sized for a book's
//! column: messages/s, p99 latency and the server's peak resident memory against
//! the number of connections, one line per server, told apart by colour, marker
//! and (Python) dashes, with a legend in each. Drawn by hand with [`kit::svg`].

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use kit::svg::{self, Axis, Marker, Style, Svg};

use crate::medians::median;

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

/// One line of a figure: its label, its style and its points (connections, value).
type Line = (String, Style, Vec<(f64, f64)>);

/// A figure: its file's suffix, its title, its y axis, its scale and the value it shows.
type Panel = (&'static str, &'static str, &'static str, Scale, fn(&Row) -> Option<f64>);

/// A tick label with at most three significant digits and no float noise (`0.3`).
pub fn tick(v: &f64) -> String {
    svg::tick_label(*v)
}

/// The colour and marker of each design, its Python twin hollow and dashed
/// (Okabe–Ito colours, which stay apart for colour-blind readers; markers too).
const DESIGNS: [(&str, &str, Marker); 6] = [
    ("basic", "#000000", Marker::Circle),
    ("loop", "#E69F00", Marker::Square),
    ("threads", "#0072B2", Marker::Triangle),
    ("select", "#009E73", Marker::Diamond),
    ("epoll", "#D55E00", Marker::TriangleDown),
    ("tokio", "#CC79A7", Marker::Cross),
];

/// The style of a series labelled `design (language)`, e.g. `selectors (python)`; a label
/// of no known design takes the `i`-th colour and marker.
fn style(label: &str, i: usize) -> Style {
    // bench.sh names the Python twins of select and tokio by their modules.
    let design = match label.split(" (").next().unwrap_or(label) {
        "selectors" => "select",
        "asyncio" => "tokio",
        d => d,
    };
    let (_, colour, marker) =
        DESIGNS.iter().copied().find(|(d, _, _)| *d == design).unwrap_or(DESIGNS[i % DESIGNS.len()]);
    Style { colour, marker, hollow: label.contains("(python") }
}

/// The most `--input` may hold: bench.sh's results are a few KiB, and a
/// device or an endless pipe given by mistake must not fill the memory.
pub const MAX_INPUT: u64 = 16 << 20;

/// The text of `input`, refused in one line past [`MAX_INPUT`] bytes (read up
/// to one byte more, never all of it: `--input` may be a pipe or a device).
pub fn read_input(input: &Path) -> anyhow::Result<String> {
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

/// The figure file for one panel: `pingpong.svg` → `pingpong-throughput.svg`.
pub fn figure_path(output: &Path, panel: &str) -> PathBuf {
    let stem = output.file_stem().map_or("pingpong".into(), |s| s.to_string_lossy().into_owned());
    output.with_file_name(format!("{stem}-{panel}.svg"))
}

/// One figure per panel beside `output` (see [`figure_path`]): throughput, p99 latency
/// and, when measured, the server's memory, each sized for a book's column (720 px)
/// with its own legend.
pub fn draw(input: &Path, output: &Path) -> anyhow::Result<Vec<PathBuf>> {
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
        let rate = median(group.iter().map(|p| p.msgs_per_sec)).unwrap_or(0.0);
        let p99_ms = median(group.iter().map(|p| p.p99_us.unwrap_or(0) as f64 / 1000.0)).unwrap_or(0.0);
        let rss: Vec<f64> =
            group.iter().filter_map(|p| p.server_rss_kib).map(|k| k as f64 / 1024.0).collect();
        let rss_mb = median(rss.into_iter()).map(|m| m.max(0.1));
        series.entry(label).or_default().push((conns, rate, p99_ms.max(0.001), rss_mb));
    }
    anyhow::ensure!(!series.is_empty(), "{} holds no completed ping-pong run", kit::escape_path(input));
    for pts in series.values_mut() {
        pts.sort_by_key(|p| p.0);
    }
    let all = || series.values().flatten();
    let max_c = all().map(|p| p.0).max().unwrap_or(1).max(10) as f64 * 1.2;
    let panels: [Panel; 3] = [
        ("throughput", "Ping-pong throughput (messages/s)", "messages/s", Scale::Linear, |p| Some(p.1)),
        ("latency", "p99 round-trip latency (ms)", "p99 latency (ms, log scale)", Scale::Log, |p| Some(p.2)),
        ("memory", "Server peak resident memory (MB)", "resident memory (MB, log scale)", Scale::Log, |p| {
            p.3
        }),
    ];
    let mut written = Vec::new();
    for (name, title, unit, scale, value) in panels {
        let values: Vec<f64> = all().filter_map(value).collect();
        if values.is_empty() {
            continue; // no memory measured (echo-bench without --server-pid)
        }
        let hi = values.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
        let lo = values.iter().copied().fold(f64::MAX, f64::min);
        let (lo, hi) = match scale {
            Scale::Linear => (0.0, hi * 1.1),
            Scale::Log => (lo / 2.0, hi * 2.0),
        };
        let lines: Vec<Line> = series
            .iter()
            .enumerate()
            .map(|(i, (label, pts))| {
                let xy = pts.iter().filter_map(|p| Some((f64::from(p.0), value(p)?))).collect();
                (label.clone(), style(label, i), xy)
            })
            .collect();
        let path = figure_path(output, name);
        std::fs::write(&path, figure((title, unit), max_c, (lo, hi, scale == Scale::Log), &lines))
            .with_context(|| format!("writing {}", kit::escape_path(&path)))?;
        written.push(path);
    }
    Ok(written)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scale {
    Linear,
    Log,
}

/// One panel as an SVG document: the plot, then the legend in three columns below it.
fn figure(
    (title, unit): (&str, &str),
    max_c: f64,
    (lo, hi, log): (f64, f64, bool),
    lines: &[Line],
) -> String {
    const W: f64 = 720.0;
    let rows = lines.len().div_ceil(3) as f64;
    let height = 400.0 + rows * 20.0;
    let x = Axis { lo: 1.0, hi: max_c, log: true, from: 80.0, to: 700.0 };
    let y = Axis { lo, hi, log, from: 320.0, to: 50.0 };
    let mut svg = Svg::new(W, height, title);
    let label = |v: f64| tick(&v);
    svg.frame(&x, &y, ("concurrent connections (log scale)", unit), (&label, &label));
    for (name, style, pts) in lines {
        let px: Vec<(f64, f64)> = pts.iter().map(|&(c, v)| (x.at(c), y.at(v))).collect();
        svg.series(name, *style, &px);
    }
    let items: Vec<(String, Style)> = lines.iter().map(|(n, s, _)| (n.clone(), *s)).collect();
    svg.legend(80.0, 390.0, 3, 215.0, &items);
    svg.finish()
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
