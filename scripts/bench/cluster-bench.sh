#!/usr/bin/env bash
# Benchmark `davdoctor serve` as a cluster, through the nginx round-robin balancer of
# scripts/peers/start-cluster.sh: one and two instances on PostgreSQL, and one instance on SQLite (its
# default data directory) behind the same nginx, with wrk.
#
#   scripts/bench/cluster-bench.sh [--davdoctor PATH] [--duration SECONDS] [--connections N] [--runs R]
#                                  [--configs "pg1 pg2 sqlite1"] [--kinds "propfind0 propfind1 put64k lock"]
#
#   propfind0  PROPFIND Depth 0 /big/        propfind1  PROPFIND Depth 1 /big/ (1,000 files, allprop)
#   put64k     PUT 64 KiB (64 names per run, rewritten in turn)
#   lock       LOCK (exclusive, Depth 0) of a file, then UNLOCK with the token its answer carried: wrk with a
#              Lua script whose response() queues each answer's Lock-Token and lockroot; a thread's next
#              request releases one (a pair is two requests; a status other than 200/204 fails the run)
#
# Each configuration is started with start-cluster.sh (INSTANCES, STORE) on free ports; for each kind, wrk
# (-t 2, default -c 16, -d 10) runs R times (default 3) and the medians are reported: requests/s, and the
# CPU time per request of every process involved, read from /proc/PID/stat (utime + stime, and cutime +
# cstime for reaped children such as PostgreSQL backends) over the whole process tree of each davdoctor
# instance, of the postmaster and of nginx, before and after the run once all have gone idle. wrk's own CPU
# is not counted. Both nginx and the instances write access logs (start-cluster.sh starts them so).
# Progress goes to stderr, the markdown report to stdout. Needs wrk, curl, nginx and PostgreSQL.
set -euo pipefail

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$here/scripts/peers"
bin="${DAVDOCTOR_BIN:-}"
duration=10
connections=16
runs=3
configs="pg1 pg2 sqlite1"
kinds="propfind0 propfind1 put64k lock"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --davdoctor) bin=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "cluster-bench.sh: unknown argument: $1" >&2; usage 2 ;;
  esac
done
for config in $configs; do
  case "$config" in pg1|pg2|sqlite1) ;; *) echo "cluster-bench.sh: unknown configuration $config (pg1, pg2, sqlite1)" >&2; exit 2 ;; esac
done
for kind in $kinds; do
  case "$kind" in propfind0|propfind1|put64k|lock) ;; *) echo "cluster-bench.sh: unknown kind $kind" >&2; exit 2 ;; esac
done
. "$here/scripts/find-davdoctor.sh"
. "$here/scripts/bench/lib.sh"
bin=$(davdoctor_binary "$bin") || exit 2
for tool in wrk curl nginx; do command -v "$tool" >/dev/null || { echo "cluster-bench.sh: $tool is not installed" >&2; exit 2; }; done

