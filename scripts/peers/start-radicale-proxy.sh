#!/usr/bin/env bash
# Start nginx (nginx-light) in front of a Radicale peer under /radicale/, as Radicale's documentation sets it
# up and as admins get it wrong, one server block per port, 127.0.0.1 only.
#
#   scripts/peers/start-radicale-proxy.sh WORKDIR [PORT]      (default port 18190; uses PORT..PORT+5)
#   env: RADICALE_PORT (default 18086), NAME (default radicale-proxy)
#
# Start the backend first (start-radicale.sh). Every block maps /radicale/ onto Radicale's root.
#   PORT     correct, as Radicale's documentation says: proxy_pass with a trailing slash,
#            X-Script-Name /radicale (Radicale writes its hrefs under it), Host and Authorization passed
#   PORT+1   X-Script-Name left out: the prefix is stripped on the way in and Radicale's hrefs lack it
#   PORT+2   proxy_set_header Authorization "": every request reaches Radicale without credentials
#   PORT+3   proxy_pass_request_body off; proxy_set_header Content-Length "": request bodies never arrive
#   PORT+4   limit_except GET HEAD PUT DELETE OPTIONS { deny all; }: PROPFIND and REPORT refused at the proxy
#   PORT+5   client_max_body_size 2k: a calendar PUT larger than that is refused at the proxy
# Writes the master PID to WORKDIR/NAME.pid and prints the base URL of PORT. Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args radicale-proxy 18190 "$@"
RADICALE_PORT=${RADICALE_PORT:-18086}
LAST=$((PORT + 5))
for p in $(seq $((PORT + 1)) "$LAST"); do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy"
give_to_run_user "$BASE/tmp"
R="http://127.0.0.1:$RADICALE_PORT"

# block PORT EXTRA: one server block mapping /radicale/ onto Radicale's root, with EXTRA inside the location.
block() {
  cat <<CONF
    server {
        listen 127.0.0.1:$1;
        location /radicale/ {
            proxy_pass $R/;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_pass_header Authorization;
$2
        }
    }
CONF
}

{
  nginx_conf_head "nginx in front of Radicale ($RADICALE_PORT) under /radicale/" 64
  echo "    proxy_http_version 1.1;"
  block "$PORT" "            proxy_set_header X-Script-Name /radicale;"
  block $((PORT + 1)) ""
  block $((PORT + 2)) "            proxy_set_header X-Script-Name /radicale;
            proxy_set_header Authorization \"\";"
  block $((PORT + 3)) "            proxy_set_header X-Script-Name /radicale;
            proxy_pass_request_body off;
            proxy_set_header Content-Length \"\";"
  block $((PORT + 4)) "            proxy_set_header X-Script-Name /radicale;
            limit_except GET HEAD PUT DELETE OPTIONS { deny all; }"
  block $((PORT + 5)) "            proxy_set_header X-Script-Name /radicale;
            client_max_body_size 2k;"
  echo "}"
} >"$BASE/nginx.conf"

start_nginx "$LAST" || exit 1
