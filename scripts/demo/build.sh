# shellcheck shell=bash disable=SC2154
# The demo's build, sourced by scripts/demo.sh: what the first run needs first, in the
# foreground (on a fresh clone its first handshake shows within a minute, not after the
# whole workspace); the rest of the kit in the background while that run plays, waited
# for when a later run needs it. Uses say, tell, die, bold, dim, reset and here from demo.sh.

target=${CARGO_TARGET_DIR:-$here/target}

# kit_binaries PACKAGE…: how the demo gets these programs (KIT_BIN_DIR unset): "build" where
# cargo can build into target/, "built" where it cannot (no cargo, or target/ not writable:
# a student on a shared machine) but the release binaries are there; dies otherwise.
kit_binaries() {
  local p missing=""
  for p; do [[ -x $target/release/$p ]] || missing+=" $p"; done
  if command -v cargo >/dev/null && { [[ -w $target ]] || { [[ ! -e $target ]] && [[ -w $(dirname "$target") ]]; }; }; then
    echo build
  elif [[ -z $missing ]]; then
    echo built
  elif ! command -v cargo >/dev/null; then
    die "cargo is not on PATH; install Rust (https://rustup.rs), then open a new shell or run . \"\$HOME/.cargo/env\"; or give built binaries: KIT_BIN_DIR=DIR scripts/demo.sh"
  else
    die "cannot build into $target (not writable) and$missing not built there; hint: KIT_BIN_DIR=DIR scripts/demo.sh with the kit's binaries in DIR"
  fi
}

# build_first PACKAGE…: a release build of these packages (cargo's progress shown).
build_first() {
  local p args=() long
  long=$(phrase build_quick)
  for p; do args+=(-p "$p"); done
  [[ -x $target/release/osi-trace ]] || long=$(phrase build_long)
  tell "${bold}$(phrase build_first "$*" "$long")${reset}"
  # Cargo's colours are the basic ones (a bright green that fades on white): plain here.
  (cd "$here" && cargo build --release --color never "${args[@]}") ||
    die "the build failed (cargo's error above); the kit needs Rust 1.85 or newer and a C linker (Debian: apt-get install build-essential)"
}

# build_rest: the rest of the kit's programs, in the background at low priority, in a
# session of its own so that Ctrl-C in the terminal does not reach it but stop_rest
# stops it with every rustc it started. Its output goes to OSI_KIT_REST_LOG, its exit
# status, once it is done, to OSI_KIT_REST_LOG.status (read by wait_rest, also from
# inside the demo's namespace, where this process is not visible).
build_rest() {
  OSI_KIT_REST_LOG=$(mktemp "${TMPDIR:-/tmp}/demo-build.XXXXXX")
  export OSI_KIT_REST_LOG
  tell "${dim}$(phrase build_rest)${reset}"
  # Not a job-control shell: the background job shares our process group, so setsid
  # makes it a session (and group) of its own without forking; its pid is the group's.
  # shellcheck disable=SC2016 # $1 and $2 are the inner shell's
  setsid bash -c 'cd "$1" && nice -n 10 cargo build --release --bins >"$2" 2>&1; echo $? >"$2.status"' \
    _ "$here" "$OSI_KIT_REST_LOG" &
  rest_group=$!
}

# stop_rest: stops the background build if it still runs (cargo resumes it next time),
# and removes its log.
stop_rest() {
  if [[ -n ${rest_group:-} ]]; then
    kill -TERM -- "-$rest_group" 2>/dev/null || true
    wait "$rest_group" 2>/dev/null || true
    rest_group=""
  fi
  [[ -z ${OSI_KIT_REST_LOG:-} ]] || rm -f -- "$OSI_KIT_REST_LOG" "$OSI_KIT_REST_LOG.status"
}

# wait_rest: before a run whose server the first build did not make, until the
# background build is done (10 minutes at most); dies with cargo's error if it failed.
wait_rest() {
  local log=${OSI_KIT_REST_LOG:-} started=$SECONDS
  [[ -n $log ]] || return 0
  if [[ ! -s $log.status ]]; then
    tell "${dim}$(phrase build_wait)${reset}"
    until [[ -s $log.status ]]; do
      ((SECONDS - started < 600)) || die "the background build did not finish in 10 minutes; its log: $log"
      sleep 0.2
    done
    say "${dim}$(phrase build_done "$((SECONDS - started))")${reset}"
  fi
  if [[ $(<"$log.status") != 0 ]]; then
    tail -n 20 "$log" >&2
    die "the build of the rest of the kit failed (cargo's error above)"
  fi
}
