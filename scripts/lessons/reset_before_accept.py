#!/usr/bin/env python3
"""Lesson 8: a client connects to a listener on 127.0.0.1:PORT and resets
(SO_LINGER 0) before the listener calls accept(). What do accept() and the
first recv() on that connection do?"""
import socket
import struct
import sys
import time

port = int(sys.argv[1])
s = socket.socket()
s.bind(("127.0.0.1", port))
s.listen()
c = socket.create_connection(("127.0.0.1", port))
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()  # RST, while the connection waits in the accept queue
time.sleep(0.2)
conn, peer = s.accept()
print("accept() returned a connection", flush=True)
try:
    conn.recv(10)
except ConnectionResetError as e:
    print("recv():", type(e).__name__, e)
