#!/usr/bin/env bash
# Builds the tests with Thread Sanitizer in a separate scratch path (.build-tsan, so the normal debug build is
# untouched) and runs the DAVServer tests under it; extra arguments replace the filter.
#
#   scripts/tsan.sh                      # swift test --filter DAVServerTests, under TSan
#   scripts/tsan.sh TortureTests         # one suite
#
# Slow: the first build takes several minutes on two cores.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
filter="${1:-DAVServerTests}"
swift build --build-tests --sanitize=thread --scratch-path "$here/.build-tsan"
swift test --skip-build --sanitize=thread --scratch-path "$here/.build-tsan" --filter "$filter"
