#!/usr/bin/env bash
# Benchmark `davdoctor serve` side by side with nginx + dav-ext, Apache mod_dav, lighttpd and WsgiDAV,
# with wrk, on one generated tree, and measure the memory of a Depth infinity PROPFIND over 100,000 files.
#
#   scripts/bench/server-bench.sh [--davdoctor PATH] [--duration SECONDS] [--connections N] [--runs R]
#                                 [--servers "davdoctor davdoctor-log nginx nginx-sendfile apache lighttpd wsgidav"]
#                                 [--no-rss]
#
# "davdoctor-log" is the same binary with --access-log: every peer below writes an access log, davdoctor
# serve writes none unless asked, so both are measured. "nginx-sendfile" is nginx with `sendfile on` (as
# Debian's own nginx.conf has it; the peer scripts leave nginx's default, off): GET bodies sent by the kernel.
#
# Every server serves the same tree (scripts/peers/lib.sh make_tree + make_big with 1,000 files in /big/,
# plus /bench/4k.bin and /bench/10m.bin) on 127.0.0.1; the peers are started and stopped with the scripts in
# scripts/peers/ (read-only reuse). For each server and request kind, wrk runs R times (default 3) and the
# median requests/s is reported:
#   PROPFIND Depth 1 /big/ (1,000 files, allprop)   PROPFIND Depth 0 /big/   GET 4 KiB   GET 10 MiB   PUT 64 KiB
#   PROPFIND Depth 1 /dead/ (1,000 files that a Windows client gave its four Win32 properties each, set with
#   PROPPATCH once the server is up; "n/a" for a server that does not store them, nginx, or keeps only some,
#   lighttpd)   PROPPATCH of those four properties, file after file of /dead/ (as Windows
#   sends one after each upload; "n/a" where the listing kind is)
# Then davdoctor alone serves 100 collections x 1,000 files and one Depth infinity PROPFIND is streamed to
# /dev/null while the server's RSS is sampled (VmRSS before, VmHWM after). The trees and the data directory
# live in a `mktemp -d` folder: TMPDIR=/dev/shm measures on tmpfs instead of /tmp's file system.
# Progress goes to stderr, the markdown report to stdout. Needs wrk, curl, python3 and the peers' packages.
set -euo pipefail

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$here/scripts/peers"
bin="${DAVDOCTOR_BIN:-}"
duration=10
connections=32
runs=3
servers="davdoctor davdoctor-log nginx apache lighttpd wsgidav"
rss=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --davdoctor) bin=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --servers) servers=$2; shift 2 ;;
        --no-rss) rss=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done
. "$here/scripts/find-davdoctor.sh"
. "$here/scripts/bench/lib.sh"
bin=$(davdoctor_binary "$bin") || exit 2
for tool in wrk curl python3; do command -v "$tool" >/dev/null || { echo "server-bench.sh: $tool is not installed" >&2; exit 2; }; done

