#!/usr/bin/env bash
# Measures the server designs side by side, in one run: each Rust server and
# its plain-Python twin (scripts/python/) under the same loads, with iperf3 on
# loopback as the ceiling for bulk transfer. Ping-pong runs at C = 1, 10, 100,
# 1 000 and 10 000 connections and records the server's peak resident memory
# and thread count (from /proc). Prints Markdown tables (every figure a median
# of several runs; ratios to the Python twin and to server-select of the same
# run) and writes, into the output folder, the raw JSON lines and SVG figures
# of throughput, p99 latency and memory against connections (one panel each).
#
#   scripts/bench.sh [--runs N] [--quick] [--pingpong-only] [--bin DIR] [--out DIR]
#
# --runs N          runs per figure, the median is reported (default 3)
# --quick           only 1 and 10 connections, smaller transfers (a minute or so)
# --pingpong-only   skip bulk, churn, iperf3 and osi-trace
# --bin DIR         use the kit's binaries in DIR instead of building target/release
# --out DIR         where results.jsonl and pingpong-*.svg go (default: bench-results)
#
# The lessons' reference figures are lessons/charts/pingpong-*.svg, drawn from
# lessons/charts/pingpong.jsonl, the results.jsonl of a run (lessons/charts/README.md).
# Everything runs on 127.0.0.1 (10 000 connections come from 127.0.0.1-4),
# every run is bounded (echo-bench stops a run whose echo does not come
# within 2 s and reports it as stalled).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
runs=3
quick=no
pingpong_only=no
bin=""
out=$here/bench-results
while (($#)); do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --quick) quick=yes ;;
    --pingpong-only) pingpong_only=yes ;;
    --bin) bin=${2:?--bin needs a folder}; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    -h | --help) kit_usage; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "bench.sh: needs python3 for the baselines" >&2; exit 1; }
if [[ -z $bin ]]; then
  echo "Building the kit (release) ..." >&2
  (cd "$here" && cargo build --release --quiet)
  bin=$here/target/release
fi
for b in echo-bench server-basic server-loop server-threads server-select server-epoll server-tokio; do
  [[ -x $bin/$b ]] || { echo "bench.sh: $bin/$b is missing (build it: cargo build --release)" >&2; exit 1; }
done
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
  conns_list=(1 10 100 1000 10000)
  bulk_bytes=$((256 << 20))
  churn_count=2000
fi
# Servers and echo-bench inherit this: 10 000 connections need 10 000 fds at each end.
hard=$(ulimit -Hn)
if [[ $hard != unlimited ]] && ((hard < 10100)); then
  echo "bench.sh: the hard fd limit is $hard: ping-pong stops at 1 000 connections (raise it as root: ulimit -Hn 20000)" >&2
  conns_list=("${conns_list[@]/10000/}")
else
  ulimit -n "$([[ $hard == unlimited ]] && echo 20000 || echo "$hard")"
fi
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')" >&2

# start_server CMD...: starts a server on a free port, sets $port and $server_pid.
start_server() {
  # Emptied here, not by the redirection below: the child truncates the file only
  # after fork, and reading it first would find the previous server's port.
  : > "$work/server.out"
  "$@" >> "$work/server.out" 2>&1 &
  server_pid=$!
  kit_wait_ready "$work/server.out" 10 '^READY .*:[0-9]*$' || { echo "bench.sh: $* did not start" >&2; exit 1; }
  port=$(sed -n 's/^READY .*:\([0-9]*\)$/\1/p' "$work/server.out" | head -1)
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Commands of each design: Rust, then its Python twin. A deep accept queue, so
# that 10 000 connects in a row are not dropped while a server is busy.
# server-select past its wall narrates, so its refusal can be quoted.
rust_cmd() {
  local quiet=--quiet
  [[ $1 == select && ${3:-0} -gt 1000 ]] && quiet=""
  echo "$bin/server-$1 --port 0 $quiet --buffer $2 --backlog 4096"
}
py_cmd() {
  case $1 in
    basic) echo "python3 $py/echo_loop.py --once --port 0 --buffer $2 --backlog 4096" ;;
    loop) echo "python3 $py/echo_loop.py --port 0 --buffer $2 --backlog 4096" ;;
    threads) echo "python3 $py/echo_threads.py --port 0 --buffer $2 --backlog 4096" ;;
    select) echo "python3 $py/echo_selectors.py --port 0 --buffer $2 --backlog 4096" ;;
    tokio) echo "python3 $py/echo_asyncio.py --port 0 --buffer $2 --backlog 4096" ;;
    *) echo "" ;; # server-epoll's twin is echo_selectors.py (epoll on Linux), measured as select's
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
    local line said extra=()
    [[ $1 == pingpong ]] && extra=(--server-pid "$server_pid")
    line=$("$bin/echo-bench" "$@" "${extra[@]}" --port "$port" --json --label "$label" 2> "$work/bench.err") ||
      line=$(python3 -c 'import json, sys; print(json.dumps({"mode": sys.argv[1], "label": sys.argv[2], "stalled": open(sys.argv[3]).read().strip() or "echo-bench failed"}))' "$1" "$label" "$work/bench.err")
    said=$(grep -m1 "FD_SETSIZE" "$work/server.out" || true)
    stop_server
    echo "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
