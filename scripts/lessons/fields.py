#!/usr/bin/env python3
"""Prints chosen fields of `osi-trace --json` segments, one segment a line, for
the lessons (instead of a one-liner): `osi-trace --read run.pcap --json |
python3 scripts/lessons/fields.py --role data from seq ack len`."""
import argparse
import json
import sys

p = argparse.ArgumentParser()
p.add_argument("--role", help="only segments of this role (syn, data, fin, ...)")
p.add_argument("field", nargs="+", help="fields to print, e.g. role call by seq ack len")
a = p.parse_args()

for line in sys.stdin:
    s = json.loads(line)
    if s.get("type") != "segment" or (a.role and s.get("role") != a.role):
        continue
    print(*(s.get(f) for f in a.field))
