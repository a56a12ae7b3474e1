#!/usr/bin/env python3
"""The labelled corpus of real WebDAV answers: capture it from real servers, score davdoctor on it.

    scripts/corpus/corpus.py capture [--only SETUP ...] [--live] [--out DIR] [--binary PATH]
    scripts/corpus/corpus.py score   [--corpus DIR] [--binary PATH] [--live-results DIR]
                                     [--min-top1 F] [--min-holdout F] [--max-false-alarms N] [--show-misses]

A *setup* is one real server (or a proxy in front of one) configured the way an admin would, in
scripts/corpus/setups/<name>.py. It starts its peers through scripts/peers/, then yields *cases*: one
request each, sent with curl exactly as a user would send it, and saved as `curl -s -i` prints it
(Tests/Corpus/<setup>/<case>.http). The request itself (method, URL, headers, body, user) goes into
Tests/Corpus/<setup>/cases.jsonl with the cause a WebDAV engineer would name first and the resources it
concerns. `--live` also replays every case through `davdoctor check` against the same server right after
preparing the same state again, and keeps check's JSON report in the results folder.

A quarter of the cases, picked by a hash of their id (never by hand), are *held out*: rules are written
from the rest and the held-out score is reported beside the whole one.
"""
from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from typing import Callable, Iterable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PEERS = os.path.join(REPO, "scripts", "peers")
CORPUS = os.path.join(REPO, "Tests", "Corpus")
CAUSES = ["path", "permission", "lock", "proxy", "server-config", "storage", "cache", "payload", "client"]
# Where each setup's ports start: setup number i owns PORT_BASE + 20 * i .. + 19.
PORT_BASE = int(os.environ.get("CORPUS_PORT_BASE", "19000"))

ALLPROP = b'<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
PROPNAME = b'<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>'
XML_TYPE = ("Content-Type", 'application/xml; charset="utf-8"')
# The users the peer scripts create (scripts/peers/start-*.sh), as curl -u takes them.
ALICE = "alice:alice-pw"
BOB = "bob:bob-pw"
# Clients whose own limits some cases are about: the Windows Mini-Redirector and macOS Finder.
WIN_UA = ("User-Agent", "Microsoft-WebDAV-MiniRedir/10.0.19045")
MAC_UA = ("User-Agent", "WebDAVFS/3.0.0 (03008000) Darwin/22.1.0 (x86_64)")


def lockinfo(owner: str = "mailto:alice@example.com", scope: str = "exclusive") -> bytes:
    """A LOCK body for a write lock, for the cases and for prepare. owner: a URI goes into <D:href> (what most
    clients send), anything else is written as plain text; scope: exclusive or shared."""
    who = f"<D:href>{owner}</D:href>" if ":" in owner else owner
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:{scope}/></D:lockscope>'
            f"<D:locktype><D:write/></D:locktype><D:owner>{who}</D:owner></D:lockinfo>").encode()


LOCKINFO = lockinfo()


def named_props(*names: str) -> bytes:
    """A PROPFIND body asking for DAV: properties by name (`getetag`) or `{ns}name` for others."""
    props, extra = [], {}
    for name in names:
        if name.startswith("{"):
            ns, local = name[1:].split("}", 1)
            prefix = extra.setdefault(ns, f"N{len(extra)}")
            props.append(f"<{prefix}:{local}/>")
        else:
            props.append(f"<D:{name}/>")
    decls = "".join(f' xmlns:{p}="{ns}"' for ns, p in extra.items())
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"{decls}><D:prop>'
            + "".join(props) + "</D:prop></D:propfind>").encode()


def proppatch(set_props: dict[str, str] | None = None, remove: Iterable[str] = ()) -> bytes:
    """A PROPPATCH body: `{ns}name` -> value to set, names to remove (DAV: names may be bare)."""
    def split(name: str) -> tuple[str, str]:
        return (name[1:].split("}", 1)[0], name.split("}", 1)[1]) if name.startswith("{") else ("DAV:", name)
    spaces: dict[str, str] = {"DAV:": "D"}
    def qn(name: str) -> str:
        ns, local = split(name)
        p = spaces.setdefault(ns, f"Z{len(spaces)}")
        return f"{p}:{local}"
    sets = "".join(f"<{qn(n)}>{v}</{qn(n)}>" for n, v in (set_props or {}).items())
    removes = "".join(f"<{qn(n)}/>" for n in remove)
    body = ""
    if sets:
        body += f"<D:set><D:prop>{sets}</D:prop></D:set>"
    if removes:
        body += f"<D:remove><D:prop>{removes}</D:prop></D:remove>"
    decls = "".join(f' xmlns:{p}="{ns}"' for ns, p in spaces.items())
    return f'<?xml version="1.0" encoding="utf-8"?>\n<D:propertyupdate{decls}>{body}</D:propertyupdate>'.encode()