work="$(mktemp -d)"
chmod 755 "$work"
davdoctor_pid=""
cleanup() {
    if [[ -n "$davdoctor_pid" ]] && kill -0 "$davdoctor_pid" 2>/dev/null; then
        kill -TERM "$davdoctor_pid" 2>/dev/null || true
        wait "$davdoctor_pid" 2>/dev/null || true
    fi
    "$peers/stop.sh" "$work/peers" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/peers" "$work/lua" "$work/payload"

head -c 4096 /dev/urandom >"$work/payload/4k.bin"
head -c $((10 << 20)) /dev/urandom >"$work/payload/10m.bin"

# add_payload ROOT: the benchmark files, owned like the root so servers that drop privileges can write.
add_payload() {
    local root=$1 i
    mkdir -p "$root/bench/put" "$root/dead"
    cp "$work/payload/4k.bin" "$work/payload/10m.bin" "$root/bench/"
    for ((i = 0; i < 1000; i++)); do : >"$root/dead/$(printf 'minutes-%04d.docx' "$i")"; done
    chown -R --reference="$root" "$root/bench" "$root/dead" 2>/dev/null || true
}

# dead_properties_listed BASE → seeds /dead/ (below) and succeeds when an allprop listing shows every file's
# Win32FileAttributes (lighttpd 1.4.69 answers such a PROPPATCH with 204 but keeps only its first property).
dead_properties_listed() {
    seed_dead_properties "$1" || return 1
    local listed
    listed=$(curl -sS -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' --data-binary "$propfind_body" "$1/dead/" |
        grep -oE '<([A-Za-z0-9_]+:)?Win32FileAttributes[ >]' | wc -l) || return 1
    ((listed == 1000))
}

# seed_dead_properties BASE → sets, with PROPPATCH, the four properties the Windows WebDAV redirector sets on
# every file it writes on each file of /dead/ (the body the PROPPATCH kind sends, $work/proppatch.xml, written
# below); succeeds only if every one was set (207 with 200 inside, or 204).
seed_dead_properties() {
    python3 - "$1" "$work/proppatch.xml" <<'PY'
import http.client, sys, urllib.parse
base = urllib.parse.urlsplit(sys.argv[1])
body = open(sys.argv[2], "rb").read()
connection = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
for i in range(1000):
    connection.request("PROPPATCH", "%s/dead/minutes-%04d.docx" % (base.path.rstrip("/"), i), body=body,
                       headers={"Content-Type": "application/xml; charset=utf-8"})
    answer = connection.getresponse()
    text = answer.read().decode("utf-8", "replace")
    # lighttpd answers a PROPPATCH that set everything with 204 and no body; the listing's check counts them.
    if not (answer.status == 204 or (answer.status == 207 and "200 OK" in text)):
        print("PROPPATCH answered %d" % answer.status, file=sys.stderr)
        sys.exit(1)
PY
}

declare -A url
start_server() {
    local name=$1 port
    port=$(free_port)
    case "$name" in
        davdoctor|davdoctor-log)
            local log=()
            [[ $name == davdoctor-log ]] && log=(--access-log "$work/$name/access.log")
            (
                export PROFILE=clean
                . "$peers/lib.sh"
                make_tree "$work/$name/root"
                make_big "$work/$name/root/big" 1000
            )
            add_payload "$work/$name/root"
            "$bin" serve "$work/$name/root" --host 127.0.0.1 --port "$port" --data-dir "$work/$name/data" "${log[@]}" \
                >"$work/$name.out" 2>&1 &
            davdoctor_pid=$!
            url[$name]="http://127.0.0.1:$port"
            ;;
        nginx|nginx-sendfile|apache|lighttpd|wsgidav)
            local script="$peers/start-$name.sh" extra=""
            [[ $name == nginx* ]] && script="$peers/start-nginx-dav-ext.sh"
            if [[ $name == nginx-sendfile ]]; then
                extra="$work/nginx-sendfile.conf"
                echo "sendfile on;" >"$extra"
            fi
            [[ -x "$script" ]] || { echo "server-bench.sh: $script is missing; skipping $name" >&2; return 1; }
            # nginx gets one worker per core (WORKERS=auto), as davdoctor serve runs one event loop per core.
            url[$name]=$(PROFILE=clean BIG=1000 NAME="$name" WORKERS=auto EXTRA_CONF="$extra" "$script" "$work/peers" "$port" | tail -1)
            add_payload "$work/peers/$name/root"
            ;;
        *) echo "unknown server $name" >&2; return 1 ;;
    esac
    wait_url "${url[$name]}" || { echo "server-bench.sh: $name did not answer" >&2; return 1; }
}

propfind_lua "$work/lua/propfind1.lua" 1
propfind_lua "$work/lua/propfind0.lua" 0
python3 - "$work/lua/put.lua" <<'PY'
import sys
body = "x" * 65536
with open(sys.argv[1], "w") as f:
    f.write('counter = 0\n')
    f.write('body = string.rep("x", 65536)\n')
    f.write('request = function()\n  counter = counter + 1\n')
    f.write('  return wrk.format("PUT", "/bench/put/f" .. (counter % 64) .. ".bin", {["Content-Type"] = "application/octet-stream"}, body)\nend\n')
PY
python3 - "$work/lua/proppatch.lua" "$work/proppatch.xml" <<'PY'
import sys
stamp = "Sat, 05 Dec 2026 18:00:00 GMT"
body = ('<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:">'
        '<D:set><D:prop><Z:Win32CreationTime>%s</Z:Win32CreationTime><Z:Win32LastAccessTime>%s</Z:Win32LastAccessTime>'
        '<Z:Win32LastModifiedTime>%s</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>'
        '</D:prop></D:set></D:propertyupdate>' % (stamp, stamp, stamp))
with open(sys.argv[1], "w") as f:
    f.write('counter = 0\n')
    f.write("body = '%s'\n" % body)
    f.write('request = function()\n  counter = counter + 1\n')
    f.write('  return wrk.format("PROPPATCH", string.format("/dead/minutes-%04d.docx", counter % 1000),'
            ' {["Content-Type"] = "application/xml; charset=utf-8"}, body)\nend\n')
with open(sys.argv[2], "w") as f:
    f.write(body)
PY
# No response() or done() in these scripts: wrk calls response() in each thread's own Lua state and done()
# in the main one, so a counter kept there always read 0; and a response() hook makes wrk copy every body
# into Lua (10 MiB per GET), which slows the client that shares the machine. Statuses are checked instead
# by wrk's own "Non-2xx or 3xx responses" count (any status > 399) and by check_kind below (exact 2xx).
: >"$work/lua/get.lua"

propfind_body='<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'

