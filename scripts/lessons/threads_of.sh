#!/usr/bin/env bash
# Lesson 7: how many threads (kernel tasks) the server listening on PORT has now.
# It finds the server by its port (`ss -p`: its listening socket, or after
# --connections N its connected ones), not by its name: a classmate's
# server-threads on another port is not counted.
set -euo pipefail
port=${1:?usage: threads_of.sh PORT}
pid=$(ss -Htanp "sport = :$port" | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
if [[ -z $pid ]]; then
    echo "threads_of.sh: error: no process has a socket on port $port" >&2
    exit 1
fi
find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l
