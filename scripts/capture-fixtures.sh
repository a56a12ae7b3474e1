#!/usr/bin/env bash
# Re-create the real-server captures under Tests/Fixtures/ (see Tests/Fixtures/README.md).
#
#   scripts/capture-fixtures.sh            # all servers
#   ONLY="apache-2.4 rclone" scripts/capture-fixtures.sh
#
# Starts the peers from scripts/peers/ on 127.0.0.1 (ports 18081-18093, override with PORT_BASE, default
# 18080: apache +1, nginx +2, lighttpd +3, wsgidav +4, rclone +5, nginx-proxy +6..+9, rclone-faulty +10,
# apache-lockdb +11, radicale +12, xandikos +13),
# drives each one into every failure it can really produce with curl, and saves each response as
#   <name>.http        exactly what `curl -s -i` prints (status line, headers, body)
#   <name>.curl-v.txt  `curl -s -v` with stderr and stdout merged (">" request and "<" response lines)
#   <name>.xml         the bare response body (`curl -s`)
# into Tests/Fixtures/<server>/ (the REPORT request bodies into Tests/Fixtures/request-bodies/), then rewrites the generated block of each folder's SOURCE.md (versions,
# date, the fixture table). Prose outside the generated block is kept. Needs root for the tmpfs (507) cases.
# Writes nothing outside Tests/Fixtures/ except a temporary work dir, removed at the end (servers stopped,
# tmpfs unmounted). Re-runnable: each run replaces the fixture files it owns.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
peers="$repo/scripts/peers"
FIX="${FIXTURES_DIR:-$repo/Tests/Fixtures}"  # FIXTURES_DIR: capture into a copy instead (CI does)
PORT_BASE=${PORT_BASE:-18080}
P_APACHE=$((PORT_BASE + 1)) P_NGINX=$((PORT_BASE + 2)) P_LIGHTTPD=$((PORT_BASE + 3))
P_WSGIDAV=$((PORT_BASE + 4)) P_RCLONE=$((PORT_BASE + 5)) P_PROXY=$((PORT_BASE + 6))
P_RCLONE_FAULTY=$((PORT_BASE + 10)) P_APACHE_LOCKDB=$((PORT_BASE + 11))
P_RADICALE=$((PORT_BASE + 12)) P_XANDIKOS=$((PORT_BASE + 13))
BIG_FILES=${BIG_FILES:-1500}
ONLY=${ONLY:-"apache-2.4 nginx-dav-ext lighttpd wsgidav rclone nginx-proxy radicale xandikos"}
started=$(date +%s)

