#!/usr/bin/env python3
"""Lessons 8 and 9: connect to 127.0.0.1:PORT, sendall() COUNT bytes of b"x",
close. --rcvbuf makes its own receive buffer small; --timeout bounds the send
(a flooder that nobody reads gives up, as planned, with a TimeoutError)."""
import argparse
import socket

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("count", type=int)
p.add_argument("--rcvbuf", type=int, help="SO_RCVBUF before connect()")
p.add_argument("--timeout", type=float, help="give up after this many seconds")
a = p.parse_args()

s = socket.socket()
if a.rcvbuf:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
s.connect(("127.0.0.1", a.port))
s.settimeout(a.timeout)
s.sendall(b"x" * a.count)
s.close()