r.update(design=sys.argv[1], lang=sys.argv[2])
if sys.argv[3]:
    r["server_said"] = sys.argv[3]
print(json.dumps(r))' "$design" "$lang" "$said" >> "$results"
    grep -q '"stalled": null' <(tail -1 "$results") || break
  done
}

# Chart labels: the Python twins by the module they use.
py_label() {
  case $1 in
    select) echo "selectors (python)" ;;
    tokio) echo "asyncio (python)" ;;
    *) echo "$1 (python)" ;;
  esac
}

echo "Ping-pong (64-byte messages) ..." >&2
for design in ${BENCH_DESIGNS:-basic loop threads select epoll tokio}; do
  for c in "${conns_list[@]}"; do
    [[ -z $c ]] && continue
    [[ $design == basic && $c -gt 1 ]] && continue # server-basic serves one client
    messages=$((40000 / c)); ((messages < 20)) && messages=20
    sources=1; ((c > 5000)) && sources=4
    for lang in rust python; do
      if [[ $lang == rust ]]; then cmd=$(rust_cmd "$design" 1024 "$c"); label="$design (rust)"; else cmd=$(py_cmd "$design" 1024); label=$(py_label "$design"); fi
      [[ -z $cmd ]] && continue
      measure "$label" "$design" "$lang" "$cmd" -- pingpong --conns "$c" --messages "$messages" --size 64 \
        --sources "$sources"
    done
  done
done

ceiling=""
trace_line=""
if [[ $pingpong_only == no ]]; then
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

if [[ -n $(command -v "$bin/osi-trace") ]] && "$bin/osi-trace" --port 1 --duration 0 >/dev/null 2>&1; then
  echo "osi-trace live during ping-pong at C = 10 ..." >&2
  start_server "$bin/server-select" --port 0 --quiet
  "$bin/osi-trace" --port "$port" --summary-only --duration 120 > /dev/null 2> "$work/trace.err" &
  tpid=$!
  kit_wait_ready "$work/trace.err" 10 READY || true
  "$bin/echo-bench" pingpong --port "$port" --conns 10 --messages 2000 > /dev/null
  kill -INT "$tpid"
  wait "$tpid" || true
  stop_server
  trace_line=$(grep "kernel:" "$work/trace.err" || true)
fi
fi

"$bin/echo-bench" chart --input <(grep '"mode": "pingpong"' "$results") --output "$out/pingpong.svg" >/dev/null

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

TWIN = {"basic": "basic", "loop": "loop", "threads": "threads", "select": "select", "epoll": "select", "tokio": "tokio"}
TWIN_NAME = {"basic": "echo_loop.py --once", "loop": "echo_loop.py", "threads": "echo_threads.py", "select": "selectors", "epoll": "selectors", "tokio": "asyncio"}

def stalled(rs):
    return any(r.get("stalled") for r in rs)

def rate(rs):
    return None if not rs or stalled(rs) else med(rs, "msgs_per_sec")

