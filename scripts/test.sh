#!/usr/bin/env bash
# Runs every test of the kit on a fresh machine: installs what the tests use
# (tcpdump and tshark as oracles, shellcheck for the scripts, iproute2 and
# nftables for namespaces, headless Chromium for the explorer's pages, tmux for
# the demo's and the lab's screens) when it can, then runs the whole workspace's
# tests, then scripts/bench-trace.sh --check (osi-trace's views against tcpdump
# on a capture of ~200 000 segments: a view slower than tcpdump fails the run).
#
# A test that needs what this machine lacks (capture rights, a tool,
# namespaces, a high fd limit) is reported as not run: it prints a SKIPPED
# line, and the list of every test not run is printed at the end. CI sets
# OSI_KIT_PROVIDES to what it provides; there, a test that would skip fails.
#
#   scripts/test.sh                      every test (minutes on a small machine)
#   scripts/test.sh -p client            ARGS go to cargo test: one crate's tests
#   scripts/test.sh -- --list            the names of every test, none run
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

case "${1:-}" in
  -h | --help)
    kit_usage
    exit 0
    ;;
esac
command -v cargo >/dev/null || {
  echo "test.sh: cargo is not on PATH; install Rust (https://rustup.rs), then open a new shell or run . \"\$HOME/.cargo/env\"" >&2
  exit 2
}
# ip, tc, nft and setcap: without them on PATH, the tests that use them would not run.
kit_sbin_path

need=()
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The demo's and the lab's screens are tested in tmux panes of a class's sizes.
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# The Vietnamese lessons run in a vi_VN.UTF-8 terminal; lesson-check compiles that
# locale into its own folder with localedef, from glibc's sources in `locales`.
[[ -e /usr/share/i18n/locales/vi_VN ]] || need+=(locales)
# The explorer's pages are tested in a real headless browser, driven through WebDriver.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test.sh: not installing ${need[*]} (needs root and apt-get); the tests that use them will not run"
  fi
fi

skips=$(mktemp)
trap 'rm -f "$skips"' EXIT
status=0
# The whole workspace, unless the arguments name packages (cargo would test
# every crate all the same if --workspace came with -p).
scope=(--workspace)
for arg in "$@"; do
  [[ $arg == -- ]] && break
  case $arg in -p | --package | --package=* | -p?*) scope=() ;; esac
done
OSI_KIT_SKIP_LOG=$skips cargo test "${scope[@]}" --locked "$@" || status=$?

# A check the tests do not make: it needs a release build and a quiet machine's
# seconds, so it is a benchmark with a generous bound, run on whole-workspace runs.
# What it needs is required as a test's needs are: missing, it is reported as
# not run, unless CI declares it in OSI_KIT_PROVIDES (then the run fails).
declared() { [[ ",${OSI_KIT_PROVIDES:-}," == *",$1,"* || ",${OSI_KIT_PROVIDES:-}," == *",all,"* ]]; }
can_capture() {
  local caps
  caps=$(awk '/^CapEff:/ { print $2 }' /proc/self/status 2>/dev/null)
  [[ -n $caps ]] && (((16#$caps >> 13) & 1))
}
bench_trace() {
  local name="scripts/bench-trace.sh --check" need why
  for need in capture tcpdump python3; do
    case $need in
      capture) can_capture && continue; why="no CAP_NET_RAW to record its capture (run as root, as CI does)" ;;
      *) command -v "$need" >/dev/null 2>&1 && continue; why="$need is not installed" ;;
    esac
    if declared "$need"; then
      echo "test.sh: $name: CI declares \`$need\` in OSI_KIT_PROVIDES, but: $why" >&2
      return 1
    fi
    echo "SKIPPED $name: $why" >&2
    echo "$name: $why" >> "$skips"
    return 0
  done
  scripts/bench-trace.sh --check
}
if ((${#scope[@]})) && [[ " $* " != *" --list "* ]]; then
  echo
  echo "test.sh: scripts/bench-trace.sh --check (osi-trace against tcpdump -nn -r)"
  bench_trace || status=1
fi

if [[ -s $skips ]]; then
  echo
  echo "test.sh: $(sort -u "$skips" | wc -l) tests did not run on this machine:"
  sort -u "$skips" | sed 's/^/  /'
fi
exit "$status"
