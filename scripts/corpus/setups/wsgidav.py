"""WsgiDAV 4.4 on cheroot: scripts/peers/start-wsgidav.sh's faulty profile plus a /team share for alice and bob,
and a second instance configured without lock storage and without a property manager."""
import os

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, PROPNAME, XML_TYPE, Case, Setup, deleted, lockinfo, named_props,
                    pip_version, proppatch, set_header, write_names)

NS = "urn:x-davdoctor:"
LISTING = named_props("resourcetype", "displayname", "getetag", "getlastmodified", "getcontentlength")
BIG = 1900  # files in the bare instance's /big/: an allprop Depth 1 listing just over 1 MB (1.1 MB)

BARE_YAML = """\
# No lock manager, no property manager: DAV class 1 only, dead properties cannot be stored.
lock_storage: null
property_manager: null
# The HTML directory listing for GET on a collection is on here.
dir_browser:
  enable: true
"""


# ------------------------------------------------------------------------------------------- the setup

def start(ctx):
    team = os.path.join(ctx.workdir, "wsgidav-team")
    os.makedirs(team, exist_ok=True)
    with open(os.path.join(team, "plan.txt"), "w") as f:
        f.write("team plan\n")
    main = ctx.peer("start-wsgidav.sh", ctx.port(0), env={
        "PROFILE": "faulty",
        "EXTRA_SHARES": f'    "/team": "{team}"',
        "EXTRA_USERS": '    "/team":\n      alice:\n        password: alice-pw\n      bob:\n        password: bob-pw',
    })
    bare_yaml = os.path.join(ctx.workdir, "wsgidav-bare.yaml")
    with open(bare_yaml, "w") as f:
        f.write(BARE_YAML)
    bare = ctx.peer("start-wsgidav.sh", ctx.port(1), env={
        "PROFILE": "clean", "NAME": "wsgidav-bare", "EXTRA_YAML": bare_yaml, "BIG": str(BIG)})
    root = os.path.join(ctx.workdir, "wsgidav", "root")
    write_names(f"{root}/ctl", [b"bell\x01.txt", b"esc\x1b[0m.txt", b"plain.txt"])
    write_names(f"{root}/latin1", [b"caf\xe9.txt", b"na\xefve.txt"])
    write_names(f"{root}/reports", [b"q1.txt"])
    # a Mac user's folder copied up with rsync: Finder's custom-icon file is named "Icon\r"
    write_names(f"{root}/photos", [b"Icon\r", b"beach.jpg", b"harbour.jpg"])
    # a project tree; deep inside, a build script wrote a log whose name caught a terminal bell (U+0007)
    write_names(f"{root}/projects/2025", [b"plan.txt"])
    write_names(f"{root}/projects/2025/exports", [b"build\x07.log", b"summary.csv"])
    with open(f"{root}/docs/photo.jpg", "wb") as f:
        f.write(os.urandom(48 * 1024))
    ctx.full_tmpfs(f"{root}/inodes", "1m", inodes=8)
    return {"main": main, "bare": bare}


