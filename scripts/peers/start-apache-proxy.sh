#!/usr/bin/env bash
# Start Apache httpd 2.4 as a reverse proxy (mod_proxy_http) in front of a WebDAV backend, on 127.0.0.1.
#
#   scripts/peers/start-apache-proxy.sh WORKDIR [PORT]      (default port 18095; uses PORT and PORT+1)
#   env: BACKEND_PORT (default 18081, e.g. the Apache mod_dav peer), NAME (default apache-proxy)
#
#   PORT     prefix stripped:  /dav/ -> backend /   (ProxyPass only: no ProxyPassReverse, Host not kept,
#                              Destination not rewritten)
#   PORT+1   correct:          /     -> backend /   (ProxyPreserveHost On, same path)
# Writes the PID to WORKDIR/NAME.pid and prints the base URL of PORT. Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args apache-proxy 18095 "$@"
BACKEND_PORT=${BACKEND_PORT:-18081}
if port_open $((PORT + 1)); then echo "port $((PORT + 1)) on 127.0.0.1 is already in use" >&2; exit 1; fi
mkdir -p "$BASE/logs" "$BASE/run"
give_to_run_user "$BASE/logs"
mods=/usr/lib/apache2/modules
httpd_conf_head "Apache reverse proxy in front of 127.0.0.1:$BACKEND_PORT" "Listen 127.0.0.1:$PORT
Listen 127.0.0.1:$((PORT + 1))" >"$BASE/httpd.conf"
cat >>"$BASE/httpd.conf" <<CONF
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
ErrorLog "$BASE/logs/error.log"
LogLevel warn
<VirtualHost 127.0.0.1:$PORT>
    ProxyPass /dav/ http://127.0.0.1:$BACKEND_PORT/
</VirtualHost>
<VirtualHost 127.0.0.1:$((PORT + 1))>
    ProxyPreserveHost On
    ProxyPass / http://127.0.0.1:$BACKEND_PORT/
    ProxyPassReverse / http://127.0.0.1:$BACKEND_PORT/
</VirtualHost>
CONF
apache2 -t -f "$BASE/httpd.conf" >/dev/null 2>"$BASE/logs/configtest.log" || { cat "$BASE/logs/configtest.log" >&2; exit 1; }
setsid apache2 -f "$BASE/httpd.conf" -DFOREGROUND >>"$BASE/logs/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" || { cat "$BASE/logs/error.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
