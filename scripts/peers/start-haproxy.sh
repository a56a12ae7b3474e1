#!/usr/bin/env bash
# Start HAProxy (Debian's haproxy 2.6) as a reverse proxy in front of a WebDAV backend, 127.0.0.1 only.
#
#   scripts/peers/start-haproxy.sh WORKDIR [PORT]      (default port 18110; uses PORT..PORT+11, or +12)
#   env: APACHE_PORT (default 18081, e.g. start-apache.sh), WSGIDAV_PORT (default 18084, start-wsgidav.sh),
#        SLOW_TIMEOUT (default 1s: "timeout server" of PORT+7), NAME (default haproxy),
#        NGINX_PORT (default none: start-nginx-dav-ext.sh; when set, PORT+12 is a correct frontend to it)
#
# Start the backends first. One frontend per port, each configured the way an admin ends up with it:
#   PORT     correct:            /  -> Apache  /   (Host and path passed unchanged: HAProxy's default)
#   PORT+1   header "hardening": http-request del-header Depth, Overwrite, If           -> Apache
#   PORT+2   header "hardening": http-request del-header Destination, Lock-Token, and
#                                http-response del-header DAV, MS-Author-Via              -> Apache
#   PORT+3   prefix stripped:    http-request replace-path ^/dav(/.*)?$ \1               -> Apache /
#   PORT+4   Host not passed:    http-request set-header Host 127.0.0.1:APACHE_PORT      -> Apache
#   PORT+5   only GET/HEAD/POST: http-request deny unless METH_GET or METH_HEAD or METH_POST (403)
#   PORT+6   only "REST" verbs:  http-request deny deny_status 405 unless GET HEAD POST PUT DELETE OPTIONS
#   PORT+7   short timeout:      timeout server SLOW_TIMEOUT                              -> WsgiDAV
#   PORT+8   correct:            /  -> WsgiDAV /
#   PORT+9   header "hardening": http-request del-header Depth, Overwrite, Destination,
#                                Lock-Token, If                                           -> WsgiDAV
#   PORT+10  prefix stripped:    http-request replace-path ^/webdav(/.*)?$ \1            -> WsgiDAV /
#   PORT+11  "force HTTPS":      http-request redirect scheme https code 301 unless { ssl_fc } (no TLS here)
#   PORT+12  correct:            /  -> nginx + dav-ext /   (only with NGINX_PORT)
# PROFILE is accepted for symmetry and ignored. Runs "haproxy -db" (foreground) under setsid, writes its
# PID to WORKDIR/NAME.pid and prints the base URL of PORT. Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args haproxy 18110 "$@"
APACHE_PORT=${APACHE_PORT:-18081}
WSGIDAV_PORT=${WSGIDAV_PORT:-18084}
SLOW_TIMEOUT=${SLOW_TIMEOUT:-1s}
NGINX_PORT=${NGINX_PORT:-}
LAST=$((PORT + 11))
if [[ -n "$NGINX_PORT" ]]; then LAST=$((PORT + 12)); fi
for p in $(seq $((PORT + 1)) "$LAST"); do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
mkdir -p "$BASE/logs"

cat >"$BASE/haproxy.cfg" <<CONF
# davdoctor peer: HAProxy in front of Apache ($APACHE_PORT) and WsgiDAV ($WSGIDAV_PORT)
global
    maxconn 256
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 60s
    timeout server 60s

# (0) the correct setup: same path, the client's Host passed through (HAProxy changes neither)
frontend apache_correct
    bind 127.0.0.1:$PORT
    default_backend apache

# (1) "we only pass the headers our app needs": WebDAV's own request headers removed
frontend apache_strip_depth
    bind 127.0.0.1:$((PORT + 1))
    http-request del-header Depth
    http-request del-header Overwrite
    http-request del-header If
    default_backend apache

# (2) the same habit applied to Destination and Lock-Token, and server "fingerprint" headers hidden
frontend apache_strip_destination
    bind 127.0.0.1:$((PORT + 2))
    http-request del-header Destination
    http-request del-header Lock-Token
    http-response del-header DAV
    http-response del-header MS-Author-Via
    default_backend apache

# (3) the share published under /dav/ while the backend serves it at /: the prefix is cut on the way in
#     and nothing puts it back into hrefs, Location or Destination
frontend apache_prefix
    bind 127.0.0.1:$((PORT + 3))
    http-request replace-path ^/dav(/.*)?\$ \1
    default_backend apache

# (4) Host rewritten to the backend's own address (copied from a virtual-host recipe)
frontend apache_backend_host
    bind 127.0.0.1:$((PORT + 4))
    http-request set-header Host 127.0.0.1:$APACHE_PORT
    default_backend apache

# (5) the admin allowed the methods a web site needs
frontend apache_get_only
    bind 127.0.0.1:$((PORT + 5))
    http-request deny unless METH_GET or METH_HEAD or METH_POST
    default_backend apache

# (6) the admin allowed the methods a REST API needs and refuses every other one with 405
frontend apache_rest_only
    bind 127.0.0.1:$((PORT + 6))
    http-request deny deny_status 405 unless METH_GET or METH_HEAD or METH_POST or METH_PUT or METH_DELETE or METH_OPTIONS
    default_backend apache

# (7) a short server timeout: a slow answer (a big listing) never arrives
frontend wsgidav_short_timeout
    bind 127.0.0.1:$((PORT + 7))
    default_backend wsgidav_slow

# (8) the correct setup in front of WsgiDAV
frontend wsgidav_correct
    bind 127.0.0.1:$((PORT + 8))
    default_backend wsgidav

# (9) header "hardening" in front of WsgiDAV
frontend wsgidav_strip
    bind 127.0.0.1:$((PORT + 9))
    http-request del-header Depth
    http-request del-header Overwrite
    http-request del-header Destination
    http-request del-header Lock-Token
    http-request del-header If
    default_backend wsgidav

# (10) WsgiDAV published under /webdav/, prefix cut
frontend wsgidav_prefix
    bind 127.0.0.1:$((PORT + 10))
    http-request replace-path ^/webdav(/.*)?\$ \1
    default_backend wsgidav

# (11) every plain-HTTP request redirected to https:// (301), WebDAV methods included
frontend force_https
    bind 127.0.0.1:$((PORT + 11))
    http-request redirect scheme https code 301 unless { ssl_fc }
    default_backend apache

$(if [[ -n "$NGINX_PORT" ]]; then printf '# (12) the correct setup in front of nginx + dav-ext\nfrontend nginx_correct\n    bind 127.0.0.1:%s\n    default_backend nginx\n\nbackend nginx\n    server nginx 127.0.0.1:%s\n' "$((PORT + 12))" "$NGINX_PORT"; fi)

backend apache
    server apache 127.0.0.1:$APACHE_PORT

backend wsgidav
    server wsgidav 127.0.0.1:$WSGIDAV_PORT

backend wsgidav_slow
    timeout server $SLOW_TIMEOUT
    server wsgidav 127.0.0.1:$WSGIDAV_PORT
CONF

haproxy -c -f "$BASE/haproxy.cfg" >"$BASE/logs/configtest.log" 2>&1 || { cat "$BASE/logs/configtest.log" >&2; exit 1; }
setsid haproxy -db -f "$BASE/haproxy.cfg" >>"$BASE/logs/haproxy.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$LAST" "$pid" || { tail -20 "$BASE/logs/haproxy.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
