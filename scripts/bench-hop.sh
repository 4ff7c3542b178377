#!/usr/bin/env bash
# How osi-trace --hop scales with the size of its two captures: for each N,
# a router's two links' captures of N connections, one SYN each, forwarded
# (scripts/python/hop_flood.py: client MAC → router on link1, router → server
# with TTL 63 on link2), read by `osi-trace --read link1 --hop link2` (text,
# --width 0). Prints a table: seconds, the ratio to the size before (2 for
# twice the frames in linear time) and the peak resident memory.
#
#   scripts/bench-hop.sh            N = 100 000, 200 000, 400 000, 1 000 000
#   scripts/bench-hop.sh --check    N = 200 000 and 400 000: fails (exit 1)
#                                   when twice the frames take more than 2.5
#                                   times as long
#   options: [--sizes "N N ..."] [--runs N] [--bin DIR]
#
# The captures are made in a temporary folder (74 MB per million connections
# and link) and removed at the end. Needs python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
sizes="100000 200000 400000 1000000"
runs=3
check=no
bin=""
while (($#)); do
  case "$1" in
    --check) check=yes; sizes="200000 400000" ;;
    --sizes) sizes=${2:?--sizes needs numbers}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --bin) bin=${2:?--bin needs a folder}; shift ;;
    -h | --help) kit_usage; exit 0 ;;
    *) echo "bench-hop.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in $sizes; do
  [[ $n =~ ^[1-9][0-9]{0,7}$ ]] || { echo "bench-hop.sh: a size is 1 to 99999999 connections, not $n" >&2; exit 2; }
done
[[ $runs =~ ^[1-9][0-9]?$ ]] || { echo "bench-hop.sh: --runs takes 1 to 99" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench-hop.sh: needs python3" >&2; exit 1; }
if [[ -z $bin ]]; then
  (cd "$here" && cargo build --release --quiet -p osi-trace)
  bin=$here/target/release
fi
[[ -x $bin/osi-trace ]] || { echo "bench-hop.sh: no osi-trace in $bin" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo
echo "osi-trace --read link1 --hop link2 --width 0, best of $runs runs; each connection one SYN, forwarded"
echo
echo "| connections (SYNs per link) | seconds | ratio to the size before | peak RSS |"
echo "|---|---|---|---|"
prev_n="" prev_t="" slow=no
for n in $sizes; do
  python3 "$here/scripts/python/hop_flood.py" "$n" "$work/link1.pcap" "$work/link2.pcap"
  read -r best _ peak < <(python3 "$here/scripts/python/timed.py" "$runs" \
    "$bin/osi-trace" --read "$work/link1.pcap" --hop "$work/link2.pcap" --width 0 --color never)
  ratio=—
  if [[ -n $prev_t ]]; then
    ratio=$(awk -v t="$best" -v p="$prev_t" -v n="$n" -v m="$prev_n" 'BEGIN { printf "%.2f (%.1f× the frames)", t / p, n / m }')
    # Linear time: twice the frames within 2.5 times as long.
    if awk -v t="$best" -v p="$prev_t" -v n="$n" -v m="$prev_n" 'BEGIN { exit !(t / p > 1.25 * n / m) }'; then
      slow=yes
    fi
  fi
  printf '| %s | %.2f | %s | %.0f MB |\n' "$n" "$best" "$ratio" "$peak"
  prev_n=$n prev_t=$best
done
if [[ $check == yes && $slow == yes ]]; then
  echo "bench-hop.sh: the time grows faster than the captures (more than 1.25 × their ratio): not linear" >&2
  exit 1
fi
