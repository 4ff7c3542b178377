#!/usr/bin/env python3
"""Lesson 11: connect to 127.0.0.1:PORT, say READY once connect() returned,
and hold the connection (sending nothing) for SECS seconds."""
import socket
import sys
import time

c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("READY: connect() returned", flush=True)
time.sleep(float(sys.argv[2]))
