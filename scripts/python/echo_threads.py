#!/usr/bin/env python3
"""The article's §3.2 in plain Python, one thread per connection: the
baseline for server-threads in scripts/bench.sh."""
import argparse
import socket
import threading

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=65432)
p.add_argument("--buffer", type=int, default=1024)
p.add_argument("--backlog", type=int, default=128)
a = p.parse_args()


def serve(conn):
    with conn:
        try:
            while True:
                data = conn.recv(a.buffer)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.port))
    s.listen(a.backlog)
    print("READY %s:%d" % s.getsockname(), flush=True)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
