#!/usr/bin/env bash
# How fast osi-trace reads a big capture, against tcpdump on the same file in
# the same run. Makes a pcap of about a million small segments with a bounded
# loopback load (the kit's client and server-threads, captured by osi-trace
# itself), then times, as the median of several runs:
#
#   osi-trace --read F            (one line per segment)  vs  tcpdump -nn -r F
#   osi-trace --read F --summary-only                      vs  tcpdump -r F -w /dev/null
#
# Needs root (or CAP_NET_RAW) for the capture, and tcpdump.
#
#   scripts/bench-trace.sh [--rounds N] [--runs N] [--keep DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
rounds=125000  # echo rounds per client; 4 clients × ~2 segments per round (ACKs ride on the echo) ≈ 1 million
runs=5
keep=""
while (($#)); do
  case "$1" in
    --rounds) rounds=${2:?}; shift ;;
    --runs) runs=${2:?}; shift ;;
    --keep) keep=${2:?}; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-trace.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

command -v tcpdump >/dev/null || { echo "bench-trace.sh: needs tcpdump (apt-get install tcpdump)" >&2; exit 1; }
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n $keep ]] || rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pcap=$work/load.pcap
echo "Recording about $((rounds * 8)) segments on port $port ..." >&2
"$bin/osi-trace" --port "$port" --write "$pcap" --summary-only --duration 300 --connections 4 \
  > /dev/null 2> "$work/capture.log" &
pids+=($!)
for _ in $(seq 200); do grep -qs READY "$work/capture.log" && break; sleep 0.05; done
"$bin/server-threads" --port "$port" --quiet > "$work/server.log" &
pids+=($!)
for _ in $(seq 200); do grep -qs READY "$work/server.log" && break; sleep 0.05; done
"$bin/client" --port "$port" --clients 4 --repeat "$rounds" --message x --timeout 600 --quiet > /dev/null
wait "${pids[0]}"
frames=$(tcpdump -r "$pcap" 2>/dev/null | wc -l)
size=$(du -h "$pcap" | cut -f1)

# Median wall time, in seconds, of $runs runs of a command.
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    t1=$(date +%s.%N)
    times+=("$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

t_dump=$(median tcpdump -nn -r "$pcap")
t_trace=$(median "$bin/osi-trace" --read "$pcap" --color never)
t_read=$(median tcpdump -r "$pcap" -w /dev/null)
t_sum=$(median "$bin/osi-trace" --read "$pcap" --summary-only)
t_json=$(median "$bin/osi-trace" --read "$pcap" --json)

ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
rate() { awk "BEGIN { printf \"%d\", $frames / $1 / 1000 }"; }
echo
echo "Capture: $frames frames, $size (median of $runs runs each)"
echo
echo "| command | seconds | k frames/s | ratio |"
echo "|---|---|---|---|"
echo "| tcpdump -nn -r (one line per frame) | $t_dump | $(rate "$t_dump") | 1.00 (baseline) |"
echo "| osi-trace --read (one line per segment, explained) | $t_trace | $(rate "$t_trace") | $(ratio "$t_trace" "$t_dump") × tcpdump -nn -r |"
echo "| osi-trace --read --json | $t_json | $(rate "$t_json") | $(ratio "$t_json" "$t_dump") × tcpdump -nn -r |"
echo "| tcpdump -r -w /dev/null (merely reading) | $t_read | $(rate "$t_read") | 1.00 (baseline) |"
echo "| osi-trace --read --summary-only | $t_sum | $(rate "$t_sum") | $(ratio "$t_sum" "$t_read") × tcpdump -r -w /dev/null |"
echo
grep -h "kernel:" "$work/capture.log" | sed 's/^/Recording: /' || true
