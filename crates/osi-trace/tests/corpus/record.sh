#!/usr/bin/env bash
# Records the corpus's base captures from real runs of the kit on loopback
# (run as root, from the workspace root after `cargo build`):
#   echo-200k-s96.pcap   tcpdump -s 96 of a 200 KB echo over IPv4 (frames cut: header only)
#   echo-threads.pcap    tcpdump (whole frames) of 3 clients at once, 3 messages each
#   echo-20k.pcap        tcpdump (whole frames) of a 20 KB echo over IPv4 (big segments, for fragments)
#   echo-v6.pcap         tcpdump (whole frames) of a 20 KB echo and three short ones over IPv6
#   lossy-echo.pcap      tcpdump of a 200 KB echo in a new network namespace whose loopback has
#                        MTU 1500 and drops 5 % of TCP packets on input, after
#                        the capture point (nftables numgen): retransmissions,
#                        duplicate ACKs, SACK, segments not captured
# Every other corpus file is derived from these by make-corpus.py.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
bin=target/debug
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

# start_server HOST: starts server-threads on an ephemeral port, prints the port.
start_server() {
    "$bin/server-threads" --host "$1" --port 0 >"$tmp/server.out" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        if grep -q READY "$tmp/server.out"; then
            grep -o 'READY [^ ]*' "$tmp/server.out" | head -1 | sed 's/.*://'
            return
        fi
        sleep 0.1
    done
    echo "server did not start" >&2
    exit 1
}

# capture FILE SNAPLEN PORT: starts tcpdump and waits for its "listening on" line.
capture() {
    tcpdump -i lo -s "$2" -w "$1" -U "tcp port $3" 2>"$tmp/tcpdump.err" &
    tcpdump_pid=$!
    pids+=("$tcpdump_pid")
    for _ in $(seq 100); do
        grep -q "listening on" "$tmp/tcpdump.err" && return
        sleep 0.1
    done
    echo "tcpdump did not start" >&2
    exit 1
}

stop_capture() {
    sleep 1.5 # tcpdump hands over its last buffer on a timeout
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid" || true
}

head -c 200000 /dev/urandom >"$tmp/200k.bin"

if [ "${1:-}" = lossy ]; then
    # Inside `unshare --net` only (never the host's loopback): a loopback of our own, lossy.
    [ "${OSI_CORPUS_OWN_NETNS:-}" = 1 ] || { echo "lossy: only inside the namespace record.sh makes" >&2; exit 1; }
    ip link set lo up
    ip link set lo mtu 1500 gso_max_size 1500
    nft add table inet lossy
    # Dropped on input, after the capture point: tcpdump sees the segment, the
    # receiver does not, and the sender retransmits it (a drop on output would
    # only make the sender's own transmit fail and retry, unseen).
    nft add chain inet lossy in '{ type filter hook input priority 0; }'
    nft add rule inet lossy in meta l4proto tcp numgen random mod 100 '<' 5 counter drop
    port=$(start_server 127.0.0.1)
    capture "$out/lossy-echo.pcap" 262144 "$port"
    "$bin/client" --port "$port" --file "$tmp/200k.bin" --quiet >/dev/null
    stop_capture
    nft list chain inet lossy in | grep -o 'packets [0-9]*' | sed 's/^/dropped /' >&2
    exit 0
fi
unshare --net env OSI_CORPUS_OWN_NETNS=1 "$0" lossy
head -c 20000 /dev/urandom >"$tmp/20k.bin"

port=$(start_server 127.0.0.1)
capture "$out/echo-200k-s96.pcap" 96 "$port"
"$bin/client" --port "$port" --file "$tmp/200k.bin" --quiet >/dev/null
stop_capture

capture "$out/echo-threads.pcap" 262144 "$port"
clients=()
for _ in 1 2 3; do
    "$bin/client" --port "$port" --repeat 3 --quiet >/dev/null &
    clients+=($!)
done
wait "${clients[@]}"
stop_capture

capture "$out/echo-20k.pcap" 262144 "$port"
"$bin/client" --port "$port" --file "$tmp/20k.bin" --quiet >/dev/null
stop_capture

port6=$(start_server ::1)
capture "$out/echo-v6.pcap" 262144 "$port6"
"$bin/client" --host ::1 --port "$port6" --file "$tmp/20k.bin" --quiet >/dev/null
for _ in 1 2 3; do "$bin/client" --host ::1 --port "$port6" --quiet >/dev/null; done
stop_capture
chown "$(id -u):$(id -g)" "$out"/*.pcap
