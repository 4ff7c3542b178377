#!/usr/bin/env python3
"""Lesson 9: the article's client pattern with a bigger message: sendall()
COUNT bytes to the echo server on 127.0.0.1:PORT, then one recv(1024), as the
article's `data = client_socket.recv(1024)` does."""
import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"x" * count)
data = s.recv(1024)
print(f"sent {count} bytes, one recv(1024) returned", len(data))
