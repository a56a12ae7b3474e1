#!/usr/bin/env python3
"""Sends a small WebDAV session to a peer and writes it as Cyberduck's transcript window shows one: the
request line and headers behind `> `, the status line and headers behind `< `, no bodies, and the
Authorization value hidden as Cyberduck hides it (********). The exchanges are real (statuses and headers
come from the peer); the transcript's wording is reproduced, because Cyberduck cannot run here.

    cyberduck-transcript-from-wsgidav.py http://127.0.0.1:18784 > cyberduck-transcript.txt
"""
import http.client
import sys
import urllib.parse

base = sys.argv[1]
PROPFIND = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>')
steps = [
    ("PROPFIND", "/docs/", {"Depth": "1", "Content-Type": "text/xml; charset=utf-8", "Authorization": "Basic YWxpY2U6YWxpY2UtcHc="}, PROPFIND),
    ("MKCOL", "/missing/child/", {}, None),
    ("DELETE", "/locks/held.txt", {}, None),
    ("PROPFIND", "/nope/", {"Depth": "0", "Content-Type": "text/xml; charset=utf-8"}, PROPFIND),
]
parts = urllib.parse.urlsplit(base)
for method, path, headers, body in steps:
    data = body.encode() if body else None
    sent = {**headers, "Host": parts.netloc, "Connection": "Keep-Alive", "User-Agent": "Cyberduck/9.1.2.42722 (Mac OS X/15.1) (x86_64)",
            "Accept-Encoding": "gzip,deflate"}
    if data is not None:
        sent["Content-Length"] = str(len(data))
    print(f"> {method} {path} HTTP/1.1")
    for name, value in sent.items():
        print(f"> {name}: {'********' if name == 'Authorization' else value}")
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    connection.request(method, path, body=data, headers={k: v for k, v in sent.items() if k != "Host"})
    response = connection.getresponse()
    response.read()
    print(f"< HTTP/1.1 {response.status} {response.reason}")
    for name, value in response.getheaders():
        print(f"< {name}: {value}")
    connection.close()
