# shellcheck shell=bash disable=SC2154
# What the demo puts on the screen, sourced by scripts/demo.sh: lines fitted to the
# terminal's width (no word cut in two at 80 columns), and each trace drawn for that width,
# with stops where the lesson is: the first connection's handshake and teardown go segment
# by segment (Enter: next segment) and the trace waits after each. Uses out, pause, color,
# dim and reset from demo.sh; needs extglob.

# Characters are counted as the terminal shows them (→ is one column) also where the
# locale is C: this shell only, the programs it starts keep theirs.
case ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} in
  *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
  *) LC_ALL=C.UTF-8 ;;
esac
# The terminal's width; 0 (no fitting) when stdout is a file or a pipe.
cols=0
[[ -t 1 ]] && cols=$(tput cols 2>/dev/null || echo 80)
# ANSI colour codes, which take no room on the screen: ESC, a literal [ (escaped: unescaped it
# would open a bracket expression and the pattern match no colour code at all), digits and ;, m.
sgr=$'\e''\[*([0-9;])m'

# fit [PREFIX [HANG]]: each line of stdin, with PREFIX before it, word-wrapped to the
# terminal's width, its continuation lines indented HANG (default 4 spaces) more than the
# line, as osi-trace fits its own; prose (tell) continues with no indent.
fit() {
  local prefix=${1:-} hang=${2-    } line plain indent word w out n
  local -a words
  while IFS= read -r line || [[ -n $line ]]; do
    line=$prefix$line
    plain=${line//$sgr/}
    if ((cols == 0 || ${#plain} <= cols)); then
      printf '%s\n' "$line"
      continue
    fi
    indent=${plain%%[! ]*}
    read -ra words <<<"$line"
    out=$indent n=${#indent}
    for word in "${words[@]}"; do
      w=${word//$sgr/}
      if ((n == ${#indent})); then
        out+=$word n=$((n + ${#w}))
      elif ((n + 1 + ${#w} > cols)); then
        printf '%s\n' "$out"
        out="$indent$hang$word" n=$((${#indent} + ${#hang} + ${#w}))
      else
        out+=" $word" n=$((n + 1 + ${#w}))
      fi
    done
    printf '%s\n' "$out"
  done
}

# stop PROMPT: waits for a key, the prompt on the last line, erased after (the trace
# stays as it was). c stops the stops of this trace.
stop() {
  local key=""
  # Keys pressed while the trace was drawn are not this stop's answer.
  while read -rsn1 -t 0.01 _; do :; done
  printf '%s' "$dim$1$reset"
  read -rsn1 key || true
  printf '\r\e[2K'
  [[ $key != [cC] ]] || stepping=no
}

# steps NAME: for each segment of NAME.trace.jsonl, in the trace's order, how the
# trace goes on after it: "" (at once), "next" (a step: Enter for the next segment),
# "handshake" or "teardown" (the first connection's handshake or teardown is complete).
# The first connection is the first whose handshake completes.
steps() {
  local json role stream first="" i=0 teardown=no
  local -a roles=() streams=()
  while IFS= read -r json; do
    [[ $json =~ [{,]\"type\":\"segment\" ]] || continue
    [[ $json =~ [{,]\"role\":\"([a-z_]+)\" ]] && role=${BASH_REMATCH[1]} || role=""
    [[ $json =~ [{,]\"stream\":([0-9]+) ]] && stream=${BASH_REMATCH[1]} || stream=""
    roles+=("$role") streams+=("$stream")
    [[ -n $first || $role != handshake_ack ]] || first=$stream
  done <"$out/$1.trace.jsonl"
  for ((i = 0; i < ${#roles[@]}; i++)); do
    if [[ -z $first || ${streams[i]} != "$first" ]]; then
      echo ""
      continue
    fi
    case ${roles[i]} in
      syn | syn_ack) echo next ;;
      handshake_ack) echo handshake ;;
      fin_ack) echo teardown && teardown=over ;;
      fin) if [[ $teardown == over ]]; then echo ""; else teardown=yes && echo next; fi ;;
      *) if [[ $teardown == yes ]]; then echo next; else echo ""; fi ;;
    esac
  done
}

# after_segment STEP: what the trace does after a segment (see steps).
after_segment() {
  [[ $pause == yes && $stepping == yes ]] || return 0
  case $1 in
    next) stop "$(phrase step_next)" ;;
    handshake) stop "$(phrase step_handshake)" ;;
    teardown) stop "$(phrase step_teardown)" ;;
  esac
}

# show_trace NAME: NAME.pcap read again by osi-trace and drawn for this terminal's width
# (a file or a pipe gets one line per segment), with its stops in a run with pauses.
show_trace() {
  local line plain i=-1 ended=no
  local -a lines step=()
  mapfile -t lines < <(osi-trace --read "$out/$1.pcap" --color "$color" --width "$cols" 2>>"$out/$1.read.log")
  [[ $pause != yes ]] || mapfile -t step < <(steps "$1")
  stepping=yes
  for line in "${lines[@]}"; do
    plain=${line//$sgr/}
    # A segment's first line: its time and connection, e.g. "  0.000015 #0 client ← server".
    if [[ $ended == no && $plain =~ ^\ +[0-9]+\.[0-9]+\ \#[0-9]+\  ]]; then
      ((i < 0)) || after_segment "${step[i]:-}"
      i=$((i + 1))
    elif [[ $ended == no && -z $plain ]]; then
      ((i < 0)) || after_segment "${step[i]:-}"
      ended=yes
    fi
    printf '%s\n' "$line"
  done
}
