#!/usr/bin/env bash
# Measures the four server designs side by side, in one run: each Rust server
# and its plain-Python twin (scripts/python/) under the same loads, with iperf3
# on loopback as the ceiling for bulk transfer. Prints a Markdown table (every
# figure a median of several runs; Rust figures also as ratios to their Python
# twin and to the ceiling) and writes, into the output folder, the raw JSON
# lines and an SVG chart of throughput and p99 latency against connections.
#
#   scripts/bench.sh [--runs N] [--quick] [--out DIR]
#
# --runs N   runs per figure, the median is reported (default 3)
# --quick    only 1 and 10 connections, smaller transfers (a minute or so)
# --out DIR  where results.jsonl and pingpong.svg go (default: bench-results)
#
# Everything runs on 127.0.0.1, every run is bounded (echo-bench stops a run
# whose echo does not come within 2 s and reports it as stalled).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=3
quick=no
out=$here/bench-results
while (($#)); do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --quick) quick=yes ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "bench.sh: needs python3 for the baselines" >&2; exit 1; }
echo "Building the kit (release) ..." >&2
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release
py=$here/scripts/python
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $quick == yes ]]; then
  conns_list=(1 10)
  bulk_bytes=$((64 << 20))
  churn_count=500
else
  conns_list=(1 10 100 1000)
  bulk_bytes=$((256 << 20))
  churn_count=2000
fi

# start_server CMD...: starts a server on a free port, sets $port and $server_pid.
start_server() {
  "$@" > "$work/server.out" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(sed -n 's/^READY .*:\([0-9]*\)$/\1/p' "$work/server.out" | head -1)
    [[ -n $port ]] && return 0
    sleep 0.05
  done
  echo "bench.sh: $* did not start: $(cat "$work/server.out")" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Commands of each design: Rust, then its Python twin.
rust_cmd() { echo "$bin/server-$1 --port 0 --quiet --buffer $2"; }
py_cmd() {
  case $1 in
    basic) echo "python3 $py/echo_loop.py --once --port 0 --buffer $2" ;;
    loop) echo "python3 $py/echo_loop.py --port 0 --buffer $2" ;;
    threads) echo "python3 $py/echo_threads.py --port 0 --buffer $2" ;;
    select) echo "python3 $py/echo_selectors.py --port 0 --buffer $2" ;;
  esac
}

# measure LABEL DESIGN LANG SERVER-CMD -- ECHO-BENCH-ARGS...: $runs runs, each
# on a fresh server; a stalled run is not repeated.
measure() {
  local label=$1 design=$2 lang=$3 cmd=$4
  shift 5
  for _ in $(seq "$runs"); do
    # shellcheck disable=SC2086
    start_server $cmd
    local line
    line=$("$bin/echo-bench" "$@" --port "$port" --json --label "$label") || line='{"stalled":"echo-bench failed"}'
    stop_server
    echo "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
r.update(design=sys.argv[1], lang=sys.argv[2])
print(json.dumps(r))' "$design" "$lang" >> "$results"
    grep -q '"stalled": null' <(tail -1 "$results") || break
  done
}

echo "Ping-pong (64-byte messages) ..." >&2
for design in basic loop threads select; do
  for c in "${conns_list[@]}"; do
    [[ $design == basic && $c -gt 1 ]] && continue # server-basic serves one client
    messages=$((20000 / c)); ((messages < 20)) && messages=20
    for lang in rust python; do
      if [[ $lang == rust ]]; then cmd=$(rust_cmd "$design" 1024); else cmd=$(py_cmd "$design" 1024); fi
      measure "$design ($lang)" "$design" "$lang" "$cmd" -- pingpong --conns "$c" --messages "$messages" --size 64
    done
  done
done

echo "Bulk ..." >&2
for design in loop threads select; do
  for buffer in 1024 65536; do
    for lang in rust python; do
      if [[ $lang == rust ]]; then cmd=$(rust_cmd "$design" "$buffer"); else cmd=$(py_cmd "$design" "$buffer"); fi
      measure "$design ($lang) buffer $buffer" "$design" "$lang" "$cmd" -- bulk --bytes "$bulk_bytes"
    done
  done
done

echo "Connection churn ..." >&2
for design in loop threads select; do
  for lang in rust python; do
    if [[ $lang == rust ]]; then cmd=$(rust_cmd "$design" 1024); else cmd=$(py_cmd "$design" 1024); fi
    measure "$design ($lang)" "$design" "$lang" "$cmd" -- churn --count "$churn_count"
  done
done

ceiling=""
if command -v iperf3 >/dev/null; then
  echo "iperf3 ceiling ..." >&2
  iport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  for _ in $(seq "$runs"); do
    iperf3 -s -1 -p "$iport" > /dev/null 2>&1 &
    sleep 0.3
    iperf3 -c 127.0.0.1 -p "$iport" -t 3 -J 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(json.dumps({"mode": "iperf3", "mb_per_sec": r["end"]["sum_received"]["bits_per_second"] / 8e6, "stalled": None}))' >> "$results" || true
    wait 2>/dev/null || true
  done
  ceiling=yes
else
  echo "bench.sh: iperf3 is not installed (apt-get install iperf3): no ceiling for bulk" >&2
fi

