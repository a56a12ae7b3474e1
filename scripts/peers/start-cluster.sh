#!/usr/bin/env bash
# Start a davdoctor serve cluster on 127.0.0.1: PostgreSQL, two `davdoctor serve` instances on one tree and
# one database, and nginx in front sending requests to them in turn (round-robin), as a load balancer does.
#
#   scripts/peers/start-cluster.sh WORKDIR [PORT]      (default port 18140; uses PORT..PORT+3)
#   env: NAME (default cluster), DAVDOCTOR_BIN=path of the binary (default .build/release, then .build/debug)
#
#   PORT     nginx, round-robin over the two instances (Host passed through, bodies streamed)
#   PORT+1   davdoctor serve, instance 1     PORT+2   davdoctor serve, instance 2
#   PORT+3   PostgreSQL (start-postgres.sh, its own data directory)
#
# The instances serve WORKDIR/NAME/root read-write without authentication (the clean tree of the other
# peers) with --store postgres://davdoctor@127.0.0.1:PORT+3/davdoctor, the password in PGPASSWORD. Each
# process's PID is in WORKDIR/NAME*.pid; stop them all with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
PROFILE=clean
peer_args cluster 18140 "$@"
for p in $((PORT + 1)) $((PORT + 2)) $((PORT + 3)); do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary) || exit 2

store=$(NAME="$NAME-postgres" bash "$here/start-postgres.sh" "$WORKDIR" $((PORT + 3)) | tail -1)
export PGPASSWORD
PGPASSWORD=$(cat "$WORKDIR/$NAME-postgres/password")

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy"
for i in 1 2; do
  setsid "$bin" serve "$root" --host 127.0.0.1 --port $((PORT + i)) --store "$store" \
    --access-log "$BASE/logs/access-$i.log" >>"$BASE/logs/serve-$i.log" 2>&1 &
  pid=$!
  echo "$pid" >"$WORKDIR/$NAME-serve$i.pid"
  wait_port $((PORT + i)) "$pid" 30 || { tail -20 "$BASE/logs/serve-$i.log" >&2 || true; exit 1; }
done

give_to_run_user "$BASE/tmp"
round_robin_conf "round-robin in front of two davdoctor serve instances ($((PORT + 1)), $((PORT + 2)))" $((PORT + 1)) $((PORT + 2)) \
  >"$BASE/nginx.conf"
start_round_robin || exit 1
