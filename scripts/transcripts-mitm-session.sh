#!/usr/bin/env bash
# The session sent through mitmdump (reverse proxy on 127.0.0.1:$1 in front of WsgiDAV).
set -u
S=http://127.0.0.1:$1
X=(-H 'Content-Type: application/xml; charset=utf-8')
curl -s -o /dev/null -X OPTIONS "$S/docs/"
curl -s -o /dev/null -X PROPFIND -H 'Depth: 1' "${X[@]}" --data-binary '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontentlength/><D:resourcetype/></D:prop></D:propfind>' "$S/docs/"
curl -s -o /dev/null "$S/docs/plain.txt"
curl -s -o /dev/null -X PUT -H 'Content-Type: text/plain' --data-binary 'hello from curl' "$S/upload/new.txt"
curl -s -o /dev/null -X LOCK -H 'Timeout: Second-600' "${X[@]}" --data-binary '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>mitm-session</D:owner></D:lockinfo>' "$S/locks/sub/deep.txt"
curl -s -o /dev/null -X DELETE "$S/locks/"
curl -s -o /dev/null -X MKCOL "$S/missing/child/"
curl -s -o /dev/null -X PROPFIND -H 'Depth: 0' "$S/nope/"
