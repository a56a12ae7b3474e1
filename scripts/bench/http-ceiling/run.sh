#!/usr/bin/env bash
# Does the HTTP layer alone cap a Swift server below nginx? GET of a 4 KiB file and PUT of 64 KiB, wrk on
# the same machine.
#
#   bash scripts/bench/http-ceiling/run.sh            (DURATION=10 RUNS=3 PORT_BASE=18180 by default)
#   DURATION=5 RUNS=1 bash scripts/bench/http-ceiling/run.sh
#   PUT_DIR=/dev/shm bash scripts/bench/http-ceiling/run.sh     (where the PUT targets live; default: mktemp's)
#   DAVDOCTOR=.build/release/davdoctor bash scripts/bench/http-ceiling/run.sh
#                     (davdoctor serve in the same run, over the same file and PUT targets, and its PROPFIND
#                      Depth 0 of the served folder: the requests issue 20 holds to this ceiling)
#
# Builds this folder's Swift package (release, build folder .build here), writes a 4096-byte file and an
# nginx config into a mktemp -d folder, then for each server in turn
#   nginx (worker_processes auto, access_log off), nio-plain, hb-plain (Router), hb-plain (bare responder),
#   hb-file, and for PUT nginx's dav module (dav_methods PUT) and hb-put
# starts it on its own 127.0.0.1 port (PORT_BASE .. PORT_BASE+5), records its PID(s) (nginx: master and
# workers), checks GET /4k.bin returns 4096 bytes (PUT /put/check.bin 201 or 204), warms up 2 s, then RUNS
# times waits until the machine is idle and runs `wrk -t 2 -c 32 -d ${DURATION}s` (PUT: 64 KiB bodies to 64
# names in turn, as server-bench.sh sends them), recording req/s and the server's CPU time (utime+stime of
# its PIDs from /proc/PID/stat) per request, and how much of it was user space (utime); then stops it by
# PID. Everything started is stopped on exit.
# Installs nginx-light and wrk with apt-get when missing. Needs swift, curl, python3.
# Progress goes to stderr, two markdown tables (medians over RUNS) to stdout.
set -euo pipefail

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
[[ $# -eq 0 ]] || { [[ $1 == -h || $1 == --help ]] && usage 0; echo "run.sh takes no arguments (see DURATION, RUNS, PORT_BASE)" >&2; usage 2; }

DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
PORT_BASE=${PORT_BASE:-18180}
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"   # propfind_lua
log() { echo "[http-ceiling] $*" >&2; }

# --- tools -----------------------------------------------------------------------------------------
apt_install() {  # apt_install PACKAGE: without starting any service the package ships (nginx would bind :80)
    local sudo="" made_policy=0
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    log "installing $1 with apt-get"
    $sudo apt-get install -y --no-install-recommends "$1" >&2 \
        || { $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends "$1" >&2; }
    [[ $made_policy -eq 0 ]] || $sudo rm -f /usr/sbin/policy-rc.d
}
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || apt_install nginx-light
command -v wrk >/dev/null || apt_install wrk
for tool in swift curl; do command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 2; }; done
if [[ -n ${DAVDOCTOR:-} ]]; then
    [[ -x $DAVDOCTOR ]] || { echo "run.sh: DAVDOCTOR=$DAVDOCTOR is not an executable file" >&2; exit 2; }
    DAVDOCTOR=$(realpath "$DAVDOCTOR")
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- state and cleanup -----------------------------------------------------------------------------
work=$(mktemp -d /tmp/http-ceiling.XXXXXX)
chmod 755 "$work"          # nginx workers may run as another user (nobody/www-data) and must read the file
pids=()                    # PIDs of the server now running (for nginx: master first, then workers)
kill_pids() {              # kill_pids SIGNAL: signal the recorded PIDs, wait up to 10 s, then SIGKILL what is left
    local p i alive
    [[ ${#pids[@]} -gt 0 ]] || return 0
    for p in "${pids[@]}"; do kill "-$1" "$p" 2>/dev/null || true; done
    for i in $(seq 100); do
        alive=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [[ $alive -eq 1 ]] || break
        sleep 0.1
    done
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
cleanup() { kill_pids TERM; rm -rf "$work" "${put_root:-}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -----------------------------------------------------------------------------------------
log "building $here (release; first build takes minutes)"
swift build -c release --package-path "$here" --scratch-path "$here/.build" >&2
bindir=$(swift build -c release --package-path "$here" --scratch-path "$here/.build" --show-bin-path)

# --- payload and nginx config ----------------------------------------------------------------------
mkdir -p "$work/www" "$work/tmp"
head -c 4096 /dev/zero | tr '\0' 'a' >"$work/www/4k.bin"
chmod 755 "$work/www"; chmod 644 "$work/www/4k.bin"
# PUT targets: a folder the nginx workers (www-data or nobody) may write, on PUT_DIR's file system.
put_root=$(mktemp -d "${PUT_DIR:-$work}/http-ceiling-put.XXXXXX")
mkdir -p "$put_root/nginx/put" "$put_root/hb/put" "$put_root/davdoctor/put" "$put_root/body"
chmod -R 777 "$put_root"
python3 - "$work/put.lua" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('counter = 0\nbody = string.rep("x", 65536)\nrequest = function()\n  counter = counter + 1\n')
    f.write('  return wrk.format("PUT", "/put/f" .. (counter % 64) .. ".bin", {["Content-Type"] = "application/octet-stream"}, body)\nend\n')
PY
propfind_lua "$work/propfind0.lua" 0
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$PORT_BASE;
        root $work/www;
        location /put/ {
            root $put_root/nginx;
            client_body_temp_path $put_root/body;
            dav_methods PUT;
            client_max_body_size 1m;
        }
    }
}
EOF

# --- measurement helpers ---------------------------------------------------------------------------
tck=$(getconf CLK_TCK)
cpu_ticks() {  # "utime+stime utime" of the recorded PIDs (fields 14 and 15 of /proc/PID/stat), in clock ticks
    local t=0 u=0 p f
    for p in "${pids[@]}"; do
        f=$(sed 's/.*) //' "/proc/$p/stat")   # drop "pid (comm) ", so utime and stime are fields 12 and 13
        t=$((t + $(awk '{print $12 + $13}' <<<"$f")))
        u=$((u + $(awk '{print $12}' <<<"$f")))
    done
    echo "$t $u"
}
not_idle=0
wait_idle() {  # until the machine is >= 95 % idle over 1 s (at most 60 s)
    local i j a b ta tb idle
    for i in $(seq 60); do
        read -ra a < <(head -1 /proc/stat); sleep 1; read -ra b < <(head -1 /proc/stat)
        ta=0; tb=0
        for j in 1 2 3 4 5 6 7 8; do ta=$((ta + a[j])); tb=$((tb + b[j])); done
        idle=$(( (b[4] + b[5] - a[4] - a[5]) * 100 / (tb - ta) ))
        [[ $idle -lt 95 ]] || return 0
    done
    log "warning: machine still busy after 60 s (${idle}% idle); running anyway"
    not_idle=$((not_idle + 1))
}
wait_listening() {  # wait_listening PORT: until GET /4k.bin gets an HTTP answer, of any status (at most 30 s)
    local i
    for i in $(seq 300); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/4k.bin") != 000 ]] && return 0
        sleep 0.1
    done
    return 1
}
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

labels=(); med_rps=(); med_us=(); med_user=(); notes=()
bench() {  # bench LABEL PORT [put|propfind0]: the server is running with its PIDs in pids
    local label=$1 port=$2 url="http://127.0.0.1:$2/4k.bin" p r out reqs rps c0 c1 u0 u1 size errs status
    local load=()
    wait_listening "$port" || { log "$label did not answer on port $port"; exit 1; }
    if [[ ${3:-} == propfind0 ]]; then
        url="http://127.0.0.1:$2/"
        load=(-s "$work/propfind0.lua")
        status=$(curl -s -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' "$url")
        [[ $status == 207 ]] || { log "$label answered PROPFIND with $status"; exit 1; }
    elif [[ ${3:-} == put ]]; then
        url="http://127.0.0.1:$2/"
        load=(-s "$work/put.lua")
        status=$(head -c 65536 /dev/zero | curl -s -o /dev/null -w '%{http_code}' -T - "${url}put/check.bin")
        [[ $status == 201 || $status == 204 ]] || { log "$label answered PUT with $status"; exit 1; }
    else
        size=$(curl -sf -o /dev/null -w '%{size_download}' "$url")
        [[ $size -eq 4096 ]] || { log "$label answered $size bytes, not 4096"; exit 1; }
    fi
    log "$label (PIDs ${pids[*]}): warm-up 2 s"
    wrk -t 2 -c 32 -d 2s "${load[@]}" "$url" >/dev/null
    local rps_list=() us_list=() user_list=()
    for r in $(seq "$RUNS"); do
        wait_idle
        read -r c0 u0 < <(cpu_ticks)
        out=$(wrk -t 2 -c 32 -d "${DURATION}s" "${load[@]}" "$url")
        read -r c1 u1 < <(cpu_ticks)
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { log "$label: PID $p died during run $r"; exit 1; }; done
        reqs=$(awk '/requests in/ {print $1}' <<<"$out")
        rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
        errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' \n' ' ' || true)
        [[ -z $errs ]] || notes+=("$label run $r: $errs")
        rps_list+=("$rps")
        us_list+=("$(awk -v c=$((c1 - c0)) -v n="$reqs" -v t="$tck" 'BEGIN {printf "%.1f", c / t * 1e6 / n}')")
        user_list+=("$(awk -v c=$((u1 - u0)) -v n="$reqs" -v t="$tck" 'BEGIN {printf "%.1f", c / t * 1e6 / n}')")
        log "$label run $r/$RUNS: ${rps} req/s, ${us_list[-1]} µs CPU/request (${user_list[-1]} user)${errs:+, $errs}"
    done
    labels+=("$label")
    med_rps+=("$(printf '%s\n' "${rps_list[@]}" | median)")
    med_us+=("$(printf '%s\n' "${us_list[@]}" | median)")
    med_user+=("$(printf '%s\n' "${user_list[@]}" | median)")
}
start_davdoctor() {  # start_davdoctor PORT ROOT: davdoctor serve over ROOT, its data directory beside it
    local port=$1 root=$2
    curl -s -o /dev/null "http://127.0.0.1:$port/" && { log "port $port is already in use"; exit 1; }
    "$DAVDOCTOR" serve "$root" --host 127.0.0.1 --port "$port" --data-dir "$work/davdoctor-data.$port" >>"$work/davdoctor.log" 2>&1 &
    pids=($!)
}
start_swift() {  # start_swift PORT BINARY ARGS...: runs in the background, its PID recorded
    local port=$1 name=$2; shift 2
    curl -s -o /dev/null "http://127.0.0.1:$port/" && { log "port $port is already in use"; exit 1; }
    "$bindir/$name" "$port" "$@" >>"$work/$name.log" 2>&1 &
    pids=($!)
}

# --- the servers -----------------------------------------------------------------------------------
curl -s -o /dev/null "http://127.0.0.1:$PORT_BASE/" && { log "port $PORT_BASE is already in use"; exit 1; }
"$NGINX" -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids=($!)
wait_listening "$PORT_BASE" || { log "nginx did not start:"; cat "$work/nginx-error.log" >&2; exit 1; }
for i in $(seq 50); do   # the master forks one worker per core
    mapfile -t workers < <(ps -o pid= --ppid "${pids[0]}" | tr -d ' ')
    [[ ${#workers[@]} -lt $(nproc) ]] || break
    sleep 0.1
done
pids+=("${workers[@]}")
nginx_version=$("$NGINX" -v 2>&1 | sed 's/^nginx version: nginx\///')
bench "nginx $nginx_version (${#workers[@]} workers)" "$PORT_BASE"
kill_pids QUIT           # graceful stop; kill_pids falls back to SIGKILL after 10 s

start_swift $((PORT_BASE + 1)) nio-plain;                      bench "nio-plain (SwiftNIO HTTP/1.1)" $((PORT_BASE + 1)); kill_pids TERM
start_swift $((PORT_BASE + 2)) hb-plain router;                bench "hb-plain (Hummingbird Router)" $((PORT_BASE + 2)); kill_pids TERM
start_swift $((PORT_BASE + 3)) hb-plain responder;             bench "hb-plain (Hummingbird bare responder)" $((PORT_BASE + 3)); kill_pids TERM
start_swift $((PORT_BASE + 4)) hb-file "$work/www/4k.bin";     bench "hb-file (Hummingbird Router, file read per request)" $((PORT_BASE + 4)); kill_pids TERM
if [[ -n ${DAVDOCTOR:-} ]]; then
    start_davdoctor $((PORT_BASE + 6)) "$work/www"
    bench "davdoctor serve (GET)" $((PORT_BASE + 6))
    bench "davdoctor serve (PROPFIND Depth 0 of the folder)" $((PORT_BASE + 6)) propfind0
    kill_pids TERM
fi
get_count=${#labels[@]}

# PUT of 64 KiB: nginx's dav module against the least a Hummingbird app does for the same atomic PUT.
"$NGINX" -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids=($!)
wait_listening "$PORT_BASE" || { log "nginx did not start again:"; cat "$work/nginx-error.log" >&2; exit 1; }
for i in $(seq 50); do
    mapfile -t workers < <(ps -o pid= --ppid "${pids[0]}" | tr -d ' ')
    [[ ${#workers[@]} -lt $(nproc) ]] || break
    sleep 0.1
done
pids+=("${workers[@]}")
bench "nginx $nginx_version dav_methods PUT (${#workers[@]} workers)" "$PORT_BASE" put
kill_pids QUIT
start_swift $((PORT_BASE + 5)) hb-put "$put_root/hb/put";       bench "hb-put (Hummingbird Router, body to a temporary file, rename)" $((PORT_BASE + 5)) put; kill_pids TERM
if [[ -n ${DAVDOCTOR:-} ]]; then
    start_davdoctor $((PORT_BASE + 7)) "$put_root/davdoctor"
    bench "davdoctor serve (PUT)" $((PORT_BASE + 7)) put
    kill_pids TERM
fi

# --- report ----------------------------------------------------------------------------------------
versions=$(awk '/"identity" *: *"(swift-nio|hummingbird)"/ {id = $3; gsub(/[",]/, "", id)}
    /"version"/ && id {gsub(/[",]/, "", $3); printf "%s%s %s", sep, id, $3; sep = ", "; id = ""}' "$here/Package.resolved")
table() {  # table FIRST LAST: rows FIRST..LAST, the × columns against row FIRST
    local i
    echo "| server | median req/s | × nginx | median CPU µs/request | CPU × nginx | of it user space, µs |"
    echo "|---|---:|---:|---:|---:|---:|"
    for ((i = $1; i <= $2; i++)); do
        awk -v l="${labels[$i]}" -v r="${med_rps[$i]}" -v n="${med_rps[$1]}" -v u="${med_us[$i]}" -v nu="${med_us[$1]}" \
            -v user="${med_user[$i]}" 'BEGIN {printf "| %s | %.0f | %.2f× | %.1f | %.2f× | %.1f |\n", l, r, r / n, u, u / nu, user}'
    done
}
echo "GET /4k.bin"
echo
table 0 $((get_count - 1))
echo
echo "PUT of 64 KiB (64 names in turn), targets on $(df -T "$put_root" | awk 'NR == 2 {print $2 " (" $1 ")"}')"
echo
table "$get_count" $((${#labels[@]} - 1))
echo
echo "Median of $RUNS runs of \`wrk -t 2 -c 32 -d ${DURATION}s\` (GET http://127.0.0.1:PORT/4k.bin, a 4096-byte body; PUT with put.lua; 2 s warm-up, machine idle before each run); CPU = the server's utime+stime (all its PIDs) ÷ requests. Machine: \`nproc\` = $(nproc), $(uname -sr), nginx $nginx_version, $versions, $(swift --version 2>&1 | head -1 | sed 's/ (.*//')."
echo "Command: \`DURATION=$DURATION RUNS=$RUNS PORT_BASE=$PORT_BASE${PUT_DIR:+ PUT_DIR=$PUT_DIR}${DAVDOCTOR:+ DAVDOCTOR=$DAVDOCTOR} bash scripts/bench/http-ceiling/run.sh\`"
[[ $not_idle -eq 0 ]] || echo "Note: $not_idle run(s) started while the machine was still busy after waiting 60 s."
for n in "${notes[@]}"; do echo "Note: $n"; done
log "done"
