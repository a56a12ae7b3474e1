#!/usr/bin/env bash
# Start WsgiDAV (pip wsgidav + cheroot) on 127.0.0.1 only.
#
#   scripts/peers/start-wsgidav.sh WORKDIR [PORT]      (default port 18084)
#   env: PROFILE=faulty|clean (default faulty), NAME (default wsgidav), BIG=N files in /big/ (default 0),
#        EXTRA_SHARES / EXTRA_USERS  YAML lines (indented 4 spaces) added to provider_mapping /
#                         simple_dc.user_mapping: more shares and their users (default none)
#        EXTRA_YAML=FILE  YAML appended to wsgidav.yaml; a top-level key given there replaces the one
#                         generated here (yaml.safe_load keeps the last); default none
#
# Creates WORKDIR/NAME/{wsgidav.yaml,root/,logs/}, runs "wsgidav --config" in the background, writes the
# PID to WORKDIR/NAME.pid and prints the base URL. The whole tree is one share at "/" (anonymous,
# in-memory locks and dead properties). WsgiDAV's access control is per share, so the faulty profile adds
# extra shares mounted over sub-paths:
#   /secret/   its own share, Basic auth alice:alice-pw (bob:bob-pw is unknown to it)
#   /private/  its own share whose only user has a random password -> 401 for everyone
#   /ro/       a read-only share                                -> 403 for writes
#   /quota/    a 256 KiB tmpfs, almost full (root only)
# WsgiDAV has no upload-size limit and always allows Depth: infinity (RequestServer.allow_propfind_infinite
# is hard-wired to True in 4.4.0).
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args wsgidav 18084 "$@"

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi
shares="    \"/\": \"$root\""
users="    \"*\": true"
if [[ "$PROFILE" == faulty ]]; then
  mkdir -p "$root/ro"
  printf 'read only\n' >"$root/ro/readme.txt"
  mount_quota "$root/quota" 256k
  shares+=$(printf '\n    "/secret": "%s"\n    "/private": "%s"\n    "/ro":\n      root: "%s"\n      readonly: true' \
    "$root/secret" "$root/private" "$root/ro")
  users+=$(printf '\n    "/secret":\n      alice:\n        password: alice-pw\n    "/private":\n      admin-only:\n        password: "%s"' "$RANDOM$RANDOM$RANDOM")
fi

if [[ -n "${EXTRA_SHARES:-}" ]]; then shares+=$'\n'"$EXTRA_SHARES"; fi
if [[ -n "${EXTRA_USERS:-}" ]]; then users+=$'\n'"$EXTRA_USERS"; fi

cat >"$BASE/wsgidav.yaml" <<CONF
# davdoctor peer: WsgiDAV ($PROFILE)
host: 127.0.0.1
port: $PORT
server: cheroot
verbose: 3
provider_mapping:
$shares
http_authenticator:
  domain_controller: null
  accept_basic: true
  accept_digest: false
  default_to_digest: false
simple_dc:
  user_mapping:
$users
lock_storage: true
property_manager: true
dir_browser:
  enable: false
logging:
  enable: true
CONF
if [[ -n "${EXTRA_YAML:-}" ]]; then
  { printf '# EXTRA_YAML (%s)\n' "$EXTRA_YAML"; cat "$EXTRA_YAML"; } >>"$BASE/wsgidav.yaml"
fi

setsid wsgidav --config "$BASE/wsgidav.yaml" >>"$BASE/logs/wsgidav.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/wsgidav.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
