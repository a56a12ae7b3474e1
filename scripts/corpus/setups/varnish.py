"""Varnish Cache 7.1 in front of Apache mod_dav and WsgiDAV (faulty profiles): the builtin VCL, and the VCL an
admin writes to "speed up WebDAV" by caching PROPFIND (scripts/peers/start-varnish.sh, VCL=dav-cache)."""
import os
import subprocess
import time

from corpus import (ALICE, ALLPROP, BOB, PROPNAME, WIN_UA, XML_TYPE, Case, Setup, deleted, in_turn, lockinfo, named_props,
                    package_version, pip_version, proppatch, write_names)

# ctx.port offsets: builtin VCL -> Apache on 0 (management 1); dav-cache -> Apache on 2 and 3 (management 4);
# builtin VCL -> WsgiDAV on 5 (management 6); builtin VCL -> lighttpd on 7 (management 8); the backends on 15,
# 16 and 17.
APACHE, WSGIDAV, LIGHTTPD = 15, 16, 17
COLOR = "{urn:example:props}color"


def start(ctx):
    urls = {"apache": ctx.peer("start-apache.sh", ctx.port(APACHE), env={"PROFILE": "faulty"}),
            "wsgidav": ctx.peer("start-wsgidav.sh", ctx.port(WSGIDAV), env={"PROFILE": "faulty"})}
    urls["default"] = ctx.peer("start-varnish.sh", ctx.port(0), env={"NAME": "varnish-default",
                                                                      "BACKEND_PORT": str(ctx.port(APACHE))})
    urls["cached"] = ctx.peer("start-varnish.sh", ctx.port(2), env={"NAME": "varnish-dav", "VCL": "dav-cache",
                                                                     "BACKEND_PORT": str(ctx.port(APACHE))})
    urls["naive"] = f"http://127.0.0.1:{ctx.port(3)}"
    urls["wdefault"] = ctx.peer("start-varnish.sh", ctx.port(5), env={"NAME": "varnish-wsgidav",
                                                                       "BACKEND_PORT": str(ctx.port(WSGIDAV))})
    urls["lighttpd"] = ctx.peer("start-lighttpd.sh", ctx.port(LIGHTTPD), env={"PROFILE": "clean", "BIG": "3000"})
    urls["ldefault"] = ctx.peer("start-varnish.sh", ctx.port(7), env={"NAME": "varnish-lighttpd",
                                                                       "BACKEND_PORT": str(ctx.port(LIGHTTPD))})
    # lighttpd's tree: a network scanner's folder; its old firmware writes names in ISO-8859-1
    write_names(os.path.join(ctx.workdir, "lighttpd", "root", "scans"),
                [b"Re\xe7u 2026-03.pdf", b"Lieferschein M\xe4rz.pdf", b"scan-0001.pdf"], b"%PDF-1.4 scan\n", owner="www-data")
    return urls


# --------------------------------------------------------------------------- helpers

def ban(ctx, instance, prefix):
    """The admin's cache flush: varnishadm ban of every object whose URL starts with prefix."""
    pattern = "".join(f"[{ch}]" if ch in ".+*?()[]{}|^$\\" else ch for ch in prefix)
    out = subprocess.run(["varnishadm", "-n", os.path.join(ctx.workdir, instance, "work"), "ban", "req.url", "~", f"^{pattern}"],
                         capture_output=True, text=True, timeout=20)
    if out.returncode != 0:
        raise RuntimeError(f"varnishadm ban failed: {out.stdout.strip()} {out.stderr.strip()}")


