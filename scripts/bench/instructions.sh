#!/usr/bin/env bash
# Instruction counts of the paths whose speed rests on what the compiler does with the code, each held to
# a ceiling. Counted by valgrind's callgrind, so a loaded machine gives the same figures as an idle one.
#
#   scripts/bench/instructions.sh [--davcore DIR] [--build-dir DIR]
#
# Builds Sources/DAVCore as its own optimized module (-O, whole module, as `swift build -c release` does)
# and scripts/bench/instructions/main.swift against it, then counts:
#   LiveProperty(name)        per call, over ten live and dead names (the byte comparison)
#   Property(name, text:)     per call, as the server makes one per property per resource (LiveProperty's
#                             borrowed argument and its byte comparison)
#   MultiStatusParser.parse   per response of a 5,000-response Apache-shaped multistatus (the parser's
#                             flags beside its optionals)
# and fails when one exceeds its ceiling. --davcore DIR measures another copy of DAVCore's sources (one
# with a trick taken out, to see what it saves); BENCHMARKS.md has the figures and how they were taken.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
SOURCES=Sources/DAVCore
BUILD=.build-instructions
while [[ $# -gt 0 ]]; do
  case "$1" in
    --davcore) SOURCES="${2:?--davcore needs a directory}"; shift 2 ;;
    --build-dir) BUILD="${2:?--build-dir needs a directory}"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "instructions.sh needs valgrind (apt-get install valgrind)" >&2; exit 2; }

mkdir -p "$BUILD"
library="$BUILD/libDAVCore.a"
# Rebuilt only when a source is newer than the library (a whole-module build takes about a minute).
if [[ ! -f "$library" || -n "$(find "$SOURCES" -name '*.swift' -newer "$library" -print -quit)" || "$SOURCES" != "$(cat "$BUILD/sources" 2>/dev/null)" ]]; then
  mapfile -t files < <(find "$SOURCES" -name '*.swift' | sort)
  swiftc -O -wmo -swift-version 6 -enable-upcoming-feature ExistentialAny -parse-as-library -module-name DAVCore \
    -I Sources/CZlib -emit-module -emit-module-path "$BUILD/DAVCore.swiftmodule" -emit-library -static -o "$library" "${files[@]}"
  echo "$SOURCES" > "$BUILD/sources"
fi
swiftc -O -swift-version 6 -I "$BUILD" -I Sources/CZlib -L "$BUILD" -lDAVCore -lz scripts/bench/instructions/main.swift \
  -o "$BUILD/instructions"
listing="$BUILD/multistatus-5000.xml"
[[ -f "$listing" ]] || python3 scripts/bench/gen-multistatus.py "$listing" --responses 5000 --seed 4918 2>/dev/null

count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BUILD/instructions" "$@" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ','
}
# Instructions per unit: the run with the work less the run without it, over the units of work.
per() { echo $(( ($1 - $2) / $3 )); }

failed=0
# check WHAT FIGURE CEILING WITHOUT: WITHOUT says what the figure was with the trick taken out.
check() {
  local verdict=ok
  (( $2 <= $3 )) || { verdict="OVER THE CEILING"; failed=1; }
  printf '%-24s %6d instructions (ceiling %d; %s) %s\n' "$1" "$2" "$3" "$4" "$verdict"
}

rounds=20000  # × 10 names
check "LiveProperty(name)" "$(per "$(count classify $rounds)" "$(count classify 0)" $((rounds * 10)))" 250 \
  "368 comparing the name as a String"
check "Property(name, text:)" "$(per "$(count properties $rounds)" "$(count properties 0)" $((rounds * 10)))" 340 \
  "380 with LiveProperty's argument owned"
check "parse, per response" "$(per "$(count parse "$listing")" "$(count read "$listing")" 5000)" 70000 \
  "76,921 testing the optionals instead of the flags"
exit $failed
