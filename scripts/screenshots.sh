#!/usr/bin/env bash
# The book's explorer pages and their pictures: osi-trace --html on a few of
# the lessons' reference captures (lessons/captures/), written to
# lessons/explorer/ (lessons/explorer/vi/: --lang vi), and screenshots in
# headless Chromium at 1280×800 and at projector zoom. Run it after a change to
# what osi-trace says or to the page; the test suite checks that the pages are
# current (explorer_records.rs).
#
#   scripts/screenshots.sh            pages and screenshots
#   scripts/screenshots.sh --pages    the pages only (no browser needed)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
cd "$here"
shots=yes
case "${1:-}" in
  --pages) shots=no ;;
  -h | --help) kit_usage && exit 0 ;;
  # No argument; an empty one ("") is a mistake, not a request to rewrite the pages.
  "") (($# == 0)) || { echo "screenshots.sh: unknown argument ''" >&2 && exit 2; } ;;
  *) echo "screenshots.sh: unknown argument $(printf %q "$1")" >&2 && exit 2 ;;
esac
cargo build --release --quiet -p osi-trace
bin=$here/target/release

# name, capture, the programs that ran (lessons/captures/README.md says how each was recorded).
pages=(
  "03-hello lessons/captures/03-hello.pcap server-basic,client"
  "05-endings lessons/captures/05-endings.pcap server-loop,client"
  "06-loop lessons/captures/06-loop.pcap server-loop,client"
)
# Each page twice: in English, and in Vietnamese for lessons/vi (lessons/explorer/vi/).
for p in "${pages[@]}"; do
  read -r name pcap programs <<<"$p"
  "$bin/osi-trace" --read "$pcap" --html "lessons/explorer/$name.html" --programs "$programs" --force --quiet
  "$bin/osi-trace" --read "$pcap" --html "lessons/explorer/vi/$name.html" --programs "$programs" --force \
    --quiet --lang vi
  echo "lessons/explorer/$name.html lessons/explorer/vi/$name.html"
done
[[ $shots == yes ]] || exit 0
command -v chromium >/dev/null || { echo "screenshots.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# shot PAGE PNG HASH: PAGE at 1280×800, opened with HASH (#zoom=…, #row=…).
shot() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
    --hide-scrollbars --window-size=1280,800 --screenshot="$here/$2" "file://$here/$1#$3" 2>/dev/null >/dev/null
  echo "$2"
}
# The SYN selected (as lesson 4 asks), the data segment, and a projector's zoom.
shot lessons/explorer/03-hello.html lessons/explorer/03-hello.png "row=0"
shot lessons/explorer/03-hello.html lessons/explorer/03-hello-projector.png "row=0&zoom=1.6"
shot lessons/explorer/05-endings.html lessons/explorer/05-endings-dark.png "row=7&theme=dark"
