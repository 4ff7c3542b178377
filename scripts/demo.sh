#!/usr/bin/env bash
# The instructor's demo: builds the kit, then runs each server's scenario while
# osi-trace captures it, and shows the annotated trace of every run, drawn for
# the terminal's width, with a banner naming its lesson. Every trace (text,
# ladder, JSON, pcap) is kept in a folder named at the end, for students to open
# later, also in Wireshark.
#
#   scripts/demo.sh              in a terminal: the first connection's handshake
#                                and teardown segment by segment (Enter: next
#                                segment, c: play on), a stop after each and
#                                between runs
#   scripts/demo.sh --no-pause   run straight through
#   scripts/demo.sh --only server-loop
#   scripts/demo.sh --only lab   the network lab's scenarios (scripts/lab.sh,
#                                lessons 14–17)
#   scripts/demo.sh --out DIR    keep the traces in DIR (default
#                                traces/demo-DATE-TIME)
#   scripts/demo.sh --theme light
#                                colours for a white background (a projector's),
#                                dark for black; default: what the terminal's
#                                COLORFGBG says, else colours readable on both
#   LANG=vi_VN.UTF-8 scripts/demo.sh
#                                the headings in Vietnamese, as osi-trace's words
#                                (the first of LC_ALL, LC_MESSAGES, LANG decides)
#
# Capture needs CAP_NET_RAW. As root it just works; otherwise the demo re-runs
# itself in a new user and network namespace, where an ordinary user holds that
# capability over the namespace's own loopback; where neither is possible it
# runs the programs without capture and says how to enable it.
#
# The first run starts once its three programs are built (about a minute on a
# fresh clone); the rest of the kit builds in the background meanwhile.
# KIT_BIN_DIR=DIR uses the kit's binaries from DIR instead (the test suite does
# this, and so can a student who cannot build: see the README).
set -euo pipefail
# Seconds with a point whatever the terminal's language (vi_VN.UTF-8 writes a comma).
export LC_NUMERIC=C
shopt -s extglob

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
pause=auto
only=""
out=""
port=65432
theme=auto

# die MESSAGE: one line on stderr, exit 2 (a wrong option or a missing tool).
die() {
  echo "demo.sh: $*" >&2
  exit 2
}
# A value the user gave, as shell quoting writes it: control bytes (an ESC
# sequence) are shown escaped, never sent to the terminal.
shown() { printf '%q' "$1"; }

while (($#)); do
  case "$1" in
    --no-pause) pause=no ;;
    --only)
      [[ -n ${2:-} ]] || die "--only needs a scenario name, e.g. --only server-loop (see --help)"
      only=$2
      shift
      ;;
    --out)
      [[ -n ${2:-} ]] || die "--out needs a folder, e.g. --out traces/today"
      out=$2
      shift
      ;;
    --theme)
      [[ ${2:-} == @(dark|light|auto) ]] || die "--theme needs dark, light or auto (the terminal's background)"
      theme=$2
      shift
      ;;
    -h | --help) kit_usage && exit 0 ;;
    *) die "unknown option $(shown "$1") (see scripts/demo.sh --help)" ;;
  esac
  shift
done

scenarios=(server-basic server-loop server-threads server-select)
if [[ -n $only ]]; then
  found=no
  for s in "${scenarios[@]}" lab; do [[ $s == "$only" ]] && found=yes; done
  [[ $found == yes ]] || die "no scenario named $(shown "$only"); choose one of: ${scenarios[*]} lab"
  scenarios=("$only")
fi

[[ $pause == auto ]] && { [[ -t 0 && -t 1 ]] && pause=yes || pause=no; }

# --theme tells every program the demo starts (servers, client, osi-trace, also inside its
# namespace) the background as a terminal that knows it does: in COLORFGBG, foreground;background,
# which the kit's programs read when they are given no --theme (kit::palette).
case $theme in
  dark) export COLORFGBG='15;0' ;;
  light) export COLORFGBG='0;15' ;;
