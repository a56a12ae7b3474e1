#!/usr/bin/env bash
# Start PostgreSQL (Debian's postgresql package) with a data directory of its own, on 127.0.0.1 only:
# the store `davdoctor serve --store` uses, for the tests and for start-cluster.sh.
#
#   scripts/peers/start-postgres.sh WORKDIR [PORT]      (default port 15432)
#   env: NAME (default postgres)
#
# Creates WORKDIR/NAME/{data/,run/,logs/}, runs initdb (as the postgres user when started as root:
# PostgreSQL refuses to run as root), starts `postgres` in the background, writes its PID to
# WORKDIR/NAME.pid, creates the role davdoctor (password in WORKDIR/NAME/password; SCRAM over TCP) and
# its database davdoctor, and prints postgres://davdoctor@127.0.0.1:PORT/davdoctor. fsync is off: the
# data is thrown away with the work directory. Stop with scripts/peers/stop.sh WORKDIR (it sends the
# postmaster SIGINT, a fast shutdown, as WORKDIR/NAME.stopsignal says).
#
# With RESTART=1, a server this script made under WORKDIR and that has since stopped is started again on
# its data directory (no initdb, no new database): the tests restart PostgreSQL under a running davdoctor.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args postgres 15432 "$@"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bin" || ! -x "$bin/postgres" ]]; then
  echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres; apt-get install postgresql)" >&2
  exit 1
fi
password=davdoctor-pw
mkdir -p "$BASE/data" "$BASE/run" "$BASE/logs"
printf '%s\n' "$password" >"$BASE/password"
chmod 600 "$BASE/password"
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  chown -R postgres:postgres "$BASE/data" "$BASE/run" "$BASE/logs" "$BASE/password"
  as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
if [[ -z "${RESTART:-}" ]]; then
  "${as_owner[@]}" "$bin/initdb" -D "$BASE/data" -U davdoctor --pwfile="$BASE/password" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$BASE/logs/initdb.log" 2>&1 || { cat "$BASE/logs/initdb.log" >&2; exit 1; }
fi
setsid "${as_owner[@]}" "$bin/postgres" -D "$BASE/data" -c listen_addresses=127.0.0.1 -p "$PORT" \
  -c unix_socket_directories="$BASE/run" -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c max_connections=200 >>"$BASE/logs/postgres.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
echo INT >"${PIDFILE%.pid}.stopsignal"
wait_port "$PORT" "$pid" || { cat "$BASE/logs/postgres.log" >&2 || true; exit 1; }
# The port answers before the server accepts logins: ask until it does.
for _ in $(seq 100); do
  if "${as_owner[@]}" "$bin/psql" -h "$BASE/run" -p "$PORT" -U davdoctor -d postgres -qAtc 'SELECT 1' >/dev/null 2>&1; then break; fi
  sleep 0.1
done
if [[ -z "${RESTART:-}" ]]; then
  "${as_owner[@]}" "$bin/psql" -h "$BASE/run" -p "$PORT" -U davdoctor -d postgres -qc 'CREATE DATABASE davdoctor' \
    >>"$BASE/logs/postgres.log" 2>&1 || { tail -20 "$BASE/logs/postgres.log" >&2; exit 1; }
fi
echo "postgres://davdoctor@127.0.0.1:$PORT/davdoctor"
