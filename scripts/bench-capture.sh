#!/usr/bin/env bash
# Does osi-trace keep up live? The kit's heaviest ping-pong load on loopback
# (echo-bench against server-threads), captured in the same run by osi-trace
# and by tcpdump with the same filter; several runs, then the medians of the
# frames each captured and the frames the kernel dropped for each.
#
# Runs in a network namespace of its own (unshare --net, as root), so other
# traffic on this machine's lo cannot add to the counts; everything it starts
# is stopped at the end, also on failure.
#
#   scripts/bench-capture.sh [--runs N] [--conns C] [--messages M]
#                            [--view line|json|summary] [--nice N]
#
# --nice N runs osi-trace at that nice value (e.g. -10): the load has ~100
# runnable threads and the scheduler shares CPU per thread, so this shows how
# much of the drops is CPU share rather than the capture itself.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
runs=5
conns=100
messages=3000
view=line
nice=0
inside=""
while (($#)); do
  case "$1" in
    --runs) runs=${2:?}; shift ;;
    --conns) conns=${2:?}; shift ;;
    --messages) messages=${2:?}; shift ;;
    --view) view=${2:?}; shift ;;
    --nice) nice=${2:?}; shift ;;
    --inside) inside=yes ;;
    -h | --help) kit_usage; exit 0 ;;
    *) echo "bench-capture.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$view" in
  line) view_args=(--color never) ;;
  json) view_args=(--json) ;;
  summary) view_args=(--summary-only) ;;
  *) echo "bench-capture.sh: --view is line, json or summary" >&2; exit 2 ;;
esac

if [[ -z $inside ]]; then
  command -v tcpdump >/dev/null || { echo "bench-capture.sh: needs tcpdump (apt-get install tcpdump)" >&2; exit 1; }
  command -v unshare >/dev/null || { echo "bench-capture.sh: needs unshare (util-linux)" >&2; exit 1; }
  ((EUID == 0)) || { echo "bench-capture.sh: run as root (a network namespace and capture rights)" >&2; exit 1; }
  (cd "$here" && cargo build --release --quiet -p osi-trace -p echo-bench -p server-threads)
  # A loopback of our own: `unshare --net` ends with the script, and its lo with it.
  exec unshare --net -- "$0" --inside --runs "$runs" --conns "$conns" --messages "$messages" --view "$view" --nice "$nice"
fi

ip link set lo up
bin=$here/target/release
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# One run: appends "ours_frames kernel_drops tcpdump_frames tcpdump_drops seconds unread buffer_drops" to $results
# (not in a subshell, so that cleanup knows every process it started).
one_run() {
  local port log_o log_t log_s t0 t1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  log_o=$work/osi.$1.log log_t=$work/tcpdump.$1.log log_s=$work/server.$1.log
  nice -n "$nice" "$bin/osi-trace" --port "$port" "${view_args[@]}" > /dev/null 2> "$log_o" &
  local osi=$!
  pids+=("$osi")
  tcpdump -Z root -i lo -w /dev/null "tcp port $port" 2> "$log_t" &
  local dump=$!
  pids+=("$dump")
  "$bin/server-threads" --port "$port" --quiet > "$log_s" 2>&1 &
  local srv=$!
  pids+=("$srv")
  # At most 20 s each (tcpdump says "listening on" once it captures).
  kit_wait_ready "$log_o" 20 READY || exit 1
  kit_wait_ready "$log_t" 20 "listening on" || exit 1
  kit_wait_ready "$log_s" 20 READY || exit 1
  t0=$(date +%s.%N)
  "$bin/echo-bench" pingpong --port "$port" --conns "$conns" --messages "$messages" > "$work/bench.$1.log"
  t1=$(date +%s.%N)
  # Both hand frames over in blocks on a timer: let the last ones arrive.
  sleep 2
  # osi-trace's peak memory so far (its queue of frames not yet shown included).
  local hwm
  hwm=$(awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$osi/status")
  kill -INT "$osi" "$dump"
  wait "$osi" "$dump" || true
  kill "$srv"
  wait "$srv" 2>/dev/null || true
  # osi-trace: "N frames, …; kernel: R frames passed the filter, D dropped"
  local of od op ob tf td
  of=$(sed -n 's/^\([0-9]*\) frames,.*/\1/p' "$log_o" | tail -1)
  op=$(sed -n 's/.*kernel: \([0-9]*\) frames passed the filter.*/\1/p' "$log_o" | tail -1)
  od=$(sed -n 's/.*kernel: [0-9]* frames passed the filter, \([0-9]*\) dropped.*/\1/p' "$log_o" | tail -1)
  # osi-trace's own drops (its --buffer full), said only when there are some.
  ob=$(sed -n 's/.*; \([0-9]*\) dropped by osi-trace.*/\1/p' "$log_o" | tail -1)
  ob=${ob:-0}
  tf=$(sed -n 's/^\([0-9]*\) packets captured/\1/p' "$log_t")
  td=$(sed -n 's/^\([0-9]*\) packets dropped by kernel/\1/p' "$log_t")
  if [[ -z $of || -z $od || -z $tf || -z $td ]]; then
    echo "bench-capture.sh: run $1: could not read the counts" >&2
    cat "$log_o" "$log_t" >&2
    exit 1
  fi
  local r
  # Frames the kernel counted but osi-trace never showed (e.g. arrived after its last read).
  r="$of $od $tf $td $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") $((op - od - of - ob)) $ob $hwm"
  echo "run $1: osi-trace frames/kernel drops, tcpdump frames/drops, load seconds, osi-trace unread at the end, osi-trace buffer drops, osi-trace peak RSS MiB: $r" >&2
  echo "$r" >> "$results"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "echo-bench pingpong --conns $conns --messages $messages against server-threads on lo;" \
  "osi-trace (--view $view) and tcpdump capturing the same port; $runs runs" >&2
results=$work/results
for i in $(seq "$runs"); do
  one_run "$i"
done

col() { awk -v c="$1" '{print $c}' "$results" | median; }
of=$(col 1) od=$(col 2) tf=$(col 3) td=$(col 4) secs=$(col 5) left=$(col 6) ob=$(col 7) hwm=$(col 8)
ratio() { awk "BEGIN { if ($2 == 0) print \"-\"; else printf \"%.3f\", $1 / $2 }"; }
echo
echo "Medians of $runs runs (load: ${secs} s each)"
echo
echo "| | frames captured | frames dropped by the kernel | dropped by osi-trace (buffer full) | kept, never shown | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|"
echo "| osi-trace ($view view$( ((nice == 0)) || echo ", nice $nice")) | $of | $od | $ob | $left | $hwm |"
echo "| tcpdump -w /dev/null | $tf | $td | | | |"
echo "| ratio osi-trace / tcpdump | $(ratio "$of" "$tf") | $(ratio "$od" "$td") | | | |"
