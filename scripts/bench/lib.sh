# Helpers the benchmark scripts share (source it: . "$here/scripts/bench/lib.sh"). Every figure a script
# reports is a rate beside the CPU time the server used for it, read from /proc so that a slow machine
# shows as a slow rate at the same CPU cost, and the report says the load it was measured under.

# free_port → a TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# wait_url URL → success once URL answers an OPTIONS request; failure after 20 s.
wait_url() {
    for _ in $(seq 1 200); do
        curl -fsS -o /dev/null -X OPTIONS "$1/" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# pid_ticks PID → CPU clock ticks (user + system) the process has used so far; 0 once it is gone.
pid_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# group_ticks PGID → the same, summed over every live process of the process group PGID (Apache's and
# nginx's workers run in the group of the process that started them).
group_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v g="$1" '{sub(/^.*\) /, ""); if ($3 == g) t += $12 + $13} END {print t + 0}'
}

# propfind_lua FILE DEPTH [BODY] → writes to FILE a wrk script sending PROPFIND with that Depth header and
# BODY (default: allprop; no single quotes in it).
propfind_lua() {
    local body=${3:-'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'}
    cat >"$1" <<LUA
wrk.method = "PROPFIND"
wrk.headers["Depth"] = "$2"
wrk.headers["Content-Type"] = "application/xml"
wrk.body = '$body'
LUA
}

# load_average → the 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# machine → "N cores, CPU model": what a report's reader needs to compare its figures with another's.
machine() { echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"; }

# check_listing_or_put BASE KIND BODY OUT: one request of KIND (propfind0, propfind1, put64k) before wrk
# sends thousands, so that a server answering an error is not benchmarked at the speed of its error page.
# BODY is the PROPFIND body; the answer goes to OUT. Prints the status code.
check_listing_or_put() {
    local base=$1 kind=$2 body=$3 out=$4 code=000
    case "$kind" in
        propfind1 | propfind0)
            code=$(curl -sS -o "$out" -w '%{http_code}' -X PROPFIND -H "Depth: ${kind#propfind}" \
                -H 'Content-Type: application/xml' --data-binary "$body" "$base/big/") || code=000 ;;
        propfind1dead)
            code=$(curl -sS -o "$out" -w '%{http_code}' -X PROPFIND -H "Depth: 1" \
                -H 'Content-Type: application/xml' --data-binary "$body" "$base/dead/") || code=000 ;;
        put64k)
            head -c 65536 /dev/zero | tr '\0' x >"$out.put"
            code=$(curl -sS -o "$out" -w '%{http_code}' -T "$out.put" -H 'Content-Type: application/octet-stream' \
                "$base/bench/put/check.bin") || code=000 ;;
    esac
    echo "$code"
}

# report_listing OUT KIND: for a Depth 1 check, how many responses and bytes the answer held (to stderr),
# so that a listing of the wrong size is seen before its rate is believed.
report_listing() {
    local out=$1 kind=$2
    if [[ $kind == propfind1 || $kind == propfind1dead ]]; then
        echo "  $kind: $(grep -oE '<([A-Za-z0-9_]+:)?response[ >]' "$out" | wc -l) responses, $(stat -c %s "$out") bytes," \
            "$(grep -oE '<([A-Za-z0-9_]+:)?Win32FileAttributes[ >]' "$out" | wc -l) with Win32FileAttributes" >&2
    fi
}
