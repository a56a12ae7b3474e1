#!/usr/bin/env bash
# Start Radicale 3 (pip radicale, its built-in WSGI server) on 127.0.0.1 only.
#
#   scripts/peers/start-radicale.sh WORKDIR [PORT]      (default port 18086)
#   env: PROFILE=faulty|clean (default faulty), NAME (default radicale)
#
# Creates WORKDIR/NAME/{config,rights,htpasswd,collections/,logs/}, runs radicale in the background,
# writes the PID to WORKDIR/NAME.pid and prints the base URL. Storage is "multifilesystem" under
# collections/collection-root/<user>/<collection>/. Calendars and address books are created by the client
# (MKCALENDAR / extended MKCOL); this script creates none, except the faulty profile's full collections.
#   clean:  auth type none, rights "authenticated" (anyone may do anything).
#   faulty: auth htpasswd (alice:alice-pw, bob:bob-pw, APR1 MD5), rights from_file:
#             everyone authenticated may read "/", each user owns /<user>/ and its collections,
#             bob may read (but not write) /alice/team/;
#           max_content_length 65536 (a larger request body gets 413);
#           /alice/full/ (a calendar) and /alice/full-contacts/ (an address book), each its own 256 KiB
#           tmpfs filled to the last byte (root only).
# delay_on_error and the failed-login delay are 0 so that a capture run stays quick.
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args radicale 18086 "$@"

store="$BASE/collections"
mkdir -p "$store/collection-root" "$BASE/logs"

full_collection() {
  # full_collection DIR TAG — a collection on its own tiny tmpfs, written by hand as Radicale stores it,
  # then filled to the last byte (a dot-file, which Radicale does not take for an item).
  local dir=$1 tag=$2
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]] && mount -t tmpfs -o size=256k,mode=0755 tmpfs "$dir" 2>/dev/null; then
    echo "$dir" >>"$WORKDIR/mounts"
    printf '{"tag": "%s", "D:displayname": "%s"}' "$tag" "$(basename "$dir")" >"$dir/.Radicale.props"
    head -c 1048576 /dev/zero >"$dir/.filler" 2>/dev/null || true
  else
    echo "note: could not mount a tmpfs on $dir; the storage (507) fault is unavailable" >&2
    printf '{"tag": "%s"}' "$tag" >"$dir/.Radicale.props"
  fi
}

if [[ "$PROFILE" == faulty ]]; then
  make_htpasswd "$BASE/htpasswd"
  cat >"$BASE/rights" <<'RIGHTS'
# Radicale rights (from_file): first matching section wins.
[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[bob-reads-alice-team]
user: bob
collection: alice/team
permissions: r

[owner]
user: .+
collection: {user}/[^/]+
permissions: rw
RIGHTS
  auth=$(printf '[auth]\ntype = htpasswd\nhtpasswd_filename = %s\nhtpasswd_encryption = md5\ndelay = 0\n' "$BASE/htpasswd")
  rights=$(printf '[rights]\ntype = from_file\nfile = %s\n' "$BASE/rights")
  limit="max_content_length = 65536"
  full_collection "$store/collection-root/alice/full" VCALENDAR
  full_collection "$store/collection-root/alice/full-contacts" VADDRESSBOOK
else
  auth=$(printf '[auth]\ntype = none\n')
  rights=$(printf '[rights]\ntype = authenticated\n')
  limit=""
fi

cat >"$BASE/config" <<CONF
# davdoctor peer: Radicale ($PROFILE)
[server]
hosts = 127.0.0.1:$PORT
delay_on_error = 0
$limit

$auth

$rights

[storage]
filesystem_folder = $store

[web]
type = none

[logging]
level = info
CONF

setsid radicale -C "$BASE/config" >>"$BASE/logs/radicale.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/radicale.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
