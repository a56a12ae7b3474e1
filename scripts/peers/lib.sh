#!/usr/bin/env bash
# Shared helpers for the peer start scripts in this folder. Source it; do not run it.
#
# Every start script is called as
#     start-<server>.sh WORKDIR PORT
# (or with WORKDIR/PORT in the environment) and honours
#     PROFILE=faulty|clean   default faulty: add the denied, auth, upload-limit, tmpfs subtrees
#     NAME=<instance>        default the server name; names <WORKDIR>/<NAME>/ and <WORKDIR>/<NAME>.pid
# It prints the base URL (http://127.0.0.1:PORT) on stdout when the port answers.

set -euo pipefail

# Close every descriptor this script inherited beyond stdin/stdout/stderr (bash keeps its own script on 255):
# a daemon started below would otherwise hold, say, a pipe of whoever launched us, and that reader would
# wait for an end of file that never comes while the daemon runs.
for _fd in /proc/$$/fd/*; do
  _fd=${_fd##*/}
  if [[ $_fd -gt 2 && $_fd -ne 255 ]]; then eval "exec $_fd>&-" 2>/dev/null || true; fi
done
unset _fd

peer_args() {
  # peer_args DEFAULT_NAME DEFAULT_PORT "$@"
  local default_name=$1 default_port=$2
  shift 2
  WORKDIR=${1:-${WORKDIR:-}}
  PORT=${2:-${PORT:-$default_port}}
  NAME=${NAME:-$default_name}
  PROFILE=${PROFILE:-faulty}
  if [[ -z "$WORKDIR" ]]; then
    echo "usage: $(basename "$0") WORKDIR [PORT]   (env: PROFILE=faulty|clean NAME=instance)" >&2
    exit 2
  fi
  case "$PROFILE" in faulty|clean) ;; *) echo "PROFILE must be faulty or clean" >&2; exit 2;; esac
  mkdir -p "$WORKDIR"
  WORKDIR=$(cd "$WORKDIR" && pwd)
  chmod 755 "$WORKDIR"
  BASE="$WORKDIR/$NAME"
  PIDFILE="$WORKDIR/$NAME.pid"
  if [[ -s "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "$NAME already running (pid $(cat "$PIDFILE"))" >&2
    exit 1
  fi
  if port_open "$PORT"; then
    echo "port $PORT on 127.0.0.1 is already in use" >&2
    exit 1
  fi
  # RESTART=1: a peer that stopped is started again on what it left in BASE (start-postgres.sh).
  [[ -n "${RESTART:-}" ]] && return 0
  local m
  while IFS= read -r m; do
    [[ -n "$m" ]] && umount "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET 2>/dev/null | grep -F "$BASE/" || true)
  rm -rf "$BASE"
  mkdir -p "$BASE"
  chmod 755 "$BASE"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port() {
  # wait_port PORT PID [SECONDS]
  local port=$1 pid=$2 limit=${3:-20} i
  for ((i = 0; i < limit * 10; i++)); do
    if port_open "$port"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "server (pid $pid) exited before port $port answered" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "port $port did not answer within ${limit}s" >&2
  return 1
}

# The run-time user for servers that refuse to serve as root.
RUN_USER=www-data
RUN_GROUP=www-data

make_tree() {
  # make_tree ROOT — the served tree. Names are chosen to be hostile to clients:
  #   /docs/     healthy collection: spaces, '#', '&', '+', an NFC accent, an emoji, a sub-collection
  #   /unicode/  "Café.txt" twice (NFC and NFD bytes) and "Résumé.txt" in NFD only
  #   /pct/      names with '%' ("100%.txt", and "50%25 off.txt" which decodes once to a literal "%25")
  #   /locks/    targets for LOCK tests;  /upload/ for size limits;  /empty/ an empty collection
  local root=$1
  mkdir -p "$root"
  mkdir -p "$root/docs/sub" "$root/unicode" "$root/pct" "$root/locks/sub" "$root/upload" "$root/empty"
  printf 'plain text\n' >"$root/docs/plain.txt"
  printf 'a file with a space\n' >"$root/docs/a b.txt"
  printf 'hash in name\n' >"$root/docs/hash#tag.txt"
  printf 'amp & plus+\n' >"$root/docs/amp&plus+.txt"
  printf 'NFC e-acute (U+00E9)\n' >"$root/docs/$(printf 'Caf\xc3\xa9.txt')"
  printf 'emoji\n' >"$root/docs/$(printf 'smile \xf0\x9f\x98\x80.txt')"
  printf 'nested\n' >"$root/docs/sub/nested.txt"
  printf 'NFC e-acute (U+00E9)\n' >"$root/unicode/$(printf 'Caf\xc3\xa9.txt')"
  printf 'NFD e + combining acute (U+0065 U+0301)\n' >"$root/unicode/$(printf 'Cafe\xcc\x81.txt')"
  printf 'NFD only\n' >"$root/unicode/$(printf 'Re\xcc\x81sume\xcc\x81.txt')"
  printf 'percent in name\n' >"$root/pct/100%.txt"
  printf 'literal percent-two-five in name\n' >"$root/pct/50%25 off.txt"
  printf 'lock me\n' >"$root/locks/held.txt"
  printf 'free\n' >"$root/locks/free.txt"
  printf 'nested under locks\n' >"$root/locks/sub/deep.txt"
  if [[ "$PROFILE" == faulty ]]; then
    mkdir -p "$root/private" "$root/secret/alice" "$root/quota"
    printf 'nobody may read this\n' >"$root/private/secret.txt"
    printf 'behind basic auth\n' >"$root/secret/note.txt"
    printf 'only alice\n' >"$root/secret/alice/diary.txt"
  fi
}

make_big() {
  # make_big DIR COUNT — a collection whose Depth-1 listing is large.
  local dir=$1 count=$2 i
  mkdir -p "$dir"
  for ((i = 0; i < count; i++)); do
    : >"$dir/$(printf 'quarterly-report-%05d-with-a-fairly-long-descriptive-name.txt' "$i")"
  done
}

make_htpasswd() {
  # make_htpasswd FILE — users alice/alice-pw and bob/bob-pw (bcrypt is not understood by every server; use SHA/APR1 MD5)
  local file=$1
  htpasswd -cbm "$file" alice alice-pw 2>/dev/null
  htpasswd -bm "$file" bob bob-pw 2>/dev/null
}

mount_quota() {
  # mount_quota DIR SIZE — a tiny tmpfs so writes hit ENOSPC. Recorded in WORKDIR/mounts for stop.sh.
  local dir=$1 size=$2
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]] && mount -t tmpfs -o "size=$size,mode=0755" tmpfs "$dir" 2>/dev/null; then
    echo "$dir" >>"$WORKDIR/mounts"
    # fill most of it so that a modest PUT overflows
    head -c $(( $(df --output=avail -B1 "$dir" | tail -1) - 16384 )) /dev/zero >"$dir/filler.bin" 2>/dev/null || true
    return 0
  fi
  echo "note: could not mount a tmpfs on $dir; the storage (507) fault is unavailable" >&2
  return 0
}

