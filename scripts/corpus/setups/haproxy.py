"""HAProxy 2.6 in front of Apache mod_dav (faulty profile) and WsgiDAV (faulty profile), configured the ways
admins end up with it: see scripts/peers/start-haproxy.sh for one frontend per port."""
import os
import subprocess

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, PROPNAME, WIN_UA, XML_TYPE, Case, Setup, deleted, lockinfo,
                    named_props, package_version, pip_version, proppatch, write_names)

# ctx.port offsets: HAProxy frontends 0..12 (start-haproxy.sh), the backends on 15, 16 and 17.
APACHE, WSGIDAV, NGINX = 15, 16, 17
FRONTENDS = ["correct", "strip1", "strip2", "prefix", "host", "getonly", "rest", "slow", "wcorrect", "wstrip", "wprefix", "https",
             "ncorrect"]
# What Windows Explorer asks for, with its Win32 properties, when it opens a folder on a mapped drive.
MS = "urn:schemas-microsoft-com:"
WIN_PROPS = named_props("creationdate", "displayname", "getcontentlength", "getcontenttype", "getetag", "getlastmodified",
                        "resourcetype", f"{{{MS}}}Win32CreationTime", f"{{{MS}}}Win32LastAccessTime",
                        f"{{{MS}}}Win32LastModifiedTime", f"{{{MS}}}Win32FileAttributes")


def start(ctx):
    urls = {"apache": ctx.peer("start-apache.sh", ctx.port(APACHE), env={"PROFILE": "faulty"}),
            "wsgidav": ctx.peer("start-wsgidav.sh", ctx.port(WSGIDAV), env={"PROFILE": "faulty", "BIG": "8000"}),
            "nginx": ctx.peer("start-nginx-dav-ext.sh", ctx.port(NGINX), env={"PROFILE": "faulty", "BIG": "2500"})}
    ctx.peer("start-haproxy.sh", ctx.port(0), env={"APACHE_PORT": str(ctx.port(APACHE)),
                                                   "WSGIDAV_PORT": str(ctx.port(WSGIDAV)), "SLOW_TIMEOUT": "1s",
                                                   "NGINX_PORT": str(ctx.port(NGINX))})
    # nginx's tree: a zip made on Windows, unpacked on the server with unzip, gives ISO-8859-1 names
    # (the archive has no UTF-8 flag); nginx runs as www-data.
    write_names(os.path.join(ctx.workdir, "nginx", "root", "handbook"),
                [b"\xdcbersicht.pdf", b"Pr\xe9face.doc", b"index.txt"], b"from the zip\n", owner="www-data")
    for offset, name in enumerate(FRONTENDS):
        urls[name] = f"http://127.0.0.1:{ctx.port(offset)}"
    return urls