WORK=$(mktemp -d /tmp/davdoctor-capture.XXXXXX)
cleanup() {
  "$peers/stop.sh" "$WORK" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------- helpers

ALLPROP='<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
NAMEDPROPS='<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getetag/><D:getlastmodified/><D:displayname/><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>'
LOCKINFO='<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:alice@example.com</D:href></D:owner></D:lockinfo>'
PROPPATCH_PROTECTED='<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x-davdoctor:"><D:set><D:prop><D:getetag>"forged"</D:getetag><Z:color>red</Z:color></D:prop></D:set></D:propertyupdate>'
XML=(-H 'Content-Type: application/xml; charset="utf-8"')
RB="$FIX/request-bodies"  # the REPORT bodies: written there, then sent from there (see body())
WRONG_TOKEN='opaquelocktoken:00000000-0000-4000-8000-000000000000'

head -c 4096 /dev/zero | tr '\0' 'x' >"$WORK/4k.bin"
head -c 65536 /dev/zero | tr '\0' 'y' >"$WORK/64k.bin"
head -c 131072 /dev/zero | tr '\0' 'z' >"$WORK/128k.bin"

SERVER=""    # current fixture folder name
declare -A ROWS

# Per-server corrections, found by reading the captures: "server/file" -> "cause|resources|note".
# An empty field keeps what capture() decided; a cause with "!" is kept even for an all-2xx response.
declare -A OVR=(
  [rclone/put-quota.http]='||live only: rclone sends no Server header and answers 405 for a full disk; only its log tells'
  [lighttpd/propfind-depth1.http]='!payload|/docs/, /docs/sub/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [lighttpd/propfind-depth1.xml]='!payload|/docs/, /docs/sub/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [lighttpd/propfind-depth0.http]='!payload|/docs/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [lighttpd/propfind-no-trailing-slash.http]='!payload|/docs/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [lighttpd/propfind-secret-alice.http]='!payload|/secret/alice/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [lighttpd/propfind-lockdiscovery.http]='!payload|/locks/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [rclone/propfind-stale-dir-cache.http]='||live only: only a repeat against the live server (davdoctor check) shows the stale cache'
  [rclone/get-stale-dir-cache.http]='||live only: only a repeat against the live server (davdoctor check) shows the stale cache'
  [apache-2.4/put-method-disabled.http]='permission||AllowMethods keeps only reads on /ro/: a read-only share (Apache answers Allow: TRACE)'
  [lighttpd/propfind-named-props.http]='!payload|/docs/|lighttpd reports getcontentlength 4096 on collections (catalog PAY-07)'
  [apache-2.4/propfind-no-trailing-slash.http]='path|/docs|Apache redirects PROPFIND; clients that do not follow redirects on PROPFIND fail'
  [nginx-dav-ext/propfind-no-trailing-slash.http]='!path|/docs|the collection comes back with href /docs (no trailing slash)'
  [nginx-dav-ext/propfind-no-depth.http]='!server-config|/docs/|answered as Depth 0 (only the collection itself), although a missing Depth means infinity'
  [nginx-dav-ext/propfind-named-props.http]='!payload|/docs/|getcontentlength, getetag and the quota properties are silently left out instead of reported with 404'
  [nginx-dav-ext/put-missing-parent.http]='||ambiguous: nginx answers 500, not 409; its error log says rename() of the body temp file failed (2: No such file or directory)'
  [wsgidav/propfind-named-props.http]='!none|-|the 404 propstat holds only getcontentlength and getetag, which a collection need not have'
  [nginx-dav-ext/proppatch-protected.http]='server-config||dav-ext has no PROPPATCH'
  [apache-2.4/copy-dest-other-host.http]='||Apache ignores the Destination host and copies inside itself'
  [apache-2.4/propfind-big-depth1.http]='||files written about a second before the listing may carry weak W/ getetag values (timing-dependent)'
  [rclone/put-missing-parent.http]='||rclone answers 404, not 409'
  [rclone/copy-dest-https.http]='||rclone ignores the Destination scheme and copies'
  [nginx-dav-ext/delete-collection-locked-member.http]='||the member lock is ignored: the collection and the locked file are deleted'
  [lighttpd/delete-collection-locked-member.http]='||the member lock is ignored: the collection and the locked file are deleted'
  [rclone/delete-collection-locked-member.http]='||the member lock is ignored: the collection and the locked file are deleted'
  [nginx-dav-ext/unlock-wrong-token.http]='||dav-ext answers 204 to an UNLOCK with a token it never issued; the lock stays'
  [radicale/propfind-supported-reports-principal.http]='||expand-property, principal-search-property-set and principal-property-search are listed everywhere although Radicale implements none of them'
  [radicale/get-well-known-caldav.http]='||301 to / (Location is path-absolute)'
  [radicale/propfind-well-known-caldav.http]='||301 to /, as for GET'
  [radicale/get-well-known-carddav.http]='||301 to /'
  [radicale/propfind-well-known-carddav.http]='||301 to /, as for GET'
  [radicale/report-calendar-multiget-encodings.http]='||Radicale decodes each href and finds both; the raw space comes back as team%20lunch.ics, alice%40home.ics as sent'
  [radicale/report-unknown-type.http]='!server-config||Radicale answers a REPORT it does not know as a listing of every event in the collection (207), not 403 DAV:supported-report'
  [radicale/report-principal-match.http]='!server-config||live only: not in supported-report-set; Radicale treats an unknown REPORT as a listing and the principal holds no items, so the answer is an empty multistatus; only a PROPFIND of supported-report-set shows it'
  [radicale/report-acl-principal-prop-set.http]='||Radicale answers it as a listing of the calendar, displayname 404 on every event'
  [radicale/report-free-busy-query.http]='||200 text/calendar, the Content-Type carries charset=utf-8 twice'
  [radicale/report-sync-initial-after-delete.http]='||Radicale remembers deleted members and lists lunch.ics with 404 even in an initial sync'
  [radicale/report-sync-limit.http]='||Radicale ignores DAV:limit and sends all three changes (nothing truncated, so no 507)'
  [radicale/report-sync-depth1.http]='||Radicale ignores Depth on REPORT'
  [radicale/report-sync-depth-infinity.http]='||Radicale ignores Depth on REPORT'
  [radicale/report-no-body.curl-v.txt]='||Radicale answers an empty multistatus instead of 400'
  [xandikos/propfind-supported-reports-principal.http]='||no supported-report-set on the principal (404 propstat): Xandikos does not make /alice/ a collection'
  [xandikos/get-well-known-caldav.http]='||302 to / (Location is path-absolute)'
  [xandikos/propfind-well-known-caldav.http]='||302 to /, as for GET'
  [xandikos/get-well-known-carddav.http]='||302 to /'
  [xandikos/propfind-well-known-carddav.http]='||302 to /, as for GET'
  [xandikos/report-calendar-multiget-encodings.http]='||Xandikos decodes each href and finds both; the answer spells them its own way (team%20lunch.ics, alice@home.ics with a raw @)'
  [xandikos/report-calendar-multiget-other-collection.http]='!path||Xandikos answers 200 with the vCard'"'"'s ETag for the href outside the calendar (RFC 4791 7.9 wants calendar object resources)'
  [xandikos/report-calendar-multiget-principal-href.http]='||Xandikos answers the principal with a 404 propstat (no getetag), not a 404 response'
  [xandikos/report-free-busy-query.http]='!payload|/alice/calendars/work/|200 with Content-Type application/octet-stream: RFC 4791 7.10 answers free-busy as text/calendar'
  [xandikos/report-sync-limit.http]='!payload|/alice/calendars/sync/|Xandikos cuts the answer to one change but sends the newest sync-token and no 507 (RFC 6578 3.6): the client never learns of the other two'
  [xandikos/report-sync-depth1.http]='||Xandikos ignores Depth on sync-collection'
  [xandikos/report-sync-depth-infinity.http]='||Xandikos ignores Depth on sync-collection'
  [xandikos/report-sync-made-up-token.http]='||Xandikos answers 412 where RFC 6578 names 403'
  [xandikos/report-sync-token-after-recreate.http]='||Xandikos answers 412 where RFC 6578 names 403'
  [xandikos/report-no-body.curl-v.txt]='||Xandikos answers 400 Unable to parse body, the same bytes as for report-malformed-body.http'
)

# capture FILE CAUSE RESOURCES NOTES CURL-ARGS... URL
#   CAUSE: a DESIGN.md cause id; it becomes "none" (and RESOURCES "-") when every status in the response
#          is 2xx. Prefix it with "!" to keep it even then (a fault a 2xx response still shows).
#   The method, Depth, URL and the headers that matter (Destination, If, Lock-Token, Overwrite, the user)
#   are read from the curl arguments, and so is a body sent from request-bodies/ ("body NAME.xml", which
#   Fixtures.Row.requestBody reads); the status seen is prepended to NOTES.
capture() {
  local file=$1 cause=$2 resources=$3 notes=$4
  shift 4
  local dir="$FIX/$SERVER" out method=GET depth=- url="${*: -1}" prev="" a extra=""
  out="$dir/$file"
  for a in "$@"; do
    case "$prev" in
      -X) method=$a ;;
      -u) extra+="; user ${a%%:*}" ;;
      -H)
        case "${a,,}" in
          depth:*) depth=$(echo "${a#*:}" | tr -d ' ') ;;
          destination:* | if:* | lock-token:* | overwrite:*) extra+="; $a" ;;
        esac ;;
      --data-binary)
        case "$a" in @"$RB"/*.xml) extra+="; body ${a##*/}" ;; esac ;;  # the row names the body it sent
    esac
    prev=$a
  done
  local status=""
  case "$file" in
    *.curl-v.txt) curl -s -v "$@" >"$out" 2>&1 || true ;;
    *.xml) status="HTTP/1.1 $(curl -s -o "$out" -w '%{http_code}' "$@" || true)" ;;
    *) curl -s -i "$@" >"$out" || true ;;
  esac
  case "$file" in
    *.curl-v.txt) status=$(grep -a -m1 '^< HTTP/' "$out" | sed 's/^< //' | tr -d '\r') ;;
    *.xml) ;;
    *) status=$(head -n1 "$out" | tr -d '\r') ;;
  esac
  local ovr="${OVR[$SERVER/$file]:-}"
  if [[ -n "$ovr" ]]; then
    local oc or on
    IFS='|' read -r oc or on <<<"$ovr"
    [[ -n "$oc" ]] && cause=$oc
    [[ -n "$or" ]] && resources=$or
    [[ -n "$on" ]] && notes="${notes:+$notes; }$on"
  fi
  if [[ "$resources" == @hrefs ]]; then
    resources=$(hrefs_of "$out")
  fi
  local code
  code=$(awk '{print $2}' <<<"$status")
  if [[ "$cause" == !* ]]; then
    cause=${cause#!}
  elif [[ "$code" == 2* ]] && ! grep -a -q -E '<([A-Za-z0-9]+:)?status>HTTP/[0-9.]+ [^2]' "$out"; then
    cause=none
    resources=-
  fi
  [[ -n "$notes" ]] && notes="; $notes"
  notes="${status#HTTP/* }${extra}${notes}"
  notes=${notes//|//}
  ROWS[$SERVER]+="| $file | $method | $url | $depth | $cause | $resources | $notes |"$'\n'
  printf '  %-44s %-14s %s\n' "$file" "$cause" "${status}"
}

hrefs_of() { # hrefs_of FILE -> the decoded path of every DAV:href in a multistatus body, comma-separated
  python3 - "$1" <<'PY'
import re, sys, urllib.parse
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
hrefs = re.findall(r"<(?:[A-Za-z0-9]+:)?href>([^<]*)</(?:[A-Za-z0-9]+:)?href>", data)
paths = [urllib.parse.unquote(urllib.parse.urlsplit(h.replace("&amp;", "&")).path) for h in hrefs]
print(",".join(paths) if paths else "-")
PY
}

begin_server() {
  SERVER=$1
  mkdir -p "$FIX/$SERVER"
  find "$FIX/$SERVER" -maxdepth 1 -type f \( -name '*.http' -o -name '*.curl-v.txt' -o -name '*.xml' \) -delete
  ROWS[$SERVER]=""
  echo "== $SERVER"
}

lock_token() { # lock_token FILE -> the token inside <...> of the Lock-Token header
  grep -a -i -m1 '^Lock-Token:' "$1" | sed -e 's/^[^<]*<//' -e 's/>.*$//' | tr -d '\r'
}

# write_source SERVER "VERSION LINES" "HOW"  — rewrite the generated block of SOURCE.md
write_source() {
  local server=$1 versions=$2 how=$3 src="$FIX/$1/SOURCE.md" block
  block=$(
    echo "<!-- BEGIN GENERATED by scripts/capture-fixtures.sh: do not edit inside this block -->"
    echo
    echo "$versions" | sed 's/^/- /'
    echo "- Captured: $(date -u +%Y-%m-%d) (UTC) with $(curl --version | head -1 | cut -d' ' -f1-2)"
    echo "- How: $how"
    echo
    echo "| file | method | url | depth | cause | resources | notes |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s' "${ROWS[$server]}"
    echo
    echo "<!-- END GENERATED -->"
  )
  if [[ -f "$src" ]] && grep -q '^<!-- BEGIN GENERATED' "$src"; then
    BLOCK="$block" python3 - "$src" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
new = re.sub(r"<!-- BEGIN GENERATED.*?<!-- END GENERATED -->", lambda m: os.environ["BLOCK"], text, flags=re.S)
open(path, "w", encoding="utf-8").write(new)
PY
  else
    printf '# %s\n\n%s\n' "$server" "$block" >"$src"
  fi
}

want() { [[ " $ONLY " == *" $1 "* ]]; }

# A battery every DAV server gets. $1 = base URL; the rest are extra curl args (credentials).
common_battery() {
  local B=$1
  shift
  local C=("$@")
  capture options.http none - "" "${C[@]}" -X OPTIONS "$B/docs/"
  capture propfind-depth1.http none - "allprop body" "${C[@]}" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$B/docs/"
  capture propfind-depth1.xml none - "bare body of propfind-depth1.http" "${C[@]}" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$B/docs/"
  capture propfind-depth0.http none - "allprop body" "${C[@]}" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary "$ALLPROP" "$B/docs/"
  capture propfind-depth0-file.curl-v.txt none - "empty body" "${C[@]}" -X PROPFIND -H 'Depth: 0' "$B/docs/a%20b.txt"
  capture propfind-named-props.http '!none' - "prop body incl. RFC 4331 quota properties; a 404 propstat for a property the server does not compute is a note, not a fault" "${C[@]}" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary "$NAMEDPROPS" "$B/docs/"
  capture propfind-no-trailing-slash.http none - "collection requested without its trailing slash" "${C[@]}" -X PROPFIND -H 'Depth: 0' "$B/docs"
  capture propfind-missing.http path "/docs/missing.txt" "" "${C[@]}" -X PROPFIND -H 'Depth: 0' "$B/docs/missing.txt"
  capture propfind-case-mismatch.http path "/Docs/" "the collection is /docs/" "${C[@]}" -X PROPFIND -H 'Depth: 1' "$B/Docs/"
  capture propfind-nfc-for-nfd-name.http path "/unicode/Résumé.txt" "request names NFC; the file on disk is NFD (Re%CC%81sume%CC%81.txt)" "${C[@]}" -X PROPFIND -H 'Depth: 0' "$B/unicode/R%C3%A9sum%C3%A9.txt"
  capture propfind-unicode-nfc-nfd.http '!client' "/unicode/Café.txt,/unicode/Café.txt" "two members whose names differ only in Unicode normalisation (NFC Caf%C3%A9 and NFD Cafe%CC%81); macOS clients merge them" "${C[@]}" -X PROPFIND -H 'Depth: 1' "$B/unicode/"
  capture propfind-percent-names.http '!client' "/pct/100%.txt,/pct/50%25 off.txt" "names with a literal %; the Windows Mini-Redirector cannot handle them" "${C[@]}" -X PROPFIND -H 'Depth: 1' "$B/pct/"
  capture propfind-depth-infinity.http server-config "/docs/" "" "${C[@]}" -X PROPFIND -H 'Depth: infinity' "$B/docs/"
  capture propfind-no-depth.http server-config "/docs/" "no Depth header means infinity" "${C[@]}" -X PROPFIND "$B/docs/"
  capture put-missing-parent.http path "/nope/new.txt" "parent /nope/ does not exist" "${C[@]}" -X PUT --data-binary 'new file' "$B/nope/new.txt"
  capture mkcol-missing-parent.http path "/nope/newcol/" "parent /nope/ does not exist" "${C[@]}" -X MKCOL "$B/nope/newcol/"
  capture mkcol-no-trailing-slash.http path "/docs/newcol" "collection URI without trailing slash" "${C[@]}" -X MKCOL "$B/docs/newcol"
  capture proppatch-protected.http permission "/docs/plain.txt" "sets protected DAV:getetag and dead Z:color" "${C[@]}" -X PROPPATCH "${XML[@]}" --data-binary "$PROPPATCH_PROTECTED" "$B/docs/plain.txt"
  capture copy-dest-https.http proxy "/docs/copy-https.txt" "Destination scheme https against an http server (as behind a TLS-terminating proxy)" "${C[@]}" -X COPY -H "Destination: ${B/http:/https:}/docs/copy-https.txt" "$B/docs/plain.txt"
  capture copy-dest-other-host.http proxy "/docs/copy-other.txt" "Destination on another host" "${C[@]}" -X COPY -H "Destination: http://files.example.com/docs/copy-other.txt" "$B/docs/plain.txt"
}

# Lock scenarios (run after common_battery; DELETE of /locks/ last because some servers delete it anyway).
lock_battery() {
  local B=$1
  shift
  local C=("$@") tok
  capture lock-member.http none - "Timeout: Second-3600; exclusive write lock, owner mailto:alice@example.com" "${C[@]}" -X LOCK -H 'Timeout: Second-3600' "${XML[@]}" --data-binary "$LOCKINFO" "$B/locks/held.txt"
  tok=$(lock_token "$FIX/$SERVER/lock-member.http")
  capture propfind-lockdiscovery.http none - "lock held on /locks/held.txt" "${C[@]}" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$B/locks/"
  capture put-locked.http lock "/locks/held.txt" "no lock token submitted" "${C[@]}" -X PUT --data-binary 'overwrite' "$B/locks/held.txt"
  capture put-locked-wrong-token.http lock "/locks/held.txt" "If names a token that is not the lock's" "${C[@]}" -X PUT -H "If: (<$WRONG_TOKEN>)" --data-binary 'overwrite' "$B/locks/held.txt"
  capture unlock-wrong-token.http lock "/locks/held.txt" "the real token is ${tok:-none}" "${C[@]}" -X UNLOCK -H "Lock-Token: <$WRONG_TOKEN>" "$B/locks/held.txt"
  capture delete-collection-locked-member.http lock "/locks/held.txt" "DELETE of the parent while /locks/held.txt is locked; no token" "${C[@]}" -X DELETE "$B/locks/"
}

# ---------------------------------------------------------------------------------------------- Apache

if want apache-2.4; then
  echo "starting apache on $P_APACHE"
  BIG=$BIG_FILES "$peers/start-apache.sh" "$WORK" "$P_APACHE" >/dev/null
  begin_server apache-2.4
  A="http://127.0.0.1:$P_APACHE"
  common_battery "$A"
  capture propfind-private.http permission "/private/" "Require all denied" -X PROPFIND -H 'Depth: 1' "$A/private/"
  capture propfind-secret-noauth.http permission "/secret/" "Basic auth, no credentials sent" -X PROPFIND -H 'Depth: 1' "$A/secret/"
  capture propfind-secret-wrong-user.http permission "/secret/alice/" "bob authenticates but only alice may read" -u bob:bob-pw -X PROPFIND -H 'Depth: 1' "$A/secret/alice/"
  capture propfind-secret-alice.http none - "" -u alice:alice-pw -X PROPFIND -H 'Depth: 1' "$A/secret/alice/"
  capture put-over-limit.http server-config "/upload/big.bin" "4096-byte body; LimitRequestBody 1024" -X PUT --data-binary @"$WORK/4k.bin" "$A/upload/big.bin"
  capture put-quota.http storage "/quota/big.bin" "64 KiB body into a 256 KiB tmpfs with 16 KiB free" -X PUT --data-binary @"$WORK/64k.bin" "$A/quota/big.bin"
  capture put-method-disabled.http server-config "/ro/new.txt" "AllowMethods GET HEAD OPTIONS PROPFIND on /ro/" -X PUT --data-binary 'x' "$A/ro/new.txt"
  capture propfind-big-depth1.http '!client' "/big/" "$BIG_FILES members; body over 1,000,000 bytes (Windows FileAttributesLimitInBytes)" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$A/big/"
  lock_battery "$A"
  capture move-collection-locked-member.http lock "/locks/held.txt" "MOVE of the parent while a member is locked" -X MOVE -H "Destination: $A/docs/moved-locks/" "$A/locks/"
  # A second Apache whose DavLockDB cannot be opened (catalog SC-03): writes fail with 500 and only the
  # error log says why.
  NAME=apache-lockdb PROFILE=clean LOCKDB=/nonexistent/davdoctor/lockdb "$peers/start-apache.sh" "$WORK" "$P_APACHE_LOCKDB" >/dev/null
  AL="http://127.0.0.1:$P_APACHE_LOCKDB"
  capture put-lockdb-unusable.http server-config "/docs/new-lockdb.txt" "DavLockDB points into a directory that does not exist; the 500 page does not say why, the error log does" -X PUT --data-binary 'x' "$AL/docs/new-lockdb.txt"
  capture lock-lockdb-unusable.http server-config "/docs/plain.txt" "DavLockDB unusable; LOCK fails with 500" -X LOCK "${XML[@]}" --data-binary "$LOCKINFO" "$AL/docs/plain.txt"
  write_source apache-2.4 "Server: $(apache2 -v | head -1 | sed 's/^Server version: //') (Debian package apache2 $(dpkg-query -W -f='${Version}' apache2 2>/dev/null))" \
    "scripts/peers/start-apache.sh (PROFILE=faulty, BIG=$BIG_FILES) on 127.0.0.1:$P_APACHE: mod_dav + mod_dav_fs at /, DavLockDB in the work dir, default DavDepthInfinity Off; /private/ Require all denied; /secret/ Basic auth (valid-user), /secret/alice/ Require user alice with AuthzSendForbiddenOnFailure On; /upload/ LimitRequestBody 1024; /ro/ AllowMethods GET HEAD OPTIONS PROPFIND; /quota/ an almost full 256 KiB tmpfs."
fi

# ---------------------------------------------------------------------------------------------- nginx + dav-ext

if want nginx-dav-ext; then
  echo "starting nginx on $P_NGINX"
  "$peers/start-nginx-dav-ext.sh" "$WORK" "$P_NGINX" >/dev/null
  begin_server nginx-dav-ext
  N="http://127.0.0.1:$P_NGINX"
  common_battery "$N"
  capture proppatch-unsupported.curl-v.txt server-config "/docs/plain.txt" "dav-ext has no PROPPATCH" -X PROPPATCH "${XML[@]}" --data-binary "$PROPPATCH_PROTECTED" "$N/docs/plain.txt"
  capture propfind-private.http permission "/private/" "location /private/ { deny all; }" -X PROPFIND -H 'Depth: 1' "$N/private/"
  capture propfind-secret-noauth.http permission "/secret/" "auth_basic, no credentials sent" -X PROPFIND -H 'Depth: 1' "$N/secret/"
  capture propfind-secret-wrong-user.http permission "/secret/alice/" "bob authenticates; the location returns 403 unless remote_user is alice" -u bob:bob-pw -X PROPFIND -H 'Depth: 1' "$N/secret/alice/"
  capture propfind-secret-alice.http none - "" -u alice:alice-pw -X PROPFIND -H 'Depth: 1' "$N/secret/alice/"
  capture put-over-limit.http server-config "/upload/big.bin" "4096-byte body; client_max_body_size 1k" -X PUT --data-binary @"$WORK/4k.bin" "$N/upload/big.bin"
  capture put-quota.http storage "/quota/big.bin" "ambiguous: 64 KiB into a 256 KiB tmpfs with 16 KiB free; nginx answers 500 and only its error log says write() has written only 16384 of 65536" -X PUT --data-binary @"$WORK/64k.bin" "$N/quota/big.bin"
  capture put-method-disabled.http permission "/ro/new.txt" "dav_methods off on /ro/: a read-only location by configuration" -X PUT --data-binary 'x' "$N/ro/new.txt"
  lock_battery "$N"
  write_source nginx-dav-ext "Server: $(nginx -v 2>&1 | sed 's/^nginx version: //') (Debian nginx-light $(dpkg-query -W -f='${Version}' nginx-light 2>/dev/null)), dav-ext module libnginx-mod-http-dav-ext $(dpkg-query -W -f='${Version}' libnginx-mod-http-dav-ext 2>/dev/null)" \
    "scripts/peers/start-nginx-dav-ext.sh (PROFILE=faulty) on 127.0.0.1:$P_NGINX: root /, dav_methods PUT DELETE MKCOL COPY MOVE, dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK, dav_ext_lock_zone timeout=10m; /private/ deny all; /secret/ auth_basic, /secret/alice/ if (\$remote_user != alice) return 403; /upload/ client_max_body_size 1k; /ro/ dav_methods off; /quota/ an almost full 256 KiB tmpfs."
fi

# ---------------------------------------------------------------------------------------------- lighttpd

if want lighttpd; then
  echo "starting lighttpd on $P_LIGHTTPD"
  "$peers/start-lighttpd.sh" "$WORK" "$P_LIGHTTPD" >/dev/null
  begin_server lighttpd
  L="http://127.0.0.1:$P_LIGHTTPD"
  common_battery "$L"
  capture propfind-depth-infinity.curl-v.txt server-config "/docs/" "" -X PROPFIND -H 'Depth: infinity' "$L/docs/"
  capture propfind-private.http permission "/private/" "url.access-deny" -X PROPFIND -H 'Depth: 1' "$L/private/"
  capture propfind-secret-noauth.http permission "/secret/" "auth.require valid-user, no credentials sent" -X PROPFIND -H 'Depth: 1' "$L/secret/"
  capture propfind-secret-wrong-user.http permission "/secret/alice/" "bob authenticates but require is user=alice; lighttpd answers 401, not 403" -u bob:bob-pw -X PROPFIND -H 'Depth: 1' "$L/secret/alice/"
  capture propfind-secret-alice.http none - "" -u alice:alice-pw -X PROPFIND -H 'Depth: 1' "$L/secret/alice/"
  capture put-over-limit.http server-config "/upload/big.bin" "4096-byte body; server.max-request-size = 1 (KiB)" -X PUT --data-binary @"$WORK/4k.bin" "$L/upload/big.bin"
  capture put-quota.http storage "/quota/big.bin" "64 KiB body into a 256 KiB tmpfs with 16 KiB free" -X PUT --data-binary @"$WORK/64k.bin" "$L/quota/big.bin"
  capture put-quota-large.http storage "/quota/large.bin" "ambiguous: 128 KiB body; over 64 KiB lighttpd streams the body through a temp chunk file and answers 500, its error log says write() temp-file failed: No space left on device" -X PUT --data-binary @"$WORK/128k.bin" "$L/quota/large.bin"
  capture put-readonly.http permission "/ro/new.txt" "webdav.is-readonly on /ro/" -X PUT --data-binary 'x' "$L/ro/new.txt"
  lock_battery "$L"
  write_source lighttpd "Server: $(lighttpd -v | head -1 | cut -d' ' -f1) (Debian lighttpd $(dpkg-query -W -f='${Version}' lighttpd 2>/dev/null), lighttpd-mod-webdav $(dpkg-query -W -f='${Version}' lighttpd-mod-webdav 2>/dev/null))" \
    "scripts/peers/start-lighttpd.sh (PROFILE=faulty) on 127.0.0.1:$P_LIGHTTPD: mod_webdav at / with webdav.sqlite-db-name (props and locks); /private/ url.access-deny; /secret/ mod_auth htpasswd valid-user, /secret/alice/ user=alice; /upload/ server.max-request-size = 1; /ro/ webdav.is-readonly; /quota/ an almost full 256 KiB tmpfs."
fi

# ---------------------------------------------------------------------------------------------- WsgiDAV

if want wsgidav; then
  echo "starting wsgidav on $P_WSGIDAV"
  "$peers/start-wsgidav.sh" "$WORK" "$P_WSGIDAV" >/dev/null
  begin_server wsgidav
  W="http://127.0.0.1:$P_WSGIDAV"
  common_battery "$W"
  capture propfind-depth1.curl-v.txt none - "allprop body" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$W/docs/"
  capture propfind-private.http permission "/private/" "a share whose only user nobody knows; WsgiDAV answers 401" -X PROPFIND -H 'Depth: 1' "$W/private/"
  capture propfind-secret-noauth.http permission "/secret/" "share with Basic auth, no credentials sent" -X PROPFIND -H 'Depth: 1' "$W/secret/"
  capture propfind-secret-wrong-user.http permission "/secret/" "bob is not a user of the share; WsgiDAV answers 401, not 403" -u bob:bob-pw -X PROPFIND -H 'Depth: 1' "$W/secret/"
  capture propfind-secret-alice.http none - "" -u alice:alice-pw -X PROPFIND -H 'Depth: 1' "$W/secret/"
  capture put-readonly.http permission "/ro/new.txt" "read-only share" -X PUT --data-binary 'x' "$W/ro/new.txt"
  capture put-large-no-limit.http none - "4096-byte body; WsgiDAV has no upload limit" -X PUT --data-binary @"$WORK/4k.bin" "$W/upload/big.bin"
  capture put-quota.http storage "/quota/big.bin" "64 KiB into a 256 KiB tmpfs with 16 KiB free; WsgiDAV answers 500 with OSError(28) in the body" -X PUT --data-binary @"$WORK/64k.bin" "$W/quota/big.bin"
  capture propfind-after-put.http none - "PROPFIND getetag of the file PUT just created (compare with the ETag header of put-large-no-limit.http)" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary "$NAMEDPROPS" "$W/upload/big.bin"
  lock_battery "$W"
  write_source wsgidav "Server: WsgiDAV $(wsgidav --version 2>/dev/null) on Cheroot $(python3 -c 'import cheroot; print(cheroot.__version__)' 2>/dev/null), Python $(python3 -c 'import platform; print(platform.python_version())')" \
    "scripts/peers/start-wsgidav.sh (PROFILE=faulty) on 127.0.0.1:$P_WSGIDAV: share / (anonymous, in-memory locks and properties, dir browser off); share /secret (Basic auth, user alice); share /private (one user with a random password); share /ro read-only; /quota/ an almost full 256 KiB tmpfs."
fi

# ---------------------------------------------------------------------------------------------- rclone

if want rclone; then
  echo "starting rclone on $P_RCLONE and $P_RCLONE_FAULTY"
  PROFILE=clean "$peers/start-rclone.sh" "$WORK" "$P_RCLONE" >/dev/null
  NAME=rclone-faulty PROFILE=faulty "$peers/start-rclone.sh" "$WORK" "$P_RCLONE_FAULTY" >/dev/null
  begin_server rclone
  R="http://127.0.0.1:$P_RCLONE"
  RF="http://127.0.0.1:$P_RCLONE_FAULTY"
  common_battery "$R"
  capture propfind-depth1.curl-v.txt none - "allprop body" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$R/docs/"
  # dir cache: list, change the tree behind rclone's back, list again
  capture propfind-sub-before.http none - "primes rclone's directory cache (--dir-cache-time 5m0s)" -X PROPFIND -H 'Depth: 1' "$R/docs/sub/"
  printf 'appended behind rclone\n' >>"$WORK/rclone/root/docs/sub/nested.txt"
  printf 'created behind rclone\n' >"$WORK/rclone/root/docs/sub/added-on-disk.txt"
  capture propfind-stale-dir-cache.http '!cache' "/docs/sub/,/docs/sub/nested.txt" "after nested.txt grew to 30 bytes and added-on-disk.txt was created on disk; the listing still shows the old size and no new file" -X PROPFIND -H 'Depth: 1' "$R/docs/sub/"
  capture get-stale-dir-cache.http cache "/docs/sub/added-on-disk.txt" "the file exists on disk; rclone's cached directory does not know it" -X GET "$R/docs/sub/added-on-disk.txt"
  capture propfind-noauth.http permission "/docs/" "second instance with --htpasswd, no credentials sent" -X PROPFIND -H 'Depth: 1' "$RF/docs/"
  capture propfind-wrong-password.http permission "/docs/" "bob with a wrong password" -u bob:wrong -X PROPFIND -H 'Depth: 1' "$RF/docs/"
  capture put-quota.http storage "/quota/big.bin" "ambiguous: 64 KiB into a 256 KiB tmpfs with 16 KiB free; rclone answers 405 and only its log says Failed to copy: preallocate: file too big for remaining disk space" -u alice:alice-pw -X PUT --data-binary @"$WORK/64k.bin" "$RF/quota/big.bin"
  lock_battery "$R"
  write_source rclone "Server: $(rclone version | head -1) (serve webdav; sends no Server header)" \
    "scripts/peers/start-rclone.sh on 127.0.0.1:$P_RCLONE (PROFILE=clean: no auth, default --dir-cache-time 5m0s) and NAME=rclone-faulty on 127.0.0.1:$P_RCLONE_FAULTY (PROFILE=faulty: --htpasswd with alice and bob, /quota/ an almost full 256 KiB tmpfs); rclone has no per-path access rules, upload limits or read-only subtrees."
fi

# ---------------------------------------------------------------------------------------------- nginx proxy

if want nginx-proxy; then
  echo "starting nginx-proxy on $P_PROXY..$((P_PROXY + 3)) (backends apache $P_APACHE, wsgidav $P_WSGIDAV)"
  [[ -s "$WORK/apache.pid" ]] || PROFILE=clean "$peers/start-apache.sh" "$WORK" "$P_APACHE" >/dev/null
  [[ -s "$WORK/wsgidav.pid" ]] || PROFILE=clean "$peers/start-wsgidav.sh" "$WORK" "$P_WSGIDAV" >/dev/null
  APACHE_PORT=$P_APACHE WSGIDAV_PORT=$P_WSGIDAV "$peers/start-nginx-proxy.sh" "$WORK" "$P_PROXY" >/dev/null
  begin_server nginx-proxy
  S="http://127.0.0.1:$P_PROXY"           # prefix stripped
  OK="http://127.0.0.1:$((P_PROXY + 1))"  # correct
  HA="http://127.0.0.1:$((P_PROXY + 2))"  # Host not kept -> Apache
  HW="http://127.0.0.1:$((P_PROXY + 3))"  # Host not kept -> WsgiDAV
  capture correct-propfind-depth1.http none - "correct proxy: same path, Host kept; backend Apache" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$OK/docs/"
  capture correct-propfind-depth1.curl-v.txt none - "correct proxy: same path, Host kept; backend Apache" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$OK/docs/"
  capture correct-copy.http none - "correct proxy" -X COPY -H "Destination: $OK/docs/copy-ok.txt" "$OK/docs/plain.txt"
  capture prefix-stripped-propfind-depth1.http '!proxy' "@hrefs" "location /dav/ proxy_pass to Apache /; every href lacks /dav" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$S/dav/docs/"
  capture prefix-stripped-propfind-depth1-wsgidav.http '!proxy' "@hrefs" "location /wdav/ proxy_pass to WsgiDAV /; every href lacks /wdav" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$S/wdav/docs/"
  capture prefix-stripped-propfind-depth0.xml '!proxy' "/docs/" "bare body; the href lacks /dav" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary "$ALLPROP" "$S/dav/docs/"
  capture prefix-stripped-redirect.http proxy "/dav/docs" "Apache's trailing-slash redirect: Location lacks /dav" -X PROPFIND -H 'Depth: 0' "$S/dav/docs"
  capture prefix-stripped-copy.http proxy "/dav/docs/copy-a.txt" "Destination path still carries /dav; the backend has no /dav/docs/" -X COPY -H "Destination: $S/dav/docs/copy-a.txt" "$S/dav/docs/plain.txt"
  capture prefix-stripped-copy-wsgidav.http proxy "/wdav/docs/copy-a.txt" "Destination path still carries /wdav; the backend has no /wdav/docs/" -X COPY -H "Destination: $S/wdav/docs/copy-a.txt" "$S/wdav/docs/plain.txt"
  capture tls-terminated-copy-https-dest.http proxy "/docs/copy-https.txt" "client believes it speaks https to the proxy; Destination is not rewritten to http" -X COPY -H "Destination: ${OK/http:/https:}/docs/copy-https.txt" "$OK/docs/plain.txt"
  capture tls-terminated-copy-https-dest.curl-v.txt proxy "/docs/copy-https.txt" "same request as tls-terminated-copy-https-dest.http" -X COPY -H "Overwrite: T" -H "Destination: ${OK/http:/https:}/docs/copy-https.txt" "$OK/docs/plain.txt"
  capture host-not-preserved-redirect.http '!proxy' "/docs" "Host not passed; nginx rewrote Location but the HTML body names the backend 127.0.0.1:$P_APACHE" -X PROPFIND -H 'Depth: 0' "$HA/docs"
  capture host-not-preserved-copy.http none - "Host not passed; Apache ignores the Destination host:port and copies" -X COPY -H "Destination: $HA/docs/copy-b.txt" "$HA/docs/plain.txt"
  capture host-not-preserved-copy-wsgidav.http proxy "/docs/copy-b.txt" "Host not passed; WsgiDAV compares the Destination host with the Host it received" -X COPY -H "Destination: $HW/docs/copy-b.txt" "$HW/docs/plain.txt"
  capture host-not-preserved-propfind-wsgidav.http none - "Host not passed; WsgiDAV hrefs are path-absolute so the listing is unaffected" -X PROPFIND -H 'Depth: 1' "${XML[@]}" --data-binary "$ALLPROP" "$HW/docs/"
  write_source nginx-proxy "Proxy: $(nginx -v 2>&1 | sed 's/^nginx version: //') (Debian nginx-light $(dpkg-query -W -f='${Version}' nginx-light 2>/dev/null))
Backends: $(apache2 -v | head -1 | sed 's/^Server version: //') on 127.0.0.1:$P_APACHE and WsgiDAV $(wsgidav --version 2>/dev/null) on 127.0.0.1:$P_WSGIDAV (the faulty-profile peers started above, or clean ones when run alone)" \
    "scripts/peers/start-nginx-proxy.sh on 127.0.0.1:$P_PROXY (location /dav/ -> Apache /, /wdav/ -> WsgiDAV /, Host kept), :$((P_PROXY + 1)) (correct: / -> Apache /, Host kept), :$((P_PROXY + 2)) (/ -> Apache, Host not kept), :$((P_PROXY + 3)) (/ -> WsgiDAV, Host not kept). No setup rewrites Destination."
fi

# ---------------------------------------------------------------------------------------------- CalDAV/CardDAV REPORT

# The REPORT captures need their request bodies to be diagnosed: every body is written to
# request-bodies/NAME.xml first and sent from there, so the file beside the fixtures is exactly what went out;
# capture() notes it as "body NAME.xml". Bodies that carry a sync token are written during the run (Radicale
# seeds its history hashes with random bytes, so its tokens differ on every run, like lock tokens).
body() { # body NAME < XML — save a request body (stdin) as request-bodies/NAME.xml
  mkdir -p "$RB"
  cat >"$RB/$1.xml"
}

multiget_body() { # multiget_body NAME calendar|addressbook HREF... — a multiget asking getetag and the data
  local name=$1 kind=$2 h
  shift 2
  {
    echo '<?xml version="1.0" encoding="utf-8"?>'
    if [[ $kind == calendar ]]; then
      echo '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
      echo '  <D:prop><D:getetag/><C:calendar-data/></D:prop>'
    else
      echo '<CR:addressbook-multiget xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">'
      echo '  <D:prop><D:getetag/><CR:address-data/></D:prop>'
    fi
    for h in "$@"; do echo "  <D:href>$h</D:href>"; done
    if [[ $kind == calendar ]]; then echo '</C:calendar-multiget>'; else echo '</CR:addressbook-multiget>'; fi
  } | body "$name"
}

sync_body() { # sync_body NAME TOKEN [EXTRA-ELEMENT] — an RFC 6578 sync-collection asking getetag
  printf '<?xml version="1.0" encoding="utf-8"?>\n<D:sync-collection xmlns:D="DAV:">\n  <D:sync-token>%s</D:sync-token>\n  <D:sync-level>1</D:sync-level>\n%s  <D:prop><D:getetag/></D:prop>\n</D:sync-collection>\n' \
    "$2" "${3:+  $3
}" | body "$1"
}

