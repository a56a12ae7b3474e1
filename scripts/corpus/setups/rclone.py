"""rclone serve webdav over a local directory: the faulty profile (Basic auth for alice and bob, an almost full
tmpfs) with rclone's own directory cache, a --read-only instance and one with --disable-dir-list and
--vfs-case-insensitive."""
import os
import subprocess
import time

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, PROPNAME, XML_TYPE, Case, Setup, lockinfo, named_props, proppatch,
                    set_header, write_names)

NS = "urn:x-davdoctor:"
LISTING = named_props("resourcetype", "displayname", "getetag", "getlastmodified", "getcontentlength")


# ---------------------------------------------------- rclone's own: lock tokens remembered, lock timeouts

TOKENS: dict[str, str] = {}  # url -> the token of the lock prepare took there


def lock(ctx, url, user=ALICE):
    """Makes sure URL is locked and returns the token. rclone keeps no lockdiscovery (404 for it), so a
    lock taken earlier can only be named by the token remembered when it was taken."""
    status, headers, _ = ctx.curl("LOCK", url, [XML_TYPE, ("Timeout", "Second-3600")], LOCKINFO, user)
    token = headers.get("lock-token", "").strip().strip("<>")
    if status in (200, 201) and token:
        TOKENS[url] = token
    return TOKENS.get(url)


def after(key, seconds):
    """Waits until SECONDS after the previous call with KEY (a lock taken by the capture has run out)."""
    last = AFTER.get(key)
    if last is not None:
        time.sleep(max(0.0, last + seconds - time.time()))
    AFTER[key] = time.time()


AFTER: dict[str, float] = {}


# ------------------------------------------------------------------------------------------- the setup

def start(ctx):
    rc = f"127.0.0.1:{ctx.port(3)}"
    # --rc only so that prepare can make rclone forget a directory (vfs/forget) and build the same stale
    # cache again before the replay; the cases never talk to it.
    main = ctx.peer("start-rclone.sh", ctx.port(0), env={
        "PROFILE": "faulty", "EXTRA_ARGS": f"--rc --rc-addr {rc} --rc-no-auth"})
    root = os.path.join(ctx.workdir, "rclone", "root")
    write_names(f"{root}/ctl", [b"bell\x01.txt", b"esc\x1b[0m.txt", b"plain.txt"])
    write_names(f"{root}/latin1", [b"caf\xe9.txt", b"na\xefve.txt"])
    write_names(f"{root}/reports", [b"q1.txt"])
    with open(f"{root}/docs/photo.jpg", "wb") as f:
        f.write(os.urandom(48 * 1024))
    ctx.full_tmpfs(f"{root}/inodes", "1m", inodes=8)
    ro = ctx.peer("start-rclone.sh", ctx.port(1), env={"PROFILE": "clean", "NAME": "rclone-ro", "READ_ONLY": "1"})
    cfg = ctx.peer("start-rclone.sh", ctx.port(2), env={
        "PROFILE": "clean", "NAME": "rclone-cfg", "EXTRA_ARGS": "--disable-dir-list --vfs-case-insensitive"})
    return {"main": main, "ro": ro, "cfg": cfg, "root": root, "rc": f"http://{rc}"}


