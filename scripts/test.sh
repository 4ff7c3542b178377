#!/usr/bin/env bash
# Runs every test of the kit on a fresh machine: installs what the tests use
# (tcpdump and tshark as oracles, shellcheck for the scripts) when it can, then
# runs the whole workspace's tests. Tests that need what is still missing, or
# capture privileges (root or CAP_NET_RAW), skip with a printed reason.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v python3 >/dev/null 2>&1 || need+=(python3)

if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test.sh: not installing ${need[*]} (needs root and apt-get); the tests that use them will skip"
  fi
fi

cargo test --workspace --locked "$@"