sync_token() { # sync_token FILE — the DAV:sync-token in a sync-collection answer (any prefix)
  grep -a -o '<\([A-Za-z0-9]*:\)\{0,1\}sync-token>[^<]*' "$1" | head -1 | sed 's/.*>//'
}

# prep METHOD URL [CURL-ARGS...] — a request that sets the scene (not saved); says so when it is refused,
# because every later capture would then show something else than its row claims.
prep() {
  local method=$1 url=$2 code
  shift 2
  code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" "$@" "$url" || true)
  [[ $code == 2* ]] || echo "  note: $method $url answered $code while preparing" >&2
}

ical() { # ical UID SUMMARY DTSTART — one VEVENT; DTSTAMP fixed so that ETags repeat from run to run
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//fixtures//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:%s\r\nDURATION:PT30M\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "$3" "$2"
}
vcard() { # vcard UID FN EMAIL
  printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEMAIL:%s\r\nEND:VCARD\r\n' "$1" "$2" "$2" "$3"
}
# Data that breaks clients: an event without UID (RFC 5545 and RFC 4791 4.1 require one), an event whose
# long SUMMARY was folded without the leading space (the second half becomes a line of its own), and
# vCards without UID (RFC 6352 5.1 requires one) and without VERSION.
ICAL_NO_UID=$'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//fixtures//EN\r\nBEGIN:VEVENT\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:20261211T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Offsite (exported without UID)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
ICAL_BAD_FOLD=$'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//fixtures//EN\r\nBEGIN:VEVENT\r\nUID:badfold@example.com\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:20261212T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Quarterly planning with the whole team and the people from the\r\nBerlin office\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
VCARD_NO_UID=$'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Frank Nouid\r\nN:Nouid;Frank;;;\r\nEMAIL:frank@example.org\r\nEND:VCARD\r\n'
VCARD_NO_VERSION=$'BEGIN:VCARD\r\nUID:grace@example.org\r\nFN:Grace Noversion\r\nN:Noversion;Grace;;;\r\nEMAIL:grace@example.org\r\nEND:VCARD\r\n'
CAL_CT=(-H 'Content-Type: text/calendar; charset=utf-8')
VCF_CT=(-H 'Content-Type: text/vcard; charset=utf-8')
MKADDRESSBOOK='<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>Contacts</D:displayname></D:prop></D:set></D:mkcol>'

