#!/usr/bin/env bash
# Records the lab's reference captures into this folder (each run's command is
# below, and in README.md). Run from anywhere; uses the workspace's debug binaries.
#   crates/lab/tests/captures/record.sh [NAME…]   (all, or only these, e.g. rto)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
(cd "$root" && cargo build --quiet --bin client --bin server-basic)
export KIT_BIN_DIR=$root/target/debug
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Script text for the lab's bash: $LAB_DIR expands in there, not here.
# shellcheck disable=SC2016
serve='on server server-basic --host :: -q >"$LAB_DIR/s.log" 2>&1 & wait-ready "$LAB_DIR/s.log"'
# shellcheck disable=SC2016
both='capture start link1 "$LAB_DIR/link1.pcap"; capture start link2 "$LAB_DIR/link2.pcap"'
client='on client client -q --timeout 30 --host'

# record NAME LINKS FLAGS… -- SCRIPT: one lab run; keeps NAME-link1.pcap (and link2).
only=("$@")
record() {
  local name=$1 links=$2 flags=()
  [[ ${#only[@]} -eq 0 || " ${only[*]} " == *" $name "* ]] || return 0
  shift 2
  while [[ $1 != -- ]]; do flags+=("$1") && shift; done
  rm -rf "${work:?}/$name"
  "$root/scripts/lab.sh" --out "$work/$name" "${flags[@]}" -- bash -c "$2; capture stop" >/dev/null 2>&1 || true
  for link in $links; do cp "$work/$name/$link.pcap" "$here/$name-$link.pcap"; done
}

record echo "link1 link2" -- "$serve; $both; $client \$LAB_SERVER"
record echo6 "link1 link2" -- "$serve; $both; $client \$LAB_SERVER6"
record icmp link1 --reject-icmp --mtu 1400 -- "$both; on client icmp-probe.py echo \$LAB_SERVER; \
  on client icmp-probe.py ttl1 \$LAB_SERVER; on client df-probe.py \$LAB_SERVER 1472; $client \$LAB_SERVER"
record icmp6 link1 --reject-icmp --mtu 1280 -- "$both; on client icmp-probe.py echo \$LAB_SERVER6; \
  on client icmp-probe.py ttl1 \$LAB_SERVER6; on client df-probe.py \$LAB_SERVER6 1400; $client \$LAB_SERVER6"
record refused link1 --reject-rst -- "$serve; $both; $client \$LAB_SERVER"
record no-arp "link1 link2" --no-arp -- "$serve; $both; $client \$LAB_SERVER"
record syn-drop link1 --drop-syn -- "on client sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 \
  net.ipv4.tcp_syn_retries=2; $serve; $both; $client \$LAB_SERVER"
record loss link1 --loss 10 -- "$serve; $both; head -c 32768 /dev/urandom >\"\$LAB_DIR/p\"; \
  $client \$LAB_SERVER --file \"\$LAB_DIR/p\""
record rto link1 --drop-data -- "$serve; $both; on client client -q --timeout 8 --host \$LAB_SERVER"
ls -l "$here"/*.pcap
