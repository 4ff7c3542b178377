#!/usr/bin/env bash
# How quickly an explorer page (osi-trace --html) is usable in headless
# Chromium, and how big it is per segment. Writes a capture of an echo of
# N segments (a synthetic loopback echo: 100-byte messages, each ACKed), turns
# it and the lessons' 10-segment echo into pages, and opens each in headless
# Chromium several times: the time until the page has built its list and
# ladder (the page's own performance.now() mark, data-ready on <html>),
# median of the runs, against the small page's in the same run.
#
#   scripts/bench-explorer.sh [--segments N] [--runs N]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
segments=10000
runs=3
while (($#)); do
  case "$1" in
    --segments) segments=${2:?} && shift ;;
    --runs) runs=${2:?} && shift ;;
    -h | --help) kit_usage && exit 0 ;;
    *) echo "bench-explorer.sh: unknown argument $1" >&2 && exit 2 ;;
  esac
  shift
done
command -v chromium >/dev/null || { echo "bench-explorer.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
(cd "$here" && cargo build --release --quiet -p osi-trace)
bin=$here/target/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# An echo: handshake, then client data / server ACK / server echo / client ACK, then FINs.
python3 - "$work/echo.pcap" "$segments" <<'PY'
import struct, sys
path, want = sys.argv[1], int(sys.argv[2])
out = open(path, "wb")
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
t = [0]
def frame(sport, dport, seq, ack, flags, data=b""):
    t[0] += 50
    total = 40 + len(data)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 512, 0, 0)
    f = bytes(12) + b"\x08\x00" + ip + tcp + data
    out.write(struct.pack("<IIII", 1700000000 + t[0] // 1000000, t[0] % 1000000, len(f), len(f)) + f)
c, s, cs, ss = 40000, 65432, 1000, 5000
frame(c, s, cs, 0, 0x02); frame(s, c, ss, cs + 1, 0x12); cs += 1; ss += 1; frame(c, s, cs, ss, 0x10)
n, i = 3, 0
while n < want - 3:
    msg = (f"message {i:06d} " + "abcdefghij" * 9)[:100].encode()
    frame(c, s, cs, ss, 0x18, msg); cs += len(msg)
    frame(s, c, ss, cs, 0x10)
    frame(s, c, ss, cs, 0x18, msg); ss += len(msg)
    frame(c, s, cs, ss, 0x10)
    n, i = n + 4, i + 1
frame(c, s, cs, ss, 0x11); frame(s, c, ss, cs + 1, 0x11); frame(c, s, cs + 1, ss + 1, 0x10)
PY

"$bin/osi-trace" --read "$work/echo.pcap" --html "$work/big.html" --quiet
"$bin/osi-trace" --read "$here/lessons/captures/03-hello.pcap" --html "$work/small.html" --programs server-basic,client --quiet

# ready PAGE: milliseconds from navigation to the page's data-ready mark, one run.
ready() {
  local profile
  profile=$(mktemp -d "$work/profile.XXXX")
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
    --window-size=1280,800 --dump-dom "file://$1" 2>/dev/null |
    grep -o 'data-ready="[0-9]*"' | head -1 | tr -dc '0-9'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '| page | segments | size | bytes per segment | usable after (median of %d) | ratio |\n' "$runs"
printf '|---|---:|---:|---:|---:|---:|\n'
base=""
for page in small big; do
  html=$work/$page.html
  n=$(grep -o '"type":"segment"' "$html" | wc -l)
  size=$(stat -c %s "$html")
  times=()
  for ((r = 0; r < runs; r++)); do times+=("$(ready "$html")"); done
  ms=$(printf '%s\n' "${times[@]}" | median)
  [[ -n $base ]] || base=$ms
  printf '| %s | %d | %d KiB | %d | %d ms | %s |\n' "$page" "$n" $((size / 1024)) $((size / n)) "$ms" \
    "$(awk -v a="$ms" -v b="$base" 'BEGIN { printf "%.1f×", a / (b > 0 ? b : 1) }')"
done
