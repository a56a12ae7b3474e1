"""Apache httpd 2.4, mod_dav + mod_dav_fs, configured as scripts/peers/start-apache.sh's faulty profile plus a
few more subtrees an admin would add (EXTRA_CONF) and files users put there on disk."""
import os
import subprocess

from corpus import (ALICE, ALLPROP, BOB, LOCKINFO, PROPNAME, XML_TYPE, Case, Setup, age_tree, fill_blocks, fill_inodes,
                    lockinfo, named_props, package_version, proppatch, set_header, write_file)

SHARED_LOCKINFO = lockinfo("mailto:carol@example.com", "shared")

# What the admin added on top of the faulty profile. ROOT and STATIC are filled in by start().
EXTRA_CONF = """
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
# a read-only share done with mod_authz_core: only reading methods pass, everything else is 403
<Location /readonly/>
    Require method GET HEAD OPTIONS PROPFIND
</Location>
# the archive may be listed to any depth
<Location /deep/>
    DavDepthInfinity On
</Location>
# a tight cap on XML request bodies (PROPFIND, PROPPATCH, LOCK)
<Location /xmlcap/>
    LimitXMLRequestBody 400
</Location>
# LOCK/UNLOCK left out of the method list
<Location /nolock/>
    AllowMethods GET HEAD OPTIONS PROPFIND PUT DELETE MKCOL COPY MOVE PROPPATCH
</Location>
# the yearly archive, listed to any depth by the backup tool
<Location /yearly/>
    DavDepthInfinity On
</Location>
# notes without an extension (README, TODO) were offered as downloads: the admin forces UTF-8 plain text
# for everything under /notes/ with mod_headers, which also relabels the 207s of PROPFIND there
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
<Location /notes/>
    Header set Content-Type "text/plain; charset=utf-8"
</Location>
# plain static files served from another folder, DAV never switched on there
Alias /static/ "{static}/"
<Directory "{static}">
    Options None
    AllowOverride None
    Require all granted
</Directory>
"""


def root_of(ctx):
    return os.path.join(ctx.workdir, "apache", "root")


def start(ctx):
    static = os.path.join(ctx.workdir, "apache-static")
    os.makedirs(static, exist_ok=True)
    with open(os.path.join(static, "index.txt"), "w") as f:
        f.write("static\n")
    conf = os.path.join(ctx.workdir, "apache-extra.conf")
    with open(conf, "w") as f:
        f.write(EXTRA_CONF.replace("{static}", static))
    base = ctx.peer("start-apache.sh", ctx.port(0), env={"PROFILE": "faulty", "EXTRA_CONF": conf})
    root = root_of(ctx)
    write_file(f"{root}/readonly/report.txt", b"quarterly report\n")
    os.makedirs(f"{root}/readonly/drafts", exist_ok=True)
    write_file(f"{root}/deep/2024/q1/summary.txt", b"q1\n")
    write_file(f"{root}/deep/2024/q2/summary.txt", b"q2\n")
    write_file(f"{root}/xmlcap/notes.txt", b"notes\n")
    write_file(f"{root}/nolock/shared.txt", b"shared\n")
    write_file(f"{root}/locks/coll/member.txt", b"member\n")
    write_file(f"{root}/locks/coll/other.txt", b"other\n")
    write_file(f"{root}/locks/shared.txt", b"shared lock target\n")
    write_file(f"{root}/locks/tree/inside.txt", b"inside a locked tree\n")
    write_file(f"{root}/secret/team.txt", b"team plan\n")
    write_file(f"{root}/media/clip.bin", os.urandom(65536))
    write_file(f"{root}/work/draft.txt", b"draft v1\n")
    write_file(f"{root}/locks/mine.txt", b"mine\n")
    # names a user's tools wrote on disk: a control character and ISO-8859-1 bytes
    write_file(os.path.join(root.encode(), b"ctrl", b"bell\x01.txt"), b"bell\n")
    write_file(os.path.join(root.encode(), b"ctrl", b"esc\x1b[0m.txt"), b"escape\n")
    write_file(f"{root}/ctrl/ok.txt", b"ok\n")
    write_file(os.path.join(root.encode(), b"latin1", b"caf\xe9.txt"), b"latin-1 name\n")
    write_file(os.path.join(root.encode(), b"latin1", b"r\xe9sum\xe9.doc"), b"latin-1 name\n")
    write_file(f"{root}/latin1/plain.txt", b"ascii name\n")
    # /yearly/: many minutes, and a folder HR copied in as root (mode 700): Apache (www-data) cannot open it
    os.makedirs(f"{root}/yearly/2024", exist_ok=True)
    for i in range(600):
        with open(f"{root}/yearly/2024/minutes-{i:04}.txt", "wb") as f:
            f.write(b"minutes\n")
    subprocess.run(["chown", "-R", "www-data:www-data", f"{root}/yearly"], check=True)
    os.makedirs(f"{root}/yearly/2024/hr", exist_ok=True)
    with open(f"{root}/yearly/2024/hr/salaries.txt", "w") as f:
        f.write("salaries\n")
    subprocess.run(["chown", "-R", "root:root", f"{root}/yearly/2024/hr"], check=True)
    os.chmod(f"{root}/yearly/2024/hr", 0o700)
    write_file(f"{root}/notes/README", b"read me first\n")
    write_file(f"{root}/notes/TODO", b"- call the printer guy\n")
    # /full/: a tmpfs with no byte and no inode left
    full = f"{root}/full"
    ctx.mount_tmpfs(full, "64k", inodes=8, mode="0755")
    os.makedirs(f"{full}/projects")
    with open(f"{full}/projects/plan.txt", "w") as f:
        f.write("plan\n")
    fill_inodes(full, "pad{}")
    fill_blocks(f"{full}/pad0")
    subprocess.run(["chown", "-R", "www-data:www-data", full])
    age_tree(root)
    return base


