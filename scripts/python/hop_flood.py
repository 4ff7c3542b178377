#!/usr/bin/env python3
"""Writes the two captures of a router that forwarded N SYNs, one per
connection (a SYN flood, a port scan): LINK1 holds each SYN on its way in
(client MAC to the router's, TTL 64), LINK2 its copy on the way out (the
router's MAC to the server's, TTL 63), 20 µs later, as scripts/lab.sh's
captures look. scripts/bench-hop.sh times `osi-trace --hop` on them.

    hop_flood.py N LINK1.pcap LINK2.pcap"""
import struct
import sys


def checksum(data):
    """The Internet checksum (RFC 1071) of bytes of even length."""
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    if len(sys.argv) != 4 or not sys.argv[1].isdigit():
        sys.exit("usage: hop_flood.py N LINK1.pcap LINK2.pcap")
    n = int(sys.argv[1])
    client_mac, router1 = bytes.fromhex("020000000102"), bytes.fromhex("020000000101")
    router2, server_mac = bytes.fromhex("020000000201"), bytes.fromhex("020000000202")
    server = bytes([10, 0, 2, 2])
    # pcap, microseconds, snap length 65535, Ethernet.
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    start = 1_700_000_000_000_000
    with open(sys.argv[2], "wb") as one, open(sys.argv[3], "wb") as two:
        one.write(head)
        two.write(head)
        for i in range(n):
            # Each connection from its own address and port, to 10.0.2.2:65432.
            src = bytes([10, 1 + (i >> 16) % 200, (i >> 8) & 0xFF, i & 0xFF])
            port = 1024 + (i * 7919) % 60000
            isn = (i * 2654435761) & 0xFFFFFFFF
            # SYN with one option (MSS 1460).
            tcp = struct.pack("!HHIIBBHHH", port, 65432, isn, 0, 6 << 4, 0x02, 64240, 0, 0) + bytes(
                [2, 4, 0x05, 0xB4]
            )
            pseudo = src + server + struct.pack("!BBH", 0, 6, len(tcp))
            tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
            for out, macs, ttl, delay in ((one, router1 + client_mac, 64, 0), (two, server_mac + router2, 63, 20)):
                ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0x4000, ttl, 6, 0) + src + server
                ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
                frame = macs + b"\x08\x00" + ip + tcp
                t = start + i * 10 + delay
                out.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)) + frame)


main()
