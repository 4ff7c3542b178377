#!/usr/bin/env python3
"""Lesson 9: connect to 127.0.0.1:PORT and make two send() calls, b"Hello" then
b"World"; TCP_NODELAY puts each on the wire at once, in a segment of its own."""
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.send(b"Hello")
s.send(b"World")
s.close()
