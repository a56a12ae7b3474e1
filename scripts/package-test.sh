#!/usr/bin/env bash
# Usage: scripts/package-test.sh [dist/davdoctor_VERSION_amd64.deb]   (as root; default: the newest in dist/)
#
# Installs the .deb where no Swift toolchain exists — a minimal Debian root made by debootstrap — and
# uses it there as an admin would: --version, lab demo, the man page, bash completion of "che<TAB>",
# and serve answering a check on 127.0.0.1.
#
# The root (minbase + man-db + bash-completion, the tools the test itself uses) is built once and kept as
# a tarball in $DAVDOCTOR_DEBOOTSTRAP_CACHE (default /var/cache/davdoctor-debootstrap); each run unpacks
# a fresh copy, so one run's install never leaks into the next. The package's dependencies come from the
# Debian mirror, read from its own Depends: line, then `dpkg -i` must succeed on its own.
# Everything runs in private mount and PID namespaces: /proc, /dev and every process started inside
# go away with the script, whatever way it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "package-test: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (debootstrap, chroot and mounts)"
for tool in debootstrap dpkg-deb unshare chroot; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install debootstrap)"
done

deb=${1:-$(ls -t dist/davdoctor_*_amd64.deb 2>/dev/null | head -1)}
[[ -n $deb && -f $deb ]] || die "no .deb given and none in dist/ (run scripts/release.sh first)"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")   # the release the binary was built on
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${DAVDOCTOR_DEBOOTSTRAP_CACHE:-/var/cache/davdoctor-debootstrap}
tarball="$cache/$suite-minbase.tar.gz"

if [[ ! -f $tarball ]]; then
  echo "building the $suite root once with debootstrap (cached in $tarball)"
  mkdir -p "$cache"
  fresh=$(mktemp -d "$cache/root.XXXXXX")
  chmod 755 "$fresh"
  debootstrap --variant=minbase --include=man-db,bash-completion "$suite" "$fresh" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$fresh"; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  tar -C "$fresh" -czf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$fresh"
fi

root=$(mktemp -d /tmp/davdoctor-package-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
tar -C "$root" -xzf "$tarball"
chmod 755 "$root"   # the chroot's /: mktemp's 0700 would lock out every user but root (man-db's "man", _apt)
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/davdoctor.deb"
depends=$(dpkg-deb -f "$deb" Depends | sed -E 's/\([^)]*\)//g; s/,/ /g')
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), Depends: $(dpkg-deb -f "$deb" Depends)"

