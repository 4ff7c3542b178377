# shellcheck shell=bash
# What the kit's scripts share, sourced by each (not run on its own): the usage
# printed from the comment at the top of the script, the wait for a program's
# READY line, and the sbin folders on PATH. A script sources it by its own
# folder, so that it works from any directory:
#
#   here=$(cd "$(dirname "$0")/.." && pwd)
#   . "$here/scripts/lib.sh"

# kit_usage: the comment block at the top of the running script ($0), from its
# second line up to its first line of code, without the `# `.
kit_usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
}

# kit_wait_ready FILE [SECONDS] [PATTERN]: until FILE holds a line that grep finds
# PATTERN in (default ^READY, the line each of the kit's programs prints once it
# is ready), looking every 50 ms for at most SECONDS (default 10, whole seconds).
# Never a fixed sleep: it returns as soon as the line is there. Otherwise it says
# so on stderr, with what FILE holds, and returns 1.
kit_wait_ready() {
  local file=$1 seconds=${2:-10} pattern=${3:-^READY} i what
  for ((i = 0; i < seconds * 20; i++)); do
    grep -qs -- "$pattern" "$file" && return 0
    sleep 0.05
  done
  what="READY line"
  [[ $pattern == "^READY" ]] || what="line matching '$pattern'"
  echo "${0##*/}: no $what in $file after $seconds s:" >&2
  cat -- "$file" >&2 || true
  return 1
}

# kit_sbin_path: ip, tc, nft and setcap live in /usr/sbin or /sbin, which Debian
# leaves off an ordinary user's PATH; this puts them on it, after what is there.
kit_sbin_path() {
  export PATH="$PATH:/usr/sbin:/sbin"
}
