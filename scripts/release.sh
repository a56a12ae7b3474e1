#!/usr/bin/env bash
# Usage: scripts/release.sh            → dist/davdoctor_VERSION_amd64.deb
#
# Builds davdoctor in release mode with the Swift standard library and Foundation linked in
# (--static-swift-stdlib), strips it, and packages it with dpkg-deb:
#   /usr/bin/davdoctor
#   /usr/share/man/man1/davdoctor*.1.gz          one per subcommand, from swift-argument-parser's
#                                                generate-manual plugin (the parser's own help),
#                                                davdoctor.check.1.gz also as davdoctor-check.1.gz
#   bash, zsh and fish completions               from davdoctor --generate-completion-script
#   /usr/lib/systemd/system/davdoctor-serve@.service, /etc/davdoctor/example.{yaml,env}  (packaging/)
# Depends: is worked out from what the binary loads (ldd → dpkg -S); no path may lead into a toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "release: $*" >&2; exit 1; }
for tool in swift dpkg-deb dpkg-query strip gzip ldd; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ $(dpkg --print-architecture) == amd64 ]] || die "builds amd64 packages only (this is $(dpkg --print-architecture))"
started=$(date +%s)
say() { printf '== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

# Its own scratch path: a release build never waits for, nor invalidates, the debug build in .build.
scratch=(--scratch-path .build-release)

# The man pages' date: the commit's, so two builds of one commit give the same pages.
manual_date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)

# The pages come from the debug build in .build (the plugin builds it first; after `swift build`, as in
# .ci/run, there is nothing left to build): the help text is the same in every configuration, and the
# plugin cannot pass --static-swift-stdlib, which changes every compile command, so asking it for a
# release build would compile everything a second time.
say "man pages: swift package generate-manual"
manual_dir=.build/plugins/GenerateManual/outputs/davdoctor
rm -rf "$manual_dir"
swift package generate-manual --configuration debug --multi-page --date "$manual_date" >/tmp/davdoctor-release-manual.log 2>&1 \
  || { tail -30 /tmp/davdoctor-release-manual.log >&2; die "generate-manual failed"; }

say "release build, Swift standard library and Foundation static"
# Every target, not --product davdoctor: a product build skips the BuildCommit prebuild step, and the
# binary would name the commit of an earlier build.
swift build "${scratch[@]}" -c release --static-swift-stdlib >/tmp/davdoctor-release-build.log 2>&1 \
  || { tail -30 /tmp/davdoctor-release-build.log >&2; die "swift build failed"; }
built=$(swift build "${scratch[@]}" -c release --show-bin-path)/davdoctor

stage=$(mktemp -d /tmp/davdoctor-release.XXXXXX)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"   # mktemp's 0700 would be the package's ./ entry
install -D -m 755 "$built" "$stage/usr/bin/davdoctor"
strip --strip-all "$stage/usr/bin/davdoctor"
binary="$stage/usr/bin/davdoctor"

say "checking what the binary loads"
libraries=$(ldd "$binary" | awk '/=>/ { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u)
if grep -qiE 'swift|/opt/|/usr/local/' <<<"$libraries"; then
  die "the binary loads from outside the system libraries: $(grep -iE 'swift|/opt/|/usr/local/' <<<"$libraries" | tr '\n' ' ')"
fi
depends=()
for library in $libraries; do
  real=$(readlink -f "$library")
  package=$({ dpkg-query -S "$library" 2>/dev/null || dpkg-query -S "$real" 2>/dev/null || true; } | head -1)
  [[ -n $package ]] || die "no Debian package owns $library"
  package=${package%%:*}   # "libc6:amd64: /lib/…" → libc6
  version=$(dpkg-query -W -f='${Version}' "$package")
  upstream=${version%%-*}   # the upstream version: a later Debian revision of it must do too
  depends+=("$package (>= $upstream)")
done
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')

version=$("$binary" --version | awk '{ print $1 }')
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "davdoctor --version printed no version: $("$binary" --version)"
say "davdoctor $version ($("$binary" --version)); Depends: $depends_line"

say "man pages and completions"
ls "$manual_dir"/*.1 >/dev/null 2>&1 || die "generate-manual wrote no pages in $manual_dir"
mkdir -p "$stage/usr/share/man/man1"
for page in "$manual_dir"/*.1; do
  name=$(basename "$page")
  gzip -9n <"$page" >"$stage/usr/share/man/man1/$name.gz"
  # generate-manual names a subcommand's page davdoctor.check.1 (and its SEE ALSO says so); the link lets
  # `man davdoctor-check` find it too, as git's and systemd's commands are looked up.
  if [[ $name == davdoctor.*.1 ]]; then ln -s "$name.gz" "$stage/usr/share/man/man1/$(tr . - <<<"${name%.1}").1.gz"; fi
done
"$binary" --generate-completion-script bash | install -D -m 644 /dev/stdin "$stage/usr/share/bash-completion/completions/davdoctor"
"$binary" --generate-completion-script zsh | install -D -m 644 /dev/stdin "$stage/usr/share/zsh/vendor-completions/_davdoctor"
"$binary" --generate-completion-script fish | install -D -m 644 /dev/stdin "$stage/usr/share/fish/vendor_completions.d/davdoctor.fish"

say "service unit, example config, package metadata"
install -D -m 644 "packaging/davdoctor-serve@.service" "$stage/usr/lib/systemd/system/davdoctor-serve@.service"
install -D -m 644 packaging/example.yaml "$stage/etc/davdoctor/example.yaml"
install -D -m 644 packaging/example.env "$stage/etc/davdoctor/example.env"
install -d -m 755 "$stage/srv/davdoctor"
install -D -m 644 README.md "$stage/usr/share/doc/davdoctor/README.md"
install -D -m 644 docs/server.md "$stage/usr/share/doc/davdoctor/server.md"
install -D -m 755 packaging/postinst "$stage/DEBIAN/postinst"
install -D -m 755 packaging/postrm "$stage/DEBIAN/postrm"
printf '/etc/davdoctor/example.yaml\n/etc/davdoctor/example.env\n' >"$stage/DEBIAN/conffiles"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: davdoctor
Version: $version
Architecture: amd64
Maintainer: davdoctor maintainers <davdoctor@invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends_line
Section: net
Priority: optional
Description: diagnose WebDAV 207 Multi-Status answers, and a WebDAV server
 davdoctor reads the 207 Multi-Status answers (and the errors sent instead)
 of WebDAV servers, names the cause for each resource and says what to
 change. davdoctor check probes a live server, davdoctor lab reproduces
 failures on a throw-away local server, and davdoctor serve is a WebDAV
 class 1 and 2 server (davdoctor-serve@.service runs one per site).
CONTROL

mkdir -p dist
deb="dist/davdoctor_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
say "wrote $deb: $(du -h "$deb" | cut -f1) (binary $(du -h "$binary" | cut -f1) stripped)"