# The script that runs inside the root, as root, with no toolchain anywhere.
cat >"$root/tmp/inside.sh" <<'INSIDE'
set -euo pipefail
step() { printf '\n-- %s\n' "$*"; }
fail() { echo "package-test (inside): $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 NO_COLOR=1

step "dependencies from the Depends: line: $DEPENDS"
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $DEPENDS >/dev/null
step "dpkg -i"
dpkg -i /tmp/davdoctor.deb
if command -v swift swiftc >/dev/null 2>&1 || ls -d /usr/lib/swift /opt/swift 2>/dev/null; then fail "a Swift toolchain is in the root"; fi
ldd /usr/bin/davdoctor

step "davdoctor --version"
davdoctor --version | tee /tmp/version.txt
grep -qE '^[0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{7,}' /tmp/version.txt || fail "--version names no commit"

step "davdoctor lab demo"
davdoctor lab demo >/tmp/demo.txt 2>&1 || { tail -30 /tmp/demo.txt; fail "lab demo failed"; }
tail -1 /tmp/demo.txt

step "man davdoctor-check, and its file through man -l"
LC_ALL=C MANPAGER=cat MANWIDTH=100 man davdoctor-check 2>/dev/null | col -b >/tmp/man.txt
grep -q -- '--allow-writes' /tmp/man.txt || fail "man davdoctor-check does not show the check page (no --allow-writes)"
LC_ALL=C MANWIDTH=100 man -l /usr/share/man/man1/davdoctor.check.1.gz 2>/dev/null | col -b >/tmp/man-l.txt
grep -q -- '--allow-writes' /tmp/man-l.txt || fail "man -l davdoctor.check.1.gz shows no check page"
grep -v '^$' /tmp/man.txt | head -5
ls /usr/share/man/man1/ | grep davdoctor | tr '\n' ' '; echo

step "bash completion of: davdoctor che<TAB>"
# What bash does on <TAB>: load the completion on demand (bash-completion's loader), then call the function
# `complete -p` names with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set as for the typed line.
completions=$(bash --norc --noprofile -c '
  source /usr/share/bash-completion/bash_completion
  _completion_loader davdoctor
  function=$(complete -p davdoctor | sed -E "s/.*-F ([^ ]+).*/\1/")
  COMP_LINE="davdoctor che"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(davdoctor che); COMP_CWORD=1
  "$function" davdoctor che davdoctor
  printf "%s\n" "${COMPREPLY[@]}"')
echo "offered: $completions"
[[ $completions == check ]] || fail "davdoctor che<TAB> offered '$completions', not 'check'"
for file in /usr/share/zsh/vendor-completions/_davdoctor /usr/share/fish/vendor_completions.d/davdoctor.fish; do
  [[ -s $file ]] || fail "$file is missing"
done

# serve_and_check NAME CHECK_ARGS… -- SERVE_ARGS…: serve /tmp/site on a free port, check /docs/ on it, stop it.
serve_and_check() {
  local name=$1; shift
  local check_args=(); while [[ $1 != -- ]]; do check_args+=("$1"); shift; done; shift
  davdoctor serve /tmp/site --port 0 "$@" >"/tmp/serve-$name.txt" 2>&1 &
  local serve=$! url="" status=0
  for _ in $(seq 100); do url=$(grep -o 'http://127.0.0.1:[0-9]*' "/tmp/serve-$name.txt" | head -1) && [[ -n $url ]] && break; sleep 0.1; done
  [[ -n $url ]] || { cat "/tmp/serve-$name.txt"; fail "serve ($name) printed no URL"; }
  davdoctor check "$url/docs/" "${check_args[@]}" >"/tmp/check-$name.txt" 2>&1 || status=$?
  kill "$serve"; wait "$serve" || true
  cat "/tmp/check-$name.txt"
  [[ $status == 0 ]] || fail "check of serve ($name) exited $status"
}
mkdir -p /tmp/site/docs && echo hello >/tmp/site/docs/hello.txt

step "davdoctor serve on 127.0.0.1, answering davdoctor check"
serve_and_check plain -- --memory

step "the same with /etc/davdoctor/example.yaml, its placeholder password replaced by a real hash"
hash=$(echo alice-pw | davdoctor serve --hash-password)
config=$(cat /etc/davdoctor/example.yaml)
printf '%s\n' "${config//'pbkdf2-sha256$210000$REPLACE$ME'/$hash}" >/tmp/site.yaml
grep -q "$hash" /tmp/site.yaml || fail "the example config has no placeholder password to replace"
serve_and_check example --user alice:alice-pw -- --config /tmp/site.yaml --data-dir /tmp/site-data

step "the service unit and the example config are in place"
test -f /usr/lib/systemd/system/davdoctor-serve@.service || fail "no davdoctor-serve@.service"
test -f /etc/davdoctor/example.yaml || fail "no /etc/davdoctor/example.yaml"
getent passwd davdoctor >/dev/null || fail "the davdoctor user was not created"
echo "all package checks passed"
INSIDE

started=$(date +%s)
unshare --mount --pid --fork --propagation private bash -euo pipefail -c '
  root=$1; depends=$2
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEPENDS="$depends" bash /tmp/inside.sh
' unshare "$root" "$depends"
echo "package test passed in $(( $(date +%s) - started )) s (root unpacked from $tarball)"
