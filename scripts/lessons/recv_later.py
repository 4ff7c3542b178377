#!/usr/bin/env python3
"""Lesson 9: a receiver on 127.0.0.1:PORT that accepts one connection, waits
half a second, then calls recv(1024) once and prints what it returned."""
import socket
import sys
import time

s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("READY", flush=True)
c, _ = s.accept()
time.sleep(0.5)
print("one recv(1024) returned", c.recv(1024))
