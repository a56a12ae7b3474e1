#!/usr/bin/env bash
# Start Apache httpd 2.4 as a reverse proxy (mod_proxy_http) misconfigured in the ways admins really do, in front
# of one or two WebDAV backends, on 127.0.0.1 only. One virtual host per fault, on consecutive ports.
#
#   scripts/peers/start-apache-proxy-faults.sh WORKDIR [PORT]      (default port 18150; uses PORT .. PORT+15)
#   env: BACKEND_PORT   an Apache mod_dav backend (default 18081, e.g. start-apache.sh)
#        BACKEND2_PORT  a WsgiDAV backend (default 18084, e.g. start-wsgidav.sh)
#        NAME           default apache-proxy-faults
#
#   PORT+0   host-leak      / -> A /, ProxyPass only: no ProxyPreserveHost, no ProxyPassReverse
#   PORT+1   no-depth       / -> A /, correct, plus "RequestHeader unset Depth"
#   PORT+2   no-destination / -> A /, correct, plus "RequestHeader unset Destination"
#   PORT+3   no-overwrite   / -> A /, correct, plus "RequestHeader unset Overwrite"
#   PORT+4   no-if          / -> A /, correct, plus "RequestHeader unset If"
#   PORT+5   no-lock-token  / -> A /, correct, plus "RequestHeader unset Lock-Token"
#   PORT+6   no-auth        / -> A /, correct, plus "RequestHeader unset Authorization"
#                           (LimitRequestBody on the proxy would be the other classic, but httpd 2.4 does not apply
#                           it to reverse-proxied request bodies: the backend's own limit is the one that bites)
#   PORT+7   wrong-path     /dav/ -> A /docs/   (the share is /, the admin mapped a sub-folder) and
#                           /files/ -> A /files/ (the backend has no /files/)
#   PORT+8   tls            https (self-signed) -> A / over http, ProxyPreserveHost On, ProxyPassReverse, no
#                           Destination rewrite, no RequestHeader X-Forwarded-Proto handling
#   PORT+9   prefix-fixed   /dav/ -> A /, ProxyPassReverse, Substitute on the 207 hrefs, Destination edited back:
#                           a prefix done right
#   PORT+10  w-healthy      / -> W /, ProxyPreserveHost On, ProxyPassReverse
#   PORT+11  w-no-depth     / -> W /, correct, plus "RequestHeader unset Depth"
#   PORT+12  w-prefix       /dav/ -> W /, ProxyPass only (prefix stripped, Host not kept, Destination as sent)
#   PORT+13  w-body-lost    / -> W /, correct, plus "RequestHeader unset Content-Length early" (a header
#                           clean-up snippet): the proxy no longer sees a body and forwards none
#   PORT+14  a-body-lost    the same in front of A
#   PORT+15  cache          / -> A /, correct, plus mod_cache (CacheEnable disk /, CacheDefaultExpire 3600,
#                           CacheIgnoreNoLastMod On, CacheIgnoreCacheControl On): GETs are served from the cache
# Writes the PID to WORKDIR/NAME.pid and prints the base URL of PORT. Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args apache-proxy-faults 18150 "$@"
BACKEND_PORT=${BACKEND_PORT:-18081}
BACKEND2_PORT=${BACKEND2_PORT:-18084}
for ((i = 1; i <= 15; i++)); do
  if port_open $((PORT + i)); then echo "port $((PORT + i)) on 127.0.0.1 is already in use" >&2; exit 1; fi
done
mkdir -p "$BASE/logs" "$BASE/run" "$BASE/tls" "$BASE/cache"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$BASE/tls/key.pem" -out "$BASE/tls/cert.pem" >/dev/null 2>&1
give_to_run_user "$BASE/logs" "$BASE/cache"
mods=/usr/lib/apache2/modules
A="http://127.0.0.1:$BACKEND_PORT"
W="http://127.0.0.1:$BACKEND2_PORT"
p() { echo $((PORT + $1)); }
listens=""
for ((i = 0; i <= 15; i++)); do listens+="Listen 127.0.0.1:$(p $i)"$'\n'; done
httpd_conf_head "Apache reverse proxies with faults, in front of $A and $W" "$listens" >"$BASE/httpd.conf"
cat >>"$BASE/httpd.conf" <<CONF
LoadModule headers_module $mods/mod_headers.so
LoadModule env_module $mods/mod_env.so
LoadModule filter_module $mods/mod_filter.so
LoadModule substitute_module $mods/mod_substitute.so
LoadModule ssl_module $mods/mod_ssl.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule cache_module $mods/mod_cache.so
LoadModule cache_disk_module $mods/mod_cache_disk.so
SSLSessionCache "shmcb:$BASE/run/ssl_scache(512000)"
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
ErrorLog "$BASE/logs/error.log"
LogLevel warn
LogFormat "%v %h \"%r\" %>s %b \"%{Depth}i\" \"%{Destination}i\" \"%{If}i\"" davlog
CustomLog "$BASE/logs/access.log" davlog

# host-leak: the minimal reverse proxy from a blog post
<VirtualHost 127.0.0.1:$(p 0)>
    ProxyPass / $A/
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 1)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset Depth
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 2)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset Destination
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 3)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset Overwrite
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 4)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset If
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 5)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset Lock-Token
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 6)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset Authorization
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 7)>
    ProxyPreserveHost On
    ProxyPass /dav/ $A/docs/
    ProxyPassReverse /dav/ $A/docs/
    ProxyPass /files/ $A/files/
    ProxyPassReverse /files/ $A/files/
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 8)>
    SSLEngine on
    SSLCertificateFile "$BASE/tls/cert.pem"
    SSLCertificateKeyFile "$BASE/tls/key.pem"
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 9)>
    ProxyPass /dav/ $A/
    ProxyPassReverse /dav/ $A/
    RequestHeader edit Destination "^https?://[^/]+/dav/" "$A/"
    <Location /dav/>
        SetOutputFilter SUBSTITUTE
        Substitute "s|<D:href>/|<D:href>/dav/|n"
    </Location>
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 10)>
    ProxyPreserveHost On
    ProxyPass / $W/
    ProxyPassReverse / $W/
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 11)>
    ProxyPreserveHost On
    ProxyPass / $W/
    ProxyPassReverse / $W/
    RequestHeader unset Depth
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 12)>
    ProxyPass /dav/ $W/
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 13)>
    ProxyPreserveHost On
    ProxyPass / $W/
    ProxyPassReverse / $W/
    RequestHeader unset Content-Length early
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 14)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    RequestHeader unset Content-Length early
</VirtualHost>

<VirtualHost 127.0.0.1:$(p 15)>
    ProxyPreserveHost On
    ProxyPass / $A/
    ProxyPassReverse / $A/
    CacheRoot "$BASE/cache"
    CacheEnable disk /
    CacheDefaultExpire 3600
    CacheIgnoreNoLastMod On
    CacheIgnoreCacheControl On
</VirtualHost>
CONF
apache2 -t -f "$BASE/httpd.conf" >/dev/null 2>"$BASE/logs/configtest.log" || { cat "$BASE/logs/configtest.log" >&2; exit 1; }
setsid apache2 -f "$BASE/httpd.conf" -DFOREGROUND >>"$BASE/logs/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" || { cat "$BASE/logs/error.log" >&2 || true; exit 1; }
wait_port "$((PORT + 15))" "$pid" || { cat "$BASE/logs/error.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