@dataclasses.dataclass
class Case:
    """One request and the cause a WebDAV engineer would name first for its answer.

    cause: a DESIGN.md cause id, or "none" for a healthy answer. resources: decoded paths the finding
    must name. kind: which class of the diagnosis it exercises (free text such as "received",
    "broken-answer", "stale-state", "read-only", "full-disk", "error-body", "status-habit", "healthy",
    "baseline"). prepare: called before the capture and again before the live replay, so the server is
    in the same state both times; it must be safe to run twice. live: False when `check` cannot replay
    it (say why in notes).
    """
    id: str
    method: str
    url: str
    cause: str
    resources: list[str] = dataclasses.field(default_factory=list)
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    body: Optional[bytes] = None
    user: Optional[str] = None  # "alice:alice-pw"
    kind: str = "baseline"
    notes: str = ""
    prepare: Optional[Callable[["Context"], None]] = None
    live: bool = True
    curl_args: list[str] = dataclasses.field(default_factory=list)  # extra curl flags (e.g. --http1.0)

    def __post_init__(self) -> None:
        if self.cause not in CAUSES + ["none"]:
            raise ValueError(f"{self.id}: unknown cause {self.cause}")


@dataclasses.dataclass
class Setup:
    """A real server configured one way. start(ctx) starts its peers and returns the base URL (or a
    dict of named URLs); cases(ctx, base) yields the cases. describe: how it was configured, in a line or
    three, for SOURCE.md. versions(): lines naming the server versions."""
    name: str
    describe: str
    start: Callable[["Context"], object]
    cases: Callable[["Context", object], Iterable[Case]]
    versions: Callable[[], list[str]] = lambda: []
    index: int = 0


class Context:
    """What a setup gets: a work dir, its own ports, peer start-up and a curl for preparing state."""

    def __init__(self, index: int, workdir: str, binary: str):
        self.index = index
        self.workdir = workdir
        self.binary = binary

    def port(self, offset: int) -> int:
        if not 0 <= offset < 20:
            raise ValueError("a setup owns 20 ports: offset 0..19")
        return PORT_BASE + 20 * self.index + offset

    def peer(self, script: str, port: int, env: dict[str, str] | None = None, args: list[str] | None = None) -> str:
        """Starts scripts/peers/<script> WORKDIR PORT and returns the URL it prints."""
        full = dict(os.environ, **(env or {}))
        out = subprocess.run(["bash", os.path.join(PEERS, script), self.workdir, str(port)] + (args or []),
                             env=full, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            raise RuntimeError(f"{script} failed: {out.stderr.strip()[-800:]}")
        return out.stdout.strip().splitlines()[-1]

    def curl(self, method: str, url: str, headers: Iterable[tuple[str, str]] = (), body: bytes | None = None,
             user: str | None = None, extra: Iterable[str] = ()) -> tuple[int, dict[str, str], bytes]:
        """A request to prepare state (not saved). Returns status, headers (lower-case names) and body."""
        args = ["curl", "-s", "-i", "-X", method, "--max-time", "20"] + list(extra)
        for n, v in headers:
            args += ["-H", f"{n}: {v}"]
        if user:
            args += ["-u", user]
        if body is not None:
            args += ["--data-binary", "@-"]
        args.append(url)
        out = subprocess.run(args, input=body or b"", capture_output=True, timeout=30).stdout
        return parse_http(out)

    def lock(self, url: str, user: str | None = None, timeout: str = "Second-3600", depth: str = "0") -> str | None:
        """Takes an exclusive write lock (or finds the one already there) and returns its token."""
        status, headers, body = self.curl("LOCK", url, [XML_TYPE, ("Timeout", timeout), ("Depth", depth)], LOCKINFO, user)
        token = headers.get("lock-token", "").strip().strip("<>")
        if token:
            return token
        # Already locked: read the token from lockdiscovery.
        _, _, listing = self.curl("PROPFIND", url, [("Depth", "0"), XML_TYPE], named_props("lockdiscovery"), user)
        text = listing.decode("utf-8", "replace")
        start = text.find("locktoken")
        if start >= 0:
            h = text.find("href>", start)
            if h >= 0:
                return text[h + 5:text.find("<", h)].strip()
        return None

    def put(self, url: str, data: bytes = b"content\n", user: str | None = None) -> int:
        return self.curl("PUT", url, body=data, user=user)[0]

    def mkcol(self, url: str, user: str | None = None) -> int:
        return self.curl("MKCOL", url, user=user)[0]

    def delete(self, url: str, user: str | None = None, headers: Iterable[tuple[str, str]] = ()) -> int:
        return self.curl("DELETE", url, headers=headers, user=user)[0]

    def etag(self, url: str, user: str | None = None) -> str | None:
        return self.curl("HEAD", url, user=user, extra=["-I"])[1].get("etag")

    # State the setups prepare, shared by all of them (one copy each; the reason in each doc line).

    def lock_tokens(self, url: str, user: str | None = None) -> list[str]:
        """Every opaquelocktoken: token lockdiscovery shows on URL (Apache, WsgiDAV), shared locks included,
        which lock() cannot find: it reads only the first."""
        _, _, body = self.curl("PROPFIND", url, [("Depth", "0"), XML_TYPE], named_props("lockdiscovery"), user)
        return sorted(set(re.findall(r"opaquelocktoken:[^<\s\"]+", body.decode("utf-8", "replace"))))

    def unlock_all(self, url: str, user: str | None = None) -> None:
        """No lock on URL at all, however many (shared) locks earlier runs left there: UNLOCK each token."""
        for token in self.lock_tokens(url, user):
            self.curl("UNLOCK", url, [("Lock-Token", f"<{token}>")], user=user)

    def unlocked(self, url: str, user: str | None = None) -> None:
        """No lock on URL, on servers whose tokens are not opaquelocktoken: URIs (lighttpd's urn:uuid:): take the
        lock, or find the one there the way lock() does, and release it."""
        token = self.lock(url, user)
        if token:
            self.curl("UNLOCK", url, [("Lock-Token", f"<{token}>")], user=user)

    def ensure_file(self, url: str, data: bytes = b"content\n") -> None:
        """URL holds DATA; PUT only when a GET shows otherwise, so an unchanged file keeps its mtime and ETag."""
        status, _, body = self.curl("GET", url)
        if status != 200 or body != data:
            self.put(url, data)

    def put_dated(self, url: str, data: bytes, on_disk: str | bytes, mtime: float, user: str | None = None) -> None:
        """PUT, then set the file's mtime on disk (ON_DISK): Apache weakens (W/) the ETag of a file changed within
        the last second, and a fixed mtime gives the same content the same ETag at capture and at replay."""
        self.put(url, data, user)
        os.utime(on_disk, (mtime, mtime))

    def stale_etag(self, url: str, user: str | None = None, other: str | None = None, old: bytes | None = None,
                   new: bytes | None = None, on_disk: str | None = None) -> str | None:
        """The ETag a client (USER) saw, then another user's (OTHER's) PUT that changes the file: returns the stale
        ETag. The two bodies differ in length, so an ETag of inode, mtime in seconds and size changes within one
        second too; with ON_DISK both versions are also dated back (put_dated) so that Apache's ETags are strong."""
        old = old if old is not None else f"version read by the client {time.time_ns()}\n".encode()
        new = new if new is not None else f"changed by another user meanwhile, {time.time_ns()}, longer\n".encode()
        self.put(url, old, user)
        if on_disk:
            os.utime(on_disk, (time.time() - 600,) * 2)
        before = self.etag(url, user)
        self.put(url, new, other or user)
        if on_disk:
            os.utime(on_disk, (time.time() - 300,) * 2)
        return before

    def mount_tmpfs(self, path: str, size: str, inodes: int | None = None, mode: str = "0777") -> None:
        """A real tmpfs on PATH (inside a served tree): a full disk the server meets as it would in production.
        Recorded in WORKDIR/mounts so that scripts/peers/stop.sh unmounts it."""
        os.makedirs(path, exist_ok=True)
        opts = f"size={size},mode={mode}" + (f",nr_inodes={inodes}" if inodes else "")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path], capture_output=True).returncode != 0:
            raise RuntimeError(f"cannot mount a tmpfs on {path} (needs root)")
        with open(os.path.join(self.workdir, "mounts"), "a") as f:
            f.write(path + "\n")

    def full_tmpfs(self, path: str, size: str, inodes: int | None = None) -> None:
        """mount_tmpfs, filled up: with INODES, every inode used (fill_inodes); else every block (fill_blocks)."""
        self.mount_tmpfs(path, size, inodes)
        if inodes:
            fill_inodes(path)
        else:
            fill_blocks(os.path.join(path, "filler.bin"))

    def sync_token(self, url: str, user: str | None = None) -> str:
        """The sync token a CalDAV/CardDAV server issues now for URL (an initial sync-collection REPORT), or ""."""
        _, _, body = self.curl("REPORT", url, [("Depth", "1"), XML_TYPE], sync_body(), user)
        m = re.search(rb"sync-token>([^<]+)</", body)
        return m.group(1).decode() if m else ""


