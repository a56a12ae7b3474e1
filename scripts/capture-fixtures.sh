#!/usr/bin/env bash
# Re-create the real-server captures under Tests/Fixtures/ (see Tests/Fixtures/README.md).
#
#   scripts/capture-fixtures.sh            # all servers
#   ONLY="apache-2.4 rclone" scripts/capture-fixtures.sh
#
# Starts the peers from scripts/peers/ on 127.0.0.1 (ports 18081-18090, override with PORT_BASE, default
# 18080: apache +1, nginx +2, lighttpd +3, wsgidav +4, rclone +5, nginx-proxy +6..+9, rclone-faulty +10),
# drives each one into every failure it can really produce with curl, and saves each response as
#   <name>.http        exactly what `curl -s -i` prints (status line, headers, body)
#   <name>.curl-v.txt  `curl -s -v` with stderr and stdout merged (">" request and "<" response lines)
#   <name>.xml         the bare response body (`curl -s`)
# into Tests/Fixtures/<server>/, then rewrites the generated block of each folder's SOURCE.md (versions,
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
BIG_FILES=${BIG_FILES:-1500}
ONLY=${ONLY:-"apache-2.4 nginx-dav-ext lighttpd wsgidav rclone nginx-proxy"}
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
)

# capture FILE CAUSE RESOURCES NOTES CURL-ARGS... URL
#   CAUSE: a DESIGN.md cause id; it becomes "none" (and RESOURCES "-") when every status in the response
#          is 2xx. Prefix it with "!" to keep it even then (a fault a 2xx response still shows).
#   The method, Depth, URL and the headers that matter (Destination, If, Lock-Token, Overwrite, the user)
#   are read from the curl arguments; the status seen is prepended to NOTES.
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
  notes="${status#HTTP/1.1 }${extra}${notes}"
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

# Keep each server's own logs beside its captures, for `davdoctor logs` and its tests: the Date header of
# each capture and the log lines' times line up.
save_logs() {  # save_logs FOLDER PEER-NAME...
  local folder=$1; shift
  [[ -d "$FIX/$folder" ]] || return 0
  mkdir -p "$FIX/$folder/logs"
  local peer file first=$1
  for peer in "$@"; do
    for file in access.log error.log rclone.log wsgidav.log; do
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
  esac
done

echo "done in $(($(date +%s) - started))s"
