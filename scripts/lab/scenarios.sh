#!/usr/bin/env bash
# The lab's ready-made runs. Each one names the impairment it needs (--flags NAME,
# read by scripts/lab.sh) and what it does inside the lab (NAME): a server on the
# server, a capture of both links, the kit's client, then the links: as osi-trace
# explains them (scripts/lab/views.sh), or, for echo and bulk, as tshark lists them.
set -euo pipefail

declare -A flags=(
  [echo]=""
  [bulk]=""
  [rto]="--drop-data"
  [loss]="--loss 10"
  [bottleneck]="--rate 2mbit"
  [refused]="--reject-rst"
  [unreachable]="--reject-icmp"
  [no-arp]="--no-arp"
  [syn-drop]="--drop-syn"
  [mtu]="--mtu 1400"
)
declare -A about=(
  [echo]="one echo two hops away: ARP on each link, MACs rewritten, TTL one lower"
  [bulk]="a 1 MiB echo two hops away, in segments of one MSS"
  [rto]="the router drops the client's data: retransmission timeouts, doubling; the client gives up after 8 s"
  [loss]="a 1 MiB echo through 10 % loss each way: retransmissions, duplicate ACKs, SACK"
  [bottleneck]="a 1 MiB echo through a 2 Mbit/s link with a bounded queue"
  [refused]="a firewall rejects the SYN with RST: connection refused"
  [unreachable]="a firewall rejects with ICMP host unreachable: no route to host"
  [no-arp]="the server answers no ARP: the router gives up after ~3 s, ICMP host unreachable"
  [syn-drop]="a firewall drops SYNs: SYN retransmissions 1 s apart (tcp_syn_linear_timeouts), ETIMEDOUT after ~7 s"
  [mtu]="link2 has MTU 1400: MSS 1360 in the server's SYN+ACK; a 1500-byte DF datagram gets ICMP frag needed"
)
order=(echo bulk rto loss bottleneck refused unreachable no-arp syn-drop mtu)

case "${1:-}" in
  --list)
    for s in "${order[@]}"; do printf '  %-12s %s\n' "$s" "${about[$s]}"; done
    exit 0
    ;;
  --flags)
    # Looked up in the list, not with [[ -v flags[NAME] ]], which would expand $(…) in NAME.
    [[ " ${order[*]} " == *" ${2:-} "* && ${2:-} != *" "* && -n ${2:-} ]] || {
      echo "lab.sh: no scenario named $(printf '%q' "${2:-}"); choose one of: ${order[*]}" >&2
      exit 2
    }
    echo "${flags[$2]}"
    exit 0
    ;;
esac
name=${1:?scenarios.sh NAME}
: "${LAB_DIR:?scenarios run inside scripts/lab.sh}"

if [[ -t 1 ]]; then bold=$'\e[1m' reset=$'\e[0m'; else bold="" reset=""; fi
show() { printf '\n%s%s%s\n' "$bold" "$*" "$reset"; }
payload=$LAB_DIR/payload
message=(--message Hello)
timeout=30
[[ $name != rto ]] || timeout=8
case "$name" in
  bulk | loss | bottleneck | mtu)
    head -c 1048576 /dev/urandom >"$payload"
    message=(--file "$payload" --quiet)
    ;;
esac

show "Lab scenario '$name': ${about[$name]}"
on server server-basic --host 0.0.0.0 --color never >"$LAB_DIR/server.log" 2>&1 &
server=$!
wait-ready "$LAB_DIR/server.log"
capture start link1 "$LAB_DIR/link1.pcap"
capture start link2 "$LAB_DIR/link2.pcap"
if [[ $name == syn-drop ]]; then
  # With the default tcp_syn_retries (6) the kernel tries for over a minute; 2 keeps
  # the run short. The first retransmissions come 1 s apart (tcp_syn_linear_timeouts).
  show "on client sysctl -w net.ipv4.tcp_syn_retries=2"
  on client sysctl -w net.ipv4.tcp_syn_retries=2
  # Both settings that shape the run: the retry count (made a time budget) and the linear start.
  on client sysctl net.ipv4.tcp_syn_linear_timeouts
