#!/usr/bin/env python3
"""Lesson 13: a client of 127.0.0.1:PORT that connects and sends nothing, and
says after how long the server closed it (--idle-timeout) and what recv() gave."""
import socket
import sys
import time

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t = time.monotonic()
print("READY silent client", flush=True)
r = s.recv(1)
print("the server closed it after %.1f s: recv() returned %r" % (time.monotonic() - t, r))
