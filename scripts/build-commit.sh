#!/bin/sh
# Usage: build-commit.sh PACKAGE_ROOT OUTPUT_DIR
# Writes OUTPUT_DIR/BuildCommit.swift naming the git commit of PACKAGE_ROOT ("-dirty" when tracked files
# differ from it), or nil when there is no git or no repository (a source tarball). Run by the BuildCommit
# plugin before every build; the file is only rewritten when its content changes, so an unchanged commit
# recompiles nothing. POSIX sh: the plugin runs it with /bin/sh.
set -eu
root=$1
out=$2
mkdir -p "$out"
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || true)
if [ -n "$commit" ]; then
  git -C "$root" diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
  value="\"$commit\""
else
  value=nil
fi
new="$out/BuildCommit.swift.new"
{
  echo "// Written by scripts/build-commit.sh (the BuildCommit plugin) before each build; not kept in git."
  echo "/// The git commit this binary was built from; nil when built outside a git checkout."
  echo "let buildCommit: String? = $value"
} > "$new"
if cmp -s "$new" "$out/BuildCommit.swift"; then rm -f "$new"; else mv "$new" "$out/BuildCommit.swift"; fi