# Bodies both servers get (no server-specific path or token in them).
report_bodies() {
  body supported-report-set <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:supported-report-set/></D:prop></D:propfind>
XML
  body propfind-current-user-principal <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/><D:resourcetype/></D:prop></D:propfind>
XML
  body calendar-query <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT"><C:time-range start="20261201T000000Z" end="20270101T000000Z"/></C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
XML
  body calendar-query-vtodo <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter>
</C:calendar-query>
XML
  body calendar-query-partial <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VTODO"/></C:comp></C:calendar-data>
  </D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT"><C:time-range start="20261207T000000Z" end="20261208T000000Z"/></C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
XML
  body addressbook-query <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<CR:addressbook-query xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/><CR:address-data/></D:prop>
  <CR:filter>
    <CR:prop-filter name="EMAIL"><CR:text-match collation="i;unicode-casemap" match-type="contains">example.org</CR:text-match></CR:prop-filter>
  </CR:filter>
</CR:addressbook-query>
XML
  body addressbook-query-no-match <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<CR:addressbook-query xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/><CR:address-data/></D:prop>
  <CR:filter>
    <CR:prop-filter name="EMAIL"><CR:text-match collation="i;unicode-casemap" match-type="contains">nobody.invalid</CR:text-match></CR:prop-filter>
  </CR:filter>
</CR:addressbook-query>
XML
  body free-busy-query <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20261207T000000Z" end="20261214T000000Z"/>
</C:free-busy-query>
XML
  sync_body sync-initial ""
  # a well-formed Radicale token that no server issued: to Xandikos it is a token from another server, as a
  # client migrated from Radicale still sends
  sync_body sync-made-up-token "http://radicale.org/ns/sync/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  body sync-no-sync-level <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>
XML
  body unknown-report <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<Z:made-up-report xmlns:D="DAV:" xmlns:Z="urn:x-davdoctor:">
  <D:prop><D:getetag/></D:prop>
</Z:made-up-report>
XML
  # the classic client bug: an href with a raw "&" (tom&jerry.ics) pasted into the XML unescaped
  body malformed-unescaped-ampersand <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <D:href>/alice/calendar/tom&jerry.ics</D:href>
</C:calendar-multiget>
XML
  body expand-property <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:expand-property xmlns:D="DAV:">
  <D:property name="current-user-principal"><D:property name="displayname"/></D:property>
  <D:property name="principal-URL"/>
</D:expand-property>
XML
  body principal-property-search <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:principal-property-search xmlns:D="DAV:">
  <D:property-search><D:prop><D:displayname/></D:prop><D:match>alice</D:match></D:property-search>
  <D:prop><D:displayname/></D:prop>
</D:principal-property-search>
XML
  body principal-match <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:principal-match xmlns:D="DAV:">
  <D:self/>
  <D:prop><D:displayname/></D:prop>
</D:principal-match>
XML
  body acl-principal-prop-set <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<D:acl-principal-prop-set xmlns:D="DAV:">
  <D:prop><D:displayname/></D:prop>
</D:acl-principal-prop-set>
XML
}
if want radicale || want xandikos; then report_bodies; fi