# check_kind BASE KIND → one request with curl; fails unless the status is 2xx (wrk only counts > 399).
# For PROPFIND Depth 1 it also reports how many <response> elements and bytes came back.
check_kind() {
    local base=$1 kind=$2 code
    local out="$work/check.body"
    case "$kind" in
        propfind1 | propfind0 | propfind1dead | put64k) code=$(check_listing_or_put "$base" "$kind" "$propfind_body" "$out") ;;
        proppatch) code=$(check_proppatch "$base" "$out") ;;
        get4k) code=$(curl -sS -o "$out" -w '%{http_code}' "$base/bench/4k.bin") || code=000 ;;
        get10m) code=$(curl -sS -o "$out" -w '%{http_code}' "$base/bench/10m.bin") || code=000 ;;
    esac
    if [[ $code != 2?? ]]; then
        echo "  $kind: check request answered $code" >&2
        return 1
    fi
    report_listing "$out" "$kind"
}

# check_proppatch BASE OUT → the status of one PROPPATCH as the benchmark sends it; a 207 counts as 207
# only when every property in it was set ("200 OK" inside and nothing else), else 500.
check_proppatch() {
    local base=$1 out=$2 code
    code=$(curl -sS -o "$out" -w '%{http_code}' -X PROPPATCH -H 'Content-Type: application/xml; charset=utf-8' \
        --data-binary "@$work/proppatch.xml" "$base/dead/minutes-0000.docx") || code=000
    if [[ $code == 207 ]] && { ! grep -q '200 OK' "$out" || grep -qE 'HTTP/1.1 [^2]' "$out"; }; then code=500; fi
    echo "$code"
}

# server_ticks NAME → CPU time (clock ticks) used so far by the server: davdoctor's own process, or the
# process group a peer was started in (its recorded PID; Apache's and nginx's workers are in that group).
server_ticks() {
    local name=$1 pid
    if [[ $name == davdoctor* ]]; then pid=$davdoctor_pid; else pid=$(cat "$work/peers/$name.pid" 2>/dev/null || true); fi
    [[ -n "$pid" ]] || { echo 0; return; }
    if [[ $name == davdoctor* ]]; then pid_ticks "$pid"; else group_ticks "$pid"; fi
}

# wait_idle NAME: wrk stops sending when its time is up, but a server may still be working off what it
# accepted (WsgiDAV takes seconds per 1,000-file PROPFIND); that work would be billed to the next run.
# Waits until the server used less than 2 ticks in half a second, at most 120 s.
wait_idle() {
    local name=$1 before after i
    for ((i = 0; i < 240; i++)); do
        before=$(server_ticks "$name")
        sleep 0.5
        after=$(server_ticks "$name")
        if ((after - before < 2)); then
            ((i > 1)) && echo "  (waited $((i / 2)) s for $name to go idle)" >&2
            return 0
        fi
    done
    echo "  $name still busy after 120 s" >&2
}

# bench_one NAME BASE KIND → median requests/s (or "fail")
bench_one() {
    local name=$1 base=$2 kind=$3 script path
    case "$kind" in
        propfind1) script=propfind1; path=/big/ ;;
        propfind0) script=propfind0; path=/big/ ;;
        propfind1dead) script=propfind1; path=/dead/ ;;
        get4k) script=get; path=/bench/4k.bin ;;
        get10m) script=get; path=/bench/10m.bin ;;
        put64k) script=put; path=/ ;;
        proppatch) script=proppatch; path=/ ;;
    esac
    wait_idle "$name"
    check_kind "$base" "$kind" || { echo fail; return; }
    local results=() costs=() i out rate bad sock before after count
    for ((i = 0; i < runs; i++)); do
        wait_idle "$name"
        before=$(server_ticks "$name")
        out=$(wrk -t 2 -c "$connections" -d "${duration}s" --latency -s "$work/lua/$script.lua" "$base$path" 2>&1 || true)
        wait_idle "$name"
        after=$(server_ticks "$name")
        rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        count=$(awk '/requests in/ {print $1}' <<<"$out")
        # The server's CPU time per request (ticks are 1/100 s): what it costs, whatever else runs beside it.
        [[ -n "$count" && "$count" -gt 0 ]] && costs+=("$(awk -v t=$((after - before)) -v n="$count" 'BEGIN {printf "%.1f", t * 10000 / n}')")
        bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
        sock=$(grep -o 'Socket errors:.*' <<<"$out" || true)
        [[ -n "$sock" ]] && echo "  $kind run $i: $sock" >&2
        if [[ -z "$rate" || -n "$bad" ]]; then
            echo "  $kind run $i: failed (${bad:-no rate}; non-2xx)" >&2
            echo fail
            return
        fi
        echo "  $kind run $i: $rate req/s, ${costs[-1]:-?} µs of server CPU per request" >&2
        results+=("$rate")
    done
    printf '%s\n' "${costs[@]}" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%s\n", a[int((NR+1)/2)]; else print "n/a"}' >"$work/cost.$name.$kind"
    printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f\n", a[int((NR+1)/2)]}'
}

