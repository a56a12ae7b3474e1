#!/usr/bin/env bash
# Interoperability of `davdoctor serve` with real clients: cadaver, rclone (lsf, copy, sync, check) and
# Python webdav4, each against a fresh server on 127.0.0.1 over a temporary tree with hostile names.
#
#   scripts/interop-server.sh [path/to/davdoctor]   (default: $DAVDOCTOR_BIN, else .build/{release,debug}/davdoctor)
#
# Needs cadaver, rclone and python3 with webdav4 (Debian cadaver, rclone; pip webdav4); installs nothing.
# Exits non-zero when any client step fails.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
. "$here/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary "${1:-}") || exit 2
for tool in cadaver rclone python3 curl; do
    command -v "$tool" >/dev/null || { echo "interop-server.sh: $tool is not installed" >&2; exit 2; }
done
python3 -c 'import webdav4' 2>/dev/null || { echo "interop-server.sh: python webdav4 is not installed (pip install webdav4)" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/tree" "$work/data" "$work/src/sub dir" "$work/home" "$work/twins"
# The local tree the clients upload: hostile names (space, %, #, ?, &, NFC, emoji). The NFC/NFD twins live
# apart in twins/: rclone treats two names that differ only in normalisation as one file, by design.
printf 'plain\n' >"$work/src/plain.txt"
printf 'space\n' >"$work/src/a b.txt"
printf 'percent\n' >"$work/src/100%.txt"
printf 'hash\n' >"$work/src/hash#tag.txt"
printf 'question\n' >"$work/src/what?.txt"
printf 'amp\n' >"$work/src/amp&plus+.txt"
printf 'nfc\n' >"$work/src/$(printf 'caf\xc3\xa9.txt')"
printf 'nfc\n' >"$work/twins/$(printf 'caf\xc3\xa9.txt')"
printf 'nfd\n' >"$work/twins/$(printf 'cafe\xcc\x81.txt')"
printf 'emoji\n' >"$work/src/$(printf 'smile \xf0\x9f\x98\x80.txt')"
printf 'nested\n' >"$work/src/sub dir/nested.txt"
head -c 3000000 /dev/urandom >"$work/src/sub dir/big.bin"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
url="http://127.0.0.1:$port"
"$bin" serve "$work/tree" --host 127.0.0.1 --port "$port" --data-dir "$work/data" >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null -X OPTIONS "$url/" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { echo "interop-server.sh: the server exited:" >&2; cat "$work/server.out" >&2; exit 1; }
    sleep 0.1
done

failures=0
step() {
    local name=$1
    shift
    if "$@" >"$work/step.out" 2>&1; then
        echo "ok    $name"
    else
        echo "FAIL  $name" >&2
        sed 's/^/      /' "$work/step.out" >&2
        failures=$((failures + 1))
    fi
}

# --- cadaver: an interactive client driven by a script; every command must report success.
cadaver_session() {
    cd "$work/src"
    HOME="$work/home" cadaver "$url/" >"$work/cadaver.out" 2>&1 <<'CMDS'
mkcol cadaver
cd cadaver
put plain.txt
put "a b.txt"
propset plain.txt color blue
propget plain.txt color
lock plain.txt
unlock plain.txt
copy plain.txt copied.txt
move copied.txt moved.txt
ls
get moved.txt /dev/null
delete moved.txt
quit
CMDS
    cat "$work/cadaver.out"
    ! grep -Eiq 'failed|error|not found' "$work/cadaver.out" || return 1
    grep -q 'blue' "$work/cadaver.out" || return 1
    curl -fsS "$url/cadaver/a%20b.txt" | grep -q space
}
step "cadaver mkcol/put/propset/propget/lock/unlock/copy/move/ls/get/delete" cadaver_session

# --- rclone: remote configured through the environment, no config file.
export RCLONE_CONFIG_DD_TYPE=webdav RCLONE_CONFIG_DD_URL="$url/" RCLONE_CONFIG_DD_VENDOR=other
export RCLONE_CONFIG="$work/home/rclone.conf"
step "rclone copy" rclone copy "$work/src" dd:rclone-copy
step "rclone lsf" bash -c "rclone lsf -R dd:rclone-copy | sort > '$work/lsf.txt' && (cd '$work/src' && find . -mindepth 1 | sed 's|^\./||; s|\$||' | while read -r p; do if [ -d \"\$p\" ]; then echo \"\$p/\"; else echo \"\$p\"; fi; done | sort) | diff - '$work/lsf.txt'"
step "rclone sync" rclone sync "$work/src" dd:rclone-sync
step "rclone check" rclone check "$work/src" dd:rclone-sync
step "rclone check (copy)" rclone check "$work/src" dd:rclone-copy
rm "$work/src/plain.txt"
step "rclone sync after a deletion" rclone sync "$work/src" dd:rclone-sync
step "rclone check after a deletion" rclone check "$work/src" dd:rclone-sync
printf 'plain\n' >"$work/src/plain.txt"

# --- Python webdav4.
webdav4_session() {
    python3 - "$url" "$work/src" "$work/twins" <<'PY'
import io, os, sys
from webdav4.client import Client

url, src, twins = sys.argv[1], sys.argv[2], sys.argv[3]
client = Client(url)
client.mkdir("py")
client.mkdir("py-twins")
def files(folder):
    # httpx refuses to build URLs whose path holds '?' or '#' (it does not encode them): skip those names.
    return sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)) and not set("?#") & set(n))
names = files(src)
for folder, remote in ((src, "py"), (twins, "py-twins")):
    for name in files(folder):
        client.upload_file(os.path.join(folder, name), remote + "/" + name)
    listed = sorted(entry["name"].split("/")[-1] for entry in client.ls(remote, detail=True))
    assert [n.encode() for n in listed] == [n.encode() for n in files(folder)], (listed, files(folder))
    for name in files(folder):
        buffer = io.BytesIO()
        client.download_fileobj(remote + "/" + name, buffer)
        with open(os.path.join(folder, name), "rb") as f:
            assert buffer.getvalue() == f.read(), name
client.copy("py", "py-copy")
client.move("py-copy", "py-moved")
assert client.exists("py-moved/" + names[0])
assert not client.exists("py-copy")
info = client.info("py/" + names[0])
assert info["content_length"] == os.path.getsize(os.path.join(src, names[0])), info
client.remove("py-moved")
assert not client.exists("py-moved")
print("webdav4: %d files round-tripped" % len(names))
PY
}
step "webdav4 mkdir/upload/ls/download/copy/move/info/remove" webdav4_session

if ((failures > 0)); then
    echo "interop-server.sh: $failures step(s) failed" >&2
    exit 1
fi
echo "interop-server.sh: all clients passed"