esac
if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
  # The demo's own lines in the kit's inks (kit::palette) for that background: cyan and yellow
  # of 4.5:1 on black (80, 220) or on white (24, 130); for an unknown one 30 and 136, which keep
  # 3:1 on both, where the basic cyan and yellow fade on white.
  bg=${COLORFGBG:-}
  case ${bg##*;} in
    [0-6] | 8) cyan=80 yellow=220 ;;
    7 | 9 | 1[0-5]) cyan=24 yellow=130 ;;
    *) cyan=30 yellow=136 ;;
  esac
  cyan=$'\e[38;5;'$cyan'm' yellow=$'\e[38;5;'$yellow'm'
  bold=$'\e[1m' dim=$'\e[2m' reset=$'\e[0m' color=always
else
  bold="" dim="" cyan="" yellow="" reset="" color=never
fi

# say LINE…: a line of the demo's own, fitted to the terminal (fit, in show.sh).
say() { printf '%s\n' "$*" | fit; }
# copyable WORDS…: a command to copy, alone on its line, unindented and never cut by fit: a
# terminal narrower than it wraps it softly, and a copy (or a triple click) takes it whole.
copyable() { printf '%s\n' "$*"; }
# rel PATH: PATH as the shell quotes it, relative to this folder when it is inside it (shorter
# to copy: target/release/osi-trace, not the clone's whole path).
rel() {
  local p=$1
  [[ $p != "$PWD"/* ]] || p=${p#"$PWD"/}
  printf '%q' "$p"
}
# tell WORDS…: a sentence or two of the demo's own, wrapped at the terminal's width as
# one paragraph (its lines are not cut where the source happens to break them).
tell() { printf '%s\n' "$*" | fit "" ""; }
# shellcheck source=scripts/demo/words.sh
. "$here/scripts/demo/words.sh"
# shellcheck source=scripts/demo/build.sh
. "$here/scripts/demo/build.sh"
# shellcheck source=scripts/demo/show.sh
. "$here/scripts/demo/show.sh"
banner() {
  local line
  line=$(printf '%*s' $((cols && cols < 72 ? cols : 72)) '' | tr ' ' '=')
  printf '\n%s%s%s\n%s%s%s\n%s%s%s\n' "$cyan" "$line" "$reset" "$bold$cyan" "$1" "$reset" "$cyan" "$line" "$reset"
}

# ip, tc and nft: the lab's tools.
kit_sbin_path

# --- Stage 1: build (outside any namespace, so cargo can reach its cache) ---
if [[ -z ${OSI_KIT_IN_NS:-} ]]; then
  [[ -n $out ]] || out="$here/traces/demo-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$out" 2>/dev/null || die "cannot create the folder $(shown "$out"); hint: --out DIR with a folder you can write"
  out=$(cd "$out" && pwd)
  if [[ -z ${KIT_BIN_DIR:-} ]]; then
    # What the first run needs first; the lab's scenarios run server-basic.
    needs=(server-basic client osi-trace)
    [[ $only == lab ]] || needs=("${scenarios[0]}" client osi-trace)
    if [[ $(kit_binaries "${needs[@]}") == build ]]; then
      build_first "${needs[@]}"
      ((${#scenarios[@]} == 1)) || build_rest
    else
      say "${dim}Using the kit's binaries in $target/release (cannot build there).${reset}"
    fi
  fi
  # The servers' narration as they print it (in colour on a terminal; the kept NAME.server.log
  # is plain), in a folder made here so that this shell removes it even when the run in the
  # namespace is killed outright (a closed terminal hangs up both).
  work=$(mktemp -d "${TMPDIR:-/tmp}/demo.XXXXXX")
  export OSI_KIT_WORK=$work
  trap 'stop_rest; rm -rf -- "$work"' EXIT
  trap 'exit 130' INT TERM
  trap 'exit 129' HUP

  # --- The network lab (lessons 14–17), only with --only lab: scripts/lab.sh builds
  # its own namespaces (client, router, server) and captures both links itself. ---
  if [[ $only == lab ]]; then
    for s in $("$here/scripts/lab.sh" --list | awk '{ print $1 }'); do
      banner "$(phrase lab "$s")"
      status=0
      KIT_BIN_DIR=${KIT_BIN_DIR:-$target/release} "$here/scripts/lab.sh" --scenario "$s" \
        --out "$out/lab-$s" || status=$?
      # Refused, unreachable, … end in the client's error (1) on purpose; 2 is
      # lab.sh's own one-line error (a missing tool, no namespaces): no run can work.
      ((status != 2)) || die "the lab cannot run here: see lab.sh's line above"
      # Ctrl-C (130) or a closed terminal stopped the lab run: the demo stops with it.
      ((status < 128)) || exit "$status"
      if [[ $pause == yes ]]; then read -r -p "${dim}$(phrase next_run)${reset}" _ || true; fi
    done
    banner "$(phrase finished)"
    say "$(phrase lab_kept "$(shown "$out")")"
    exit 0
  fi

  # --- Stage 2: find a way to capture ---
  if [[ $(id -u) -eq 0 ]] || unshare --user --map-root-user --net true 2>/dev/null; then
    ns_args=(--net --pid --fork --kill-child)
    [[ $(id -u) -eq 0 ]] || ns_args=(--user --map-root-user "${ns_args[@]}")
    if unshare "${ns_args[@]}" true 2>/dev/null; then
      args=(--out "$out")
      [[ $pause == no ]] && args+=(--no-pause)
      [[ -n $only ]] && args+=(--only "$only")
      # A private loopback: port 65432 is free, the capture sees only the demo,
      # and every process the demo starts dies with the namespace. Not exec'd: this
      # shell stops the background build when the demo ends.
      status=0
      env OSI_KIT_IN_NS=1 unshare "${ns_args[@]}" "$0" "${args[@]}" || status=$?
      exit "$status"
    fi
  fi
  export OSI_KIT_NO_NS=1
fi

bin=${KIT_BIN_DIR:-$target/release}
export PATH="$bin:$PATH"
[[ -n ${OSI_KIT_IN_NS:-} ]] && ip link set lo up

capture=yes
# No root and no namespace: capture on the shared loopback if osi-trace was given
# CAP_NET_RAW with setcap (a rebuild drops it; getcap is in libcap2-bin).
if [[ -n ${OSI_KIT_NO_NS:-} && $(id -u) -ne 0 ]] &&
  ! getcap "$bin/osi-trace" 2>/dev/null | grep -q cap_net_raw; then
  capture=no
  say "${yellow}$(phrase no_capture)${reset}"
  tell "$(phrase no_capture_how)"
  copyable "sudo setcap cap_net_raw=eip $(rel "$bin/osi-trace")"
fi

# --- Cleanup: every process this script starts, also on Ctrl-C or a closed terminal ---
pids=()
work=${OSI_KIT_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/demo.XXXXXX")}
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf -- "$work"
  stop_rest
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP

# plain: stdin without colour codes, for the files a class opens later.
plain() { sed $'s/\e\\[[0-9;]*m//g'; }

# start_trace NAME CONNECTIONS: capture until CONNECTIONS have closed (30 s at most); the
# kept NAME.trace.txt has one line per segment and no colour codes, for grep and editors.
start_trace() {
  [[ $capture == yes ]] || return 0
  osi-trace --port "$port" --connections "$2" --duration 30 --write "$out/$1.pcap" \
    --color never >"$out/$1.trace.txt" 2>"$out/$1.capture.log" &
  pids+=($!)
  trace_pid=$!
  kit_wait_ready "$out/$1.capture.log" 10
}

# start_server NAME: the server; what it did before any packet (socket, bind, listen),
# shown now, in the order it happened; the rest after the trace (finish).
start_server() {
  "$1" --port "$port" --color "$color" >"$work/$1.server.log" 2>&1 &
  pids+=($!)
  server_pid=$!
  kit_wait_ready "$work/$1.server.log" 10
  say "${bold}$(phrase server_before)${reset}"
  sed '/^READY/,$d' "$work/$1.server.log" | fit "  "
}

# finish NAME: wait for the capture, then show and keep the trace.
finish() {
  if [[ $capture == yes ]]; then
    wait "$trace_pid" || true
    # Their stderr repeats the capture's one-line summary: kept in the log, not shown again.
    # The same run as one page for a browser (--html): ladder, layers, bytes, and each segment's line of code.
    {
      osi-trace --read "$out/$1.pcap" --json >"$out/$1.trace.jsonl"
      osi-trace --read "$out/$1.pcap" --ladder --color never >"$out/$1.ladder.txt"
      osi-trace --read "$out/$1.pcap" --html "$out/$1.html" --programs "$1,client" --quiet
    } 2>>"$out/$1.read.log"
    say ""
    say "${bold}$(phrase wire)${reset}"
    show_trace "$1"
    say "$(phrase browser "$out/$1.html")"
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  plain <"$work/$1.server.log" >"$out/$1.server.log"
  say ""
  say "${bold}$(phrase server_then)${reset}"
  sed '1,/^READY/d' "$work/$1.server.log" | fit "  "
  if [[ $pause == yes ]]; then
    read -r -p "${dim}$(phrase next_run)${reset}" _ || true
  fi
}

# client ARGS…: the kit's client, its lines (errors too) fitted to the terminal.
client() { command client --port "$port" --color "$color" "$@" 2>&1 | fit; }

# labelled LABEL ARGS…: a client whose every line starts with LABEL, so that two
# clients running at once can be told apart.
labelled() {
  local label=$1
  shift
  command client --port "$port" --color "$color" "$@" 2>&1 | sed -u "s/^/$label /" | fit
}

clients_say() { say "${bold}$(phrase client_said)${reset}"; }

scenario_server-basic() {
  banner "$(phrase basic)"
  tell "$(phrase basic_story)"
  start_trace server-basic 2
  start_server server-basic
  clients_say
  client --message Hello
  wait "$server_pid" || true
  client --message Hello || true
  finish server-basic
}

scenario_server-loop() {
  wait_rest
  banner "$(phrase loop)"
  tell "$(phrase loop_story)"
  start_trace server-loop 2
  start_server server-loop
  say "${bold}$(phrase clients_said)${reset}"
  labelled A: --message first --hold 2 &
  pids+=($!)
  sleep 0.3
  labelled B: --message second
  wait "${pids[-1]}" || true
  finish server-loop
}

scenario_server-threads() {
  wait_rest
  banner "$(phrase threads)"
  tell "$(phrase threads_story)"
  start_trace server-threads 2
  start_server server-threads
  clients_say
  client --clients 2 --message "Hello from a thread" --hold 1
  finish server-threads
}

scenario_server-select() {
  wait_rest
  banner "$(phrase select)"
  tell "$(phrase select_story)"
  start_trace server-select 3
  start_server server-select
  clients_say
  client --clients 3 --repeat 3 --message "ping"
  finish server-select
}

for s in "${scenarios[@]}"; do
  "scenario_$s"
done

banner "$(phrase finished)"
if [[ $capture == no ]]; then
  say "$(phrase nothing_captured)"
  say "  $(shown "$out")"
  exit 0
fi
first=${scenarios[0]}
say "$(phrase kept)"
say "  $out"
say "$(phrase wireshark)"
copyable "wireshark $(rel "$out/$first.pcap")"
say "$(phrase read_again)"
copyable "$(rel "$bin/osi-trace") --read $(rel "$out/$first.pcap") --layers"