kinds=(propfind1 propfind0 get4k get10m put64k propfind1dead proppatch)
declare -A result
for name in $servers; do
    echo "== $name" >&2
    if ! start_server "$name"; then
        for kind in "${kinds[@]}"; do result[$name,$kind]="n/a"; done
        continue
    fi
    for kind in "${kinds[@]}"; do
        if [[ $kind == proppatch && ${result[$name,propfind1dead]} == n/a ]]; then
            result[$name,$kind]="n/a"
            echo "n/a" >"$work/cost.$name.$kind"
            continue
        fi
        if [[ $kind == propfind1dead ]] && ! dead_properties_listed "${url[$name]}"; then
            echo "  $name did not keep every property it was given, or leaves them out of allprop: no $kind" >&2
            result[$name,$kind]="n/a"
            echo "n/a" >"$work/cost.$name.$kind"
            continue
        fi
        result[$name,$kind]=$(bench_one "$name" "${url[$name]}" "$kind")
        echo "  $kind: ${result[$name,$kind]} req/s" >&2
    done
    if [[ $name == davdoctor* ]]; then
        kill -TERM "$davdoctor_pid" 2>/dev/null || true
        wait "$davdoctor_pid" 2>/dev/null || true
        davdoctor_pid=""
    else
        NAME=$name "$peers/stop.sh" "$work/peers" >/dev/null 2>&1 || true
    fi
done

echo "# WebDAV server benchmark"
echo
echo "wrk -t 2 -c $connections -d ${duration}s, median of $runs runs, requests/s (higher is better); $(nproc) cores, $(uname -sr)."
echo
printf '| server | PROPFIND D1 /big/ (1,000 files) | PROPFIND D0 | GET 4 KiB | GET 10 MiB | PUT 64 KiB | PROPFIND D1 /dead/ (4 dead properties a file) | PROPPATCH (4 properties) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for name in $servers; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${result[$name,propfind1]}" "${result[$name,propfind0]}" \
        "${result[$name,get4k]}" "${result[$name,get10m]}" "${result[$name,put64k]}" "${result[$name,propfind1dead]}" \
        "${result[$name,proppatch]}"
done
echo
echo "Server CPU time per request, microseconds (median of the same runs; lower is better; user + system time of"
echo "the server's processes over the run divided by the requests wrk counted):"
echo
printf '| server | PROPFIND D1 | PROPFIND D0 | GET 4 KiB | GET 10 MiB | PUT 64 KiB | PROPFIND D1 /dead/ | PROPPATCH |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for name in $servers; do
    row="| $name"
    for kind in "${kinds[@]}"; do row+=" | $(cat "$work/cost.$name.$kind" 2>/dev/null || echo n/a)"; done
    echo "$row |"
done

if ((rss)); then
    echo "== davdoctor Depth infinity over 100,000 files" >&2
    big="$work/rss/root"
    mkdir -p "$big"
    python3 - "$big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(100):
    folder = os.path.join(root, "dir-%03d" % d)
    os.mkdir(folder)
    for f in range(1000):
        open(os.path.join(folder, "file-%04d-with-a-fairly-long-descriptive-name.txt" % f), "w").close()
PY
    port=$(free_port)
    "$bin" serve "$big" --host 127.0.0.1 --port "$port" --data-dir "$work/rss/data" >"$work/rss.out" 2>&1 &
    davdoctor_pid=$!
    wait_url "http://127.0.0.1:$port"
    curl -fsS -o /dev/null -X PROPFIND -H 'Depth: 1' "http://127.0.0.1:$port/"   # warm up
    before=$(awk '/^VmRSS/ {print $2}' "/proc/$davdoctor_pid/status")
    start=$(date +%s.%N)
    bytes=$(curl -fsS -X PROPFIND -H 'Depth: infinity' "http://127.0.0.1:$port/" -o /dev/null -w '%{size_download}')
    end=$(date +%s.%N)
    peak=$(awk '/^VmHWM/ {print $2}' "/proc/$davdoctor_pid/status")
    count=$(curl -fsS -X PROPFIND -H 'Depth: infinity' "http://127.0.0.1:$port/" | grep -o '<D:response>' | wc -l)
    echo
    echo "Depth infinity PROPFIND over 100,000 files (100 x 1,000, plus 101 collections): $count responses, $bytes bytes" \
        "in $(python3 -c "print(round($end - $start, 2))") s; RSS before $((before / 1024)) MiB, peak $((peak / 1024)) MiB," \
        "growth $(((peak - before) / 1024)) MiB (goal < 32 MiB)."
fi
