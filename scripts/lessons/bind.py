#!/usr/bin/env python3
"""Lesson 5: can a new socket bind 127.0.0.1:PORT now? --reuse sets
SO_REUSEADDR first. Prints `bound`, or the error and exits 1."""
import argparse
import socket
import sys

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("--reuse", action="store_true", help="setsockopt(SO_REUSEADDR, 1) first")
a = p.parse_args()

s = socket.socket()
if a.reuse:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", a.port))
except OSError as e:
    sys.exit(f"bind.py: error: {e}")
print("bound")