# report_battery SERVER-URL CALENDAR ADDRESSBOOK PRINCIPAL OTHER-CALENDAR CURL-ARGS...
#   What both servers get: discovery, the healthy reports, multiget hrefs that fail, queries on the wrong
#   collection type, bodies that are missing, broken or unknown. CALENDAR and ADDRESSBOOK are paths with a
#   trailing slash; the multiget bodies for them are named PREFIX-* (written by the caller).
report_battery() {
  local B=$1 cal=$2 book=$3 principal=$4 prefix=$5
  shift 5
  local C=("$@")
  capture propfind-supported-reports-calendar.http none - "" "${C[@]}" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/supported-report-set.xml" "$B$cal"
  capture propfind-supported-reports-addressbook.http none - "" "${C[@]}" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/supported-report-set.xml" "$B$book"
  capture propfind-supported-reports-principal.http none - "" "${C[@]}" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/supported-report-set.xml" "$B$principal"
  # RFC 6764 discovery: a client starts at /.well-known/ and must follow the redirect itself
  local w
  for w in caldav carddav; do
    capture "get-well-known-$w.http" none - "" "${C[@]}" -X GET "$B/.well-known/$w"
    capture "propfind-well-known-$w.http" none - "" "${C[@]}" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/propfind-current-user-principal.xml" "$B/.well-known/$w"
  done
  capture report-calendar-multiget.http none - "two events with calendar-data, one named with a space" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget.xml" "$B$cal"
  capture report-calendar-multiget-missing.http path "${cal}retro.ics" "retro.ics was never created" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget-missing.xml" "$B$cal"
  capture report-calendar-multiget-other-collection.http path "${book}carol.vcf" "an href into the address book" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget-other-collection.xml" "$B$cal"
  capture report-calendar-multiget-encodings.http none - "hrefs spelled another way than the server's: a raw space (team lunch.ics) and %40 for @ (alice%40home.ics)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget-encodings.xml" "$B$cal"
  capture report-calendar-multiget-double-encoded.http path "${cal}team%20lunch.ics" "the client encoded the % of team%20lunch.ics again (team%2520lunch.ics)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget-double-encoded.xml" "$B$cal"
  capture report-calendar-multiget-case.http path "${cal}Standup.ics" "the event is standup.ics; the href says Standup.ics" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget-case.xml" "$B$cal"
  capture report-calendar-multiget-principal-href.http path "$principal" "the principal's URL among the hrefs, where the calendar's was meant" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget-principal-href.xml" "$B$cal"
  capture report-calendar-multiget-on-principal.http path "$principal" "ambiguous: the multiget sent to the principal instead of the calendar; a server without CalDAV answers the same 403 DAV:supported-report (server-config)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-calendar-multiget.xml" "$B$principal"
  capture report-calendar-query.http none - "VEVENTs in December 2026 with calendar-data" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$B$cal"
  capture report-calendar-query-no-match.http none - "a VTODO filter on a calendar of VEVENTs: nothing matches, an empty multistatus" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query-vtodo.xml" "$B$cal"
  capture report-addressbook-multiget.http none - "two contacts with address-data" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-addressbook-multiget.xml" "$B$book"
  capture report-addressbook-multiget-missing.http path "${book}erin.vcf" "erin.vcf was never created" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-addressbook-multiget-missing.xml" "$B$book"
  capture report-addressbook-multiget-on-calendar.http path "$cal" "ambiguous: an addressbook-multiget sent to the calendar; a server without CardDAV answers the same 403 DAV:supported-report (server-config)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/$prefix-addressbook-multiget.xml" "$B$cal"
  capture report-addressbook-query.http none - "EMAIL contains example.org, with address-data" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/addressbook-query.xml" "$B$book"
  capture report-addressbook-query-no-match.http none - "EMAIL contains nobody.invalid: nothing matches, an empty multistatus" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/addressbook-query-no-match.xml" "$B$book"
  capture report-free-busy-query.http none - "the week of 7 December 2026" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/free-busy-query.xml" "$B$cal"
  capture report-free-busy-query-on-addressbook.http path "$book" "ambiguous: free-busy asked of the address book; a server without free-busy answers the same 403 DAV:supported-report (server-config)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/free-busy-query.xml" "$B$book"
  capture report-free-busy-query-on-event.http path "${cal}standup.ics" "ambiguous: free-busy asked of one event, not its calendar (RFC 4791 7.10); a server without free-busy answers the same 403 DAV:supported-report (server-config)" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/free-busy-query.xml" "$B${cal}standup.ics"
  capture report-unknown-type.http server-config "$cal" "a report no server knows (Z:made-up-report)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/unknown-report.xml" "$B$cal"
  capture report-no-body.curl-v.txt '!proxy' "$cal" "ambiguous: Content-Type application/xml but an empty body (Content-Length: 0), as behind a proxy that drops request bodies (corpus body-dropped-*); a client that sent none looks the same" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary '' "$B$cal"
  capture report-malformed-body.http client "$cal" "the body is not well-formed XML: an unescaped & in an href (tom&jerry.ics)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/malformed-unescaped-ampersand.xml" "$B$cal"
  capture report-principal-match.http server-config "$principal" "RFC 3744 principal-match (DAV:self); not in the server's supported-report-set" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/principal-match.xml" "$B$principal"
  capture report-acl-principal-prop-set.http server-config "$cal" "RFC 3744 acl-principal-prop-set; not in the server's supported-report-set" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/acl-principal-prop-set.xml" "$B$cal"
}

