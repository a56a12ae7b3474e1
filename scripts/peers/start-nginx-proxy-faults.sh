#!/usr/bin/env bash
# Start nginx (nginx-light) as a reverse proxy in front of an Apache and a WsgiDAV peer, misconfigured the
# ways admins misconfigure it, one server block per port, 127.0.0.1 only.
#
#   scripts/peers/start-nginx-proxy-faults.sh WORKDIR [PORT]      (default port 18100; uses PORT..PORT+17)
#   env: APACHE_PORT (default 18081), WSGIDAV_PORT (default 18084), NAME (default nginx-proxy-faults)
#
# Start the backends first (start-apache.sh, start-wsgidav.sh; BIG=N on both for the big-listing blocks).
#   PORT     correct: / -> Apache, Host kept, client_max_body_size left at nginx's default 1m
#   PORT+1   correct: / -> WsgiDAV, Host kept
#   PORT+2   prefix stripped: /dav/ -> Apache /, /wdav/ -> WsgiDAV /  (proxy_pass with a URI, Host kept)
#   PORT+3   Host not kept: proxy_set_header Host $proxy_host; proxy_redirect off  -> Apache
#   PORT+4   the same                                                           -> WsgiDAV
#   PORT+5   TLS front (self-signed, WORKDIR/NAME/cert.pem): https -> http Apache, Host kept, no Destination rewrite
#   PORT+6   proxy_set_header Depth ""        -> Apache (DavDepthInfinity Off)
#   PORT+7   proxy_set_header Depth ""        -> WsgiDAV
#   PORT+8   proxy_set_header Destination ""  -> Apache
#   PORT+9   proxy_set_header Overwrite ""    -> Apache
#   PORT+10  proxy_set_header If ""; proxy_set_header Lock-Token ""   -> Apache
#   PORT+11  proxy_pass_request_body off; proxy_set_header Content-Length ""  -> Apache
#   PORT+12  proxy_set_header Authorization ""  -> Apache
#   PORT+13  proxy_read_timeout 400ms           -> WsgiDAV (a big listing takes longer)
#   PORT+14  limit_rate 1m, proxy_buffering on, proxy_temp_path on an almost full 256 KiB tmpfs -> Apache
#            (answers the client reads slower than Apache writes spill to disk: big 207s are cut short)
#   PORT+15  /dav/ -> Apache / with sub_filter '<D:href>/' '<D:href>/dav/' but sub_filter_once left on
#   PORT+16  limit_except GET HEAD POST PUT DELETE OPTIONS { deny all; }  -> Apache (WebDAV methods refused)
#   PORT+17  gzip on for XML + proxy_cache for GET (10 minutes, X-Cache-Status header)  -> WsgiDAV
# Writes the master PID to WORKDIR/NAME.pid and prints the base URL of PORT. Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args nginx-proxy-faults 18100 "$@"
APACHE_PORT=${APACHE_PORT:-18081}
WSGIDAV_PORT=${WSGIDAV_PORT:-18084}
LAST=$((PORT + 17))
for p in $(seq $((PORT + 1)) "$LAST"); do
  if port_open "$p"; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
mkdir -p "$BASE/logs" "$BASE/tmp/body" "$BASE/tmp/proxy" "$BASE/cache"
mount_quota "$BASE/tmp/proxy-full" 256k
give_to_run_user "$BASE/tmp" "$BASE/cache"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$BASE/key.pem" -out "$BASE/cert.pem" >/dev/null 2>&1
A="http://127.0.0.1:$APACHE_PORT"
W="http://127.0.0.1:$WSGIDAV_PORT"