trace_line=""
if [[ -n $(command -v "$bin/osi-trace") ]] && "$bin/osi-trace" --port 1 --duration 0 >/dev/null 2>&1; then
  echo "osi-trace live during ping-pong at C = 10 ..." >&2
  start_server "$bin/server-select" --port 0 --quiet
  "$bin/osi-trace" --port "$port" --summary-only --duration 120 > /dev/null 2> "$work/trace.err" &
  tpid=$!
  for _ in $(seq 200); do grep -qs READY "$work/trace.err" && break; sleep 0.05; done
  "$bin/echo-bench" pingpong --port "$port" --conns 10 --messages 2000 > /dev/null
  kill -INT "$tpid"
  wait "$tpid" || true
  stop_server
  trace_line=$(grep "kernel:" "$work/trace.err" || true)
fi

"$bin/echo-bench" chart --input <(grep '"mode": "pingpong"' "$results") --output "$out/pingpong.svg"

python3 - "$results" "$runs" "$ceiling" "$trace_line" <<'EOF'
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs, ceiling_on, trace_line = sys.argv[2], sys.argv[3], sys.argv[4]
groups = defaultdict(list)
for r in rows:
    key = (r.get("mode"), r.get("design"), r.get("lang"), r.get("conns") if r.get("mode") != "bulk" else r.get("label", "").split()[-1])
    groups[key].append(r)

def med(rs, field):
    vals = [r[field] for r in rs if r.get(field) is not None]
    return statistics.median(vals) if vals else None

def cell(rs, field, fmt="{:,.0f}"):
    if any(r.get("stalled") for r in rs):
        return "stalled"
    v = med(rs, field)
    return fmt.format(v) if v is not None else "–"

def ratio(a, b):
    if not a or not b or any(r.get("stalled") for r in a + b):
        return "–"
    x, y = med(a, a[0]["_f"]), med(b, b[0]["_f"])
    return f"{x / y:.1f}×" if x and y else "–"

print(f"\n### Ping-pong, 64-byte messages (median of {runs} runs)\n")
print("| design | connections | Rust msg/s | Rust p50 / p99 / max µs | Python msg/s | Python p99 µs | Rust ÷ Python |")
print("|---|---|---|---|---|---|---|")
for design in ["basic", "loop", "threads", "select"]:
    for c in sorted({k[3] for k in groups if k[0] == "pingpong" and k[1] == design}):
        rs, ps = groups[("pingpong", design, "rust", c)], groups[("pingpong", design, "python", c)]
        for r in rs + ps:
            r["_f"] = "msgs_per_sec"
        lat = "–" if not rs else "stalled" if any(r.get("stalled") for r in rs) else f"{med(rs, 'p50_us'):,.0f} / {med(rs, 'p99_us'):,.0f} / {med(rs, 'max_us'):,.0f}"
        print(f"| {design} | {c} | {cell(rs, 'msgs_per_sec')} | {lat} | {cell(ps, 'msgs_per_sec')} | {cell(ps, 'p99_us')} | {ratio(rs, ps)} |")

ceil = [r["mb_per_sec"] for r in rows if r.get("mode") == "iperf3"]
ceil_v = statistics.median(ceil) if ceil else None
print(f"\n### Bulk echo, one connection (median of {runs} runs)" + (f"; iperf3 ceiling {ceil_v:,.0f} MB/s" if ceil_v else "") + "\n")
print("| design | server buffer | Rust MB/s | Python MB/s | Rust ÷ Python | Rust ÷ iperf3 |")
print("|---|---|---|---|---|---|")
for design in ["loop", "threads", "select"]:
    for buf in ["1024", "65536"]:
        rs, ps = groups[("bulk", design, "rust", buf)], groups[("bulk", design, "python", buf)]
        for r in rs + ps:
            r["_f"] = "mb_per_sec"
        vs_ceiling = f"{med(rs, 'mb_per_sec') / ceil_v:.0%}" if ceil_v and rs and not any(r.get("stalled") for r in rs) else "–"
        print(f"| {design} | {buf} | {cell(rs, 'mb_per_sec')} | {cell(ps, 'mb_per_sec')} | {ratio(rs, ps)} | {vs_ceiling} |")

print(f"\n### Connection churn: connect, one echo, close (median of {runs} runs)\n")
print("| design | Rust conn/s | Python conn/s | Rust ÷ Python |")
print("|---|---|---|---|")
for design in ["loop", "threads", "select"]:
    key = [k for k in groups if k[0] == "churn" and k[1] == design and k[2] == "rust"]
    if not key:
        continue
    rs = groups[key[0]]
    ps = groups[("churn", design, "python", key[0][3])]
    for r in rs + ps:
        r["_f"] = "conns_per_sec"
    notes = {r["stalled"] for r in rs + ps if r.get("stalled")}
    print(f"| {design} | {cell(rs, 'conns_per_sec')} | {cell(ps, 'conns_per_sec')} | {ratio(rs, ps)} |" + (f" {'; '.join(notes)}" if notes else ""))

if trace_line:
    print(f"\nosi-trace live on lo during ping-pong at C = 10 (server-select): {trace_line}")
print(f"\nRaw results: {sys.argv[1]}; chart: pingpong.svg next to it.")
EOF
