#!/usr/bin/env bash
# Start "rclone serve webdav" over a local directory on 127.0.0.1 only.
#
#   scripts/peers/start-rclone.sh WORKDIR [PORT]      (default port 18085)
#   env: PROFILE=faulty|clean (default faulty), NAME (default rclone), BIG=N files in /big/ (default 0),
#        READ_ONLY=1 to add --read-only, DIR_CACHE_TIME (default rclone's own 5m0s),
#        EXTRA_ARGS="--flag value ..." more rclone flags, split on white space (default none)
#
# Creates WORKDIR/NAME/{root/,logs/,cache/}, runs rclone in the background, writes the PID to
# WORKDIR/NAME.pid and prints the base URL. rclone has no per-path access rules, so the faulty profile
# protects the whole server with Basic auth (--htpasswd; alice:alice-pw, bob:bob-pw) and mounts a
# 256 KiB, almost full tmpfs on /quota/ (root only).
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args rclone 18085 "$@"

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/cache"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi
opts=(--addr "127.0.0.1:$PORT" --config /dev/null --cache-dir "$BASE/cache" --log-file "$BASE/logs/rclone.log" -v)
if [[ "$PROFILE" == faulty ]]; then
  make_htpasswd "$BASE/htpasswd"
  mount_quota "$root/quota" 256k
  opts+=(--htpasswd "$BASE/htpasswd")
fi
if [[ "${READ_ONLY:-0}" == 1 ]]; then opts+=(--read-only); fi
if [[ -n "${DIR_CACHE_TIME:-}" ]]; then opts+=(--dir-cache-time "$DIR_CACHE_TIME"); fi
if [[ -n "${EXTRA_ARGS:-}" ]]; then read -r -a _extra <<<"$EXTRA_ARGS"; opts+=("${_extra[@]}"); fi

setsid rclone serve webdav "$root" "${opts[@]}" >>"$BASE/logs/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/rclone.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
