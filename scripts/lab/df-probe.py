#!/usr/bin/env python3
"""Send UDP datagrams with Don't Fragment set and report what the kernel says.

df-probe.py HOST SIZE: two datagrams of SIZE bytes to HOST port 9 (discard),
IPv4 or IPv6. The first leaves (its size fits the first link); a router with a
smaller link answers ICMP "fragmentation needed" (ICMPv6 "packet too big"), and
the kernel keeps that path MTU, so the second send() fails with EMSGSIZE.
Path MTU discovery, without TCP.
"""

import errno
import socket
import sys
import time

host, size = sys.argv[1], int(sys.argv[2])
if ":" in host:
    # IPV6_MTU_DISCOVER = IPV6_PMTUDISC_DO; IPV6_MTU reads the path MTU. 40 + 8 bytes of headers.
    family, level, discover, do, mtu_opt, headers = socket.AF_INET6, socket.IPPROTO_IPV6, 23, 2, 24, 48
else:
    # IP_MTU_DISCOVER = IP_PMTUDISC_DO sets DF; IP_MTU reads the path MTU. 20 + 8 bytes.
    family, level, discover, do, mtu_opt, headers = socket.AF_INET, socket.IPPROTO_IP, 10, 2, 14, 28
s = socket.socket(family, socket.SOCK_DGRAM)
s.setsockopt(level, discover, do)
s.connect((host, 9))
for attempt in (1, 2):
    try:
        s.send(b"x" * size)
        print(f"send {attempt}: {size} bytes of UDP left (IP packet {size + headers} bytes, DF)")
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno))
        print(f"send {attempt}: {name}: path MTU now {s.getsockopt(level, mtu_opt)}")
    # The router's ICMP answer arrives within a millisecond; wait 200 ms at most.
    deadline = time.monotonic() + 0.2
    while attempt == 1 and time.monotonic() < deadline:
        if s.getsockopt(level, mtu_opt) < size + headers:
            break
        time.sleep(0.01)