def cases(ctx, urls):
    A, W = urls["apache"], urls["wsgidav"]  # the backends, straight (another user on the LAN, or the admin)
    aroot = os.path.join(ctx.workdir, "apache", "root")
    C, S1, S2, P, HST = urls["correct"], urls["strip1"], urls["strip2"], urls["prefix"], urls["host"]
    G, R, SL, WC, WS, WP = urls["getonly"], urls["rest"], urls["slow"], urls["wcorrect"], urls["wstrip"], urls["wprefix"]
    HTTPS = urls["https"]

    # ---- the correct frontend: healthy answers of every shape ------------------------------------------------
    yield Case("correct-options-root", "OPTIONS", f"{C}/", "none", kind="healthy",
               notes="HAProxy passes OPTIONS unchanged; Apache answers DAV: 1,2 (HAProxy lower-cases header names)")
    yield Case("correct-propfind-allprop-depth1", "PROPFIND", f"{C}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="allprop listing of /docs/ through the correct frontend")
    yield Case("correct-propfind-propname-file", "PROPFIND", f"{C}/docs/plain.txt", "none", kind="propname",
               headers=[("Depth", "0"), XML_TYPE], body=PROPNAME, notes="propname of one file: names only, empty elements")
    yield Case("correct-propfind-named-locks", "PROPFIND", f"{C}/locks/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE],
               body=named_props("getetag", "getcontentlength", "resourcetype", "{urn:example:props}color"),
               notes="named props Depth 1; getcontentlength and the dead prop come back 404 in a second propstat (normal)")
    yield Case("correct-propfind-nobody-unicode", "PROPFIND", f"{C}/unicode/", "client",
               ["/unicode/Caf\u00e9.txt", "/unicode/Cafe\u0301.txt"], kind="baseline", headers=[("Depth", "1")],
               notes="PROPFIND without a body (allprop) of a folder holding Caf\u00e9.txt twice (NFC and NFD bytes): macOS shows one")
    yield Case("correct-get-space", "GET", f"{C}/docs/a%20b.txt", "none", kind="healthy", notes="plain GET through HAProxy")
    yield Case("correct-head-nfc", "HEAD", f"{C}/docs/Caf%C3%A9.txt", "none", kind="healthy", curl_args=["-I"],
               notes="HEAD of an NFC name")

    yield Case("correct-put-new", "PUT", f"{C}/docs/upload-report.txt", "none", kind="healthy",
               body=b"quarterly numbers\n", headers=[("Content-Type", "text/plain")],
               prepare=deleted(f"{A}/docs/upload-report.txt"), notes="PUT of a new file: 201 Created")
    yield Case("correct-mkcol", "MKCOL", f"{C}/docs/new-folder/", "none", kind="healthy",
               prepare=deleted(f"{A}/docs/new-folder/"), notes="MKCOL of a new collection: 201")

    def trash(c):
        c.ensure_file(f"{A}/docs/trash.txt", b"to be deleted\n")
    yield Case("correct-delete", "DELETE", f"{C}/docs/trash.txt", "none", kind="healthy", prepare=trash,
               notes="DELETE of an existing file: 204")
    yield Case("correct-copy", "COPY", f"{C}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", f"{C}/docs/plain%20copy.txt")], prepare=deleted(f"{A}/docs/plain%20copy.txt"),
               notes="COPY to a new name with a space: 201 (Destination names the proxy's host:port, Host passed, Apache agrees)")

    def moveme(c):
        c.ensure_file(f"{A}/docs/draft.txt", b"draft\n")
        c.delete(f"{A}/docs/sub/final.txt")
    yield Case("correct-move", "MOVE", f"{C}/docs/draft.txt", "none", kind="healthy",
               headers=[("Destination", f"{C}/docs/sub/final.txt"), ("Overwrite", "T")], prepare=moveme,
               notes="MOVE into a sub-collection: 201")
    yield Case("correct-proppatch", "PROPPATCH", f"{C}/docs/plain.txt", "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}color": "teal"}),
               notes="PROPPATCH setting a dead property: 207 with 200 propstat")
    yield Case("correct-lock", "LOCK", f"{C}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600"), ("Depth", "0")], body=lockinfo("mailto:alice@example.com"),
               prepare=lambda c: c.unlock_all(f"{A}/locks/free.txt"), notes="LOCK of an unlocked file: 200 with Lock-Token")

    ctx.put(f"{A}/locks/release.txt", b"release me\n")
    token = ctx.lock(f"{A}/locks/release.txt")
    yield Case("correct-unlock", "UNLOCK", f"{C}/locks/release.txt", "none", kind="healthy",
               headers=[("Lock-Token", f"<{token}>")], live=False,
               notes="UNLOCK with the token of the lock taken beforehand: 204 (not replayed: the capture released the lock "
                     "and a new lock gets a new token)")

    # ---- the correct frontend: the backend's own faults travel through unchanged ---------------------------------
    yield Case("correct-private-403", "PROPFIND", f"{C}/private/", "permission", ["/private/"], kind="baseline",
               headers=[("Depth", "1")], notes="Apache: Require all denied on /private/ -> 403 through HAProxy")
    yield Case("correct-secret-401", "PROPFIND", f"{C}/secret/", "permission", ["/secret/"], kind="baseline",
               headers=[("Depth", "0")], notes="Apache Basic auth on /secret/, no credentials -> 401")
    yield Case("correct-secret-bob-403", "GET", f"{C}/secret/alice/diary.txt", "permission", ["/secret/alice/diary.txt"],
               user=BOB, notes="/secret/alice/ is alice's only (AuthzSendForbiddenOnFailure): bob gets 403")
    yield Case("correct-upload-413", "PUT", f"{C}/upload/scan.pdf", "server-config", ["/upload/scan.pdf"],
               body=b"%PDF-1.4\n" + b"x" * 4096, headers=[("Content-Type", "application/pdf")],
               notes="Apache LimitRequestBody 1024 on /upload/ -> 413")
    yield Case("correct-quota-507", "PUT", f"{C}/quota/video.bin", "storage", ["/quota/video.bin"],
               body=b"\0" * 65536, prepare=deleted(f"{A}/quota/video.bin"),
               notes="/quota/ is an almost full 256 KiB tmpfs: 64 KiB PUT -> 507 Insufficient Storage")
    ctx.lock(f"{A}/locks/held.txt")
    yield Case("correct-put-locked", "PUT", f"{C}/locks/held.txt", "lock", ["/locks/held.txt"], user=BOB,
               body=b"bob's edit\n", prepare=lambda c: c.lock(f"{A}/locks/held.txt"),
               notes="alice holds an exclusive lock; bob's PUT carries no token -> 423")
    yield Case("correct-missing-404", "PROPFIND", f"{C}/docs/quarterly.xlsx", "path", ["/docs/quarterly.xlsx"],
               headers=[("Depth", "0")], notes="the file does not exist -> 404")
    yield Case("correct-mkcol-409", "MKCOL", f"{C}/docs/2024/q1/", "path", ["/docs/2024/q1/"],
               notes="MKCOL below a missing parent -> 409 Conflict")
    yield Case("correct-depth-infinity-403", "PROPFIND", f"{C}/docs/", "server-config", ["/docs/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP,
               notes="Apache DavDepthInfinity Off (default) -> 403 with the reason in the body")

    stale_url, stale_path = f"{A}/docs/budget.ods", os.path.join(aroot, "docs", "budget.ods")

    def budget_v1(c):
        c.put_dated(stale_url, b"budget v1\n", stale_path, 1700000000)
    budget_v1(ctx)
    old_etag = ctx.etag(stale_url)

    def budget_changed(c):
        budget_v1(c)  # alice read v1 (and its ETag) ...
        c.put(stale_url, b"budget v2 by bob\n")  # ... then bob saved his version
    yield Case("correct-put-ifmatch-412", "PUT", f"{C}/docs/budget.ods", "cache", ["/docs/budget.ods"],
               headers=[("If-Match", old_etag or '"missing"')], body=b"budget v1 edited by alice\n", prepare=budget_changed,
               kind="stale-state", notes="If-Match carries the ETag of v1; bob's PUT changed the file -> 412")

    # ---- strip1: del-header Depth, Overwrite, If ---------------------------------------------------------------
    yield Case("strip-depth0-collection-403", "PROPFIND", f"{S1}/docs/", "proxy", ["/docs/"], kind="received",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("resourcetype", "getlastmodified"),
               notes="HAProxy del-header Depth: Apache sees no Depth (= infinity) and refuses: 403 'Depth of infinity'")
    yield Case("strip-depth1-propname-403", "PROPFIND", f"{S1}/unicode/", "proxy", ["/unicode/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=PROPNAME,
               notes="Depth: 1 propname; HAProxy deletes Depth, Apache refuses the infinite listing with 403")
    yield Case("strip-propfind-file-ok", "PROPFIND", f"{S1}/docs/sub/nested.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=ALLPROP,
               notes="Depth deleted, but on a file Depth does not matter: a correct 207")

    def overwrite_target(c):
        c.put(f"{A}/docs/notes.txt", b"notes kept by bob\n")
    yield Case("strip-copy-overwrite-f-204", "COPY", f"{S1}/docs/plain.txt", "proxy", ["/docs/plain.txt"],
               headers=[("Destination", f"{S1}/docs/notes.txt"), ("Overwrite", "F")], prepare=overwrite_target,
               kind="received", notes="Overwrite: F deleted by HAProxy: Apache overwrote the existing target (204) instead of 412")

    ctx.put(f"{A}/locks/contract.odt", b"contract\n")
    ctok = ctx.lock(f"{A}/locks/contract.odt")
    yield Case("strip-put-if-token-423", "PUT", f"{S1}/locks/contract.odt", "proxy", ["/locks/contract.odt"],
               headers=[("If", f"(<{ctok}>)")], body=b"contract, signed\n",
               prepare=lambda c: c.lock(f"{A}/locks/contract.odt"), kind="received",
               notes="alice's PUT names her lock token in If; HAProxy deleted If, Apache answers 423 Locked")
    ctx.put(f"{A}/locks/slides.odp", b"slides\n")
    stok = ctx.lock(f"{A}/locks/slides.odp")
    yield Case("strip-lock-refresh-423", "LOCK", f"{S1}/locks/slides.odp", "proxy", ["/locks/slides.odp"],
               headers=[("If", f"(<{stok}>)"), ("Timeout", "Second-3600")],
               prepare=lambda c: c.lock(f"{A}/locks/slides.odp"), kind="received",
               notes="lock refresh (no body, If names the token): If deleted, Apache takes the empty LOCK for a new lock request on a locked file -> 423")

    def dir_unlocked(c):
        c.mkcol(f"{A}/locks/project/")
        c.unlock_all(f"{A}/locks/project/")
    yield Case("strip-lock-depth0-infinity", "LOCK", f"{S1}/locks/project/", "proxy", ["/locks/project/"],
               headers=[XML_TYPE, ("Depth", "0"), ("Timeout", "Second-600")], body=lockinfo("mailto:alice@example.com"),
               prepare=dir_unlocked, kind="received",
               notes="LOCK Depth: 0 of a collection; Depth deleted, Apache locks with depth infinity (activelock says so)")

    # ---- strip2: del-header Destination, Lock-Token; response DAV / MS-Author-Via hidden -----------------------
    def move_src(c):
        c.ensure_file(f"{A}/docs/minutes.txt", b"minutes\n")
    yield Case("strip-move-no-destination-400", "MOVE", f"{S2}/docs/minutes.txt", "proxy", ["/docs/minutes.txt"],
               headers=[("Destination", f"{S2}/docs/sub/minutes-2024.txt")], prepare=move_src, kind="received",
               notes="HAProxy del-header Destination: Apache answers 400 Bad Request to a MOVE without Destination")
    yield Case("strip-copy-collection-400", "COPY", f"{S2}/docs/sub/", "proxy", ["/docs/sub/"],
               headers=[("Destination", f"{S2}/docs/sub-backup/"), ("Depth", "infinity")], kind="received",
               notes="COPY of a collection; Destination deleted on the way -> 400")
    ctx.put(f"{A}/locks/handbook.txt", b"handbook\n")
    htok = ctx.lock(f"{A}/locks/handbook.txt")
    yield Case("strip-unlock-no-token-400", "UNLOCK", f"{S2}/locks/handbook.txt", "proxy", ["/locks/handbook.txt"],
               headers=[("Lock-Token", f"<{htok}>")], prepare=lambda c: c.lock(f"{A}/locks/handbook.txt"), kind="received",
               notes="HAProxy del-header Lock-Token: Apache answers 400 to an UNLOCK without Lock-Token")
    yield Case("strip-options-no-dav", "OPTIONS", f"{S2}/docs/", "proxy", ["/docs/"], kind="received",
               notes="http-response del-header DAV / MS-Author-Via ('hide the server'): 200 with Allow PROPFIND... but no DAV header")
    yield Case("strip2-propfind-ok", "PROPFIND", f"{S2}/docs/sub/", "none",
               headers=[("Depth", "1"), XML_TYPE], body=named_props("displayname", "getcontenttype", "getlastmodified"),
               kind="deviation",
               notes="a PROPFIND needs neither Destination nor Lock-Token: a correct 207 (mod_dav_fs has no displayname: 404 propstat)")

    # ---- prefix: /dav/ -> / (replace-path), nothing rewritten back --------------------------------------------
    yield Case("prefix-propfind-depth1", "PROPFIND", f"{P}/dav/docs/", "proxy", ["/dav/docs/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="replace-path cuts /dav: every href comes back as /docs/..., outside the URL asked")
    yield Case("prefix-propfind-propname-file", "PROPFIND", f"{P}/dav/docs/sub/nested.txt", "proxy",
               ["/dav/docs/sub/nested.txt"], kind="received", headers=[("Depth", "0"), XML_TYPE], body=PROPNAME,
               notes="the one href names /docs/sub/nested.txt, not the requested /dav/docs/sub/nested.txt")
    yield Case("prefix-put-location", "PUT", f"{P}/dav/docs/agenda.txt", "proxy", ["/dav/docs/agenda.txt"],
               body=b"agenda\n", prepare=deleted(f"{A}/docs/agenda.txt"), kind="received",
               notes="201 Created, but Location (and the body) name /docs/agenda.txt without the /dav prefix")

    def prefix_move(c):
        c.ensure_file(f"{A}/docs/old-name.txt", b"rename me\n")
    yield Case("prefix-move-500", "MOVE", f"{P}/dav/docs/old-name.txt", "proxy", ["/dav/docs/old-name.txt"],
               headers=[("Destination", f"{P}/dav/docs/new-name.txt")], prepare=prefix_move, kind="received",
               notes="Destination keeps /dav/ (not rewritten); Apache has no /dav/docs/ -> 500 Internal Server Error")
    yield Case("prefix-get-ok", "GET", f"{P}/dav/docs/plain.txt", "none", kind="healthy",
               notes="a GET does not show the prefix: 200 with the file")
    yield Case("prefix-missing-404", "PROPFIND", f"{P}/dav/docs/budget-2019.ods", "path", ["/dav/docs/budget-2019.ods"],
               headers=[("Depth", "0")], notes="the file is missing on the backend too: 404 (the body names /docs/budget-2019.ods)")

    # ---- host: Host set to the backend's address ---------------------------------------------------------------
    yield Case("host-put-location-backend", "PUT", f"{HST}/docs/memo.txt", "proxy", ["/docs/memo.txt"],
               body=b"memo\n", prepare=deleted(f"{A}/docs/memo.txt"), kind="received",
               notes="Host set to the backend's: 201 Created's Location names http://127.0.0.1:<backend port>/")
    yield Case("host-propfind-noslash-301", "PROPFIND", f"{HST}/docs/sub", "proxy", ["/docs/sub"], kind="received",
               headers=[("Depth", "1")], notes="collection without trailing slash: Apache's 301 Location names the backend's host:port")
    yield Case("host-propfind-ok", "PROPFIND", f"{HST}/locks/", "none", kind="healthy", headers=[("Depth", "1"), XML_TYPE],
               body=named_props("getcontentlength", "getlastmodified"),
               notes="Apache's hrefs are paths only, so the wrong Host does not show in a listing: correct 207")

    # ---- getonly: http-request deny unless GET/HEAD/POST -------------------------------------------------------
    yield Case("getonly-propfind-403", "PROPFIND", f"{G}/docs/", "proxy", ["/docs/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="HAProxy's own 403 'Request forbidden by administrative rules.' (no Server header): PROPFIND never reached Apache")
    yield Case("getonly-options-403", "OPTIONS", f"{G}/", "proxy", ["/"], kind="received",
               notes="OPTIONS refused by HAProxy's deny rule: 403 from the proxy")
    yield Case("getonly-lock-403", "LOCK", f"{G}/locks/free.txt", "proxy", ["/locks/free.txt"], kind="received",
               headers=[XML_TYPE, ("Timeout", "Second-60")], body=LOCKINFO, notes="LOCK refused by HAProxy: 403")
    yield Case("getonly-get-ok", "GET", f"{G}/docs/hash%23tag.txt", "none", kind="healthy",
               notes="GET is allowed by the rule: 200")

    # ---- rest: deny_status 405 for anything but the REST verbs -------------------------------------------------
    yield Case("rest-propfind-405", "PROPFIND", f"{R}/docs/plain.txt", "proxy", ["/docs/plain.txt"], kind="received",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getetag"),
               notes="HAProxy deny_status 405 for methods outside GET HEAD POST PUT DELETE OPTIONS: its own 405 page, no Allow")
    yield Case("rest-mkcol-405", "MKCOL", f"{R}/docs/archive/", "proxy", ["/docs/archive/"], kind="received",
               notes="MKCOL refused by HAProxy with 405 while Apache's OPTIONS (through the same proxy) allows it")
    yield Case("rest-put-ok", "PUT", f"{R}/docs/api-upload.json", "none", kind="healthy",
               headers=[("Content-Type", "application/json")], body=b'{"ok": true}\n',
               prepare=deleted(f"{A}/docs/api-upload.json"), notes="PUT is allowed by the rule: 201")
    yield Case("rest-options-ok", "OPTIONS", f"{R}/docs/", "none", kind="healthy",
               notes="OPTIONS passes: Apache's DAV: 1,2 and Allow with PROPFIND etc.")

    # ---- slow: timeout server 1s in front of WsgiDAV -----------------------------------------------------------
    yield Case("slow-big-listing-504", "PROPFIND", f"{SL}/big/", "proxy", ["/big/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="8000 members: WsgiDAV needs ~2 s to build the listing; HAProxy timeout server 1s -> its own 504")
    yield Case("slow-small-listing-ok", "PROPFIND", f"{SL}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="a small listing answers well within the timeout")

    # ---- WsgiDAV behind the correct frontend ---------------------------------------------------------------------
    yield Case("wcorrect-propfind-infinity", "PROPFIND", f"{WC}/locks/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP, notes="WsgiDAV allows Depth: infinity: full tree 207")
    yield Case("wcorrect-propfind-propname-depth1", "PROPFIND", f"{WC}/docs/", "payload", ["/docs/"], kind="propname",
               headers=[("Depth", "1"), XML_TYPE], body=PROPNAME,
               notes="propname Depth 1 through HAProxy: WsgiDAV 4.4 answers every member with an href and neither propstat nor status (as wsgidav/propfind-propname; relabelled from none, which missed the backend's bug)")
    yield Case("wcorrect-secret-alice", "PROPFIND", f"{WC}/secret/", "none", kind="healthy", user=ALICE,
               headers=[("Depth", "1")], notes="alice's Basic credentials pass through HAProxy: 207")
    yield Case("wcorrect-secret-bob-401", "PROPFIND", f"{WC}/secret/", "permission", ["/secret/"], user=BOB,
               headers=[("Depth", "1")], notes="bob is unknown to the /secret share: 401")
    yield Case("wcorrect-ro-put-403", "PUT", f"{WC}/ro/notes.txt", "permission", ["/ro/notes.txt"], body=b"notes\n",
               notes="WsgiDAV read-only share: 403 Forbidden for a PUT")
    yield Case("wcorrect-delete-missing-404", "DELETE", f"{WC}/docs/old-draft.txt", "path", ["/docs/old-draft.txt"],
               notes="DELETE of a file that does not exist: 404")

    # ---- wstrip: every WebDAV request header deleted in front of WsgiDAV ---------------------------------------
    yield Case("wstrip-depth1-becomes-infinity", "PROPFIND", f"{WS}/docs/", "proxy", ["/docs/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=named_props("resourcetype", "getcontentlength"),
               notes="Depth deleted; WsgiDAV treats it as infinity: /docs/sub/nested.txt (depth 2) appears in a Depth 1 listing")

    def wcopy(c):
        c.ensure_file(f"{W}/docs/report-final.txt", b"final\n")
    yield Case("wstrip-copy-400", "COPY", f"{WS}/docs/plain.txt", "proxy", ["/docs/plain.txt"], kind="received",
               headers=[("Destination", f"{WS}/docs/report-final.txt"), ("Overwrite", "F")], prepare=wcopy,
               notes="Destination (and Overwrite) deleted by HAProxy: WsgiDAV 400 Bad Request")
    ctx.put(f"{W}/locks/budget.xlsx", b"budget\n")
    wtok = ctx.lock(f"{W}/locks/budget.xlsx")
    yield Case("wstrip-put-if-423", "PUT", f"{WS}/locks/budget.xlsx", "proxy", ["/locks/budget.xlsx"], kind="received",
               headers=[("If", f"(<{wtok}>)")], body=b"budget, edited\n", prepare=lambda c: c.lock(f"{W}/locks/budget.xlsx"),
               notes="the lock owner's PUT with If: (<token>); If deleted, WsgiDAV answers 423 Locked")

    # ---- wprefix: /webdav/ -> / in front of WsgiDAV -------------------------------------------------------------
    yield Case("wprefix-propfind-depth1", "PROPFIND", f"{WP}/webdav/locks/", "proxy", ["/webdav/locks/"],
               kind="received", headers=[("Depth", "1")],
               notes="replace-path cuts /webdav: hrefs name /locks/..., outside the requested collection")
    yield Case("wprefix-copy-409", "COPY", f"{WP}/webdav/docs/plain.txt", "proxy", ["/webdav/docs/plain.txt"],
               kind="received", headers=[("Destination", f"{WP}/webdav/docs/plain-2.txt")],
               notes="Destination keeps /webdav/; WsgiDAV: 409 'Destination parent must be a collection'")

    # ---- ncorrect: the correct frontend in front of nginx + dav-ext; nginx's own faults travel through ------------
    N = urls["ncorrect"]
    yield Case("ncorrect-propfind-allprop-depth1", "PROPFIND", f"{N}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="allprop listing through HAProxy to nginx: a clean 207")
    yield Case("ncorrect-propfind-latin1-zip-names", "PROPFIND", f"{N}/handbook/", "payload",
               ["/handbook/%DCbersicht.pdf", "/handbook/Pr%E9face.doc"], kind="broken-answer", headers=[("Depth", "1")],
               notes="a Windows zip unpacked on the server left ISO-8859-1 names (0xDC, 0xE9); dav-ext writes the bytes raw into "
                     "displayname: the 207 that HAProxy passes unchanged is not UTF-8")
    yield Case("ncorrect-propfind-windows-props-omitted", "PROPFIND", f"{N}/docs/", "payload", ["/docs/"],
               kind="broken-answer", headers=[("Depth", "1"), XML_TYPE, WIN_UA], body=WIN_PROPS,
               notes="Explorer's named props (creationdate, getetag, getcontenttype, Win32*): dav-ext answers the few it knows "
                     "and silently leaves out the rest, with no 404 propstat; HAProxy changes nothing")
    yield Case("ncorrect-propfind-big-listing-windows", "PROPFIND", f"{N}/big/", "client", ["/big/"], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE, WIN_UA],
               body=named_props("displayname", "getlastmodified", "getcontentlength", "resourcetype"),
               notes="2500 files: the Depth 1 listing HAProxy delivers is over 1,000,000 bytes, Windows' "
                     "FileAttributesLimitInBytes")

    # ---- https: redirect scheme https code 301 for every plain-HTTP request --------------------------------------
    yield Case("https-propfind-301", "PROPFIND", f"{HTTPS}/docs/", "proxy", ["/docs/"], kind="received",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="'force HTTPS' rule: HAProxy answers the PROPFIND itself with 301 to https:// (no body, no DAV)")
    yield Case("https-put-301", "PUT", f"{HTTPS}/docs/contract-signed.pdf", "proxy", ["/docs/contract-signed.pdf"],
               kind="received", body=b"%PDF-1.4 signed\n", headers=[("Content-Type", "application/pdf")],
               notes="the upload is answered 301 by HAProxy: a client that does not re-send the body to https:// loses it")


def versions():
    out = subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return [out.strip() or f"Debian haproxy {package_version('haproxy')}",
            f"Debian apache2 {package_version('apache2')}", f"WsgiDAV {pip_version('wsgidav')}",
            f"Debian nginx-light {package_version('nginx-light')}",
            f"libnginx-mod-http-dav-ext {package_version('libnginx-mod-http-dav-ext')}"]


SETUP = Setup(
    name="haproxy",
    describe="scripts/peers/start-haproxy.sh in front of start-apache.sh and start-wsgidav.sh (PROFILE=faulty, BIG=8000): "
             "one frontend per port: correct; http-request del-header Depth/Overwrite/If; del-header Destination/Lock-Token "
             "+ http-response del-header DAV; replace-path /dav -> /; Host set to the backend's; deny unless GET/HEAD/POST; "
             "deny_status 405 unless the REST verbs; timeout server 1s; redirect scheme https; and WsgiDAV behind correct, stripping and /webdav frontends; "
             "a correct frontend in front of start-nginx-dav-ext.sh (PROFILE=faulty, BIG=2500, ISO-8859-1 names in /handbook/).",
    start=start, cases=cases, versions=versions,
)