give_to_run_user() {
  chown -R "$RUN_USER:$RUN_GROUP" "$@"
}

nginx_conf_head() {
  # nginx_conf_head COMMENT WORKER_CONNECTIONS: an nginx.conf's opening up to and inside `http {`, with
  # every file nginx writes kept under $BASE (the caller closes the http block).
  cat <<CONF
# davdoctor peer: $1
daemon off;
master_process on;
worker_processes 1;
user $RUN_USER $RUN_GROUP;
pid $BASE/nginx.pid;
error_log $BASE/logs/error.log info;
events { worker_connections $2; }
http {
    access_log $BASE/logs/access.log;
    client_body_temp_path $BASE/tmp/body;
    proxy_temp_path $BASE/tmp/proxy;
    fastcgi_temp_path $BASE/tmp/body;
    uwsgi_temp_path $BASE/tmp/body;
    scgi_temp_path $BASE/tmp/body;
CONF
}

httpd_conf_head() {
  # httpd_conf_head COMMENT LISTEN_LINES: an httpd.conf's opening (its root, runtime files, Listen lines,
  # name and user under $BASE), for a proxy whose modules the caller loads from $mods.
  cat <<CONF
# davdoctor peer: $1
ServerRoot "$BASE"
DefaultRuntimeDir "$BASE/run"
PidFile "$BASE/run/httpd.pid"
Mutex file:$BASE/run default
$2
ServerName 127.0.0.1:$PORT
User $RUN_USER
Group $RUN_GROUP
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
CONF
}

round_robin_conf() {
  # round_robin_conf COMMENT BACKEND_PORT...: an nginx.conf that sends each request on $PORT to the next
  # backend in turn (Host passed through, bodies streamed both ways), as a load balancer does.
  local comment=$1
  shift
  nginx_conf_head "$comment" 256
  echo "    upstream backends {"
  for backend in "$@"; do echo "        server 127.0.0.1:$backend;"; done
  cat <<CONF
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$PORT;
        client_max_body_size 0;
        location / {
            proxy_pass http://backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_request_buffering off;
            proxy_buffering off;
        }
    }
}
CONF
}

start_nginx() {
  # start_nginx [LAST_PORT]: nginx with $BASE/nginx.conf, its PID in $PIDFILE, once its configuration passes
  # nginx -t and LAST_PORT (default $PORT, the last port it listens on) answers; prints the base URL.
  local last=${1:-$PORT}
  nginx -t -c "$BASE/nginx.conf" -p "$BASE" >"$BASE/logs/configtest.log" 2>&1 || { cat "$BASE/logs/configtest.log" >&2; return 1; }
  setsid nginx -c "$BASE/nginx.conf" -p "$BASE" >>"$BASE/logs/stdout.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  wait_port "$last" "$pid" || { cat "$BASE/logs/error.log" >&2 || true; return 1; }
  echo "http://127.0.0.1:$PORT"
}
