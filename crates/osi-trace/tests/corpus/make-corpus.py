#!/usr/bin/env python3
"""Derives the corpus's encapsulated, fragmented and re-linked captures from the
base captures record.sh records (real kit runs on loopback). Plain Python, no
scapy: each header is built here byte by byte, with correct lengths and
checksums, so tshark and osi-trace can be compared on them.

Run from this directory: python3 make-corpus.py"""

import os
import struct
import subprocess
import zlib

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def read_pcap(path):
    """(ts_sec, ts_usec, data, orig_len) records of a little-endian µs pcap."""
    with open(path, "rb") as f:
        b = f.read()
    assert b[:4] == bytes.fromhex("d4c3b2a1"), path
    out, at = [], 24
    while at + 16 <= len(b):
        sec, usec, incl, orig = struct.unpack_from("<IIII", b, at)
        out.append((sec, usec, b[at + 16 : at + 16 + incl], orig))
        at += 16 + incl
    return out


def write_pcap(path, link, recs, big=False, nanos=False, snaplen=262144):
    e = ">" if big else "<"
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, link))
        for sec, usec, data, orig in recs:
            frac = usec * 1000 if nanos else usec
            f.write(struct.pack(e + "IIII", sec, frac, len(data), orig))
            f.write(data)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload_len, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", ident=1, frag=0x4000):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, frag, 63, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:]


def ipv6(next_header, payload_len):
    src = bytes.fromhex("20010db8000000000000000000000001")
    dst = bytes.fromhex("20010db8000000000000000000000002")
    return struct.pack("!IHBB", 0x60000000, payload_len, next_header, 63) + src + dst


def eth(ethertype, src=MAC_A, dst=MAC_B):
    return dst + src + struct.pack("!H", ethertype)


def ip_of(rec):
    """The IP packet of a loopback Ethernet frame: (captured bytes, length on the wire)."""
    sec, usec, data, orig = rec
    return data[14:], orig - 14


def wrap(recs, head_fn, tail=b""):
    """Each frame's IP packet behind the headers head_fn(wire_len) builds."""
    out = []
    for rec in recs:
        ip, wire = ip_of(rec)
        head = head_fn(wire)
        whole = len(ip) == wire
        out.append((rec[0], rec[1], head + ip + (tail if whole else b""), len(head) + wire + len(tail)))
    return out


def udp(sport, dport, payload_len):
    return struct.pack("!HHHH", sport, dport, 8 + payload_len, 0)


def tcp_flags12(recs):
    """echo-threads with bits past the eight classic TCP flags (Wireshark's 12-bit tcp.flags):
    each client SYN sets AE, CWR and ECE, as a client asking for Accurate ECN does, and every
    fourth other segment carries the reserved bit 0x800. The TCP checksum is made again."""
    out = []
    for i, (sec, usec, data, orig) in enumerate(recs):
        b = bytearray(data)
        ihl = (b[14] & 0x0F) * 4
        t = 14 + ihl
        flags = ((b[t + 12] & 0x0F) << 8) | b[t + 13]
        if flags == 0x02:
            flags |= 0x100 | 0x80 | 0x40  # AE, CWR, ECE
        elif i % 4 == 0:
            flags |= 0x800
        b[t + 12] = (b[t + 12] & 0xF0) | (flags >> 8)
        b[t + 13] = flags & 0xFF
        b[t + 16 : t + 18] = b"\0\0"
        seg = bytes(b[t:])
        pseudo = bytes(b[14 + 12 : 14 + 20]) + struct.pack("!BBH", 0, 6, len(seg))
        b[t + 16 : t + 18] = struct.pack("!H", checksum(pseudo + seg))
        out.append((sec, usec, bytes(b), orig))
    return out


