#!/usr/bin/env python3
"""Generate a large, realistic WebDAV 207 Multi-Status body (RFC 4918).

    gen-multistatus.py OUT [--responses N] [--seed S] [--shape apache|nginx]

--shape apache (the default): a PROPFIND allprop (Depth: infinity) response as
Apache mod_dav emits it: one element per line, D: prefix, supportedlock and
lockdiscovery included, about 760 bytes a response. Described below.

--shape nginx: a PROPFIND allprop Depth 1 listing as nginx's dav-ext module
writes it (Tests/Corpus/nginx/propfind-big-listing-windows.http): the root
collection /bench/ then N-1 members (~1% sub-collections), each with
displayname, getcontentlength (files only), getlastmodified, resourcetype
(`<D:resourcetype></D:resourcetype>` for a file), <D:lockdiscovery/> and one
exclusive write lockentry, in that order; no getetag, no creationdate; hrefs
percent-encoded as dav-ext does (space, '#', '%' and UTF-8, but not '&', which
is written &amp;); every propstat 200, as dav-ext writes no other (it refuses
Depth infinity, and a member it cannot read fails the whole request). About 520
bytes a response: the dense shape, where the cost per response shows most.

Layout of the generated tree (response count is exactly N):
  /bench/                      root collection (first response)
  /bench/dirNNNN/              one collection per directory, followed by its
  /bench/dirNNNN/<member>      1000 members (files, ~1% sub-collections)

Irregularities (deterministic for a given seed):
  * ~1 in 50 OK responses carries an extra propstat 404 for the dead property
    <x:author xmlns:x="urn:example:props"/>.
  * ~1 in 200 responses is a failing resource (href + status, no propstat):
    alternating 403 Forbidden / 404 Not Found, and every 10th failure is
    423 Locked with a DAV:lock-token-submitted error element.
  * the whole subtree /bench/dir0042/ (collection and all members) is 403.
  * some member names contain percent-encoded spaces, '&' and UTF-8.

Output (either shape) is streamed in large batches (constant memory). Size and response
count are printed to stderr at the end. OUT may be '-' for stdout.
"""

import argparse
import random
import sys
import time
from urllib.parse import quote

MEMBERS_PER_DIR = 1000
FORBIDDEN_DIR = 42
BATCH = 5000  # responses per write

HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">\n'
FOOTER = "</D:multistatus>\n"

LOCKS = (
    "<D:supportedlock>\n"
    "<D:lockentry>\n"
    "<D:lockscope><D:exclusive/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n"
    "</D:lockentry>\n"
    "<D:lockentry>\n"
    "<D:lockscope><D:shared/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n"
    "</D:lockentry>\n"
    "</D:supportedlock>\n"
    "<D:lockdiscovery/>\n"
)

OK_TAIL = LOCKS + "</D:prop>\n<D:status>HTTP/1.1 200 OK</D:status>\n</D:propstat>\n"

DEAD_404 = (
    "<D:propstat>\n"
    "<D:prop>\n"
    '<x:author xmlns:x="urn:example:props"/>\n'
    "</D:prop>\n"
    "<D:status>HTTP/1.1 404 Not Found</D:status>\n"
    "</D:propstat>\n"
)

FILE_TMPL = (
    "<D:response>\n"
    "<D:href>%s</D:href>\n"
    "<D:propstat>\n"
    "<D:prop>\n"
    "<D:creationdate>%s</D:creationdate>\n"
    "<D:displayname>%s</D:displayname>\n"
    "<D:getcontentlength>%d</D:getcontentlength>\n"
    "<D:getlastmodified>%s</D:getlastmodified>\n"
    '<D:getetag>"%x-%x"</D:getetag>\n'
    "<D:getcontenttype>%s</D:getcontenttype>\n"
    "<D:resourcetype/>\n"
)

COLL_TMPL = (
    "<D:response>\n"
    "<D:href>%s</D:href>\n"
    "<D:propstat>\n"
    "<D:prop>\n"
    "<D:creationdate>%s</D:creationdate>\n"
    "<D:displayname>%s</D:displayname>\n"
    "<D:getlastmodified>%s</D:getlastmodified>\n"
    '<D:getetag>"%x-%x"</D:getetag>\n'
    "<D:getcontenttype>httpd/unix-directory</D:getcontenttype>\n"
    "<D:resourcetype><D:collection/></D:resourcetype>\n"
)

STATUS_TMPL = "<D:response>\n<D:href>%s</D:href>\n<D:status>HTTP/1.1 %s</D:status>\n</D:response>\n"