def cases(ctx, urls):
    A, W = urls["apache"], urls["wsgidav"]  # the backends, straight: another user on the LAN, or the admin
    D, DC, DN, DW = urls["default"], urls["cached"], urls["naive"], urls["wdefault"]
    aroot = os.path.join(ctx.workdir, "apache", "root")
    wroot = os.path.join(ctx.workdir, "wsgidav", "root")
    for folder in ("team", "shared", "archive", "inbox"):
        ctx.mkcol(f"{A}/{folder}/")

    def fresh(instance, prefix, *direct):
        """Nothing cached under prefix (the admin banned it), and the direct URLs are absent."""
        return in_turn(deleted(*direct), lambda c: ban(c, instance, prefix))

    # ================================ builtin VCL in front of Apache ================================
    yield Case("default-options", "OPTIONS", f"{D}/", "none", kind="healthy",
               notes="builtin VCL passes OPTIONS: DAV: 1,2 with X-Varnish and Via")
    yield Case("default-propfind-allprop-depth1", "PROPFIND", f"{D}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="builtin VCL pipes PROPFIND (not an RFC 2616 method): the backend's own 207, Connection: close")
    yield Case("default-propfind-propname-depth0", "PROPFIND", f"{D}/docs/sub/", "none", kind="propname",
               headers=[("Depth", "0"), XML_TYPE], body=PROPNAME, notes="propname of a collection, piped")
    yield Case("default-propfind-named-depth1", "PROPFIND", f"{D}/locks/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getetag", "getlastmodified", "lockdiscovery", "resourcetype"),
               notes="named props Depth 1, piped")
    yield Case("default-get-miss", "GET", f"{D}/docs/plain.txt", "none", kind="healthy",
               prepare=fresh("varnish-default", "/docs/plain.txt"),
               notes="a cache miss: the backend's file with X-Varnish (one id) and Age: 0")

    def warm_get(path, wait=1.1):
        def prep(c):
            ban(c, "varnish-default", path)
            c.curl("GET", f"{D}{path}")
            time.sleep(wait)
        return prep
    yield Case("default-get-hit", "GET", f"{D}/docs/a%20b.txt", "none", kind="healthy",
               prepare=warm_get("/docs/a%20b.txt"),
               notes="a cache hit of an unchanged file: X-Varnish with two ids and Age: 1 (nothing is stale)")
    yield Case("default-head", "HEAD", f"{D}/docs/hash%23tag.txt", "none", kind="healthy", curl_args=["-I"],
               prepare=fresh("varnish-default", "/docs/hash"), notes="HEAD through the builtin VCL")
    yield Case("default-put-new", "PUT", f"{D}/docs/from-varnish.txt", "none", kind="healthy",
               headers=[("Content-Type", "text/plain")], body=b"written through varnish\n",
               prepare=deleted(f"{A}/docs/from-varnish.txt"), notes="PUT is passed: 201 Created")
    yield Case("default-mkcol", "MKCOL", f"{D}/docs/photos/", "none", kind="healthy",
               prepare=deleted(f"{A}/docs/photos/"), notes="MKCOL is piped: 201")

    def olddoc(c):
        c.ensure_file(f"{A}/docs/obsolete.txt", b"obsolete\n")
    yield Case("default-delete", "DELETE", f"{D}/docs/obsolete.txt", "none", kind="healthy", prepare=olddoc,
               notes="DELETE is passed: 204")
    yield Case("default-copy", "COPY", f"{D}/docs/sub/", "none", kind="healthy",
               headers=[("Destination", f"{D}/docs/sub-copy/"), ("Depth", "infinity")],
               prepare=deleted(f"{A}/docs/sub-copy/"), notes="COPY of a collection, piped: 201")

    def renamed(c):
        c.ensure_file(f"{A}/docs/todo.txt", b"todo\n")
        c.delete(f"{A}/docs/done.txt")
    yield Case("default-move", "MOVE", f"{D}/docs/todo.txt", "none", kind="healthy",
               headers=[("Destination", f"{D}/docs/done.txt")], prepare=renamed, notes="MOVE rename, piped: 201")
    yield Case("default-proppatch", "PROPPATCH", f"{D}/docs/sub/nested.txt", "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch({COLOR: "amber"}, remove=["{urn:example:props}obsolete"]),
               notes="PROPPATCH set + remove, piped: 207")
    yield Case("default-lock", "LOCK", f"{D}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600"), ("Depth", "0")], body=lockinfo("mailto:carol@example.com"),
               prepare=lambda c: c.unlock_all(f"{A}/locks/free.txt"), notes="LOCK, piped: 200 with Lock-Token")
    ctx.put(f"{A}/locks/unlock-me.txt", b"unlock me\n")
    utok = ctx.lock(f"{A}/locks/unlock-me.txt")
    yield Case("default-unlock", "UNLOCK", f"{D}/locks/unlock-me.txt", "none", kind="healthy",
               headers=[("Lock-Token", f"<{utok}>")], live=False,
               notes="UNLOCK, piped: 204 (not replayed: the capture released the lock and a new lock gets a new token)")

    # ---- builtin VCL: faults of the backend, through Varnish -------------------------------------------------------
    yield Case("default-private-403", "PROPFIND", f"{D}/private/", "permission", ["/private/"],
               headers=[("Depth", "1")], notes="Apache: Require all denied -> 403 (piped)")
    yield Case("default-secret-401", "GET", f"{D}/secret/note.txt", "permission", ["/secret/note.txt"],
               notes="Apache Basic auth; GET without credentials -> 401 (not cached)")
    yield Case("default-quota-507", "PUT", f"{D}/quota/backup.tar", "storage", ["/quota/backup.tar"], body=b"\0" * 60000,
               prepare=deleted(f"{A}/quota/backup.tar"), notes="almost full 256 KiB tmpfs: 507 (PUT passed)")
    yield Case("default-upload-413", "PUT", f"{D}/upload/photo.jpg", "server-config", ["/upload/photo.jpg"],
               body=b"\xff\xd8\xff\xe0" + b"j" * 3000, headers=[("Content-Type", "image/jpeg")],
               notes="Apache LimitRequestBody 1024 -> 413")
    ctx.lock(f"{A}/locks/held.txt")
    yield Case("default-put-locked-423", "PUT", f"{D}/locks/held.txt", "lock", ["/locks/held.txt"], user=BOB,
               body=b"bob was here\n", prepare=lambda c: c.lock(f"{A}/locks/held.txt"),
               notes="alice's exclusive lock; bob's PUT without token -> 423")
    yield Case("default-propfind-missing-404", "PROPFIND", f"{D}/docs/2023-report.pdf", "path", ["/docs/2023-report.pdf"],
               headers=[("Depth", "0")], notes="no such file: 404 (piped)")

    # ---- builtin VCL: stale answers (GET/HEAD are cached 120 s; PUT/DELETE pass without invalidating) ------------
    def stale_after_put(c):
        c.put(f"{A}/team/report.txt", b"report v1\n")
        ban(c, "varnish-default", "/team/report.txt")
        c.curl("GET", f"{D}/team/report.txt")  # alice opened it: now cached
        c.put(f"{D}/team/report.txt", b"report v2, longer, saved through varnish\n")  # she saved v2
        time.sleep(1.1)  # a while later
    yield Case("default-get-stale-after-put", "GET", f"{D}/team/report.txt", "cache", ["/team/report.txt"],
               prepare=stale_after_put, kind="stale-state",
               notes="GET cached by the builtin VCL; the PUT of v2 went through Varnish (passed) but the GET still serves v1 with Age")

    def stale_after_delete(c):
        c.put(f"{A}/team/old-plan.txt", b"old plan\n")
        ban(c, "varnish-default", "/team/old-plan.txt")
        c.curl("GET", f"{D}/team/old-plan.txt")
        c.delete(f"{D}/team/old-plan.txt")
    yield Case("default-get-after-delete-200", "GET", f"{D}/team/old-plan.txt", "cache", ["/team/old-plan.txt"],
               prepare=stale_after_delete, kind="stale-state",
               notes="the file was DELETEd through Varnish (204) yet GET still answers 200 from the cache")

    def cached_404(c):
        c.delete(f"{A}/team/new-sheet.ods")
        ban(c, "varnish-default", "/team/new-sheet.ods")
        c.curl("GET", f"{D}/team/new-sheet.ods")  # a 404 is cacheable: cached for 120 s
        c.put(f"{A}/team/new-sheet.ods", b"sheet by bob\n")  # bob created it meanwhile
    yield Case("default-get-cached-404", "GET", f"{D}/team/new-sheet.ods", "cache", ["/team/new-sheet.ods"],
               prepare=cached_404, kind="stale-state",
               notes="Varnish cached a 404; bob created the file since (PROPFIND, piped, lists it) but GET still answers 404 with Age")

    def head_stale(c):
        c.put(f"{A}/team/logo.svg", b"<svg/>\n")
        ban(c, "varnish-default", "/team/logo.svg")
        c.curl("HEAD", f"{D}/team/logo.svg", extra=["-I"])
        c.put(f"{A}/team/logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>\n')
    yield Case("default-head-stale", "HEAD", f"{D}/team/logo.svg", "cache", ["/team/logo.svg"], curl_args=["-I"],
               prepare=head_stale, kind="stale-state",
               notes="bob replaced the file on the server; HEAD through Varnish still gives the old ETag and Content-Length")

    budget_url, budget_path = f"{A}/team/budget.ods", os.path.join(aroot, "team", "budget.ods")

    def budget_v1(c):
        c.put_dated(budget_url, b"budget v1\n", budget_path, 1700000000)
    budget_v1(ctx)
    v1_etag = ctx.etag(budget_url)

    def budget_stale(c):
        budget_v1(c)
        ban(c, "varnish-default", "/team/budget.ods")
        c.curl("GET", f"{D}/team/budget.ods")  # alice's client keeps v1's ETag
        c.put(budget_url, b"budget v2 by bob\n")
    yield Case("default-put-ifmatch-412", "PUT", f"{D}/team/budget.ods", "cache", ["/team/budget.ods"],
               headers=[("If-Match", v1_etag or '"missing"')], body=b"budget v1 + alice's edits\n", prepare=budget_stale,
               kind="stale-state", notes="If-Match with the ETag alice's GET (cached) gave; bob changed the file -> 412")

    def bob_created(c):
        c.ensure_file(f"{A}/team/agenda.txt", b"agenda by bob\n")
    yield Case("default-put-ifnonematch-412", "PUT", f"{D}/team/agenda.txt", "cache", ["/team/agenda.txt"],
               headers=[("If-None-Match", "*")], body=b"agenda by alice\n", prepare=bob_created, kind="stale-state",
               notes="alice creates with If-None-Match: * believing the name free; bob created it meanwhile -> 412")

    # ================================ dav-cache VCL: PROPFIND cached 1 h =================================
    yield Case("cached-listing-miss", "PROPFIND", f"{DC}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, prepare=fresh("varnish-dav", "/docs/sub/"),
               notes="PROPFIND cached by the VCL, first fetch: the backend's 207 with X-Varnish and Age: 0")

    def warm_listing(c):
        ban(c, "varnish-dav", "/docs/")
        c.curl("PROPFIND", f"{DC}/docs/", [("Depth", "1"), XML_TYPE], ALLPROP)
        time.sleep(1.1)
    yield Case("cached-listing-hit", "PROPFIND", f"{DC}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, prepare=warm_listing,
               notes="a cached listing of an unchanged collection: Age: 1, two X-Varnish ids; nothing is stale")
    yield Case("cached-depth0-named-miss", "PROPFIND", f"{DC}/docs/plain.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag", "getcontentlength", "getlastmodified"),
               prepare=fresh("varnish-dav", "/docs/plain.txt"), notes="Depth 0 named props, fresh from the backend")

    def new_file(c):
        c.delete(f"{A}/shared/minutes.txt")
        ban(c, "varnish-dav", "/shared/")
        c.curl("PROPFIND", f"{DC}/shared/", [("Depth", "1"), XML_TYPE], named_props("getlastmodified", "getcontentlength"))
        c.put(f"{A}/shared/minutes.txt", b"minutes by bob\n")
        time.sleep(1.1)  # a while later
    yield Case("cached-new-file-invisible", "PROPFIND", f"{DC}/shared/", "cache", ["/shared/minutes.txt"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getlastmodified", "getcontentlength"),
               prepare=new_file, kind="stale-state",
               notes="bob uploaded minutes.txt straight to the server; the cached Depth 1 listing does not show it")

    def etag_changed(c):
        c.put(f"{A}/shared/plan.txt", b"plan v1\n")
        ban(c, "varnish-dav", "/shared/plan.txt")
        c.curl("PROPFIND", f"{DC}/shared/plan.txt", [("Depth", "0"), XML_TYPE],
               named_props("getetag", "getcontentlength", "getlastmodified"))
        c.put(f"{A}/shared/plan.txt", b"plan v2: longer, by bob\n")
        time.sleep(1.1)  # a while later
    yield Case("cached-getetag-stale", "PROPFIND", f"{DC}/shared/plan.txt", "cache", ["/shared/plan.txt"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag", "getcontentlength", "getlastmodified"),
               prepare=etag_changed, kind="stale-state",
               notes="bob changed plan.txt; the cached Depth 0 answer keeps v1's getetag/getcontentlength (HEAD, passed, tells v2)")

    def member_deleted(c, name="2019.txt"):
        c.put(f"{A}/archive/{name}", name.encode() + b"\n")
        c.ensure_file(f"{A}/archive/2020.txt", b"2020\n")
        ban(c, "varnish-dav", "/archive/")
        c.curl("PROPFIND", f"{DC}/archive/", [("Depth", "1")])
        c.delete(f"{DC}/archive/{name}")  # deleted through Varnish: DELETE is passed, the listing stays cached
        time.sleep(1.1)  # a while later
    yield Case("cached-listing-names-deleted", "PROPFIND", f"{DC}/archive/", "cache", ["/archive/2019.txt"],
               headers=[("Depth", "1")], prepare=member_deleted, kind="stale-state",
               notes="2019.txt was DELETEd through Varnish (204); the cached listing still names it, GET/HEAD of it give 404")

    yield Case("cached-get-listed-member-404", "GET", f"{DC}/archive/2018.txt", "cache", ["/archive/2018.txt"],
               prepare=lambda c: member_deleted(c, "2018.txt"), kind="stale-state",
               notes="the cached /archive/ listing (Age > 0) still names 2018.txt, deleted through Varnish; its GET answers 404")

    def alice_listed(c):
        ban(c, "varnish-dav", "/secret/")
        c.curl("PROPFIND", f"{DC}/secret/", [("Depth", "1")], user=ALICE)
    yield Case("cached-secret-served-anonymous", "PROPFIND", f"{DC}/secret/", "cache", ["/secret/"],
               headers=[("Depth", "1")], prepare=alice_listed, kind="stale-state",
               notes="the VCL returns (hash) for PROPFIND before the builtin Authorization check: alice's cached 207 "
                     "is served to a request without credentials (Apache would answer 401)")

    def prop_changed(c):
        c.put(f"{A}/shared/poster.pdf", b"%PDF-1.4 poster\n")
        c.curl("PROPPATCH", f"{A}/shared/poster.pdf", [XML_TYPE], proppatch({COLOR: "red"}))
        ban(c, "varnish-dav", "/shared/poster.pdf")
        c.curl("PROPFIND", f"{DC}/shared/poster.pdf", [("Depth", "0"), XML_TYPE], named_props(COLOR))
        c.curl("PROPPATCH", f"{DC}/shared/poster.pdf", [XML_TYPE], proppatch({COLOR: "blue"}))
    yield Case("cached-deadprop-stale", "PROPFIND", f"{DC}/shared/poster.pdf", "cache", ["/shared/poster.pdf"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props(COLOR, "getlastmodified"), prepare=prop_changed,
               kind="stale-state", notes="PROPPATCH color=blue went through Varnish (piped, 207); the cached PROPFIND still says red")

    def renamed_inbox(c):
        c.put(f"{A}/inbox/scan-001.pdf", b"%PDF-1.4 scan\n")
        c.delete(f"{A}/inbox/invoice-4711.pdf")
        ban(c, "varnish-dav", "/inbox/")
        c.curl("PROPFIND", f"{DC}/inbox/", [("Depth", "1"), XML_TYPE], PROPNAME)
        c.curl("MOVE", f"{DC}/inbox/scan-001.pdf", [("Destination", f"{DC}/inbox/invoice-4711.pdf")])
    yield Case("cached-listing-after-move", "PROPFIND", f"{DC}/inbox/", "cache",
               ["/inbox/scan-001.pdf", "/inbox/invoice-4711.pdf"], headers=[("Depth", "1"), XML_TYPE], body=PROPNAME,
               prepare=renamed_inbox, kind="stale-state",
               notes="scan-001.pdf was MOVEd to invoice-4711.pdf through Varnish (201); the cached propname listing shows the old name only")

    def locked_meanwhile(c):
        c.ensure_file(f"{A}/shared/draft.odt", b"draft\n")
        c.unlock_all(f"{A}/shared/draft.odt")
        ban(c, "varnish-dav", "/shared/draft.odt")
        c.curl("PROPFIND", f"{DC}/shared/draft.odt", [("Depth", "0"), XML_TYPE], named_props("lockdiscovery"))
        c.curl("LOCK", f"{A}/shared/draft.odt", [XML_TYPE, ("Timeout", "Second-3600")], lockinfo("mailto:bob@example.com"))
    yield Case("cached-lockdiscovery-stale", "PROPFIND", f"{DC}/shared/draft.odt", "cache", ["/shared/draft.odt"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("lockdiscovery", "supportedlock"),
               prepare=locked_meanwhile, kind="stale-state",
               notes="bob locked draft.odt; the cached answer shows an empty lockdiscovery, so alice's client thinks it is free")

    def allprop_cached(c):
        ban(c, "varnish-dav", "/docs/sub/nested.txt")
        c.curl("PROPFIND", f"{DC}/docs/sub/nested.txt", [("Depth", "0"), XML_TYPE], ALLPROP)
    yield Case("cached-propname-gets-allprop", "PROPFIND", f"{DC}/docs/sub/nested.txt", "cache", ["/docs/sub/nested.txt"],
               headers=[("Depth", "0"), XML_TYPE], body=PROPNAME, prepare=allprop_cached, kind="stale-state",
               notes="the hash ignores the body: a propname request gets the cached allprop answer (values, Age > 0)")
    yield Case("cached-depth-infinity-403", "PROPFIND", f"{DC}/docs/", "server-config", ["/docs/"],
               headers=[("Depth", "infinity")], notes="Apache DavDepthInfinity Off: 403 (and Varnish caches it)")
    yield Case("cached-missing-404", "PROPFIND", f"{DC}/shared/minutes-2019.txt", "path", ["/shared/minutes-2019.txt"],
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag"), prepare=fresh("varnish-dav", "/shared/minutes-2019"),
               notes="no such file: 404 from the backend")

    # ---- the first version of that VCL: return (hash) without restoring the method: the backend gets GET -------
    yield Case("naive-file-200", "PROPFIND", f"{DN}/docs/plain.txt", "proxy", ["/docs/plain.txt"], kind="received",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag", "getcontentlength"),
               prepare=fresh("varnish-dav", "/docs/plain.txt"),
               notes="Varnish fetches the miss with GET: PROPFIND answered 200 text/plain with the file's bytes")
    yield Case("naive-collection-404", "PROPFIND", f"{DN}/docs/sub/", "proxy", ["/docs/sub/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, prepare=fresh("varnish-dav", "/docs/sub/"),
               notes="GET of a collection without index on Apache is 404: the PROPFIND of an existing collection answers 404")
    yield Case("naive-options-ok", "OPTIONS", f"{DN}/docs/", "none", kind="healthy",
               notes="OPTIONS is not touched by the VCL (passed): DAV: 1,2")

    # ================================ builtin VCL in front of WsgiDAV =================================
    yield Case("wsgidav-propfind-infinity", "PROPFIND", f"{DW}/locks/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP, notes="WsgiDAV allows Depth infinity; piped")
    yield Case("wsgidav-get-hit", "GET", f"{DW}/docs/sub/nested.txt", "none", kind="healthy",
               prepare=lambda c: (ban(c, "varnish-wsgidav", "/docs/sub/nested.txt"), c.curl("GET", f"{DW}/docs/sub/nested.txt")),
               notes="a cache hit of an unchanged file (Age, X-Varnish with two ids)")
    yield Case("wsgidav-lock", "LOCK", f"{DW}/docs/plain.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-300")], body=lockinfo("mailto:dave@example.com"),
               prepare=lambda c: c.unlock_all(f"{W}/docs/plain.txt"), notes="LOCK (no Depth header) piped: 200")
    yield Case("wsgidav-secret-alice", "PROPFIND", f"{DW}/secret/", "none", kind="healthy", user=ALICE,
               headers=[("Depth", "1")], notes="credentials: piped to WsgiDAV's /secret share: 207")
    yield Case("wsgidav-ro-delete-403", "DELETE", f"{DW}/ro/readme.txt", "permission", ["/ro/readme.txt"],
               notes="WsgiDAV read-only share: DELETE -> 403")
    yield Case("wsgidav-move-missing-404", "MOVE", f"{DW}/docs/draft-v3.txt", "path", ["/docs/draft-v3.txt"],
               headers=[("Destination", f"{DW}/docs/final.txt")], notes="MOVE of a file that does not exist: 404")

    w_url, w_path = f"{W}/docs/spec.txt", os.path.join(wroot, "docs", "spec.txt")

    def spec_v1(c):
        c.put_dated(w_url, b"spec v1\n", w_path, 1700000000)
    spec_v1(ctx)
    spec_etag = ctx.etag(w_url)

    def spec_stale(c):
        spec_v1(c)
        ban(c, "varnish-wsgidav", "/docs/spec.txt")
        c.curl("GET", f"{DW}/docs/spec.txt")
        c.put(w_url, b"spec v2 by bob\n")
    yield Case("wsgidav-put-ifmatch-412", "PUT", f"{DW}/docs/spec.txt", "cache", ["/docs/spec.txt"],
               headers=[("If-Match", spec_etag or '"missing"')], body=b"spec v1 + alice\n", prepare=spec_stale,
               kind="stale-state", notes="If-Match with the ETag of the cached v1; bob's v2 is on the server -> 412 from WsgiDAV")


def lighttpd_cases(ctx, urls):
    DL = urls["ldefault"]
    listing = named_props("resourcetype", "displayname", "getetag", "getlastmodified", "getcontenttype")
    # ================================ builtin VCL in front of lighttpd ================================
    yield Case("lighttpd-propfind-file-depth0", "PROPFIND", f"{DL}/docs/a%20b.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getcontentlength", "getetag", "getlastmodified"),
               notes="a file's size and ETag through Varnish (PROPFIND piped to lighttpd): a clean 207")
    yield Case("lighttpd-propfind-folder-sizes", "PROPFIND", f"{DL}/docs/", "payload", ["/docs/", "/docs/sub/"],
               kind="broken-answer", headers=[("Depth", "1"), XML_TYPE],
               body=named_props("resourcetype", "getcontentlength", "getlastmodified"),
               notes="a file manager's size column through Varnish: lighttpd gives /docs/ and its sub-collection /docs/sub/ "
                     "getcontentlength 4096 (the directory inode's size); Varnish pipes the 207 unchanged")
    yield Case("lighttpd-propfind-scanner-latin1", "PROPFIND", f"{DL}/scans/", "payload",
               ["/scans/Re%E7u%202026-03.pdf", "/scans/Lieferschein%20M%E4rz.pdf"], kind="broken-answer",
               headers=[("Depth", "1"), XML_TYPE], body=listing,
               notes="a scanner's old firmware writes ISO-8859-1 names (0xE7, 0xE4): lighttpd's hrefs carry %E7/%E4, which do "
                     "not decode to UTF-8; Varnish passes the 207 as it is")
    yield Case("lighttpd-propfind-big-listing-windows", "PROPFIND", f"{DL}/big/", "client", ["/big/"], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE, WIN_UA], body=listing,
               notes="3000 files in one folder: the Depth 1 listing through Varnish is over 1,000,000 bytes, the Windows "
                     "WebClient's FileAttributesLimitInBytes")


def all_cases(ctx, urls):
    yield from cases(ctx, urls)
    yield from lighttpd_cases(ctx, urls)


def versions():
    v = subprocess.run(["varnishd", "-V"], capture_output=True, text=True)
    first = (v.stderr or v.stdout).split("\n")[0].strip()
    return [first or f"Debian varnish {package_version('varnish')}", f"Debian apache2 {package_version('apache2')}",
            f"WsgiDAV {pip_version('wsgidav')}", f"Debian lighttpd {package_version('lighttpd')}"]


SETUP = Setup(
    name="varnish",
    describe="scripts/peers/start-varnish.sh in front of start-apache.sh and start-wsgidav.sh (PROFILE=faulty): the builtin VCL "
             "(varnishd -b: GET/HEAD cached 120 s, PROPFIND & co piped, PUT/DELETE passed) before Apache and before WsgiDAV; "
             "VCL=dav-cache before Apache: PROPFIND cached 1 h, hashed on URL, Host, method and Depth (not the body), once with "
             "the method restored for the fetch and once without (the backend gets GET). Caches flushed with varnishadm ban. "
             "The builtin VCL also before start-lighttpd.sh (PROFILE=clean, BIG=3000, ISO-8859-1 names in /scans/).",
    start=start, cases=all_cases, versions=versions,
)
