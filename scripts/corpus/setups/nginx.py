"""nginx (nginx-light) with the stock ngx_http_dav_module and libnginx-mod-http-dav-ext.

Started by scripts/peers/start-nginx-dav-ext.sh (faulty profile) with EXTRA_CONF adding the locations an
admin writes (no DAV at all, PUT without dav_ext_methods, create_full_put_path on, limit_except deny,
limit_except auth_basic), INODES_FULL=1 (a tmpfs with no free inode) and BIG=2500 (a listing over 1 MB).
Files an admin or another user leaves on disk (root-owned folders, unreadable files, names with control
characters or Latin-1 bytes) are written directly into the served tree.
"""
import os
import subprocess

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, MAC_UA, PROPNAME, WIN_UA, XML_TYPE, Case, Setup, created, deleted,
                    in_turn, named_props, package_version, proppatch, set_header)

EXTRA_CONF = """
        # a plain static location: the admin never switched DAV on here
        location /static/ {
        }
        # uploads switched on, but dav_ext_methods forgotten: no PROPFIND, OPTIONS or LOCK
        location /drop/ {
            dav_methods PUT DELETE MKCOL COPY MOVE;
        }
        # PUT creates missing parent collections
        location /autocreate/ {
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS;
            create_full_put_path on;
        }
        # read-only for everybody through limit_except
        location /shared/ {
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
            dav_ext_lock zone=davlocks;
            limit_except GET HEAD OPTIONS PROPFIND {
                deny all;
            }
        }
        # reads for everybody, writes need a login
        location /team/ {
            dav_methods PUT DELETE MKCOL COPY MOVE;
            dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
            dav_ext_lock zone=davlocks;
            limit_except GET HEAD OPTIONS PROPFIND {
                auth_basic "team uploads";
                auth_basic_user_file @ROOT@/../htpasswd;
            }
        }
"""


def root_of(ctx):
    return os.path.join(ctx.workdir, "nginx", "root")


def write(path, data=b"content\n", owner="www-data", mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    if owner:
        subprocess.run(["chown", f"{owner}:{owner}", path], check=True)


def mkdir(path, owner="www-data", mode=0o755):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)
    subprocess.run(["chown", f"{owner}:{owner}", path], check=True)


def start(ctx):
    conf = os.path.join(ctx.workdir, "nginx-extra.conf")
    with open(conf, "w") as f:
        f.write(EXTRA_CONF)
    base = ctx.peer("start-nginx-dav-ext.sh", ctx.port(0),
                    env={"PROFILE": "faulty", "EXTRA_CONF": conf, "INODES_FULL": "1", "BIG": "2500"})
    root = os.fsencode(root_of(ctx))
    j = lambda *p: os.path.join(root, *[os.fsencode(x) for x in p])
    for d in ("static", "drop", "autocreate", "shared", "team", "media", "names", "names-ok", "latin1", "reports"):
        mkdir(j(d))
    write(j("static", "index.html"), b"<h1>static</h1>\n")
    write(j("drop", "inbox.txt"), b"dropped\n")
    write(j("shared", "handbook.txt"), b"read me\n")
    write(j("shared", "policies.txt"), b"policies\n")
    write(j("team", "plan.txt"), b"team plan\n")
    write(j("media", "clip.bin"), os.urandom(200_000))
    write(j("reports", "q3.txt"), b"q3 numbers\n")
    # Uploaded by root over ssh: the folder and its files belong to root, nginx runs as www-data.
    mkdir(j("archive"), owner="root")
    write(j("archive", "2019.txt"), b"old\n", owner="root")
    write(j("archive", "payroll.txt"), b"payroll\n", owner="root", mode=0o600)
    # A folder only root may enter.
    mkdir(j("hr"), owner="root", mode=0o700)
    write(j("hr", "salaries.txt"), b"salaries\n", owner="root")
    # Names a user's tools wrote on disk: control characters, a tab and DEL, Latin-1 bytes.
    write(os.path.join(j("names"), b"scan\x01page.pdf"), b"scan\n")
    write(os.path.join(j("names"), b"report.txt"), b"fine\n")
    write(os.path.join(j("names"), b"\x1b[1mbold.txt"), b"escape\n")
    write(os.path.join(j("names-ok"), b"col\tumns.tsv"), b"a\tb\n")
    write(os.path.join(j("names-ok"), b"del\x7fete.txt"), b"del\n")
    write(os.path.join(j("names-ok"), b"plain.txt"), b"plain\n")
    write(os.path.join(j("latin1"), b"caf\xe9.txt"), b"latin-1 name\n")
    write(os.path.join(j("latin1"), b"menu.txt"), b"menu\n")
    return base


