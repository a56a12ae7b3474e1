#!/usr/bin/env bash
# Start nginx (nginx-light) as a reverse proxy in front of the Apache and WsgiDAV peers, 127.0.0.1 only.
#
#   scripts/peers/start-nginx-proxy.sh WORKDIR [PORT]      (default port 18086; uses PORT..PORT+3, or +4)
#   env: APACHE_PORT (default 18081), WSGIDAV_PORT (default 18084), NAME (default nginx-proxy),
#        WSGIDAV_CORRECT=1 to listen on PORT+4 too (capture-fixtures.sh has another peer there)
#
# Start the backends first (start-apache.sh, start-wsgidav.sh). Listens on four or five ports, one setup each:
#   PORT     prefix stripped:  /dav/  -> Apache  /   and  /wdav/ -> WsgiDAV /   (Host kept: $http_host)
#   PORT+1   correct:          /      -> Apache  /   (same path, Host kept)
#   PORT+2   Host not kept:    /      -> Apache  /   (nginx sends Host: 127.0.0.1:APACHE_PORT)
#   PORT+3   Host not kept:    /      -> WsgiDAV /   (nginx sends Host: 127.0.0.1:WSGIDAV_PORT)
#   PORT+4   correct:          /      -> WsgiDAV /   (same path, Host kept; only with WSGIDAV_CORRECT=1)
# No proxy setup rewrites the Destination header. PROFILE is accepted for symmetry and ignored.
# Writes the master PID to WORKDIR/NAME.pid and prints the base URL of PORT. Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args nginx-proxy 18086 "$@"
APACHE_PORT=${APACHE_PORT:-18081}
WSGIDAV_PORT=${WSGIDAV_PORT:-18084}
LAST=$((PORT + 3))
if [[ "${WSGIDAV_CORRECT:-0}" == 1 ]]; then LAST=$((PORT + 4)); fi
for p in $(seq $((PORT + 1)) "$LAST"); do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy"
give_to_run_user "$BASE/tmp"

nginx_conf_head "nginx reverse proxy in front of Apache ($APACHE_PORT) and WsgiDAV ($WSGIDAV_PORT)" 64 >"$BASE/nginx.conf"
cat >>"$BASE/nginx.conf" <<CONF
    client_max_body_size 64m;
    proxy_http_version 1.1;
    proxy_buffering off;

    # (a) a sub-path mapped onto the backend's root: the prefix is stripped on the way in
    server {
        listen 127.0.0.1:$PORT;
        location /dav/ {
            proxy_pass http://127.0.0.1:$APACHE_PORT/;
            proxy_set_header Host \$http_host;
        }
        location /wdav/ {
            proxy_pass http://127.0.0.1:$WSGIDAV_PORT/;
            proxy_set_header Host \$http_host;
        }
    }
    # (c) the correct setup: same path on both sides, the client's Host passed through
    server {
        listen 127.0.0.1:$((PORT + 1));
        location / {
            proxy_pass http://127.0.0.1:$APACHE_PORT;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
    # (b) the Host header is not preserved (nginx's default: the upstream's host:port)
    server {
        listen 127.0.0.1:$((PORT + 2));
        location / {
            proxy_pass http://127.0.0.1:$APACHE_PORT;
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 3));
        location / {
            proxy_pass http://127.0.0.1:$WSGIDAV_PORT;
        }
    }
$(if [[ "$LAST" == $((PORT + 4)) ]]; then cat <<EXTRA
    server {
        listen 127.0.0.1:$((PORT + 4));
        location / {
            proxy_pass http://127.0.0.1:$WSGIDAV_PORT;
            proxy_set_header Host \$http_host;
        }
    }
EXTRA
fi)
}
CONF

start_nginx "$LAST" || exit 1
