#!/usr/bin/env bash
# The network lab: three hosts — client, router, server — each in its own
# network namespace, joined by two veth links with real MAC addresses, IPv4 and
# IPv6 in two subnets, routed through the router. No sudo: as an ordinary user
# the lab lives in a user namespace of its own. Everything disappears when it
# exits.
#
#   client 10.0.1.2 ─ link1 ─ 10.0.1.1 router 10.0.2.1 ─ link2 ─ 10.0.2.2 server
#          fd00:1::2          fd00:1::1       fd00:2::1          fd00:2::2
#
# Usage:
#   scripts/lab.sh [IMPAIRMENT…]           an interactive shell in the lab, each
#                                          line a program prints labelled with
#                                          its host
#   scripts/lab.sh [IMPAIRMENT…] --tmux    one terminal per host (tmux panes:
#                                          client, router, server), as
#                                          Mininet's xterms
#   scripts/lab.sh [IMPAIRMENT…] -- CMD [ARG…]
#                                          run CMD in the lab, then tear it down
#   scripts/lab.sh [IMPAIRMENT…] --scenario NAME
#                                          a ready-made run (see --list)
#
# In the lab (shell or CMD), on PATH:
#   on client|router|server CMD…     run CMD on that host, e.g.
#                                    on client client --host 10.0.2.2
#   capture start link1|link2 FILE   record a link (seen from the router) into
#                                    a pcap
#   capture stop                     stop every capture, files complete
#   wait-ready FILE [SECONDS]        wait until FILE holds a READY line
# and every kit program (client, server-basic, …, osi-trace). $LAB_DIR is a
# scratch folder (removed on exit unless --out DIR); $LAB_SERVER, $LAB_CLIENT,
# $LAB_SERVER6 … hold the addresses. Live view of a link:
# on router tshark -n -i eth1 (tcpdump prints live only as real root: in a user
# namespace it cannot drop privileges).
#
# Impairments (all on the router, all combinable):
#   --loss PCT          drop PCT % of packets in both directions (nftables
#                       numgen)
#   --loss-up PCT       … only client → server
#   --loss-down PCT     … only server → client
#   --rate RATE         a bottleneck: tbf rate limit (e.g. 2mbit) with a
#                       bounded queue
#   --queue BYTES       the bottleneck's queue (tbf limit; default 32000)
#   --mtu N             MTU of link2 (router ↔ server); link1 stays at 1500
#   --drop-data         drop every client → server TCP segment that carries
#                       data (the handshake passes): retransmission timeouts
#                       and back-off
#   --drop-syn          a firewall that silently drops SYNs to the server
#   --reject-rst        a firewall that answers SYNs to the server with RST
#   --reject-icmp       a firewall that answers with ICMP host unreachable
#   --no-arp            the server answers no ARP (its IPv4 address cannot be
#                       resolved)
#   --delay MS          added delay, only where the kernel has netem (it says
#                       so if not)
#
# Other options: --out DIR (keep $LAB_DIR; if DIR holds an earlier run, this
# one goes to DIR.2, DIR.3 …, unless --force: then into DIR, its captures
# replaced), --list (scenarios), --theme light|dark (colours for a white or a
# black background, for every program in the lab; default: the terminal's
# COLORFGBG, else colours readable on both), -h/--help, --clean (remove the
# $LAB_DIR of labs that were killed; each run does it too).
# The kit's programs come from KIT_BIN_DIR, else from PATH, else
# target/release: built there with cargo where it can write, used as they are
# where it cannot.
set -euo pipefail
# Seconds are written with a point whatever the terminal's language: in a vi_VN.UTF-8
# terminal bash's $EPOCHREALTIME and awk's printf would use a comma.
export LC_NUMERIC=C

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$here/scripts/lib.sh"
die() {
  echo "lab.sh: $*" >&2
  exit 2
}
# A value the user gave, as shell quoting writes it: control bytes (an ESC
# sequence) are shown escaped, never sent to the terminal.
shown() { printf '%q' "$1"; }
number() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 needs a number, got $(shown "${2:-}")"; }
# given OPTION VALUE: VALUE is there (not empty, not the next option).
given() { [[ -n $2 && $2 != --* ]] || die "$1 needs $3"; }

