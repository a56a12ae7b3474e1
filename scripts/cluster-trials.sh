#!/usr/bin/env bash
# The cluster's repeated trials (issue 19): each fault test of `davdoctor serve --store postgres://…` run N
# times in a row, each run a test process of its own, never stopping at a failure; then a table of what passed.
#
#   scripts/cluster-trials.sh [--runs N] [--from K] [--kinds "torture kill-move kill-put pg-restart"]
#                             [--logs DIR] [--timeout SECONDS] [--no-build]
#
#   torture     ClusterTests/tortureAcrossTwoInstances, run i with DAVDOCTOR_TORTURE_SEED=i (seeds 1..N)
#   kill-move   ClusterCrashTests/aKilledInstanceMidMoveLeavesTheClusterConsistent (kill -9 mid-MOVE)
#   kill-put    ClusterCrashTests/aKilledInstanceMidPutLeavesTheOldContentAndItsUploadToItsRestart (mid-PUT)
#   pg-restart  ClusterOutageTests/aPostgreSQLRestartUnderLoadIs503ThenRecovers (PostgreSQL stopped, started)
#
# N defaults to 20; the runs are numbered K..K+N-1 (K defaults to 1), so two of these scripts can share the
# seeds between them (--from 1 --runs 10 beside --from 11 --runs 10, each with its own --logs). The tests
# are built once (swift build --build-tests, unless --no-build) and each trial
# runs the built test binary with a filter naming its one test, under DAVDOCTOR_REQUIRE_ALL=1 (a test that
# would be skipped for want of PostgreSQL fails instead); a trial passes only when that one test ran and
# passed within --timeout seconds (default 600). Each trial's output is in DIR/KIND-RUN.log (default DIR: a new
# /tmp/davdoctor-trials.XXXXXX, kept), with the load average at its start; its temporary files (TMPDIR) are
# removed when it passes and kept beside the log when it fails, and whatever it left running (its PostgreSQL,
# a serve process) is stopped by PID. The table goes to stdout (markdown); the exit status is 1 when any
# trial failed. Touch DIR/stop to end the trials after the run under way (the table then covers the runs done).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs=20
from=1
kinds="torture kill-move kill-put pg-restart"
logs=""
limit=600
build=1
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "cluster-trials.sh: unknown argument $1 (try --help)" >&2; usage 2 ;;
  esac
done
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 ]] || { echo "cluster-trials.sh: --runs must be a positive number" >&2; exit 2; }
[[ $from =~ ^[0-9]+$ && $from -ge 1 ]] || { echo "cluster-trials.sh: --from must be a positive number" >&2; exit 2; }
[[ $limit =~ ^[0-9]+$ && $limit -ge 1 ]] || { echo "cluster-trials.sh: --timeout must be a positive number of seconds" >&2; exit 2; }

# test_of KIND → the test's filter (a regular expression over Module.Suite/test()).
test_of() {
  case "$1" in
    torture) echo 'ClusterTests/tortureAcrossTwoInstances\(' ;;
    kill-move) echo 'ClusterCrashTests/aKilledInstanceMidMoveLeavesTheClusterConsistent\(' ;;
    kill-put) echo 'ClusterCrashTests/aKilledInstanceMidPutLeavesTheOldContentAndItsUploadToItsRestart\(' ;;
    pg-restart) echo 'ClusterOutageTests/aPostgreSQLRestartUnderLoadIs503ThenRecovers\(' ;;
    *) return 1 ;;
  esac
}
for kind in $kinds; do test_of "$kind" >/dev/null || { echo "cluster-trials.sh: unknown trial kind $kind" >&2; exit 2; }; done
command -v timeout >/dev/null || { echo "cluster-trials.sh: timeout (coreutils) is not installed" >&2; exit 2; }

cd "$here"
if ((build)); then
  echo "building the tests (swift build --build-tests)" >&2
  swift build --build-tests >/dev/null || { echo "cluster-trials.sh: swift build --build-tests failed" >&2; exit 1; }
fi
tests=$(swift build --show-bin-path)/davdoctorPackageTests.xctest
[[ -x $tests ]] || { echo "cluster-trials.sh: no test binary at $tests (build with swift build --build-tests)" >&2; exit 2; }

if [[ -z $logs ]]; then logs=$(mktemp -d /tmp/davdoctor-trials.XXXXXX); fi
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)
# PostgreSQL runs as the postgres user when started as root: it must reach its data directory under here.
chmod 755 "$logs"

