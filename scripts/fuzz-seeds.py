#!/usr/bin/env python3
"""Writes a seed corpus for one fuzz target (scripts/fuzz.sh) from the fixtures captured from real servers.

usage: fuzz-seeds.py TARGET FIXTURES_DIR OUT_DIR

multistatus-parser  the bodies of every capture (de-chunked, decompressed) and the XML request bodies
capture-reader      every capture file whole (curl -i, curl -D -, curl -v), cut to 64 KiB
header-parsers      header values, status lines and dates seen in the captures, plus hand-written edge cases
path-resolver       every href and request path in the captures, plus traversal spellings
"""
import gzip, hashlib, os, re, sys, zlib

MAX = 64 << 10

def captures(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".http", ".txt", ".xml")) and name != "SOURCE.md":
                with open(os.path.join(folder, name), "rb") as f:
                    yield name, f.read()

def body_of(data):
    """The body after the last header block of a curl -i capture, decoded as a client would."""
    if not data.startswith(b"HTTP/"):
        return data
    heads, rest = [], data
    while rest.startswith(b"HTTP/"):
        sep = re.search(rb"\r?\n\r?\n", rest)
        if not sep:
            return b""
        heads.append(rest[:sep.start()].lower())
        rest = rest[sep.end():]
    head = heads[-1]
    if b"transfer-encoding: chunked" in head:
        out, pos = b"", 0
        while True:
            line_end = rest.find(b"\n", pos)
            if line_end < 0:
                break
            try:
                size = int(rest[pos:line_end].split(b";")[0].strip(), 16)
            except ValueError:
                break
            if size == 0:
                break
            out += rest[line_end + 1:line_end + 1 + size]
            pos = line_end + 1 + size + 2
        rest = out
    try:
        if b"content-encoding: gzip" in head:
            rest = gzip.decompress(rest)
        elif b"content-encoding: deflate" in head:
            rest = zlib.decompress(rest)
    except Exception:
        pass
    return rest

HEADER_SEEDS = [
    b"0", b"1", b"infinity", b"Infinity", b"2", b"", b" 1 ",
    b"T", b"F", b"t",
    b"Second-3600", b"Infinite, Second-4100000000", b"Second-", b"Second-99999999999999999999",
    b"<opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4>",
    b"(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2>)",
    b'<http://127.0.0.1/a> (Not <urn:x> ["etag"]) (<urn:y>)',
    b'(["W/\\"1\\""])', b"(Not <DAV:no-lock>)", b"<>", b"(", b"((<a>)",
    b"http://127.0.0.1:8080/dest/x%20y", b"https://example.com/a", b"/relative", b"http://[::1]:80/",
    b"HTTP/1.1 200 OK", b"HTTP/0.0 200 OK", b"HTTP/1.1 4xx", b"HTTP/1.1 99999999999999999999 x",
    b"Sun, 06 Nov 1994 08:49:37 GMT", b"2024-02-29T12:00:00Z", b"Sunday, 06-Nov-94 08:49:37 GMT",
    b"%", b"%zz", b"%2F", b"%C0%AE", b"/a%2Fb/%2e%2e/", b"//x//y/", b"/\xc3\xa9/e\xcc\x81",
]

PATH_SEEDS = [
    b"/", b"/a/b/", b"/a/../b", b"/%2e%2e/etc/passwd", b"/%2E%2e%2f", b"/a%2Fb", b"/a%5cb", b"/a\\b",
    b"/%00", b"/a%0d%0aSet-Cookie:x", b"/%C0%AE%C0%AE/", b"/%E2%80%AE", b"/100%.txt", b"/x?y=/..",
    b"relative", b"/./", b"/...", b"/%252e%252e/", b"/\xff", b"/" + b"a/" * 300,
]

def unique(out_dir, items):
    count = 0
    for item in items:
        item = item[:MAX]
        name = hashlib.sha1(item).hexdigest()
        path = os.path.join(out_dir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(item)
            count += 1
    return count

def main():
    target, fixtures, out_dir = sys.argv[1:4]
    items = []
    for name, data in captures(fixtures):
        if target == "multistatus-parser":
            items.append(body_of(data))
        elif target == "capture-reader":
            items.append(data)
        elif target == "header-parsers":
            for line in re.findall(rb"^[<>]? ?(?:If|Depth|Timeout|Destination|Overwrite|Lock-Token|Date|Last-Modified): ?(.*?)\r?$",
                                   data, re.M | re.I):
                items.append(line)
            items += re.findall(rb"<[^>]*status>(.*?)</", data)[:20]
            items += re.findall(rb"<[^>]*getlastmodified>(.*?)</", data)[:5]
            items += re.findall(rb"<[^>]*href>(.*?)</", data)[:20]
        elif target == "path-resolver":
            items += re.findall(rb"<[^>]*href>(?:https?://[^/<]*)?(.*?)</", data)[:50]
            items += re.findall(rb"^> [A-Z]+ (\S+) HTTP/", data, re.M)
        else:
            sys.exit(f"fuzz-seeds.py: unknown target {target}")
    if target == "header-parsers":
        items += HEADER_SEEDS
    if target == "path-resolver":
        items += PATH_SEEDS
    print(f"{unique(out_dir, items)} seeds for {target}")

main()
