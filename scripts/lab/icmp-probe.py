#!/usr/bin/env python3
"""Make the lab's routers and hosts speak ICMP / ICMPv6, for captures and lessons.

icmp-probe.py echo HOST   one echo request (ping) and its reply, IPv4 or IPv6
icmp-probe.py ttl1 HOST   a UDP datagram with TTL (hop limit) 1: the first router
                          answers "time exceeded" instead of forwarding it
Needs CAP_NET_RAW for `echo` (root in the lab's namespaces has it).
"""

import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) that ICMPv4 carries; ICMPv6's the kernel fills."""
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo(host: str) -> None:
    v6 = ":" in host
    family = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    request, reply = (128, 129) if v6 else (8, 0)
    s = socket.socket(family, socket.SOCK_RAW, proto)
    body = struct.pack("!HH", 0x4C41, 1) + b"osi-socket-kit lab"
    head = struct.pack("!BBH", request, 0, 0)
    packet = head + body if v6 else struct.pack("!BBH", request, 0, checksum(head + body)) + body
    started = time.monotonic()
    s.sendto(packet, (host, 0))
    deadline = started + 2
    while (left := deadline - time.monotonic()) > 0:
        # Each wait only as long as the deadline leaves; a ping the network dropped
        # (a full queue, a firewall) ends here, in the one line below.
        s.settimeout(left)
        try:
            data, _ = s.recvfrom(2048)
        except TimeoutError:
            break
        icmp = data if v6 else data[(data[0] & 0x0F) * 4 :]  # raw IPv4 sockets include the IP header
        if icmp[0] == reply and icmp[4:6] == body[:2]:
            print(f"echo reply from {host} in {(time.monotonic() - started) * 1000:.2f} ms")
            return
    sys.exit(f"icmp-probe: no echo reply from {host} within 2 s")


def ttl1(host: str) -> None:
    v6 = ":" in host
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
    s.sendto(b"hop limit 1", (host, 33434))
    print(f"sent a UDP datagram to {host} with {'hop limit' if v6 else 'TTL'} 1")


if len(sys.argv) != 3 or sys.argv[1] not in ("echo", "ttl1"):
    sys.exit("usage: icmp-probe.py echo|ttl1 HOST")
{"echo": echo, "ttl1": ttl1}[sys.argv[1]](sys.argv[2])
