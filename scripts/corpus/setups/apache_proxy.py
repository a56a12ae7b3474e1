"""Apache httpd 2.4 mod_proxy_http in front of WebDAV backends (Apache mod_dav and WsgiDAV), configured right and
misconfigured the ways admins do: scripts/peers/start-apache-proxy.sh and start-apache-proxy-faults.sh."""
import os
import subprocess
import time

from corpus import (ALICE, ALLPROP, LOCKINFO, PROPNAME, WIN_UA, XML_TYPE, Case, Setup, age_tree, named_props,
                    package_version, pip_version, proppatch, set_header)

NO_TLS_LIVE = ("live=False: davdoctor check would have to trust the self-signed certificate, and the core's "
               "check replay passes no --insecure/--cacert")


BACKEND_CONF = """
# the backup tool lists the archive to any depth
<Location /archive/>
    DavDepthInfinity On
</Location>
"""


def start(ctx):
    conf = os.path.join(ctx.workdir, "apache-backend-extra.conf")
    with open(conf, "w") as f:
        f.write(BACKEND_CONF)
    a = ctx.peer("start-apache.sh", ctx.port(0), env={"PROFILE": "faulty", "NAME": "apache-backend", "EXTRA_CONF": conf})
    w = ctx.peer("start-wsgidav.sh", ctx.port(1), env={"PROFILE": "faulty", "NAME": "wsgidav-backend"})
    pfx = ctx.peer("start-apache-proxy.sh", ctx.port(2), env={"BACKEND_PORT": str(ctx.port(0))})
    faults = ctx.peer("start-apache-proxy-faults.sh", ctx.port(4),
                      env={"BACKEND_PORT": str(ctx.port(0)), "BACKEND2_PORT": str(ctx.port(1))})
    root = os.path.join(ctx.workdir, "apache-backend", "root")
    for rel, data in (("work/draft.txt", b"draft v1\n"), ("locks/mine.txt", b"mine\n"), ("docs/report.txt", b"report\n")):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    subprocess.run(["chown", "-R", "www-data:www-data", root])
    age_tree(root)
    # /archive/2024/: many scans, and a folder HR copied in as root (mode 700): the backend (www-data) cannot open it
    os.makedirs(os.path.join(root, "archive", "2024"), exist_ok=True)
    for i in range(600):
        with open(os.path.join(root, "archive", "2024", f"scan-{i:04}.pdf"), "wb") as f:
            f.write(b"%PDF-1.4\n")
    subprocess.run(["chown", "-R", "www-data:www-data", os.path.join(root, "archive")], check=True)
    hr = os.path.join(root, "archive", "2024", "hr")
    os.makedirs(hr, exist_ok=True)
    with open(os.path.join(hr, "contracts.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n")
    os.chmod(hr, 0o700)
    wroot = os.path.join(ctx.workdir, "wsgidav-backend", "root")
    os.makedirs(os.path.join(wroot, "work"), exist_ok=True)
    at = lambda i: f"http://127.0.0.1:{ctx.port(i)}"
    return {
        "A": a, "W": w, "PFX": pfx + "/dav", "OK": at(3), "HL": faults, "ND": at(5), "NDEST": at(6), "NOVR": at(7),
        "NIF": at(8), "NLT": at(9), "NAUTH": at(10), "WP": at(11), "TLS": f"https://127.0.0.1:{ctx.port(12)}",
        "FIX": at(13) + "/dav", "WOK": at(14), "WND": at(15), "WPFX": at(16) + "/dav", "WBL": at(17), "ABL": at(18),
        "CACHE": at(19), "root": root, "wroot": wroot,
    }


def cases(ctx, b):
    A, W, root = b["A"], b["W"], b["root"]

    # ------------------------------------------------------------------ healthy, through a correct proxy
    OK = b["OK"]
    yield Case("ok-options", "OPTIONS", f"{OK}/", "none", kind="healthy",
               notes="ProxyPreserveHost On, ProxyPass/ProxyPassReverse / -> Apache mod_dav: OPTIONS")
    yield Case("ok-propfind-depth1-allprop", "PROPFIND", f"{OK}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="listing through a correct proxy")
    yield Case("ok-propfind-depth0-named", "PROPFIND", f"{OK}/docs/a%20b.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag", "getcontentlength", "getlastmodified"),
               notes="named props through a correct proxy")
    yield Case("ok-propfind-depth1-propname", "PROPFIND", f"{OK}/docs/sub/", "none", kind="propname",
               headers=[("Depth", "1"), XML_TYPE], body=PROPNAME, notes="propname through a correct proxy")
    yield Case("ok-get", "GET", f"{OK}/docs/amp%26plus%2B.txt", "none", kind="healthy",
               notes="GET of a name with & and + through a correct proxy")
    yield Case("ok-put-new", "PUT", f"{OK}/work/new.txt", "none", kind="healthy", body=b"new\n",
               prepare=lambda c: c.delete(f"{A}/work/new.txt"), notes="PUT 201; Location names the proxy")
    yield Case("ok-mkcol", "MKCOL", f"{OK}/work/photos/", "none", kind="healthy",
               prepare=lambda c: c.delete(f"{A}/work/photos/"), notes="MKCOL 201 through a correct proxy")
    yield Case("ok-delete", "DELETE", f"{OK}/work/old.txt", "none", kind="healthy",
               prepare=lambda c: c.put(f"{A}/work/old.txt", b"old\n"), notes="DELETE 204 through a correct proxy")
    yield Case("ok-copy", "COPY", f"{OK}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", f"{OK}/work/plain-copy.txt")],
               prepare=lambda c: c.delete(f"{A}/work/plain-copy.txt"),
               notes="COPY 201: the Host is preserved, so the backend accepts the Destination as its own")

    def mv(c):
        c.put(f"{A}/work/to-move.txt", b"move me\n")
        c.delete(f"{A}/work/moved.txt")
    yield Case("ok-move", "MOVE", f"{OK}/work/to-move.txt", "none", kind="healthy",
               headers=[("Destination", f"{OK}/work/moved.txt"), ("Overwrite", "F")], prepare=mv,
               notes="MOVE 201 with Overwrite: F to a free name through a correct proxy")
    yield Case("ok-proppatch", "PROPPATCH", f"{OK}/work/draft.txt", "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}colour": "green"}),
               notes="PROPPATCH 207/200 through a correct proxy")
    yield Case("ok-lock", "LOCK", f"{OK}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlock_all(f"{A}/locks/free.txt"), notes="LOCK 200 through a correct proxy")
    unlock = [("Lock-Token", "")]
    def unlock_prep(c):
        c.unlock_all(f"{A}/locks/release.txt")
        set_header(unlock, "Lock-Token", f"<{c.lock(f'{A}/locks/release.txt')}>")
    yield Case("ok-unlock", "UNLOCK", f"{OK}/locks/release.txt", "none", kind="healthy", headers=unlock,
               prepare=unlock_prep, notes="UNLOCK 204: Lock-Token passes a correct proxy")
    own = [("If", "")]
    def own_prep(c):
        set_header(own, "If", f"(<{c.lock(f'{A}/locks/mine.txt')}>)")
    yield Case("ok-put-with-token", "PUT", f"{OK}/locks/mine.txt", "none", kind="healthy", headers=own,
               body=b"edited under my lock\n", prepare=own_prep, notes="PUT with my lock token in If: 204 through a correct proxy")

    FIX = b["FIX"]
    yield Case("fix-propfind-depth1", "PROPFIND", f"{FIX}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="/dav/ prefix done right: ProxyPassReverse, Substitute puts /dav back into the hrefs")
    yield Case("fix-copy", "COPY", f"{FIX}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", f"{FIX}/work/fix-copy.txt")], prepare=lambda c: c.delete(f"{A}/work/fix-copy.txt"),
               notes="/dav/ prefix done right: RequestHeader edit Destination strips /dav/ for the backend: 201")
    HL = b["HL"]
    yield Case("hostleak-propfind-depth1", "PROPFIND", f"{HL}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1")],
               notes="ProxyPass only, same path: mod_dav writes path-only hrefs, so the listing is right")

    WOK = b["WOK"]
    yield Case("wok-propfind-depth1", "PROPFIND", f"{WOK}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="WsgiDAV behind a correct proxy: listing")

    def wmv(c):
        c.put(f"{W}/work/w-move.txt", b"move me\n")
        c.delete(f"{W}/work/w-moved.txt")
    yield Case("wok-move", "MOVE", f"{WOK}/work/w-move.txt", "none", kind="healthy",
               headers=[("Destination", f"{WOK}/work/w-moved.txt")], prepare=wmv,
               notes="WsgiDAV behind a correct proxy: MOVE 201")
    yield Case("wok-lock", "LOCK", f"{WOK}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlock_all(f"{W}/locks/free.txt"), notes="WsgiDAV behind a correct proxy: LOCK 200")
    TLS = b["TLS"]
    yield Case("tls-propfind-depth1", "PROPFIND", f"{TLS}/docs/", "none", kind="healthy", curl_args=["-k"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getetag", "resourcetype"), live=False,
               notes="TLS-terminating front: a listing is fine (path-only hrefs). " + NO_TLS_LIVE)
    ND = b["ND"]
    yield Case("nodepth-propfind-depth0-file", "PROPFIND", f"{ND}/docs/plain.txt", "none", kind="healthy",
               headers=[("Depth", "0")],
               notes="RequestHeader unset Depth, but Depth infinity on a file is the same answer: nothing to see")

    # ------------------------------------------------------------------ backend faults through a correct proxy
    yield Case("ok-propfind-missing", "PROPFIND", f"{OK}/docs/nope/", "path", ["/docs/nope/"],
               headers=[("Depth", "1")], notes="404 from the backend through a correct proxy")
    yield Case("ok-put-locked", "PUT", f"{OK}/locks/held.txt", "lock", ["/locks/held.txt"], body=b"x\n",
               prepare=lambda c: c.lock(f"{A}/locks/held.txt"), notes="locked on the backend, no token sent: 423")
    yield Case("ok-put-backend-limit", "PUT", f"{OK}/upload/scan.pdf", "server-config", ["/upload/scan.pdf"],
               body=os.urandom(3000), notes="the backend's LimitRequestBody 1024 on /upload/: 413 through the proxy")
    yield Case("ok-put-quota", "PUT", f"{OK}/quota/backup.tar", "storage", ["/quota/backup.tar"],
               body=os.urandom(65536), prepare=lambda c: c.delete(f"{A}/quota/backup.tar"),
               notes="the backend's /quota/ tmpfs is nearly full: 507 through the proxy")
    yield Case("ok-propfind-private", "PROPFIND", f"{OK}/private/", "permission", ["/private/"],
               headers=[("Depth", "1")], notes="Require all denied on the backend: 403 through the proxy")
    yield Case("ok-propfind-depth-infinity", "PROPFIND", f"{OK}/docs/", "server-config", ["/docs/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP,
               notes="the client really sent Depth: infinity; the backend's DavDepthInfinity Off: 403")
    yield Case("ok-propfind-infinity-cut-short", "PROPFIND", f"{OK}/archive/", "payload", ["/archive/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("getcontentlength", "getlastmodified"),
               kind="broken-answer",
               notes="the backend allows Depth infinity on /archive/; /archive/2024/hr/ is root's, mode 700: mod_dav stops "
                     "streaming the 207 in the middle (AH: 'Provider encountered an error while streaming'), and the correct "
                     "proxy relays the chunks it got: cut short by the server, not by the proxy")
    yield Case("ok-propfind-percent-names-windows", "PROPFIND", f"{OK}/pct/", "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               headers=[("Depth", "1"), XML_TYPE, WIN_UA],
               body=named_props("displayname", "resourcetype", "getcontentlength"), kind="deviation",
               notes="names with a literal % on the backend (100%.txt, 50%25 off.txt), listed through the correct proxy: "
                     "hrefs %25, well-formed; the Windows Mini-Redirector cannot open such names")
    yield Case("wok-put-readonly", "PUT", f"{WOK}/ro/readme.txt", "permission", ["/ro/readme.txt"], body=b"edit\n",
               notes="WsgiDAV read-only share behind a correct proxy: 403")

    # ------------------------------------------------------------------ proxy: prefix stripped (start-apache-proxy.sh)
    PFX = b["PFX"]
    yield Case("prefix-propfind-depth1", "PROPFIND", f"{PFX}/docs/sub/", "proxy", ["/dav/docs/sub/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="received",
               notes="ProxyPass /dav/ -> backend / only: hrefs come back as /docs/sub/..., without /dav")
    yield Case("prefix-put-location", "PUT", f"{PFX}/work/pfx-new.txt", "proxy", ["/dav/work/pfx-new.txt"],
               body=b"new\n", prepare=lambda c: c.delete(f"{A}/work/pfx-new.txt"), kind="received",
               notes="no ProxyPassReverse, no ProxyPreserveHost: 201 with Location naming the backend port and no /dav")
    yield Case("prefix-propfind-no-slash", "PROPFIND", f"{PFX}/docs/sub", "proxy", ["/dav/docs/sub"],
               headers=[("Depth", "1")], kind="received",
               notes="mod_dir's 301 for the missing slash: Location names the backend address without /dav")
    yield Case("prefix-copy", "COPY", f"{PFX}/docs/plain.txt", "proxy", ["/dav/work/pfx-copy.txt"],
               headers=[("Destination", f"{PFX}/work/pfx-copy.txt")], kind="received",
               notes="Destination not rewritten: the backend looks for /dav/work/ and answers 409")
    yield Case("prefix-move", "MOVE", f"{PFX}/work/draft.txt", "proxy", ["/dav/work/draft.txt"],
               headers=[("Destination", f"{PFX}/work/draft-renamed.txt")],
               prepare=lambda c: c.put(f"{A}/work/draft.txt", b"draft v1\n"), kind="received",
               notes="Destination not rewritten: the backend tries to rename into /dav/work/, which it lacks: 500")
    WPFX = b["WPFX"]
    yield Case("wprefix-propfind-depth1", "PROPFIND", f"{WPFX}/docs/", "proxy", ["/dav/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("displayname", "getcontentlength"), kind="received",
               notes="ProxyPass /dav/ -> WsgiDAV / only: hrefs without /dav")
    yield Case("wprefix-copy", "COPY", f"{WPFX}/docs/plain.txt", "proxy", ["/dav/docs/plain-copy.txt"],
               headers=[("Destination", f"{WPFX}/docs/plain-copy.txt")], kind="received",
               notes="Destination keeps /dav/; WsgiDAV: 409 'Destination parent must be a collection'")
    yield Case("wprefix-mkcol", "MKCOL", f"{WPFX}/work/newdir/", "none", [],
               prepare=lambda c: c.delete(f"{W}/work/newdir/"), kind="healthy",
               notes="MKCOL through the /dav/-stripping proxy: WsgiDAV sends no Location, so a plain 201 shows nothing wrong")

    # ------------------------------------------------------------------ proxy: Host not preserved
    yield Case("hostleak-put-location", "PUT", f"{HL}/work/hl-new.txt", "proxy", ["/work/hl-new.txt"],
               body=b"new\n", prepare=lambda c: c.delete(f"{A}/work/hl-new.txt"), kind="received",
               notes="no ProxyPreserveHost, no ProxyPassReverse: 201 with Location http://127.0.0.1:<backend port>/...")
    yield Case("hostleak-propfind-no-slash", "PROPFIND", f"{HL}/docs/sub", "proxy", ["/docs/sub"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="received",
               notes="mod_dir's 301 names the backend address: the client is sent around the proxy")
    yield Case("hostleak-copy-location", "COPY", f"{HL}/docs/plain.txt", "proxy", ["/work/hl-copy.txt"],
               headers=[("Destination", f"{HL}/work/hl-copy.txt")], prepare=lambda c: c.delete(f"{A}/work/hl-copy.txt"),
               kind="received", notes="COPY 201 whose Location names the backend address")

    # ------------------------------------------------------------------ proxy: TLS-terminating front
    def tls_src(c):
        c.put(f"{A}/work/tls-src.txt", b"tls source\n")
    yield Case("tls-copy", "COPY", f"{TLS}/work/tls-src.txt", "proxy", ["/work/tls-src.txt"], curl_args=["-k"],
               headers=[("Destination", f"{TLS}/work/tls-copy.txt")], prepare=tls_src, live=False, kind="received",
               notes="https front, http backend, Destination not rewritten: 502 'Destination URI refers to different scheme'. " + NO_TLS_LIVE)
    yield Case("tls-move", "MOVE", f"{TLS}/work/tls-src.txt", "proxy", ["/work/tls-src.txt"], curl_args=["-k"],
               headers=[("Destination", f"{TLS}/work/tls-moved.txt"), ("Overwrite", "T")], prepare=tls_src, live=False,
               kind="received", notes="https front: MOVE 502 for the https Destination. " + NO_TLS_LIVE)
    yield Case("tls-put-location", "PUT", f"{TLS}/work/tls-new.txt", "proxy", ["/work/tls-new.txt"], curl_args=["-k"],
               body=b"new\n", prepare=lambda c: c.delete(f"{A}/work/tls-new.txt"), live=False, kind="received",
               notes="https front: 201 whose Location says http:// (ProxyPassReverse only maps the backend URL). " + NO_TLS_LIVE)
    yield Case("tls-propfind-no-slash", "PROPFIND", f"{TLS}/docs/sub", "proxy", ["/docs/sub"], curl_args=["-k"],
               headers=[("Depth", "1")], live=False, kind="received",
               notes="https front: mod_dir's 301 sends the client to http://. " + NO_TLS_LIVE)

    # ------------------------------------------------------------------ proxy: request headers dropped
    yield Case("nodepth-propfind-depth1", "PROPFIND", f"{ND}/docs/", "proxy", ["/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="received",
               notes="RequestHeader unset Depth: the backend sees infinity and refuses it (403 finite depth) for a Depth 1 request")
    yield Case("nodepth-propfind-depth0-collection", "PROPFIND", f"{ND}/docs/sub/", "proxy", ["/docs/sub/"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("resourcetype"), kind="received",
               notes="RequestHeader unset Depth: Depth 0 on a collection comes back 403 'Depth of infinity'")
    WND = b["WND"]
    yield Case("wnodepth-propfind-depth1", "PROPFIND", f"{WND}/docs/", "proxy", ["/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("resourcetype", "getcontentlength"), kind="received",
               notes="RequestHeader unset Depth in front of WsgiDAV: Depth 1 asked, the whole tree (docs/sub/nested.txt) comes back")
    yield Case("wnodepth-propfind-depth0", "PROPFIND", f"{WND}/locks/", "proxy", ["/locks/"],
               headers=[("Depth", "0")], kind="received",
               notes="RequestHeader unset Depth in front of WsgiDAV: Depth 0 on a collection lists every member")
    NDEST = b["NDEST"]
    yield Case("nodest-copy", "COPY", f"{NDEST}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{NDEST}/work/nd-copy.txt")], kind="received",
               notes="RequestHeader unset Destination: the backend answers 400 as if none was sent")
    yield Case("nodest-move", "MOVE", f"{NDEST}/work/draft.txt", "proxy", ["/work/draft.txt"],
               headers=[("Destination", f"{NDEST}/work/draft-final.txt"), ("Overwrite", "T")], kind="received",
               prepare=lambda c: c.put(f"{A}/work/draft.txt", b"draft v1\n"),
               notes="RequestHeader unset Destination: MOVE 400")
    NOVR = b["NOVR"]

    def two(src, dst):
        def prep(c):
            c.put(f"{A}{src}", b"incoming\n")
            c.put(f"{A}{dst}", b"keep me\n")
        return prep
    yield Case("nooverwrite-copy-f", "COPY", f"{NOVR}/work/incoming.txt", "proxy", ["/work/keep.txt"],
               headers=[("Destination", f"{NOVR}/work/keep.txt"), ("Overwrite", "F")], kind="received",
               prepare=two("/work/incoming.txt", "/work/keep.txt"),
               notes="RequestHeader unset Overwrite: Overwrite: F sent, the existing target is replaced anyway (204)")
    yield Case("nooverwrite-move-f", "MOVE", f"{NOVR}/work/incoming2.txt", "proxy", ["/work/keep2.txt"],
               headers=[("Destination", f"{NOVR}/work/keep2.txt"), ("Overwrite", "F")], kind="received",
               prepare=two("/work/incoming2.txt", "/work/keep2.txt"),
               notes="RequestHeader unset Overwrite: MOVE with Overwrite: F onto an existing file gets 204")
    NIF = b["NIF"]
    put_if = [("If", "")]
    def put_if_prep(c):
        set_header(put_if, "If", f"(<{c.lock(f'{A}/locks/mine.txt')}>)")
    yield Case("noif-put-with-token", "PUT", f"{NIF}/locks/mine.txt", "proxy", ["/locks/mine.txt"], headers=put_if,
               body=b"edited under my lock\n", prepare=put_if_prep, kind="received",
               notes="RequestHeader unset If: PUT with the lock token in If gets 423 as if no token was sent")
    refresh = [("If", ""), ("Timeout", "Second-900")]
    def refresh_prep(c):
        set_header(refresh, "If", f"(<{c.lock(f'{A}/locks/refresh.txt')}>)")
    yield Case("noif-lock-refresh", "LOCK", f"{NIF}/locks/refresh.txt", "proxy", ["/locks/refresh.txt"],
               headers=refresh, prepare=refresh_prep, kind="received",
               notes="RequestHeader unset If: a LOCK refresh (no body, If with the token) fails: 423")
    del_if = [("If", "")]
    def del_if_prep(c):
        c.put(f"{A}/locks/doomed.txt", b"doomed\n")
        set_header(del_if, "If", f"<{NIF}/locks/doomed.txt> (<{c.lock(f'{A}/locks/doomed.txt')}>)")
    yield Case("noif-delete-tagged", "DELETE", f"{NIF}/locks/doomed.txt", "proxy", ["/locks/doomed.txt"],
               headers=del_if, prepare=del_if_prep, kind="received",
               notes="RequestHeader unset If: DELETE with a tagged If list naming the token: 423")
    NLT = b["NLT"]
    nlt = [("Lock-Token", "")]
    def nlt_prep(c):
        set_header(nlt, "Lock-Token", f"<{c.lock(f'{A}/locks/release2.txt')}>")
    yield Case("nolocktoken-unlock", "UNLOCK", f"{NLT}/locks/release2.txt", "proxy", ["/locks/release2.txt"],
               headers=nlt, prepare=nlt_prep, kind="received",
               notes="RequestHeader unset Lock-Token: UNLOCK 400 as if no Lock-Token was sent")
    NAUTH = b["NAUTH"]
    yield Case("noauth-propfind-secret", "PROPFIND", f"{NAUTH}/secret/", "proxy", ["/secret/"], user=ALICE,
               headers=[("Depth", "1")], kind="received",
               notes="RequestHeader unset Authorization: alice's right password, still 401 from the backend")
    yield Case("noauth-get-secret", "GET", f"{NAUTH}/secret/note.txt", "proxy", ["/secret/note.txt"], user=ALICE,
               kind="received", notes="RequestHeader unset Authorization: GET with credentials gets 401")

    # ------------------------------------------------------------------ proxy: request body lost
    ABL, WBL = b["ABL"], b["WBL"]
    yield Case("bodylost-propfind-named", "PROPFIND", f"{ABL}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag"), kind="received",
               notes="RequestHeader unset Content-Length early: the body never reaches mod_dav; getetag asked, allprop answered")
    yield Case("bodylost-proppatch", "PROPPATCH", f"{ABL}/work/draft.txt", "proxy", ["/work/draft.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}colour": "red"}), kind="received",
               notes="body lost on the way: mod_dav answers PROPPATCH with 400")
    yield Case("bodylost-lock", "LOCK", f"{ABL}/locks/free2.txt", "proxy", ["/locks/free2.txt"],
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO, kind="received",
               prepare=lambda c: c.unlock_all(f"{A}/locks/free2.txt"),
               notes="body lost on the way: a LOCK with lockinfo arrives bodiless (a refresh without If): 400")
    yield Case("wbodylost-propfind-named", "PROPFIND", f"{WBL}/docs/", "proxy", ["/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getcontentlength"), kind="received",
               notes="body lost in front of WsgiDAV: getcontentlength asked, every property comes back")
    yield Case("wbodylost-proppatch", "PROPPATCH", f"{WBL}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}colour": "red"}), kind="received",
               notes="body lost in front of WsgiDAV: 400 'Body must not be empty'")
    yield Case("wbodylost-lock", "LOCK", f"{WBL}/locks/free.txt", "proxy", ["/locks/free.txt"],
               headers=[XML_TYPE], body=LOCKINFO, kind="received", prepare=lambda c: c.unlock_all(f"{W}/locks/free.txt"),
               notes="body lost in front of WsgiDAV: 400 'Expected a lock token' (taken for a refresh)")

    # ------------------------------------------------------------------ proxy: wrong backend path
    WP = b["WP"]
    yield Case("wrongpath-propfind-root", "PROPFIND", f"{WP}/dav/", "proxy", ["/dav/"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("resourcetype"), kind="received",
               notes="ProxyPass /dav/ -> backend /docs/ (the share is /): hrefs /docs/... outside the /dav/ asked for")
    yield Case("wrongpath-propfind-files", "PROPFIND", f"{WP}/files/", "proxy", ["/files/"],
               headers=[("Depth", "1")], kind="received",
               notes="ProxyPass /files/ -> backend /files/, which does not exist: every request 404")

    # ------------------------------------------------------------------ cache: a caching proxy serving stale content
    CACHE = b["CACHE"]
    target = os.path.join(root, "docs", "report.txt")

    def prime(c):
        past = time.time() - 7200
        # through the cache: drops what it held
        c.put_dated(f"{CACHE}/docs/report.txt", b"report v1 by alice\n", target, past)
        c.curl("GET", f"{CACHE}/docs/report.txt")
        c.curl("GET", f"{CACHE}/docs/report.txt")
        stale = c.etag(f"{CACHE}/docs/report.txt")
        c.put_dated(f"{A}/docs/report.txt", b"report v2 by bob, written past the cache\n", target, past + 60)
        return stale

    yield Case("cache-get-stale", "GET", f"{CACHE}/docs/report.txt", "cache", ["/docs/report.txt"], prepare=prime,
               kind="stale-state",
               notes="mod_cache in front (CacheIgnoreCacheControl): bob wrote v2 on the backend, the proxy still serves v1 with Age")
    stale_hdr = [("If-Match", "")]
    def stale_prep(c):
        set_header(stale_hdr, "If-Match", prime(c) or '"none"')
    yield Case("cache-put-if-match-stale", "PUT", f"{CACHE}/docs/report.txt", "cache", ["/docs/report.txt"],
               headers=stale_hdr, body=b"alice edits what she saw\n", prepare=stale_prep, kind="stale-state",
               notes="the ETag came from the caching proxy's stale copy: If-Match 412 on the backend")


SETUP = Setup(
    name="apache-proxy",
    describe="Apache httpd 2.4 mod_proxy_http (scripts/peers/start-apache-proxy.sh: /dav/ prefix stripped and a correct "
             "proxy; start-apache-proxy-faults.sh: Host not preserved, RequestHeader unset Depth / Destination / Overwrite / "
             "If / Lock-Token / Authorization / Content-Length early, a wrong backend path, an https front over an http "
             "backend, a /dav/ prefix fixed with Substitute, mod_cache) in front of start-apache.sh (PROFILE=faulty; EXTRA_CONF: "
             "DavDepthInfinity On for /archive/, which holds a root-owned mode-700 folder) and start-wsgidav.sh (PROFILE=faulty).",
    start=start, cases=cases,
    versions=lambda: [f"Debian apache2 {package_version('apache2')}", f"WsgiDAV {pip_version('wsgidav')}"],
)
