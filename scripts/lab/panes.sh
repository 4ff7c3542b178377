# shellcheck shell=bash
# The lab as one terminal per host, sourced by scripts/lab.sh --tmux: a tmux window
# of three panes, client | router | server, each a shell on that host (as Mininet's
# xterms), its title naming the host and a first command to try. The lab ends when
# the window does: every pane's shell exited, or tmux detached (Ctrl-b d).

# pane HOST HINT: the command of HOST's pane: a shell in its namespace, its prompt the host's name.
pane() {
  printf 'ip netns exec %s env PS1=%q bash --norc -i' "$1" "$1 \\W\\$ "
}

panes() {
  local sock=$LAB_DIR/.tmux t=(tmux -f /dev/null -S "$LAB_DIR/.tmux") cols=160 lines=40
  if [[ -t 1 ]]; then
    cols=$(tput cols 2>/dev/null || echo 160)
    lines=$(tput lines 2>/dev/null || echo 40)
  fi
  # Our own tmux server (its socket in the lab's folder), also when the lab is started
  # from inside another tmux.
  unset TMUX
  "${t[@]}" new-session -d -s lab -x "$cols" -y "$lines" "$(pane client)"
  "${t[@]}" split-window -h -t lab:0.0 "$(pane server)"
  "${t[@]}" split-window -v -l 30% -t lab:0.0 "$(pane router)"
  "${t[@]}" select-pane -t lab:0.0 -T "client $LAB_CLIENT · try: client --host $LAB_SERVER"
  "${t[@]}" select-pane -t lab:0.1 -T "router · try: tshark -n -i eth1"
  "${t[@]}" select-pane -t lab:0.2 -T "server $LAB_SERVER · try: server-basic --host 0.0.0.0"
  "${t[@]}" set-option -t lab pane-border-status top >/dev/null
  "${t[@]}" set-option -t lab pane-border-format ' #{pane_title} ' >/dev/null
  "${t[@]}" set-option -t lab status-left "lab (exit each pane, or Ctrl-b d, to end it) " >/dev/null
  "${t[@]}" set-option -t lab status-left-length 60 >/dev/null
  "${t[@]}" select-pane -t lab:0.2
  echo "The lab is up in tmux (socket $sock): one pane per host. Exit every pane's shell,"
  echo "or detach (Ctrl-b d), to tear it down."
  "${t[@]}" attach-session -t lab || true
}
