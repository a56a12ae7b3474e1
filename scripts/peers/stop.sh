#!/usr/bin/env bash
# Stop every peer started under WORKDIR by the start-*.sh scripts in this folder.
#
#   scripts/peers/stop.sh WORKDIR
#
# Kills only the process groups of the PIDs recorded in WORKDIR/*.pid (TERM, then KILL after 5 s), removes the pid files and
# unmounts the tmpfs mounts listed in WORKDIR/mounts. It never kills by process name.
set -euo pipefail
WORKDIR=${1:-${WORKDIR:-}}
if [[ -z "$WORKDIR" || ! -d "$WORKDIR" ]]; then
  echo "usage: $(basename "$0") WORKDIR" >&2
  exit 2
fi
shopt -s nullglob
# Each daemon was started by setsid, so its PID is also its process group: the group takes its workers
# along (Apache's children outlive a parent killed alone). Zombies do not count as alive.
group_alive() { ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }
for pidfile in "$WORKDIR"/*.pid; do
  pid=$(cat "$pidfile" 2>/dev/null || true)
  # A daemon that stops its own workers best when told alone names its signal in NAME.stopsignal
  # (PostgreSQL: INT, a fast shutdown; TERM to the whole group leaves its postmaster waiting).
  signal=$(cat "${pidfile%.pid}.stopsignal" 2>/dev/null || true)
  rm -f "${pidfile%.pid}.stopsignal"
  if [[ "$pid" =~ ^[0-9]+$ ]] && group_alive "$pid"; then
    if [[ "$signal" =~ ^[A-Z]+$ ]]; then
      kill "-$signal" "$pid" 2>/dev/null || true
    else
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 50); do
      group_alive "$pid" || break
      sleep 0.1
    done
    if group_alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
done
if [[ -f "$WORKDIR/mounts" ]]; then
  while IFS= read -r dir; do
    [[ -n "$dir" ]] || continue
    if mountpoint -q "$dir"; then umount "$dir" || umount -l "$dir" || true; fi
  done <"$WORKDIR/mounts"
  rm -f "$WORKDIR/mounts"
fi
