#!/usr/bin/env python3
"""An echo server that answers only whole messages: it reads --whole N bytes
before it sends them back, as a request/response server reads a whole request
before it answers. Lesson 10 runs `client --split` against it (Nagle meets
delayed ACK). --quickack ACKs each piece at once; --once serves one client."""
import argparse
import socket

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=65432)
p.add_argument("--whole", type=int, default=5, help="bytes in one message")
p.add_argument("--quickack", action="store_true", help="TCP_QUICKACK after each recv")
p.add_argument("--once", action="store_true")
a = p.parse_args()
if a.whole < 1:
    p.error("--whole must be at least 1 byte")

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.port))
    s.listen(128)
    print("READY %s:%d" % s.getsockname(), flush=True)
    while True:
        conn, addr = s.accept()
        with conn:
            try:
                while True:
                    # L7: no answer until the message is whole; the kernel ACKs
                    # a piece on its own, when its delayed-ACK timer says so.
                    msg = b""
                    while len(msg) < a.whole:
                        data = conn.recv(a.whole - len(msg))
                        if not data:
                            break
                        msg += data
                        if a.quickack:
                            # L4: send the ACK the kernel is holding back, now.
                            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                    if len(msg) < a.whole:
                        break
                    conn.sendall(msg)
            except OSError:
                pass
        if a.once:
            break
