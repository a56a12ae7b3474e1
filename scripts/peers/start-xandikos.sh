#!/usr/bin/env bash
# Start Xandikos (pip xandikos, git-backed CalDAV/CardDAV) on 127.0.0.1 only.
#
#   scripts/peers/start-xandikos.sh WORKDIR [PORT]      (default port 18087)
#   env: PROFILE=faulty|clean (default faulty), NAME (default xandikos)
#
# Creates WORKDIR/NAME/{root/,logs/}, runs "xandikos serve --autocreate" for the principal /alice/ in the
# background, writes the PID to WORKDIR/NAME.pid and prints the base URL. Xandikos has no access control
# of its own on plain HTTP (its --htpasswd needs TLS), so every request is anonymous. Calendars and address
# books under /alice/ are left to the client (MKCALENDAR / extended MKCOL). The faulty profile adds, made
# with "xandikos create-collection" (root only):
#   /shared/full/     a calendar whose directory is a 256 KiB tmpfs filled to the last byte
#   /shared/archive/  a calendar with one event (old.ics), then bind-mounted read-only (a restored
#                     snapshot mounted ro): every write, and every read that refreshes the git index, fails
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args xandikos 18087 "$@"

root="$BASE/root"
mkdir -p "$root" "$BASE/logs" "$BASE/state"

if [[ "$PROFILE" == faulty ]]; then
  mkdir -p "$root/shared"
  xandikos create-collection -d "$root" --type calendar --name shared/full --displayname "Full" >>"$BASE/logs/setup.log" 2>&1
  xandikos create-collection -d "$root" --type calendar --name shared/archive --displayname "Archive 2025" >>"$BASE/logs/setup.log" 2>&1
  full="$root/shared/full"
  if [[ $(id -u) -eq 0 ]]; then
    mv "$full" "$full.made"
    mkdir "$full"
    if mount -t tmpfs -o size=256k,mode=0755 tmpfs "$full" 2>/dev/null; then
      echo "$full" >>"$WORKDIR/mounts"
      cp -a "$full.made/." "$full/"
      head -c 1048576 /dev/zero >"$full/.git/filler" 2>/dev/null || true
    else
      echo "note: could not mount a tmpfs on $full; the storage (507) fault is unavailable" >&2
      cp -a "$full.made/." "$full/"
    fi
    rm -rf "$full.made"
  fi
fi

setsid xandikos serve -d "$root" --autocreate --current-user-principal /alice/ --state-dir "$BASE/state" \
  -l 127.0.0.1 -p "$PORT" >>"$BASE/logs/xandikos.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/xandikos.log" >&2 || true; exit 1; }

if [[ "$PROFILE" == faulty ]]; then
  archive="$root/shared/archive"
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//peer//EN\r\nBEGIN:VEVENT\r\nUID:retro-2025@example.com\r\nDTSTAMP:20251201T090000Z\r\nDTSTART:20251219T150000Z\r\nDURATION:PT1H\r\nSUMMARY:Year-end retro\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' |
    curl -s -o /dev/null -X PUT -H 'Content-Type: text/calendar' --data-binary @- "http://127.0.0.1:$PORT/shared/archive/old.ics"
  if [[ $(id -u) -eq 0 ]] && mount --bind "$archive" "$archive" 2>/dev/null; then
    echo "$archive" >>"$WORKDIR/mounts"
    mount -o remount,ro,bind "$archive" "$archive" 2>/dev/null || echo "note: could not remount $archive read-only" >&2
  else
    echo "note: could not bind-mount $archive read-only; the read-only fault is unavailable" >&2
  fi
fi
echo "http://127.0.0.1:$PORT"
