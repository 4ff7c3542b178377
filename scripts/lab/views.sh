# shellcheck shell=bash
# The lab's scenarios as osi-trace explains them: sourced by scenarios.sh after a run,
# `view NAME` prints the part of the captured links that shows what the scenario is about,
# annotated by layer and cause, a screen or two at most. Expects $LAB_DIR/link1.pcap and
# link2.pcap and the `show` function. osi-trace writes one line per segment into a pipe;
# on a terminal the rows are fitted to its width (a cause may then wrap onto the next line).
view_width=()
[[ ! -t 1 ]] || view_width=(--width "$(tput cols 2>/dev/null || echo 80)")

# trace LINK ARG…: osi-trace's reading of one link of this run; its closing count on
# stderr is left out, an error is shown.
trace() {
  local link=$1 err=$LAB_DIR/osi-trace.err
  shift
  osi-trace --read "$LAB_DIR/$link.pcap" "${view_width[@]}" "$@" 2>"$err" || cat "$err" >&2
}

# rows PICK…: from osi-trace's line view on stdin, only the rows (a row: its first line and
# the indented lines below it) that PICK names, in order, "  …" where rows are left out.
#   /REGEX/[-B][+A]   the first row matching REGEX, with B rows before and A after it
#   all/REGEX/[N]     every row matching REGEX (the first N at most)
#   from/REGEX/       the first row matching REGEX and every row after it
rows() {
  awk -v picks="$(printf '%s\n' "$@")" '
    # A row starts with its time (" 0.206542 #0 …" or "0.000000 L2 ARP …"); a regex
    # is matched against the row as one line (a cause may wrap onto the next).
    /^ *[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9] / { n++; row[n] = $0; flat[n] = $0; next }
    /^    / && n && !ended { row[n] = row[n] "\n" $0; t = $0; sub(/^ +/, " ", t); flat[n] = flat[n] t; next }
    { ended = n > 0 }
    END {
      k = split(picks, p, "\n")
      for (i = 1; i <= k; i++) {
        spec = p[i]; mode = "one"
        if (spec ~ /^all\//) { mode = "all"; spec = substr(spec, 4) }
        if (spec ~ /^from\//) { mode = "from"; spec = substr(spec, 5) }
        re = spec; sub(/^\//, "", re); sub(/\/[-+0-9]*$/, "", re)
        tail = spec; sub(/^.*\//, "", tail)
        before = 0; after = 0; most = n
        if (match(tail, /-[0-9]+/)) before = substr(tail, RSTART + 1, RLENGTH - 1) + 0
        if (match(tail, /\+[0-9]+/)) after = substr(tail, RSTART + 1, RLENGTH - 1) + 0
        if (mode == "all" && tail ~ /^[0-9]+$/) most = tail + 0
        taken = 0
        for (r = 1; r <= n; r++) {
          if (flat[r] !~ re) continue
          if (mode == "all") { keep[r] = 1; if (++taken >= most) break; continue }
          if (mode == "from") { for (q = r; q <= n; q++) keep[q] = 1; break }
          for (q = r - before; q <= r + after; q++) if (q >= 1 && q <= n) keep[q] = 1
          break
        }
      }
      last = 0
      for (r = 1; r <= n; r++) {
        if (!keep[r]) continue
        if (last && r > last + 1) print "  …"
        print row[r]; last = r
      }
      if (last && last < n) print "  …"
    }'
}

# frames LINK: how many frames the link's capture holds (tshark's count).
frames() { tshark -r "$LAB_DIR/$1.pcap" 2>/dev/null | wc -l; }

# How often osi-trace and tshark each flag a link's segments: retransmission, fast
# retransmission, out-of-order, duplicate ACK (tshark read independently, as the check),
# with = or ≠ between the two counts.
flag_counts() {
  local link=$1 f ours theirs sign json=$LAB_DIR/$1.json
  trace "$link" --json >"$json"
  for f in retransmission fast_retransmission out_of_order duplicate_ack; do
    ours=$(grep -c "\"analysis\":\[[^]]*\"$f\"" "$json" || true)
    theirs=$(tshark -r "$LAB_DIR/$link.pcap" -n -Y "tcp.analysis.$f" 2>/dev/null | wc -l)
    sign='≠'
    [[ $ours != "$theirs" ]] || sign='='
    printf '  %-20s osi-trace %5d %s tshark %5d\n' "$f" "$ours" "$sign" "$theirs"
  done
}

view() {
  case "$1" in
    rto)
      show "link1 (client ↔ router) as osi-trace explains it, from the data on: each copy timed from the last"
      trace link1 | rows 'from/len=5 /'
      show "link2 (router ↔ server): the handshake passed; no data segment ever reached the server"
      trace link2 --summary-only | tail -n 2
      ;;
    loss)
      show "link1 (client ↔ router): the first hole — a duplicate ACK whose SACK block holds bytes above it, and the rows around it"
      trace link1 | rows '/Dup ACK #[0-9]+\\] sack=/-1+1'
      show "link1: the first fast retransmission (after two duplicate ACKs or more) and the first retransmission by timer"
      trace link1 | rows '/Fast Retransmission/-2' '/len=[1-9].*; ([2-9][0-9][0-9]\.[0-9] ms|[0-9.]+ s) after the last copy/-1'
      show "link1: what osi-trace and tshark each flag (tshark's count is the check)"
      flag_counts link1
      show "link1: the summary: every byte arrived, once, in order; the loss cost only time"
      trace link1 --summary-only | tail -n 3
      ;;
    bottleneck)
      local svg=$LAB_DIR/bottleneck-tsg.svg
      # On link1, the client's side: its segments' round trips cross both of the router's queues.
      show "link1 (client ↔ router): the round trip under load, from osi-trace --rtt (each ACK's sample; RFC 6298's estimate)"
      trace link1 --rtt --summary-only --tsg "$svg" | sed -n '/^stream/,$p'
      show "The echo's time-sequence graph (osi-trace --tsg, link1): $svg"
      [[ -n ${LAB_OUT:-} ]] || echo "(the lab's folder goes when the lab exits: keep it with --out DIR)"
      show "Everything the router sent toward the server (through tbf), per second (link2):"
      tshark -r "$LAB_DIR/link2.pcap" -n -Y 'eth.src == 02:00:00:00:02:01' -T fields -e frame.time_relative \
        -e frame.len 2>/dev/null |
        awk '{ bytes[int($1)] += $2 } END { for (s in bytes) printf "second %d: %.2f Mbit/s\n", s, bytes[s] * 8 / 1e6 }' |
        sort -k2n
      ;;
    refused)
      show "link1 (client ↔ router), as osi-trace explains it, with every layer (note the RST's TTL)"
      trace link1 --layers | rows 'all/ #0 '
      show "link2 (router ↔ server): $(frames link2) frames: the SYN never left the router"
      ;;
    unreachable)
      show "link1 (client ↔ router), as osi-trace explains it: the ICMP error quotes the SYN"
      trace link1 | rows 'all/./'
      show "link2 (router ↔ server): $(frames link2) frames: the SYN never left the router"
      ;;
    no-arp)
      show "link2 (router ↔ server): the router asks for the server's MAC; no reply ever comes"
      trace link2 | rows 'all/./'
      show "link1 (client ↔ router): the client's SYNs, each copy timed from the last, then the router's verdict"
      trace link1 | rows 'from/ #0 '
      ;;
    syn-drop)
      show "link1 (client ↔ router), as osi-trace explains it: each SYN timed from the last"
      trace link1 | rows 'from/ #0 '
      show "link2 (router ↔ server): $(frames link2) frames: the firewall dropped every SYN"
      ;;
    mtu)
      show "link1 (client ↔ router): the server's SYN+ACK, every layer: the MSS it announces"
      trace link1 --layers --count 2 | rows '/SYN, ACK/'
      show "link1: the router's answer to the 1500-byte UDP datagram with Don't Fragment"
      trace link1 | rows 'all/ICMP/'
      show "link1: the summary (TCP's segments fit: none above the MSS, no ICMP for them)"
      trace link1 --summary-only | tail -n 3
      ;;
  esac
}
