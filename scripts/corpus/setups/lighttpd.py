"""lighttpd 1.4 mod_webdav (SQLite props and locks), scripts/peers/start-lighttpd.sh's faulty profile plus a
fragment in lighttpd's own configuration language (EXTRA_CONF) for more subtrees."""
import os

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, PROPNAME, XML_TYPE, Case, Setup, deleted, lockinfo, named_props,
                    package_version, proppatch, set_header, write_file, write_names)

NS = "urn:x-davdoctor:"
# A PROPFIND that asks for what a file manager shows, without getcontentlength (lighttpd sizes every
# collection 4096, a payload fault of its own that must not ride along in cases about something else).
LISTING = named_props("resourcetype", "getetag", "getlastmodified", "getcontenttype")

EXTRA_CONF = """
# /archive/: plain static files, WebDAV switched off for the subtree
$HTTP["url"] =~ "^/archive/" {
    webdav.activate = "disable"
}
# /tree/: Depth: infinity allowed for PROPFIND (lighttpd refuses it by default)
$HTTP["url"] =~ "^/tree/" {
    webdav.opts = ( "propfind-depth-infinity" => "enable" )
}
# /shared/: alice and bob both write here (Basic auth, any valid user)
$HTTP["url"] =~ "^/shared/" {
    auth.backend = "htpasswd"
    auth.backend.htpasswd.userfile = "@HTPASSWD@"
    auth.require = ( "/shared/" => ( "method" => "basic", "realm" => "davdoctor shared", "require" => "valid-user" ) )
}
# /notes/: small request bodies only (server.max-request-size is in KiB)
$HTTP["url"] =~ "^/notes/" {
    server.max-request-size = 2
}
"""


# ------------------------------------------------------------------------------------------- the setup

def start(ctx):
    conf = os.path.join(ctx.workdir, "lighttpd-extra.conf")
    with open(conf, "w") as f:
        f.write(EXTRA_CONF.replace("@HTPASSWD@", os.path.join(ctx.workdir, "lighttpd", "htpasswd")))
    base = ctx.peer("start-lighttpd.sh", ctx.port(0), env={"PROFILE": "faulty", "EXTRA_CONF": conf})
    root = os.path.join(ctx.workdir, "lighttpd", "root")
    write_file(f"{root}/archive/2019/report.txt", b"old report\n")
    write_file(f"{root}/tree/a/b/deep.txt", b"deep\n")
    write_file(f"{root}/tree/top.txt", b"top\n")
    write_file(f"{root}/shared/plan.txt", b"team plan\n")
    write_file(f"{root}/notes/todo.txt", b"- buy milk\n")
    write_file(f"{root}/reports/q1.txt", b"q1 figures\n")
    write_file(f"{root}/media/photo.jpg", os.urandom(48 * 1024))
    write_names(f"{root}/ctl", [b"bell\x01.txt", b"esc\x1b[0m.txt", b"plain.txt"], b"a name with a control character\n",
                owner="www-data")
    write_names(f"{root}/latin1", [b"caf\xe9.txt", b"na\xefve.txt"], b"a name in ISO-8859-1 bytes\n", owner="www-data")
    ctx.full_tmpfs(f"{root}/inodes", "1m", inodes=8)
    return base


