#!/usr/bin/env python3
"""Opens N connections to 127.0.0.1:PORT at once and keeps them while it runs
(lessons 8 and 13: select()'s FD_SETSIZE wall, slowloris). --hold SECS keeps
them open that long after a `READY` line; --wait-close waits for the server to
close each one (recv() returns b"") and counts them."""
import argparse
import socket
import time

p = argparse.ArgumentParser()
p.add_argument("port", type=int)
p.add_argument("count", type=int)
p.add_argument("--hold", type=float, default=0, help="seconds to keep them open after READY")
p.add_argument("--wait-close", action="store_true", help="count those the server closes")
p.add_argument("--echo-last", action="store_true", help="send b'x' on the last one, read its echo")
a = p.parse_args()

c = [socket.create_connection(("127.0.0.1", a.port)) for _ in range(a.count)]
if a.echo_last:
    c[-1].sendall(b"x")
    c[-1].settimeout(10)
    print(len(c), "connections; the last one echoed", c[-1].recv(1))
elif a.wait_close:
    for s in c:
        s.settimeout(30)
    print(sum(s.recv(1) == b"" for s in c), "silent connections closed by the server")
else:
    made = f"{len(c)} connections made"
    print(f"READY {made}" if a.hold else made, flush=True)
    time.sleep(a.hold)