# --- Options (parsed twice: outside and again inside the namespace, same result) ---
loss_up=0 loss_down=0 rate="" queue=32000 mtu="" drop_syn=no reject_rst=no reject_icmp=no
no_arp=no drop_data=no delay="" scenario="" out="" force=no clean=no tmux=no theme=auto
args=("$@")
while (($#)); do
  case "$1" in
    --loss) number "$1" "${2:-}" && loss_up=$2 loss_down=$2 && shift ;;
    --loss-up) number "$1" "${2:-}" && loss_up=$2 && shift ;;
    --loss-down) number "$1" "${2:-}" && loss_down=$2 && shift ;;
    --rate) [[ ${2:-} =~ ^[0-9]+[kmg]?bit$ ]] || die "--rate wants e.g. 2mbit or 500kbit" && rate=$2 && shift ;;
    --queue) number "$1" "${2:-}" && queue=$2 && shift ;;
    --mtu) number "$1" "${2:-}" && mtu=$2 && shift ;;
    --delay) number "$1" "${2:-}" && delay=$2 && shift ;;
    --drop-syn) drop_syn=yes ;;
    --drop-data) drop_data=yes ;;
    --reject-rst) reject_rst=yes ;;
    --reject-icmp) reject_icmp=yes ;;
    --no-arp) no_arp=yes ;;
    --scenario) given "$1" "${2:-}" "a name, e.g. --scenario rto (see --list)" && scenario=$2 && shift ;;
    --out) given "$1" "${2:-}" "a folder, e.g. --out lab-run" && out=$2 && shift ;;
    --tmux) tmux=yes ;;
    --theme)
      [[ ${2:-} =~ ^(dark|light|auto)$ ]] || die "--theme needs dark, light or auto (the terminal's background)"
      theme=$2 && shift
      ;;
    --force) force=yes ;;
    --list) exec "$here/scripts/lab/scenarios.sh" --list ;;
    -h | --help) kit_usage && exit 0 ;;
    --) shift && break ;;
    --clean) clean=yes ;;
    *) die "unknown option $(shown "$1") (see --help)" ;;
  esac
  shift
done
cmd=("$@")
# The background, told to every program of the lab (the scenarios' views, the shells' and
# panes' programs) as a terminal that knows it does: COLORFGBG, foreground;background,
# which the kit's programs read when they are given no --theme (kit::palette).
case $theme in
  dark) export COLORFGBG='15;0' ;;
  light) export COLORFGBG='0;15' ;;
