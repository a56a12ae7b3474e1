#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (swiftc -sanitize=fuzzer,address) and runs each for a bounded time
# on a corpus seeded from the real fixtures in Tests/Fixtures.
#
#   scripts/fuzz.sh [--seconds N] [TARGET…]    TARGET: multistatus-parser, capture-reader, header-parsers,
#                                               path-resolver (default: all)
#
# Each target is DAVCore's sources (and, for path-resolver, the server's ResourcePath*.swift) compiled into one
# module with its Fuzz/Fuzz<Target>.swift entry point, so a target exercises the very code the product ships.
# The growing corpus lives in .build-fuzz/corpus/TARGET and is reused by the next run; a crash, hang (>10 s on
# one input), leak or memory blow-up (>2 GB) leaves its input in .build-fuzz/findings/TARGET, the run's log in
# .build-fuzz/logs/, and the script exits 1. Every run appends "date target seconds runs corpus result" to
# .build-fuzz/ledger.tsv, which is how the fuzzing time in SECURITY.md is totalled (--ledger prints totals).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --ledger)
      [[ -f .build-fuzz/ledger.tsv ]] || { echo "no fuzzing recorded yet (.build-fuzz/ledger.tsv)"; exit 0; }
      awk -F'\t' '{ s[$2]+=$3; r[$2]+=$4; if ($6 != "ok") bad[$2]++ } END {
        for (t in s) printf "%-18s %6.1f min %12d runs %s\n", t, s[t]/60, r[t], (bad[t] ? bad[t] " finding(s)" : "no findings") }' \
        .build-fuzz/ledger.tsv | sort
      exit 0 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(multistatus-parser capture-reader header-parsers path-resolver)
((${#targets[@]})) || targets=("${all[@]}")

entry_file() {
  case "$1" in
    multistatus-parser) echo Fuzz/FuzzMultiStatusParser.swift ;;
    capture-reader) echo Fuzz/FuzzCaptureReader.swift ;;
    header-parsers) echo Fuzz/FuzzHeaderParsers.swift ;;
    path-resolver) echo "Fuzz/FuzzPathResolver.swift Fuzz/Support/DAVErrorShim.swift Sources/DAVServer/ResourcePath.swift Sources/DAVServer/ResourcePath+Names.swift" ;;
    *) echo "fuzz.sh: unknown target $1 (one of: ${all[*]})" >&2; exit 2 ;;
  esac
}

build() {
  local target=$1 out=.build-fuzz/bin/$1
  mkdir -p .build-fuzz/bin
  # One module named DAVCore, so the server file's `import DAVCore` names the sources it is compiled with.
  # shellcheck disable=SC2046
  swiftc -module-name DAVCore -swift-version 6 -parse-as-library -O -g -sanitize=fuzzer,address \
    -I Sources/CZlib $(find Sources/DAVCore -name '*.swift' | sort) Fuzz/Support/FuzzLimits.swift $(entry_file "$target") \
    -o "$out" > ".build-fuzz/$target.build.log" 2>&1 || true
  [[ -x "$out" ]] || { grep -A3 "error:" ".build-fuzz/$target.build.log" >&2; echo "fuzz.sh: building $target failed" >&2; exit 1; }
}

seed() {
  local target=$1 dir=.build-fuzz/seeds/$1
  rm -rf "$dir"; mkdir -p "$dir"
  python3 scripts/fuzz-seeds.py "$target" Tests/Fixtures "$dir"
  cp Tests/Fixtures/fuzz/"$target"/* "$dir"/ 2>/dev/null || true
}

status=0
for target in "${targets[@]}"; do
  entry_file "$target" >/dev/null
  binary=.build-fuzz/bin/$target
  # shellcheck disable=SC2046
  if [[ -x $binary && -z $(find Sources/DAVCore Sources/DAVServer/ResourcePath.swift Fuzz -name '*.swift' -newer "$binary") ]]; then
    echo "== $target: up to date"
  else
    echo "== $target: building"
    rm -f "$binary"
    build "$target"
  fi
  seed "$target"
  corpus=.build-fuzz/corpus/$target findings=.build-fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  echo "== $target: fuzzing for ${seconds}s ($(ls .build-fuzz/seeds/$target | wc -l) seeds, $(ls "$corpus" | wc -l) in corpus)"
  # One log per run: two runs of one target at once must not write over each other's final figures.
  log=.build-fuzz/logs/$target-$(date -u +%Y%m%dT%H%M%S)-$$.log
  mkdir -p .build-fuzz/logs
  result=ok
  ASAN_OPTIONS=detect_leaks=1 ".build-fuzz/bin/$target" "$corpus" ".build-fuzz/seeds/$target" \
    -dict=Fuzz/dictionaries/"$target".dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 > "$log" 2>&1 || result=finding
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  # The time it really ran (a finding stops it early), from libFuzzer's "Done N runs in S second(s)".
  ran=$(grep -ao 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "${ran:-$seconds}" "${runs:-0}" "$(ls "$corpus" | wc -l)" "$result" \
    >> .build-fuzz/ledger.tsv
  if [[ $result != ok ]]; then
    echo "== $target: FINDING — input(s) in $findings:" >&2
    ls -1 "$findings" >&2
    grep -a -m 20 -E "ERROR|Fatal error|SUMMARY|panic|precondition" "$log" >&2 || tail -30 "$log" >&2
    status=1
  else
    echo "== $target: $runs runs, no finding"
  fi
done
exit $status