LOCKED_TMPL = (
    "<D:response>\n"
    "<D:href>%s</D:href>\n"
    "<D:status>HTTP/1.1 423 Locked</D:status>\n"
    "<D:error><D:lock-token-submitted><D:href>/bench/dir0100/</D:href></D:lock-token-submitted></D:error>\n"
    "</D:response>\n"
)

NGINX_HEADER = '<?xml version="1.0" encoding="utf-8" ?>\n<D:multistatus xmlns:D="DAV:">\n'

NGINX_LOCKS = (
    "<D:lockdiscovery/>\n"
    "<D:supportedlock>\n"
    "<D:lockentry>\n"
    "<D:lockscope><D:exclusive/></D:lockscope>\n"
    "<D:locktype><D:write/></D:locktype>\n"
    "</D:lockentry>\n"
    "</D:supportedlock>\n"
    "</D:prop>\n"
    "<D:status>HTTP/1.1 200 OK</D:status>\n"
    "</D:propstat>\n"
    "</D:response>\n"
)

NGINX_FILE_TMPL = (
    "<D:response>\n"
    "<D:href>%s</D:href>\n"
    "<D:propstat>\n"
    "<D:prop>\n"
    "<D:displayname>%s</D:displayname>\n"
    "<D:getcontentlength>%d</D:getcontentlength>\n"
    "<D:getlastmodified>%s</D:getlastmodified>\n"
    "<D:resourcetype></D:resourcetype>\n"
) + NGINX_LOCKS

NGINX_COLL_TMPL = (
    "<D:response>\n"
    "<D:href>%s</D:href>\n"
    "<D:propstat>\n"
    "<D:prop>\n"
    "<D:displayname>%s</D:displayname>\n"
    "<D:getlastmodified>%s</D:getlastmodified>\n"
    "<D:resourcetype><D:collection/></D:resourcetype>\n"
) + NGINX_LOCKS

