#!/usr/bin/env bash
# Start SabreDAV (Debian php-sabre-dav, 1.8) under PHP's built-in web server on 127.0.0.1 only.
#
#   scripts/peers/start-sabredav.sh WORKDIR [PORT]      (default port 18088)
#   env: PROFILE=faulty|clean (default faulty), NAME (default sabredav), BIG=N files in /big/ (default 0),
#        DEBUG_EXCEPTIONS=1 to put file/line/stack traces into Sabre's error bodies,
#        PHP_INI=FILE  run php -S with this php.ini (php -c FILE), e.g. /usr/lib/php/8.2/php.ini-development
#                      (display_errors On: PHP's notices land in the answers); default PHP's own configuration
#
# Creates WORKDIR/NAME/{root/,data/,logs/}, runs "php -S 127.0.0.1:PORT scripts/peers/sabredav/server.php"
# in the background, writes the PID to WORKDIR/NAME.pid and prints the base URL. server.php serves root/
# with Sabre\DAV\FSExt (dead properties in per-directory .sabredav files), the Locks plugin with the
# file backend (data/locksdb), the Browser plugin (HTML for GET on a collection). The faulty profile adds:
#   /secret/   Basic auth (alice:alice-pw, bob:bob-pw; a {SHA} users file); /secret/alice/ alice only (403)
#   /ro/       a read-only bind mount of its directory (root only)
#   /quota/    a 256 KiB tmpfs, almost full (root only)
#   /odd/      file names with a control character (U+0007) and with a Latin-1 byte (not UTF-8) on disk
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args sabredav 18088 "$@"

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/data" "$BASE/logs"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi
env_users=()
if [[ "$PROFILE" == faulty ]]; then
  htpasswd -cbs "$BASE/users" alice alice-pw 2>/dev/null
  htpasswd -bs "$BASE/users" bob bob-pw 2>/dev/null
  env_users=("SABRE_USERS=$BASE/users")
  mkdir -p "$root/odd"
  printf 'a plain neighbour\n' >"$root/odd/plain.txt"
  printf 'bell in the name\n' >"$root/odd/$(printf 'bell\a.txt')"
  printf 'Latin-1 e-acute byte in the name\n' >"$root/odd/$(printf 'caf\xe9-latin1.txt')"
  mkdir -p "$root/ro"
  printf 'read only\n' >"$root/ro/readme.txt"
  if [[ $(id -u) -eq 0 ]] && mount --bind "$root/ro" "$root/ro" 2>/dev/null; then
    echo "$root/ro" >>"$WORKDIR/mounts"
    mount -o remount,ro,bind "$root/ro" "$root/ro" 2>/dev/null || echo "note: could not remount $root/ro read-only" >&2
  else
    echo "note: could not bind-mount $root/ro read-only; the read-only fault is unavailable" >&2
  fi
  mount_quota "$root/quota" 256k
fi

php_ini=()
if [[ -n "${PHP_INI:-}" ]]; then php_ini=(-c "$PHP_INI"); fi
(
  cd "$BASE"
  exec env SABRE_ROOT="$root" SABRE_DATA="$BASE/data" SABRE_DEBUG_EXCEPTIONS="${DEBUG_EXCEPTIONS:-0}" "${env_users[@]}" \
    setsid php "${php_ini[@]}" -S "127.0.0.1:$PORT" "$here/sabredav/server.php" \
    >>"$BASE/logs/php.log" 2>&1
) &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/php.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
