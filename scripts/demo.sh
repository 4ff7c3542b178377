#!/usr/bin/env bash
# The instructor's demo: builds the kit, then runs each server's scenario while
# osi-trace captures it, and shows the annotated trace of every run, with a
# banner naming its lesson. Every trace (text, ladder, JSON, pcap) is kept in
# a folder named at the end, for students to open later, also in Wireshark.
#
#   scripts/demo.sh              pause between runs (in a terminal)
#   scripts/demo.sh --no-pause   run straight through
#   scripts/demo.sh --only server-loop
#   scripts/demo.sh --only lab    the network lab's scenarios (scripts/lab.sh, lessons 14–17)
#   scripts/demo.sh --out DIR     keep the traces in DIR (default traces/demo-DATE-TIME)
#
# Capture needs CAP_NET_RAW. As root it just works; otherwise the demo re-runs
# itself in a new user and network namespace, where an ordinary user holds that
# capability over the namespace's own loopback; where neither is possible it
# runs the programs without capture and says how to enable it.
#
# KIT_BIN_DIR=DIR uses the kit's binaries from DIR instead of building them
# (the test suite does this with the binaries it has just built).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
pause=auto
only=""
out=""
port=65432

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
}
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
    -h | --help) usage ;;
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

if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
  bold=$'\e[1m' dim=$'\e[2m' cyan=$'\e[36m' yellow=$'\e[33m' reset=$'\e[0m' color=always
else
  bold="" dim="" cyan="" yellow="" reset="" color=never
fi

say() { printf '%s\n' "$*"; }
banner() {
  local line
  line=$(printf '%*s' 72 '' | tr ' ' '=')
  printf '\n%s%s%s\n%s%s%s\n%s%s%s\n' "$cyan" "$line" "$reset" "$bold$cyan" "$1" "$reset" "$cyan" "$line" "$reset"
}

# ip, tc and nft (the lab's tools) live in /usr/sbin or /sbin, which Debian
# leaves off an ordinary user's PATH.
export PATH="$PATH:/usr/sbin:/sbin"

# --- Stage 1: build (outside any namespace, so cargo can reach its cache) ---
if [[ -z ${OSI_KIT_IN_NS:-} ]]; then
  if [[ -z ${KIT_BIN_DIR:-} ]]; then
    command -v cargo >/dev/null ||
      die "cargo is not on PATH; install Rust (https://rustup.rs), then open a new shell or run . \"\$HOME/.cargo/env\""
    # cargo's own progress lines: the first build takes minutes on a busy machine.
    say "${bold}Building the kit (release; the first build takes a few minutes)…${reset}"
    (cd "$here" && cargo build --release --bins) ||
      die "the build failed (cargo's error above); the kit needs Rust 1.85 or newer and a C linker (Debian: apt-get install build-essential)"
  fi
  [[ -n $out ]] || out="$here/traces/demo-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$out"
  out=$(cd "$out" && pwd)

  # --- The network lab (lessons 14–17), only with --only lab: scripts/lab.sh builds
  # its own namespaces (client, router, server) and captures both links itself. ---
  if [[ $only == lab ]]; then
    for s in $("$here/scripts/lab.sh" --list | awk '{ print $1 }'); do
      banner "Lessons 14–17 · the network lab: $s"
      status=0
      KIT_BIN_DIR=${KIT_BIN_DIR:-$here/target/release} "$here/scripts/lab.sh" --scenario "$s" \
        --out "$out/lab-$s" || status=$?
      # Refused, unreachable, … end in the client's error (1) on purpose; 2 is
      # lab.sh's own one-line error (a missing tool, no namespaces): no run can work.
      ((status != 2)) || die "the lab cannot run here: see lab.sh's line above"
      if [[ $pause == yes ]]; then read -r -p "${dim}— Enter for the next run —${reset}" _ || true; fi
    done
    banner "Done"
    say "Each lab run's captures (link1.pcap, link2.pcap) are in $(shown "$out")/lab-*"
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
      # and every process the demo starts dies with the namespace.
      exec env OSI_KIT_IN_NS=1 unshare "${ns_args[@]}" "$0" "${args[@]}"
    fi
  fi
  export OSI_KIT_NO_NS=1
fi

bin=${KIT_BIN_DIR:-$here/target/release}
export PATH="$bin:$PATH"
[[ -n ${OSI_KIT_IN_NS:-} ]] && ip link set lo up

capture=yes
# No root and no namespace: capture on the shared loopback if osi-trace was given
# CAP_NET_RAW with setcap (a rebuild drops it; getcap is in libcap2-bin).
if [[ -n ${OSI_KIT_NO_NS:-} && $(id -u) -ne 0 ]] &&
  ! getcap "$bin/osi-trace" 2>/dev/null | grep -q cap_net_raw; then
  capture=no
  say "${yellow}No capture permission here: running the programs without osi-trace.${reset}"
  say "To see the traces: run as root, or let unprivileged user namespaces be created"
  say "(e.g. sysctl kernel.apparmor_restrict_unprivileged_userns=0 on recent Ubuntu), or once"
  say "(again after each build):"
  say "  sudo setcap cap_net_raw=eip $bin/osi-trace"