# leftovers DIR → PIDs of live processes whose command line names DIR (a serve process or postmaster the
# killed test started there); the trial's own directory is unique, so nothing else can match.
leftovers() {
  local dir=$1 entry pid
  for entry in /proc/[0-9]*/cmdline; do
    pid=${entry#/proc/}
    pid=${pid%/cmdline}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if tr '\0' ' ' 2>/dev/null <"$entry" | grep -qF "$dir/"; then echo "$pid"; fi
  done
}

# stop_leftovers DIR: peers recorded under DIR stopped by stop.sh (PostgreSQL with its stop signal), then
# any process still naming DIR stopped by its PID (TERM, KILL after 5 s). Says what it stopped.
stop_leftovers() {
  local dir=$1 pidfile pids pid
  while IFS= read -r pidfile; do
    bash "$here/scripts/peers/stop.sh" "$(dirname "$pidfile")" >/dev/null 2>&1 || true
  done < <(find "$dir" -name '*.pid' -not -name 'nginx.pid' 2>/dev/null | sort -u)
  pids=$(leftovers "$dir")
  [[ -z $pids ]] && return 0
  echo "left running by the trial, stopped: $(echo $pids)"
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    pids=$(leftovers "$dir")
    [[ -z $pids ]] && return 0
    sleep 0.1
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
}

# trial KIND RUN → runs one trial; prints pass or fail and the seconds it took.
trial() {
  local kind=$1 run=$2 log scratch started status=0 seed=()
  log="$logs/$kind-$run.log"
  scratch="$logs/$kind-$run.tmp"
  mkdir -p "$scratch"
  chmod 755 "$scratch"
  [[ $kind == torture ]] && seed=(DAVDOCTOR_TORTURE_SEED="$run")
  {
    echo "# $kind run $run${seed:+ (${seed[*]})}: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $tests --testing-library swift-testing --filter '$(test_of "$kind")'"
  } >"$log"
  started=$(date +%s)
  env "${seed[@]}" DAVDOCTOR_REQUIRE_ALL=1 TMPDIR="$scratch" timeout -k 30 "$limit" \
    "$tests" --testing-library swift-testing --filter "$(test_of "$kind")" >>"$log" 2>&1 </dev/null || status=$?
  local took=$(($(date +%s) - started))
  ((status == 124 || status == 137)) && echo "# timed out after ${limit}s" >>"$log"
  stop_leftovers "$scratch" >>"$log" 2>&1
  echo "# exit status $status after ${took}s, load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
  # Passed: exit 0, exactly one test ran and passed, none skipped.
  if ((status == 0)) && grep -qE 'Test run with 1 test (in [0-9]+ suites? )?passed' "$log" && ! grep -q ' skipped' "$log"; then
    rm -rf "$scratch"
    echo "pass $took"
  else
    echo "fail $took"
  fi
}

declare -A passed failed failures seconds
for kind in $kinds; do
  passed[$kind]=0
  failed[$kind]=0
  failures[$kind]=""
  seconds[$kind]=""
done

# table: the markdown summary of the trials so far.
table() {
  echo "# Cluster trials"
  echo
  echo "$(date -u +%FT%TZ), $(git -C "$here" rev-parse --short HEAD), $(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg);"
  echo "logs in $logs"
  echo
  echo "| trial | runs | passed | failed | seconds per run (min–median–max) | failures (seed or run: log) |"
  echo "|---|---:|---:|---:|---|---|"
  local kind spread
  for kind in $kinds; do
    spread=$(tr ' ' '\n' <<<"${seconds[$kind]}" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%s–%s–%s", a[1], a[int((NR+1)/2)], a[NR]}')
    echo "| $kind | $((passed[$kind] + failed[$kind])) | ${passed[$kind]} | ${failed[$kind]} | $spread | ${failures[$kind]:-none} |"
  done
}

# Run by run, each kind in turn: a slow spell on the shared machine falls on every kind alike, and the table
# (rewritten in DIR/table.md after each run) covers every kind if the trials are stopped early.
for ((run = from; run < from + runs; run++)); do
  for kind in $kinds; do
    read -r outcome took < <(trial "$kind" "$run")
    seconds[$kind]+="$took "
    if [[ $outcome == pass ]]; then
      passed[$kind]=$((passed[$kind] + 1))
    else
      failed[$kind]=$((failed[$kind] + 1))
      label="run $run"
      [[ $kind == torture ]] && label="seed $run"
      failures[$kind]+="${failures[$kind]:+; }$label: $kind-$run.log"
    fi
    echo "$kind run $run: $outcome (${took}s, load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
  table >"$logs/table.md.new" && mv "$logs/table.md.new" "$logs/table.md"
  [[ -e $logs/stop ]] && { echo "stopped after run $run ($logs/stop)" >&2; break; }
done

table
for kind in $kinds; do ((failed[$kind] == 0)) || exit 1; done
exit 0