# The hrefs a server-specific multiget body family names (CAL and BOOK end with /).
multiget_bodies() { # multiget_bodies PREFIX CAL BOOK PRINCIPAL
  local p=$1 cal=$2 book=$3 principal=$4
  multiget_body "$p-calendar-multiget" calendar "${cal}standup.ics" "${cal}team%20lunch.ics"
  multiget_body "$p-calendar-multiget-missing" calendar "${cal}standup.ics" "${cal}retro.ics"
  multiget_body "$p-calendar-multiget-other-collection" calendar "${cal}standup.ics" "${book}carol.vcf"
  multiget_body "$p-calendar-multiget-encodings" calendar "${cal}team lunch.ics" "${cal}alice%40home.ics"
  multiget_body "$p-calendar-multiget-double-encoded" calendar "${cal}standup.ics" "${cal}team%2520lunch.ics"
  multiget_body "$p-calendar-multiget-case" calendar "${cal}standup.ics" "${cal}Standup.ics"
  multiget_body "$p-calendar-multiget-principal-href" calendar "${cal}standup.ics" "$principal"
  multiget_body "$p-addressbook-multiget" addressbook "${book}carol.vcf" "${book}dave.vcf"
  multiget_body "$p-addressbook-multiget-missing" addressbook "${book}carol.vcf" "${book}erin.vcf"
}

