//! `echo-bench medians`: the Markdown tables scripts/bench.sh prints at the end of
//! a run, from the JSON lines it collected (its results.jsonl). Every figure is the
//! median of its runs, and no figure is shown for a run that stalled; ratios are to
//! the Python twin and to server-select at the same C in the same run; then the
//! targets the lessons quote, bulk transfer against iperf3's ceiling, and churn.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// One run as bench.sh records it: echo-bench's `--json` report with the design and
/// language bench.sh adds (and the server's refusal, if it said one), the stand-in
/// bench.sh writes when echo-bench failed, or one iperf3 ceiling.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Run {
    mode: Option<String>,
    label: Option<String>,
    design: Option<String>,
    lang: Option<String>,
    conns: Option<u64>,
    stalled: Option<String>,
    server_said: Option<String>,
    msgs_per_sec: Option<f64>,
    p50_us: Option<f64>,
    p99_us: Option<f64>,
    mb_per_sec: Option<f64>,
    conns_per_sec: Option<f64>,
    server_rss_kib: Option<f64>,
    server_threads: Option<f64>,
}

/// The runs of one measurement: mode, design, language, and C (the server
/// buffer instead for bulk, the last word of its label).
#[derive(PartialEq)]
struct Key<'a> {
    mode: Option<&'a str>,
    design: Option<&'a str>,
    lang: Option<&'a str>,
    conns: Option<u64>,
    buffer: Option<&'a str>,
}

type Field = fn(&Run) -> Option<f64>;
type Runs<'a> = Vec<&'a Run>;

/// The designs in the table's order, each with its Python twin's design and name.
const DESIGNS: [(&str, &str, &str); 6] = [
    ("basic", "basic", "echo_loop.py --once"),
    ("loop", "loop", "echo_loop.py"),
    ("threads", "threads", "echo_threads.py"),
    ("select", "select", "selectors"),
    ("epoll", "select", "selectors"),
    ("tokio", "tokio", "asyncio"),
];

/// The median of some numbers (the mean of the middle two for an even count).
pub fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2]),
        n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// `v` to `digits` decimals with a comma between thousands, as Python's `{:,.Nf}`.
fn grouped(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').map_or((s, ""), |(i, f)| (i, f));
    let mut out = sign.to_string();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

fn med(rs: &[&Run], field: Field) -> Option<f64> {
    median(rs.iter().filter_map(|r| field(r)))
}

fn stalled(rs: &[&Run]) -> bool {
    rs.iter().any(|r| r.stalled.as_deref().is_some_and(|s| !s.is_empty()))
}

/// The first non-empty text of `field` among `rs`.
fn first<'a>(rs: &[&'a Run], field: fn(&Run) -> &Option<String>) -> Option<&'a str> {
    rs.iter().filter_map(|r| field(r).as_deref()).find(|s| !s.is_empty())
}

/// A table cell: the median, `stalled`, or `–` when nothing was measured.
fn cell(rs: &[&Run], field: Field) -> String {
    if stalled(rs) {
        return "stalled".into();
    }
    med(rs, field).map_or_else(|| "–".into(), |v| grouped(v, 0))
}

/// Messages per second, where measured and not stalled.
fn rate(rs: &[&Run]) -> Option<f64> {
    if rs.is_empty() || stalled(rs) {
        return None;
    }
    med(rs, |r| r.msgs_per_sec)
}

/// The server's peak memory (MB) and threads.
fn mem(rs: &[&Run]) -> String {
    match (med(rs, |r| r.server_rss_kib), med(rs, |r| r.server_threads)) {
        (Some(rss), Some(threads)) => format!("{:.1} / {}", rss / 1024.0, grouped(threads, 0)),
        _ => "–".into(),
    }
}

