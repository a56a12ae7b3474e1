#!/usr/bin/env bash
# Start two Apache httpd mod_dav nodes on one tree, each with its own DavLockDB, and nginx in front sending
# requests to them in turn: the load-balanced Apache whose nodes do not share their locks (DavLockDB is a
# local file), as `davdoctor check --allow-writes` finds it. Dead properties live beside the files (.DAV/),
# so those the nodes do share.
#
#   scripts/peers/start-apache-pair.sh WORKDIR [PORT]      (default port 18150; uses PORT..PORT+2)
#   env: NAME (default apache-pair)
#   needs: apache2 (each node is start-apache.sh's) and nginx
#
#   PORT     nginx, round-robin over the two nodes     PORT+1, PORT+2   Apache (the clean profile)
#
# Each process's PID is in WORKDIR/NAME*.pid; stop them all with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
PROFILE=clean
peer_args apache-pair 18150 "$@"
for p in $((PORT + 1)) $((PORT + 2)); do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
shared="$WORKDIR/$NAME-a/root"
PROFILE=clean NAME="$NAME-a" bash "$here/start-apache.sh" "$WORKDIR" $((PORT + 1)) >/dev/null || exit 1
PROFILE=clean NAME="$NAME-b" ROOT="$shared" bash "$here/start-apache.sh" "$WORKDIR" $((PORT + 2)) >/dev/null || exit 1
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy"
give_to_run_user "$BASE/tmp"
round_robin_conf "round-robin in front of two Apache nodes with their own DavLockDB ($((PORT + 1)), $((PORT + 2)))" \
  $((PORT + 1)) $((PORT + 2)) >"$BASE/nginx.conf"
start_nginx || exit 1