def main():
    v4 = read_pcap("echo-threads.pcap")
    big = read_pcap("echo-20k.pcap")
    v6 = read_pcap("echo-v6.pcap")
    ETH = 1

    # L2 shims: QinQ (802.1ad outer, 802.1Q inner), PPPoE session, an MPLS stack.
    write_pcap("qinq.pcap", ETH, wrap(v4, lambda n: eth(0x88A8) + bytes.fromhex("2064 8100 00c8 0800"))),
    write_pcap("pppoe.pcap", ETH, wrap(v4, lambda n: eth(0x8864) + struct.pack("!BBHHH", 0x11, 0, 0x2A, n + 2, 0x21)))
    write_pcap("mpls.pcap", ETH, wrap(v4, lambda n: eth(0x8847) + bytes.fromhex("00010040 0001113f")))

    # Tunnels: GRE, GRE with a key carrying Ethernet (on raw IP), IP-in-IP (DLT_RAW 12), 6in4.
    write_pcap("gre.pcap", ETH, wrap(v4, lambda n: eth(0x0800) + ipv4(47, 4 + n) + bytes.fromhex("00000800")))
    write_pcap(
        "gre-teb-key.pcap",
        101,
        wrap(v4, lambda n: ipv4(47, 8 + 14 + n) + bytes.fromhex("20006558 0000002a") + eth(0x0800)),
    )
    write_pcap("ipip-dlt12.pcap", 12, wrap(v4, lambda n: ipv4(4, n)))
    write_pcap("6in4.pcap", ETH, wrap(v6, lambda n: eth(0x0800) + ipv4(41, n)))
    vx = lambda n: eth(0x0800) + ipv4(17, 8 + 8 + 14 + n) + udp(49152, 4789, 8 + 14 + n) + bytes.fromhex("08000000 00002a00") + eth(0x0800, MAC_B, MAC_A)
    write_pcap("vxlan.pcap", ETH, wrap(v4, vx))
    gv = lambda n: eth(0x86DD) + ipv6(17, 8 + 12 + 14 + n) + udp(49152, 6081, 12 + 14 + n) + bytes.fromhex("01006558 00000700 01020304") + eth(0x0800, MAC_B, MAC_A)
    write_pcap("geneve-v6.pcap", ETH, wrap(v4, gv))

    # Other link types: PPP (9), Linux cooked v1 (113) and v2 (276), Ethernet with a 4-byte FCS
    # signalled in the link type's FCS-length bits, big-endian nanosecond pcap.
    write_pcap("ppp.pcap", 9, wrap(v4, lambda n: bytes.fromhex("ff030021")))
    write_pcap("sll.pcap", 113, wrap(v4, lambda n: struct.pack("!HHH8sH", 4, 772, 6, b"\0" * 8, 0x0800)))
    write_pcap("sll2.pcap", 276, wrap(v4, lambda n: struct.pack("!HHIHBB8s", 0x0800, 0, 1, 772, 4, 6, b"\0" * 8)))
    fcs = []
    for sec, usec, data, orig in v4:
        fcs.append((sec, usec, data + struct.pack("<I", zlib.crc32(data)), orig + 4))
    write_pcap("fcs4-ethernet.pcap", 0x24000001, fcs)
    write_pcap("nanos-big-endian.pcap", ETH, v4, big=True, nanos=True)

    # IPv6 extension headers: hop-by-hop (Router Alert), destination options, routing
    # (type 0, no segments left), an atomic fragment header, then TCP.
    def v6ext(rec):
        sec, usec, data, orig = rec
        ip = data[14:]
        nh = ip[6]
        ext = bytes([60, 0, 5, 2, 0, 0, 1, 0]) + bytes([43, 0, 1, 4, 0, 0, 0, 0])
        ext += bytes([44, 0, 0, 0, 0, 0, 0, 0]) + bytes([nh, 0, 0, 0, 0, 0, 0, 9])
        plen = struct.unpack("!H", ip[4:6])[0] + len(ext)
        new = ip[:4] + struct.pack("!HB", plen, 0) + ip[7:40] + ext + ip[40:]
        return (sec, usec, data[:14] + new, orig + len(ext))

    write_pcap("ipv6-ext.pcap", ETH, [v6ext(r) for r in v6])

    # IPv4 fragments (DF cleared, 1480-byte pieces; every third datagram's pieces last-first),
    # and IPv6 Fragment headers (1232-byte pieces).
    out, k = [], 0
    for sec, usec, data, orig in big:
        ip = data[14:]
        if len(ip) <= 1500:
            out.append((sec, usec, data, orig))
            continue
        k += 1
        hl, payload, ident = 20, ip[20:], struct.unpack("!H", ip[4:6])[0]
        pieces = []
        for off in range(0, len(payload), 1480):
            chunk = payload[off : off + 1480]
            more = off + 1480 < len(payload)
            h = ipv4(ip[9], len(chunk), ip[12:16], ip[16:20], ident, (0x2000 if more else 0) | off // 8)
            pieces.append(eth(0x0800, b"\0" * 6, b"\0" * 6) + h + chunk)
        if k % 3 == 0:
            pieces.reverse()
        for i, p in enumerate(pieces):
            out.append((sec, usec + i, p, len(p)))
    write_pcap("ipv4-fragments.pcap", ETH, out)
    out = []
    for sec, usec, data, orig in v6:
        ip = data[14:]
        if len(ip) <= 1280:
            out.append((sec, usec, data, orig))
            continue
        payload, nh = ip[40:], ip[6]
        for off in range(0, len(payload), 1232):
            chunk = payload[off : off + 1232]
            more = off + 1232 < len(payload)
            frag = struct.pack("!BBHI", nh, 0, off | int(more), 0x1000 + usec)
            p = ip[:4] + struct.pack("!HB", 8 + len(chunk), 44) + ip[7:40] + frag + chunk
            out.append((sec, usec + off // 1232, data[:14] + p, 14 + len(p)))
    write_pcap("ipv6-fragments.pcap", ETH, out)

    # IPv4 total length 0, as captured before TSO/GRO cut a segment (the frame says how long).
    tso = []
    for sec, usec, data, orig in big:
        ip = bytearray(data[14:])
        if len(ip) > 1500:
            ip[2:4] = b"\0\0"
            ip[10:12] = b"\0\0"
            ip[10:12] = struct.pack("!H", checksum(bytes(ip[:20])))
        tso.append((sec, usec, data[:14] + bytes(ip), orig))
    write_pcap("tso-length-0.pcap", ETH, tso)

    # The lossy run (retransmissions, duplicate ACKs, out-of-order) inside VXLAN and QinQ:
    # the analysis must not care what carried the segments.
    lossy = read_pcap("lossy-echo.pcap")
    write_pcap("lossy-in-vxlan.pcap", ETH, wrap(lossy, vx))
    write_pcap("lossy-in-qinq-sll2.pcap", 276, wrap(lossy, lambda n: struct.pack("!HHIHBB8s", 0x88A8, 0, 1, 1, 4, 6, b"\0" * 8) + bytes.fromhex("2064 8100 00c8 0800")))

    # Odd headers and records that tcpdump and tshark read whole: a header snap length of 0;
    # a header snap length (64) below the records' lengths; fractions of a second of 10^6 µs
    # or more (every 5th record: one second less, 10^6 µs more, the same instant); a captured
    # length above the wire length (every 7th record: the wire length 4 short).
    write_pcap("snaplen-0.pcap", ETH, v4, snaplen=0)
    write_pcap("records-over-snaplen.pcap", ETH, v4, snaplen=64)
    odd = []
    for i, (sec, usec, data, orig) in enumerate(v4):
        if i % 5 == 0:
            sec, usec = sec - 1, usec + 1000000
        if i % 7 == 0:
            orig -= 4
        odd.append((sec, usec, data, orig))
    write_pcap("usec-overflow-incl-over-orig.pcap", ETH, odd)

    # Flag bits past the classic eight: AE (AccECN's SYN) and a reserved bit.
    write_pcap("tcp-flags12.pcap", ETH, tcp_flags12(v4))

    # pcapng, as Wireshark's tools write it: a plain conversion; a capture cut to 80 bytes;
    # and a mix of three interfaces of three link types (raw IP, Ethernet, and USER0, which
    # osi-trace does not decode: those frames are skipped with a reason, the rest is read).
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("editcap", "-F", "pcapng", "echo-threads.pcap", "echo-threads.pcapng")
    run("editcap", "-F", "pcapng", "-s", "80", "echo-v6.pcap", "echo-v6-s80.pcapng")
    write_pcap("user0.tmp", 147, [(r[0], r[1] + 1, b"\x01\x02\x03\x04", 4) for r in v4[:5]])
    run("editcap", "-t", "1000", "gre-teb-key.pcap", "later.tmp")
    run("mergecap", "-F", "pcapng", "-w", "mixed-links.pcapng", "later.tmp", "echo-v6.pcap", "user0.tmp")
    os.remove("user0.tmp")
    os.remove("later.tmp")


if __name__ == "__main__":
    main()
