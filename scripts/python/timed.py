#!/usr/bin/env python3
"""Runs a command several times, its output thrown away, and prints how long
it took (the best and the median wall-clock seconds) and its largest resident
set in MB (VmHWM, read from /proc while it runs: the rusage of a child counts
the forked Python too): the figures scripts/bench-trace.sh and
scripts/bench-hop.sh put in their tables.

    timed.py RUNS COMMAND [ARG...]      prints: BEST MEDIAN PEAK_MB"""
import statistics
import subprocess
import sys
import threading
import time


def hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


if len(sys.argv) < 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
    sys.exit("usage: timed.py RUNS COMMAND [ARG...]")
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times, peak = [], 0
for _ in range(runs):
    start = time.monotonic()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = [0]

    def watch():
        # The high-water mark only grows: the last reading before the exit is the peak.
        while child.poll() is None:
            seen[0] = max(seen[0], hwm_kb(child.pid))
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    err = child.stderr.read()
    code = child.wait()
    times.append(time.monotonic() - start)
    watcher.join()
    peak = max(peak, seen[0])
    if code != 0:
        last = err.decode(errors="replace").strip().splitlines()
        sys.exit("timed.py: %s exited with %d: %s" % (cmd[0], code, last[-1] if last else ""))
print("%.3f %.3f %.1f" % (min(times), statistics.median(times), peak / 1024))
