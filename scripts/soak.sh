#!/usr/bin/env bash
# A soak of `davdoctor serve`: a mixed WebDAV load from wrk for a bounded time on 127.0.0.1, with the
# server's resident memory and open file descriptors sampled throughout.
#
#   scripts/soak.sh [--davdoctor PATH] [--minutes 10] [--sample-seconds 10] [--warm-up-seconds 60]
#
# Nine wrk processes run side by side, one per kind of request in scripts/soak/mixed.lua (GET, OPTIONS,
# PROPFIND Depth 1 and 0, PUT 16 KiB, DELETE, PROPPATCH, LOCK with a 1 s timeout, COPY), 20 connections in
# all, on a tree of 50 files; the server keeps dead properties and locks in SQLite (--data-dir). Each kind
# counts its statuses against the ones the load asks for (e.g. 423 for a LOCK on a path still locked).
# The report (markdown, stdout) gives requests/s, statuses, and RSS and descriptors after warm-up; the
# script exits 1 when a response was unexpected, a socket error happened, or RSS or descriptors grew:
# flat means the median of the last five samples is within 10% (RSS) and 8 descriptors of the median of
# the first five after warm-up. The samples are kept in soak-samples.csv beside the report when --keep DIR
# is given.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin=""
minutes=10
every=10
warm=60
keep=""
while (($#)); do
  case "$1" in
    --davdoctor) bin=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --sample-seconds) every=$2; shift 2 ;;
    --warm-up-seconds) warm=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
. "$here/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary "$bin") || exit 2
command -v wrk >/dev/null || { echo "soak.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 && $minutes -le 60 ]] || { echo "soak.sh: --minutes must be 1 to 60" >&2; exit 2; }

work=$(mktemp -d /tmp/davdoctor-soak.XXXXXX)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  pkill -P $$ wrk 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
mkdir -p "$root/soak/read" "$root/soak/write" "$root/soak/locks" "$root/soak/copies" "$work/data"
for i in $(seq 0 49); do head -c 4096 /dev/urandom > "$root/soak/read/f$i.txt"; done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve "$root" --port "$port" --data-dir "$work/data" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null -X OPTIONS "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null || { echo "soak.sh: the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

# kind:connections — reads dominate, as they do on a file share.
kinds="get:6 options:2 propfind-1:3 propfind-0:2 put:3 delete:1 proppatch:1 lock:1 copy:1"
echo "soak: $minutes min against $bin on 127.0.0.1:$port (pid $server_pid)" >&2
wrk_pids=()
for entry in $kinds; do
  kind=${entry%%:*} connections=${entry##*:}
  SOAK_KIND=$kind wrk -t1 -c"$connections" -d"${minutes}m" --timeout 10s -s "$here/scripts/soak/mixed.lua" \
    "http://127.0.0.1:$port" > "$work/wrk-$kind.out" 2>&1 &
  wrk_pids+=($!)
done

samples=$work/samples.csv
echo "seconds,rss_kib,fds" > "$samples"
started=$(date +%s)
while :; do
  running=0
  for pid in "${wrk_pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
  ((running)) || break
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$server_pid/fd" 2>/dev/null | wc -l)
  echo "$(( $(date +%s) - started )),$rss,$fds" >> "$samples"
  sleep "$every"
done
for pid in "${wrk_pids[@]}"; do wait "$pid" || true; done
alive=yes
kill -0 "$server_pid" 2>/dev/null || alive=no
[[ -n $keep ]] && { mkdir -p "$keep"; cp "$samples" "$keep/soak-samples.csv"; cp "$work"/wrk-*.out "$keep/"; }

python3 - "$work" "$warm" "$minutes" "$alive" <<'PY'
import csv, glob, os, statistics, sys
work, warm, minutes, alive = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = [r for r in csv.DictReader(open(os.path.join(work, "samples.csv")))]
after = [r for r in rows if int(r["seconds"]) >= warm and int(r["rss_kib"]) > 0]
statuses, unexpected, socket_errors, rates = {}, 0, 0, {}
for path in sorted(glob.glob(os.path.join(work, "wrk-*.out"))):
    kind = os.path.basename(path)[4:-4]
    for line in open(path):
        parts = line.split()
        if parts[:1] == ["status"]:
            statuses.setdefault(parts[1], {})[parts[2]] = int(parts[3])
        elif parts[:1] == ["unexpected"]:
            unexpected += int(parts[2])
        elif parts[:1] == ["socket_errors"]:
            socket_errors += int(parts[2])
        elif line.startswith("Requests/sec:"):
            rates[kind] = float(parts[1])
ok = alive == "yes" and unexpected == 0 and socket_errors == 0
print(f"## Soak: {minutes} min of mixed load, {sum(rates.values()):,.0f} requests/s in all\n")
print("| kind | requests/s | statuses |\n|---|---:|---|")
for kind in sorted(rates):
    counts = ", ".join(f"{s}: {n:,}" for s, n in sorted(statuses.get(kind, {}).items()))
    print(f"| {kind} | {rates[kind]:,.0f} | {counts} |")
print(f"\nUnexpected statuses: {unexpected}. Socket errors (connect, read, write, timeout): {socket_errors}. "
      f"Server alive at the end: {alive}.\n")
if len(after) >= 10:
    rss = [int(r["rss_kib"]) / 1024 for r in after]
    fds = [int(r["fds"]) for r in after]
    rss_first, rss_last = statistics.median(rss[:5]), statistics.median(rss[-5:])
    fd_first, fd_last = statistics.median(fds[:5]), statistics.median(fds[-5:])
    rss_flat = rss_last <= rss_first * 1.10
    fd_flat = abs(fd_last - fd_first) <= 8
    ok = ok and rss_flat and fd_flat
    print(f"| after {warm} s warm-up ({len(after)} samples) | first five (median) | last five (median) | min | max | flat |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| RSS MiB | {rss_first:.1f} | {rss_last:.1f} | {min(rss):.1f} | {max(rss):.1f} | {'yes' if rss_flat else 'NO'} |")
    print(f"| open descriptors | {fd_first:.0f} | {fd_last:.0f} | {min(fds)} | {max(fds)} | {'yes' if fd_flat else 'NO'} |")
else:
    print("Too few samples after warm-up to judge RSS and descriptors (run longer).")
    ok = False
print(f"\nVerdict: {'pass' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
