#!/usr/bin/env bash
# Start Varnish Cache (Debian's varnish 7.1) as a caching proxy in front of a WebDAV backend, 127.0.0.1 only.
#
#   scripts/peers/start-varnish.sh WORKDIR [PORT]      (default port 18120)
#   env: BACKEND_PORT (default 18081, e.g. start-apache.sh), VCL=default|dav-cache (default default),
#        NAME (default varnish)
#
# VCL=default   varnishd -b 127.0.0.1:BACKEND_PORT: the builtin VCL only. GET/HEAD are cached (120 s when the
#               backend names no lifetime), PUT/DELETE/OPTIONS are passed, every other method (PROPFIND,
#               MKCOL, COPY, MOVE, LOCK, ...) is piped. Listens on PORT; management on PORT+1.
# VCL=dav-cache the VCL an admin writes to "speed up WebDAV": PROPFIND answers are cached for an hour,
#               hashed on the URL, Host, method and Depth (not on the body). Listens on
#                 PORT    the method is restored before the fetch (bereq.method = PROPFIND) and the request
#                         body is kept with std.cache_req_body
#                 PORT+1  the first version of that VCL: return (hash) only, so Varnish fetches a miss with
#                         GET, as it does for every cache lookup
#               Management on PORT+2.
# Bans: varnishadm -n WORKDIR/NAME/work 'ban req.url ~ .' (the -T port and secret are found through -n).
# varnishd runs in the foreground (-F) under setsid with its own working dir (-n WORKDIR/NAME/work); the PID
# goes to WORKDIR/NAME.pid and the base URL of PORT is printed. PROFILE is accepted and ignored.
# Stop with stop.sh WORKDIR.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peer_args varnish 18120 "$@"
BACKEND_PORT=${BACKEND_PORT:-18081}
VCL=${VCL:-default}
mkdir -p "$BASE/logs" "$BASE/work"
args=(-F -n "$BASE/work" -s malloc,64m)
case "$VCL" in
  default)
    admin=$((PORT + 1))
    args+=(-a "127.0.0.1:$PORT" -b "127.0.0.1:$BACKEND_PORT")
    ;;
  dav-cache)
    admin=$((PORT + 2))
    if port_open $((PORT + 1)); then echo "port $((PORT + 1)) on 127.0.0.1 is already in use" >&2; exit 1; fi
    cat >"$BASE/dav-cache.vcl" <<VCL
vcl 4.1;
# davdoctor peer: Varnish caching PROPFIND in front of 127.0.0.1:$BACKEND_PORT
import std;

backend dav {
    .host = "127.0.0.1";
    .port = "$BACKEND_PORT";
}

sub vcl_recv {
    # Listings are slow on the NAS: cache them like pages.
    if (req.method == "PROPFIND") {
        if (local.socket == "cached") {
            std.cache_req_body(64KB);
        }
        set req.http.X-DAV-Method = req.method;
        return (hash);
    }
}

sub vcl_hash {
    # A Depth 0 and a Depth 1 listing are different objects.
    if (req.http.X-DAV-Method) {
        hash_data(req.http.X-DAV-Method);
        hash_data(req.http.Depth);
    }
}

sub vcl_backend_fetch {
    # Varnish fetches a cache miss with GET; give the backend its PROPFIND back.
    if (bereq.http.X-DAV-Method && local.socket == "cached") {
        set bereq.method = bereq.http.X-DAV-Method;
    }
}

sub vcl_backend_response {
    if (bereq.http.X-DAV-Method) {
        set beresp.ttl = 1h;
    }
}
VCL
    args+=(-a "cached=127.0.0.1:$PORT" -a "naive=127.0.0.1:$((PORT + 1))" -f "$BASE/dav-cache.vcl")
    ;;
  *) echo "VCL must be default or dav-cache" >&2; exit 2;;
esac
if port_open "$admin"; then echo "port $admin on 127.0.0.1 is already in use" >&2; exit 1; fi
args+=(-T "127.0.0.1:$admin")

setsid varnishd "${args[@]}" >>"$BASE/logs/varnishd.log" 2>&1 &
pid=$!
echo "$pid" >"$PIDFILE"
wait_port "$PORT" "$pid" 30 || { tail -20 "$BASE/logs/varnishd.log" >&2 || true; exit 1; }
echo "http://127.0.0.1:$PORT"
