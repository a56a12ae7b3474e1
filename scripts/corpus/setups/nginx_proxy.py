"""nginx as a reverse proxy in front of Apache mod_dav and WsgiDAV, misconfigured the ways admins do it.

Backends: scripts/peers/start-apache.sh (faulty profile, BIG=2500) and start-wsgidav.sh (faulty profile,
BIG=5000). Proxy: scripts/peers/start-nginx-proxy-faults.sh, one server block per port (see its header):
a correct proxy to each backend, a stripped prefix, Host $proxy_host + proxy_redirect off, a TLS front
without Destination rewrite, cleared Depth / Destination / Overwrite / If / Lock-Token / Authorization
headers, proxy_pass_request_body off, a short proxy_read_timeout, a full proxy temp path, sub_filter
with sub_filter_once on, limit_except, gzip + proxy_cache.
"""
import os

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, MAC_UA, PROPNAME, WIN_UA, XML_TYPE, Case, Setup, created, deleted,
                    named_props, package_version, pip_version, proppatch, set_header, write_names)

# proxy server blocks: offset from the proxy's first port (see start-nginx-proxy-faults.sh)
BLOCKS = {"ok": 0, "ok_w": 1, "prefix": 2, "host_a": 3, "host_w": 4, "tls": 5, "depth_a": 6, "depth_w": 7,
          "dest": 8, "overwrite": 9, "locks": 10, "nobody": 11, "noauth": 12, "timeout": 13, "tempfull": 14,
          "subfilter": 15, "limit": 16, "cache": 17}


def start(ctx):
    apache = ctx.peer("start-apache.sh", ctx.port(0), env={"PROFILE": "faulty", "BIG": "300"})
    wsgidav = ctx.peer("start-wsgidav.sh", ctx.port(1), env={"PROFILE": "faulty", "BIG": "5000"})
    ctx.peer("start-nginx-proxy-faults.sh", ctx.port(2),
             env={"APACHE_PORT": str(ctx.port(0)), "WSGIDAV_PORT": str(ctx.port(1))})
    urls = {"apache": apache, "wsgidav": wsgidav}
    # WsgiDAV's tree: the accounting program exports invoices named in Windows-1252 (0xE4, 0xFC), copied over by Samba
    # with a Latin-1 "unix charset"; the files keep those bytes on disk
    write_names(os.path.join(ctx.workdir, "wsgidav", "root", "invoices"),
                [b"Rechnung M\xe4rz.pdf", b"Gutschrift M\xfcller.pdf", b"overview.txt"], b"invoice\n")
    for name, offset in BLOCKS.items():
        scheme = "https" if name == "tls" else "http"
        urls[name] = f"{scheme}://127.0.0.1:{ctx.port(2) + offset}"
    return urls