def parse_http(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """The last response in curl -i output (after 100 Continue and redirects)."""
    status, headers, rest = 0, {}, raw
    while rest.startswith(b"HTTP/"):
        head, sep, body = rest.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = rest.partition(b"\n\n")
        lines = head.decode("latin-1").splitlines()
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            status = 0
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                n, v = line.split(":", 1)
                headers[n.strip().lower()] = v.strip()
        rest = body
        if status != 100 and not (300 <= status < 400 and body.startswith(b"HTTP/")):
            break
    return status, headers, rest


# ----------------------------------------------------------------- helpers for the setups' prepare

def set_header(headers: list[tuple[str, str]], name: str, value: str) -> None:
    """Sets NAME in a case's header list in place (replacing it where it stands, else appending): prepare learns
    a value only the server can give (a lock token, an ETag from before another user's PUT), and the capture,
    cases.jsonl and the live replay all read the same list."""
    for i, (n, _) in enumerate(headers):
        if n.lower() == name.lower():
            headers[i] = (name, value)
            return
    headers.append((name, value))


def in_turn(*preps: Callable[["Context"], object]) -> Callable[["Context"], None]:
    """One prepare that runs several in turn (a Case takes one)."""
    def prepare(ctx: "Context") -> None:
        for p in preps:
            p(ctx)
    return prepare


def deleted(*urls: str, user: str | None = None) -> Callable[["Context"], None]:
    """prepare: none of URLS exists (a DELETE each; 404 is fine), so a create answers the same both times."""
    def prepare(ctx: "Context") -> None:
        for url in urls:
            ctx.delete(url, user)
    return prepare


def created(*urls: str, data: bytes = b"content\n", user: str | None = None) -> Callable[["Context"], None]:
    """prepare: each of URLS exists, a collection (MKCOL) where it ends in / and a file holding DATA (PUT) else."""
    def prepare(ctx: "Context") -> None:
        for url in urls:
            if url.endswith("/"):
                ctx.mkcol(url, user)
            else:
                ctx.put(url, data, user)
    return prepare


def write_file(path: str | bytes, data: bytes = b"content\n", owner: str = "www-data") -> None:
    """A file written straight into a served tree (what users and admins leave on disk), its folder given to
    the server's user, who must be able to write there."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    subprocess.run(["chown", "-R", f"{owner}:{owner}", os.path.dirname(path)], check=False)


def write_names(folder: str, names: Iterable[bytes], data: bytes = b"written on disk\n", owner: str | None = None) -> None:
    """Files whose names are raw bytes (control characters, ISO-8859-1 ...), created on disk: no WebDAV client
    could create them. owner: the folder is given to that user (the server's), recursively."""
    os.makedirs(folder, exist_ok=True)
    for name in names:
        with open(os.path.join(os.fsencode(folder), name), "wb") as f:
            f.write(data)
    if owner:
        subprocess.run(["chown", "-R", f"{owner}:{owner}", folder], check=True)


def fill_inodes(folder: str, name: str = "f{:03}") -> None:
    """Empty files (NAME.format(i)) in FOLDER until the file system has no inode left."""
    i = 0
    while True:
        try:
            open(os.path.join(folder, name.format(i)), "wb").close()
        except OSError:
            return
        i += 1


def fill_blocks(path: str) -> None:
    """Writes zeros to PATH until the file system has no block left."""
    try:
        with open(path, "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass


def age_tree(root: str, seconds: float = 7200) -> None:
    """Dates everything below ROOT back (two hours): Apache weakens the ETag of a file modified within the last
    second, which would make If-Match fail for that reason alone."""
    past = time.time() - seconds
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            try:
                os.utime(os.path.join(folder, name), (past, past), follow_symlinks=False)
            except OSError:
                pass


# ------------------------------------------------------------------- CalDAV / CardDAV (radicale, xandikos)

CAL_TYPE = ("Content-Type", "text/calendar; charset=utf-8")
VCARD_TYPE = ("Content-Type", "text/vcard; charset=utf-8")
CALDAV = "urn:ietf:params:xml:ns:caldav"
CARDDAV = "urn:ietf:params:xml:ns:carddav"


def ical(uid: str, summary: str, start: str = "20261207T090000Z", extra: str = "") -> bytes:
    """A one-event VCALENDAR."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//corpus//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:{start}\r\nDURATION:PT30M\r\n"
            f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def vcard(uid: str, name: str, email: str) -> bytes:
    """A vCard 3.0 contact."""
    given, family = name.split(" ", 1)
    return ("BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"UID:{uid}\r\nFN:{name}\r\nN:{family};{given};;;\r\nEMAIL;TYPE=INTERNET:{email}\r\n"
            "END:VCARD\r\n").encode()


def sync_body(token: str = "", props: str = "<D:getetag/>") -> bytes:
    """A sync-collection REPORT body (RFC 6578); no token: an initial sync."""
    tok = f"<D:sync-token>{token}</D:sync-token>" if token else "<D:sync-token/>"
    return ('<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection xmlns:D="DAV:">'
            f"{tok}<D:sync-level>1</D:sync-level><D:prop>{props}</D:prop></D:sync-collection>").encode()


def multiget(kind: str, hrefs: list[str]) -> bytes:
    """A calendar-multiget (kind "calendar") or addressbook-multiget REPORT body for HREFS."""
    if kind == "calendar":
        head = f'<C:calendar-multiget xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:prop><D:getetag/><C:calendar-data/></D:prop>'
        tail = "</C:calendar-multiget>"
    else:
        head = f'<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="{CARDDAV}"><D:prop><D:getetag/><C:address-data/></D:prop>'
        tail = "</C:addressbook-multiget>"
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + head
            + "".join(f"<D:href>{h}</D:href>" for h in hrefs) + tail).encode()


def mkcol_addressbook(name: str) -> bytes:
    """An extended MKCOL body (RFC 5689) creating an address book named NAME."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<D:mkcol xmlns:D="DAV:" xmlns:C="{CARDDAV}"><D:set><D:prop>'
            f'<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>{name}</D:displayname>'
            '</D:prop></D:set></D:mkcol>').encode()


CALENDAR_QUERY = (f'<?xml version="1.0" encoding="utf-8"?>\n<C:calendar-query xmlns:D="DAV:" xmlns:C="{CALDAV}">'
                  '<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
                  '<C:comp-filter name="VEVENT"><C:time-range start="20261201T000000Z" end="20261231T000000Z"/>'
                  '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>').encode()
ADDRESSBOOK_QUERY = (f'<?xml version="1.0" encoding="utf-8"?>\n<C:addressbook-query xmlns:D="DAV:" xmlns:C="{CARDDAV}">'
                     '<D:prop><D:getetag/><C:address-data/></D:prop><C:filter><C:prop-filter name="EMAIL">'
                     '<C:text-match collation="i;unicode-casemap" match-type="contains">example.org</C:text-match>'
                     '</C:prop-filter></C:filter></C:addressbook-query>').encode()
MKCALENDAR = (f'<?xml version="1.0" encoding="utf-8"?>\n<C:mkcalendar xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:set><D:prop>'
              '<D:displayname>Holidays</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/>'
              '</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>').encode()
# The events and contacts both CalDAV setups store, so that their answers compare.
STANDUP = ical("standup-20261207@example.com", "Standup")
REVIEW = ical("review-20261210@example.com", "Design review", "20261210T140000Z")
HOLIDAY = ical("holiday-20261224@example.com", "Christmas Eve", "20261224T000000Z")
CAROL = vcard("carol-0001@example.org", "Carol Jones", "carol@example.org")
DAVE = vcard("dave-0002@example.org", "Dave Smith", "dave@example.org")
ERIN = vcard("erin-0003@example.org", "Erin Brown", "erin@example.org")


def put_state(url: str, data: bytes, ctype: tuple[str, str] = CAL_TYPE, user: str | None = None) -> Callable[["Context"], None]:
    """prepare: URL holds DATA (a PUT with its Content-Type: CalDAV servers refuse a PUT without it)."""
    def prepare(ctx: "Context") -> None:
        ctx.curl("PUT", url, [ctype], data, user)
    return prepare


def holdout(setup: str, case_id: str) -> bool:
    """A quarter of the cases, chosen by a hash of the id so that nobody picks them."""
    return hashlib.sha256(f"{setup}/{case_id}".encode()).digest()[0] % 4 == 0


def load_setups(only: list[str] | None) -> list[Setup]:
    folder = os.path.join(HERE, "setups")
    names = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_"))
    setups = []
    sys.path.insert(0, HERE)
    for name in names:
        spec = importlib.util.spec_from_file_location(f"setups.{name}", os.path.join(folder, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        setups += [s for s in getattr(module, "SETUPS", [getattr(module, "SETUP", None)]) if s]
    setups.sort(key=lambda s: s.name)
    for index, setup in enumerate(setups):
        setup.index = index  # its port block: the same whichever setups a run captures
    return [s for s in setups if not only or s.name in only]


# ------------------------------------------------------------------------------------------- capture

def curl_capture(case: Case, path: str, body_file: str | None) -> None:
    args = ["curl", "-s", "-i", "--max-time", "30", "-X", case.method] + case.curl_args
    for n, v in case.headers:
        args += ["-H", f"{n}: {v}"]
    if case.user:
        args += ["-u", case.user]
    if body_file:
        args += ["--data-binary", f"@{body_file}"]
    args.append(case.url)
    with open(path, "wb") as out:
        subprocess.run(args, stdout=out, stderr=subprocess.DEVNULL, timeout=60)


WRITE_METHODS = {"PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPPATCH", "LOCK", "UNLOCK"}


def check_args(binary: str, case: Case, body_file: str | None) -> list[str]:
    args = [binary, "check", case.url, "--method", case.method, "--format", "json", "--timeout", "15"]
    if case.url.startswith("https:"):
        args.append("--insecure")  # the setups' own self-signed certificates
    for n, v in case.headers:
        args += ["--header", f"{n}: {v}"]
    if case.user:
        args += ["--user", case.user]
    if case.method in WRITE_METHODS:
        # A user proving why a write was refused lets check write a scratch file beside it (removed afterwards).
        args.append("--allow-writes")
    if body_file:
        args += ["--body", body_file]
    elif case.method == "PROPFIND":
        # check sends allprop when no body is named; curl sent none: say so with an empty body file.
        args += ["--body", "/dev/null"]
    return args


def capture(args: argparse.Namespace) -> int:
    setups = load_setups(args.only)
    if not setups:
        print("no setup matches", args.only, file=sys.stderr)
        return 2
    out_root = args.out or CORPUS
    live_root = args.live_results
    failures = 0
    for setup in setups:
        work = tempfile.mkdtemp(prefix=f"davdoctor-corpus-{setup.name}.")
        ctx = Context(setup.index, work, args.binary)
        folder = os.path.join(out_root, setup.name)
        began = time.time()
        try:
            base = setup.start(ctx)
            os.makedirs(folder, exist_ok=True)
            for f in os.listdir(folder):
                if f.endswith((".http", ".body")) or f == "cases.jsonl":
                    os.remove(os.path.join(folder, f))
            rows, seen = [], set()
            for case in setup.cases(ctx, base):
                if case.id in seen:
                    raise ValueError(f"{setup.name}: case id {case.id} twice")
                seen.add(case.id)
                body_file = None
                if case.body is not None:
                    body_file = os.path.join(folder, f"{case.id}.body")
                    with open(body_file, "wb") as f:
                        f.write(case.body)
                if case.prepare:
                    case.prepare(ctx)
                capture_path = os.path.join(folder, f"{case.id}.http")
                curl_capture(case, capture_path, body_file)
                with open(capture_path, "rb") as f:
                    status, _, _ = parse_http(f.read())
                row = {
                    "id": case.id, "setup": setup.name, "file": f"{case.id}.http",
                    "method": case.method, "url": case.url,
                    "headers": [[n, v] for n, v in case.headers],
                    "body": f"{case.id}.body" if body_file else None,
                    "user": case.user.split(":", 1)[0] if case.user else None,
                    "cause": case.cause, "resources": case.resources, "kind": case.kind,
                    "status": status, "notes": case.notes, "holdout": holdout(setup.name, case.id),
                    "live": case.live,
                }
                rows.append(row)
                mark = "" if status else "  (no answer)"
                print(f"  {setup.name:14} {case.id:48} {status:3} {case.cause}{mark}", flush=True)
                if live_root and case.live:
                    if case.prepare:
                        case.prepare(ctx)
                    os.makedirs(os.path.join(live_root, setup.name), exist_ok=True)
                    replay = check_args(args.binary, case, body_file)
                    if args.save_exchanges:
                        # check keeps every exchange, probes included, byte-exact: real answers for probe tests.
                        replay += ["--save", os.path.join(args.save_exchanges, setup.name, case.id)]
                    result = subprocess.run(replay, capture_output=True, timeout=180)
                    with open(os.path.join(live_root, setup.name, f"{case.id}.json"), "wb") as f:
                        f.write(json.dumps({"exit": result.returncode, "stdout": result.stdout.decode("utf-8", "replace"),
                                            "stderr": result.stderr.decode("utf-8", "replace")[-2000:]}).encode())
            with open(os.path.join(folder, "cases.jsonl"), "w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
            write_source(folder, setup, len(rows))
            print(f"== {setup.name}: {len(rows)} cases in {time.time() - began:.0f}s", flush=True)
        except Exception as error:  # one setup failing must not hide the others; it still fails the run
            failures += 1
            print(f"== {setup.name}: FAILED: {error}", file=sys.stderr, flush=True)
        finally:
            subprocess.run(["bash", os.path.join(PEERS, "stop.sh"), work], capture_output=True)
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def write_source(folder: str, setup: Setup, count: int) -> None:
    try:
        versions = setup.versions()
    except Exception as error:
        versions = [f"(versions not read: {error})"]
    curl_version = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    lines = [f"# {setup.name}", "",
             "Real answers captured by `scripts/corpus/corpus.py capture` from the servers started by",
             f"`scripts/corpus/setups/` on 127.0.0.1, each saved exactly as `curl -s -i` printed it. The request of",
             "each case (method, URL, headers, body, user) and its label are in `cases.jsonl`; see",
             "`Tests/Corpus/README.md`.", "",
             f"- Captured: {time.strftime('%Y-%m-%d', time.gmtime())} (UTC) with {' '.join(curl_version.split()[:2])}; {count} cases"]
    lines += [f"- {v}" for v in versions]
    lines += [f"- How: {setup.describe}", ""]
    with open(os.path.join(folder, "SOURCE.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def package_version(name: str) -> str:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
    return out.stdout.strip() or "not installed"


def pip_version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return "not installed"


# --------------------------------------------------------------------------------------------- score

def read_cases(root: str) -> list[dict]:
    cases = []
    for setup in sorted(os.listdir(root)):
        manifest = os.path.join(root, setup, "cases.jsonl")
        if os.path.isfile(manifest):
            with open(manifest, encoding="utf-8") as f:
                cases += [json.loads(line) for line in f if line.strip()]
    return cases


def analyze_args(binary: str, root: str, case: dict) -> list[str]:
    args = [binary, "analyze", os.path.join(root, case["setup"], case["file"]), "--format", "json",
            "--method", case["method"], "--url", case["url"], "--jobs", "1"]
    for n, v in case["headers"]:
        args += ["--header", f"{n}: {v}"]
    if case.get("user"):
        args += ["--header", "Authorization: Basic (not shown)"]
    if case.get("body"):
        args += ["--request-body", os.path.join(root, case["setup"], case["body"])]
    return args


def verdict(exit_code: int, stdout: str) -> tuple[str, list[str], Optional[str]]:
    """(top cause or "none", all causes, error) from a davdoctor JSON report."""
    if exit_code not in (0, 1):
        return "error", [], f"exit {exit_code}"
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as error:
        return "error", [], f"not JSON: {error}"
    findings = report.get("findings") or report.get("analysis", {}).get("findings") or []
    causes = [f["cause"] for f in findings]
    return (causes[0] if causes else "none"), causes, None


def run_offline(binary: str, root: str, cases: list[dict], jobs: int) -> dict[str, tuple]:
    from concurrent.futures import ThreadPoolExecutor

    def one(case: dict) -> tuple[str, tuple]:
        r = subprocess.run(analyze_args(binary, root, case), capture_output=True, timeout=120)
        top, causes, error = verdict(r.returncode, r.stdout.decode("utf-8", "replace"))
        if error:
            error += ": " + r.stderr.decode("utf-8", "replace").strip()[-300:]
        return f"{case['setup']}/{case['id']}", (top, causes, error)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(one, cases))


def read_live(results: str, cases: list[dict]) -> dict[str, tuple]:
    out = {}
    for case in cases:
        path = os.path.join(results, case["setup"], f"{case['id']}.json")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        top, causes, error = verdict(record["exit"], record["stdout"])
        if error:
            error += ": " + record["stderr"].strip()[-300:]
        out[f"{case['setup']}/{case['id']}"] = (top, causes, error)
    return out


# Headers that differ between two captures of the same answer: when, how long, which copy.
VOLATILE_HEADERS = {"date", "content-length", "etag", "last-modified", "age", "x-varnish", "set-cookie", "lock-token",
                    "keep-alive", "connection", "expires", "x-request-id", "request-id", "oc-etag", "oc-fileid"}


def answer_key(root: str, case: dict) -> tuple:
    """What analyze can see of a case once names, dates and validators are set aside: the method, which
    request headers were sent, the URL's shape, the status, the stable headers and the body with its
    numbers and the request's path blanked. Two cases with one key and different labels are answer twins:
    no reading of the answer alone can tell them apart (only check's follow-up requests can)."""
    with open(os.path.join(root, case["setup"], case["file"]), "rb") as f:
        status, headers, body = parse_http(f.read())
    path = urllib.parse.urlsplit(case["url"]).path
    text = body.decode("latin-1").replace(path, "PATH").replace(urllib.parse.unquote(path), "PATH")
    text = re.sub(r"[0-9a-f]{8,}", "H", re.sub(r"\d+", "0", text))
    # Values that change what a request means are kept; the others count by their presence.
    sent = tuple(sorted(f"{n.lower()}: {v}" if n.lower() in ("depth", "overwrite", "timeout") else n.lower()
                        for n, v in case["headers"])) + (("authorization",) if case.get("user") else ())
    last = path.rstrip("/").rsplit("/", 1)[-1]
    destination = dict((n.lower(), v) for n, v in case["headers"]).get("destination")
    beside = None
    if destination:
        target = urllib.parse.urlsplit(destination).path
        beside = target.rstrip("/").rsplit("/", 1)[0] == path.rstrip("/").rsplit("/", 1)[0]
    shape = (path.endswith("/"), "." in last, beside)
    stable = tuple(sorted((n, v) for n, v in headers.items() if n not in VOLATILE_HEADERS))
    request_body = b""
    if case.get("body") and case["method"] in ("PUT", "POST"):
        request_body = b"(data)"  # what is uploaded is data, not a request for something
    elif case.get("body"):
        with open(os.path.join(root, case["setup"], case["body"]), "rb") as f:
            request_body = re.sub(rb"\d+", b"0", f.read())
    return (case["method"], sent, request_body, shape, status, stable, text)


def answer_twins(root: str, cases: list[dict]) -> set[str]:
    """The cases that share their answer key with a case of another cause."""
    groups = defaultdict(list)
    for case in cases:
        groups[answer_key(root, case)].append(case)
    twins = set()
    for group in groups.values():
        if len({c["cause"] for c in group}) > 1:
            twins.update(f"{c['setup']}/{c['id']}" for c in group)
    return twins


class Score:
    def __init__(self, name: str, cases: list[dict], verdicts: dict[str, tuple]):
        self.name = name
        self.rows = []
        for case in cases:
            key = f"{case['setup']}/{case['id']}"
            if key in verdicts:
                top, causes, error = verdicts[key]
                self.rows.append((case, top, causes, error))

    def part(self, holdout: Optional[bool]) -> list[tuple]:
        return [r for r in self.rows if holdout is None or r[0]["holdout"] == holdout]

    @staticmethod
    def top1(rows: list[tuple]) -> float:
        return sum(1 for c, top, _, _ in rows if top == c["cause"]) / max(len(rows), 1)

    @staticmethod
    def false_alarms(rows: list[tuple]) -> list[tuple]:
        return [r for r in rows if r[0]["cause"] == "none" and r[1] not in ("none",)]

    @staticmethod
    def errors(rows: list[tuple]) -> list[tuple]:
        return [r for r in rows if r[3]]

    def report(self, show_misses: bool, show_holdout_misses: bool, twins: set[str] = frozenset()) -> None:
        rows = self.rows
        print(f"\n## {self.name}: {len(rows)} cases")
        decidable = [r for r in rows if f"{r[0]['setup']}/{r[0]['id']}" not in twins]
        parts = [("all", rows), ("written from", self.part(False)), ("held out", self.part(True))]
        if twins:
            parts.append(("no twin", decidable))
            parts.append(("held, no twin", [r for r in decidable if r[0].get("holdout")]))
        for label, part in parts:
            print(f"  top-1 {label:13} {self.top1(part) * 100:5.1f} %  ({sum(1 for c, t, _, _ in part if t == c['cause'])}/{len(part)})"
                  f"   false alarms {len(self.false_alarms(part))}   errors {len(self.errors(part))}")
        if twins:
            print(f"  ({len(rows) - len(decidable)} cases have an answer twin: the same answer, once names, dates and validators are set"
                  f" aside, labelled with another cause; the answer alone cannot tell them apart)")
        labels = CAUSES + ["none"]
        predicted = labels + ["error"]
        matrix = defaultdict(Counter)
        for c, top, _, _ in rows:
            matrix[c["cause"]][top if top in predicted else "error"] += 1
        print("\n  confusion (rows: label, columns: top-1 diagnosis)")
        short = {"server-config": "config", "permission": "perm", "storage": "stor", "payload": "payl"}
        header = "  " + " " * 14 + "".join(f"{short.get(p, p)[:6]:>7}" for p in predicted) + "     n   top-1"
        print(header)
        for label in labels:
            n = sum(matrix[label].values())
            if not n:
                continue
            cells = "".join(f"{(matrix[label][p] or '.')!s:>7}" for p in predicted)
            print(f"  {label:14}{cells}  {n:4}  {matrix[label][label] / n * 100:5.1f}%")
        print("\n  per setup")
        by_setup = defaultdict(list)
        for r in rows:
            by_setup[r[0]["setup"]].append(r)
        for setup, part in sorted(by_setup.items()):
            print(f"  {setup:20} {len(part):4} cases  top-1 {self.top1(part) * 100:5.1f} %  false alarms {len(self.false_alarms(part))}  errors {len(self.errors(part))}")
        misses = [r for r in rows if r[1] != r[0]["cause"]]
        if show_misses and misses:
            print("\n  misses" + ("" if show_holdout_misses else " (held-out cases hidden; --show-holdout to list them)"))
            for c, top, causes, error in misses:
                if c["holdout"] and not show_holdout_misses:
                    continue
                twin = " (twin)" if f"{c['setup']}/{c['id']}" in twins else ""
                print(f"    {c['setup']}/{c['id']}{twin}: label {c['cause']}, got {top} {causes[1:4] if len(causes) > 1 else ''}"
                      f"{' ' + error if error else ''}  [{c['method']} {c['status']}] {c['notes'][:90]}")


def live_behind_offline(offline: Score, live: Score) -> list[tuple]:
    """The cases check gets wrong and analyze gets right on the same capture: check must decide every case
    analyze can (its probes add evidence; they must never take the answer's own away)."""
    right_offline = {f"{c['setup']}/{c['id']}": top for c, top, _, _ in offline.rows if top == c["cause"]}
    return [(c, right_offline[f"{c['setup']}/{c['id']}"], top) for c, top, _, _ in live.rows
            if top != c["cause"] and f"{c['setup']}/{c['id']}" in right_offline]


def score(args: argparse.Namespace) -> int:
    root = args.corpus or CORPUS
    cases = read_cases(root)
    if args.only:
        cases = [c for c in cases if c["setup"] in args.only]
    if not cases:
        print(f"no cases under {root}", file=sys.stderr)
        return 2
    counts = Counter(c["cause"] for c in cases)
    setups = sorted({c["setup"] for c in cases})
    print(f"corpus: {len(cases)} cases from {len(setups)} setups; held out {sum(c['holdout'] for c in cases)}")
    print("  by cause: " + ", ".join(f"{k} {counts[k]}" for k in CAUSES + ["none"]))
    scores = [Score("offline (analyze)", cases, run_offline(args.binary, root, cases, args.jobs))]
    if args.live_results:
        scores.append(Score("live (check)", [c for c in cases if c.get("live", True)], read_live(args.live_results, cases)))
    failed = []
    twins = answer_twins(root, cases)
    for s in scores:
        s.report(args.show_misses, args.show_holdout, twins if s is scores[0] else frozenset())
    offline = scores[0]
    if args.min_top1 is not None and offline.top1(offline.rows) < args.min_top1:
        failed.append(f"offline top-1 {offline.top1(offline.rows) * 100:.1f} % is under {args.min_top1 * 100:.1f} %")
    if args.min_holdout is not None and offline.top1(offline.part(True)) < args.min_holdout:
        failed.append(f"held-out top-1 {offline.top1(offline.part(True)) * 100:.1f} % is under {args.min_holdout * 100:.1f} %")
    if args.max_false_alarms is not None and len(offline.false_alarms(offline.rows)) > args.max_false_alarms:
        failed.append(f"{len(offline.false_alarms(offline.rows))} false alarms (at most {args.max_false_alarms})")
    if args.max_errors is not None and len(offline.errors(offline.rows)) > args.max_errors:
        failed.append(f"{len(offline.errors(offline.rows))} errors (at most {args.max_errors})")
    if args.min_live_top1 is not None and len(scores) > 1 and scores[1].top1(scores[1].rows) < args.min_live_top1:
        failed.append(f"live top-1 {scores[1].top1(scores[1].rows) * 100:.1f} % is under {args.min_live_top1 * 100:.1f} %")
    if len(scores) > 1:
        behind = live_behind_offline(offline, scores[1])
        print(f"\n  check wrong where analyze was right: {len(behind)}"
              f" ({sum(1 for c, _, _ in behind if c['holdout'])} held out)")
        for case, offline_top, live_top in behind:
            if case["holdout"] and not args.show_holdout:
                continue
            print(f"    {case['setup']}/{case['id']}: label {case['cause']}, analyze {offline_top}, check {live_top}")
        if args.max_live_behind is not None and len(behind) > args.max_live_behind:
            failed.append(f"check is wrong on {len(behind)} cases analyze gets right (at most {args.max_live_behind})")
    for line in failed:
        print(f"FAIL: {line}", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    default_binary = os.environ.get("DAVDOCTOR", os.path.join(REPO, ".build", "debug", "davdoctor"))
    c = sub.add_parser("capture", help="capture the corpus from real servers")
    c.add_argument("--only", nargs="*", help="setup names")
    c.add_argument("--out", help="write here instead of Tests/Corpus")
    c.add_argument("--live-results", help="also replay each case through davdoctor check; keep its reports here")
    c.add_argument("--save-exchanges", help="with --live-results: keep every exchange of each replay here (check --save)")
    c.add_argument("--binary", default=default_binary)
    s = sub.add_parser("score", help="score davdoctor on the corpus")
    s.add_argument("--corpus", help="default Tests/Corpus")
    s.add_argument("--only", nargs="*", help="setup names")
    s.add_argument("--binary", default=default_binary)
    s.add_argument("--live-results", help="check reports written by capture --live-results")
    s.add_argument("--jobs", type=int, default=2)
    s.add_argument("--min-top1", type=float)
    s.add_argument("--min-holdout", type=float)
    s.add_argument("--max-false-alarms", type=int)
    s.add_argument("--max-errors", type=int)
    s.add_argument("--min-live-top1", type=float, help="with --live-results: the live score's floor")
    s.add_argument("--max-live-behind", type=int, help="with --live-results: at most this many cases check gets wrong"
                   " and analyze right")
    s.add_argument("--show-misses", action="store_true")
    s.add_argument("--show-holdout", action="store_true", help="list held-out misses too (not while writing rules)")
    args = parser.parse_args()
    needs_binary = args.command == "score" or args.live_results
    if needs_binary and not os.access(args.binary, os.X_OK):
        print(f"davdoctor binary not found at {args.binary} (swift build, or --binary)", file=sys.stderr)
        return 2
    return capture(args) if args.command == "capture" else score(args)


if __name__ == "__main__":
    sys.exit(main())
