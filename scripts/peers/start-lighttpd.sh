#!/usr/bin/env bash
# Start lighttpd with mod_webdav (SQLite property/lock DB) on 127.0.0.1 only.
#
#   scripts/peers/start-lighttpd.sh WORKDIR [PORT]      (default port 18083)
#   env: PROFILE=faulty|clean (default faulty), NAME (default lighttpd), BIG=N files in /big/ (default 0),
#        EXTRA_CONF=FILE  a lighttpd.conf fragment included at the end (more subtrees, options; default none)
#
# Creates WORKDIR/NAME/{lighttpd.conf,root/,logs/,webdav.db}, runs "lighttpd -D" in the background, writes
# the PID to WORKDIR/NAME.pid and prints the base URL. DAV is served at "/". The faulty profile adds:
#   /private/  url.access-deny                               -> 403
#   /secret/   Basic auth (alice:alice-pw, bob:bob-pw), valid-user; /secret/alice/ user=alice only
#   /upload/   server.max-request-size = 1 (KiB)             -> 413
#   /quota/    a 256 KiB tmpfs, almost full (root only)      -> 507 on PUT
#   /ro/       webdav.is-readonly = "enable"                 -> 403 for writes
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args lighttpd 18083 "$@"

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/tmp" "$BASE/db"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi
faulty_conf=""
if [[ "$PROFILE" == faulty ]]; then
  make_htpasswd "$BASE/htpasswd"
  mkdir -p "$root/ro"
  printf 'read only\n' >"$root/ro/readme.txt"
  mount_quota "$root/quota" 256k
  faulty_conf=$(cat <<CONF
\$HTTP["url"] =~ "^/private/" {
    url.access-deny = ( "" )
}
\$HTTP["url"] =~ "^/secret/" {
    auth.backend = "htpasswd"
    auth.backend.htpasswd.userfile = "$BASE/htpasswd"
    auth.require = ( "/secret/alice/" => ( "method" => "basic", "realm" => "davdoctor secret", "require" => "user=alice" ),
                     "/secret/" => ( "method" => "basic", "realm" => "davdoctor secret", "require" => "valid-user" ) )
}
\$HTTP["url"] =~ "^/upload/" {
    server.max-request-size = 1
}
\$HTTP["url"] =~ "^/ro/" {
    webdav.is-readonly = "enable"
}
CONF
)
fi
give_to_run_user "$root" "$BASE/tmp" "$BASE/db" "$BASE/logs"

cat >"$BASE/lighttpd.conf" <<CONF
# davdoctor peer: lighttpd mod_webdav ($PROFILE)
server.modules = ( "mod_access", "mod_auth", "mod_authn_file", "mod_webdav", "mod_accesslog" )
server.bind = "127.0.0.1"
server.port = $PORT
server.document-root = "$root"
server.username = "$RUN_USER"
server.groupname = "$RUN_GROUP"
server.errorlog = "$BASE/logs/error.log"
accesslog.filename = "$BASE/logs/access.log"
server.upload-dirs = ( "$BASE/tmp" )
server.max-request-size = 65536
include_shell "/usr/share/lighttpd/create-mime.conf.pl"
webdav.activate = "enable"
webdav.is-readonly = "disable"
webdav.sqlite-db-name = "$BASE/db/webdav.db"
$faulty_conf
CONF
if [[ -n "${EXTRA_CONF:-}" ]]; then
  printf '# EXTRA_CONF\ninclude "%s"\n' "$(cd "$(dirname "$EXTRA_CONF")" && pwd)/$(basename "$EXTRA_CONF")" >>"$BASE/lighttpd.conf"
fi
if ! lighttpd -tt -f "$BASE/lighttpd.conf" >"$BASE/logs/configtest.log" 2>&1; then
  cat "$BASE/logs/configtest.log" >&2; exit 1
fi
setsid lighttpd -D -f "$BASE/lighttpd.conf" >>"$BASE/logs/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" || { cat "$BASE/logs/error.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
