"""Send UDP datagrams with Don't Fragment set and report what the kernel says.

df-probe.py HOST SIZE: two datagrams of SIZE bytes to HOST port 9 (discard).
The first leaves (its size fits the first link); a router with a smaller link
answers ICMP "fragmentation needed", and the kernel keeps that path MTU, so the
second send() fails with EMSGSIZE. Shows path MTU discovery without TCP.
"""

import errno
import socket
import sys
import time

IP_MTU_DISCOVER, IP_PMTUDISC_DO, IP_MTU = 10, 2, 14

host, size = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
s.connect((host, 9))
for attempt in (1, 2):
    try:
        s.send(b"x" * size)
        print(f"send {attempt}: {size} bytes of UDP left (IP packet {size + 28} bytes, DF)")
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno))
        print(f"send {attempt}: {name}: path MTU now {s.getsockopt(socket.IPPROTO_IP, IP_MTU)}")
    # The router's ICMP answer arrives within a millisecond; give it 200 ms at most.
    deadline = time.monotonic() + 0.2
    while attempt == 1 and time.monotonic() < deadline:
        if s.getsockopt(socket.IPPROTO_IP, IP_MTU) < size + 28:
            break
        time.sleep(0.01)