# fill_collections SERVER-URL CAL BOOK CURL-ARGS... — what a client put there before the captures
fill_collections() {
  local B=$1 cal=$2 book=$3
  shift 3
  local C=("$@")
  ical standup@example.com Standup 20261207T090000Z | prep PUT "$B${cal}standup.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  ical team-lunch@example.com "Team lunch" 20261208T120000Z | prep PUT "$B${cal}team%20lunch.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  ical home-office@example.com "Home office" 20261209T080000Z | prep PUT "$B${cal}alice@home.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  vcard carol@example.org Carol carol@example.org | prep PUT "$B${book}carol.vcf" "${C[@]}" "${VCF_CT[@]}" --data-binary @-
  vcard dave@example.org Dave dave@example.org | prep PUT "$B${book}dave.vcf" "${C[@]}" "${VCF_CT[@]}" --data-binary @-
}

# sync_scene SERVER-URL SYNC-CAL PREFIX CURL-ARGS... — RFC 6578 on its own calendar: an initial sync, then an
# event added, one changed and one deleted, then the incremental sync from the first token.
sync_scene() {
  local B=$1 sc=$2 p=$3
  shift 3
  local C=("$@") t0
  ical standup@example.com Standup 20261207T090000Z | prep PUT "$B${sc}standup.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  ical lunch@example.com Lunch 20261208T120000Z | prep PUT "$B${sc}lunch.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  capture report-sync-initial.http none - "empty sync-token: the initial sync" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$B$sc"
  t0=$(sync_token "$FIX/$SERVER/report-sync-initial.http")
  ical retro@example.com Retro 20261210T150000Z | prep PUT "$B${sc}retro.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  ical standup@example.com "Standup (moved)" 20261207T093000Z | prep PUT "$B${sc}standup.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  prep DELETE "$B${sc}lunch.ics" "${C[@]}"
  sync_body "$p-sync-incremental" "$t0"
  capture report-sync-incremental.http none - "the token of report-sync-initial.http after retro.ics was added, standup.ics changed and lunch.ics deleted: the 404 for lunch.ics is how RFC 6578 reports a removed member" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/$p-sync-incremental.xml" "$B$sc"
  capture report-sync-initial-after-delete.http none - "the initial sync again, now that lunch.ics is gone" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$B$sc"
  sync_body "$p-sync-limit" "$t0" "<D:limit><D:nresults>1</D:nresults></D:limit>"
  capture report-sync-limit.http none - "the same three changes asked with DAV:limit nresults 1" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/$p-sync-limit.xml" "$B$sc"
  capture report-sync-made-up-token.http cache "$sc" "a sync-token this server never issued: the client's stored state is not the server's" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-made-up-token.xml" "$B$sc"
  capture report-sync-depth1.http none - "Depth 1, where RFC 6578 3.2 allows only 0 (else 400)" "${C[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$B$sc"
  capture report-sync-depth-infinity.http none - "Depth infinity, where RFC 6578 3.2 allows only 0 (else 400)" "${C[@]}" -X REPORT -H 'Depth: infinity' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$B$sc"
}

# sync_after_recreate SERVER-URL CAL-PATH PREFIX CURL-ARGS... — a token from before the calendar was deleted
# and created again (a restore, or another device that reset it): the old token means nothing now.
sync_after_recreate() {
  local B=$1 rc=$2 p=$3
  shift 3
  local C=("$@") old
  prep MKCALENDAR "$B$rc" "${C[@]}"
  ical standup@example.com Standup 20261207T090000Z | prep PUT "$B${rc}standup.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  old=$(curl -s "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$B$rc" | grep -a -o '<\([A-Za-z0-9]*:\)\{0,1\}sync-token>[^<]*' | sed 's/.*>//' || true)
  prep DELETE "$B$rc" "${C[@]}"
  prep MKCALENDAR "$B$rc" "${C[@]}"
  ical review@example.com Review 20261211T140000Z | prep PUT "$B${rc}review.ics" "${C[@]}" "${CAL_CT[@]}" --data-binary @-
  sync_body "$p-sync-token-after-recreate" "$old"
  capture report-sync-token-after-recreate.http cache "$rc" "the token the calendar gave before it was deleted and created again" "${C[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/$p-sync-token-after-recreate.xml" "$B$rc"
}

# ---------------------------------------------------------------------------------------------- Radicale

if want radicale; then
  echo "starting radicale on $P_RADICALE"
  PROFILE=faulty "$peers/start-radicale.sh" "$WORK" "$P_RADICALE" >/dev/null
  begin_server radicale
  RD="http://127.0.0.1:$P_RADICALE"
  AL=(-u alice:alice-pw)
  prep MKCALENDAR "$RD/alice/calendar/" "${AL[@]}"
  prep MKCOL "$RD/alice/contacts/" "${AL[@]}" "${XML[@]}" --data-binary "$MKADDRESSBOOK"
  prep MKCALENDAR "$RD/alice/sync/" "${AL[@]}"
  fill_collections "$RD" /alice/calendar/ /alice/contacts/ "${AL[@]}"
  # Radicale refuses the broken event by PUT (400, see SOURCE.md), so it arrives the way migrated data does:
  # written into the storage by hand, beside one good event.
  mig="$WORK/radicale/collections/collection-root/alice/migrated"
  mkdir -p "$mig"
  printf '{"tag": "VCALENDAR", "D:displayname": "Migrated"}' >"$mig/.Radicale.props"
  printf '%s' "$ICAL_NO_UID" >"$mig/offsite.ics"
  printf '%s' "$ICAL_BAD_FOLD" >"$mig/planning.ics"
  ical kickoff@example.com Kickoff 20261214T090000Z >"$mig/kickoff.ics"
  multiget_bodies radicale /alice/calendar/ /alice/contacts/ /alice/
  multiget_body radicale-calendar-multiget-broken-item calendar /alice/migrated/offsite.ics /alice/migrated/kickoff.ics

  report_battery "$RD" /alice/calendar/ /alice/contacts/ /alice/ radicale "${AL[@]}"
  capture report-calendar-query-partial.http none - "calendar-data asks only VERSION and VTODOs (RFC 4791 partial retrieval); Radicale sends the whole event" "${AL[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query-partial.xml" "$RD/alice/calendar/"
  capture report-calendar-query-on-addressbook.http path /alice/contacts/ "live only: Radicale answers a bare 400, not 403 DAV:supported-report; its log says Unsupported filter, a PROPFIND of resourcetype shows an address book" "${AL[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$RD/alice/contacts/"
  capture report-calendar-query-on-principal.http '!path' /alice/ "live only: the query went to the principal (a plain collection); Radicale answers an empty multistatus as if nothing matched" "${AL[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$RD/alice/"
  capture report-addressbook-query-on-calendar.http path /alice/calendar/ "live only: Radicale answers a bare 400, not 403 DAV:supported-report; its log says Unsupported filter" "${AL[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/addressbook-query.xml" "$RD/alice/calendar/"
  capture report-expand-property.http '!server-config' /alice/ "expand-property is in Radicale's supported-report-set but not implemented: an empty multistatus, where RFC 3253 3.8 answers for the request URI" "${AL[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/expand-property.xml" "$RD/alice/"
  capture report-principal-property-search.http '!server-config' / "live only: advertised but not implemented; an empty multistatus looks like a search that matched nobody, only Radicale's log says Unsupported REPORT method" "${AL[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/principal-property-search.xml" "$RD/"
  capture report-sync-on-event.http '!path' /alice/calendar/standup.ics "sync-collection on an event URL: Radicale syncs its calendar and answers for every member (hrefs beside the request URI), not 403 DAV:supported-report" "${AL[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$RD/alice/calendar/standup.ics"
  capture report-sync-on-principal.http path /alice/ "ambiguous: sync-collection on the principal; a server without RFC 6578 answers the same 403 DAV:supported-report (server-config)" "${AL[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$RD/alice/"
  sync_scene "$RD" /alice/sync/ radicale "${AL[@]}"
  sync_after_recreate "$RD" /alice/rebuilt/ radicale "${AL[@]}"
  capture report-sync-full-disk.http storage /alice/full/ "live only: the calendar sits on a full tmpfs; the sync writes its token cache and Radicale answers a bare 500, only its log says No space left on device" "${AL[@]}" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$RD/alice/full/"
  capture report-no-credentials.http permission /alice/calendar/ "htpasswd auth, no credentials sent" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$RD/alice/calendar/"
  capture report-wrong-password.http permission /alice/calendar/ "alice with a wrong password" -u alice:wrong -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$RD/alice/calendar/"
  capture report-other-users-calendar.http permission /alice/calendar/ "bob is allowed alice/team only (rights file)" -u bob:bob-pw -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$RD/alice/calendar/"
  capture report-calendar-query-broken-items.http '!payload' "/alice/migrated/offsite.ics,/alice/migrated/planning.ics" "live only: offsite.ics (no UID) and planning.ics (bad line folding) were written into the storage; Radicale leaves them out of the answer and only its log says Skip broken item" "${AL[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$RD/alice/migrated/"
  capture report-calendar-multiget-broken-item.http payload /alice/migrated/offsite.ics "live only: offsite.ics is on disk but has no UID; Radicale answers 404 as for a missing event, only its log says Skip broken item" "${AL[@]}" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/radicale-calendar-multiget-broken-item.xml" "$RD/alice/migrated/"
  write_source radicale "Server: Radicale $(python3 -c 'import importlib.metadata as m; print(m.version("radicale"))' 2>/dev/null) (PyPI), its built-in WSGI server (WSGIServer/0.2), Python $(python3 -c 'import platform; print(platform.python_version())')" \
    "scripts/peers/start-radicale.sh (PROFILE=faulty) on 127.0.0.1:$P_RADICALE: multifilesystem storage, htpasswd auth (alice:alice-pw, bob:bob-pw), rights from_file (each user owns /<user>/, bob may read alice/team only), /alice/full/ on a full 256 KiB tmpfs; the script made /alice/calendar/, /alice/sync/, /alice/rebuilt/ (MKCALENDAR) and /alice/contacts/ (extended MKCOL), PUT the events and contacts, and wrote /alice/migrated/ into the storage by hand."
