"""SabreDAV 1.8 (Debian php-sabre-dav) under php -S, configured as scripts/peers/start-sabredav.sh's faulty profile."""
import glob
import os
import subprocess
from urllib.parse import quote

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, PROPNAME, XML_TYPE, Case, Setup, lockinfo, named_props,
                    package_version, proppatch)

FIXED_TOKEN = "opaquelocktoken:5eb0c0de-d0c7-4d0c-a5e0-000000000001"

# Edits Sabre's own lock database (Locks\Backend\File: a serialize()d array of LockInfo) the way an admin
# clears a stale lock: "clear" drops every lock on URI; "retoken" gives the lock on URI the token TOKEN.
LOCKDB_PHP = r'''
require "/usr/share/php/Sabre/autoload.php";
list(, $file, $mode, $uri, $token) = $argv;
$locks = file_exists($file) ? unserialize(file_get_contents($file)) : array();
if (!$locks) $locks = array();
$out = array();
foreach ($locks as $lock) {
    if ($lock->uri === $uri) {
        if ($mode === "clear") continue;
        $lock->token = $token;
    }
    $out[] = $lock;
}
file_put_contents($file, serialize($out));
'''


def lockdb(ctx, mode: str, uri: str, token: str = "", instance: str = "sabredav") -> None:
    path = os.path.join(ctx.workdir, instance, "data", "locksdb")
    # Sabre keeps the token without its "opaquelocktoken:" scheme.
    token = token.removeprefix("opaquelocktoken:")
    subprocess.run(["php", "-r", LOCKDB_PHP, "--", path, mode, uri.strip("/"), token], check=True, capture_output=True)


def development_ini() -> str:
    """PHP's own php.ini-development (display_errors On, error_reporting E_ALL, html_errors On)."""
    found = sorted(glob.glob("/usr/lib/php/*/php.ini-development"))
    if not found:
        raise RuntimeError("php.ini-development not found under /usr/lib/php/")
    return found[-1]


def start(ctx):
    base = ctx.peer("start-sabredav.sh", ctx.port(0), env={"PROFILE": "faulty"})
    # The same server on a second port, started by an admin who copied php.ini-development as php.ini
    # while debugging: display_errors On, so PHP's deprecation notices go into the answers.
    ctx.peer("start-sabredav.sh", ctx.port(1), env={"PROFILE": "clean", "NAME": "sabredav-dev",
                                                     "PHP_INI": development_ini()})
    return base


