#!/usr/bin/env python3
"""The article's §3.1 sequential echo server, in plain Python: the baseline
for server-loop in scripts/bench.sh. --once serves one client and exits (§2.1,
the twin of server-basic)."""
import argparse
import socket

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=65432)
p.add_argument("--buffer", type=int, default=1024)
p.add_argument("--backlog", type=int, default=128)
p.add_argument("--once", action="store_true")
a = p.parse_args()

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.port))
    s.listen(a.backlog)
    print("READY %s:%d" % s.getsockname(), flush=True)
    while True:
        conn, addr = s.accept()
        with conn:
            try:
                while True:
                    data = conn.recv(a.buffer)
                    if not data:
                        break
                    conn.sendall(data)
            except OSError:
                pass
        if a.once:
            break