/// `a ÷ b` to two decimals, or `–` where either is missing or zero.
fn times(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if a != 0.0 && b != 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

/// The ratio of two groups' medians of `field`, to one decimal; `–` if either stalled.
fn ratio(a: &[&Run], b: &[&Run], field: Field) -> String {
    if a.is_empty() || b.is_empty() || stalled(a) || stalled(b) {
        return "–".into();
    }
    match (med(a, field), med(b, field)) {
        (Some(x), Some(y)) if x != 0.0 && y != 0.0 => format!("{:.1}×", x / y),
        _ => "–".into(),
    }
}

/// The tables of the runs in `input` (JSON lines), `runs` runs each, and
/// osi-trace's summary line if it was measured.
pub fn tables(input: &Path, runs: u32, trace_line: &str) -> anyhow::Result<String> {
    let text = crate::chart::read_input(input)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let run: Run =
            serde_json::from_str(line).with_context(|| format!("{}:{}", kit::escape_path(input), i + 1))?;
        rows.push(run);
    }
    let mut groups: Vec<(Key, Runs)> = Vec::new();
    for r in &rows {
        let bulk = r.mode.as_deref() == Some("bulk");
        let key = Key {
            mode: r.mode.as_deref(),
            design: r.design.as_deref(),
            lang: r.lang.as_deref(),
            conns: if bulk { None } else { r.conns },
            buffer: bulk.then(|| r.label.as_deref().and_then(|l| l.split_whitespace().last()).unwrap_or("")),
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    let get = |mode: &str, design: &str, lang: &str, conns: Option<u64>, buffer: Option<&str>| -> Runs {
        let key = Key { mode: Some(mode), design: Some(design), lang: Some(lang), conns, buffer };
        groups.iter().find(|(k, _)| *k == key).map_or_else(Vec::new, |(_, g)| g.clone())
    };
    let at = |design: &str, lang: &str, c: Option<u64>| get("pingpong", design, lang, c, None);
    let cs_of = |design: &str| {
        let mut cs: Vec<Option<u64>> = groups
            .iter()
            .filter(|(k, _)| k.mode == Some("pingpong") && k.design == Some(design))
            .map(|(k, _)| k.conns)
            .collect();
        cs.sort_unstable();
        cs.dedup();
        cs
    };
    let c_text = |c: Option<u64>| c.map_or_else(|| "–".into(), |c| grouped(c as f64, 0));

    let mut out = String::new();
    let o = &mut out;
    let _ = writeln!(o, "\n### Ping-pong, 64-byte messages (median of {runs} runs)\n");
    let _ = writeln!(
        o,
        "Server memory is its peak resident set (MB) during the run, with its thread count, from /proc. \
         ÷ select compares with server-select at the same C in this same run.\n"
    );
    let _ = writeln!(
        o,
        "| design | C | Rust msg/s | Rust p50 / p99 µs | Rust MB / threads | Python twin | Python msg/s | \
         Python MB / threads | Rust ÷ Python | Rust ÷ select |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|---|");
    let mut notes = Vec::new();
    for (design, twin, twin_name) in DESIGNS {
        for c in cs_of(design) {
            let (rs, ps, sel) = (at(design, "rust", c), at(twin, "python", c), at("select", "rust", c));
            let lat = if rs.is_empty() {
                "–".into()
            } else if stalled(&rs) {
                "stalled".into()
            } else {
                let us = |f: Field| med(&rs, f).map_or_else(|| "–".into(), |v| grouped(v, 0));
                format!("{} / {}", us(|r| r.p50_us), us(|r| r.p99_us))
            };
            let rust_rate = rate(&rs);
            let _ = writeln!(
                o,
                "| {design} | {} | {} | {lat} | {} | {twin_name} | {} | {} | {} | {} |",
                c_text(c),
                cell(&rs, |r| r.msgs_per_sec),
                mem(&rs),
                cell(&ps, |r| r.msgs_per_sec),
                mem(&ps),
                times(rust_rate, rate(&ps)),
                times(rust_rate, rate(&sel)),
            );
            // epoll's twin is select's, whose stall is noted with select.
            let whose = [("Rust", &rs), (twin_name, &ps)];
            for (who, group) in whose.into_iter().filter(|(who, _)| *who == "Rust" || design != "epoll") {
                if let Some(why) = stalled(group).then(|| first(group, |r| &r.stalled)).flatten() {
                    let why = kit::escape_controls(why);
                    let mut note = format!("- {design} ({who}) at C = {}: stalled: {why}", c_text(c));
                    if let Some(said) = first(group, |r| &r.server_said) {
                        let _ = write!(note, "; the server said: `{}`", kit::escape_controls(said));
                    }
                    notes.push(note);
                }
            }
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(o, "\n{}", notes.join("\n"));
    }

    let cs = cs_of("epoll");
    let _ = writeln!(o, "\n### Targets\n");
    let (c1k, c10k) = (Some(1000), Some(10_000));
    if cs.contains(&c1k) {
        let (e, s) = (rate(&at("epoll", "rust", c1k)), rate(&at("select", "rust", c1k)));
        let met = matches!((e, s), (Some(e), Some(s)) if e != 0.0 && s != 0.0 && e >= 1.5 * s);
        let verdict = if met { "met" } else { "NOT met" };
        let _ = writeln!(o, "- server-epoll ≥ 1.5 × server-select at C = 1 000: {} → {verdict}", times(e, s));
    }
    for &c in &cs {
        let (e, p) = (rate(&at("epoll", "rust", c)), rate(&at("select", "python", c)));
        let met = matches!((e, p), (Some(e), Some(p)) if e != 0.0 && p != 0.0 && e >= p);
        let verdict = if met { "met" } else { "NOT met" };
        let _ = writeln!(
            o,
            "- server-epoll ≥ Python selectors at C = {}: {} → {verdict}",
            c_text(c),
            times(e, p)
        );
    }
    if cs.contains(&c10k) {
        for d in ["epoll", "tokio"] {
            let g = at(d, "rust", c10k);
            let rss = med(&g, |r| r.server_rss_kib);
            let met = !g.is_empty() && !stalled(&g) && rss.is_some_and(|k| k < 64.0 * 1024.0);
            let shown = match rss {
                _ if stalled(&g) => "stalled".into(),
                Some(k) => format!("{:.1} MB", k / 1024.0),
                None => "–".into(),
            };
            let verdict = if met { "met" } else { "NOT met" };
            let _ = writeln!(o, "- server-{d} serves all 10 000 under 64 MB: {shown} → {verdict}");
        }
        let g = at("select", "rust", c10k);
        let shown = match first(&g, |r| &r.server_said) {
            Some(said) if stalled(&g) => format!("`{}` → met", kit::escape_controls(said)),
            _ => "NOT shown".into(),
        };
        let _ = writeln!(o, "- server-select at C = 10 000 refuses past its wall: {shown}");
        let _ = writeln!(
            o,
            "- server-threads at C = 10 000: {} (MB / threads)",
            mem(&at("threads", "rust", c10k))
        );
    }

    if rows.iter().any(|r| r.mode.as_deref() == Some("bulk")) {
        let ceiling =
            median(rows.iter().filter(|r| r.mode.as_deref() == Some("iperf3")).filter_map(|r| r.mb_per_sec))
                .filter(|v| *v != 0.0);
        let said = ceiling.map_or_else(String::new, |v| format!("; iperf3 ceiling {} MB/s", grouped(v, 0)));
        let _ = writeln!(o, "\n### Bulk echo, one connection (median of {runs} runs){said}\n");
        let _ = writeln!(
            o,
            "| design | server buffer | Rust MB/s | Python MB/s | Rust ÷ Python | Rust ÷ iperf3 |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|");
        let mb: Field = |r| r.mb_per_sec;
        for design in ["loop", "threads", "select"] {
            for buf in ["1024", "65536"] {
                let rs = get("bulk", design, "rust", None, Some(buf));
                let ps = get("bulk", design, "python", None, Some(buf));
                let vs_ceiling = match (ceiling, med(&rs, mb)) {
                    (Some(c), Some(m)) if !rs.is_empty() && !stalled(&rs) => format!("{:.0}%", m / c * 100.0),
                    _ => "–".into(),
                };
                let _ = writeln!(
                    o,
                    "| {design} | {buf} | {} | {} | {} | {vs_ceiling} |",
                    cell(&rs, mb),
                    cell(&ps, mb),
                    ratio(&rs, &ps, mb)
                );
            }
        }

        let _ = writeln!(o, "\n### Connection churn: connect, one echo, close (median of {runs} runs)\n");
        let _ = writeln!(o, "| design | Rust conn/s | Python conn/s | Rust ÷ Python |");
        let _ = writeln!(o, "|---|---|---|---|");
        let per_sec: Field = |r| r.conns_per_sec;
        for design in ["loop", "threads", "select"] {
            let found = groups
                .iter()
                .find(|(k, _)| k.mode == Some("churn") && k.design == Some(design) && k.lang == Some("rust"));
            let Some((key, rs)) = found else { continue };
            let ps = get("churn", design, "python", key.conns, None);
            let mut why: Vec<&str> = Vec::new();
            for r in rs.iter().chain(&ps) {
                if let Some(s) = r.stalled.as_deref().filter(|s| !s.is_empty() && !why.contains(s)) {
                    why.push(s);
                }
            }
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(" {}", kit::escape_controls(&why.join("; ")))
            };
            let _ = writeln!(
                o,
                "| {design} | {} | {} | {} |{why}",
                cell(rs, per_sec),
                cell(&ps, per_sec),
                ratio(rs, &ps, per_sec)
            );
        }
    }

    if !trace_line.is_empty() {
        let line = kit::escape_controls(trace_line);
        let _ = writeln!(o, "\nosi-trace live on lo during ping-pong at C = 10 (server-select): {line}");
    }
    let _ = writeln!(
        o,
        "\nRaw results: {}; figures: pingpong-throughput.svg, pingpong-latency.svg, pingpong-memory.svg next to it.",
        kit::escape_controls(&input.display().to_string())
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{grouped, median};

    #[test]
    fn numbers_are_written_as_python_writes_them() {
        assert_eq!(grouped(1_234_567.5, 0), "1,234,568");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1000.0, 0), "1,000");
        assert_eq!(grouped(12_345.678, 1), "12,345.7");
        assert_eq!(grouped(-1234.0, 0), "-1,234");
        assert_eq!(grouped(2.5, 0), "2");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), Some(2.0));
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), Some(2.5));
        assert_eq!(median(std::iter::empty()), None);
    }
}
