#!/usr/bin/env python3
"""Lesson 5: a listener on 127.0.0.1:PORT accepts one connection and closes its
side first, so the *server's* port is left in TIME_WAIT for 60 s (Linux).
--reuse sets SO_REUSEADDR on the listener first, as the kit's servers do."""
import argparse
import socket

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("--reuse", action="store_true", help="setsockopt(SO_REUSEADDR, 1) first")
a = p.parse_args()

s = socket.socket()
if a.reuse:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", a.port))
s.listen()
c = socket.create_connection(("127.0.0.1", a.port))
conn, _ = s.accept()
conn.close()  # the server side sends the first FIN: it will wait in TIME_WAIT
c.close()
s.close()
print("the server side closed first")