def cases(ctx, urls):
    b, ro, cfg, root, rc = urls["main"], urls["ro"], urls["cfg"], urls["root"], urls["rc"]
    A = ALICE

    def forget(c, folder):
        subprocess.run(["curl", "-s", "-X", "POST", f"{rc}/vfs/forget?dir={folder}"], capture_output=True, timeout=20)

    def stale(c, folder, old, new):
        """rclone lists FOLDER with the files in OLD, then they change on disk to NEW behind its back."""
        forget(c, folder)
        path = os.path.join(root, folder)
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            os.remove(os.path.join(path, name))
        for name, data in old.items():
            with open(os.path.join(path, name), "wb") as f:
                f.write(data)
        c.curl("PROPFIND", f"{b}/{folder}/", [("Depth", "1"), XML_TYPE], LISTING, A)
        for name, data in new.items():
            with open(os.path.join(path, name), "wb") as f:
                f.write(data)

    # ---------------------------------------------------------------- healthy: every method that succeeds
    yield Case("options-docs", "OPTIONS", f"{b}/docs/", "none", kind="healthy", user=A,
               notes="OPTIONS with credentials: Dav: 1, 2; Allow on a collection lacks PUT and MKCOL")
    yield Case("propfind-docs-depth1-allprop", "PROPFIND", f"{b}/docs/", "none", kind="healthy", user=A,
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="allprop listing of a collection")
    yield Case("propfind-file-depth0-named", "PROPFIND", f"{b}/docs/smile%20%F0%9F%98%80.txt", "none", kind="healthy",
               user=A, headers=[("Depth", "0"), XML_TYPE], body=LISTING, notes="named props on a file with an emoji")
    yield Case("propfind-reports-propname", "PROPFIND", f"{b}/reports/", "none", kind="propname", user=A,
               headers=[("Depth", "1"), XML_TYPE], body=PROPNAME, notes="propname: empty elements naming each property")
    yield Case("propfind-docs-depth-infinity", "PROPFIND", f"{b}/docs/", "none", kind="healthy", user=BOB,
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getcontentlength"),
               notes="rclone allows Depth: infinity: a recursive listing")
    yield Case("get-file", "GET", f"{b}/docs/amp%26plus%2B.txt", "none", kind="healthy", user=A,
               notes="GET of a file with & and + in its name")
    yield Case("head-file", "HEAD", f"{b}/docs/a%20b.txt", "none", kind="healthy", user=A, curl_args=["-I"],
               notes="HEAD of a file with a space in its name")
    yield Case("put-new", "PUT", f"{b}/docs/budget%202025.ods", "none", kind="healthy", user=A, body=os.urandom(3000),
               prepare=lambda c: c.delete(f"{b}/docs/budget%202025.ods", A), notes="PUT creates a file: 201")
    yield Case("put-overwrite", "PUT", f"{b}/docs/draft.txt", "none", kind="deviation", user=BOB, body=b"second draft\n",
               prepare=lambda c: c.put(f"{b}/docs/draft.txt", b"first draft\n", A),
               notes="PUT replaces an existing file; rclone answers 201 (not 204) for an overwrite")
    yield Case("mkcol-new", "MKCOL", f"{b}/docs/photos/", "none", kind="healthy", user=A,
               prepare=lambda c: c.delete(f"{b}/docs/photos/", A), notes="MKCOL of a new collection: 201")
    yield Case("mkcol-existing", "MKCOL", f"{b}/docs/sub/", "none", kind="deviation", user=A,
               notes="MKCOL of a collection that exists: rclone answers 201 where RFC 4918 says 405")
    yield Case("delete-file", "DELETE", f"{b}/docs/obsolete.txt", "none", kind="healthy", user=A,
               prepare=lambda c: c.put(f"{b}/docs/obsolete.txt", b"old\n", A), notes="DELETE of an existing file: 204")
    yield Case("copy-file", "COPY", f"{b}/docs/plain.txt", "none", kind="healthy", user=A,
               headers=[("Destination", f"{b}/docs/sub/plain%20copy.txt")],
               prepare=lambda c: c.delete(f"{b}/docs/sub/plain%20copy.txt", A), notes="COPY into a sub-collection: 201")
    yield Case("move-collection", "MOVE", f"{b}/docs/inbox/", "none", kind="healthy", user=A,
               headers=[("Destination", f"{b}/docs/sub/archived-inbox/")],
               prepare=lambda c: (c.delete(f"{b}/docs/sub/archived-inbox/", A), c.mkcol(f"{b}/docs/inbox/", A),
                                  c.put(f"{b}/docs/inbox/m1.txt", b"mail\n", A)),
               notes="MOVE of a collection with a member: 201")
    yield Case("lock-free", "LOCK", f"{b}/locks/free.txt", "none", kind="healthy", user=A,
               headers=[XML_TYPE, ("Timeout", "Second-2")], body=LOCKINFO,
               prepare=lambda c: after("lock-free", 2.5),
               notes="a short exclusive write lock (Timeout: Second-2, so that it has run out before the replay): "
                     "200, the token is not a URI")
    unlock = Case("unlock-own", "UNLOCK", f"{b}/locks/sub/deep.txt", "none", kind="healthy", user=A,
                  notes="UNLOCK with the token the LOCK returned: 204")
    unlock.prepare = lambda c: set_header(unlock.headers, "Lock-Token", f"<{lock(c, f'{b}/locks/sub/deep.txt', A)}>")
    yield unlock
    put_token = Case("put-locked-own-token", "PUT", f"{b}/locks/mine.txt", "none", kind="healthy", user=A,
                     body=b"edited under my lock\n", notes="PUT to the file alice locked, her token in If: 201")
    put_token.prepare = lambda c: set_header(put_token.headers, "If", f"(<{lock(c, f'{b}/locks/mine.txt', A)}>)")
    yield put_token
    bob_token = Case("put-bob-with-alice-token", "PUT", f"{b}/locks/shared.txt", "none", kind="deviation", user=BOB,
                     body=b"bob's version\n",
                     notes="alice locked the file; bob sends her token and rclone accepts it: its locks are not bound to a user")
    bob_token.prepare = lambda c: set_header(bob_token.headers, "If", f"(<{lock(c, f'{b}/locks/shared.txt', A)}>)")
    yield bob_token
    if_match = Case("put-stale-if-match-ignored", "PUT", f"{b}/docs/agenda.txt", "none", kind="deviation", user=A,
                    body=b"alice's edit of the old version\n",
                    notes="If-Match with an ETag from before bob's PUT: rclone ignores If-Match and overwrites (201)")
    if_match.prepare = lambda c: set_header(if_match.headers, "If-Match", c.stale_etag(f"{b}/docs/agenda.txt", A, BOB))
    yield if_match
    yield Case("propfind-control-chars", "PROPFIND", f"{b}/ctl/", "none", kind="deviation", user=A,
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="files named with U+0001 and ESC on disk: rclone's encoding shows them as U+2401 and U+241B")
    yield Case("propfind-latin1-names", "PROPFIND", f"{b}/latin1/", "payload", ['/latin1/caf%E9.txt', '/latin1/na%EFve.txt'], kind="deviation", user=A,
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="ISO-8859-1 bytes on disk: href %E9, displayname U+FFFD; the XML is well-formed UTF-8; the hrefs decode to bytes that are not UTF-8")
    yield Case("propfind-case-insensitive", "PROPFIND", f"{cfg}/Docs/sub/", "none", kind="deviation",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="--vfs-case-insensitive: /Docs/sub/ finds /docs/sub/ and the hrefs keep the request's spelling")

    # ---------------------------------------------------------------------------------- client
    yield Case("propfind-unicode-twins", "PROPFIND", f"{b}/unicode/", "client",
               ["/unicode/Caf\u00e9.txt", "/unicode/Cafe\u0301.txt"], user=A,
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               notes="Café.txt twice, NFC and NFD bytes: macOS clients merge the two")
    yield Case("propfind-percent-names", "PROPFIND", f"{ro}/pct/", "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="read-only instance; names with a literal % on disk: the Windows Mini-Redirector fails on them")
    yield Case("options-noauth", "OPTIONS", f"{b}/", "none", kind="healthy",
               notes="--htpasswd, no credentials: rclone answers OPTIONS anyway (200), as Office and Windows need")

    # ------------------------------------------------------------------------------------ path
    yield Case("get-missing", "GET", f"{b}/docs/holiday.jpg", "path", ["/docs/holiday.jpg"], user=A,
               notes="GET of a file that does not exist: 404")
    yield Case("propfind-case", "PROPFIND", f"{b}/DOCS/", "path", ["/DOCS/"], user=A,
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="the collection is /docs/ (no --vfs-case-insensitive): 404")
    yield Case("get-nfc-for-nfd", "GET", f"{b}/unicode/R%C3%A9sum%C3%A9.txt", "path", ["/unicode/R\u00e9sum\u00e9.txt"],
               user=A, notes="the request spells Résumé in NFC; on disk the name is NFD: 404")
    yield Case("put-missing-parent", "PUT", f"{b}/clients/acme/offer.txt", "path", ["/clients/acme/offer.txt"],
               user=A, kind="status-habit", body=b"offer\n",
               notes="parent /clients/acme/ does not exist: rclone answers 404, not 409")
    yield Case("mkcol-missing-parent", "MKCOL", f"{b}/clients/acme/", "path", ["/clients/acme/"], user=A,
               notes="parent /clients/ does not exist: 409")
    yield Case("move-missing-parent", "MOVE", f"{b}/docs/hash%23tag.txt", "path", ["/old/hash#tag.txt"], user=A,
               kind="status-habit", headers=[("Destination", f"{b}/old/hash%23tag.txt")],
               notes="Destination's parent /old/ does not exist: rclone answers 403, not 409")
    yield Case("propfind-file-trailing-slash", "PROPFIND", f"{b}/docs/plain.txt/", "none", kind="deviation",
               user=A, headers=[("Depth", "0"), XML_TYPE], body=LISTING,
               notes="a file asked for with a trailing slash: 207, the href names it without the slash")
    yield Case("get-file-trailing-slash", "GET", f"{b}/docs/a%20b.txt/", "path", ["/docs/a b.txt/"], user=A,
               notes="GET of a file with a trailing slash: 404")
    yield Case("delete-missing", "DELETE", f"{b}/docs/never-there.tmp", "path", ["/docs/never-there.tmp"], user=A,
               notes="DELETE of a file that is not there: 404")

    # ------------------------------------------------------------------------------ permission
    yield Case("propfind-noauth", "PROPFIND", f"{b}/docs/", "permission", ["/docs/"],
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="--htpasswd; no credentials: 401")
    yield Case("get-wrong-password", "GET", f"{b}/docs/plain.txt", "permission", ["/docs/plain.txt"],
               user="bob:not-bobs-pw", notes="bob with a wrong password: 401")
    yield Case("put-readonly", "PUT", f"{ro}/docs/new.txt", "permission", ["/docs/new.txt"], kind="read-only",
               body=b"note\n", notes="--read-only: PUT of a new file answers a bare 404")
    yield Case("delete-readonly", "DELETE", f"{ro}/docs/plain.txt", "permission", ["/docs/plain.txt"],
               kind="read-only", notes="--read-only: DELETE answers 405")
    yield Case("mkcol-readonly", "MKCOL", f"{ro}/docs/new/", "permission", ["/docs/new/"], kind="read-only",
               notes="--read-only: MKCOL answers 405")
    yield Case("copy-readonly", "COPY", f"{ro}/docs/plain.txt", "permission", ["/docs/plain-copy.txt"],
               kind="read-only", headers=[("Destination", f"{ro}/docs/plain-copy.txt")],
               notes="--read-only: COPY answers 403")
    yield Case("proppatch-readonly", "PROPPATCH", f"{ro}/docs/a%20b.txt", "permission", ["/docs/a b.txt"],
               kind="status-habit", headers=[XML_TYPE], body=proppatch({f"{{{NS}}}color": "blue"}),
               notes="--read-only: PROPPATCH answers a bare 500")
    yield Case("lock-readonly-new", "LOCK", f"{ro}/docs/lockfile.odt", "permission", ["/docs/lockfile.odt"],
               kind="status-habit", headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               notes="--read-only: LOCK of an unmapped URL (it would create the file) answers a bare 500")
    yield Case("propfind-readonly", "PROPFIND", f"{ro}/docs/", "none", kind="read-only",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING, notes="reads on the --read-only instance work: 207")

    # ------------------------------------------------------------------------------------ lock
    yield Case("put-locked-no-token", "PUT", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], user=BOB,
               body=b"overwrite\n", prepare=lambda c: lock(c, f"{b}/locks/held.txt", A),
               notes="alice holds a lock; bob's PUT submits no token: 423")
    yield Case("put-locked-wrong-token", "PUT", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], user=A,
               headers=[("If", "(<opaquelocktoken:3f1c2a9e-0b7d-4c55-9e61-000000000001>)")], body=b"overwrite\n",
               prepare=lambda c: lock(c, f"{b}/locks/held.txt", A), notes="If names a token that is not the lock's: 412")
    yield Case("unlock-wrong-token", "UNLOCK", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], user=A,
               headers=[("Lock-Token", "<1234567890>")], prepare=lambda c: lock(c, f"{b}/locks/held.txt", A),
               notes="UNLOCK with a token that is not the lock's: 409")
    yield Case("lock-conflict", "LOCK", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], user=BOB,
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=lockinfo("mailto:bob@example.com"),
               prepare=lambda c: lock(c, f"{b}/locks/held.txt", A), notes="bob asks for the exclusive lock alice holds: 423")
    yield Case("delete-locked", "DELETE", f"{b}/locks/held.txt", "lock", ["/locks/held.txt"], user=BOB,
               prepare=lambda c: lock(c, f"{b}/locks/held.txt", A), notes="DELETE of alice's locked file by bob, no token: 423")

    # ------------------------------------------------------------------------------------ cache
    stale_if = Case("put-stale-if-etag", "PUT", f"{b}/docs/minutes.txt", "cache", ["/docs/minutes.txt"], user=A,
                    kind="stale-state", body=b"alice's edit\n",
                    notes="If: ([etag]) with the ETag from before bob's PUT: 412 (rclone honours an ETag in If, not If-Match)")
    stale_if.prepare = lambda c: set_header(stale_if.headers, "If", f"([{c.stale_etag(f'{b}/docs/minutes.txt', A, BOB)}])")
    yield stale_if
    yield Case("propfind-stale-dir-cache", "PROPFIND", f"{b}/inbox-sync/", "cache",
               ["/inbox-sync/", "/inbox-sync/status.txt"], user=A, kind="stale-state",
               headers=[("Depth", "1"), XML_TYPE], body=LISTING,
               prepare=lambda c: stale(c, "inbox-sync", {"status.txt": b"idle\n"},
                                       {"status.txt": b"busy since 09:12, three jobs queued\n", "job-17.txt": b"job\n"}),
               notes="rclone listed /inbox-sync/ (--dir-cache-time 5m0s); then status.txt grew and job-17.txt appeared on "
                     "disk: the listing still shows the old size and no job-17.txt")
    yield Case("get-stale-dir-cache-new-file", "GET", f"{b}/drop/scan-0001.pdf", "cache", ["/drop/scan-0001.pdf"],
               user=A, kind="stale-state",
               prepare=lambda c: stale(c, "drop", {"readme.txt": b"scans land here\n"},
                                       {"scan-0001.pdf": b"%PDF-1.4 a scan\n"}),
               notes="scan-0001.pdf was written on disk after rclone cached /drop/: 404 for a file that exists")
    yield Case("get-stale-dir-cache-size", "GET", f"{b}/logs/app.log", "cache", ["/logs/app.log"], user=A,
               kind="stale-state",
               prepare=lambda c: stale(c, "logs", {"app.log": b"start\n"},
                                       {"app.log": b"rotated 09:12\nrequest 1 ok\nrequest 2 failed\n"}),
               notes="app.log was rewritten, longer, after rclone cached it: 200 with the cached Content-Length 6 and the first 6 bytes of the new text")

    # ---------------------------------------------------------------------------------- storage
    yield Case("put-quota", "PUT", f"{b}/quota/backup.tar", "storage", ["/quota/backup.tar"], user=A,
               kind="status-habit", body=os.urandom(64 * 1024),
               notes="64 KiB into a 256 KiB tmpfs with 16 KiB free: rclone answers 405; its log says preallocate: file too big")
    yield Case("copy-into-quota", "COPY", f"{b}/docs/photo.jpg", "storage", ["/quota/photo.jpg"], user=A,
               kind="status-habit", headers=[("Destination", f"{b}/quota/photo.jpg")],
               notes="COPY of a 48 KiB file into the tmpfs with 16 KiB free: a bare 500")
    yield Case("mkcol-no-inodes", "MKCOL", f"{b}/inodes/album/", "storage", ["/inodes/album/"], user=A,
               kind="status-habit", notes="a tmpfs with nr_inodes=8, all used: mkdir ENOSPC, rclone answers a bare 405")
    yield Case("put-no-inodes", "PUT", f"{b}/inodes/note.txt", "storage", ["/inodes/note.txt"], user=A,
               kind="status-habit", body=b"tiny\n", notes="no inode left on the tmpfs: rclone answers a bare 405")

    # ---------------------------------------------------------------------------- server-config
    yield Case("proppatch-dead-unsupported", "PROPPATCH", f"{b}/docs/a%20b.txt", "server-config", ["/docs/a b.txt"],
               user=A, headers=[XML_TYPE], body=proppatch({f"{{{NS}}}color": "blue"}),
               notes="rclone stores no dead properties: 207 with 403 for the property")
    yield Case("get-dir-list-disabled", "GET", f"{cfg}/docs/", "server-config", ["/docs/"], kind="status-habit",
               notes="--disable-dir-list: GET of a collection answers 405")
    yield Case("propfind-header-too-large", "PROPFIND", f"{b}/docs/", "server-config", ["/docs/"], user=A,
               headers=[("Depth", "1"), XML_TYPE, ("Cookie", "sso_session=" + "Zm9v" * 2400)], body=LISTING,
               notes="a 9.6 KB SSO cookie: over --max-header-bytes 4096 (+ Go's 4 KiB slack), 431")


SETUP = Setup(
    name="rclone",
    describe="scripts/peers/start-rclone.sh, PROFILE=faulty (--htpasswd with alice and bob, /quota/ an almost full "
             "256 KiB tmpfs, default --dir-cache-time 5m0s; --rc on a second port only for vfs/forget in prepare), "
             "/inodes/ a tmpfs with every inode used, /ctl/ and /latin1/ names with control characters and "
             "ISO-8859-1 bytes on disk; a READ_ONLY=1 instance (no auth); an instance with --disable-dir-list "
             "--vfs-case-insensitive (no auth).",
    start=start, cases=cases,
    versions=lambda: [subprocess.run(["rclone", "version"], capture_output=True, text=True).stdout.splitlines()[0]],
)