def cases(ctx, base):
    b = base

    # ---------------------------------------------------------------- healthy: every method that succeeds
    yield Case("options-docs", "OPTIONS", f"{b}/docs/", "none", kind="healthy",
               notes="OPTIONS on a collection: DAV: 1,2,3 and the Allow list")
    yield Case("propfind-file-depth0-allprop", "PROPFIND", f"{b}/docs/a%20b.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=ALLPROP, notes="allprop on a file (a name with a space)")
    yield Case("propfind-sub-depth1-named", "PROPFIND", f"{b}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="named props without getcontentlength on a collection and its member")
    yield Case("propfind-reports-propname", "PROPFIND", f"{b}/reports/", "payload", ["/reports/", "/reports/q1.txt"],
               kind="broken-answer", headers=[("Depth", "1"), XML_TYPE], body=PROPNAME,
               notes="propname: lighttpd writes <getetag/> etc. with no prefix and no default namespace, so the names fall out of DAV:")
    yield Case("propfind-tree-depth-infinity", "PROPFIND", f"{b}/tree/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes='webdav.opts "propfind-depth-infinity" => "enable" on /tree/: a recursive listing')
    yield Case("propfind-file-displayname-404", "PROPFIND", f"{b}/docs/plain.txt", "none", kind="deviation",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("displayname", "getcontentlength", "getetag"),
               notes="lighttpd has no displayname: a 404 propstat for it beside the 200 ones is normal")
    yield Case("get-file", "GET", f"{b}/docs/smile%20%F0%9F%98%80.txt", "none", kind="healthy",
               notes="GET of a file with an emoji in its name")
    yield Case("head-file", "HEAD", f"{b}/docs/Caf%C3%A9.txt", "none", kind="healthy", curl_args=["-I"],
               notes="HEAD of a file with an NFC accent")
    yield Case("put-new", "PUT", f"{b}/docs/new%20report.txt", "none", kind="healthy", body=b"first draft\n",
               prepare=deleted(f"{b}/docs/new%20report.txt"), notes="PUT creates a file: 201")
    yield Case("put-overwrite", "PUT", f"{b}/docs/draft.txt", "none", kind="healthy", body=b"second draft\n",
               prepare=lambda c: c.put(f"{b}/docs/draft.txt", b"first draft\n"),
               notes="PUT replaces an existing file: 204")
    yield Case("mkcol-new", "MKCOL", f"{b}/docs/projects/", "none", kind="healthy",
               prepare=deleted(f"{b}/docs/projects/"), notes="MKCOL of a new collection: 201")
    yield Case("delete-file", "DELETE", f"{b}/docs/obsolete.txt", "none", kind="healthy",
               prepare=lambda c: c.put(f"{b}/docs/obsolete.txt"), notes="DELETE of an existing file: 204")
    yield Case("copy-file", "COPY", f"{b}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", f"{b}/docs/sub/plain-copy.txt")],
               prepare=deleted(f"{b}/docs/sub/plain-copy.txt"), notes="COPY into a sub-collection: 201")

    def move_ready(c):
        c.put(f"{b}/docs/inbox.txt", b"to be filed\n")
        c.delete(f"{b}/docs/sub/filed.txt")

    yield Case("move-file", "MOVE", f"{b}/docs/inbox.txt", "none", kind="healthy",
               headers=[("Destination", f"{b}/docs/sub/filed.txt"), ("Overwrite", "F")], prepare=move_ready,
               notes="MOVE with Overwrite: F to a free name: 201")
    yield Case("proppatch-dead", "PROPPATCH", f"{b}/docs/a%20b.txt", "none",
               headers=[XML_TYPE], body=proppatch({f"{{{NS}}}color": "blue"}),
               kind="deviation",
               notes="PROPPATCH sets a dead property (SQLite DB); lighttpd answers 204, not a 207")
    yield Case("lock-free", "LOCK", f"{b}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlocked(f"{b}/locks/free.txt"), notes="exclusive write lock on an unlocked file")

    unlock = Case("unlock-own", "UNLOCK", f"{b}/locks/sub/deep.txt", "none", kind="healthy",
                  notes="UNLOCK with the token the LOCK just returned: 204")

    def lock_for_unlock(c):
        set_header(unlock.headers, "Lock-Token", f"<{c.lock(f'{b}/locks/sub/deep.txt')}>")

    unlock.prepare = lock_for_unlock
    yield unlock

    put_token = Case("put-locked-own-token", "PUT", f"{b}/locks/mine.txt", "none", kind="healthy",
                     body=b"edited under my lock\n", notes="PUT to a file locked by the same client, its token in If: 204")

    def lock_for_put(c):
        fresh_token = c.lock(f"{b}/locks/mine.txt")
        set_header(put_token.headers, "If", f"(<{fresh_token}>)")

    put_token.prepare = lock_for_put
    yield put_token

    # ---------------------------------------------------------- payload: lighttpd's 4096 on collections
    yield Case("propfind-sub-allprop", "PROPFIND", f"{b}/docs/sub/", "payload", ["/docs/sub/"], kind="broken-answer",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="allprop: the collection reports getcontentlength 4096 (its directory inode size)")
    yield Case("propfind-empty-size", "PROPFIND", f"{b}/empty/", "payload", ["/empty/"], kind="broken-answer",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("getcontentlength", "resourcetype"),
               notes="getcontentlength asked by name on an empty collection: 4096")

    # ------------------------------------------------------- names on disk: control characters, Latin-1
    yield Case("propfind-control-chars", "PROPFIND", f"{b}/ctl/", "client", ['/ctl/bell\x01.txt', '/ctl/esc\x1b[0m.txt'], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="files named with U+0001 and ESC on disk: lighttpd percent-encodes them (%01, %1B) in well-formed XML; Windows cannot create or open names with control characters")
    yield Case("propfind-latin1-names", "PROPFIND", f"{b}/latin1/", "payload", ['/latin1/caf%E9.txt', '/latin1/na%EFve.txt'], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="file names in ISO-8859-1 bytes (0xE9, 0xEF) on disk: hrefs carry %E9/%EF, the XML is UTF-8; the hrefs decode to bytes that are not UTF-8")

    # ---------------------------------------------------------------------------------- client
    yield Case("propfind-unicode-twins", "PROPFIND", f"{b}/unicode/", "client",
               ["/unicode/Caf\u00e9.txt", "/unicode/Cafe\u0301.txt"], kind="baseline",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="Café.txt twice, NFC and NFD bytes: macOS clients merge the two")
    yield Case("propfind-percent-names", "PROPFIND", f"{b}/pct/", "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               kind="baseline", headers=[("Depth", "1"), XML_TYPE], body=named_props("getetag", "resourcetype"),
               notes="names with a literal % on disk: the Windows Mini-Redirector fails on them")

    yield Case("options-shared-noauth", "OPTIONS", f"{b}/shared/", "client", ["/shared/"],
               notes="auth.require covers OPTIONS on /shared/: 401 without credentials; Office and the Windows "
                     "Mini-Redirector send OPTIONS before they log in")

    # ------------------------------------------------------------------------------------ path
    yield Case("get-missing", "GET", f"{b}/docs/report-2024.pdf", "path", ["/docs/report-2024.pdf"],
               notes="GET of a file that does not exist: 404")
    yield Case("propfind-case", "PROPFIND", f"{b}/Docs/sub/", "path", ["/Docs/sub/"],
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="the collection is /docs/ (lower case): 404")
    yield Case("get-nfc-for-nfd", "GET", f"{b}/unicode/R%C3%A9sum%C3%A9.txt", "path", ["/unicode/R\u00e9sum\u00e9.txt"],
               notes="the request spells Résumé in NFC; on disk the name is NFD: 404")
    yield Case("put-missing-parent", "PUT", f"{b}/reports/2024/q1.txt", "path", ["/reports/2024/q1.txt"],
               body=b"q1\n", notes="parent /reports/2024/ does not exist: 409")
    yield Case("mkcol-missing-parent", "MKCOL", f"{b}/docs/sub/x/y/", "path", ["/docs/sub/x/y/"],
               notes="MKCOL two levels deep, /docs/sub/x/ does not exist: 409")
    yield Case("move-missing-parent", "MOVE", f"{b}/docs/hash%23tag.txt", "path", ["/archive2/hash#tag.txt"],
               headers=[("Destination", f"{b}/archive2/hash%23tag.txt")],
               notes="Destination's parent /archive2/ does not exist: 409")
    yield Case("propfind-file-trailing-slash", "PROPFIND", f"{b}/docs/plain.txt/", "path", ["/docs/plain.txt/"],
               kind="status-habit", headers=[("Depth", "0"), XML_TYPE], body=LISTING,
               notes="a file named with a trailing slash: lighttpd answers a bare 403, not 404")
    yield Case("put-collection-no-slash", "PUT", f"{b}/docs/sub", "path", ["/docs/sub"], body=b"oops\n",
               notes="PUT to the URL of a collection (no trailing slash): 405")
    yield Case("delete-missing", "DELETE", f"{b}/docs/already-gone.txt", "path", ["/docs/already-gone.txt"],
               notes="DELETE of a file that is not there: 404")

    # ------------------------------------------------------------------------------ permission
    yield Case("propfind-private", "PROPFIND", f"{b}/private/", "permission", ["/private/"],
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes='url.access-deny = ( "" ) on /private/: 403')
    yield Case("get-secret-noauth", "GET", f"{b}/secret/note.txt", "permission", ["/secret/note.txt"],
               notes="auth.require valid-user on /secret/, no credentials: 401")
    yield Case("propfind-secret-bob", "PROPFIND", f"{b}/secret/alice/", "permission", ["/secret/alice/"], user=BOB,
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="require user=alice on /secret/alice/; bob's password is right: lighttpd answers 401 again")
    yield Case("put-secret-wrong-password", "PUT", f"{b}/secret/note.txt", "permission", ["/secret/note.txt"],
               user="alice:wrong-pw", body=b"new note\n", notes="alice with a wrong password: 401")
    yield Case("put-readonly", "PUT", f"{b}/ro/notes.txt", "permission", ["/ro/notes.txt"], kind="read-only",
               body=b"note\n", notes='webdav.is-readonly = "enable" on /ro/: 403')
    yield Case("delete-readonly", "DELETE", f"{b}/ro/readme.txt", "permission", ["/ro/readme.txt"], kind="read-only",
               notes="webdav.is-readonly: DELETE of an existing file refused")
    yield Case("mkcol-readonly", "MKCOL", f"{b}/ro/new/", "permission", ["/ro/new/"], kind="read-only",
               notes="webdav.is-readonly: MKCOL refused")
    yield Case("lock-readonly", "LOCK", f"{b}/ro/readme.txt", "none", kind="deviation",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlocked(f"{b}/ro/readme.txt"),
               notes="webdav.is-readonly still grants a LOCK (200); only the writes after it are refused")
    yield Case("move-readonly", "MOVE", f"{b}/ro/readme.txt", "permission", ["/ro/readme.txt"], kind="read-only",
               headers=[("Destination", f"{b}/ro/readme-old.txt")], notes="webdav.is-readonly: MOVE refused")
    yield Case("propfind-readonly", "PROPFIND", f"{b}/ro/", "none", kind="read-only",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="reads on the read-only subtree work: 207")

    # ------------------------------------------------------------------------------------ lock
    yield Case("put-locked-no-token", "PUT", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], body=b"overwrite\n",
               prepare=lambda c: c.lock(f"{b}/locks/held.txt"), notes="a lock is held; the PUT submits no token: 423")
    yield Case("delete-locked-wrong-token", "DELETE", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("If", "(<opaquelocktoken:7b0e58a2-3c47-4bd8-9d3a-1e2f00000000>)")],
               prepare=lambda c: c.lock(f"{b}/locks/held.txt"), notes="If names a token that is not the lock's")
    yield Case("unlock-wrong-token", "UNLOCK", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("Lock-Token", "<opaquelocktoken:7b0e58a2-3c47-4bd8-9d3a-1e2f00000000>")],
               prepare=lambda c: c.lock(f"{b}/locks/held.txt"), kind="error-body",
               notes="UNLOCK with a token that is not the lock's: 409 lock-token-matches-request-uri")
    yield Case("put-shared-bob-alice-lock", "PUT", f"{b}/shared/plan.txt", "lock", ["/shared/plan.txt"], user=BOB,
               body=b"bob's plan\n", prepare=lambda c: c.lock(f"{b}/shared/plan.txt", ALICE),
               notes="alice holds the lock on /shared/plan.txt; bob PUTs without a token: 423")
    yield Case("lock-already-locked", "LOCK", f"{b}/shared/plan.txt", "lock", ["/shared/plan.txt"], user=BOB,
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=lockinfo("mailto:bob@example.com"),
               prepare=lambda c: c.lock(f"{b}/shared/plan.txt", ALICE),
               notes="bob asks for an exclusive lock that alice holds: 423")
    yield Case("move-locked-source", "MOVE", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("Destination", f"{b}/docs/held-moved.txt")],
               prepare=lambda c: (c.lock(f"{b}/locks/held.txt"), c.delete(f"{b}/docs/held-moved.txt")),
               notes="MOVE of a locked file without its token: 423")

    # ------------------------------------------------------------------------------------ cache
    stale_put = Case("put-stale-if-match", "PUT", f"{b}/shared/budget.txt", "cache", ["/shared/budget.txt"],
                     user=ALICE, kind="stale-state", body=b"alice's edit of the old version\n",
                     notes="If-Match with the ETag alice read before bob's PUT: 412")
    stale_put.prepare = lambda c: set_header(stale_put.headers, "If-Match", c.stale_etag(f"{b}/shared/budget.txt", ALICE, BOB))
    yield stale_put
    stale_delete = Case("delete-stale-if-match", "DELETE", f"{b}/docs/minutes.txt", "cache", ["/docs/minutes.txt"],
                        kind="stale-state", notes="DELETE If-Match with an ETag from before another PUT: 412")
    stale_delete.prepare = lambda c: set_header(stale_delete.headers, "If-Match", c.stale_etag(f"{b}/docs/minutes.txt"))
    yield stale_delete
    stale_if = Case("put-stale-if-etag", "PUT", f"{b}/docs/agenda.txt", "cache", ["/docs/agenda.txt"],
                    kind="stale-state", body=b"agenda v2\n",
                    notes="If: ([etag]) with an ETag from before another PUT: 412")
    stale_if.prepare = lambda c: set_header(stale_if.headers, "If", f"([{c.stale_etag(f'{b}/docs/agenda.txt')}])")
    yield stale_if

    # ---------------------------------------------------------------------------------- storage
    yield Case("put-quota", "PUT", f"{b}/quota/scan.pdf", "storage", ["/quota/scan.pdf"], kind="full-disk",
               body=os.urandom(40 * 1024), notes="40 KiB into a 256 KiB tmpfs with 16 KiB free: 507")
    yield Case("put-quota-large", "PUT", f"{b}/quota/video.mp4", "storage", ["/quota/video.mp4"], kind="status-habit",
               body=os.urandom(160 * 1024),
               notes="160 KiB: over 64 KiB lighttpd spools the body to a temp file and answers a bare 500 (log: No space left on device)")
    yield Case("copy-into-quota", "COPY", f"{b}/media/photo.jpg", "storage", ["/quota/photo.jpg"], kind="full-disk",
               headers=[("Destination", f"{b}/quota/photo.jpg")],
               notes="COPY of a 48 KiB file into the tmpfs with 16 KiB free: 507")
    yield Case("mkcol-no-inodes", "MKCOL", f"{b}/inodes/album/", "storage", ["/inodes/album/"], kind="status-habit",
               notes="a tmpfs with nr_inodes=8, all used: mkdir gets ENOSPC and lighttpd answers a bare 403")
    yield Case("put-no-inodes", "PUT", f"{b}/inodes/note.txt", "storage", ["/inodes/note.txt"], kind="status-habit",
               body=b"tiny\n", notes="no inode left on the tmpfs: a bare 500")

    # ---------------------------------------------------------------------------- server-config
    yield Case("propfind-depth-infinity", "PROPFIND", f"{b}/docs/", "server-config", ["/docs/"], kind="error-body",
               headers=[("Depth", "infinity"), XML_TYPE], body=LISTING,
               notes="Depth infinity outside /tree/: 403 with propfind-finite-depth")
    yield Case("propfind-no-depth", "PROPFIND", f"{b}/locks/", "server-config", ["/locks/"], kind="error-body",
               headers=[XML_TYPE], body=named_props("lockdiscovery"),
               live=False, notes="no Depth header means infinity, refused: 403 propfind-finite-depth; not live: "
                                 "check always sends a Depth header (1 by default)")
    yield Case("put-over-limit", "PUT", f"{b}/upload/big.bin", "server-config", ["/upload/big.bin"],
               body=os.urandom(4096), notes="server.max-request-size = 1 (KiB) on /upload/: 413")
    yield Case("put-notes-over-limit", "PUT", f"{b}/notes/todo.txt", "server-config", ["/notes/todo.txt"],
               body=b"- " + b"a longer list " * 200 + b"\n",
               notes="server.max-request-size = 2 (KiB) on /notes/: a 2.8 KB PUT gets 413")
    yield Case("propfind-archive-dav-off", "PROPFIND", f"{b}/archive/", "server-config", ["/archive/"],
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes='webdav.activate = "disable" on /archive/: PROPFIND is not handled there')
    yield Case("mkcol-archive-dav-off", "MKCOL", f"{b}/archive/2020/", "server-config", ["/archive/2020/"],
               kind="status-habit", notes='webdav.activate = "disable" on /archive/: MKCOL falls to the static handler, a bare 404')
    yield Case("get-archive-static", "GET", f"{b}/archive/2019/report.txt", "none", kind="healthy",
               notes="GET still works where WebDAV is off")


SETUP = Setup(
    name="lighttpd",
    describe="scripts/peers/start-lighttpd.sh, PROFILE=faulty (mod_webdav at / with SQLite props/locks; /private/ "
             "url.access-deny; /secret/ Basic auth, /secret/alice/ user=alice; /upload/ server.max-request-size 1 KiB; "
             "/ro/ webdav.is-readonly; /quota/ an almost full 256 KiB tmpfs) plus EXTRA_CONF: /archive/ "
             "webdav.activate disable, /tree/ propfind-depth-infinity enabled, /shared/ Basic auth for alice and bob, "
             "/notes/ server.max-request-size 2 KiB; /inodes/ a tmpfs with every inode used; /ctl/ and /latin1/ hold "
             "names with control characters and ISO-8859-1 bytes written on disk.",
    start=start, cases=cases,
    versions=lambda: [f"Debian lighttpd {package_version('lighttpd')}, lighttpd-mod-webdav {package_version('lighttpd-mod-webdav')}"],
)
