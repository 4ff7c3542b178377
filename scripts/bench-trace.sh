#!/usr/bin/env bash
# How fast osi-trace reads a big capture, against tcpdump on the same file in
# the same run. Records a ping-pong load (the kit's client and server-threads
# on loopback, captured by osi-trace itself, bounded), then times each view of
# osi-trace --read and tcpdump -nn -r (one line per frame) on it, and prints a
# table: seconds, thousands of frames a second, the ratio to tcpdump, and the
# view's peak resident memory.
#
#   scripts/bench-trace.sh           about a million segments, median of 5
#                                    runs
#   scripts/bench-trace.sh --check   about 200 000 segments, best of 3 runs;
#                                    fails (exit 1) when a view is slower than
#                                    tcpdump
#   options: [--rounds N] [--runs N] [--keep DIR] [--bin DIR]
#   --bin DIR    osi-trace, client and server-threads from DIR instead of
#                building target/release (e.g. an older osi-trace, to compare)
#
# Needs CAP_NET_RAW (root) for the recording, tcpdump and python3. Leaves
# nothing behind (unless --keep DIR); everything it starts ends with it.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
rounds=125000  # echo rounds per client; 4 clients × ~2 segments per round (ACKs ride on the echo) ≈ 1 million
runs=5
check=no
keep=""
bin=""
while (($#)); do
  case "$1" in
    --check) check=yes; rounds=25000; runs=3 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --keep) keep=${2:?--keep needs a folder}; shift ;;
    --bin) bin=${2:?--bin needs a folder}; shift ;;
    -h | --help) kit_usage; exit 0 ;;
    *) echo "bench-trace.sh: unknown argument $(printf %q "$1") (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $rounds =~ ^[1-9][0-9]{0,6}$ && $runs =~ ^[1-9][0-9]?$ ]] || {
  echo "bench-trace.sh: --rounds takes 1 to 9999999, --runs 1 to 99" >&2
  exit 2
}

for tool in tcpdump python3; do
  command -v "$tool" >/dev/null || { echo "bench-trace.sh: needs $tool (apt-get install $tool)" >&2; exit 1; }
done
if [[ -z $bin ]]; then
  (cd "$here" && cargo build --release --quiet -p osi-trace -p client -p server-threads)
  bin=$here/target/release
fi
for b in osi-trace client server-threads; do
  [[ -x $bin/$b ]] || { echo "bench-trace.sh: no $b in $bin" >&2; exit 2; }
done
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
kit_wait_ready "$work/capture.log" 10 READY || exit 1
"$bin/server-threads" --port "$port" --quiet > "$work/server.log" &
pids+=($!)
kit_wait_ready "$work/server.log" 10 READY || exit 1
# One deadline over the client's whole run: long enough for the load, still bounded.
"$bin/client" --port "$port" --clients 4 --repeat "$rounds" --message x --timeout 600 --quiet > /dev/null
wait "${pids[0]}"
frames=$(tcpdump -r "$pcap" 2>/dev/null | wc -l)
size=$(du -h "$pcap" | cut -f1)

stat=$([[ $check == yes ]] && echo "best of $runs" || echo "median of $runs")
# seconds (by $stat) and peak RSS in MB of $runs runs of a command.
measure() {
  local best median peak
  read -r best median peak < <(python3 "$here/scripts/python/timed.py" "$runs" "$@")
  if [[ $check == yes ]]; then echo "$best $peak"; else echo "$median $peak"; fi
}

read -r t_dump m_dump < <(measure tcpdump -nn -r "$pcap")
views=(
  "line view, --width 0|--width 0"
  "line view, --width 80|--width 80"
  "--json|--json"
  "--layers, --width 0|--layers --width 0"
  "--layers, --width 80|--layers --width 80"
  "--ladder|--ladder --width 0"
  "--summary-only|--summary-only"
)

echo
echo "Capture: $frames frames, $size; seconds: $stat runs; the same run's tcpdump -nn -r is the baseline"
echo
echo "| view | seconds | k frames/s | ratio to tcpdump -nn -r | peak RSS |"
echo "|---|---|---|---|---|"
row() { awk -v n="$1" -v t="$2" -v b="$3" -v m="$4" -v f="$frames" \
  'BEGIN { printf "| %s | %.2f | %d | %.2f | %.0f MB |\n", n, t, f / t / 1000, t / b, m }'; }
row "tcpdump -nn -r (one line per frame)" "$t_dump" "$t_dump" "$m_dump"
slow=()
for v in "${views[@]}"; do
  name=${v%%|*}
  read -ra flags <<< "${v#*|}"
  read -r t m < <(measure "$bin/osi-trace" --read "$pcap" --color never "${flags[@]}")
  row "osi-trace --read, $name" "$t" "$t_dump" "$m"
  if awk -v t="$t" -v b="$t_dump" 'BEGIN { exit !(t > b) }'; then slow+=("$name"); fi
done
echo
grep -h "kernel:" "$work/capture.log" | sed 's/^/Recording: /' || true
if [[ $check == yes && ${#slow[@]} -gt 0 ]]; then
  echo "bench-trace.sh: slower than tcpdump -nn -r on the same file: $(printf '%s; ' "${slow[@]}")" >&2
  exit 1
fi