fi

# ---------------------------------------------------------------------------------------------- Xandikos

if want xandikos; then
  echo "starting xandikos on $P_XANDIKOS"
  PROFILE=faulty "$peers/start-xandikos.sh" "$WORK" "$P_XANDIKOS" >/dev/null
  begin_server xandikos
  XD="http://127.0.0.1:$P_XANDIKOS"
  prep MKCALENDAR "$XD/alice/calendars/work/"
  prep MKCOL "$XD/alice/contacts/friends/" "${XML[@]}" --data-binary "$MKADDRESSBOOK"
  prep MKCOL "$XD/alice/files/"
  prep MKCALENDAR "$XD/alice/calendars/sync/"
  fill_collections "$XD" /alice/calendars/work/ /alice/contacts/friends/
  # Xandikos takes an event and a vCard without UID by PUT (201) and hands them out as they are
  prep MKCALENDAR "$XD/alice/calendars/imported/"
  printf '%s' "$ICAL_NO_UID" | prep PUT "$XD/alice/calendars/imported/offsite.ics" "${CAL_CT[@]}" --data-binary @-
  ical kickoff@example.com Kickoff 20261214T090000Z | prep PUT "$XD/alice/calendars/imported/kickoff.ics" "${CAL_CT[@]}" --data-binary @-
  prep MKCOL "$XD/alice/contacts/imported/" "${XML[@]}" --data-binary "$MKADDRESSBOOK"
  printf '%s' "$VCARD_NO_UID" | prep PUT "$XD/alice/contacts/imported/frank.vcf" "${VCF_CT[@]}" --data-binary @-
  vcard carol@example.org Carol carol@example.org | prep PUT "$XD/alice/contacts/imported/carol.vcf" "${VCF_CT[@]}" --data-binary @-
  multiget_bodies xandikos /alice/calendars/work/ /alice/contacts/friends/ /alice/
  multiget_body xandikos-calendar-multiget-no-uid calendar /alice/calendars/imported/offsite.ics /alice/calendars/imported/kickoff.ics
  multiget_body xandikos-addressbook-multiget-no-uid addressbook /alice/contacts/imported/frank.vcf /alice/contacts/imported/carol.vcf

  report_battery "$XD" /alice/calendars/work/ /alice/contacts/friends/ /alice/ xandikos
  capture propfind-supported-reports-plain.http none - "a plain collection made by MKCOL" -X PROPFIND -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/supported-report-set.xml" "$XD/alice/files/"
  capture report-calendar-query-partial.http none - "calendar-data asks only VERSION and VTODOs (RFC 4791 partial retrieval): a VCALENDAR with no component left, as asked" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query-partial.xml" "$XD/alice/calendars/work/"
  capture report-calendar-query-on-addressbook.http path /alice/contacts/friends/ "ambiguous: a calendar-query sent to the address book; a server without CalDAV answers the same 403 DAV:supported-report (server-config)" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$XD/alice/contacts/friends/"
  capture report-calendar-query-on-plain-collection.http path /alice/files/ "ambiguous: a calendar-query sent to a plain collection; a server without CalDAV answers the same 403 DAV:supported-report (server-config)" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/calendar-query.xml" "$XD/alice/files/"
  capture report-addressbook-query-on-calendar.http path /alice/calendars/work/ "ambiguous: an addressbook-query sent to the calendar; a server without CardDAV answers the same 403 DAV:supported-report (server-config)" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/addressbook-query.xml" "$XD/alice/calendars/work/"
  capture report-expand-property.http server-config /alice/ "expand-property is in Xandikos's supported-report-set, but it looks each property up by its bare name and ignores RFC 3253's default namespace DAV:, so every one comes back 404 in no namespace" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/expand-property.xml" "$XD/alice/"
  capture report-principal-property-search.http none - "displayname matches alice" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/principal-property-search.xml" "$XD/"
  capture report-sync-on-event.http path /alice/calendars/work/standup.ics "live only: sync-collection on an event URL; Xandikos answers a bare 500 (its log has the traceback), not 403 DAV:supported-report" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$XD/alice/calendars/work/standup.ics"
  capture report-sync-on-principal.http path /alice/ "live only: sync-collection on the principal, which is no collection in Xandikos; a bare 500 (its log has the traceback), not 403 DAV:supported-report" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$XD/alice/"
  capture report-sync-no-sync-level.http client /alice/calendars/work/ "no DAV:sync-level, which RFC 6578 requires (clients written to its drafts leave it out): 400" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-no-sync-level.xml" "$XD/alice/calendars/work/"
  sync_scene "$XD" /alice/calendars/sync/ xandikos
  sync_after_recreate "$XD" /alice/calendars/rebuilt/ xandikos
  capture report-sync-read-only.http permission /shared/archive/ "live only: the archive calendar is bind-mounted read-only; the sync refreshes the git index and Xandikos answers a bare 500, only its log says Read-only file system" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$XD/shared/archive/"
  capture report-sync-full-disk.http storage /shared/full/ "live only: the calendar's git repository is on a full tmpfs; a bare 500, only the log says No space left on device" -X REPORT -H 'Depth: 0' "${XML[@]}" --data-binary @"$RB/sync-initial.xml" "$XD/shared/full/"
  capture report-calendar-multiget-no-uid.http '!payload' /alice/calendars/imported/offsite.ics "offsite.ics has no UID; Xandikos took it by PUT (201) and hands it out as it is" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/xandikos-calendar-multiget-no-uid.xml" "$XD/alice/calendars/imported/"
  capture report-addressbook-multiget-no-uid.http '!payload' /alice/contacts/imported/frank.vcf "frank.vcf has no UID; Xandikos took it by PUT (201) and hands it out as it is" -X REPORT -H 'Depth: 1' "${XML[@]}" --data-binary @"$RB/xandikos-addressbook-multiget-no-uid.xml" "$XD/alice/contacts/imported/"
  write_source xandikos "Server: Xandikos $(python3 -c 'import importlib.metadata as m; print(m.version("xandikos"))' 2>/dev/null) (PyPI) on aiohttp $(python3 -c 'import importlib.metadata as m; print(m.version("aiohttp"))' 2>/dev/null), dulwich $(python3 -c 'import importlib.metadata as m; print(m.version("dulwich"))' 2>/dev/null), Python $(python3 -c 'import platform; print(platform.python_version())')" \
    "scripts/peers/start-xandikos.sh (PROFILE=faulty) on 127.0.0.1:$P_XANDIKOS: xandikos serve --autocreate, principal /alice/ (calendar home /alice/calendars/, address book home /alice/contacts/), no authentication; /shared/full/ a calendar on a full 256 KiB tmpfs, /shared/archive/ a calendar bind-mounted read-only; the script made /alice/calendars/{work,sync,rebuilt,imported}/ (MKCALENDAR), /alice/contacts/{friends,imported}/ (extended MKCOL) and /alice/files/ (MKCOL), and PUT the events and contacts."
fi

# Keep each server's own logs beside its captures, for `davdoctor logs` and its tests: the Date header of
# each capture and the log lines' times line up.
save_logs() {  # save_logs FOLDER PEER-NAME...
  local folder=$1; shift
  [[ -d "$FIX/$folder" ]] || return 0
  mkdir -p "$FIX/$folder/logs"
  local peer file first=$1
  for peer in "$@"; do
    for file in access.log error.log rclone.log wsgidav.log radicale.log xandikos.log; do
      [[ -s "$WORK/$peer/logs/$file" ]] || continue
      local target="$FIX/$folder/logs/$file"
      [[ "$peer" != "$first" ]] && target="$FIX/$folder/logs/$peer-$file"
      cp "$WORK/$peer/logs/$file" "$target"
    done
  done
}
# Stop the servers first: lighttpd (and others) flush buffered log lines on the way out.
"$peers/stop.sh" "$WORK" || true
for server in $ONLY; do
  case $server in
    apache-2.4) save_logs apache-2.4 apache apache-lockdb ;;
    nginx-dav-ext) save_logs nginx-dav-ext nginx ;;
    lighttpd) save_logs lighttpd lighttpd ;;
    wsgidav) save_logs wsgidav wsgidav ;;
    rclone) save_logs rclone rclone rclone-faulty ;;
    nginx-proxy) save_logs nginx-proxy nginx-proxy ;;
    radicale) save_logs radicale radicale ;;
    xandikos) save_logs xandikos xandikos ;;
  esac
done

echo "done in $(($(date +%s) - started))s"
