#!/usr/bin/env bash
# The repository's Swift style, by the toolchain's swift-format and .swift-format at the top.
#
#   scripts/format.sh           rewrite every Swift file in place
#   scripts/format.sh --check   change nothing; list what differs and fail (as .ci/run does)
#
# Generated files opt out with `// swift-format-ignore-file` (Sources/Lab/EmbeddedScenarios.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "format.sh: swift is not installed" >&2; exit 2; }
paths=(Package.swift Sources Tests Plugins Fuzz)
case "${1:-}" in
  "") swift format format --in-place --recursive --parallel "${paths[@]}" ;;
  --check)
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    if ! swift format lint --strict --recursive --parallel "${paths[@]}" >"$log" 2>&1 || [[ -s $log ]]; then
      head -40 "$log" >&2
      echo "format.sh: $(grep -c 'warning:\|error:' "$log") place(s) differ from the repository's style; run scripts/format.sh" >&2
      exit 1
    fi
    echo "format.sh: every Swift file follows .swift-format"
    ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