fi

# --- Cleanup: every process this script starts, also on Ctrl-C ---
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# wait_ready FILE SECONDS: until FILE holds a READY line.
wait_ready() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    grep -qs '^READY' "$1" && return 0
    sleep 0.05
  done
  echo "demo.sh: no READY line in $1 after $2 s:" >&2
  cat "$1" >&2
  return 1
}

# start_trace NAME CONNECTIONS: capture until CONNECTIONS have closed (30 s at most).
start_trace() {
  [[ $capture == yes ]] || return 0
  osi-trace --port "$port" --connections "$2" --duration 30 --write "$out/$1.pcap" \
    --color "$color" >"$out/$1.trace.txt" 2>"$out/$1.capture.log" &
  pids+=($!)
  trace_pid=$!
  wait_ready "$out/$1.capture.log" 10
}

# start_server NAME: the server, narrating into NAME.server.log.
start_server() {
  "$1" --port "$port" --color "$color" >"$out/$1.server.log" 2>&1 &
  pids+=($!)
  server_pid=$!
  wait_ready "$out/$1.server.log" 10
}

# finish NAME LESSON: wait for the capture, then show and keep the trace.
finish() {
  if [[ $capture == yes ]]; then
    wait "$trace_pid" || true
    say ""
    say "${bold}What went over the wire (osi-trace):${reset}"
    # The kept text has one line per segment (as any file osi-trace writes); on a
    # terminal the same capture is shown fitted to its width, causes on their own lines.
    if [[ -t 1 ]]; then
      osi-trace --read "$out/$1.pcap" --color "$color" --width "$(tput cols 2>/dev/null || echo 80)" \
        2>>"$out/$1.read.log"
    else
      cat "$out/$1.trace.txt"
    fi
    # Their stderr repeats the capture's one-line summary: kept in the log, not shown again.
    # The same run as one page for a browser (--html): ladder, layers, bytes, and each segment's line of code.
    {
      osi-trace --read "$out/$1.pcap" --json >"$out/$1.trace.jsonl"
      osi-trace --read "$out/$1.pcap" --ladder --color never >"$out/$1.ladder.txt"
      osi-trace --read "$out/$1.pcap" --html "$out/$1.html" --programs "$1,client" --quiet
    } 2>>"$out/$1.read.log"
    say "In a browser (the trace explorer): $out/$1.html"
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  say ""
  say "${bold}What the server said:${reset}"
  sed 's/^/  /' "$out/$1.server.log"
  if [[ $pause == yes ]]; then
    read -r -p "${dim}— Enter for the next run —${reset}" _ || true
  fi
}

client() { command client --port "$port" --color "$color" "$@"; }

# labelled LABEL ARGS…: a client whose every line starts with LABEL, so that two
# clients running at once can be told apart.
labelled() {
  local label=$1
  shift
  client "$@" 2>&1 | sed -u "s/^/$label /"
}

clients_say() { say "${bold}What the client said:${reset}"; }

scenario_server-basic() {
  banner "Lesson 03–05 · server-basic (article §2): one echo, handshake to teardown"
  say "One client sends \"Hello\"; the server echoes it and exits. A second client then"
  say "finds no one listening: the kernel answers its SYN with RST (connection refused)."
  start_trace server-basic 2
  start_server server-basic
  clients_say
  client --message Hello
  wait "$server_pid" || true
  client --message Hello || true
  finish server-basic
}

scenario_server-loop() {
  banner "Lesson 06 · server-loop (article §3.1): clients wait their turn"
  say "Client A holds its connection for 2 s. Client B connects at once (the kernel"
  say "finishes the handshake into the accept queue) but gets its echo only after A leaves."
  start_trace server-loop 2
  start_server server-loop
  say "${bold}What the clients said (A: and B: mark whose line it is):${reset}"
  labelled A: --message first --hold 2 &
  pids+=($!)
  sleep 0.3
  labelled B: --message second
  wait "${pids[-1]}" || true
  finish server-loop
}

scenario_server-threads() {
  banner "Lesson 07 · server-threads (article §3.2): a thread per connection"
  say "Two clients at once, each holding 1 s: both get their echo immediately."
  start_trace server-threads 2
  start_server server-threads
  clients_say
  client --clients 2 --message "Hello from a thread" --hold 1
  finish server-threads
}

scenario_server-select() {
  banner "Lesson 08 · server-select (article §3.3): one thread, select(2)"
  say "Three clients at once, each sending three messages: one thread serves them all."
  start_trace server-select 3
  start_server server-select
  clients_say
  client --clients 3 --repeat 3 --message "ping"
  finish server-select
}

for s in "${scenarios[@]}"; do
  "scenario_$s"
done

banner "Done"
if [[ $capture == no ]]; then
  say "Nothing was captured (no permission, see the start); the servers' logs are in:"
  say "  $(shown "$out")"
  exit 0
fi
first=${scenarios[0]}
say "Every run's trace, ladder, JSON, page and pcap are in:"
say "  $out"
say "Open a pcap in Wireshark:  wireshark $out/$first.pcap"
say "Or read it again here:     $bin/osi-trace --read $out/$first.pcap --layers"
