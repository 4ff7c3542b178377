#!/usr/bin/env python3
"""The article's §3.3 in plain Python with the `selectors` module (epoll on
Linux), non-blocking sockets and a per-client output buffer: the baseline for
server-select in scripts/bench.sh."""
import argparse
import selectors
import socket

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=65432)
p.add_argument("--buffer", type=int, default=1024)
p.add_argument("--backlog", type=int, default=128)
a = p.parse_args()

sel = selectors.DefaultSelector()
out = {}


def close(conn):
    sel.unregister(conn)
    out.pop(conn, None)
    conn.close()


lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", a.port))
lsock.listen(a.backlog)
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ)
print("READY %s:%d" % lsock.getsockname(), flush=True)
while True:
    for key, mask in sel.select():
        sock = key.fileobj
        if sock is lsock:
            try:
                conn, _ = lsock.accept()
            except BlockingIOError:
                continue
            conn.setblocking(False)
            out[conn] = bytearray()
            sel.register(conn, selectors.EVENT_READ)
            continue
        try:
            if mask & selectors.EVENT_READ:
                data = sock.recv(a.buffer)
                if not data:
                    close(sock)
                    continue
                out[sock] += data
            buf = out[sock]
            if buf:
                n = sock.send(buf)
                del buf[:n]
            sel.modify(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if buf else 0))
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            close(sock)
