#!/usr/bin/env bash
# Benchmark `davdoctor analyze` against streaming XML baselines on a large
# WebDAV 207 Multi-Status body.
#
#   scripts/bench/analyze-bench.sh [--responses N] [--runs R] [--seed S] [--shape apache|nginx] [--davdoctor PATH]
#                                 [--no-lxml]
#
# Generates bench-data/multistatus-N.xml (--shape nginx: multistatus-nginx-N.xml, the
# dense shape) once (reused while N, seed, shape and the generator are unchanged), then
# measures for each tool, in rounds, the median wall-clock time of R runs, the median
# CPU time (user + sys), per MB and per response, and the peak RSS (max over runs) with
# /usr/bin/time; the load average is read before and after (a loaded machine slows the
# wall clock, the CPU time much less: compare tools by CPU time):
#   davdoctor analyze FILE --format json > /dev/null   (exit 0 or 1 = success; one piece per core)
#   davdoctor analyze FILE --format json --jobs 1       (the same, read in one piece on one core)
#   xmllint --stream --noout FILE                       (exit 0)
#   python3 scripts/bench/lxml_count.py FILE            (exit 0, count == N; not with --no-lxml)
# and prints a markdown table plus machine info and the exact commands.
# Progress goes to stderr, the report to stdout.
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

INVOCATION="$0${*:+ $*}"
RESPONSES=2500000
RUNS=3
SEED=4918
SHAPE=apache
DAVDOCTOR=""
LXML=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --responses) RESPONSES="${2:?--responses needs a value}"; shift 2 ;;
    --responses=*) RESPONSES="${1#*=}"; shift ;;
    --runs) RUNS="${2:?--runs needs a value}"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --seed) SEED="${2:?--seed needs a value}"; shift 2 ;;
    --seed=*) SEED="${1#*=}"; shift ;;
    --shape) SHAPE="${2:?--shape needs a value}"; shift 2 ;;
    --shape=*) SHAPE="${1#*=}"; shift ;;
    --davdoctor) DAVDOCTOR="${2:?--davdoctor needs a value}"; shift 2 ;;
    --davdoctor=*) DAVDOCTOR="${1#*=}"; shift ;;
    --no-lxml) LXML=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
  esac
done
[[ "$RESPONSES" =~ ^[1-9][0-9]*$ ]] || { echo "--responses must be a positive integer" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "--seed must be a non-negative integer" >&2; exit 2; }
[[ "$SHAPE" == apache || "$SHAPE" == nginx ]] || { echo "--shape must be apache or nginx" >&2; exit 2; }

