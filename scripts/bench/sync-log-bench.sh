#!/usr/bin/env bash
# What the sync-collection change log costs a request, with SQLite (--data-dir) and with PostgreSQL
# (--store), measured with wrk against `davdoctor serve` on 127.0.0.1.
#
#   scripts/bench/sync-log-bench.sh [--davdoctor PATH] [--baseline PATH] [--duration SECONDS] [--runs R]
#                                   [--connections N] [--stores "sqlite postgres"]
#
# Request kinds, each on /c/ (100 files of 4 KiB):
#   propfind-etag    PROPFIND Depth 0 /c/ asking DAV:getetag (no store query: the reference)
#   propfind-token   PROPFIND Depth 0 /c/ asking DAV:sync-token (the log's window: a query with PostgreSQL)
#   put4k            PUT of 4 KiB over one of 64 files in /c/put/ (the log's begin and end around the write)
# For each binary (--davdoctor, and --baseline when given, e.g. the main branch's) and each store, a fresh
# tree and a fresh database; wrk -t 2 -c N -d S, R runs, medians. Reported beside requests/s: the CPU time
# (user + system) per request of the davdoctor process and of PostgreSQL (the postmaster and its backends,
# live and ended), read from /proc before and after each run, and the load average before and
# after. PostgreSQL is started by scripts/peers/start-postgres.sh in a temporary directory and stopped
# at the end. Progress goes to stderr, the markdown report to stdout. Needs wrk, curl, python3, PostgreSQL.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$here/scripts/peers"
bin=""
baseline=""
duration=6
connections=16
runs=3
stores="sqlite postgres"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --davdoctor) bin=$2; shift 2 ;;
        --baseline) baseline=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --stores) stores=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done
. "$here/scripts/find-davdoctor.sh"
. "$here/scripts/bench/lib.sh"
bin=$(davdoctor_binary "$bin") || exit 2
for tool in wrk curl python3; do command -v "$tool" >/dev/null || { echo "sync-log-bench.sh: $tool is not installed" >&2; exit 2; }; done

work="$(mktemp -d)"
chmod 755 "$work"
serve_pid=""
cleanup() {
    if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2>/dev/null; then
        kill -TERM "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    "$peers/stop.sh" "$work" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lua"


postgres_url=""
postgres_pid=""
if [[ " $stores " == *" postgres "* ]]; then
    pg_port=$(free_port)
    postgres_url=$(NAME=bench-postgres bash "$peers/start-postgres.sh" "$work" "$pg_port" | tail -1)
    postgres_pid=$(cat "$work/bench-postgres.pid")
    PGPASSWORD=$(cat "$work/bench-postgres/password")
    export PGPASSWORD
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

prop_body() { printf '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:%s/></D:prop></D:propfind>' "$1"; }
for prop in getetag sync-token; do
    kind=propfind-etag
    [[ $prop == sync-token ]] && kind=propfind-token
    propfind_lua "$work/lua/$kind.lua" 0 "$(prop_body "$prop")"
done
cat >"$work/lua/put4k.lua" <<'LUA'
counter = 0
body = string.rep("x", 4096)
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/c/put/f" .. (counter % 64) .. ".bin", {["Content-Type"] = "application/octet-stream"}, body)
end
LUA

# postgres_ticks PID → CPU clock ticks used so far by PostgreSQL: the postmaster PID with its reaped children
# (cutime, cstime: backends of closed connections) and its live children (each backend is a session of its own).
postgres_ticks() {
    [[ -n "$1" ]] || { echo 0; return; }
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v g="$1" '{
        pid = $1; sub(/^.*\) /, "")
        if (pid == g) t += $12 + $13 + $14 + $15; else if ($2 == g) t += $12 + $13
    } END {print t + 0}'
}

