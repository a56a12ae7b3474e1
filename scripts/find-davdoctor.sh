# Sourced by the scripts that run the davdoctor binary. `davdoctor_binary [PATH]` prints the binary to use:
# PATH when given, else $DAVDOCTOR_BIN, else .build/release/davdoctor, else .build/debug/davdoctor; it
# fails with one line on stderr when the one named is not executable, or when none is found.
davdoctor_binary() {
  local repo candidate
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  # A path asked for by name is used or refused, never silently replaced by another binary.
  for candidate in "${1:-}" "${DAVDOCTOR_BIN:-}"; do
    [[ -n "$candidate" ]] || continue
    if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
    echo "$(basename "$0"): $candidate is not an executable davdoctor binary" >&2
    return 2
  done
  for candidate in "$repo/.build/release/davdoctor" "$repo/.build/debug/davdoctor"; do
    if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
  done
  echo "$(basename "$0"): no davdoctor binary (build it with swift build, or pass its path / set DAVDOCTOR_BIN)" >&2
  return 2
}
