#!/usr/bin/env bash
# The diagnosis corpus (Tests/Corpus/README.md): score davdoctor on real labelled answers.
#
#   scripts/corpus.sh                 # score the committed corpus offline (analyze), as CI does
#   scripts/corpus.sh --live          # start the real servers again, re-capture every case into a scratch
#                                     # folder, replay each through davdoctor check, score both
#   scripts/corpus.sh --recapture     # re-capture into Tests/Corpus itself (then review the diff)
#   any further arguments go to `corpus.py score` (--only SETUP…, --show-misses, --min-top1 0.97 …)
#
# Needs a built davdoctor (swift build; DAVDOCTOR=path to use another), python3 and, for --live and
# --recapture, the servers .ci/run installs, and root (the full-disk cases mount a small tmpfs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus="$repo/scripts/corpus/corpus.py"
mode=offline
case "${1:-}" in
  --live) mode=live; shift ;;
  --recapture) mode=recapture; shift ;;
esac
case "$mode" in
  offline) exec python3 "$corpus" score "$@" ;;
  recapture) exec python3 "$corpus" capture ;;
  live)
    scratch=$(mktemp -d /tmp/davdoctor-corpus.XXXXXX)
    trap 'rm -rf "$scratch"' EXIT
    python3 "$corpus" capture --out "$scratch/corpus" --live-results "$scratch/live"
    python3 "$corpus" score --corpus "$scratch/corpus" --live-results "$scratch/live" "$@"
    ;;
esac
