#!/usr/bin/env python3
"""Sends a small WebDAV session to a peer and writes it the way OkHttp's HttpLoggingInterceptor logs it at
level BODY (`--> METHOD URL http/1.1`, headers, body, `--> END METHOD (N-byte body)`, `<-- STATUS reason URL
(Nms)`, headers, body, `<-- END HTTP (N-byte body)`), each line behind DAVx5's debug-log prefix
(`YYYY-MM-DD HH:MM:SS [okhttp.OkHttpClient] `), with Authorization redacted as redactHeader() does (██).
The exchanges are real (statuses, headers and bodies come from the peer); the log's wording is reproduced,
because neither DAVx5 nor OkHttp can run here.

    okhttp-log-from-wsgidav.py http://127.0.0.1:18784 > davx5-okhttp.log
"""
import datetime
import http.client
import sys
import time
import urllib.parse

base = sys.argv[1]
PROPFIND = ('<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/>'
            '<d:getetag/><d:getcontentlength/></d:prop></d:propfind>')
XML = "application/xml; charset=utf-8"
steps = [
    ("PROPFIND", "/docs/", {"Depth": "1", "Authorization": "Basic YWxpY2U6YWxpY2UtcHc="}, PROPFIND, XML),
    ("PUT", "/locks/held.txt", {}, "from okhttp\n", "text/plain; charset=utf-8"),
    ("DELETE", "/locks/", {}, None, None),
    ("PROPFIND", "/nope/", {"Depth": "0"}, PROPFIND, XML),
]


def log(message):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} [okhttp.OkHttpClient] {message}")


parts = urllib.parse.urlsplit(base)
for method, path, headers, body, content_type in steps:
    url = base + path
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    data = body.encode() if body is not None else None
    sent = dict(headers)
    log(f"--> {method} {url} http/1.1")
    if data is not None:
        log(f"Content-Type: {content_type}")
        log(f"Content-Length: {len(data)}")
        sent["Content-Type"] = content_type
    for name, value in headers.items():
        log(f"{name}: {'██' if name == 'Authorization' else value}")
    log(f"Host: {parts.netloc}")
    log("Connection: Keep-Alive")
    log("Accept-Encoding: gzip")
    log("User-Agent: okhttp/5.5.1")
    if data is not None:
        log("")
        log(body)
        log(f"--> END {method} ({len(data)}-byte body)")
    else:
        log(f"--> END {method}")
    started = time.monotonic()
    connection.request(method, path, body=data, headers={**sent, "User-Agent": "okhttp/5.5.1", "Accept-Encoding": "gzip"})
    response = connection.getresponse()
    answer = response.read()
    elapsed = int((time.monotonic() - started) * 1000)
    log(f"<-- {response.status} {response.reason} {url} ({elapsed}ms)")
    for name, value in response.getheaders():
        log(f"{name}: {value}")
    if answer:
        log("")
        log(answer.decode("utf-8"))
        log(f"<-- END HTTP ({len(answer)}-byte body)")
    else:
        log("<-- END HTTP (0-byte body)")
    connection.close()