def shared_lock(ctx, url, user=None):
    status, headers, _ = ctx.curl("LOCK", url, [XML_TYPE, ("Timeout", "Second-3600"), ("Depth", "0")], SHARED_LOCKINFO, user)
    return headers.get("lock-token", "").strip().strip("<>")


def cases(ctx, base):
    root = root_of(ctx)
    u = lambda p: f"{base}{p}"
    h = lambda *pairs: list(pairs)

    # ------------------------------------------------------------------ healthy answers
    yield Case("options-root", "OPTIONS", u("/"), "none", kind="healthy", notes="DAV: 1,2 and the Allow list")
    yield Case("propfind-depth1-allprop", "PROPFIND", u("/docs/"), "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="a healthy listing")
    yield Case("propfind-depth0-propname", "PROPFIND", u("/docs/plain.txt"), "none", kind="propname",
               headers=[("Depth", "0"), XML_TYPE], body=PROPNAME, notes="propname: names only, empty elements")
    yield Case("propfind-depth1-named", "PROPFIND", u("/docs/sub/"), "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getetag", "getcontentlength", "resourcetype", "displayname"),
               notes="named props; displayname is not kept by mod_dav_fs so it comes back 404 in its own propstat")
    yield Case("propfind-depth0-nobody", "PROPFIND", u("/docs/a%20b.txt"), "none", kind="healthy",
               headers=[("Depth", "0")], notes="no body: allprop of one file with a space in its name")
    yield Case("propfind-depth-infinity-allowed", "PROPFIND", u("/deep/"), "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getcontentlength"),
               notes="DavDepthInfinity On in /deep/: the whole tree in one 207")
    yield Case("propfind-auth-ok", "PROPFIND", u("/secret/"), "none", kind="healthy", user=ALICE,
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getetag", "resourcetype"),
               notes="alice lists the Basic-auth subtree with her password")
    yield Case("get-file", "GET", u("/docs/hash%23tag.txt"), "none", kind="healthy", notes="GET of a name with '#'")
    yield Case("head-file", "HEAD", u("/docs/plain.txt"), "none", kind="healthy", curl_args=["-I"], notes="HEAD")

    def etag_now(headers, path):
        def prep(c):
            set_header(headers, "If-None-Match", c.etag(u(path)) or '"none"')
        return prep

    hdr = [("If-None-Match", "")]
    yield Case("get-if-none-match-current", "GET", u("/docs/plain.txt"), "none", kind="healthy", headers=hdr,
               prepare=etag_now(hdr, "/docs/plain.txt"), notes="conditional GET with the current ETag: 304")

    yield Case("put-new", "PUT", u("/work/new.txt"), "none", kind="healthy", body=b"a new file\n",
               prepare=lambda c: c.delete(u("/work/new.txt")), notes="PUT creates: 201")
    yield Case("put-overwrite", "PUT", u("/work/draft.txt"), "none", kind="healthy", body=b"draft v2\n",
               prepare=lambda c: c.put(u("/work/draft.txt"), b"draft v1\n"), notes="PUT replaces: 204")
    yield Case("mkcol-new", "MKCOL", u("/work/album/"), "none", kind="healthy",
               prepare=lambda c: c.delete(u("/work/album/")), notes="MKCOL: 201")
    yield Case("delete-file", "DELETE", u("/work/trash.txt"), "none", kind="healthy",
               prepare=lambda c: c.put(u("/work/trash.txt"), b"bin me\n"), notes="DELETE: 204")

    def tree(c):
        c.mkcol(u("/work/old/"))
        c.put(u("/work/old/a.txt"))
        c.mkcol(u("/work/old/deeper/"))
        c.put(u("/work/old/deeper/b.txt"))

    yield Case("delete-collection", "DELETE", u("/work/old/"), "none", kind="healthy", prepare=tree,
               notes="DELETE of a collection with members: 204")
    yield Case("copy-file", "COPY", u("/docs/plain.txt"), "none", kind="healthy",
               headers=[("Destination", u("/work/plain-copy.txt"))],
               prepare=lambda c: c.delete(u("/work/plain-copy.txt")), notes="COPY to a free name: 201")

    def copy_tree(c):
        c.delete(u("/work/sub-copy/"))
    yield Case("copy-collection", "COPY", u("/docs/sub/"), "none", kind="healthy",
               headers=[("Destination", u("/work/sub-copy/")), ("Depth", "infinity")], prepare=copy_tree,
               notes="COPY Depth infinity of a collection: 201")

    def move_prep(c):
        c.put(u("/work/to-move.txt"), b"move me\n")
        c.delete(u("/work/moved.txt"))
    yield Case("move-file", "MOVE", u("/work/to-move.txt"), "none", kind="healthy",
               headers=[("Destination", u("/work/moved.txt"))], prepare=move_prep, notes="MOVE to a free name: 201")

    def move_over(c):
        c.put(u("/work/incoming.txt"), b"new version\n")
        c.put(u("/work/current.txt"), b"old version\n")
    yield Case("move-overwrite-t", "MOVE", u("/work/incoming.txt"), "none", kind="healthy",
               headers=[("Destination", u("/work/current.txt")), ("Overwrite", "T")], prepare=move_over,
               notes="MOVE onto an existing target with Overwrite: T: 204")
    yield Case("proppatch-set", "PROPPATCH", u("/work/draft.txt"), "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}colour": "blue", "{urn:example:props}owner": "alice"}),
               prepare=lambda c: c.put(u("/work/draft.txt"), b"draft v1\n"), notes="two dead properties set: 207, 200")

    def with_prop(c):
        c.curl("PROPPATCH", u("/docs/sub/nested.txt"), [XML_TYPE], proppatch({"{urn:example:props}tag": "x"}))
    yield Case("proppatch-remove", "PROPPATCH", u("/docs/sub/nested.txt"), "none", kind="healthy",
               headers=[XML_TYPE], body=proppatch(remove=["{urn:example:props}tag"]), prepare=with_prop,
               notes="dead property removed: 207, 200")
    yield Case("propfind-dead-props", "PROPFIND", u("/docs/sub/nested.txt"), "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("{urn:example:props}tag", "getlastmodified"),
               prepare=with_prop, notes="a dead property read back beside a live one")

    yield Case("lock-free", "LOCK", u("/locks/free.txt"), "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=LOCKINFO,
               prepare=lambda c: c.unlock_all(u("/locks/free.txt")), notes="exclusive LOCK of an unlocked file: 200")

    refresh = [("If", ""), ("Timeout", "Second-900")]
    def refresh_prep(c):
        set_header(refresh, "If", f"(<{c.lock(u('/locks/refresh.txt'))}>)")
    yield Case("lock-refresh", "LOCK", u("/locks/refresh.txt"), "none", kind="healthy", headers=refresh,
               prepare=refresh_prep, notes="LOCK refresh: no body, If with the token")

    unlock = [("Lock-Token", "")]
    def unlock_prep(c):
        c.unlock_all(u("/locks/release.txt"))
        set_header(unlock, "Lock-Token", f"<{c.lock(u('/locks/release.txt'))}>")
    yield Case("unlock-own", "UNLOCK", u("/locks/release.txt"), "none", kind="healthy", headers=unlock,
               prepare=unlock_prep, notes="UNLOCK with the right token: 204")

    own = [("If", "")]
    def own_prep(c):
        set_header(own, "If", f"(<{c.lock(u('/locks/mine.txt'))}>)")
    yield Case("put-with-own-token", "PUT", u("/locks/mine.txt"), "none", kind="healthy", headers=own,
               body=b"edited under my lock\n", prepare=own_prep, notes="PUT to a file I locked, with my token: 204")
    yield Case("lock-second-shared", "LOCK", u("/locks/shared.txt"), "none", kind="healthy",
               headers=[XML_TYPE, ("Timeout", "Second-600")], body=SHARED_LOCKINFO,
               prepare=lambda c: shared_lock(c, u("/locks/shared.txt")),
               notes="a second shared lock beside carol's shared lock: 200")
    yield Case("propfind-lockdiscovery", "PROPFIND", u("/locks/held.txt"), "none", kind="healthy",
               headers=[("Depth", "0"), XML_TYPE], body=named_props("lockdiscovery", "supportedlock"),
               prepare=lambda c: c.lock(u("/locks/held.txt")), notes="lockdiscovery of a locked file (a healthy read)")

    # ------------------------------------------------------------------ path
    yield Case("propfind-missing", "PROPFIND", u("/docs/missing.txt"), "path", ["/docs/missing.txt"],
               headers=[("Depth", "0")], notes="the file does not exist")
    yield Case("get-missing-nested", "GET", u("/docs/sub/gone/report.pdf"), "path", ["/docs/sub/gone/report.pdf"],
               notes="GET below a folder that does not exist: 404")
    yield Case("propfind-wrong-case", "PROPFIND", u("/Docs/plain.txt"), "path", ["/Docs/plain.txt"],
               headers=[("Depth", "0"), XML_TYPE], body=ALLPROP, notes="the folder is /docs/; Apache on ext4 is case-sensitive: 404")
    yield Case("propfind-nfd-for-nfc", "PROPFIND", u("/docs/Cafe%CC%81.txt"), "path", ["/docs/Café.txt"],
               headers=[("Depth", "0")], notes="the name on disk is NFC Café.txt; the client asks for NFD bytes: 404")
    yield Case("propfind-collection-no-slash", "PROPFIND", u("/docs/sub"), "path", ["/docs/sub"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP,
               notes="collection asked for without its trailing slash: mod_dir answers 301 to /docs/sub/")
    yield Case("delete-missing", "DELETE", u("/work/never-was.txt"), "path", ["/work/never-was.txt"],
               notes="DELETE of a name that does not exist: 404")
    yield Case("put-missing-parent", "PUT", u("/work/no-such-folder/file.txt"), "path", ["/work/no-such-folder/"],
               body=b"orphan\n", notes="PUT below a folder that does not exist: 409")
    yield Case("mkcol-missing-parent", "MKCOL", u("/work/a/b/c/"), "path", ["/work/a/b/"],
               notes="MKCOL of a nested folder whose parents do not exist: 409")
    yield Case("copy-missing-parent", "COPY", u("/docs/plain.txt"), "path", ["/archive/2023/"],
               headers=[("Destination", u("/archive/2023/plain.txt"))], notes="COPY into a folder that does not exist: 409")
    yield Case("move-missing-parent", "MOVE", u("/work/draft.txt"), "path", ["/work/drafts/"],
               headers=[("Destination", u("/work/drafts/draft.txt"))],
               prepare=lambda c: c.put(u("/work/draft.txt"), b"draft v1\n"),
               kind="status-habit", notes="MOVE into a folder that does not exist: mod_dav_fs's rename fails with ENOENT and Apache answers 500 (COPY gets 409)")

    def both(src, dst):
        def prep(c):
            c.put(u(src), b"source\n")
            c.put(u(dst), b"already here\n")
        return prep
    yield Case("move-overwrite-f-exists", "MOVE", u("/work/report-new.txt"), "path", ["/work/report.txt"],
               headers=[("Destination", u("/work/report.txt")), ("Overwrite", "F")],
               prepare=both("/work/report-new.txt", "/work/report.txt"),
               kind="error-body", notes="MOVE with Overwrite: F onto an existing file: 412 'Destination is not empty'")
    yield Case("copy-overwrite-f-exists", "COPY", u("/docs/sub/"), "path", ["/work/sub-dup/"],
               headers=[("Destination", u("/work/sub-dup/")), ("Overwrite", "F"), ("Depth", "infinity")],
               prepare=lambda c: c.mkcol(u("/work/sub-dup/")),
               kind="error-body", notes="COPY of a folder with Overwrite: F onto an existing folder: 412")
    yield Case("mkcol-exists", "MKCOL", u("/docs/sub/"), "path", ["/docs/sub/"],
               notes="MKCOL of a folder that already exists: 405")

    # ------------------------------------------------------------------ permission
    yield Case("get-private", "GET", u("/private/secret.txt"), "permission", ["/private/secret.txt"],
               notes="Require all denied on /private/: 403")
    yield Case("propfind-private", "PROPFIND", u("/private/"), "permission", ["/private/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, notes="Require all denied on /private/: 403 for PROPFIND")
    yield Case("propfind-secret-no-auth", "PROPFIND", u("/secret/"), "permission", ["/secret/"],
               headers=[("Depth", "1")], notes="Basic auth required, none sent: 401")
    yield Case("get-secret-wrong-password", "GET", u("/secret/note.txt"), "permission", ["/secret/note.txt"],
               user="alice:wrong-pw", notes="wrong password: 401")
    yield Case("options-behind-auth", "OPTIONS", u("/secret/"), "client", ["/secret/"], kind="deviation",
               notes="Basic auth on /secret/ covers OPTIONS too: 401 before login, which Office and the Windows Mini-Redirector do not survive")
    yield Case("propfind-alice-as-bob", "PROPFIND", u("/secret/alice/"), "permission", ["/secret/alice/"],
               user=BOB, headers=[("Depth", "1"), XML_TYPE], body=named_props("getetag"),
               notes="Require user alice with AuthzSendForbiddenOnFailure: bob gets 403")
    yield Case("put-readonly-allowmethods", "PUT", u("/ro/readme.txt"), "permission", ["/ro/readme.txt"],
               body=b"edit\n", kind="read-only", notes="read-only share via AllowMethods GET HEAD OPTIONS PROPFIND: PUT 405")
    yield Case("delete-readonly-allowmethods", "DELETE", u("/ro/readme.txt"), "permission", ["/ro/readme.txt"],
               kind="read-only", notes="read-only share via AllowMethods: DELETE 405")
    yield Case("move-into-readonly-allowmethods", "MOVE", u("/work/draft.txt"), "permission", ["/ro/draft.txt"],
               headers=[("Destination", u("/ro/draft.txt"))], prepare=lambda c: c.put(u("/work/draft.txt"), b"draft v1\n"),
               kind="read-only", notes="MOVE into the AllowMethods read-only share: 405 'Destination URI had an error'")
    yield Case("mkcol-readonly-require-method", "MKCOL", u("/readonly/new-folder/"), "permission", ["/readonly/new-folder/"],
               kind="read-only", notes="read-only share via Require method GET HEAD OPTIONS PROPFIND: MKCOL 403")
    yield Case("proppatch-readonly-require-method", "PROPPATCH", u("/readonly/report.txt"), "permission",
               ["/readonly/report.txt"], headers=[XML_TYPE], body=proppatch({"{urn:example:props}status": "final"}),
               kind="read-only", notes="read-only share via Require method: PROPPATCH 403")
    yield Case("move-out-of-readonly", "MOVE", u("/readonly/report.txt"), "permission", ["/readonly/report.txt"],
               headers=[("Destination", u("/work/report-moved.txt"))],
               prepare=lambda c: c.delete(u("/work/report-moved.txt")),
               kind="read-only", notes="MOVE out of the Require-method read-only share: 403")
    yield Case("copy-into-readonly", "COPY", u("/docs/plain.txt"), "permission", ["/readonly/drafts/plain.txt"],
               headers=[("Destination", u("/readonly/drafts/plain.txt"))],
               kind="read-only", notes="COPY into the Require-method read-only share: 403 'Destination URI had an error'")

    # ------------------------------------------------------------------ lock
    yield Case("put-locked-no-token", "PUT", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               body=b"overwrite\n", prepare=lambda c: c.lock(u("/locks/held.txt")),
               notes="alice's lock; the PUT submits no token")
    yield Case("proppatch-locked-no-token", "PROPPATCH", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}reviewed": "yes"}),
               prepare=lambda c: c.lock(u("/locks/held.txt")), notes="PROPPATCH of a locked file without the token: 423")
    yield Case("move-locked-source", "MOVE", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               headers=[("Destination", u("/work/held-moved.txt"))],
               prepare=lambda c: (c.lock(u("/locks/held.txt")), c.delete(u("/work/held-moved.txt"))),
               notes="MOVE of a locked file without the token: 423")
    member = lambda c: c.lock(u("/locks/coll/member.txt"))
    yield Case("delete-collection-member-locked", "DELETE", u("/locks/coll/"), "lock", ["/locks/coll/member.txt"],
               prepare=member, kind="status-habit", notes="a member is locked, DELETE of its folder: 424 with a multistatus naming the 423 member")
    yield Case("move-collection-member-locked", "MOVE", u("/locks/coll/"), "lock", ["/locks/coll/member.txt"],
               headers=[("Destination", u("/work/coll-moved/"))],
               prepare=lambda c: (member(c), c.delete(u("/work/coll-moved/"))),
               kind="status-habit", notes="a member is locked, MOVE of its folder: 424 with a multistatus naming the 423 member")

    def tree_locked(c):
        c.lock(u("/locks/tree/"), depth="infinity")
        c.delete(u("/locks/tree/new.txt"))
    yield Case("put-into-locked-tree", "PUT", u("/locks/tree/new.txt"), "lock", ["/locks/tree/"],
               body=b"new member\n", prepare=tree_locked, kind="error-body", notes="the folder has a Depth-infinity lock; PUT of a new member without its token: 423")
    yield Case("lock-exclusive-on-shared", "LOCK", u("/locks/shared.txt"), "lock", ["/locks/shared.txt"],
               headers=[XML_TYPE], body=LOCKINFO, prepare=lambda c: shared_lock(c, u("/locks/shared.txt")),
               notes="carol holds a shared lock; an exclusive LOCK: 423")
    yield Case("lock-shared-on-exclusive", "LOCK", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               headers=[XML_TYPE], body=SHARED_LOCKINFO, prepare=lambda c: c.lock(u("/locks/held.txt")),
               notes="an exclusive lock is held; a shared LOCK: 423")
    team = lambda c: c.lock(u("/secret/team.txt"), user=ALICE)
    yield Case("put-locked-by-other-user", "PUT", u("/secret/team.txt"), "lock", ["/secret/team.txt"], user=BOB,
               body=b"bob's edit\n", prepare=team, notes="alice locked it; bob PUTs without a token: 423")
    stolen = [("If", "")]
    def stolen_prep(c):
        set_header(stolen, "If", f"(<{team(c)}>)")
    yield Case("put-other-users-token", "PUT", u("/secret/team.txt"), "lock", ["/secret/team.txt"], user=BOB,
               headers=stolen, body=b"bob's edit\n", prepare=stolen_prep,
               kind="status-habit", notes="bob submits alice's lock token: mod_dav refuses a token created by another user with a bare 403")
    stolen_unlock = [("Lock-Token", "")]
    def stolen_unlock_prep(c):
        set_header(stolen_unlock, "Lock-Token", f"<{team(c)}>")
    yield Case("unlock-other-users-lock", "UNLOCK", u("/secret/team.txt"), "lock", ["/secret/team.txt"], user=BOB,
               headers=stolen_unlock, prepare=stolen_unlock_prep, kind="status-habit", notes="bob UNLOCKs alice's lock with her token: 403")
    wrong = "opaquelocktoken:6f1c2a90-0000-4000-8000-00000000dead"
    yield Case("put-wrong-lock-token", "PUT", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               headers=[("If", f"(<{wrong}>)")], body=b"edit\n", prepare=lambda c: c.lock(u("/locks/held.txt")),
               notes="a lock is held; If names a token that is not it (an old one): 412")
    yield Case("delete-wrong-lock-token-tagged", "DELETE", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               headers=[("If", f"<{u('/locks/held.txt')}> (<{wrong}>)")], prepare=lambda c: c.lock(u("/locks/held.txt")),
               notes="tagged If list with a token that is not the lock's: 412")
    yield Case("unlock-wrong-token", "UNLOCK", u("/locks/held.txt"), "lock", ["/locks/held.txt"],
               headers=[("Lock-Token", f"<{wrong}>")], prepare=lambda c: c.lock(u("/locks/held.txt")),
               kind="status-habit", notes="UNLOCK with a token that is not the lock's: Apache answers 400 (RFC 4918 names 409)")

    # ------------------------------------------------------------------ cache (stale client state)
    def stale(headers, name, path, value_of=lambda e: e):
        # alice reads version one (a strong ETag: the file is older than a second), bob then writes version two
        def prep(c):
            old = c.stale_etag(u(path), old=b"version one\n", new=b"version two, written by bob\n", on_disk=root + path)
            set_header(headers, name, value_of(old))
        return prep

    m1 = [("If-Match", "")]
    yield Case("put-if-match-stale", "PUT", u("/work/shared-doc.txt"), "cache", ["/work/shared-doc.txt"], headers=m1,
               body=b"alice's edit of version one\n", prepare=stale(m1, "If-Match", "/work/shared-doc.txt"),
               kind="stale-state", notes="If-Match with the ETag from before bob's PUT: 412")
    m2 = [("If-Match", "")]
    yield Case("delete-if-match-stale", "DELETE", u("/work/budget.txt"), "cache", ["/work/budget.txt"], headers=m2,
               prepare=stale(m2, "If-Match", "/work/budget.txt"), kind="stale-state", notes="DELETE with a stale If-Match: 412")
    m3 = [("If", ""), XML_TYPE]
    yield Case("proppatch-if-etag-stale", "PROPPATCH", u("/work/minutes.txt"), "cache", ["/work/minutes.txt"], headers=m3,
               body=proppatch({"{urn:example:props}approved": "yes"}),
               prepare=stale(m3, "If", "/work/minutes.txt", lambda e: f"([{e}])"),
               kind="stale-state", notes="If: ([etag]) with the ETag from before another PUT: 412")
    yield Case("put-if-none-match-exists", "PUT", u("/work/draft.txt"), "cache", ["/work/draft.txt"],
               headers=[("If-None-Match", "*")], body=b"create only\n",
               prepare=lambda c: c.put(u("/work/draft.txt"), b"draft v1\n"),
               kind="stale-state", notes="create-only PUT (If-None-Match: *) of a file someone already created: 412")

    # ------------------------------------------------------------------ server-config
    yield Case("propfind-depth-infinity-refused", "PROPFIND", u("/docs/"), "server-config", ["/docs/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=ALLPROP,
               kind="error-body", notes="DavDepthInfinity Off (the default): 403 propfind-finite-depth")
    yield Case("propfind-no-depth-refused", "PROPFIND", u("/docs/sub/"), "server-config", ["/docs/sub/"], live=False,
               kind="error-body", notes="no Depth header means infinity; DavDepthInfinity Off: 403. live=False: check always sends a Depth header with PROPFIND")
    big = ('<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:" xmlns:O="urn:schemas-microsoft-com:office:office"><D:prop>'
           + "".join(f"<D:{p}/>" for p in ("resourcetype", "getcontentlength", "getlastmodified", "getetag", "creationdate",
                                             "displayname", "getcontenttype", "lockdiscovery", "supportedlock"))
           + "".join(f"<O:{p}/>" for p in ("Author", "LastAuthor", "Revision", "TotalTime", "Created", "LastSaved",
                                                             "LastPrinted", "Pages", "Words", "Characters", "Company"))
           + "</D:prop></D:propfind>").encode()
    yield Case("propfind-xml-body-too-large", "PROPFIND", u("/xmlcap/"), "server-config", ["/xmlcap/"],
               headers=[("Depth", "1"), XML_TYPE], body=big, notes="LimitXMLRequestBody 400 on /xmlcap/; the PROPFIND body is larger: 413")
    yield Case("put-over-limit", "PUT", u("/upload/photo.jpg"), "server-config", ["/upload/photo.jpg"],
               body=os.urandom(4096), notes="LimitRequestBody 1024 on /upload/: 413")
    yield Case("propfind-dav-off", "PROPFIND", u("/static/"), "server-config", ["/static/"],
               headers=[("Depth", "1")], notes="/static/ is an Alias to a folder without Dav On: 405")
    yield Case("options-dav-off", "OPTIONS", u("/static/index.txt"), "server-config", ["/static/index.txt"],
               notes="/static/ has no DAV: OPTIONS 200 without a DAV header")
    yield Case("lock-method-off", "LOCK", u("/nolock/shared.txt"), "server-config", ["/nolock/shared.txt"],
               headers=[XML_TYPE], body=LOCKINFO, notes="AllowMethods on /nolock/ leaves LOCK out: 405")

    # ------------------------------------------------------------------ storage
    yield Case("put-quota-full", "PUT", u("/quota/video.bin"), "storage", ["/quota/video.bin"],
               body=os.urandom(65536), prepare=lambda c: c.delete(u("/quota/video.bin")),
               kind="full-disk", notes="/quota/ is a 256 KiB tmpfs with 16 KiB left; a 64 KiB PUT: 507")
    yield Case("copy-into-quota", "COPY", u("/media/clip.bin"), "storage", ["/quota/clip.bin"],
               headers=[("Destination", u("/quota/clip.bin"))], prepare=lambda c: c.delete(u("/quota/clip.bin")),
               kind="full-disk", notes="COPY of a 64 KiB file into the nearly full tmpfs: 507")
    yield Case("mkcol-full", "MKCOL", u("/full/2025/"), "storage", ["/full/2025/"],
               kind="full-disk", notes="/full/ is a tmpfs with no inode left: MKCOL 507")
    yield Case("put-small-full", "PUT", u("/full/projects/todo.txt"), "storage", ["/full/projects/todo.txt"],
               body=b"buy milk\n", kind="full-disk", notes="/full/ has no byte and no inode left: a 9-byte PUT gets 507")
    yield Case("proppatch-full", "PROPPATCH", u("/full/projects/plan.txt"), "storage", ["/full/projects/plan.txt"],
               headers=[XML_TYPE], body=proppatch({"{urn:example:props}colour": "red"}),
               kind="full-disk", notes="dead props need a .DAV folder on a full disk: 207 with 'HTTP/1.1 500 (status)' and 'Could not open the property database'")
    yield Case("lock-new-on-full", "LOCK", u("/full/projects/new.txt"), "storage", ["/full/projects/new.txt"],
               headers=[XML_TYPE], body=LOCKINFO, prepare=lambda c: c.unlock_all(u("/full/projects/new.txt")), kind="status-habit", notes="LOCK of an unmapped URL creates an empty file; no inode left: 500 (the lock-null entry stays in the lock DB)")

    # ------------------------------------------------------------------ payload / client (names on disk)
    yield Case("propfind-latin1-names", "PROPFIND", u("/latin1/"), "payload", ["/latin1/caf%e9.txt", "/latin1/r%e9sum%e9.doc"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getcontentlength", "resourcetype"),
               kind="broken-answer",
               notes="ISO-8859-1 names on disk: the 207 is well-formed but hrefs carry %e9, bytes that are not UTF-8")
    yield Case("propfind-latin1-file", "PROPFIND", u("/latin1/caf%E9.txt"), "payload", ["/latin1/caf%e9.txt"],
               headers=[("Depth", "0")], kind="broken-answer", live=False,
               notes="Depth 0 on the ISO-8859-1 name itself: the href decodes to bytes that are not UTF-8; not live: check refuses a URL whose %XX bytes are not UTF-8 (AsyncHTTPClient would send another path); analyze reads the curl capture")
    yield Case("propfind-infinity-unreadable-folder", "PROPFIND", u("/yearly/"), "payload", ["/yearly/"],
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("getlastmodified", "getcontentlength"),
               kind="broken-answer",
               notes="DavDepthInfinity On; /yearly/2024/hr/ is root's, mode 700: mod_dav streams the 207 and stops in the "
                     "middle ('Provider encountered an error while streaming a multistatus PROPFIND response'): cut short")
    yield Case("propfind-notes-content-type-text", "PROPFIND", u("/notes/"), "payload", ["/notes/"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="broken-answer",
               notes="Header set Content-Type \"text/plain; charset=utf-8\" on /notes/ (meant for README/TODO) also "
                     "relabels the 207: its body is XML, its Content-Type is not")
    yield Case("get-notes-plain-text", "GET", u("/notes/README"), "none", kind="healthy",
               notes="what the admin wanted from Header set Content-Type: a file without extension shown as UTF-8 text")
    yield Case("propfind-control-char-names", "PROPFIND", u("/ctrl/"), "client", ["/ctrl/bell\x01.txt", "/ctrl/esc\x1b[0m.txt"],
               headers=[("Depth", "1"), XML_TYPE], body=ALLPROP, kind="deviation",
               notes="names with U+0001 and ESC on disk; Apache percent-encodes them (%01, %1b) so the XML is well-formed; "
                     "Windows refuses such names")
    yield Case("propfind-nfc-nfd-twins", "PROPFIND", u("/unicode/"), "client", ["/unicode/Café.txt"],
               headers=[("Depth", "1"), XML_TYPE], body=named_props("getcontentlength"), kind="deviation",
               notes="Café.txt in NFC and in NFD bytes side by side: one name for macOS")
    yield Case("propfind-literal-percent-names", "PROPFIND", u("/pct/"), "client", ["/pct/100%.txt", "/pct/50%25 off.txt"],
               headers=[("Depth", "1")], kind="deviation", notes="names with a literal % (Windows Explorer mangles them)")


SETUP = Setup(
    name="apache",
    describe="scripts/peers/start-apache.sh, PROFILE=faulty: mod_dav + mod_dav_fs at /, DavLockDB in the work dir, "
             "DavDepthInfinity Off; /private/ denied; /secret/ Basic auth; /upload/ LimitRequestBody 1024; "
             "/ro/ AllowMethods GET HEAD OPTIONS PROPFIND; /quota/ an almost full tmpfs. EXTRA_CONF adds /readonly/ "
             "(Require method GET HEAD OPTIONS PROPFIND), /deep/ (DavDepthInfinity On), /xmlcap/ (LimitXMLRequestBody 400), "
             "/nolock/ (AllowMethods without LOCK/UNLOCK), /static/ (an Alias without Dav), /yearly/ (DavDepthInfinity On, "
             "a root-owned mode-700 folder inside), /notes/ (mod_headers Header set Content-Type text/plain); /full/ is a tmpfs with no byte "
             "or inode left; /ctrl/ and /latin1/ hold names with control characters and ISO-8859-1 bytes written on disk.",
    start=start, cases=cases,
    versions=lambda: [f"Debian apache2 {package_version('apache2')}"],
)
