#!/usr/bin/env bash
# Where the CPU time of a PROPFIND listing goes in `davdoctor serve`: the server's user and system CPU per
# listing (from /proc, requests sent one at a time, so nothing else is billed to it) and a perf profile.
#
#   scripts/bench/propfind-profile.sh [--davdoctor PATH] [--requests N] [--depth 1|infinity]
#                                     [--body allprop|none|propname] [--top K] [--no-perf]
#
# Depth 1 lists /big/ (1,000 empty files named as server-bench.sh names them); Depth infinity lists a tree of
# 100 collections x 1,000 files (server-bench.sh's memory run). The server runs on 127.0.0.1; after five
# warm-up requests, N requests (default 300 for Depth 1, 5 for infinity) are sent one after another with curl
# while `perf record` samples the server (cpu-clock, 999 Hz), and the script prints the CPU per listing (user
# and system apart), the bytes of one answer and the K symbols (default 30) with the most samples of their own.
# CPU per listing is a ratio of the server's own clock ticks: it holds on a machine others load, where wall
# clock does not. (Instruction counts would be better still, but valgrind 3.19 cannot run serve: it cannot
# read Swift 6.3's DWARF 5, and without debug information it crashes in the runtime's signal thread; this
# machine's perf has no hardware counters.)
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
bin=""
requests=""
depth=1
body=allprop
top=30
perf=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --davdoctor) bin=$2; shift 2 ;;
        --requests) requests=$2; shift 2 ;;
        --depth) depth=$2; shift 2 ;;
        --body) body=$2; shift 2 ;;
        --top) top=$2; shift 2 ;;
        --no-perf) perf=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done
[[ $depth == 1 || $depth == infinity ]] || { echo "propfind-profile.sh: --depth is 1 or infinity" >&2; exit 2; }
. "$here/scripts/find-davdoctor.sh"
. "$here/scripts/bench/lib.sh"
bin=$(davdoctor_binary "$bin") || exit 2
for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "propfind-profile.sh: $tool is not installed" >&2; exit 2; }
done
if ((perf)) && ! command -v perf >/dev/null; then echo "propfind-profile.sh: perf is not installed (or pass --no-perf)" >&2; exit 2; fi
[[ -n $requests ]] || { [[ $depth == 1 ]] && requests=300 || requests=5; }

work="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [[ $depth == 1 ]]; then
    (. "$here/scripts/peers/lib.sh" && make_big "$work/root/big" 1000)
    target=/big/
else
    python3 - "$work/root" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(100):
    folder = os.path.join(root, "dir-%03d" % d)
    os.makedirs(folder)
    for f in range(1000):
        open(os.path.join(folder, "file-%04d-with-a-fairly-long-descriptive-name.txt" % f), "w").close()
PY
    target=/
fi
case "$body" in
    allprop) data='<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' ;;
    propname) data='<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>' ;;
    none) data='' ;;
    *) echo "propfind-profile.sh: --body is allprop, propname or none" >&2; exit 2 ;;
esac

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" serve "$work/root" --host 127.0.0.1 --port "$port" --data-dir "$work/data" >"$work/serve.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    curl -fsS -o /dev/null -X OPTIONS "http://127.0.0.1:$port/" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "propfind-profile.sh: the server died:" >&2; tail -20 "$work/serve.out" >&2; exit 1; }
    sleep 0.1
done

propfind() {
    local args=(-fsS -o "$work/answer.xml" -X PROPFIND -H "Depth: $depth")
    [[ -n $data ]] && args+=(-H 'Content-Type: application/xml' --data-binary "$data")
    curl "${args[@]}" "http://127.0.0.1:$port$target"
}
for _ in 1 2 3 4 5; do propfind; done
# utime and stime of the server process, in clock ticks.
ticks() { awk '{sub(/^.*\) /, ""); print $12, $13}' "/proc/$pid/stat"; }
if ((perf)); then
    perf record -F 999 -g -p "$pid" -o "$work/perf.data" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 1
fi
read -r user0 sys0 < <(ticks)
load=$(load_average)
for ((i = 0; i < requests; i++)); do propfind; done
read -r user1 sys1 < <(ticks)
if ((perf)); then
    kill -INT "$perf_pid"
    wait "$perf_pid" 2>/dev/null || true
fi
responses=$(grep -o '<D:response>' "$work/answer.xml" | wc -l)
bytes=$(stat -c %s "$work/answer.xml")
hz=$(getconf CLK_TCK)

echo "binary: $bin ($("$bin" --version 2>/dev/null || echo '?'))"
echo "PROPFIND Depth $depth $target, body $body: $responses responses, $bytes bytes per answer; $requests answers, one at a time"
echo "load average before: $load; $(machine)"
awk -v u=$((user1 - user0)) -v s=$((sys1 - sys0)) -v n="$requests" -v r="$responses" -v hz="$hz" 'BEGIN {
    printf "server CPU per listing: %.2f ms (user %.2f ms, system %.2f ms); %.2f us per response\n",
        (u + s) * 1000 / hz / n, u * 1000 / hz / n, s * 1000 / hz / n, (u + s) * 1e6 / hz / n / r }'
if ((perf)); then
    echo
    echo "symbols with the most samples of their own:"
    perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n "$top" |
        { command -v swift >/dev/null && swift demangle --simplified || cat; }
fi
