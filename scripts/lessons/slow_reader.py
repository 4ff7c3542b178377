#!/usr/bin/env python3
"""Lesson 8: a receiver on 127.0.0.1:PORT that accepts one connection, sleeps
a second before reading (its window closes), then reads everything."""
import socket
import sys
import time

s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("READY", flush=True)
c, _ = s.accept()
time.sleep(1)
print("read", len(b"".join(iter(lambda: c.recv(65536), b""))), "bytes")
