#!/usr/bin/env bash
# Runs litmus (all suites: basic, copymove, props, locks, http) against `davdoctor serve` on 127.0.0.1,
# over a fresh temporary directory, and fails on any failed test or any warning.
#
#   scripts/litmus.sh [path/to/davdoctor]     (default: $DAVDOCTOR_BIN, else .build/{release,debug}/davdoctor)
#
# Needs the `litmus` command (Debian package litmus); installs nothing itself.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary "${1:-}") || exit 2
command -v litmus >/dev/null || { echo "litmus.sh: litmus is not installed (apt-get install litmus)" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/tree" "$work/data"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$bin" serve "$work/tree" --host 127.0.0.1 --port "$port" --data-dir "$work/data" \
    --access-log "$work/access.log" >"$work/server.out" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null -X OPTIONS "http://127.0.0.1:$port/" 2>/dev/null; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "litmus.sh: the server exited:" >&2; cat "$work/server.out" >&2; exit 1; }
    sleep 0.1
done

set +e
(cd "$work" && litmus "http://127.0.0.1:$port/") | tee "$work/litmus.out"
status=${PIPESTATUS[0]}
set -e

count() { { grep -Eo -- "$1" "$work/litmus.out" || true; } | awk -v f="$2" '{s+=$f} END {print s+0}'; }
failed=$(count '[0-9]+ failed' 1)
passed=$(count '[0-9]+ passed' 1)
warnings=$(count '-> [0-9]+ warnings? (was|were) issued' 2)
suites=$({ grep -c 'summary for' "$work/litmus.out" || true; })
# Also count WARNING lines, in case a summary line is worded differently.
warning_lines=$({ grep -c 'WARNING:' "$work/litmus.out" || true; })
(( warning_lines > warnings )) && warnings=$warning_lines
echo "litmus.sh: $suites suites, $passed passed, $failed failed, $warnings warnings"
if [[ $status -ne 0 || $failed -ne 0 || $warnings -ne 0 || $suites -lt 5 ]]; then
    echo "litmus.sh: FAILED (litmus exit $status)" >&2
    exit 1
fi
