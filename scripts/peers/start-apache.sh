#!/usr/bin/env bash
# Start Apache httpd 2.4 with mod_dav + mod_dav_fs on 127.0.0.1 only.
#
#   scripts/peers/start-apache.sh WORKDIR [PORT]      (default port 18081)
#   env: PROFILE=faulty|clean (default faulty), NAME (default apache), BIG=N files in /big/ (default 0),
#        LOCKDB=path for DavLockDB (default in the work dir; an unwritable path reproduces catalog SC-03)
#        ROOT=an existing tree to serve instead of a fresh one (the clean profile only)
#        EXTRA_CONF=file whose directives are appended to httpd.conf as they are (default none; it may use
#        LoadModule, <Location> and so on; scripts/corpus/setups/apache.py uses it for more subtrees)
#
# Creates WORKDIR/NAME/{httpd.conf,root/,logs/,lock/}, writes the PID to WORKDIR/NAME.pid and prints the
# base URL. DAV is served at "/". The faulty profile adds:
#   /private/  Require all denied                              -> 403
#   /secret/   Basic auth (alice:alice-pw, bob:bob-pw), valid-user; /secret/alice/ only alice (403 for bob)
#   /upload/   LimitRequestBody 1024                           -> 413
#   /quota/    a 256 KiB tmpfs, almost full (root only)        -> 507
#   /ro/       PUT/DELETE/... refused with AllowMethods        -> 405
# Apache's own default DavDepthInfinity Off is kept (-> 403 for Depth: infinity).
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args apache 18081 "$@"

# ROOT: serve an existing tree (another node's, for start-apache-pair.sh) instead of a fresh one.
root="${ROOT:-$BASE/root}"
[[ -n "${ROOT:-}" ]] || make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/lock" "$BASE/run"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi
faulty_conf=""
if [[ "$PROFILE" == faulty ]]; then
  make_htpasswd "$BASE/htpasswd"
  mkdir -p "$root/ro"
  printf 'read only\n' >"$root/ro/readme.txt"
  mount_quota "$root/quota" 256k
  faulty_conf=$(cat <<CONF
<Location /private/>
    Require all denied
</Location>
<Location /secret/>
    AuthType Basic
    AuthName "davdoctor secret"
    AuthBasicProvider file
    AuthUserFile "$BASE/htpasswd"
    Require valid-user
</Location>
<Location /secret/alice/>
    AuthzSendForbiddenOnFailure On
    Require user alice
</Location>
<Location /upload/>
    LimitRequestBody 1024
</Location>
<Location /ro/>
    AllowMethods GET HEAD OPTIONS PROPFIND
</Location>
CONF
)
fi
give_to_run_user "$root" "$BASE/lock" "$BASE/logs"

mods=/usr/lib/apache2/modules
cat >"$BASE/httpd.conf" <<CONF
# davdoctor peer: Apache mod_dav ($PROFILE)
ServerRoot "$BASE"
DefaultRuntimeDir "$BASE/run"
PidFile "$BASE/run/httpd.pid"
Mutex file:$BASE/run default
Listen 127.0.0.1:$PORT
ServerName 127.0.0.1:$PORT
User $RUN_USER
Group $RUN_GROUP
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule authz_host_module $mods/mod_authz_host.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule allowmethods_module $mods/mod_allowmethods.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
LoadModule dav_module $mods/mod_dav.so
LoadModule dav_fs_module $mods/mod_dav_fs.so
TypesConfig /etc/mime.types
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
ErrorLog "$BASE/logs/error.log"
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Depth}i\" \"%{Destination}i\"" davlog
CustomLog "$BASE/logs/access.log" davlog
DavLockDB "${LOCKDB:-$BASE/lock/DavLock}"
DocumentRoot "$root"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$root">
    Dav On
    Options None
    AllowOverride None
    Require all granted
</Directory>
$faulty_conf
CONF
if [[ -n "${EXTRA_CONF:-}" ]]; then
  { echo "# extra configuration from $EXTRA_CONF"; cat "$EXTRA_CONF"; } >>"$BASE/httpd.conf"
fi

apache2 -t -f "$BASE/httpd.conf" >/dev/null 2>"$BASE/logs/configtest.log" || { cat "$BASE/logs/configtest.log" >&2; exit 1; }
setsid apache2 -f "$BASE/httpd.conf" -DFOREGROUND >>"$BASE/logs/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" || { cat "$BASE/logs/error.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
