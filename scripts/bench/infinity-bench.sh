#!/usr/bin/env bash
# A Depth infinity PROPFIND over 100,000 files, davdoctor serve beside the peers that allow one: rclone serve
# webdav and Apache mod_dav with DavDepthInfinity On (nginx + dav-ext and lighttpd refuse Depth infinity).
#
#   scripts/bench/infinity-bench.sh [--davdoctor PATH] [--runs R] [--servers "davdoctor rclone apache"]
#
# Every server serves the same tree: 100 collections of 1,000 empty files with long names (100,101
# resources with the root). Each server answers R (default 3) allprop PROPFINDs with Depth: infinity of the
# root, one at a time, streamed to a file; per server the report gives the median wall time, the server's
# CPU time per listing (user + system of its processes from /proc, so that a loaded machine shows as time,
# not as CPU), the responses and bytes of one answer, and for davdoctor its RSS before the first listing
# and its peak after the last. Progress goes to stderr, the markdown report to stdout. Needs curl, python3,
# rclone and apache2.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
peers="$here/scripts/peers"
bin="${DAVDOCTOR_BIN:-}"
runs=3
servers="davdoctor rclone apache"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --davdoctor) bin=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --servers) servers=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "infinity-bench.sh: unknown argument: $1" >&2; usage 2 ;;
    esac
done
. "$here/scripts/find-davdoctor.sh"
. "$here/scripts/bench/lib.sh"
bin=$(davdoctor_binary "$bin") || exit 2
for tool in curl python3; do command -v "$tool" >/dev/null || { echo "infinity-bench.sh: $tool is not installed" >&2; exit 2; }; done
for name in $servers; do
    case "$name" in
        davdoctor) ;;
        rclone) command -v rclone >/dev/null || { echo "infinity-bench.sh: rclone is not installed (drop it with --servers)" >&2; exit 2; } ;;
        apache) command -v apache2 >/dev/null || { echo "infinity-bench.sh: apache2 is not installed (drop it with --servers)" >&2; exit 2; } ;;
        *) echo "infinity-bench.sh: unknown server $name (davdoctor, rclone, apache)" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d /tmp/davdoctor-infinity-bench.XXXXXX)"
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
mkdir -p "$work/peers"

# make_wide_tree DIR: the 100 x 1,000 files, owned like DIR so that a server that drops privileges reads them.
make_wide_tree() {
    python3 - "$1" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(100):
    folder = os.path.join(root, "dir-%03d" % d)
    os.makedirs(folder, exist_ok=True)
    for f in range(1000):
        open(os.path.join(folder, "file-%04d-with-a-fairly-long-descriptive-name.txt" % f), "w").close()
PY
    chown -R --reference="$1" "$1" 2>/dev/null || true
}

declare -A url pid_of kind_of
start_server() {
    local name=$1 port
    port=$(free_port)
    case "$name" in
        davdoctor)
            mkdir -p "$work/davdoctor/root"
            make_wide_tree "$work/davdoctor/root"
            "$bin" serve "$work/davdoctor/root" --host 127.0.0.1 --port "$port" --data-dir "$work/davdoctor/data" >"$work/davdoctor.out" 2>&1 &
            davdoctor_pid=$!
            pid_of[$name]=$davdoctor_pid
            kind_of[$name]=pid
            url[$name]="http://127.0.0.1:$port" ;;
        rclone)
            url[$name]=$(PROFILE=clean "$peers/start-rclone.sh" "$work/peers" "$port" | tail -1)
            make_wide_tree "$work/peers/rclone/root"
            pid_of[$name]=$(cat "$work/peers/rclone.pid")
            kind_of[$name]=pid ;;
        apache)
            mkdir -p "$work/apache-root"
            chmod 755 "$work/apache-root"
            make_wide_tree "$work/apache-root"
            printf '<Location />\n    DavDepthInfinity On\n</Location>\n' >"$work/apache-infinity.conf"
            url[$name]=$(PROFILE=clean ROOT="$work/apache-root" EXTRA_CONF="$work/apache-infinity.conf" "$peers/start-apache.sh" "$work/peers" "$port" | tail -1)
            pid_of[$name]=$(cat "$work/peers/apache.pid")
            kind_of[$name]=group ;;
        *) echo "infinity-bench.sh: unknown server $name" >&2; exit 2 ;;
    esac
    wait_url "${url[$name]}" || { echo "infinity-bench.sh: $name did not answer" >&2; return 1; }
}

ticks_of() { if [[ ${kind_of[$1]} == pid ]]; then pid_ticks "${pid_of[$1]}"; else group_ticks "${pid_of[$1]}"; fi; }

hz=$(getconf CLK_TCK)
load_before=$(load_average)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
declare -A wall cpu responses bytes rss
for name in $servers; do
    echo "== $name" >&2
    start_server "$name"
    base=${url[$name]}
    curl -fsS -o /dev/null -X PROPFIND -H 'Depth: 1' "$base/" || { echo "  $name: Depth 1 of / failed" >&2; continue; }
    [[ $name == davdoctor ]] && rss_before=$(awk '/^VmRSS/ {print $2}' "/proc/$davdoctor_pid/status")
    walls=() cpus=()
    for ((i = 1; i <= runs; i++)); do
        t0=$(ticks_of "$name")
        read -r code seconds size < <(curl -sS -o "$work/answer.xml" -X PROPFIND -H 'Depth: infinity' \
            -w '%{http_code} %{time_total} %{size_download}\n' "$base/")
        t1=$(ticks_of "$name")
        if [[ $code != 207 ]]; then echo "  $name: Depth infinity answered $code" >&2; walls=(); break; fi
        count=$(grep -oE '<([A-Za-z0-9_]+:)?response[ >]' "$work/answer.xml" | wc -l)
        ms=$(awk -v t=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.0f", t * 1000 / hz}')
        echo "  run $i: $seconds s, $size bytes, $count responses, server CPU $ms ms, load $(load_average | cut -d' ' -f1)" >&2
        walls+=("$seconds") cpus+=("$ms")
        responses[$name]=$count bytes[$name]=$size
    done
    if ((${#walls[@]})); then
        wall[$name]=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
        cpu[$name]=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
    fi
    if [[ $name == davdoctor ]]; then
        peak=$(awk '/^VmHWM/ {print $2}' "/proc/$davdoctor_pid/status")
        rss[$name]="$((rss_before / 1024)) MiB before, $((peak / 1024)) MiB peak (growth $(((peak - rss_before) / 1024)) MiB)"
        kill -TERM "$davdoctor_pid" 2>/dev/null || true
        wait "$davdoctor_pid" 2>/dev/null || true
        davdoctor_pid=""
    fi
    "$peers/stop.sh" "$work/peers" >/dev/null 2>&1 || true
done
load_after=$(load_average)

echo "# Depth infinity PROPFIND over 100,000 files"
echo
echo "Started $started; $(machine), $(uname -sr); load average before $load_before, after $load_after;"
echo "$("$bin" --version 2>/dev/null || echo '?') ($bin). Median of $runs listings each, one at a time."
echo
echo "| server | wall time | server CPU per listing | responses | bytes | RSS |"
echo "|---|---:|---:|---:|---:|---|"
for name in $servers; do
    echo "| $name | ${wall[$name]:-fail} s | ${cpu[$name]:-–} ms | ${responses[$name]:-–} | ${bytes[$name]:-–} | ${rss[$name]:-} |"
done
