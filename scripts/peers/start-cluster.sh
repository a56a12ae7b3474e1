#!/usr/bin/env bash
# Start a davdoctor serve cluster on 127.0.0.1: PostgreSQL, two `davdoctor serve` instances on one tree and
# one database, and nginx in front sending requests to them in turn (round-robin), as a load balancer does.
#
#   scripts/peers/start-cluster.sh WORKDIR [PORT]      (default port 18140; uses PORT..PORT+3)
#   env: NAME (default cluster), DAVDOCTOR_BIN=path of the binary (default .build/release, then .build/debug),
#        INSTANCES=1|2 (default 2), STORE=postgres|sqlite (default postgres)
#
#   PORT     nginx, round-robin over the instances (Host passed through, bodies streamed)
#   PORT+1   davdoctor serve, instance 1     PORT+2   davdoctor serve, instance 2
#   PORT+3   PostgreSQL (start-postgres.sh, its own data directory)
#
# The instances serve WORKDIR/NAME/root read-write without authentication (the clean tree of the other
# peers) with --store postgres://davdoctor@127.0.0.1:PORT+3/davdoctor, the password in PGPASSWORD. Each
# process's PID is in WORKDIR/NAME*.pid; stop them all with scripts/peers/stop.sh WORKDIR.
#
# INSTANCES=1 puts one instance behind the same nginx (the benchmarks' baseline for what a second one
# costs). STORE=sqlite starts no PostgreSQL: one instance keeps its state in SQLite in its default data
# directory ($XDG_STATE_HOME/davdoctor/…, XDG_STATE_HOME set to WORKDIR/NAME/state so it stays in the work
# directory); SQLite is not shared between processes, so it allows INSTANCES=1 only.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
PROFILE=clean
peer_args cluster 18140 "$@"
instances=${INSTANCES:-2}
store_kind=${STORE:-postgres}
case "$instances" in 1|2) ;; *) echo "INSTANCES must be 1 or 2" >&2; exit 2;; esac
case "$store_kind" in
  postgres) ;;
  sqlite) [[ $instances -eq 1 ]] || { echo "STORE=sqlite allows INSTANCES=1 only: SQLite is not shared between instances" >&2; exit 2; } ;;
  *) echo "STORE must be postgres or sqlite" >&2; exit 2;;
esac
ports=()
for ((i = 1; i <= instances; i++)); do ports+=($((PORT + i))); done
[[ $store_kind == postgres ]] && ports+=($((PORT + 3)))
for p in "${ports[@]}"; do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary) || exit 2

placement=()
if [[ $store_kind == postgres ]]; then
  store=$(NAME="$NAME-postgres" bash "$here/start-postgres.sh" "$WORKDIR" $((PORT + 3)) | tail -1)
  export PGPASSWORD
  PGPASSWORD=$(cat "$WORKDIR/$NAME-postgres/password")
  placement=(--store "$store")
else
  export XDG_STATE_HOME="$BASE/state"
fi

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy"
backends=()
for ((i = 1; i <= instances; i++)); do
  setsid "$bin" serve "$root" --host 127.0.0.1 --port $((PORT + i)) "${placement[@]}" \
    --access-log "$BASE/logs/access-$i.log" >>"$BASE/logs/serve-$i.log" 2>&1 &
  pid=$!
  echo "$pid" >"$WORKDIR/$NAME-serve$i.pid"
  wait_port $((PORT + i)) "$pid" 30 || { tail -20 "$BASE/logs/serve-$i.log" >&2 || true; exit 1; }
  backends+=($((PORT + i)))
done

give_to_run_user "$BASE/tmp"
round_robin_conf "round-robin in front of $instances davdoctor serve instance(s) on $store_kind (${backends[*]})" "${backends[@]}" \
  >"$BASE/nginx.conf"
start_nginx || exit 1
