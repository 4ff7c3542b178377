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
#   scripts/bench.sh [--runs N] [--quick] [--pingpong-only] [--bin DIR]
#                    [--out DIR]
#
# --runs N          runs per figure, the median is reported (default 3)
# --quick           only 1 and 10 connections, smaller transfers (a minute or
#                   so)
# --pingpong-only   skip bulk, churn, iperf3 and osi-trace
# --bin DIR         use the kit's binaries in DIR instead of building
#                   target/release
# --out DIR         where results.jsonl and pingpong-*.svg go (default:
#                   bench-results)
#
# The lessons' reference figures are lessons/charts/pingpong-*.svg, drawn from
# lessons/charts/pingpong.jsonl, the results.jsonl of a run
# (lessons/charts/README.md).
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
    *) echo "bench.sh: unknown argument $(printf %q "$1") (see --help)" >&2; exit 2 ;;
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

# The tables: every figure the median of its runs (echo-bench medians).
"$bin/echo-bench" medians --input "$results" --runs "$runs" --trace-line="$trace_line"