# (name pattern with %06d, content type)
FILE_KINDS = [
    ("file%06d.txt", "text/plain"),
    ("notes-%06d.md", "text/markdown"),
    ("IMG_%06d.jpg", "image/jpeg"),
    ("scan%06d.png", "image/png"),
    ("data%06d.csv", "text/csv"),
    ("archive%06d.tar.gz", "application/gzip"),
    ("page%06d.html", "text/html"),
    ("report %06d.pdf", "application/pdf"),          # space -> %20
    ("Quarterly Report %06d.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("café-%06d.txt", "text/plain"),                  # UTF-8 -> %C3%A9
    ("résumé %06d.pdf", "application/pdf"),
    ("日本語ファイル%06d.txt", "text/plain"),
    ("R&D notes %06d.txt", "text/plain"),             # '&' -> %26 / &amp;
    ("Ünïcødé—%06d.bin", "application/octet-stream"),
]
# Mostly plain ASCII names; the tail of the list is rarer.
KIND_WEIGHTS = [30, 8, 12, 6, 6, 4, 6, 6, 4, 4, 3, 3, 2, 2]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc3339(t):
    g = time.gmtime(t)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (g.tm_year, g.tm_mon, g.tm_mday,
                                              g.tm_hour, g.tm_min, g.tm_sec)


def rfc1123(t):
    g = time.gmtime(t)
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        DAYS[g.tm_wday], g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year,
        g.tm_hour, g.tm_min, g.tm_sec)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def generate(out, n, seed):
    rng = random.Random(seed)
    # Precompute a big weighted table so picking a kind is one randrange.
    kind_table = []
    for k, w in enumerate(KIND_WEIGHTS):
        kind_table.extend([k] * w)
    ktn = len(kind_table)
    rand = rng.random
    randrange = rng.randrange

    base_t = 1577836800  # 2020-01-01
    span = 4 * 365 * 86400

    total = 0
    count = 0
    fail_seq = 0
    buf = []

    def flush():
        nonlocal total
        data = "".join(buf).encode("utf-8")
        out.write(data)
        total += len(data)
        buf.clear()

    def ok_collection(href, name):
        ct = base_t + randrange(span)
        mt = ct + randrange(86400 * 30)
        return (COLL_TMPL % (href, rfc3339(ct), xml_escape(name), rfc1123(mt),
                             4096, mt * 1000000 + randrange(1000000))) + OK_TAIL

    head = HEADER.encode("utf-8")
    out.write(head)
    total += len(head)

    # Response 0: the root collection.
    buf.append(ok_collection("/bench/", "bench") + "</D:response>\n")
    count = 1

    d = 0
    while count < n:
        dir_name = "dir%04d" % d
        dir_href = "/bench/%s/" % dir_name
        forbidden = d == FORBIDDEN_DIR
        # The directory collection itself, then its members.
        for j in range(-1, MEMBERS_PER_DIR):
            if count >= n:
                break
            count += 1
            if j < 0:
                href = dir_href
                if forbidden:
                    buf.append(STATUS_TMPL % (href, "403 Forbidden"))
                else:
                    buf.append(ok_collection(href, dir_name) + "</D:response>\n")
                continue

            is_coll = (j % 100) == 57  # ~1% sub-collections
            if is_coll:
                name = "sub%03d" % (j // 100)
                href = dir_href + name + "/"
            else:
                kind = kind_table[randrange(ktn)]
                pattern, ctype = FILE_KINDS[kind]
                name = pattern % (d * MEMBERS_PER_DIR + j)
                href = dir_href + (quote(name, safe="-._~") if kind >= 7 else name)

            if forbidden:
                buf.append(STATUS_TMPL % (href, "403 Forbidden"))
            elif rand() < 0.005:  # ~1 in 200 failing resources
                fail_seq += 1
                if fail_seq % 10 == 0:
                    buf.append(LOCKED_TMPL % href)
                elif fail_seq % 2:
                    buf.append(STATUS_TMPL % (href, "403 Forbidden"))
                else:
                    buf.append(STATUS_TMPL % (href, "404 Not Found"))
            else:
                if is_coll:
                    body = ok_collection(href, name)
                else:
                    ct = base_t + randrange(span)
                    mt = ct + randrange(86400 * 90)
                    # Log-ish size distribution: mostly small, some large.
                    size = int(rand() ** 4 * 50000000)
                    body = (FILE_TMPL % (href, rfc3339(ct), xml_escape(name), size,
                                         rfc1123(mt), size,
                                         mt * 1000000 + randrange(1000000), ctype)) + OK_TAIL
                if rand() < 0.02:  # ~1 in 50: dead property not found
                    body += DEAD_404
                buf.append(body + "</D:response>\n")

            if len(buf) >= BATCH:
                flush()
        d += 1

    buf.append(FOOTER)
    flush()
    return total, count


def nginx_href(path):
    """An href as dav-ext writes it: percent-encoded but for '&' (then XML-escaped), as in the corpus."""
    return xml_escape(quote(path, safe="/-._~!$&'()*+,;=:@"))


def generate_nginx(out, n, seed):
    rng = random.Random(seed)
    kind_table = []
    for k, w in enumerate(KIND_WEIGHTS):
        kind_table.extend([k] * w)
    ktn = len(kind_table)
    rand = rng.random
    randrange = rng.randrange
    base_t = 1577836800  # 2020-01-01
    span = 4 * 365 * 86400

    total = 0
    buf = []

    def flush():
        nonlocal total
        data = "".join(buf).encode("utf-8")
        out.write(data)
        total += len(data)
        buf.clear()

    head = NGINX_HEADER.encode("utf-8")
    out.write(head)
    total += len(head)
    buf.append(NGINX_COLL_TMPL % ("/bench/", "bench", rfc1123(base_t + randrange(span))))
    count = 1
    j = 0
    while count < n:
        count += 1
        mt = base_t + randrange(span)
        if j % 100 == 57:  # ~1% sub-collections
            name = "sub%06d" % j
            buf.append(NGINX_COLL_TMPL % (nginx_href("/bench/" + name + "/"), name, rfc1123(mt)))
        else:
            pattern, _ = FILE_KINDS[kind_table[randrange(ktn)]]
            name = pattern % j
            size = int(rand() ** 4 * 50000000)
            buf.append(NGINX_FILE_TMPL % (nginx_href("/bench/" + name), xml_escape(name), size, rfc1123(mt)))
        j += 1
        if len(buf) >= BATCH:
            flush()
    buf.append(FOOTER)
    flush()
    return total, count


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", metavar="OUT", help="output file ('-' for stdout)")
    ap.add_argument("--responses", type=int, default=2_500_000, metavar="N")
    ap.add_argument("--seed", type=int, default=4918, metavar="S")
    ap.add_argument("--shape", choices=("apache", "nginx"), default="apache",
                    help="whose allprop answer to imitate (default apache)")
    args = ap.parse_args()
    if args.responses < 1:
        ap.error("--responses must be >= 1")

    make = generate_nginx if args.shape == "nginx" else generate
    t0 = time.monotonic()
    if args.out == "-":
        size, count = make(sys.stdout.buffer, args.responses, args.seed)
        sys.stdout.buffer.flush()
    else:
        with open(args.out, "wb", buffering=1 << 22) as f:
            size, count = make(f, args.responses, args.seed)
    dt = time.monotonic() - t0
    print("wrote %d bytes (%.1f MB), %d responses in %.1f s"
          % (size, size / 1e6, count, dt), file=sys.stderr)


if __name__ == "__main__":
    main()
