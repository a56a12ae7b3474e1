#!/usr/bin/env bash
# How long headless Chromium takes to open the HTML report of a 10,000-resource check.
#
#   scripts/bench/html-bench.sh [--davdoctor PATH] [--files N] [--runs R]
#
# Starts `davdoctor serve` (clean profile) on 127.0.0.1 over a tree with N files in /big/ (default 10,000),
# runs `davdoctor check URL/big/ --format html` against it, then opens the page R times (default 5) with
# `chromium --headless --dump-dom` and reports the median wall time and the page size. The time includes
# Chromium's own start-up, which the same run measures alone on an empty page for comparison.
# Progress goes to stderr, a markdown table to stdout. Needs chromium, curl and python3.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${DAVDOCTOR_BIN:-}"
files=10000
runs=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --davdoctor) bin=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
. "$here/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary "$bin") || exit 2
command -v chromium >/dev/null || { echo "html-bench.sh: chromium is not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/davdoctor-html-bench.XXXXXX)
cleanup() { "$here/scripts/peers/stop.sh" "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "serving $files files on 127.0.0.1:$port" >&2
base=$(PROFILE=clean BIG=$files DAVDOCTOR_BIN="$bin" "$here/scripts/peers/start-davdoctor.sh" "$work" "$port")
"$bin" check "$base/big/" --format html >"$work/report.html" || [[ $? -eq 1 ]]
echo '<!DOCTYPE html><html><body></body></html>' >"$work/empty.html"

median_ms() {  # median_ms FILE — open it RUNS times, print the median wall time in ms
  local page=$1 i start end times=()
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" --dump-dom "file://$page" >"$work/dom.html" 2>/dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
report_ms=$(median_ms "$work/report.html")
leaves=$(grep -o 'class="leaf ' "$work/dom.html" | wc -l)
empty_ms=$(median_ms "$work/empty.html")
bytes=$(stat -c %s "$work/report.html")

echo "| page | size | resources in the DOM | median open time (chromium --headless --dump-dom, $runs runs) |"
echo "|---|---|---|---|"
echo "| check of /big/ ($files files, Depth 1) | $((bytes / 1024)) KiB | $leaves | $report_ms ms |"
echo "| empty page (Chromium start-up alone) | - | - | $empty_ms ms |"