esac
((loss_up <= 100 && loss_down <= 100)) || die "a loss is a percentage, 0 to 100"
[[ -z $mtu ]] || ((mtu >= 1280 && mtu <= 1500)) || die "--mtu wants 1280..1500 (IPv6 needs 1280)"
[[ -z $scenario || ${#cmd[@]} -eq 0 ]] || die "give either --scenario or a command, not both"
[[ $tmux == no || (-z $scenario && ${#cmd[@]} -eq 0) ]] || die "--tmux is for the interactive lab: no --scenario, no command"

# --- Stage 1, outside: binaries, then re-run inside fresh namespaces ---
if [[ -z ${LAB_INSIDE:-} ]]; then
  # A lab killed outright (SIGKILL) cannot remove its scratch folder. Each lab locks its
  # .lab-owner for as long as any of its processes lives (they inherit the lock's fd), seen
  # from any namespace; a folder whose lock is free is a dead lab's: removed here, or by --clean.
  for d in "${TMPDIR:-/tmp}"/lab.??????; do
    [[ -O $d && -f $d/.lab-owner ]] || continue
    flock -n "$d/.lab-owner" true 2>/dev/null || continue
    rm -rf -- "$d"
    [[ $clean == no ]] || echo "removed $(shown "$d"): its lab was killed"
  done
  [[ $clean == no ]] || exit 0
  # nft, tc and ip.
  kit_sbin_path
  for tool in ip nft tc dumpcap tshark unshare flock; do
    command -v "$tool" >/dev/null || die "$tool is missing (Debian: iproute2 nftables tshark util-linux)"
  done
  [[ $tmux == no ]] || command -v tmux >/dev/null || die "--tmux needs tmux (Debian: apt-get install tmux)"
  target=${CARGO_TARGET_DIR:-$here/target}
  if [[ -z ${KIT_BIN_DIR:-} ]] && command -v client >/dev/null && command -v server-basic >/dev/null; then
    KIT_BIN_DIR=$(dirname "$(command -v client)") # the kit is on PATH, as the lessons set it up
  elif [[ -z ${KIT_BIN_DIR:-} ]]; then
    KIT_BIN_DIR=$target/release
    # Built where cargo can write target/; a student who cannot (a shared clone) uses
    # what is built there as it is.
    if command -v cargo >/dev/null && { [[ -w $target ]] || [[ ! -e $target && -w $here ]]; }; then
      (cd "$here" && cargo build --release --quiet -p client -p server-basic -p osi-trace) ||
        die "cargo build failed"
    fi
  fi
  for p in client server-basic osi-trace; do
    [[ -x $KIT_BIN_DIR/$p ]] ||
      die "no $p in $(shown "$KIT_BIN_DIR"); build the kit (cargo build --release) or give its folder: KIT_BIN_DIR=DIR scripts/lab.sh"
  done
  if [[ -n $out ]]; then
    out=${out%/}
    # A folder with an earlier run in it is never written over by accident: a rerun
    # (as a lesson's exercise asks) gets the next free DIR.N; --force reuses DIR.
    if [[ $force == no && -d $out && -n $(ls -A "$out") ]]; then
      n=2
      while [[ -e $out.$n ]]; do n=$((n + 1)); done
      echo "lab.sh: $out holds an earlier run; this one goes to $out.$n (--force: into $out, replacing its captures)" >&2
      out=$out.$n
    fi
    mkdir -p -- "$out" 2>/dev/null || die "cannot create the folder $(shown "$out"); hint: --out DIR with a folder you can write"
    out=$(cd "$out" && pwd)
  fi
  # Network, mount (for a private /run/netns) and PID namespaces: when the lab's
  # first process exits, the kernel kills every other one and frees every link.
  ns=(--net --mount --pid --fork --kill-child --mount-proc)
  [[ $(id -u) -eq 0 ]] || ns=(--user --map-root-user "${ns[@]}")
  unshare "${ns[@]}" true 2>/dev/null ||
    die "cannot create namespaces here (unprivileged user namespaces may be off, e.g. sysctl kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu)"
  if [[ -n $scenario ]]; then
    extra=$("$here/scripts/lab/scenarios.sh" --flags "$scenario") || exit 2
    read -ra extra <<<"$extra"
    args+=("${extra[@]}")
  fi
  export LAB_INSIDE=1 KIT_BIN_DIR LAB_OUT=$out LAB_FORCE=$force
  exec unshare "${ns[@]}" "$0" "${args[@]}"
fi

# --- Stage 2, inside: the three hosts ---
mount -t tmpfs lab-run /run # private: `ip netns add` keeps its handles here
if [[ -n ${LAB_OUT:-} ]]; then LAB_DIR=$LAB_OUT; else
  LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lab.XXXXXX")
  # The lock a later run's sweep tests (fd 9, held by every process of the lab); the file
  # gets its name only once locked, so no sweep can find it free in between.
  exec 9>"$LAB_DIR/.lab-lock" && flock 9 && mv "$LAB_DIR/.lab-lock" "$LAB_DIR/.lab-owner"
fi
cleanup() {
  "$here/scripts/lab/capture" stop 2>/dev/null || true
  local h
  for h in client router server; do ip netns del "$h" 2>/dev/null || true; done
  rm -f "$LAB_DIR/.tmux"
  [[ -n ${LAB_OUT:-} ]] || rm -rf "$LAB_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP

export LAB_DIR LAB_CLIENT=10.0.1.2 LAB_ROUTER1=10.0.1.1 LAB_ROUTER2=10.0.2.1 LAB_SERVER=10.0.2.2 \
  LAB_CLIENT6=fd00:1::2 LAB_ROUTER16=fd00:1::1 LAB_ROUTER26=fd00:2::1 LAB_SERVER6=fd00:2::2
export PATH="$here/scripts/lab:$KIT_BIN_DIR:$PATH"

for h in client router server; do
  ip netns add "$h"
  ip -n "$h" link set lo up
  # Quiet IPv6 links: no duplicate-address probes, no router solicitations, so a
  # capture holds what the programs cause. Neighbour discovery (the ARP of IPv6) stays.
  ip netns exec "$h" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0
done
# L3: the router forwards between its two links (a host would drop such packets).
ip netns exec router sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# Two links, each a veth pair; fixed, locally administered MACs, so lessons can name them.
ip -n client link add name eth0 address 02:00:00:00:01:02 type veth \
  peer name eth0 address 02:00:00:00:01:01 netns router
ip -n server link add name eth0 address 02:00:00:00:02:02 type veth \
  peer name eth1 address 02:00:00:00:02:01 netns router
# L1/L2 as on a wire: at most one segment per packet the kernel hands the link (no
# segmentation offload), so a capture sees frames of at most the MTU, not 64 KiB blocks.
addr() {
  ip -n "$1" link set dev "$2" gso_max_segs 1
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" -6 addr add "$4" dev "$2" nodad
  ip -n "$1" link set "$2" up
}
addr client eth0 10.0.1.2/24 fd00:1::2/64
addr router eth0 10.0.1.1/24 fd00:1::1/64
addr router eth1 10.0.2.1/24 fd00:2::1/64
addr server eth0 10.0.2.2/24 fd00:2::2/64
ip -n client route add default via 10.0.1.1
ip -n client -6 route add default via fd00:1::1
ip -n server route add default via 10.0.2.1
ip -n server -6 route add default via fd00:2::1
# A veth end has carrier once both ends are up, and the kernel applies that a moment later
# (linkwatch): until then a route says "linkdown" and a first packet may be dropped. The lab
# starts when every link is UP and no route is down.
deadline=$((SECONDS + 5))
for h in client router server; do
  until [[ $(ip -n "$h" -o link show up type veth) != *NO-CARRIER* &&
    $(ip -n "$h" route show; ip -n "$h" -6 route show) != *linkdown* ]]; do
    ((SECONDS < deadline)) || die "the links of $h did not come up within 5 s: $(ip -n "$h" -br link)"
    sleep 0.05
  done
done

# --- Impairments ---
rules=()
((loss_up == 0)) || rules+=("iifname \"eth0\" numgen random mod 100 < $loss_up drop")
((loss_down == 0)) || rules+=("iifname \"eth1\" numgen random mod 100 < $loss_down drop")
syn='iifname "eth0" tcp flags & (syn | ack) == syn'
[[ $drop_syn == no ]] || rules+=("$syn drop")
# Data: more than the IP and TCP headers with timestamps (20 + 32 bytes); no SYN.
[[ $drop_data == no ]] || rules+=('iifname "eth0" tcp flags & syn == 0 ip length > 52 drop'
  'iifname "eth0" tcp flags & syn == 0 ip6 length > 32 drop')
[[ $reject_rst == no ]] || rules+=("$syn reject with tcp reset")
[[ $reject_icmp == no ]] || rules+=("iifname \"eth0\" meta l4proto tcp reject with icmpx type host-unreachable")
if ((${#rules[@]})); then
  {
    echo 'table inet lab {'
    echo '  chain forward {'
    echo '    type filter hook forward priority 0;'
    printf '    %s\n' "${rules[@]}"
    echo '  }'
    echo '}'
  } | ip netns exec router nft -f - || die "nft could not load the router's rules"
fi
if [[ -n $rate ]]; then
  # tbf: at most $rate leaves each of the router's links; what arrives faster waits
  # in a queue of $queue bytes, and what does not fit is dropped — a bottleneck.
  for dev in eth0 eth1; do
    ip netns exec router tc qdisc add dev "$dev" root tbf rate "$rate" burst 5000 limit "$queue"
  done
fi
if [[ -n $mtu ]]; then
  ip -n router link set eth1 mtu "$mtu"
  ip -n server link set eth0 mtu "$mtu"
fi
[[ $no_arp == no ]] || ip -n server link set eth0 arp off
if [[ -n $delay ]]; then
  ip netns exec router tc qdisc add dev eth1 root netem delay "${delay}ms" 2>/dev/null ||
    die "--delay: this kernel has no netem (sch_netem), so the lab cannot add delay"
fi

# --- Stage 3: run ---
if [[ -n $scenario ]]; then
  "$here/scripts/lab/scenarios.sh" "$scenario"
elif ((${#cmd[@]})); then
  "${cmd[@]}"
elif [[ $tmux == yes ]]; then
  # shellcheck source=scripts/lab/panes.sh
  . "$here/scripts/lab/panes.sh"
  panes
else
  echo "The lab is up: client $LAB_CLIENT — router — server $LAB_SERVER. Try:"
  echo "  on server server-basic --host $LAB_SERVER &"
  echo "  on client client --host $LAB_SERVER"
  echo "Each line a program prints starts with its host (LAB_LABELS=0: no labels)."
  echo "exit (or Ctrl-D) tears it down."
  # Ctrl-C stops the program running in the lab's shell, not the lab itself
  # (a no-op handler, unlike an ignored signal, is not inherited by programs).
  trap : INT
  LAB_LABELS=${LAB_LABELS:-1} PS1='lab \w\$ ' bash --norc -i
fi
