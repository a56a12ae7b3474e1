#!/usr/bin/env python3
"""Writes nextcloud.log lines (Nextcloud's JSON log format, one object a line) for SabreDAV error answers
captured with `curl -i`: the exception class, message, file and line come from SabreDAV's own error body
(<s:exception>, <s:message>, <s:file>, <s:line>; start the peer with DEBUG_EXCEPTIONS=1), the time from the
answer's Date header. Nextcloud itself cannot run here; its log shape is reproduced around SabreDAV's text.

    nextcloud-log-from-sabredav.py METHOD URL USER CAPTURE.http [METHOD URL USER CAPTURE.http ...] > nextcloud.log
"""
import email.utils
import html
import json
import random
import re
import string
import sys

LEVEL_DEBUG, LEVEL_ERROR = 0, 3
# Nextcloud's ExceptionLoggerPlugin logs these at debug level, everything else at error level.
NON_FATAL = {"NotFound", "Conflict", "Locked", "FileLocked", "NotAuthenticated", "Forbidden", "PreconditionFailed", "BadRequest"}


def tag(body, name):
    match = re.search(r"<s:%s>(.*?)</s:%s>" % (name, name), body, re.S)
    return html.unescape(match.group(1)) if match else ""


def line_for(method, url, user, capture):
    text = open(capture, encoding="utf-8").read()
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    date = re.search(r"^Date: (.*)$", head, re.M).group(1)
    when = email.utils.parsedate_to_datetime(date)
    exception = tag(body, "exception")
    trace = [{"file": f, "line": int(n), "function": fn.split("->")[-1].rstrip("()"), "class": fn.split("->")[0] if "->" in fn else ""}
             for f, n, fn in re.findall(r"#\d+ (\S+?)\((\d+)\): (\S+)", tag(body, "stacktrace"))]
    return {
        "reqId": "".join(random.Random(capture).choices(string.ascii_letters + string.digits, k=20)),
        "level": LEVEL_DEBUG if exception.rsplit("\\", 1)[-1] in NON_FATAL else LEVEL_ERROR,
        "time": when.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "remoteAddr": "127.0.0.1",
        "user": user,
        "app": "webdav",
        "method": method,
        "url": url,
        "message": tag(body, "message") or exception,
        "userAgent": "Mozilla/5.0 (Linux) mirall/3.14.3 (Nextcloud, debian-6.1.0 ClientArchitecture: x86_64 OsArchitecture: x86_64)",
        "version": "30.0.2.2",
        "exception": {
            "Exception": exception,
            "Message": tag(body, "message"),
            "Code": int(tag(body, "code") or 0),
            "Trace": trace,
            "File": tag(body, "file"),
            "Line": int(tag(body, "line") or 0),
            "CustomMessage": "--",
        },
        "id": "".join(random.Random(capture + "id").choices(string.ascii_lowercase + string.digits, k=13)),
    }


args = sys.argv[1:]
if not args or len(args) % 4:
    sys.exit(__doc__)
for i in range(0, len(args), 4):
    print(json.dumps(line_for(*args[i:i + 4]), separators=(",", ":")))