def cases(ctx, urls):
    b, bare = urls["main"], urls["bare"]

    # ---------------------------------------------------------------- healthy: every method that succeeds
    yield Case("options-docs", "OPTIONS", f"{b}/docs/", "none", kind="healthy", notes="OPTIONS: DAV: 1,2 and Allow")
    yield Case("propfind-docs-depth1-allprop", "PROPFIND", f"{b}/docs/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="allprop listing of a collection")
    yield Case("propfind-file-depth0-named", "PROPFIND", f"{b}/docs/amp%26plus%2B.txt", "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=LISTING, notes="named props on a file with & and + in its name")
    yield Case("propfind-docs-depth-infinity", "PROPFIND", f"{b}/docs/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="WsgiDAV allows Depth: infinity: a recursive listing")
    yield Case("propfind-no-depth", "PROPFIND", f"{b}/locks/", "none", kind="healthy", headers=[XML_TYPE],
               body=named_props("lockdiscovery", "resourcetype"), live=False,
               notes="no Depth header means infinity, answered in full; not live: check always sends a Depth header")
    yield Case("propfind-secret-alice", "PROPFIND", f"{b}/secret/", "none", kind="healthy", user=ALICE,
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="the /secret share with alice's credentials")
    yield Case("get-file", "GET", f"{b}/docs/hash%23tag.txt", "none", kind="healthy", notes="GET of a file with # in its name")
    yield Case("head-file", "HEAD", f"{b}/docs/Caf%C3%A9.txt", "none", kind="healthy", curl_args=["-I"],
               notes="HEAD of a file with an NFC accent")
    yield Case("put-new", "PUT", f"{b}/docs/minutes%202024.txt", "none", kind="healthy", body=b"minutes\n",
               prepare=deleted(f"{b}/docs/minutes%202024.txt"), notes="PUT creates a file: 201")
    yield Case("put-overwrite", "PUT", f"{b}/team/plan.txt", "none", kind="healthy", user=BOB, body=b"bob's plan\n",
               prepare=lambda c: c.unlocked(f"{b}/team/plan.txt", ALICE), notes="bob replaces a file in /team: 204")
    yield Case("mkcol-new", "MKCOL", f"{b}/docs/2025/", "none", kind="healthy",
               prepare=deleted(f"{b}/docs/2025/"), notes="MKCOL of a new collection: 201")
    yield Case("delete-collection", "DELETE", f"{b}/docs/old-drafts/", "none", kind="healthy",
               prepare=lambda c: (c.mkcol(f"{b}/docs/old-drafts/"), c.put(f"{b}/docs/old-drafts/d1.txt")),
               notes="DELETE of a collection with a member: 204")
    yield Case("copy-collection", "COPY", f"{b}/docs/sub/", "none", kind="healthy",
               headers=[("Destination", f"{b}/docs/sub-backup/"), ("Depth", "infinity")],
               prepare=deleted(f"{b}/docs/sub-backup/"), notes="COPY of a collection, Depth infinity: 201")

    def move_ready(c):
        c.put(f"{b}/docs/inbox.txt", b"to be filed\n")
        c.put(f"{b}/docs/sub/filed.txt", b"older version\n")

    yield Case("move-overwrite", "MOVE", f"{b}/docs/inbox.txt", "none", kind="healthy",
               headers=[("Destination", f"{b}/docs/sub/filed.txt"), ("Overwrite", "T")], prepare=move_ready,
               notes="MOVE onto an existing file with Overwrite: T: 204")
    yield Case("proppatch-dead", "PROPPATCH", f"{b}/docs/a%20b.txt", "none", kind="healthy", headers=[XML_TYPE],
               body=proppatch({f"{{{NS}}}color": "blue"}, remove=[f"{{{NS}}}size"]),
               notes="PROPPATCH sets one dead property and removes another: 207, 200 for both")
    yield Case("lock-free", "LOCK", f"{b}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlocked(f"{b}/locks/free.txt"), notes="exclusive write lock on an unlocked file")
    unlock = Case("unlock-own", "UNLOCK", f"{b}/locks/sub/deep.txt", "none", kind="healthy",
                  notes="UNLOCK with the token the LOCK returned: 204")
    unlock.prepare = lambda c: set_header(unlock.headers, "Lock-Token", f"<{c.lock(f'{b}/locks/sub/deep.txt')}>")
    yield unlock
    put_token = Case("put-locked-own-token", "PUT", f"{b}/team/notes.txt", "none", kind="healthy", user=ALICE,
                     body=b"alice's notes\n", notes="alice PUTs to the file she locked, her token in If: 204")
    put_token.prepare = lambda c: set_header(put_token.headers, "If", f"(<{c.lock(f'{b}/team/notes.txt', ALICE)}>)")
    yield put_token
    yield Case("propfind-file-trailing-slash", "PROPFIND", f"{b}/docs/plain.txt/", "none", kind="deviation",
               headers=[("Depth", "0"), XML_TYPE], body=LISTING,
               notes="a file asked for with a trailing slash: WsgiDAV answers 207 for it (href keeps the slash)")
    yield Case("lock-readonly-share", "LOCK", f"{b}/ro/readme.txt", "none", kind="deviation",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlocked(f"{b}/ro/readme.txt"),
               notes="the read-only share still grants a LOCK (200); only the writes after it are refused")
    yield Case("get-collection-browser", "GET", f"{bare}/docs/", "none", kind="healthy",
               notes="second instance, dir_browser enabled: GET of a collection is an HTML listing")

    # ------------------------------------------------------------------------------ payload
    yield Case("propfind-propname", "PROPFIND", f"{b}/reports/", "payload", ["/reports/", "/reports/q1.txt"],
               kind="broken-answer", headers=[("Depth", "1"), XML_TYPE], body=PROPNAME,
               notes="WsgiDAV 4.4 looks for <D:name/> instead of <D:propname/>: each response has an href and neither propstat nor status")
    yield Case("propfind-control-chars", "PROPFIND", f"{b}/ctl/", "payload", ["/ctl/"], kind="error-body",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="files named with U+0001 and ESC on disk: no 207, a 500 whose body says the strings must be XML compatible")
    yield Case("propfind-latin1-names", "PROPFIND", f"{b}/latin1/", "payload", ["/latin1/"], kind="error-body",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="file names in ISO-8859-1 bytes on disk: a 500, UnicodeEncodeError ... surrogates not allowed")

    yield Case("propfind-tree-deep-control-char", "PROPFIND", f"{b}/projects/", "payload", ["/projects/"],
               kind="error-body", headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP,
               notes="a sync client's allprop Depth infinity scan of /projects/; two levels down, exports/build\\x07.log has "
                     "a bell character in its name, which displayname would carry: the whole scan fails with 500 'must be "
                     "XML compatible'")
    yield Case("propfind-tree-named-no-displayname", "PROPFIND", f"{b}/projects/", "client",
               ["/projects/2025/exports/build\x07.log"], kind="deviation", headers=[("Depth", "infinity"), XML_TYPE],
               body=named_props("resourcetype", "getetag"),
               notes="the same tree asked for resourcetype and getetag only: no displayname, so WsgiDAV answers a "
                     "well-formed 207 with href build%07.log; Windows cannot create or open a name with a control character")

    # ---------------------------------------------------------------------------------- client
    yield Case("propfind-mac-icon-file", "PROPFIND", f"{b}/photos/", "client", ["/photos/Icon\r"], kind="deviation",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="macOS Finder's custom-icon file 'Icon\\r' copied up with the folder: WsgiDAV answers a well-formed 207 "
                     "(href Icon%0D, displayname Icon&#13;); Windows cannot create or open a name with a control character")
    yield Case("propfind-unicode-twins", "PROPFIND", f"{b}/unicode/", "client",
               ["/unicode/Caf\u00e9.txt", "/unicode/Cafe\u0301.txt"], headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="Café.txt twice, NFC and NFD bytes: macOS clients merge the two")
    yield Case("propfind-percent-names", "PROPFIND", f"{b}/pct/", "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="names with a literal % on disk: the Windows Mini-Redirector fails on them")
    yield Case("options-secret-noauth", "OPTIONS", f"{b}/secret/", "client", ["/secret/"],
               notes="OPTIONS on the /secret share without credentials: 401; Office and the Windows Mini-Redirector "
                     "send OPTIONS before they log in")
    yield Case("propfind-big-listing", "PROPFIND", f"{bare}/big/", "client", ["/big/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes=f"{BIG} files in one collection: the allprop Depth 1 listing is over 1 MB, more than Windows' WebClient takes")

    # ------------------------------------------------------------------------------------ path
    yield Case("get-missing", "GET", f"{b}/docs/invoice-0042.pdf", "path", ["/docs/invoice-0042.pdf"],
               notes="GET of a file that does not exist: 404")
    yield Case("propfind-case", "PROPFIND", f"{b}/Docs/", "path", ["/Docs/"], headers=[("Depth", "1"), XML_TYPE],
               body=LISTING, notes="the collection is /docs/: 404")
    yield Case("propfind-nfc-for-nfd", "PROPFIND", f"{b}/unicode/R%C3%A9sum%C3%A9.txt", "path",
               ["/unicode/R\u00e9sum\u00e9.txt"], headers=[("Depth", "0"), XML_TYPE], body=LISTING,
               notes="the request spells Résumé in NFC; on disk the name is NFD: 404")
    yield Case("put-missing-parent", "PUT", f"{b}/docs/2023/q4/report.txt", "path", ["/docs/2023/q4/report.txt"],
               body=b"q4\n", notes="parent /docs/2023/q4/ does not exist: 409")
    yield Case("mkcol-missing-parent", "MKCOL", f"{b}/plans/alpha/", "path", ["/plans/alpha/"],
               notes="parent /plans/ does not exist: 409")
    yield Case("copy-missing-parent", "COPY", f"{b}/docs/plain.txt", "path", ["/backup/plain.txt"],
               headers=[("Destination", f"{b}/backup/plain.txt")], notes="Destination's parent /backup/ does not exist: 409")
    yield Case("put-collection-no-slash", "PUT", f"{b}/docs/sub", "path", ["/docs/sub"], kind="error-body",
               body=b"oops\n", notes="PUT to the URL of a collection: 405 'Cannot PUT to a collection'")
    yield Case("delete-missing", "DELETE", f"{b}/docs/tmp-upload.part", "path", ["/docs/tmp-upload.part"],
               notes="DELETE of a file that is not there: 404")

    # ------------------------------------------------------------------------------ permission
    yield Case("propfind-secret-noauth", "PROPFIND", f"{b}/secret/", "permission", ["/secret/"],
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="share /secret needs Basic auth; none sent: 401")
    yield Case("get-secret-bob", "GET", f"{b}/secret/note.txt", "permission", ["/secret/note.txt"], user=BOB,
               notes="bob is no user of the /secret share: 401 again, not 403")
    yield Case("propfind-private", "PROPFIND", f"{b}/private/", "permission", ["/private/"], user=ALICE,
               headers=[("Depth", "0"), XML_TYPE], body=LISTING,
               notes="share /private whose only user nobody knows; alice's credentials are refused: 401")
    yield Case("put-readonly", "PUT", f"{b}/ro/new.txt", "permission", ["/ro/new.txt"], kind="read-only",
               body=b"note\n", notes="the /ro share is readonly: true: 403")
    yield Case("delete-readonly", "DELETE", f"{b}/ro/readme.txt", "permission", ["/ro/readme.txt"], kind="read-only",
               prepare=lambda c: c.unlocked(f"{b}/ro/readme.txt"), notes="read-only share: DELETE refused, 403")
    yield Case("mkcol-readonly", "MKCOL", f"{b}/ro/archive/", "permission", ["/ro/archive/"], kind="read-only",
               notes="read-only share: MKCOL refused, 403")
    yield Case("move-readonly", "MOVE", f"{b}/ro/readme.txt", "permission", ["/ro/readme.txt"], kind="read-only",
               headers=[("Destination", f"{b}/ro/readme-old.txt")], prepare=lambda c: c.unlocked(f"{b}/ro/readme.txt"),
               notes="read-only share: MOVE inside it refused, 403")
    yield Case("propfind-readonly", "PROPFIND", f"{b}/ro/", "none", kind="read-only",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="reads on the read-only share work: 207")

    # ------------------------------------------------------------------------------------ lock
    yield Case("put-locked-no-token", "PUT", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], kind="error-body",
               body=b"overwrite\n", prepare=lambda c: c.lock(f"{b}/locks/held.txt"),
               notes="a lock is held; the PUT submits no token: 423 with no-conflicting-lock")
    yield Case("put-locked-wrong-token", "PUT", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("If", "(<opaquelocktoken:0x00000000000000000000000000000000000000000000000000000000deadbeef>)")],
               body=b"overwrite\n", prepare=lambda c: c.lock(f"{b}/locks/held.txt"),
               notes="If names a token that is not the lock's: WsgiDAV answers 412")
    yield Case("unlock-wrong-token", "UNLOCK", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("Lock-Token", "<opaquelocktoken:0x00000000000000000000000000000000000000000000000000000000deadbeef>")],
               prepare=lambda c: c.lock(f"{b}/locks/held.txt"), notes="UNLOCK with a token that is not the lock's: 409")
    bob_token = Case("put-team-bob-alice-token", "PUT", f"{b}/team/plan.txt", "lock", ["/team/plan.txt"], user=BOB,
                     body=b"bob's plan\n",
                     notes="alice holds the lock; bob sends alice's token (read from lockdiscovery): the lock is bound to alice, 412 'If' header condition failed")
    bob_token.prepare = lambda c: set_header(bob_token.headers, "If", f"(<{c.lock(f'{b}/team/plan.txt', ALICE)}>)")
    yield bob_token
    yield Case("lock-team-conflict", "LOCK", f"{b}/team/plan.txt", "lock", ["/team/plan.txt"], user=BOB,
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=lockinfo("mailto:bob@example.com"),
               prepare=lambda c: c.lock(f"{b}/team/plan.txt", ALICE),
               notes="bob asks for an exclusive lock that alice holds: 423")
    yield Case("delete-collection-locked-member", "DELETE", f"{b}/locks/sub/", "lock", ["/locks/sub/deep.txt"],
               prepare=lambda c: (c.put(f"{b}/locks/sub/deep.txt", b"nested under locks\n"), c.lock(f"{b}/locks/sub/deep.txt")),
               notes="DELETE of a collection whose member is locked, no token: 207 with 423 for the member")

    # ------------------------------------------------------------------------------------ cache
    stale_put = Case("put-stale-if-match", "PUT", f"{b}/team/budget.txt", "cache", ["/team/budget.txt"], user=ALICE,
                     kind="stale-state", body=b"alice's edit of the old version\n",
                     notes="If-Match with the ETag alice read before bob's PUT: 412")
    stale_put.prepare = lambda c: set_header(stale_put.headers, "If-Match", c.stale_etag(f"{b}/team/budget.txt", ALICE, BOB))
    yield stale_put
    stale_delete = Case("delete-stale-if-match", "DELETE", f"{b}/docs/agenda.txt", "cache", ["/docs/agenda.txt"],
                        kind="stale-state", notes="DELETE If-Match with an ETag from before another PUT: 412")
    stale_delete.prepare = lambda c: set_header(stale_delete.headers, "If-Match", c.stale_etag(f"{b}/docs/agenda.txt"))
    yield stale_delete
    stale_if = Case("proppatch-stale-if-etag", "PROPPATCH", f"{b}/docs/report.txt", "cache", ["/docs/report.txt"],
                    kind="stale-state", headers=[XML_TYPE], body=proppatch({f"{{{NS}}}status": "final"}),
                    notes="PROPPATCH with If: ([etag]) from before another PUT: 412")
    stale_if.prepare = lambda c: set_header(stale_if.headers, "If", f"([{c.stale_etag(f'{b}/docs/report.txt')}])")
    yield stale_if
    yield Case("put-if-none-match-exists", "PUT", f"{b}/docs/new-upload.txt", "cache", ["/docs/new-upload.txt"],
               kind="stale-state", headers=[("If-None-Match", "*")], body=b"create only if absent\n",
               prepare=lambda c: c.put(f"{b}/docs/new-upload.txt", b"someone else was first\n"),
               notes="If-None-Match: * (create only) but another client created the file since the last listing: 412")

    # ---------------------------------------------------------------------------------- storage
    yield Case("put-quota", "PUT", f"{b}/quota/scan.pdf", "storage", ["/quota/scan.pdf"], kind="error-body",
               body=os.urandom(64 * 1024),
               notes="64 KiB into a 256 KiB tmpfs with 16 KiB free: 500 with OSError(28, 'No space left on device') in the body")
    yield Case("copy-into-quota", "COPY", f"{b}/docs/photo.jpg", "storage", ["/quota/photo.jpg"], kind="error-body",
               headers=[("Destination", f"{b}/quota/photo.jpg")],
               notes="COPY of a 48 KiB file into the tmpfs with 16 KiB free: 500, OSError 28")
    yield Case("mkcol-no-inodes", "MKCOL", f"{b}/inodes/album/", "storage", ["/inodes/album/"], kind="error-body",
               notes="a tmpfs with nr_inodes=8, all used: 500, OSError 28")

    # ---------------------------------------------------------------------------- server-config
    yield Case("get-collection-no-browser", "GET", f"{b}/docs/", "server-config", ["/docs/"], kind="error-body",
               notes="dir_browser.enable: false: 403 'Directory browsing is not enabled'")
    yield Case("copy-inter-share", "COPY", f"{b}/docs/plain.txt", "server-config", ["/ro/plain.txt"], kind="error-body",
               headers=[("Destination", f"{b}/ro/plain.txt")],
               notes="Destination in another share (/ro): 502 'Inter-realm copy/move is not supported'")
    yield Case("lock-no-lock-storage", "LOCK", f"{bare}/docs/plain.txt", "server-config", ["/docs/plain.txt"],
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               notes="second instance, lock_storage: null (DAV: 1 only): LOCK answers 405")
    yield Case("unlock-no-lock-storage", "UNLOCK", f"{bare}/docs/plain.txt", "server-config", ["/docs/plain.txt"],
               headers=[("Lock-Token", "<opaquelocktoken:0x0000000000000000000000000000000000000000000000000000000000001234>")],
               notes="lock_storage: null: UNLOCK of a token from an earlier session answers 405")
    yield Case("proppatch-no-property-manager", "PROPPATCH", f"{bare}/docs/a%20b.txt", "server-config",
               ["/docs/a b.txt"], headers=[XML_TYPE], body=proppatch({f"{{{NS}}}color": "blue"}),
               notes="property_manager: null: a dead property cannot be stored, 207 with 403 and 'Access denied'")


SETUP = Setup(
    name="wsgidav",
    describe="scripts/peers/start-wsgidav.sh, PROFILE=faulty (share / anonymous with in-memory locks and properties, "
             "dir browser off; /secret Basic auth for alice; /private a user nobody knows; /ro readonly; /quota/ an "
             "almost full 256 KiB tmpfs) plus EXTRA_SHARES/EXTRA_USERS: /team for alice and bob; /inodes/ a tmpfs with "
             "every inode used; /ctl/ and /latin1/ hold names with control characters and ISO-8859-1 bytes written on "
             f"disk, /photos/ a macOS 'Icon\\r' file, /projects/2025/exports/ a name with U+0007. A second instance (PROFILE=clean, EXTRA_YAML): lock_storage null, property_manager null, dir "
             f"browser on, {BIG} files in /big/.",
    start=start, cases=cases,
    versions=lambda: [f"WsgiDAV {pip_version('wsgidav')} on cheroot {pip_version('cheroot')}"],
)