def ensure_unlocked(ctx, url, user=None):
    """Release whatever lock the resource shows (dav-ext answers 204 to any UNLOCK, so read the token)."""
    for _ in range(3):
        _, _, body = ctx.curl("PROPFIND", url, [("Depth", "0"), XML_TYPE], named_props("lockdiscovery"), user)
        text = body.decode("utf-8", "replace")
        i = text.find("locktoken")
        if i < 0:
            return
        h = text.find("href>", i)
        token = text[h + 5:text.find("<", h)].strip()
        root = text.find("lockroot", i)
        target = url
        if root >= 0:
            r = text.find("href>", root)
            path = text[r + 5:text.find("<", r)].strip()
            target = url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + path
        ctx.curl("UNLOCK", target, [("Lock-Token", f"<{token}>")], user=user)


def cases(ctx, base):
    root = root_of(ctx)

    def gone(*paths, user=None):
        return deleted(*(f"{base}{p}" for p in paths), user=user)

    def present(*paths, data=b"content\n", user=None):
        """created(), but a file's dav-ext lock is released first: a locked file refuses the PUT."""
        def prep(c):
            for p in paths:
                if not p.endswith("/"):
                    ensure_unlocked(c, f"{base}{p}", user)
                created(f"{base}{p}", data=data, user=user)(c)
        return prep

    # ------------------------------------------------------------------ healthy answers
    yield Case("options-docs", "OPTIONS", f"{base}/docs/", "none", kind="healthy",
               notes="OPTIONS on a DAV location: DAV: 2 and the Allow list of dav_methods + dav_ext_methods")
    yield Case("options-readonly-location", "OPTIONS", f"{base}/ro/", "none", kind="healthy",
               notes="/ro/ has dav_methods off: Allow still lists every method, DAV: 2")
    yield Case("propfind-depth0-allprop-collection", "PROPFIND", f"{base}/docs/", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=ALLPROP, notes="allprop on the collection itself")
    yield Case("propfind-depth1-nobody-sub", "PROPFIND", f"{base}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1")], notes="Depth 1 with no body (allprop); dav-ext gives no getetag")
    yield Case("propfind-depth1-propname", "PROPFIND", f"{base}/docs/", "none", kind="propname",
               headers=[("Depth", "1"), XML_TYPE], body=PROPNAME,
               notes="propname over names with space, #, &, +, accent, emoji")
    yield Case("propfind-named-dead-and-etag", "PROPFIND", f"{base}/docs/a%20b.txt", "payload", ["/docs/a b.txt"],
               kind="broken-answer",
               headers=[("Depth", "0"), XML_TYPE],
               body=named_props("getetag", "getcontenttype", "getcontentlength", "displayname"),
               notes="dav-ext silently leaves out getetag/getcontenttype: no 404 propstat as RFC 4918 9.1 requires")
    yield Case("propfind-named-owncloud-depth1", "PROPFIND", f"{base}/reports/", "payload", ["/reports/", "/reports/q3.txt"],
               kind="broken-answer",
               headers=[("Depth", "1"), XML_TYPE],
               body=named_props("resourcetype", "quota-used-bytes", "{http://owncloud.org/ns}size", "{http://owncloud.org/ns}fileid"),
               notes="a sync client's named props: dav-ext answers resourcetype and omits the rest (no 404 propstat)")
    yield Case("propfind-no-depth-header", "PROPFIND", f"{base}/docs/sub/", "server-config", ["/docs/sub/"], kind="deviation",
               headers=[XML_TYPE], body=ALLPROP, live=False,
               notes="no Depth header (RFC: infinity): dav-ext has no infinite depth and answers the collection only; not live: check adds Depth 1")
    yield Case("propfind-lockdiscovery-held", "PROPFIND", f"{base}/locks/held.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("lockdiscovery", "supportedlock"),
               prepare=lambda c: c.lock(f"{base}/locks/held.txt"),
               notes="lockdiscovery of a file alice locked: an activelock with its token")
    yield Case("propfind-names-tab-del", "PROPFIND", f"{base}/names-ok/", "client", ['/names-ok/col\tumns.tsv'], kind="deviation",
               headers=[("Depth", "1")],
               notes="names with a TAB and a DEL byte on disk: both are legal XML 1.0 characters, hrefs percent-encoded; Windows forbids TAB in names")
    yield Case("get-hash-name", "GET", f"{base}/docs/hash%23tag.txt", "none", kind="healthy",
               notes="GET of a name with # encoded as %23")
    yield Case("head-emoji-name", "HEAD", f"{base}/docs/smile%20%F0%9F%98%80.txt", "none", kind="healthy",
               curl_args=["-I"], notes="HEAD of a name with an emoji")
    yield Case("get-range", "GET", f"{base}/docs/plain.txt", "none", kind="healthy",
               headers=[("Range", "bytes=0-4")], prepare=present("/docs/plain.txt", data=b"plain text\n"),
               notes="a ranged GET: 206 Partial Content")
    inm = Case("get-if-none-match-current-etag", "GET", f"{base}/reports/q3.txt", "none", kind="healthy",
               notes="revalidation with the ETag the client holds, still current: 304 Not Modified")
    def prep_inm(c, case=inm):
        set_header(case.headers, "If-None-Match", c.etag(f"{base}/reports/q3.txt") or '"none"')
    inm.prepare = prep_inm
    yield inm
    yield Case("put-new-file", "PUT", f"{base}/docs/report-2026.txt", "none", kind="healthy",
               body=b"annual report\n", prepare=gone("/docs/report-2026.txt"), notes="PUT of a new file: 201 with Location")
    yield Case("put-overwrite", "PUT", f"{base}/docs/plain.txt", "none", kind="healthy",
               body=b"plain text, edited\n", prepare=present("/docs/plain.txt", data=b"plain text\n"),
               notes="PUT over an existing file: 204")
    yield Case("mkcol-new", "MKCOL", f"{base}/docs/projects/", "none", kind="healthy",
               prepare=gone("/docs/projects/"), notes="MKCOL with a trailing slash: 201")
    yield Case("delete-file", "DELETE", f"{base}/docs/draft.txt", "none", kind="healthy",
               prepare=present("/docs/draft.txt"), notes="DELETE of a file: 204")
    yield Case("delete-collection-tree", "DELETE", f"{base}/docs/old-tree/", "none", kind="healthy",
               prepare=in_turn(present("/docs/old-tree/", "/docs/old-tree/inner/"),
                               present("/docs/old-tree/inner/x.txt")),
               notes="DELETE of a collection with members (Depth infinity implied): 204")
    yield Case("copy-file", "COPY", f"{base}/docs/a%20b.txt", "none",
               headers=[("Destination", f"{base}/docs/a%20b%20(copy).txt")], prepare=gone("/docs/a%20b%20(copy).txt"),
               kind="deviation", notes="COPY of a file to a new name: nginx answers 204 even when it created the target (RFC: 201)")
    yield Case("copy-overwrite-relative-destination", "COPY", f"{base}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", "/docs/plain-backup.txt"), ("Overwrite", "T")],
               prepare=present("/docs/plain-backup.txt"),
               notes="COPY over an existing file with a path-only Destination: 204")
    yield Case("move-collection", "MOVE", f"{base}/docs/tmpdir/", "none", kind="healthy",
               headers=[("Destination", f"{base}/docs/archive-2025/")],
               prepare=in_turn(gone("/docs/archive-2025/"), present("/docs/tmpdir/"), present("/docs/tmpdir/notes.txt")),
               notes="MOVE of a collection with trailing slashes on both sides: 201")
    yield Case("lock-free-file", "LOCK", f"{base}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: ensure_unlocked(c, f"{base}/locks/free.txt"),
               notes="an exclusive write lock on an unlocked file: 200 with Lock-Token")
    yield Case("lock-unmapped-url", "LOCK", f"{base}/locks/reserved.txt", "none", kind="healthy",
               headers=[XML_TYPE], body=LOCKINFO,
               prepare=lambda c: (ensure_unlocked(c, f"{base}/locks/reserved.txt"), c.delete(f"{base}/locks/reserved.txt")),
               notes="LOCK of a name that does not exist yet creates an empty file: 201")
    unlock = Case("unlock-own-token", "UNLOCK", f"{base}/locks/release.txt", "none", kind="healthy",
                  notes="UNLOCK with the token LOCK returned: 204")
    def prep_unlock(c, case=unlock):
        set_header(case.headers, "Lock-Token", f"<{c.lock(f'{base}/locks/release.txt')}>")
    unlock.prepare = prep_unlock
    yield unlock
    put_tok = Case("put-with-lock-token", "PUT", f"{base}/locks/mine.txt", "none", kind="healthy",
                   body=b"my edit\n", notes="PUT to a file alice locked, with her token in If: 204")
    def prep_put_tok(c, case=put_tok):
        set_header(case.headers, "If", f"(<{c.lock(f'{base}/locks/mine.txt')}>)")
    put_tok.prepare = prep_put_tok
    yield put_tok
    yield Case("propfind-secret-alice", "PROPFIND", f"{base}/secret/alice/", "none", kind="healthy",
               headers=[("Depth", "1")], user=ALICE, notes="alice lists her own folder behind auth_basic")
    yield Case("put-team-authenticated", "PUT", f"{base}/team/minutes.txt", "none", kind="healthy",
               body=b"minutes\n", user=BOB, prepare=gone("/team/minutes.txt", user=BOB),
               notes="/team/ limit_except asks for a login for writes; bob logs in: 201")
    yield Case("put-autocreate-parents", "PUT", f"{base}/autocreate/2026/q1/ledger.csv", "none", kind="deviation",
               body=b"a,b\n1,2\n", prepare=gone("/autocreate/2026/"),
               notes="create_full_put_path on: PUT creates the missing parents (RFC says 409); a quirk, not a fault")
    stale_put = Case("put-if-match-ignored", "PUT", f"{base}/reports/budget.txt", "none", kind="deviation",
                     body=b"alice's budget\n",
                     notes="stale If-Match after bob's PUT: nginx dav ignores If-Match on PUT and overwrites (204)")
    def prep_stale_put(c, case=stale_put):
        set_header(case.headers, "If-Match", c.stale_etag(f"{base}/reports/budget.txt", other=BOB, old=b"budget v1\n",
                                                          new=b"budget v2, edited by bob\n"))
    stale_put.prepare = prep_stale_put
    yield stale_put
    yield Case("put-drop-without-propfind", "PUT", f"{base}/drop/scan-0042.pdf", "none", kind="healthy",
               body=b"%PDF-1.4\n", prepare=gone("/drop/scan-0042.pdf"),
               notes="/drop/ has dav_methods only: a plain PUT still works (201)")

    # ------------------------------------------------------------------ path
    yield Case("propfind-missing-file", "PROPFIND", f"{base}/docs/report-2024.txt", "path", ["/docs/report-2024.txt"],
               headers=[("Depth", "0")], notes="the file does not exist: bare 404 HTML")
    yield Case("get-wrong-case", "GET", f"{base}/Docs/plain.txt", "path", ["/Docs/plain.txt"],
               notes="the folder is /docs/; the client typed /Docs/: 404")
    yield Case("get-nfc-of-nfd-name", "GET", f"{base}/unicode/R%C3%A9sum%C3%A9.txt", "path", ["/unicode/Résumé.txt"],
               notes="the name is stored in NFD; the client asked in NFC: 404")
    yield Case("get-raw-percent", "GET", f"{base}/pct/100%.txt", "path", ["/pct/100%.txt"],
               live=False, notes="a literal % not encoded as %25: nginx answers 400 Bad Request; not live: check sends %25 and gets 200")
    yield Case("get-decoded-once-too-often", "GET", f"{base}/pct/50%25%20off.txt", "path", ["/pct/50% off.txt"],
               notes="the name is '50%25 off.txt'; the client sent %25 instead of %2525, so nginx looks for '50% off.txt': 404")
    yield Case("put-missing-parent", "PUT", f"{base}/docs/2026/q1/report.txt", "path", ["/docs/2026/q1/report.txt"],
               body=b"q1\n", kind="status-habit",
               notes="PUT into a folder that does not exist: nginx answers 500 (rename fails), RFC says 409")
    yield Case("copy-missing-parent", "COPY", f"{base}/docs/plain.txt", "path", ["/backup/2026/plain.txt"],
               headers=[("Destination", f"{base}/backup/2026/plain.txt")], kind="status-habit",
               notes="COPY to a Destination whose parent does not exist: 500, RFC says 409")
    yield Case("mkcol-no-trailing-slash", "MKCOL", f"{base}/docs/photos", "path", ["/docs/photos"],
               prepare=gone("/docs/photos/"), kind="status-habit",
               notes="nginx refuses MKCOL without a trailing slash: 409 Conflict")
    yield Case("mkcol-missing-parent", "MKCOL", f"{base}/docs/2027/plans/", "path", ["/docs/2027/plans/"],
               notes="MKCOL whose parent does not exist: 409")
    yield Case("move-collection-no-slash", "MOVE", f"{base}/docs/sub", "path", ["/docs/sub"],
               headers=[("Destination", f"{base}/docs/sub-old/")], kind="status-habit",
               notes="MOVE of a collection named without its trailing slash: 409")
    yield Case("delete-collection-no-slash", "DELETE", f"{base}/empty", "path", ["/empty"],
               kind="status-habit", notes="DELETE of a collection named without its trailing slash: 409")
    yield Case("put-onto-collection", "PUT", f"{base}/docs/sub", "path", ["/docs/sub"],
               body=b"not a folder\n", notes="PUT to a name that is a collection: 409")
    yield Case("delete-missing", "DELETE", f"{base}/locks/gone.txt", "path", ["/locks/gone.txt"],
               notes="DELETE of a file that is not there: 404")

    # ------------------------------------------------------------------ permission
    yield Case("get-private-deny", "GET", f"{base}/private/secret.txt", "permission", ["/private/secret.txt"],
               notes="location /private/ { deny all; }: 403")
    yield Case("propfind-private-deny", "PROPFIND", f"{base}/private/", "permission", ["/private/"],
               headers=[("Depth", "1")], notes="deny all applies to PROPFIND too: 403")
    yield Case("propfind-secret-no-credentials", "PROPFIND", f"{base}/secret/", "permission", ["/secret/"],
               headers=[("Depth", "1")], notes="auth_basic, no credentials sent: 401 with WWW-Authenticate")
    yield Case("put-secret-wrong-password", "PUT", f"{base}/secret/todo.txt", "permission", ["/secret/todo.txt"],
               body=b"todo\n", user="alice:alice-PW", notes="auth_basic, wrong password: 401")
    yield Case("get-secret-alice-as-bob", "GET", f"{base}/secret/alice/diary.txt", "permission", ["/secret/alice/diary.txt"],
               user=BOB, notes="if ($remote_user != alice) { return 403; }: bob gets 403")
    yield Case("put-shared-limit-except", "PUT", f"{base}/shared/handbook.txt", "permission", ["/shared/handbook.txt"],
               body=b"edit\n", notes="limit_except GET HEAD OPTIONS PROPFIND { deny all; }: 403 for PUT")
    yield Case("delete-shared-limit-except", "DELETE", f"{base}/shared/policies.txt", "permission", ["/shared/policies.txt"],
               user=ALICE, notes="the read-only share refuses DELETE even with credentials: 403")
    yield Case("lock-shared-limit-except", "LOCK", f"{base}/shared/handbook.txt", "permission", ["/shared/handbook.txt"],
               headers=[XML_TYPE], body=LOCKINFO, notes="LOCK is not in limit_except's list: 403")
    yield Case("mkcol-team-no-login", "MKCOL", f"{base}/team/2026/", "permission", ["/team/2026/"],
               notes="writes in /team/ need a login (auth_basic inside limit_except): 401")
    yield Case("put-root-owned-folder", "PUT", f"{base}/archive/2026.txt", "permission", ["/archive/2026.txt"],
               body=b"new\n", kind="status-habit",
               notes="/archive/ belongs to root, nginx runs as www-data: rename fails EACCES, nginx answers 500")
    yield Case("delete-root-owned-folder", "DELETE", f"{base}/archive/2019.txt", "permission", ["/archive/2019.txt"],
               notes="unlink in a root-owned folder: EACCES -> 403")
    yield Case("mkcol-root-owned-folder", "MKCOL", f"{base}/archive/scans/", "permission", ["/archive/scans/"],
               notes="mkdir in a root-owned folder: EACCES -> 403")
    yield Case("get-unreadable-file", "GET", f"{base}/archive/payroll.txt", "permission", ["/archive/payroll.txt"],
               notes="the file is root's, mode 600: 403")
    yield Case("propfind-unreadable-folder", "PROPFIND", f"{base}/hr/", "permission", ["/hr/"],
               headers=[("Depth", "1")], kind="status-habit",
               notes="folder mode 700 root: dav-ext cannot read it and answers 500")
    yield Case("propfind-in-unreadable-folder", "PROPFIND", f"{base}/hr/salaries.txt", "permission", ["/hr/salaries.txt"],
               headers=[("Depth", "0")], kind="status-habit",
               notes="a file inside a mode-700 root folder: stat fails EACCES, nginx answers a bare 404")

    # ------------------------------------------------------------------ server-config
    yield Case("proppatch-not-supported", "PROPPATCH", f"{base}/docs/plain.txt", "server-config", ["/docs/plain.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}color": "blue"}),
               notes="nginx dav has no PROPPATCH at all: 405")
    # A location whose dav_methods names no write is a read-only share made by configuration: permission,
    # with nginx's switch (issue 14, class 4), as Apache's AllowMethods and lighttpd's webdav.is-readonly are.
    yield Case("put-readonly-dav-methods-off", "PUT", f"{base}/ro/readme.txt", "permission", ["/ro/readme.txt"],
               body=b"edit\n", kind="read-only", notes="dav_methods off in /ro/ (a read-only share by configuration): 405 Not Allowed")
    yield Case("lock-not-in-dav-ext-methods", "LOCK", f"{base}/ro/readme.txt", "server-config", ["/ro/readme.txt"],
               headers=[XML_TYPE, ("Timeout", "Second-300")], body=LOCKINFO,
               notes="dav_ext_methods PROPFIND OPTIONS in /ro/ (no LOCK): 405")
    yield Case("propfind-static-location", "PROPFIND", f"{base}/static/", "server-config", ["/static/"],
               headers=[("Depth", "1")], notes="a location without any dav directive: 405")
    yield Case("options-static-location", "OPTIONS", f"{base}/static/index.html", "server-config", ["/static/index.html"],
               notes="OPTIONS where DAV is off: nginx answers 405 (no DAV header)")
    yield Case("propfind-drop-no-dav-ext", "PROPFIND", f"{base}/drop/", "server-config", ["/drop/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="dav_methods without dav_ext_methods: PUT works but PROPFIND is 405")
    yield Case("put-over-client-max-body-size", "PUT", f"{base}/upload/photo.jpg", "server-config", ["/upload/photo.jpg"],
               body=b"\xff\xd8\xff\xe0 jpeg " * 400, notes="client_max_body_size 1k in /upload/: 413")
    yield Case("propfind-depth-infinity", "PROPFIND", f"{base}/docs/", "server-config", ["/docs/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP, kind="status-habit",
               notes="dav-ext refuses Depth infinity with a bare 403 (no propfind-finite-depth element)")

    # ------------------------------------------------------------------ storage
    yield Case("put-full-tmpfs", "PUT", f"{base}/quota/upload.bin", "storage", ["/quota/upload.bin"],
               body=b"upload " * 6000, kind="full-disk", prepare=gone("/quota/upload.bin"),
               notes="/quota/ is an almost full 256 KiB tmpfs: write() ENOSPC, nginx answers 500 (not 507)")
    yield Case("copy-into-full-tmpfs", "COPY", f"{base}/media/clip.bin", "storage", ["/quota/clip.bin"],
               headers=[("Destination", f"{base}/quota/clip.bin")], kind="full-disk", prepare=gone("/quota/clip.bin"),
               notes="COPY of a 200 KB file onto the full tmpfs: 500")
    yield Case("mkcol-no-free-inode", "MKCOL", f"{base}/inodes/2026/", "storage", ["/inodes/2026/"],
               kind="full-disk", notes="a tmpfs with every inode used: mkdir ENOSPC, nginx answers 507")
    yield Case("put-no-free-inode", "PUT", f"{base}/inodes/note.txt", "storage", ["/inodes/note.txt"],
               body=b"short note\n", kind="full-disk", notes="creating a file on the inode-full tmpfs: 500")

    # ------------------------------------------------------------------ lock
    held = lambda c: c.lock(f"{base}/locks/held.txt")
    yield Case("put-locked-no-token", "PUT", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               body=b"overwrite\n", prepare=held, notes="alice's lock; the PUT submits no token: bare 423")
    yield Case("delete-locked", "DELETE", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               prepare=held, notes="DELETE of a locked file without the token: 423")
    yield Case("move-locked-source", "MOVE", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("Destination", f"{base}/locks/held-renamed.txt")], prepare=held,
               notes="MOVE of a locked file without the token: 423")
    yield Case("lock-conflict-other-user", "LOCK", f"{base}/secret/plan.txt", "lock", ["/secret/plan.txt"],
               headers=[XML_TYPE], body=LOCKINFO, user=BOB,
               prepare=in_turn(lambda c: c.put(f"{base}/secret/plan.txt", b"plan\n", user=ALICE),
                               lambda c: c.lock(f"{base}/secret/plan.txt", user=ALICE)),
               notes="alice holds an exclusive lock; bob asks for one: 423")
    yield Case("put-member-of-locked-collection", "PUT", f"{base}/locks/sub/new.txt", "lock", ["/locks/sub/new.txt"],
               body=b"new\n", prepare=lambda c: c.lock(f"{base}/locks/sub/", depth="infinity"),
               notes="/locks/sub/ has a Depth infinity lock; a new member without the token: 423")
    stale = Case("put-stale-lock-token", "PUT", f"{base}/locks/shared-doc.txt", "lock", ["/locks/shared-doc.txt"],
                 body=b"edit\n", notes="the client sends the token of a lock that was released and taken again: 423")
    def prep_stale(c, case=stale):
        url = f"{base}/locks/shared-doc.txt"
        ensure_unlocked(c, url)
        c.put(url, b"shared\n")
        old = c.lock(url)
        ensure_unlocked(c, url)
        c.lock(url)
        set_header(case.headers, "If", f"(<{old}>)")
    stale.prepare = prep_stale
    yield stale
    yield Case("mkcol-in-locked-collection", "MKCOL", f"{base}/locks/sub/more/", "lock", ["/locks/sub/more/"],
               prepare=lambda c: c.lock(f"{base}/locks/sub/", depth="infinity"),
               notes="MKCOL inside a Depth infinity locked collection without the token: 423")

    # ------------------------------------------------------------------ cache
    stale_get = Case("get-if-match-stale-etag", "GET", f"{base}/reports/forecast.txt", "cache", ["/reports/forecast.txt"],
                     notes="If-Match with the ETag from before bob's PUT: 412")
    def prep_stale_get(c, case=stale_get):
        set_header(case.headers, "If-Match", c.stale_etag(f"{base}/reports/forecast.txt", other=BOB,
                                                          old=b"forecast v1\n", new=b"forecast v2, bob's numbers\n"))
    stale_get.prepare = prep_stale_get
    yield stale_get
    yield Case("head-if-unmodified-since-old", "HEAD", f"{base}/reports/q4.txt", "cache", ["/reports/q4.txt"],
               headers=[("If-Unmodified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")], curl_args=["-I"],
               prepare=present("/reports/q4.txt", data=b"q4, changed today\n"),
               notes="the client remembers a 2024 Last-Modified; the file changed since: 412")

    # ------------------------------------------------------------------ payload
    yield Case("propfind-control-char-names", "PROPFIND", f"{base}/names/", "payload",
               ["/names/scan\x01page.pdf", "/names/\x1b[1mbold.txt"], headers=[("Depth", "1")], kind="broken-answer",
               notes="files named with U+0001 and ESC on disk: dav-ext writes them raw in displayname, not XML 1.0")
    yield Case("propfind-control-char-depth0", "PROPFIND", f"{base}/names/scan%01page.pdf", "payload",
               ["/names/scan\x01page.pdf"], headers=[("Depth", "0"), XML_TYPE], body=ALLPROP, kind="broken-answer",
               notes="Depth 0 on the file with U+0001 in its name: the displayname breaks XML 1.0")
    yield Case("propfind-latin1-name", "PROPFIND", f"{base}/latin1/", "payload", ["/latin1/caf%E9.txt"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="broken-answer",
               notes="a file named caf\\xe9.txt (Latin-1) on disk: the byte goes raw into displayname, not UTF-8")

    # ------------------------------------------------------------------ client
    yield Case("propfind-big-listing-windows", "PROPFIND", f"{base}/big/", "client", ["/big/"],
               headers=[("Depth", "1"), WIN_UA, XML_TYPE], body=ALLPROP,
               notes="2500 members: a 1.5 MB 207, over the Windows WebClient's 1,000,000-byte limit")
    yield Case("propfind-nfc-nfd-twins-mac", "PROPFIND", f"{base}/unicode/", "client", ["/unicode/"],
               headers=[("Depth", "1"), MAC_UA],
               notes="Café.txt in NFC and NFD side by side: macOS Finder shows one and loses the other")
    yield Case("propfind-percent-names-windows", "PROPFIND", f"{base}/pct/", "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               headers=[("Depth", "1"), WIN_UA, XML_TYPE], body=named_props("displayname", "resourcetype", "getcontentlength"),
               notes="names with a literal %: the Windows mini-redirector cannot open them")
    yield Case("options-behind-auth-windows", "OPTIONS", f"{base}/secret/", "client", ["/secret/"],
               headers=[WIN_UA],
               notes="OPTIONS under auth_basic answers 401: Windows sends OPTIONS without credentials and gives up")


SETUP = Setup(
    name="nginx",
    describe="scripts/peers/start-nginx-dav-ext.sh PROFILE=faulty + EXTRA_CONF (see scripts/corpus/setups/nginx.py): "
             "dav_methods PUT DELETE MKCOL COPY MOVE + dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK at /; /private/ deny; "
             "/secret/ auth_basic; /upload/ client_max_body_size 1k; /ro/ dav_methods off; /static/ no DAV; /drop/ no "
             "dav_ext_methods; /autocreate/ create_full_put_path on; /shared/ limit_except deny; /team/ limit_except "
             "auth_basic; /quota/ full tmpfs; /inodes/ inode-full tmpfs; root-owned /archive/ and /hr/; odd names on disk.",
    start=start, cases=cases,
    versions=lambda: [f"Debian nginx-light {package_version('nginx-light')}",
                      f"libnginx-mod-http-dav-ext {package_version('libnginx-mod-http-dav-ext')}"],
)
