#!/usr/bin/env bash
# Start nginx (nginx-light) with ngx_http_dav_module + the dav-ext module on 127.0.0.1 only.
#
#   scripts/peers/start-nginx-dav-ext.sh WORKDIR [PORT]      (default port 18082)
#   env: PROFILE=faulty|clean (default faulty), NAME (default nginx), BIG=N files in /big/ (default 0),
#        WORKERS=worker_processes (default 1; the benchmark gives "auto", one per core, as davdoctor uses every core)
#        EXTRA_CONF=FILE  more nginx directives (locations) for the server block, "@ROOT@" replaced by the
#                         served root (the corpus setup scripts/corpus/setups/nginx.py uses it); default none
#        INODES_FULL=1    also mount a tmpfs on /inodes/ whose inodes are all used (root only): mkdir and
#                         create fail with ENOSPC while blocks are free; default off
#
# Creates WORKDIR/NAME/{nginx.conf,root/,logs/,tmp/}, runs nginx with "daemon off" in the background,
# writes the master PID to WORKDIR/NAME.pid and prints the base URL. DAV is served at "/" with
# dav_methods PUT DELETE MKCOL COPY MOVE, dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK and a lock zone.
# The faulty profile adds:
#   /private/  deny all                                      -> 403
#   /secret/   auth_basic (alice:alice-pw, bob:bob-pw); /secret/alice/ returns 403 unless user is alice
#   /upload/   client_max_body_size 1k                       -> 413
#   /quota/    a 256 KiB tmpfs, almost full (root only)      -> ENOSPC on PUT
#   /ro/       dav_methods off (PROPFIND/OPTIONS only)       -> 405 for writes
# Stop with scripts/peers/stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args nginx 18082 "$@"

root="$BASE/root"
make_tree "$root"
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy"
if [[ "${BIG:-0}" -gt 0 ]]; then make_big "$root/big" "$BIG"; fi
faulty_conf=""
if [[ "$PROFILE" == faulty ]]; then
  make_htpasswd "$BASE/htpasswd"
  mkdir -p "$root/ro"
  printf 'read only\n' >"$root/ro/readme.txt"
  mount_quota "$root/quota" 256k
  faulty_conf=$(cat <<CONF
        location /private/ {
            deny all;
        }
        location /secret/ {
            auth_basic "davdoctor secret";
            auth_basic_user_file $BASE/htpasswd;
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
            dav_ext_lock zone=davlocks;
            location /secret/alice/ {
                auth_basic "davdoctor secret";
                auth_basic_user_file $BASE/htpasswd;
                if (\$remote_user != "alice") { return 403; }
                dav_methods PUT DELETE MKCOL COPY MOVE;
                dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
            }
        }
        location /upload/ {
            client_max_body_size 1k;
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
            dav_ext_lock zone=davlocks;
        }
        location /ro/ {
            dav_methods off;
            dav_ext_methods PROPFIND OPTIONS;
        }
CONF
)
fi
extra_conf=""
if [[ -n "${EXTRA_CONF:-}" ]]; then
  extra_conf=$(sed "s|@ROOT@|$root|g" "$EXTRA_CONF")
fi
give_to_run_user "$root" "$BASE/tmp"
if [[ "${INODES_FULL:-0}" == 1 ]]; then
  mkdir -p "$root/inodes"
  if [[ $(id -u) -eq 0 ]] && mount -t tmpfs -o "size=1m,nr_inodes=12,mode=0755" tmpfs "$root/inodes" 2>/dev/null; then
    echo "$root/inodes" >>"$WORKDIR/mounts"
    for i in $(seq 1 64); do { printf "f\n" >"$root/inodes/file-$i.txt"; } 2>/dev/null || break; done
    chown -R "$RUN_USER:$RUN_GROUP" "$root/inodes"
  else
    echo "note: could not mount a tmpfs on $root/inodes; the inode (507) fault is unavailable" >&2
  fi
fi

cat >"$BASE/nginx.conf" <<CONF
# davdoctor peer: nginx + dav-ext ($PROFILE)
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
daemon off;
master_process on;
worker_processes ${WORKERS:-1};
user $RUN_USER $RUN_GROUP;
pid $BASE/nginx.pid;
error_log $BASE/logs/error.log info;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $BASE/logs/access.log;
    client_body_temp_path $BASE/tmp/body;
    proxy_temp_path $BASE/tmp/proxy;
    fastcgi_temp_path $BASE/tmp/body;
    uwsgi_temp_path $BASE/tmp/body;
    scgi_temp_path $BASE/tmp/body;
    dav_ext_lock_zone zone=davlocks:1m timeout=10m;
    server {
        listen 127.0.0.1:$PORT;
        server_name 127.0.0.1;
        root $root;
        location / {
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
            dav_ext_lock zone=davlocks;
            dav_access user:rw group:rw all:r;
            client_max_body_size 64m;
        }
$faulty_conf
$extra_conf
    }
}
CONF

start_nginx || exit 1
