#!/usr/bin/env bash
# Usage: scripts/test-bare.sh [swift test arguments…]     (as root; after swift build --build-tests)
#
# Runs `swift test --skip-build` as it runs on a machine with Swift alone: every program .ci/run installs
# for the tests (the peer servers, Chromium, litmus, cadaver, curl, openssl, GNU time, python3 and what
# pip installed …) is hidden, and the run must pass with those suites skipped. It prints the skips.
#
# Hiding uninstalls nothing: in a private mount namespace, /dev/null (not executable) is bind-mounted over
# each program's file, so for this run alone — the tests, the scripts they start and anything hardcoding
# /usr/bin/chromium — the program is not there. Other users of the machine see no change.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $(id -u) == 0 ]] || { echo "test-bare: needs root (mount namespaces)" >&2; exit 1; }
command -v unshare >/dev/null || { echo "test-bare: unshare (util-linux) is not installed" >&2; exit 1; }

hidden_programs=(apache2 apache2ctl htpasswd htdigest nginx lighttpd rclone chromium litmus cadaver wrk php haproxy
                 varnishd openssl curl time xmllint python3 python wsgidav radicale xandikos pip pip3)
log=${DAVDOCTOR_BARE_LOG:-/tmp/davdoctor-test-bare.log}

unshare --mount --propagation private bash -euo pipefail -s -- "$log" "$@" "${hidden_programs[@]/#/--hide=}" <<'INSIDE'
log=$1; shift
arguments=(); hide=()
for argument in "$@"; do
  case $argument in --hide=*) hide+=("${argument#--hide=}") ;; *) arguments+=("$argument") ;; esac
done
declare -A covered=()
count=0
IFS=: read -r -a directories <<<"$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
for program in "${hide[@]}"; do
  for directory in "${directories[@]}"; do
    file="$directory/$program"
    [[ -f $file && -x $file ]] || continue
    real=$(readlink -f "$file")
    for target in "$file" "$real"; do
      [[ -n ${covered[$target]:-} ]] && continue
      mount --bind /dev/null "$target" && covered[$target]=1 && count=$((count + 1))
    done
  done
done
# (Not `command -v`: bash names a non-executable file when it finds nothing better.)
still=()
for program in "${hide[@]}"; do
  for directory in "${directories[@]}"; do [[ -f $directory/$program && -x $directory/$program ]] && still+=("$directory/$program"); done
done
((${#still[@]} == 0)) || { echo "test-bare: still found after hiding: ${still[*]}" >&2; exit 1; }
echo "hidden for this run: ${hide[*]} ($count files)"
unset DAVDOCTOR_REQUIRE_ALL
status=0
swift test --skip-build "${arguments[@]}" >"$log" 2>&1 || status=$?
echo "skipped (swift-testing's lines, then the cases Need.check cancelled):"
grep -E '^➜ .*(skipped|was cancelled)' "$log" | sed 's/^/  /' | sort -u || true
grep -E '^(✔|✘) Test run with' "$log" || true
if ((status != 0)); then
  grep -E '✘' "$log" | head -40 >&2
  echo "test-bare: swift test failed with the programs hidden (log: $log)" >&2
  exit 1
fi
INSIDE