def cases(ctx, u):
    A, W = u["apache"], u["wsgidav"]  # the backends, for preparing state

    def with_token(case, backend, path, header, fmt):
        """prepare: make sure alice holds a lock on path and put its token into the case's header."""
        def prep(c):
            token = c.lock(f"{backend}{path}")
            set_header(case.headers, header, fmt.format(token))
        case.prepare = prep
        return case

    # ------------------------------------------------------------ healthy, through the correct proxies
    ok, okw = u["ok"], u["ok_w"]
    yield Case("ok-options", "OPTIONS", f"{ok}/docs/", "none", kind="healthy",
               notes="correct proxy to Apache: OPTIONS passes DAV: 1,2 and Allow through")
    yield Case("ok-propfind-depth1-allprop", "PROPFIND", f"{ok}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="correct proxy: Apache's listing, hrefs unchanged")
    yield Case("ok-propfind-depth0-propname", "PROPFIND", f"{ok}/docs/sub/", "none", kind="propname",
               headers=[("Depth", "0"), XML_TYPE], body=PROPNAME, notes="propname through the correct proxy")
    yield Case("ok-propfind-named-props", "PROPFIND", f"{ok}/docs/a%20b.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag", "getcontentlength", "quota-available-bytes"),
               notes="named props through the correct proxy; Apache gives a 404 propstat for the quota property")
    yield Case("ok-get", "GET", f"{ok}/docs/amp%26plus%2B.txt", "none", kind="healthy", notes="GET through the correct proxy")
    yield Case("ok-head", "HEAD", f"{ok}/docs/Caf%C3%A9.txt", "none", kind="healthy", curl_args=["-I"],
               notes="HEAD through the correct proxy")
    yield Case("ok-put-new", "PUT", f"{ok}/docs/minutes-0412.txt", "none", kind="healthy", body=b"minutes\n",
               prepare=deleted(f"{A}/docs/minutes-0412.txt"), notes="PUT 201 through the correct proxy; Location names the proxy")
    yield Case("ok-mkcol", "MKCOL", f"{ok}/docs/2026/", "none", kind="healthy", prepare=deleted(f"{A}/docs/2026/"),
               notes="MKCOL 201 through the correct proxy")
    yield Case("ok-delete", "DELETE", f"{ok}/docs/obsolete.txt", "none", kind="healthy",
               prepare=created(f"{A}/docs/obsolete.txt"), notes="DELETE 204 through the correct proxy")
    yield Case("ok-copy", "COPY", f"{ok}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", f"{ok}/docs/plain%20copy.txt")], prepare=deleted(f"{A}/docs/plain%20copy.txt"),
               notes="COPY 201: the Host is kept, so Apache accepts the proxy's Destination")
    yield Case("ok-move-overwrite", "MOVE", f"{ok}/docs/draft-v2.txt", "none", kind="healthy",
               headers=[("Destination", f"{ok}/docs/draft.txt"), ("Overwrite", "T")],
               prepare=created(f"{A}/docs/draft-v2.txt", f"{A}/docs/draft.txt"),
               notes="MOVE over an existing file: 204 through the correct proxy")
    yield Case("ok-proppatch", "PROPPATCH", f"{ok}/docs/plain.txt", "none", kind="healthy", headers=[XML_TYPE],
               body=proppatch({"{urn:example:tags}colour": "green"}), notes="PROPPATCH of a dead property: 207 with 200")
    yield Case("ok-lock", "LOCK", f"{ok}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO, prepare=lambda c: c.unlock_all(f"{A}/locks/free.txt"),
               notes="LOCK 200 with Lock-Token through the correct proxy")
    yield with_token(Case("ok-unlock", "UNLOCK", f"{ok}/locks/sub/deep.txt", "none", kind="healthy",
                          notes="UNLOCK 204 with the token, through the correct proxy"),
                     A, "/locks/sub/deep.txt", "Lock-Token", "<{}>")
    yield Case("ok-wsgidav-depth-infinity", "PROPFIND", f"{okw}/docs/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="WsgiDAV allows Depth infinity; the correct proxy passes it")
    yield Case("ok-wsgidav-proppatch-remove", "PROPPATCH", f"{okw}/docs/plain.txt", "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch({"{urn:example:tags}owner": "alice"}, remove=["{urn:example:tags}old"]),
               notes="WsgiDAV PROPPATCH set + remove through the correct proxy")
    yield Case("ok-wsgidav-lock-depth0", "LOCK", f"{okw}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Depth", "0"), ("Timeout", "Second-300")], body=LOCKINFO,
               prepare=lambda c: c.unlock_all(f"{W}/locks/free.txt"), notes="LOCK on WsgiDAV through the correct proxy")
    yield Case("ok-wsgidav-mkcol", "MKCOL", f"{okw}/docs/inbox/", "none", kind="healthy", prepare=deleted(f"{W}/docs/inbox/"),
               notes="MKCOL 201 on WsgiDAV through the correct proxy (no Location header)")

    # backend faults that pass the correct proxy unchanged
    yield Case("ok-wsgidav-latin1-names-500", "PROPFIND", f"{okw}/invoices/", "payload", ["/invoices/"], kind="error-body",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="Windows-1252 names (0xE4, 0xFC) on WsgiDAV's disk: WsgiDAV cannot write them into XML and answers 500 "
                     "(UnicodeEncodeError, surrogates not allowed); the correct proxy passes it unchanged")
    yield Case("ok-wsgidav-nfc-nfd-twins-mac", "PROPFIND", f"{okw}/unicode/", "client",
               ["/unicode/Caf\u00e9.txt", "/unicode/Cafe\u0301.txt"], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE, MAC_UA],
               body=named_props("displayname", "getcontentlength", "getlastmodified", "resourcetype"),
               notes="Café.txt in NFC and in NFD bytes side by side on WsgiDAV, listed through the correct proxy: two "
                     "hrefs that macOS Finder folds into one name")
    yield Case("ok-wsgidav-big-listing-windows", "PROPFIND", f"{okw}/big/", "client", ["/big/"], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE, WIN_UA], body=ALLPROP,
               notes="5000 files in one folder: the correct proxy delivers WsgiDAV's complete allprop listing, several MB, "
                     "over the Windows WebClient's 1,000,000-byte FileAttributesLimitInBytes")
    yield Case("ok-put-over-default-body-size", "PUT", f"{ok}/docs/video.mp4", "server-config", ["/docs/video.mp4"],
               body=b"\0" * 1_100_000, kind="error-body",
               notes="client_max_body_size left at nginx's default 1m: the proxy answers 413 before Apache sees the PUT")
    yield Case("ok-backend-locked", "PUT", f"{ok}/locks/held.txt", "lock", ["/locks/held.txt"], body=b"edit\n",
               prepare=lambda c: c.lock(f"{A}/locks/held.txt"), kind="error-body",
               notes="alice's lock on Apache; the PUT through the correct proxy has no token: 423")
    yield Case("ok-backend-quota", "PUT", f"{ok}/quota/backup.tar", "storage", ["/quota/backup.tar"],
               body=b"backup " * 6000, kind="full-disk", prepare=deleted(f"{A}/quota/backup.tar"),
               notes="Apache's /quota/ tmpfs is full: 507 through the correct proxy")
    yield Case("ok-backend-auth", "PROPFIND", f"{ok}/secret/", "permission", ["/secret/"], headers=[("Depth", "1")],
               notes="Apache's /secret/ needs Basic auth; no credentials: 401 through the proxy")
    yield Case("ok-backend-missing", "GET", f"{ok}/docs/minutes-0311.txt", "path", ["/docs/minutes-0311.txt"],
               notes="a file that is not there: Apache's 404 through the correct proxy")
    yield Case("ok-backend-depth-infinity", "PROPFIND", f"{ok}/locks/", "server-config", ["/locks/"],
               headers=[("Depth", "infinity")], kind="error-body",
               notes="the client asked for infinity itself; Apache's DavDepthInfinity Off: 403")

    # ------------------------------------------------------------ prefix stripped (proxy_pass with a URI)
    px = u["prefix"]
    yield Case("prefix-propfind-apache", "PROPFIND", f"{px}/dav/docs/", "proxy", ["/dav/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="received",
               notes="location /dav/ + proxy_pass http://apache/: every href lacks /dav/")
    yield Case("prefix-propfind-depth0-file", "PROPFIND", f"{px}/dav/docs/plain.txt", "proxy", ["/dav/docs/plain.txt"],
               headers=[("Depth", "0")], kind="received", notes="Depth 0 on a file: the one href is /docs/plain.txt")
    yield Case("prefix-propfind-wsgidav", "PROPFIND", f"{px}/wdav/docs/sub/", "proxy", ["/wdav/docs/sub/"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("resourcetype", "getcontentlength", "getetag"),
               kind="received", notes="location /wdav/ + proxy_pass http://wsgidav/: WsgiDAV's hrefs lack /wdav/")
    yield Case("prefix-put-location", "PUT", f"{px}/dav/docs/upload-1.txt", "proxy", ["/dav/docs/upload-1.txt"],
               body=b"upload\n", prepare=deleted(f"{A}/docs/upload-1.txt"), kind="received",
               notes="PUT 201: Apache's Location is http://proxy/docs/upload-1.txt, without /dav/ (proxy_redirect cannot match it)")
    yield Case("prefix-mkcol-location", "MKCOL", f"{px}/dav/docs/reports/", "proxy", ["/dav/docs/reports/"],
               prepare=deleted(f"{A}/docs/reports/"), kind="received", notes="MKCOL 201 with a Location without /dav/")
    yield Case("prefix-copy-destination", "COPY", f"{px}/dav/docs/plain.txt", "proxy", ["/dav/docs/plain.txt"],
               headers=[("Destination", f"{px}/dav/docs/plain-2.txt")], kind="received",
               notes="Destination keeps /dav/; Apache looks for /dav/docs/ in its own tree: 409 Conflict")
    yield Case("prefix-move-destination-wsgidav", "MOVE", f"{px}/wdav/docs/a%20b.txt", "proxy", ["/wdav/docs/a b.txt"],
               headers=[("Destination", f"{px}/wdav/docs/renamed.txt")], kind="received",
               notes="Destination keeps /wdav/; WsgiDAV has no /wdav/docs/: 409")
    yield Case("prefix-get", "GET", f"{px}/dav/docs/hash%23tag.txt", "none", kind="healthy",
               notes="a GET through the stripping proxy is fine: nothing in the answer names a path")
    yield Case("prefix-delete", "DELETE", f"{px}/wdav/docs/old.txt", "none", kind="healthy",
               prepare=created(f"{W}/docs/old.txt"), notes="DELETE 204 through the stripping proxy: nothing shows the prefix")
    yield Case("prefix-backend-missing", "PROPFIND", f"{px}/dav/docs/minutes-0101.txt", "path", ["/dav/docs/minutes-0101.txt"],
               headers=[("Depth", "0")], notes="the file is missing on Apache too: a real 404 behind the stripping proxy")

    # ------------------------------------------------------------ Host not kept (Host $proxy_host, proxy_redirect off)
    ha, hw = u["host_a"], u["host_w"]
    yield Case("host-put-location-backend", "PUT", f"{ha}/docs/from-laptop.txt", "proxy", ["/docs/from-laptop.txt"],
               body=b"laptop\n", prepare=deleted(f"{A}/docs/from-laptop.txt"), kind="received",
               notes="Apache saw Host 127.0.0.1:<apache port>: Location names the backend, proxy_redirect off keeps it")
    yield Case("host-copy-location-backend", "COPY", f"{ha}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{ha}/docs/plain-laptop.txt")], prepare=deleted(f"{A}/docs/plain-laptop.txt"),
               kind="received", notes="COPY 201 whose Location names the backend's host:port")
    yield Case("host-propfind-apache", "PROPFIND", f"{ha}/docs/sub/", "none", kind="healthy", headers=[("Depth", "1")],
               notes="Apache's hrefs are path-only: the wrong Host does not show in a listing")
    yield Case("host-copy-wsgidav", "COPY", f"{hw}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{hw}/docs/plain-2.txt")], kind="received",
               notes="WsgiDAV compares Destination's host with the Host it got (the backend's): 502 Bad Gateway")
    yield Case("host-move-wsgidav", "MOVE", f"{hw}/docs/sub/", "proxy", ["/docs/sub/"],
               headers=[("Destination", f"{hw}/docs/sub-2026/")], kind="received",
               notes="MOVE of a collection: the same 502 from WsgiDAV")
    yield Case("host-propfind-wsgidav", "PROPFIND", f"{hw}/unicode/", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=ALLPROP, notes="WsgiDAV's hrefs are path-only too")

    # ------------------------------------------------------------ TLS front, Destination not rewritten
    tls = u["tls"]
    yield Case("tls-copy-destination-scheme", "COPY", f"{tls}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{tls}/docs/plain-tls.txt")], curl_args=["-k"], live=False, kind="error-body",
               notes="https front, http Apache: 502 'Destination URI refers to different scheme or port'; not live: check has no --insecure here")
    yield Case("tls-move-destination-scheme", "MOVE", f"{tls}/docs/sub/", "proxy", ["/docs/sub/"],
               headers=[("Destination", f"{tls}/docs/sub-moved/")], curl_args=["-k"], live=False, kind="error-body",
               notes="MOVE through the TLS front: the same 502; not live: self-signed certificate")
    yield Case("tls-put-location-http", "PUT", f"{tls}/docs/tls-upload.txt", "proxy", ["/docs/tls-upload.txt"],
               body=b"over https\n", curl_args=["-k"], live=False, prepare=deleted(f"{A}/docs/tls-upload.txt"), kind="received",
               notes="PUT 201 over https whose Location says http://; not live: self-signed certificate")
    yield Case("tls-propfind", "PROPFIND", f"{tls}/docs/", "none", kind="healthy", headers=[("Depth", "1")],
               curl_args=["-k"], live=False, notes="a listing through the TLS front is fine; not live: self-signed certificate")

    # ------------------------------------------------------------ request headers cleared by proxy_set_header X ""
    da, dw = u["depth_a"], u["depth_w"]
    yield Case("depth-dropped-apache-403", "PROPFIND", f"{da}/docs/", "proxy", ["/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="received",
               notes="proxy_set_header Depth \"\": Apache sees no Depth (= infinity) and answers 403 for a Depth 1 request")
    yield Case("depth-dropped-apache-file", "PROPFIND", f"{da}/docs/plain.txt", "none", kind="healthy",
               headers=[("Depth", "0")], notes="Depth dropped, but infinity on a file is Depth 0: the answer is right")
    yield Case("depth-dropped-wsgidav-depth0", "PROPFIND", f"{dw}/locks/", "proxy", ["/locks/"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("resourcetype", "getlastmodified"), kind="received",
               notes="Depth 0 asked; WsgiDAV got no Depth and answered the whole tree (members and sub-members)")
    yield Case("depth-dropped-wsgidav-depth1", "PROPFIND", f"{dw}/docs/", "proxy", ["/docs/"],
               headers=[("Depth", "1")], kind="received",
               notes="Depth 1 asked; the answer includes /docs/sub/nested.txt, two levels down")
    de = u["dest"]
    yield Case("destination-dropped-copy", "COPY", f"{de}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{de}/docs/plain-3.txt")], kind="received",
               notes="proxy_set_header Destination \"\": Apache answers 400 to a COPY that carried one")
    yield Case("destination-dropped-move", "MOVE", f"{de}/docs/sub/", "proxy", ["/docs/sub/"],
               headers=[("Destination", f"{de}/docs/sub-3/"), ("Overwrite", "F")], kind="received",
               notes="the same for MOVE of a collection: 400")
    ow = u["overwrite"]
    yield Case("overwrite-dropped-copy", "COPY", f"{ow}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{ow}/docs/keep-me.txt"), ("Overwrite", "F")],
               prepare=created(f"{A}/docs/keep-me.txt", data=b"do not overwrite\n"), kind="received",
               notes="Overwrite: F onto an existing file answered 204 (overwritten): Apache never saw Overwrite (412 otherwise)")
    yield Case("overwrite-dropped-move", "MOVE", f"{ow}/docs/tmp-report.txt", "proxy", ["/docs/tmp-report.txt"],
               headers=[("Destination", f"{ow}/docs/final-report.txt"), ("Overwrite", "F")],
               prepare=created(f"{A}/docs/tmp-report.txt", f"{A}/docs/final-report.txt"), kind="received",
               notes="MOVE with Overwrite: F onto an existing file: 204")
    lk = u["locks"]
    yield with_token(Case("if-dropped-put", "PUT", f"{lk}/locks/held.txt", "proxy", ["/locks/held.txt"],
                          body=b"my edit\n", kind="received",
                          notes="proxy_set_header If \"\": the lock owner's PUT with her token gets 423"),
                     A, "/locks/held.txt", "If", "(<{}>)")
    yield with_token(Case("if-dropped-lock-refresh", "LOCK", f"{lk}/locks/held.txt", "proxy", ["/locks/held.txt"],
                          headers=[("Timeout", "Second-600")], kind="received",
                          notes="a lock refresh (no body, If with the token): the If never arrives, 423"),
                     A, "/locks/held.txt", "If", "(<{}>)")
    yield with_token(Case("lock-token-dropped-unlock", "UNLOCK", f"{lk}/locks/held.txt", "proxy", ["/locks/held.txt"],
                          kind="received", notes="proxy_set_header Lock-Token \"\": UNLOCK with the right token gets 400"),
                     A, "/locks/held.txt", "Lock-Token", "<{}>")

    # ------------------------------------------------------------ request body not forwarded
    nb = u["nobody"]
    yield Case("body-dropped-propfind", "PROPFIND", f"{nb}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag"), kind="received",
               notes="proxy_pass_request_body off: one property asked, Apache answered allprop (it got no body)")
    yield Case("body-dropped-proppatch", "PROPPATCH", f"{nb}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:tags}colour": "red"}), kind="received",
               notes="PROPPATCH without its body at Apache: 400")
    yield Case("body-dropped-lock", "LOCK", f"{nb}/locks/free.txt", "proxy", ["/locks/free.txt"],
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO, prepare=lambda c: c.unlock_all(f"{A}/locks/free.txt"),
               kind="received", notes="LOCK with a lockinfo body that never arrives: Apache takes it for a refresh, 400")

    na = u["noauth"]
    yield Case("auth-dropped-propfind", "PROPFIND", f"{na}/secret/", "proxy", ["/secret/"], headers=[("Depth", "1")],
               user=ALICE, kind="received",
               notes="proxy_set_header Authorization \"\": alice's right credentials never reach Apache: 401")
    yield Case("auth-dropped-put", "PUT", f"{na}/secret/alice/notes.txt", "proxy", ["/secret/alice/notes.txt"],
               body=b"notes\n", user=ALICE, kind="received", notes="the same for a PUT: 401 from Apache's realm")

    # ------------------------------------------------------------ answers cut or timed out by the proxy
    to, tf = u["timeout"], u["tempfull"]
    yield Case("timeout-big-listing", "PROPFIND", f"{to}/big/", "proxy", ["/big/"], headers=[("Depth", "1"), XML_TYPE],
               body=ALLPROP, kind="error-body",
               notes="proxy_read_timeout 400ms; WsgiDAV needs over a second for 5000 members: 504 from nginx")
    yield Case("timeout-small-listing", "PROPFIND", f"{to}/docs/", "none", kind="healthy", headers=[("Depth", "1")],
               notes="the same proxy answers a small listing in time")
    yield Case("tempfull-big-listing-cut", "PROPFIND", f"{tf}/big/", "proxy", ["/big/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="broken-answer",
               notes="proxy temp path on a full disk: pwritev ENOSPC, nginx closes the chunked 207 after a few KB")
    yield Case("tempfull-small-listing", "PROPFIND", f"{tf}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1")], notes="a small 207 fits the in-memory buffers: complete")

    # ------------------------------------------------------------ sub_filter, limit_except, cache
    sf = u["subfilter"]
    yield Case("subfilter-once-listing", "PROPFIND", f"{sf}/dav/docs/", "proxy", ["/dav/docs/"],
               headers=[("Depth", "1")], kind="received",
               notes="sub_filter '<D:href>/' '<D:href>/dav/' with sub_filter_once on: only the first href gets /dav/")
    yield Case("subfilter-once-depth0", "PROPFIND", f"{sf}/dav/docs/a%20b.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=ALLPROP,
               notes="one href only: sub_filter's single replacement is enough, the answer is right")
    li = u["limit"]
    yield Case("limit-except-propfind", "PROPFIND", f"{li}/docs/", "permission", ["/docs/"], headers=[("Depth", "1")],
               notes="limit_except GET HEAD POST PUT DELETE OPTIONS { deny all; } at the proxy: 403 from nginx")
    yield Case("limit-except-mkcol", "MKCOL", f"{li}/docs/new-folder/", "permission", ["/docs/new-folder/"],
               prepare=deleted(f"{A}/docs/new-folder/"), notes="MKCOL is not in limit_except's list: 403")
    yield Case("limit-except-put-allowed", "PUT", f"{li}/docs/allowed.txt", "none", kind="healthy", body=b"ok\n",
               prepare=deleted(f"{A}/docs/allowed.txt"), notes="PUT is in the list: 201")
    ca = u["cache"]

    def fill_cache(c):
        c.put(f"{W}/reports/forecast.txt", b"forecast v1\n")
        c.curl("GET", f"{ca}/reports/forecast.txt")  # caches v1 (or finds it cached)
        c.put(f"{W}/reports/forecast.txt", b"forecast v2, bob's numbers\n", user=BOB)

    def prep_reports(c):
        c.mkcol(f"{W}/reports/")
        fill_cache(c)

    yield Case("cache-stale-get", "GET", f"{ca}/reports/forecast.txt", "cache", ["/reports/forecast.txt"],
               prepare=prep_reports, kind="stale-state",
               notes="proxy_cache 10m on GET: bob changed the file, the proxy still serves v1 (X-Cache-Status: HIT)")
    stale = Case("cache-stale-etag-put", "PUT", f"{ca}/reports/forecast.txt", "cache", ["/reports/forecast.txt"],
                 body=b"forecast v3 from alice\n", kind="stale-state",
                 notes="If-Match with the ETag of the cached copy: WsgiDAV answers 412")
    def prep_stale(c, case=stale):
        prep_reports(c)
        set_header(case.headers, "If-Match", c.curl("GET", f"{ca}/reports/forecast.txt")[1].get("etag", '"x"'))
    stale.prepare = prep_stale
    yield stale
    yield Case("cache-gzip-propfind", "PROPFIND", f"{ca}/docs/", "none", kind="deviation",
               headers=[("Depth", "1"), ("Accept-Encoding", "gzip")],
               notes="gzip on for XML at the proxy, but nginx only compresses 200/403/404: the 207 arrives plain")


SETUP = Setup(
    name="nginx-proxy",
    describe="nginx reverse proxy (scripts/peers/start-nginx-proxy-faults.sh, one server block per fault) in front of "
             "Apache mod_dav (start-apache.sh faulty, BIG=300) and WsgiDAV (start-wsgidav.sh faulty, BIG=5000): correct "
             "proxies, prefix stripped, Host $proxy_host + proxy_redirect off, TLS front, Depth/Destination/Overwrite/If/"
             "Lock-Token/Authorization cleared, proxy_pass_request_body off, proxy_read_timeout 400ms, proxy temp on a full "
             "tmpfs, sub_filter once, limit_except, gzip + proxy_cache. WsgiDAV's /invoices/ holds Windows-1252 names.",
    start=start, cases=cases,
    versions=lambda: [f"Debian nginx-light {package_version('nginx-light')}", f"Debian apache2 {package_version('apache2')}",
                      f"WsgiDAV {pip_version('wsgidav')}, cheroot {pip_version('cheroot')}"],
)
