#!/usr/bin/env python3
"""Lesson 4: is the SYN's window scale (read from `osi-trace --layers` on stdin)
the one Linux computes from the largest receive buffer a socket may grow to?
The smallest shift that lets the 16-bit window reach max(tcp_rmem[2], rmem_max)."""
import re
import sys

found = re.search(r"window scale (\d+)", sys.stdin.read())
if not found:
    sys.exit("window_scale.py: no `window scale N` on stdin (pipe `osi-trace --layers` into it)")
syn = int(found[1])
with open("/proc/sys/net/ipv4/tcp_rmem") as f:
    rmem = int(f.read().split()[2])
with open("/proc/sys/net/core/rmem_max") as f:
    space = max(rmem, int(f.read()))
verdict = "as computed from tcp_rmem" if syn == min(14, space.bit_length() - 16) else "NOT as computed"
print("window scale", syn, "in the SYN;", verdict)