def cases(ctx, base):
    depth0, depth1 = [("Depth", "0"), XML_TYPE], [("Depth", "1"), XML_TYPE]

    def exists(path, data=b"content\n"):
        return lambda c: c.put(f"{base}{quote(path)}", data)

    def absent(*paths):
        def prepare(c):
            for p in paths:
                lockdb(c, "clear", p)
                c.delete(f"{base}{quote(p)}")
        return prepare

    def locked(path, token=None):
        """The file exists and holds a real Sabre lock (alice's); with token, that lock's token is TOKEN."""
        def prepare(c):
            lockdb(c, "clear", path)
            c.lock(f"{base}{quote(path)}")
            if token:
                lockdb(c, "retoken", path, token)
        return prepare

    # ---- healthy
    yield Case("propfind-docs-depth1-allprop", "PROPFIND", f"{base}/docs/", "none", kind="healthy", headers=depth1,
               body=ALLPROP, notes="allprop listing of /docs/ (names with space, #, &, +, an accent, an emoji)")
    yield Case("propfind-file-depth0-named", "PROPFIND", f"{base}/docs/a%20b.txt", "none", kind="healthy",
               headers=depth0, body=named_props("getetag", "getcontentlength", "getlastmodified", "resourcetype"),
               notes="named properties of one file")
    yield Case("propfind-propname", "PROPFIND", f"{base}/docs/sub/", "none", kind="propname", headers=depth1,
               body=PROPNAME, notes="propname: SabreDAV 1.8 answers with the values (as allprop), an RFC quirk")
    yield Case("propfind-no-body", "PROPFIND", f"{base}/locks/sub/", "none", kind="healthy", headers=[("Depth", "1")],
               notes="PROPFIND without a body (allprop)")
    yield Case("propfind-depth-infinity-leaf", "PROPFIND", f"{base}/docs/sub/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="Depth infinity on a collection without sub-collections: Sabre's depth-1 answer is the whole tree")
    yield Case("options-root", "OPTIONS", f"{base}/", "none", kind="healthy",
               notes="OPTIONS: DAV 1, 3, extended-mkcol, 2; Allow lists LOCK/UNLOCK")
    yield Case("get-file", "GET", f"{base}/docs/plain.txt", "none", kind="healthy", prepare=exists("/docs/plain.txt", b"plain text\n"),
               notes="GET a file")
    yield Case("head-file", "HEAD", f"{base}/docs/hash%23tag.txt", "none", kind="healthy", curl_args=["-I"],
               notes="HEAD a file with '#' in its name")
    yield Case("get-collection-html", "GET", f"{base}/docs/", "none", kind="healthy",
               notes="GET on a collection: the Browser plugin's HTML index")
    _, h, _ = ctx.curl("PUT", f"{base}/docs/report.txt", body=b"report v1\n")
    yield Case("get-if-none-match-current", "GET", f"{base}/docs/report.txt", "none", kind="healthy",
               headers=[("If-None-Match", h.get("etag", '"x"'))], prepare=exists("/docs/report.txt", b"report v1\n"),
               notes="a conditional GET with the current ETag: 304 Not Modified")
    yield Case("put-new-file", "PUT", f"{base}/docs/new%20notes.txt", "none", kind="healthy", body=b"new notes\n",
               prepare=absent("/docs/new notes.txt"), notes="PUT a new file: 201")
    yield Case("put-if-match-current", "PUT", f"{base}/docs/report.txt", "none", kind="healthy",
               headers=[("If-Match", h.get("etag", '"x"'))], body=b"report v2\n",
               prepare=exists("/docs/report.txt", b"report v1\n"), notes="PUT with the current ETag: 204")
    yield Case("mkcol-new", "MKCOL", f"{base}/docs/2026/", "none", kind="healthy", prepare=absent("/docs/2026/"),
               notes="MKCOL a new collection: 201")
    yield Case("delete-file", "DELETE", f"{base}/docs/old.txt", "none", kind="healthy", prepare=exists("/docs/old.txt"),
               notes="DELETE a file: 204")
    yield Case("delete-collection", "DELETE", f"{base}/empty/trash/", "none", kind="healthy",
               prepare=lambda c: (c.mkcol(f"{base}/empty/trash/"), c.put(f"{base}/empty/trash/x.txt")),
               notes="DELETE a collection with one member: 204")
    yield Case("copy-file", "COPY", f"{base}/docs/plain.txt", "none", kind="healthy",
               headers=[("Destination", f"{base}/docs/sub/plain-copy.txt")], prepare=absent("/docs/sub/plain-copy.txt"),
               notes="COPY a file into a sub-collection: 201")
    yield Case("copy-collection", "COPY", f"{base}/docs/sub/", "none", kind="healthy",
               headers=[("Destination", f"{base}/empty/sub-copy/"), ("Depth", "infinity")],
               prepare=absent("/empty/sub-copy/"), notes="COPY a collection, Depth infinity: 201")
    yield Case("move-file-overwrite", "MOVE", f"{base}/docs/draft.txt", "none", kind="healthy",
               headers=[("Destination", f"{base}/docs/final.txt"), ("Overwrite", "T")],
               prepare=lambda c: (c.put(f"{base}/docs/draft.txt", b"draft\n"), c.put(f"{base}/docs/final.txt", b"old final\n")),
               notes="MOVE onto an existing file with Overwrite: T: 204")
    yield Case("proppatch-dead-property", "PROPPATCH", f"{base}/docs/plain.txt", "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch({"{urn:schemas-microsoft-com:}Win32LastModifiedTime": "Mon, 07 Dec 2026 09:00:00 GMT"}),
               notes="Windows' Win32LastModifiedTime stored as a dead property (FSExt .sabredav file): 207 200")
    yield Case("lock-free-file", "LOCK", f"{base}/locks/free.txt", "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: (lockdb(c, "clear", "/locks/free.txt"), c.put(f"{base}/locks/free.txt", b"free\n")),
               notes="LOCK a file nobody holds: 200 with Lock-Token")
    yield Case("unlock-own-lock", "UNLOCK", f"{base}/locks/sub/deep.txt", "none", kind="healthy",
               headers=[("Lock-Token", f"<{FIXED_TOKEN}>")], prepare=locked("/locks/sub/deep.txt", FIXED_TOKEN),
               notes="UNLOCK with the lock's own token: 204")
    yield Case("put-with-lock-token", "PUT", f"{base}/locks/mine.txt", "none", kind="healthy",
               headers=[("If", f"(<{FIXED_TOKEN}>)")], body=b"edited under my lock\n",
               prepare=lambda c: (c.put(f"{base}/locks/mine.txt", b"mine\n"), locked("/locks/mine.txt", FIXED_TOKEN)(c)),
               notes="PUT on a file the client locked, submitting its token in If: 204")
    yield Case("propfind-lockdiscovery", "PROPFIND", f"{base}/locks/held.txt", "none", kind="deviation",
               headers=depth0, body=named_props("lockdiscovery", "supportedlock"), prepare=locked("/locks/held.txt"),
               notes="lockdiscovery of a locked file: Sabre 1.8 leaves the locktoken out (a quirk)")
    yield Case("propfind-secret-alice", "PROPFIND", f"{base}/secret/alice/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=named_props("getetag", "resourcetype"), notes="alice lists her own /secret/alice/")
    yield Case("propfind-control-char-name", "PROPFIND", f"{base}/odd/bell%07.txt", "client", ["/odd/bell\x07.txt"],
               kind="deviation", headers=depth0, body=ALLPROP,
               notes="a file whose name holds U+0007: the href is percent-encoded (%07), the XML is fine; Windows "
                     "cannot create or open a name with a control character")

    # ---- path
    yield Case("propfind-missing", "PROPFIND", f"{base}/docs/missing/", "path", ["/docs/missing/"], headers=depth1,
               body=ALLPROP, kind="error-body", notes="no such collection: 404 'File could not be located'")
    yield Case("get-missing", "GET", f"{base}/docs/plain.TXT", "path", ["/docs/plain.TXT"],
               notes="wrong case of the extension: 404")
    yield Case("get-nfd-name", "GET", f"{base}/docs/Cafe%CC%81.txt", "path", ["/docs/Café.txt"],
               notes="only the NFC Café.txt exists in /docs/; the NFD spelling: 404")
    yield Case("put-missing-parent", "PUT", f"{base}/docs/2027/plan.txt", "path", ["/docs/2027/plan.txt"],
               body=b"plan\n", kind="status-habit",
               notes="PUT below a collection that does not exist: Sabre answers 404 where RFC 4918 names 409")
    yield Case("mkcol-missing-parent", "MKCOL", f"{base}/docs/a/b/", "path", ["/docs/a/b/"], kind="error-body",
               notes="MKCOL two levels deep: 409 'Parent node does not exist'")
    yield Case("move-missing-destination-parent", "MOVE", f"{base}/docs/sub/nested.txt", "path",
               ["/archive/nested.txt"], headers=[("Destination", f"{base}/archive/nested.txt")],
               notes="MOVE into a collection that does not exist: 409 'The destination node is not found'")
    yield Case("delete-missing", "DELETE", f"{base}/docs/gone.txt", "path", ["/docs/gone.txt"],
               notes="DELETE of a file that is not there: 404")
    yield Case("get-latin1-name", "GET", f"{base}/odd/caf%E9-latin1.txt", "path", ["/odd/caf%E9-latin1.txt"],
               notes="the file's name on disk has a Latin-1 byte; Sabre reads %E9 as ISO-8859-1 and converts it "
                     "to UTF-8, so the exact on-disk name cannot be reached: 404; not live: check refuses a URL whose %XX bytes are not UTF-8 (AsyncHTTPClient would send another path); analyze reads the curl capture", live=False)

    # ---- permission
    yield Case("propfind-no-credentials", "PROPFIND", f"{base}/secret/", "permission", ["/secret/"], headers=depth1,
               body=ALLPROP, kind="error-body", notes="/secret/ needs Basic auth: 401 'No basic authentication headers were found'")
    yield Case("get-wrong-password", "GET", f"{base}/secret/note.txt", "permission", ["/secret/note.txt"],
               user="alice:alice-password", kind="error-body", notes="a wrong password: 401 'Username or password does not match'")
    yield Case("propfind-other-users-folder", "PROPFIND", f"{base}/secret/alice/", "permission", ["/secret/alice/"],
               user=BOB, headers=depth1, body=ALLPROP, kind="error-body",
               notes="bob in alice's folder: 403 'Only alice may access /secret/alice/'")
    yield Case("put-readonly-mount", "PUT", f"{base}/ro/new.txt", "permission", ["/ro/new.txt"], body=b"new\n",
               kind="read-only",
               notes="/ro/ is a read-only bind mount; Sabre 1.8 ignores file_put_contents' failure and answers "
                     "201 with an empty ETag \"\" though nothing was written")
    yield Case("delete-readonly-mount", "DELETE", f"{base}/ro/readme.txt", "permission", ["/ro/readme.txt"],
               kind="read-only", notes="DELETE on the read-only mount: unlink fails (EROFS), Sabre still answers 204")
    yield Case("mkcol-readonly-mount", "MKCOL", f"{base}/ro/drafts/", "permission", ["/ro/drafts/"], kind="read-only",
               notes="MKCOL on the read-only mount: mkdir fails (EROFS), Sabre still answers 201")

    # ---- lock
    yield Case("put-locked-no-token", "PUT", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"], body=b"overwrite\n",
               prepare=locked("/locks/held.txt"), kind="error-body",
               notes="alice's lock; the PUT submits no token: 423 with lock-token-submitted")
    yield Case("lock-already-locked", "LOCK", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=lockinfo("mailto:bob@example.com"),
               prepare=locked("/locks/held.txt"), notes="bob tries to LOCK a file alice holds: 423 no-conflicting-lock")
    yield Case("delete-parent-of-locked", "DELETE", f"{base}/locks/", "lock", ["/locks/held.txt"],
               prepare=locked("/locks/held.txt"),
               notes="DELETE of /locks/ while /locks/held.txt is locked: 423 naming the locked member")
    yield Case("move-locked", "MOVE", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("Destination", f"{base}/locks/renamed.txt")], prepare=locked("/locks/held.txt"),
               notes="MOVE of a locked file without its token: 423")
    yield Case("put-wrong-lock-token", "PUT", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("If", "(<opaquelocktoken:11111111-2222-3333-4444-555555555555>)")], body=b"overwrite\n",
               prepare=locked("/locks/held.txt"),
               notes="the If header carries a token of an expired lock: 412 'The tokens provided in the if header did not match'")
    yield Case("unlock-wrong-token", "UNLOCK", f"{base}/locks/held.txt", "lock", ["/locks/held.txt"],
               headers=[("Lock-Token", "<opaquelocktoken:11111111-2222-3333-4444-555555555555>")],
               prepare=locked("/locks/held.txt"), notes="UNLOCK with a token that is not this file's lock: 409 lock-token-matches-request-uri")

    # ---- cache
    _, h1, _ = ctx.curl("PUT", f"{base}/docs/shared.txt", body=b"version 1\n")
    stale = h1.get("etag", '"x"')
    yield Case("put-stale-if-match", "PUT", f"{base}/docs/shared.txt", "cache", ["/docs/shared.txt"],
               headers=[("If-Match", stale)], body=b"my edit of version 1\n", kind="stale-state",
               prepare=exists("/docs/shared.txt", b"version 2 by bob\n"),
               notes="the ETag is from before bob's PUT: 412 'none of the specified the ETags matched'")
    yield Case("delete-stale-if-match", "DELETE", f"{base}/docs/shared.txt", "cache", ["/docs/shared.txt"],
               headers=[("If-Match", stale)], kind="stale-state", prepare=exists("/docs/shared.txt", b"version 2 by bob\n"),
               notes="DELETE with an ETag from before bob's PUT: 412")
    yield Case("put-if-none-match-existing", "PUT", f"{base}/docs/a%20b.txt", "cache", ["/docs/a b.txt"],
               headers=[("If-None-Match", "*")], body=b"mine\n", kind="stale-state",
               notes="create-only PUT of a file that exists already: 412")

    # ---- storage
    big = b"".join(b"line %06d of a report that does not fit on the full disk\n" % i for i in range(1700))
    yield Case("put-full-disk", "PUT", f"{base}/quota/report.txt", "storage", ["/quota/report.txt"], body=big,
               kind="full-disk", prepare=absent("/quota/report.txt"),
               notes="/quota/ is an almost full 256 KiB tmpfs; Sabre 1.8 ignores the short write (ENOSPC) and answers "
                     "201 with the ETag of the truncated file")
    def disk_full(c):
        """/quota/ has no byte left (report.txt gone, a filler takes the rest) and no .sabredav from an earlier
        attempt: the property file must be created, on a full disk, both times."""
        absent("/quota/report.txt")(c)
        quota = os.path.join(c.workdir, "sabredav", "root", "quota")
        if os.path.ismount(quota):
            if os.path.exists(os.path.join(quota, ".sabredav")):
                os.remove(os.path.join(quota, ".sabredav"))
            rest = os.statvfs(quota)
            try:
                with open(os.path.join(quota, "filler-rest.bin"), "ab") as f:
                    f.write(b"\0" * (rest.f_bavail * rest.f_frsize))
            except OSError:
                pass  # full already
    yield Case("proppatch-full-disk", "PROPPATCH", f"{base}/quota/filler.bin", "storage", ["/quota/filler.bin"],
               headers=[XML_TYPE], body=proppatch({"{http://example.com/ns}reviewed": "yes"}), kind="full-disk",
               prepare=disk_full,
               notes="the .sabredav property file cannot be written (ENOSPC); Sabre answers 207 200 all the same")

    # ---- server-config
    yield Case("propfind-depth-infinity-tree", "PROPFIND", f"{base}/docs/", "server-config", ["/docs/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getcontentlength"),
               notes="SabreDAV 1.8 has no Depth-infinity PROPFIND (no enablePropfindDepthInfinity switch): it silently "
                     "answers Depth 1, so /docs/sub/nested.txt is missing")
    yield Case("patch-not-enabled", "PATCH", f"{base}/docs/plain.txt", "server-config", ["/docs/plain.txt"],
               headers=[("X-Update-Range", "append"), ("Content-Type", "application/x-sabredav-partialupdate")],
               body=b"appended line\n", kind="error-body",
               notes="Sabre's PartialUpdate plugin is not loaded: 501 'no handler found for this \"PATCH\" method'")
    yield Case("report-sync-collection-unsupported", "REPORT", f"{base}/docs/", "server-config", ["/docs/"],
               headers=depth1, body=(b'<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection xmlns:D="DAV:">'
                                     b'<D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>'),
               kind="error-body", notes="no sync plugin on a plain file server: 403 DAV:supported-report")
    yield Case("mkcalendar-on-file-server", "MKCALENDAR", f"{base}/docs/calendar/", "server-config", ["/docs/calendar/"],
               kind="error-body", notes="a calendar client pointed at the file server: 501 no handler for MKCALENDAR")

    # ---- payload
    yield Case("propfind-latin1-name", "PROPFIND", f"{base}/odd/", "payload", ["/odd"], headers=depth1, body=ALLPROP,
               kind="broken-answer",
               notes="a file named with a Latin-1 byte (caf\\xe9-latin1.txt): Sabre's href for it comes out as '/odd', "
                     "the parent's path without its slash, on a response that describes a file")

    # ---- payload: php.ini-development (display_errors On) on the second instance
    dev = f"http://127.0.0.1:{ctx.port(1)}"
    yield Case("dev-propfind-allprop-depth1", "PROPFIND", f"{dev}/docs/", "payload", ["/docs/"], headers=depth1,
               body=ALLPROP, kind="broken-answer",
               notes="display_errors On: parsing the PROPFIND body calls libxml_disable_entity_loader(), deprecated in "
                     "PHP 8; two HTML 'Deprecated' notices precede <?xml ...?> in the 207, which is no longer well-formed")
    yield Case("dev-proppatch-dead-property", "PROPPATCH", f"{dev}/docs/plain.txt", "payload", ["/docs/plain.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}reviewed-by": "carol"}), kind="broken-answer",
               notes="display_errors On: the PROPPATCH 207 starts with PHP's HTML deprecation notices, not with XML")

    def dev_unlocked(c):
        c.put(f"{dev}/locks/free.txt", b"free\n")
        lockdb(c, "clear", "/locks/free.txt", instance="sabredav-dev")
    yield Case("dev-lock-body-notices", "LOCK", f"{dev}/locks/free.txt", "payload", ["/locks/free.txt"],
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO, prepare=dev_unlocked, kind="broken-answer",
               notes="display_errors On: LOCK succeeds (200, Lock-Token header) but the lockdiscovery body begins with "
                     "PHP's HTML deprecation notices: not well-formed XML")
    yield Case("dev-propfind-no-body", "PROPFIND", f"{dev}/docs/sub/", "none", headers=[("Depth", "1")], kind="healthy",
               notes="the same display_errors On instance: a PROPFIND without a body parses no XML, so no notice: a clean 207")

    # ---- client
    yield Case("options-secret-noauth", "OPTIONS", f"{base}/secret/", "client", ["/secret/"], kind="deviation",
               notes="the auth plugin guards every method on /secret/, OPTIONS included: 401 without credentials; "
                     "Office and the Windows Mini-Redirector send OPTIONS before they log in")
    yield Case("propfind-nfc-nfd-twins", "PROPFIND", f"{base}/unicode/", "client", ["/unicode/Café.txt"], headers=depth1,
               body=named_props("getetag", "getcontentlength"),
               notes="Café.txt exists twice (NFC and NFD bytes); macOS clients fold the two into one name")
    yield Case("propfind-literal-percent-names", "PROPFIND", f"{base}/pct/", "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               headers=depth1, body=ALLPROP,
               notes="names with a literal '%' (100%.txt, 50%25 off.txt): Windows' WebDAV redirector mangles them")


SETUP = Setup(
    name="sabredav",
    describe="scripts/peers/start-sabredav.sh, PROFILE=faulty: SabreDAV 1.8 under php -S; FSExt tree (dead properties "
             "in .sabredav files; 1.8 has no PropertyStorage plugin), Locks plugin with the file backend, Browser plugin; "
             "/secret/ Basic auth (alice, bob; /secret/alice/ alice only); /ro/ a read-only bind mount; /quota/ an almost "
             "full tmpfs; /odd/ names with a control character and a Latin-1 byte. A second instance (PROFILE=clean) runs "
             "with PHP's php.ini-development (display_errors On).",
    start=start, cases=cases,
    versions=lambda: [f"Debian php-sabre-dav {package_version('php-sabre-dav')}",
                      f"Debian php8.2-cli {package_version('php8.2-cli')}"],
)