work="$(mktemp -d /tmp/davdoctor-cluster-bench.XXXXXX)"
chmod 755 "$work"
cleanup() {
  local dir
  for dir in "$work"/*/; do [[ -d $dir ]] && "$peers/stop.sh" "$dir" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lua"

# free_base → the first of four consecutive ports below Linux's ephemeral range that nothing listens on.
free_base() {
  local first p busy
  for _ in $(seq 200); do
    first=$((20000 + RANDOM % 12000))
    busy=0
    for ((p = first; p < first + 4; p++)); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy=1; break; fi
    done
    ((busy)) || { echo "$first"; return 0; }
  done
  echo "cluster-bench.sh: no four free ports found" >&2
  return 1
}

propfind_body='<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
lock_body='<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>cluster-bench</D:owner></D:lockinfo>'
lock_files=256

propfind_lua "$work/lua/propfind1.lua" 1 "$propfind_body"
propfind_lua "$work/lua/propfind0.lua" 0 "$propfind_body"
cat >"$work/lua/put64k.lua" <<'LUA'
counter = 0
body = string.rep("x", 65536)
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/bench/put/f" .. (counter % 64) .. ".bin", {["Content-Type"] = "application/octet-stream"}, body)
end
LUA
# LOCK then UNLOCK. wrk calls response() without saying which request it answers, so each LOCK answer's
# token and lockroot go into the thread's queue and the next request of any connection releases the oldest.
# The files are per run and per thread (RUN/tID-K.txt, K cycling over LOCK_FILES): a file comes round again
# only after hundreds of locks, long after its UNLOCK. Counts are read back in done() through thread:get.
cat >"$work/lua/lock.lua" <<LUA
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  run = "r0"
  for _, arg in pairs(args) do
    if string.match(arg, "^r%d+$") then run = arg end
  end
  counter, locked, unlocked, unexpected = 0, 0, 0, 0
  pending = {}
end
function request()
  local entry = table.remove(pending, 1)
  if entry then
    return wrk.format("UNLOCK", entry.path, {["Lock-Token"] = entry.token})
  end
  counter = counter + 1
  local path = string.format("/bench/locks/%s/t%d-%d.txt", run, id, counter % $lock_files)
  return wrk.format("LOCK", path, {["Timeout"] = "Second-600", ["Content-Type"] = "application/xml"}, '$lock_body')
end
function response(status, headers, body)
  if status == 200 then
    local token
    for name, value in pairs(headers) do
      if string.lower(name) == "lock-token" then token = value end
    end
    local root = body:match("lockroot>%s*<[%w:]*href>([^<]+)<")
    if token and root then
      locked = locked + 1
      table.insert(pending, {path = root, token = token})
    else
      unexpected = unexpected + 1
    end
  elseif status == 204 then
    unlocked = unlocked + 1
  else
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local l, u, x = 0, 0, 0
  for _, thread in ipairs(threads) do
    l = l + thread:get("locked")
    u = u + thread:get("unlocked")
    x = x + thread:get("unexpected")
  end
  io.write(string.format("lock-unlock: %d locked, %d unlocked, %d unexpected\n", l, u, x))
end
LUA

# check_kind BASE KIND: one request (a LOCK and its UNLOCK for lock) with curl; fails unless 2xx. For
# PROPFIND Depth 1 it says how many responses and bytes came back.
check_kind() {
  local base=$1 kind=$2 code out="$work/check.body" token
  case "$kind" in
    propfind1|propfind0|put64k) code=$(check_listing_or_put "$base" "$kind" "$propfind_body" "$out") ;;
    lock)
      code=$(curl -sS -o "$out" -D "$work/check.headers" -w '%{http_code}' -X LOCK -H 'Timeout: Second-600' \
        -H 'Content-Type: application/xml' --data-binary "$lock_body" "$base/bench/check-lock.txt") || code=000
      token=$(awk 'tolower($1) == "lock-token:" {print $2}' "$work/check.headers" | tr -d '\r')
      if [[ $code == 2?? ]]; then
        code=$(curl -sS -o /dev/null -w '%{http_code}' -X UNLOCK -H "Lock-Token: $token" "$base/bench/check-lock.txt") || code=000
      fi ;;
  esac
  if [[ $code != 2?? ]]; then
    echo "  $kind: check request answered $code" >&2
    return 1
  fi
  report_listing "$out" "$kind"
}

# ticks DIR → CPU clock ticks used so far by each part of the configuration in DIR, as "davdoctor postgres
# nginx": for each recorded PID, the sum over its live process tree of utime + stime + cutime + cstime (a
# child that exited and was reaped is in its parent's cutime/cstime: PostgreSQL's ended backends).
ticks() {
  local dir=$1 serve="" postgres="" nginx=""
  for f in "$dir"/cluster-serve*.pid; do [[ -s $f ]] && serve+="$(cat "$f") "; done
  [[ -s $dir/cluster-postgres.pid ]] && postgres=$(cat "$dir/cluster-postgres.pid")
  [[ -s $dir/cluster.pid ]] && nginx=$(cat "$dir/cluster.pid")
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v serve="$serve" -v postgres="$postgres" -v nginx="$nginx" '
    {
      pid = $1
      sub(/^.*\) /, "")
      parent[pid] = $2
      t[pid] = $12 + $13 + $14 + $15
    }
    function part(roots,   n, r, i, p, q, sum, seen) {
      n = split(roots, r, " ")
      sum = 0
      for (p in t) {
        for (q = p; q != "" && q != 0 && q != 1; q = parent[q]) {
          for (i = 1; i <= n; i++) if (q == r[i]) { sum += t[p]; q = ""; break }
          if (q == "") break
        }
      }
      return sum
    }
    END { printf "%d %d %d\n", part(serve), part(postgres), part(nginx) }'
}

total_ticks() { ticks "$1" | awk '{print $1 + $2 + $3}'; }

# wait_idle DIR: until the configuration used under 2 ticks in half a second (at most 60 s), so that work
# left from one run (a request still being answered, PostgreSQL writing) is not billed to the next.
wait_idle() {
  local dir=$1 before after i
  for ((i = 0; i < 120; i++)); do
    before=$(total_ticks "$dir")
    sleep 0.5
    after=$(total_ticks "$dir")
    ((after - before < 2)) && return 0
  done
  echo "  still busy after 60 s" >&2
}

# per_request TICKS COUNT → microseconds per request (a tick is 1/100 s).
per_request() { awk -v t="$1" -v n="$2" 'BEGIN {printf "%.0f", t * 10000 / n}'; }

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "n/a"}'; }

declare -A rate cost split
load_during=()
# bench_one CONFIG DIR BASE KIND: R runs of wrk; records the medians in rate/cost/split.
bench_one() {
  local config=$1 dir=$2 base=$3 kind=$4 path=/big/ args=() i out before after count r bad sock lockline
  [[ $kind == put64k || $kind == lock ]] && path=/
  wait_idle "$dir"
  if ! check_kind "$base" "$kind"; then
    rate[$config,$kind]=fail
    return
  fi
  local rates=() costs=() dd=() pg=() ng=()
  for ((i = 1; i <= runs; i++)); do
    args=()
    if [[ $kind == lock ]]; then
      # Each run locks files of its own: a lock a run left queued at its end holds nothing the next one needs.
      local t k
      for t in 1 2; do
        mkdir -p "$dir/cluster/root/bench/locks/r$i"
        for ((k = 0; k < lock_files; k++)); do : >"$dir/cluster/root/bench/locks/r$i/t$t-$k.txt"; done
      done
      args=(-- "r$i")
    fi
    wait_idle "$dir"
    before=$(ticks "$dir")
    out=$(wrk -t 2 -c "$connections" -d "${duration}s" -s "$work/lua/$kind.lua" "$base$path" "${args[@]}" 2>&1 || true)
    load_during+=("$(load_average | cut -d' ' -f1)")
    wait_idle "$dir"
    after=$(ticks "$dir")
    r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    count=$(awk '/requests in/ {print $1}' <<<"$out")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    sock=$(grep -o 'Socket errors:.*' <<<"$out" || true)
    lockline=$(grep -o 'lock-unlock:.*' <<<"$out" || true)
    [[ -n $sock ]] && echo "  $kind run $i: $sock" >&2
    if [[ -z $r || -z $count || $count -eq 0 || -n $bad ]] || [[ $kind == lock && ! $lockline =~ \ 0\ unexpected ]]; then
      echo "  $kind run $i: failed (${bad:+$bad non-2xx; }${lockline:-no rate})" >&2
      rate[$config,$kind]=fail
      return
    fi
    read -r d0 p0 n0 <<<"$before"
    read -r d1 p1 n1 <<<"$after"
    costs+=("$(per_request $((d1 - d0 + p1 - p0 + n1 - n0)) "$count")")
    dd+=("$(per_request $((d1 - d0)) "$count")")
    pg+=("$(per_request $((p1 - p0)) "$count")")
    ng+=("$(per_request $((n1 - n0)) "$count")")
    rates+=("$r")
    echo "  $kind run $i: $r req/s, ${costs[-1]} µs CPU per request (davdoctor ${dd[-1]}, postgres ${pg[-1]}, nginx ${ng[-1]})${lockline:+; $lockline}" >&2
  done
  rate[$config,$kind]=$(printf '%s\n' "${rates[@]}" | median | awk '{printf "%.0f", $1}')
  cost[$config,$kind]=$(printf '%s\n' "${costs[@]}" | median)
  split[$config,$kind]="$(printf '%s\n' "${dd[@]}" | median) + $(printf '%s\n' "${pg[@]}" | median) + $(printf '%s\n' "${ng[@]}" | median)"
}

load_before=$(load_average)
started=$(date -u +%FT%TZ)
declare -A label=([pg1]="1 instance, PostgreSQL" [pg2]="2 instances, PostgreSQL" [sqlite1]="1 instance, SQLite")
for config in $configs; do
  echo "== $config (${label[$config]})" >&2
  dir="$work/$config"
  mkdir -p "$dir"
  instances=1 store=postgres
  [[ $config == pg2 ]] && instances=2
  [[ $config == sqlite1 ]] && store=sqlite
  port=$(free_base)
  if ! base=$(DAVDOCTOR_BIN="$bin" INSTANCES=$instances STORE=$store NAME=cluster bash "$peers/start-cluster.sh" "$dir" "$port" | tail -1) \
    || [[ $base != http://* ]]; then
    echo "cluster-bench.sh: the $config cluster did not start" >&2
    for kind in $kinds; do rate[$config,$kind]=fail; done
    "$peers/stop.sh" "$dir" >/dev/null 2>&1 || true
    continue
  fi
  (
    PROFILE=clean
    . "$peers/lib.sh"
    make_big "$dir/cluster/root/big" 1000
  )
  mkdir -p "$dir/cluster/root/bench/put" "$dir/cluster/root/bench/locks"
  for kind in $kinds; do
    bench_one "$config" "$dir" "$base" "$kind"
    echo "  $kind: ${rate[$config,$kind]} req/s, ${cost[$config,$kind]:-n/a} µs per request" >&2
  done
  "$peers/stop.sh" "$dir" >/dev/null 2>&1 || true
done

declare -A title=([propfind0]="PROPFIND D0" [propfind1]="PROPFIND D1 (1,000 files)" [put64k]="PUT 64 KiB" [lock]="LOCK+UNLOCK (per request)")
echo "# davdoctor serve cluster benchmark (through nginx round-robin)"
echo
echo "Started $started; wrk -t 2 -c $connections -d ${duration}s, median of $runs runs; $(machine), $(uname -sr);"
echo "load average before $load_before, during the runs $(printf '%s\n' "${load_during[@]}" | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%s–%s (median %s)", a[1], a[NR], a[int((NR+1)/2)]}');"
echo "$("$bin" --version 2>/dev/null | head -1) ($bin)."
echo
header="| configuration"
rule="|---"
for kind in $kinds; do header+=" | ${title[$kind]}"; rule+="|---:"; done
echo "Requests/s · CPU time per request, all processes (µs):"
echo
echo "$header |"
echo "$rule|"
for config in $configs; do
  row="| ${label[$config]}"
  for kind in $kinds; do row+=" | ${rate[$config,$kind]} · ${cost[$config,$kind]:-n/a}"; done
  echo "$row |"
done
echo
echo "CPU time per request by part, µs: davdoctor instances + PostgreSQL (postmaster and backends) + nginx:"
echo
echo "$header |"
echo "$rule|"
for config in $configs; do
  row="| ${label[$config]}"
  for kind in $kinds; do row+=" | ${split[$config,$kind]:-n/a}"; done
  echo "$row |"
done