# start_serve BINARY STORE: a fresh tree (and database), davdoctor serve on it; sets serve_pid and base.
start_serve() {
    local binary=$1 store=$2 port root args=()
    root="$work/root-$RANDOM$RANDOM"
    mkdir -p "$root/c/put"
    for i in $(seq 1 100); do head -c 4096 /dev/zero >"$root/c/f$i.bin"; done
    port=$(free_port)
    if [[ $store == postgres ]]; then
        local database="b$RANDOM$RANDOM"
        "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U davdoctor -d postgres -qc "CREATE DATABASE $database" >/dev/null
        args=(--store "${postgres_url%/*}/$database")
    else
        args=(--data-dir "$root.data")
    fi
    "$binary" serve "$root" --host 127.0.0.1 --port "$port" "${args[@]}" >"$work/serve.log" 2>&1 &
    serve_pid=$!
    base="http://127.0.0.1:$port"
    for _ in $(seq 1 200); do
        curl -fsS -o /dev/null -X OPTIONS "$base/" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "sync-log-bench.sh: $binary serve ($store) did not answer:" >&2
    cat "$work/serve.log" >&2
    return 1
}

stop_serve() {
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=""
}

# check KIND: one request with curl, which must answer 2xx.
check() {
    local code
    case "$1" in
        propfind-etag) code=$(curl -sS -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' --data-binary "$(prop_body getetag)" "$base/c/") ;;
        propfind-token) code=$(curl -sS -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' --data-binary "$(prop_body sync-token)" "$base/c/") ;;
        put4k) code=$(head -c 4096 /dev/zero | curl -sS -o /dev/null -w '%{http_code}' -T - "$base/c/put/check.bin") ;;
    esac
    [[ $code == 2?? ]] || { echo "  $1: check request answered $code" >&2; return 1; }
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "n/a"}'; }

# bench KIND → "rate davdoctor-µs postgres-µs" (medians of the runs).
bench() {
    local kind=$1 i out rate count d0 d1 p0 p1 rates=() own=() pg=()
    check "$kind" || { echo "fail fail fail"; return; }
    for ((i = 0; i < runs; i++)); do
        sleep 1
        d0=$(pid_ticks "$serve_pid"); p0=$(postgres_ticks "$postgres_pid")
        out=$(wrk -t 2 -c "$connections" -d "${duration}s" -s "$work/lua/$kind.lua" "$base/c/" 2>&1 || true)
        sleep 1
        d1=$(pid_ticks "$serve_pid"); p1=$(postgres_ticks "$postgres_pid")
        rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        count=$(awk '/requests in/ {print $1}' <<<"$out")
        if [[ -z "$rate" || -z "$count" || "$count" -eq 0 ]] || grep -q 'Non-2xx' <<<"$out"; then
            echo "  $kind run $i failed: $(grep -E 'Non-2xx|Socket' <<<"$out" | tr '\n' ' ')" >&2
            echo "fail fail fail"
            return
        fi
        rates+=("$rate")
        own+=("$(awk -v t=$((d1 - d0)) -v n="$count" 'BEGIN {printf "%.1f", t * 10000 / n}')")
        pg+=("$(awk -v t=$((p1 - p0)) -v n="$count" 'BEGIN {printf "%.1f", t * 10000 / n}')")
        echo "  $kind run $i: $rate req/s, ${own[-1]} µs davdoctor CPU, ${pg[-1]} µs PostgreSQL CPU per request" >&2
    done
    echo "$(printf '%s\n' "${rates[@]}" | median) $(printf '%s\n' "${own[@]}" | median) $(printf '%s\n' "${pg[@]}" | median)"
}

kinds=(propfind-etag propfind-token put4k)
binaries=("$bin")
[[ -n "$baseline" ]] && binaries+=("$baseline")
load_before=$(load_average)
rows=()
for binary in "${binaries[@]}"; do
    label=$("$binary" --version 2>/dev/null | head -1 || echo "$binary")
    for store in $stores; do
        echo "== $label, $store" >&2
        start_serve "$binary" "$store" || exit 1
        row="| $label | $store |"
        for kind in "${kinds[@]}"; do
            read -r rate own pg <<<"$(bench "$kind")"
            [[ $store == sqlite ]] && pg="–"
            row+=" $rate / $own / $pg |"
        done
        rows+=("$row")
        stop_serve
    done
done
load_after=$(load_average)

echo "# The change log's cost per request"
echo
echo "wrk -t 2 -c $connections -d ${duration}s, median of $runs runs; $(nproc) cores, $(uname -sr); load average $load_before before, $load_after after."
echo "Each cell: requests/s / davdoctor CPU µs per request / PostgreSQL CPU µs per request."
echo
echo "| binary | store | PROPFIND D0 getetag | PROPFIND D0 sync-token | PUT 4 KiB |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
