#!/usr/bin/env python3
"""Reads `osi-trace --json` on stdin, from a run of `client --split N`, and says
how long each message's second piece left after its first: the time Nagle's
algorithm held it back. Lesson 10 uses it to grade its traces."""
import json
import statistics
import sys

pieces = []
for n, line in enumerate(sys.stdin, 1):
    try:
        s = json.loads(line) if line.strip() else {}
        # Each round of `--split` is two client data segments: the first piece, then the rest.
        if s.get("type") == "segment" and s["from"] == "client" and s["len"] > 0:
            pieces.append(s)
    except (ValueError, KeyError, AttributeError):
        sys.exit("error: line %d is not osi-trace JSON (pipe in `osi-trace --read FILE --json`)" % n)
if len(pieces) < 2 or len(pieces) % 2:
    sys.exit("error: %d client data segments; want two per round (run the client with --split)" % len(pieces))
waits = []
for n, (first, rest) in enumerate(zip(pieces[0::2], pieces[1::2]), 1):
    waits.append(1000 * (rest["time"] - first["time"]))
    print("round %d: %d bytes, then %d bytes %.2f ms later" % (n, first["len"], rest["len"], waits[-1]))
median = statistics.median(waits)
# Linux delays an ACK at least 40 ms (TCP_ATO_MIN); anything under 5 ms was not held for one.
if median >= 30:
    verdict = "the second piece waited for a delayed ACK"
elif median < 5:
    verdict = "the second piece left at once"
else:
    verdict = "neither at once nor a delayed ACK: a busy machine?"
print("median %.2f ms: %s" % (median, verdict))
