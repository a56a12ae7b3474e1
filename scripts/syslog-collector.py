#!/usr/bin/env python3
"""Listens on a syslog socket (default /dev/log, where no syslog daemon runs) and appends each datagram to
FILE as rsyslog's traditional file format writes it: `Mmm dd HH:MM:SS HOST TAG: message`, control
characters escaped as #ooo (a newline is #012). Used to keep davfs2's `debug most` output.

    syslog-collector.py FILE [HOSTNAME] [SOCKET]
"""
import os
import re
import socket
import sys

out_path = sys.argv[1]
host = sys.argv[2] if len(sys.argv) > 2 else "localhost"
path = sys.argv[3] if len(sys.argv) > 3 else "/dev/log"
if os.path.exists(path):
    os.unlink(path)
server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
server.bind(path)
os.chmod(path, 0o666)
out = open(out_path, "a", encoding="utf-8", errors="replace", buffering=1)
while True:
    text = server.recv(65536).rstrip(b"\0").decode("utf-8", "replace")
    text = re.sub(r"^<\d+>", "", text)
    stamp, rest = text[:15], text[16:]
    escaped = re.sub(r"[\x00-\x1f]", lambda m: "#%03o" % ord(m.group()), rest)
    out.write(f"{stamp} {host} {escaped}\n")
