#!/usr/bin/env bash
# Start `davdoctor serve` on 127.0.0.1 over the same tree the other peers serve, as one more peer.
#
#   scripts/peers/start-davdoctor.sh WORKDIR [PORT]      (default port 18093)
#   env: PROFILE=faulty|clean (default faulty), NAME (default davdoctor), BIG=N files in /big/ (default 0),
#        DAVDOCTOR_BIN=path of the binary (default .build/release/davdoctor, then .build/debug/davdoctor)
#
# Creates WORKDIR/NAME/{root/,data/,logs/,config.yaml}, writes the PID to WORKDIR/NAME.pid and prints the
# base URL. The clean profile serves the tree read-write without authentication. The faulty profile adds:
#   users alice:alice-pw (group editors) and bob:bob-pw, no anonymous access  -> 401 without credentials
#   /private/       no rule grants it                                        -> 403 for alice and bob
#   /secret/alice/  only alice may read or write                             -> 403 for bob
#   /ro/            read-only for everyone                                   -> 403 on writes
#   limits: maxBodyBytes 1024 (-> 413 for a 4 KiB PUT), depthInfinity false (-> 403 propfind-finite-depth)
#   /quota/         an almost full 256 KiB tmpfs (root only)                 -> 507
# The password hashes use 1,000 PBKDF2 iterations instead of the default 210,000 so that a debug build
# verifies them in milliseconds: fine for a test peer, never for a real server.
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args davdoctor 18093 "$@"

repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/find-davdoctor.sh"
bin=$(davdoctor_binary) || exit 2

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/data"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi

args=("$root" --host 127.0.0.1 --port "$PORT" --data-dir "$BASE/data" --access-log "$BASE/logs/access.log")
if [[ "$PROFILE" == faulty ]]; then
  mkdir -p "$root/ro"
  printf 'read only\n' >"$root/ro/readme.txt"
  mount_quota "$root/quota" 256k
  hash() { # hash PASSWORD -> pbkdf2-sha256$1000$SALT$HASH
    python3 -c 'import hashlib, os, sys; s = os.urandom(16); print("pbkdf2-sha256$1000$" + s.hex() + "$" + hashlib.pbkdf2_hmac("sha256", sys.argv[1].encode(), s, 1000).hex())' "$1"
  }
  cat >"$BASE/config.yaml" <<EOF
users:
  - name: alice
    password: "$(hash alice-pw)"
    groups: [editors]
  - name: bob
    password: "$(hash bob-pw)"
anonymous: none
rules:
  - path: /
    write: ["*"]
  - path: /private/
    read: []
  - path: /secret/alice/
    write: [alice]
  - path: /ro/
    read: ["*"]
limits:
  maxBodyBytes: 1024
  depthInfinity: false
EOF
  args+=(--config "$BASE/config.yaml")
fi

setsid "$bin" serve "${args[@]}" >>"$BASE/logs/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/stdout.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