fi
show "on client client --host $LAB_SERVER ${message[*]}"
started=$EPOCHREALTIME
# The scenario ends with the client's exit status: non-zero where the network says no.
status=0
if [[ $name == bottleneck ]]; then
  # The round trip while the queues are full: a ping every half second during the echo
  # (its echo request waits in the router's queues behind the echo's data).
  show "on client icmp-probe.py echo $LAB_SERVER   (twice before, then every 0.5 s during the echo)"
  for _ in 1 2; do on client icmp-probe.py echo "$LAB_SERVER" || true; done
  on client client --host "$LAB_SERVER" --timeout "$timeout" --color never "${message[@]}" &
  client=$!
  while kill -0 "$client" 2>/dev/null; do
    sleep 0.5
    kill -0 "$client" 2>/dev/null && { on client icmp-probe.py echo "$LAB_SERVER" || true; }
  done
  wait "$client" || status=$?
else
  on client client --host "$LAB_SERVER" --timeout "$timeout" --color never "${message[@]}" || status=$?
fi
awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "(client done after %.1f s)\n", b - a }'
if [[ $name == mtu ]]; then
  # A UDP datagram of 1500 bytes with DF set: the router cannot forward it onto the
  # 1400-byte link and answers ICMP "fragmentation needed, next-hop MTU 1400"; the
  # client's kernel remembers that path MTU, so the second send fails with EMSGSIZE.
  show "on client: a 1472-byte UDP datagram to the server, Don't Fragment, twice"
  on client python3 "$(dirname "$0")/df-probe.py" "$LAB_SERVER" 1472
fi
if [[ $name == rto ]]; then
  show "on client nstat -az TcpExtTCPLossProbes TcpExtTCPTimeouts   (the client kernel's counters)"
  on client nstat -az TcpExtTCPLossProbes TcpExtTCPTimeouts | tail -n +2
fi
if [[ $name == bottleneck ]]; then
  show "on router tc -s qdisc show dev eth1   (the queue toward the server)"
  on router tc -s qdisc show dev eth1
fi
# The captures end when the server's end of the connection is gone: where a FIN or the
# last ACK was lost, its resend comes a retransmission timeout later (at most 10 s).
deadline=$((SECONDS + 10))
while [[ -n $(on server ss -Htn) ]]; do
  if ((SECONDS >= deadline)); then
    echo "(the server's end of the connection is still open after 10 s: the captures stop here)"
    break
  fi
  sleep 0.1
done
capture stop
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
case "$name" in
  echo | bulk)
    # The hop view: each datagram seen on both links once, link1's copy beside link2's
    # (MACs rewritten, TTL one lower, TCP unchanged), ARP in its place with the reason it
    # stays on its link. A bulk echo has ~1500 datagrams: its first rows and the counts.
    show "osi-trace --read link1.pcap --hop link2.pcap   (the router's two links side by side)"
    view=(--color never)
    [[ ! -t 1 ]] || view=(--color always --width "$(tput cols 2>/dev/null || echo 80)")
    (cd "$LAB_DIR" && osi-trace --read link1.pcap --hop link2.pcap "${view[@]}") >"$LAB_DIR/hop.txt"
    if [[ $name == bulk ]]; then
      # The first rows, whole: up to the first row that starts past line 40.
      awk 'NR > 40 && /^ *[0-9]+\.[0-9]+ / { exit } { print }' "$LAB_DIR/hop.txt"
      echo "…"
      awk '/^$/ { tail = 1 } tail' "$LAB_DIR/hop.txt"
    else
      cat "$LAB_DIR/hop.txt"
    fi
    ;;
  *)
    # The links as osi-trace explains them: the part that shows what went wrong, and why.
    # shellcheck source=scripts/lab/views.sh
    . "$(dirname "$0")/views.sh"
    view "$name"
    ;;
esac
# The run as a page for the browser (the trace explorer, osi-trace --html): the client's
# link, each segment with the line of the programs that ran which caused it.
pages=("$LAB_DIR/$name.html")
osi-trace --read "$LAB_DIR/link1.pcap" --html "${pages[0]}" --programs server-basic,client --quiet --force
if [[ $name == echo || $name == bulk ]]; then
  pages+=("$LAB_DIR/$name-hop.html")
  osi-trace --read "$LAB_DIR/link1.pcap" --hop "$LAB_DIR/link2.pcap" --html "${pages[1]}" --quiet --force
fi
show "In a browser: ${pages[*]}"
[[ -n ${LAB_OUT:-} ]] || echo "(this folder is removed when the lab ends: --out DIR keeps it)"
exit "$status"
