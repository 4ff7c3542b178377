#!/usr/bin/env bash
# Lesson 17, run inside the lab (`scripts/lab.sh --drop-syn -- bash THIS`): the
# client connects through a router that drops SYNs, with exponential SYN
# timeouts and 3 retries; prints when each SYN left (seconds into the capture).
# Exits with the client's status (it fails: no SYN+ACK ever comes).
set -u
on client sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 net.ipv4.tcp_syn_retries=3
capture start link1 "$LAB_DIR/link1.pcap"
on client client --host "$LAB_SERVER" --timeout 60 --quiet
status=$?
capture stop
tshark -r "$LAB_DIR/link1.pcap" -Y "tcp.flags.syn == 1" -T fields -e frame.time_relative 2>/dev/null
exit "$status"