def mem(rs):
    rss, thr = med(rs, "server_rss_kib"), med(rs, "server_threads")
    return "–" if rss is None else f"{rss / 1024:.1f} / {thr:,.0f}"

def times(a, b):
    return f"{a / b:.2f}×" if a and b else "–"

print(f"\n### Ping-pong, 64-byte messages (median of {runs} runs)\n")
print("Server memory is its peak resident set (MB) during the run, with its thread count, from /proc. "
      "÷ select compares with server-select at the same C in this same run.\n")
print("| design | C | Rust msg/s | Rust p50 / p99 µs | Rust MB / threads | Python twin | Python msg/s | Python MB / threads | Rust ÷ Python | Rust ÷ select |")
print("|---|---|---|---|---|---|---|---|---|---|")
notes = []
for design in ["basic", "loop", "threads", "select", "epoll", "tokio"]:
    for c in sorted({k[3] for k in groups if k[0] == "pingpong" and k[1] == design}):
        rs, ps = groups.get(("pingpong", design, "rust", c), []), groups.get(("pingpong", TWIN[design], "python", c), [])
        sel = groups.get(("pingpong", "select", "rust", c), [])
        lat = "–" if not rs else "stalled" if stalled(rs) else f"{med(rs, 'p50_us'):,.0f} / {med(rs, 'p99_us'):,.0f}"
        r_rate, p_rate, s_rate = rate(rs), rate(ps), rate(sel)
        print(f"| {design} | {c:,} | {cell(rs, 'msgs_per_sec')} | {lat} | {mem(rs)} | {TWIN_NAME[design]} | "
              f"{cell(ps, 'msgs_per_sec') if ps else '–'} | {mem(ps) if ps else '–'} | {times(r_rate, p_rate)} | {times(r_rate, s_rate)} |")
        for who, group in (("Rust", rs), (TWIN_NAME[design], ps)):
            if stalled(group) and not (who != "Rust" and design == "epoll"):
                why = next(r["stalled"] for r in group if r.get("stalled"))
                said = next((r["server_said"] for r in group if r.get("server_said")), "")
                notes.append(f"- {design} ({who}) at C = {c:,}: stalled: {why}" + (f"; the server said: `{said}`" if said else ""))
if notes:
    print("\n" + "\n".join(notes))

def at(design, lang, c):
    return groups.get(("pingpong", design, lang, c), [])

cs = sorted({k[3] for k in groups if k[0] == "pingpong" and k[1] == "epoll"})
print("\n### Targets\n")
if 1000 in cs:
    e, s_ = rate(at("epoll", "rust", 1000)), rate(at("select", "rust", 1000))
    ok = e and s_ and e >= 1.5 * s_
    print(f"- server-epoll ≥ 1.5 × server-select at C = 1 000: {times(e, s_)} → {'met' if ok else 'NOT met'}")
for c in cs:
    e, p = rate(at("epoll", "rust", c)), rate(at("select", "python", c))
    print(f"- server-epoll ≥ Python selectors at C = {c:,}: {times(e, p)} → {'met' if e and p and e >= p else 'NOT met'}")
if 10000 in cs:
    for d in ("epoll", "tokio"):
        g = at(d, "rust", 10000)
        rss = med(g, "server_rss_kib")
        ok = g and not stalled(g) and rss is not None and rss < 64 * 1024
        print(f"- server-{d} serves all 10 000 under 64 MB: " + ("stalled" if stalled(g) else f"{rss / 1024:.1f} MB") + f" → {'met' if ok else 'NOT met'}")
    g = at("select", "rust", 10000)
    said = next((r["server_said"] for r in g if r.get("server_said")), "")
    print(f"- server-select at C = 10 000 refuses past its wall: " + (f"`{said}` → met" if stalled(g) and said else "NOT shown"))
    g = at("threads", "rust", 10000)
    print(f"- server-threads at C = 10 000: {mem(g)} (MB / threads)")

if any(r.get("mode") == "bulk" for r in rows):
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
print(f"\nRaw results: {sys.argv[1]}; figures: pingpong-throughput.svg, pingpong-latency.svg, pingpong-memory.svg next to it.")
EOF