nginx_conf_head "nginx reverse proxy faults in front of Apache ($APACHE_PORT) and WsgiDAV ($WSGIDAV_PORT)" 256 >"$BASE/nginx.conf"
cat >>"$BASE/nginx.conf" <<CONF
    proxy_cache_path $BASE/cache keys_zone=davcache:1m inactive=10m;
    proxy_http_version 1.1;

    # correct: same path on both sides, the client's Host passed through (client_max_body_size not raised)
    server {
        listen 127.0.0.1:$PORT;
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 1));
        client_max_body_size 100m;
        location / {
            proxy_pass $W;
            proxy_set_header Host \$http_host;
        }
    }
    # a sub-path mapped onto the backends' root: the prefix is stripped on the way in, never added back
    server {
        listen 127.0.0.1:$((PORT + 2));
        client_max_body_size 100m;
        location /dav/ {
            proxy_pass $A/;
            proxy_set_header Host \$http_host;
        }
        location /wdav/ {
            proxy_pass $W/;
            proxy_set_header Host \$http_host;
        }
    }
    # the backend sees its own host:port
    server {
        listen 127.0.0.1:$((PORT + 3));
        client_max_body_size 100m;
        location / {
            proxy_pass $A;
            proxy_set_header Host \$proxy_host;
            proxy_redirect off;
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 4));
        client_max_body_size 100m;
        location / {
            proxy_pass $W;
            proxy_set_header Host \$proxy_host;
            proxy_redirect off;
        }
    }
    # TLS terminated here, plain http behind; Destination keeps the https URL the client sent
    server {
        listen 127.0.0.1:$((PORT + 5)) ssl;
        ssl_certificate $BASE/cert.pem;
        ssl_certificate_key $BASE/key.pem;
        client_max_body_size 100m;
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-Proto https;
        }
    }
    # "hardening" snippets that clear WebDAV request headers
    server {
        listen 127.0.0.1:$((PORT + 6));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header Depth "";
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 7));
        location / {
            proxy_pass $W;
            proxy_set_header Host \$http_host;
            proxy_set_header Depth "";
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 8));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header Destination "";
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 9));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header Overwrite "";
        }
    }
    server {
        listen 127.0.0.1:$((PORT + 10));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header If "";
            proxy_set_header Lock-Token "";
        }
    }
    # the auth_request snippet (no body to the upstream) pasted into the main location
    server {
        listen 127.0.0.1:$((PORT + 11));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
    }
    # credentials kept away from the backend
    server {
        listen 127.0.0.1:$((PORT + 12));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_set_header Authorization "";
        }
    }
    # a read timeout tuned for small answers
    server {
        listen 127.0.0.1:$((PORT + 13));
        location / {
            proxy_pass $W;
            proxy_set_header Host \$http_host;
            proxy_read_timeout 400ms;
        }
    }
    # buffered answers spill into a temp path on a full disk
    server {
        listen 127.0.0.1:$((PORT + 14));
        location / {
            proxy_pass $A;
            proxy_set_header Host \$http_host;
            proxy_buffering on;
            proxy_buffers 4 4k;
            proxy_busy_buffers_size 4k;
            proxy_temp_path $BASE/tmp/proxy-full;
            limit_rate 1m;
        }
    }
    # hrefs "fixed" with sub_filter, but only the first one (sub_filter_once defaults to on)
    server {
        listen 127.0.0.1:$((PORT + 15));
        location /dav/ {
            proxy_pass $A/;
            proxy_set_header Host \$http_host;
            proxy_set_header Accept-Encoding "";
            sub_filter '<D:href>/' '<D:href>/dav/';
            sub_filter_types text/xml application/xml;
        }
    }
    # only "web" methods allowed
    server {
        listen 127.0.0.1:$((PORT + 16));
        location / {
            limit_except GET HEAD POST PUT DELETE OPTIONS {
                deny all;
            }
            proxy_pass $A;
            proxy_set_header Host \$http_host;
        }
    }
    # compression and a GET cache
    server {
        listen 127.0.0.1:$((PORT + 17));
        gzip on;
        gzip_proxied any;
        gzip_types text/xml application/xml;
        location / {
            proxy_pass $W;
            proxy_set_header Host \$http_host;
            proxy_cache davcache;
            proxy_cache_valid 200 10m;
            proxy_ignore_headers Cache-Control Expires;
            add_header X-Cache-Status \$upstream_cache_status;
        }
    }
}
CONF

start_nginx "$LAST" || exit 1