# Resolve a user-given davdoctor path against the caller's cwd, then work from the repo root.
if [[ -n "$DAVDOCTOR" && "$DAVDOCTOR" != /* ]]; then DAVDOCTOR="$PWD/$DAVDOCTOR"; fi
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
cd "$ROOT"
[[ -n "$DAVDOCTOR" ]] || DAVDOCTOR="$ROOT/.build/release/davdoctor"

log() { printf '[bench] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tooling
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

wait_for_apt() {
  # Another process may be running apt and logging to /tmp/apt.log; wait for it.
  [[ -f /tmp/apt.log ]] || return 0
  local waited=0
  until tail /tmp/apt.log 2>/dev/null | grep -q 'done'; do
    if (( waited == 0 )); then log "waiting for the apt run logging to /tmp/apt.log to finish..."; fi
    sleep 10; waited=$((waited + 10))
    if (( waited >= 1800 )); then log "gave up waiting for /tmp/apt.log"; return 1; fi
  done
}

APT_UPDATED=0
apt_install() {
  wait_for_apt
  if (( APT_UPDATED == 0 )); then
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >&2
}

[[ -x /usr/bin/time ]] || apt_install time
command -v xmllint >/dev/null 2>&1 || apt_install libxml2-utils
if (( LXML )) && ! python3 -c 'import lxml.etree' >/dev/null 2>&1; then
  log "pip install lxml"
  python3 -m pip install -q lxml >&2
fi

# ---------------------------------------------------------------- data
DATA_DIR="$ROOT/bench-data"
mkdir -p "$DATA_DIR"
GEN="$SCRIPT_DIR/gen-multistatus.py"
if [[ "$SHAPE" == apache ]]; then DATA="$DATA_DIR/multistatus-$RESPONSES.xml"; else DATA="$DATA_DIR/multistatus-$SHAPE-$RESPONSES.xml"; fi
META="$DATA.meta"
GEN_SHA="$(sha256sum "$GEN" | cut -c1-16)"
WANT_META="responses=$RESPONSES seed=$SEED shape=$SHAPE generator=$GEN_SHA"
GEN_NOTE=""

if [[ -s "$DATA" && -f "$META" && "$(cat "$META")" == "$WANT_META" ]]; then
  log "reusing $DATA"
  GEN_NOTE="reused existing file"
else
  log "generating $DATA ($RESPONSES responses, seed $SEED, $SHAPE shape)..."
  rm -f "$DATA" "$META"
  start=$(date +%s.%N)
  python3 "$GEN" "$DATA.partial" --responses "$RESPONSES" --seed "$SEED" --shape "$SHAPE"
  end=$(date +%s.%N)
  mv "$DATA.partial" "$DATA"
  printf '%s\n' "$WANT_META" > "$META"
  GEN_NOTE="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "generated in %.1f s", b - a }')"
  log "$GEN_NOTE"
fi
BYTES=$(stat -c %s "$DATA")
FILE_MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
REL_DATA="${DATA#"$ROOT"/}"

# Warm the page cache so every tool reads the file from memory.
log "warming page cache ($FILE_MB MB)..."
cat "$DATA" > /dev/null

# ---------------------------------------------------------------- measure
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# median of numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -a ROWS=() NOTES=() COMMANDS=()
XMLLINT_MEDIAN=""
XMLLINT_CPU=""
FAILED=0

# The tools run in turns, one run of each per round, so that a slow minute on a shared machine falls on
# all of them alike rather than on whichever tool was running then.
declare -a TOOLS=()
declare -A TOOL_OK=() TOOL_SINK=() TOOL_CMD=() TOOL_FAILED=()

# tool NAME OK_CODES STDOUT_SINK CMD...   (OK_CODES like "0" or "0 1")
tool() {
  local name="$1"; TOOL_OK[$name]="$2"; TOOL_SINK[$name]="$3"; shift 3
  # Each command is kept whole, as its own array (CMD_0, CMD_1 …), so paths with spaces survive.
  TOOL_CMD[$name]="CMD_${#TOOLS[@]}"
  declare -g -a "CMD_${#TOOLS[@]}=()"
  local -n words="CMD_${#TOOLS[@]}"
  words=("$@")
  TOOLS+=("$name")
  : > "$TMP/$name.times"; : > "$TMP/$name.rss"; : > "$TMP/$name.cpu"
}

# run_once NAME ROUND: one timed run; a failure marks the tool failed and it runs no more.
run_once() {
  local name="$1" i="$2" rc=0 line
  [[ -n "${TOOL_FAILED[$name]:-}" ]] && return 0
  local -n words="${TOOL_CMD[$name]}"
  /usr/bin/time -f '%e %M %U %S' -o "$TMP/time.out" "${words[@]}" > "${TOOL_SINK[$name]}" 2> "$TMP/$name.stderr" || rc=$?
  if [[ " ${TOOL_OK[$name]} " != *" $rc "* ]]; then
    log "$name: run $i exited with status $rc (expected: ${TOOL_OK[$name]}); stderr tail:"
    tail -n 5 "$TMP/$name.stderr" >&2 || true
    TOOL_FAILED[$name]="exit $rc"
    FAILED=1
    return 0
  fi
  local wall rss user sys cpu
  read -r wall rss user sys < <(tail -n 1 "$TMP/time.out")
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  echo "$wall" >> "$TMP/$name.times"
  echo "$rss" >> "$TMP/$name.rss"
  echo "$cpu" >> "$TMP/$name.cpu"
  log "$name: run $i/$RUNS: $wall s, CPU $cpu s (user $user, sys $sys), $rss KiB max RSS (exit $rc), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# summarize NAME: the tool's row from its runs
summarize() {
  local name="$1" med cpu peak_kib mbps rss_mb
  if [[ -n "${TOOL_FAILED[$name]:-}" ]]; then ROWS+=("| $name | FAILED (${TOOL_FAILED[$name]}) | | | | | | | |"); return; fi
  med="$(median < "$TMP/$name.times")"
  cpu="$(median < "$TMP/$name.cpu")"
  peak_kib="$(sort -n "$TMP/$name.rss" | tail -n 1)"
  mbps="$(awk -v b="$BYTES" -v s="$med" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }')"
  rss_mb="$(awk -v k="$peak_kib" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')"
  if [[ "$name" == xmllint ]]; then XMLLINT_MEDIAN="$med"; XMLLINT_CPU="$cpu"; fi
  # ratio columns are filled in after all tools ran (they need xmllint's medians)
  ROWS+=("$name|$med|$mbps|$cpu|$rss_mb")
}

if [[ -x "$DAVDOCTOR" ]]; then
  COMMANDS+=("$DAVDOCTOR analyze $REL_DATA --format json > /dev/null   # exit 0 or 1 accepted")
  tool davdoctor "0 1" /dev/null "$DAVDOCTOR" analyze "$DATA" --format json
  COMMANDS+=("$DAVDOCTOR analyze $REL_DATA --format json --jobs 1 > /dev/null   # one piece, one core")
  tool davdoctor-jobs1 "0 1" /dev/null "$DAVDOCTOR" analyze "$DATA" --format json --jobs 1
else
  log "davdoctor not found at $DAVDOCTOR; skipping it"
  NOTES+=("davdoctor skipped: no executable at \`$DAVDOCTOR\` (build it with \`swift build -c release\` or pass --davdoctor PATH).")
fi
COMMANDS+=("xmllint --stream --noout $REL_DATA")
tool xmllint "0" /dev/null xmllint --stream --noout "$DATA"
if (( LXML )); then
  COMMANDS+=("python3 scripts/bench/lxml_count.py $REL_DATA")
  tool lxml "0" "$TMP/lxml.count" python3 "$SCRIPT_DIR/lxml_count.py" "$DATA"
fi

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= RUNS; round++)); do
  log "round $round of $RUNS"
  for name in "${TOOLS[@]}"; do run_once "$name" "$round"; done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${TOOLS[@]}"; do summarize "$name"; done
if [[ -s "$TMP/lxml.count" ]]; then
  got="$(tr -d '[:space:]' < "$TMP/lxml.count")"
  if [[ "$got" != "$RESPONSES" ]]; then
    NOTES+=("WARNING: lxml counted $got responses, expected $RESPONSES.")
    FAILED=1
  fi
fi

# ---------------------------------------------------------------- report
# (no `| head` / early-exit awk here: with pipefail, SIGPIPE in the producer would abort the script)
cpu_model="$(lscpu 2>/dev/null | awk -F: '/^Model name/ && !seen { sub(/^[ \t]+/, "", $2); print $2; seen = 1 }' || true)"
xmllint_ver="$(xmllint --version 2>&1 || true)"
xmllint_ver="${xmllint_ver%%$'\n'*}"
lxml_ver="lxml not run"
(( LXML )) && lxml_ver="$(python3 -c 'from lxml import etree; print("lxml %s (libxml2 %s)" % (etree.__version__, ".".join(map(str, etree.LIBXML_VERSION))))' 2>/dev/null || echo unknown)"

echo "## davdoctor analyze benchmark"
echo
echo "File: \`$REL_DATA\`: $BYTES bytes ($FILE_MB MB), $RESPONSES responses in the $SHAPE shape, seed $SEED ($GEN_NOTE)."
echo "Runs per tool: $RUNS, in rounds of one run of each tool (medians; peak RSS = max over runs). Page cache warm."
echo "Load average (1, 5, 15 min): $LOAD_BEFORE before the first round, $LOAD_AFTER after the last."
echo
echo "| tool | median s | MB/s | CPU s (user+sys) | MB per CPU s | CPU ns per byte | CPU µs per response | peak RSS MB | xmllint's time ÷ this | xmllint's CPU ÷ this |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
# ratio A B: A / B as "N.NNx", or n/a
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
for row in "${ROWS[@]}"; do
  if [[ "$row" == "|"* ]]; then echo "$row"; continue; fi
  IFS='|' read -r name med mbps cpu rss_mb <<< "$row"
  per_cpu="$(awk -v b="$BYTES" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.1f", b / 1e6 / c; else print "inf" }')"
  ns_byte="$(awk -v b="$BYTES" -v c="$cpu" 'BEGIN { printf "%.2f", c * 1e9 / b }')"
  us_resp="$(awk -v r="$RESPONSES" -v c="$cpu" 'BEGIN { printf "%.2f", c * 1e6 / r }')"
  echo "| $name | $med | $mbps | $cpu | $per_cpu | $ns_byte | $us_resp | $rss_mb | $(ratio "$XMLLINT_MEDIAN" "$med") | $(ratio "$XMLLINT_CPU" "$cpu") |"
done
echo
echo "MB = 10^6 bytes; MB/s = file MB / median wall-clock s; CPU = median of user + sys over the runs (two pieces"
echo "spend it on two cores at once); the ratios are xmllint's median over this tool's (above 1: faster than xmllint)."
for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo; echo "$n"; done
echo
echo "Machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, kernel $(uname -r); $xmllint_ver; $lxml_ver; $(python3 --version 2>&1)."
echo
echo "Command: \`$INVOCATION\` (from \`$ROOT\`)"
echo
echo "Measured (each under \`/usr/bin/time -f '%e %M %U %S'\`):"
echo
for c in "${COMMANDS[@]}"; do echo "    $c"; done

exit "$FAILED"
