"""Xandikos (pip xandikos), git-backed CalDAV/CardDAV, configured as scripts/peers/start-xandikos.sh's faulty profile."""
from urllib.parse import quote

from corpus import (ADDRESSBOOK_QUERY, ALLPROP, CAL_TYPE, CALDAV, CALENDAR_QUERY, CARDDAV, CAROL, DAVE, ERIN, HOLIDAY,
                    MKCALENDAR, PROPNAME, REVIEW, STANDUP, VCARD_TYPE, XML_TYPE, Case, Setup, deleted, ical, in_turn,
                    lockinfo, mkcol_addressbook, multiget, named_props, pip_version, proppatch, put_state, sync_body)

ZURICH = ical("zurich-20261212@example.com", "Zürich offsite", "20261212T080000Z")
# A contact exported from Outlook: its notes field keeps Outlook's soft line break, a vertical tab (U+000B).
OLGA = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:olga-0004@example.org\r\nFN:Olga Petrova\r\nN:Petrova;Olga;;;\r\n"
        "TEL;TYPE=WORK:+49 30 1234567\r\nNOTE:met at the trade fair\x0bcall back in May about the offer\r\n"
        "END:VCARD\r\n").encode()


def start(ctx):
    base = ctx.peer("start-xandikos.sh", ctx.port(0), env={"PROFILE": "faulty"})
    cals, books = f"{base}/alice/calendars", f"{base}/alice/contacts"
    ctx.curl("MKCALENDAR", f"{cals}/personal/", [XML_TYPE], MKCALENDAR.replace(b"Holidays", b"Personal"))
    ctx.curl("MKCALENDAR", f"{cals}/sync/")
    ctx.curl("MKCOL", f"{books}/friends/", [XML_TYPE], mkcol_addressbook("Friends"))
    for path, data in (("personal/standup.ics", STANDUP), ("personal/review.ics", REVIEW),
                       ("personal/zürich offsite.ics", ZURICH), ("sync/standup.ics", STANDUP)):
        ctx.curl("PUT", f"{cals}/{quote(path)}", [CAL_TYPE], data)
    for path, data in (("friends/carol.vcf", CAROL), ("friends/dave.vcf", DAVE)):
        ctx.curl("PUT", f"{books}/{path}", [VCARD_TYPE], data)
    # alice imported her Outlook contacts into a new address book; Xandikos took the vCard as it was (201)
    ctx.curl("MKCOL", f"{books}/outlook/", [XML_TYPE], mkcol_addressbook("Outlook import"))
    ctx.curl("PUT", f"{books}/outlook/olga.vcf", [VCARD_TYPE], OLGA)
    ctx.curl("PUT", f"{books}/outlook/erin.vcf", [VCARD_TYPE], ERIN)
    return base


def cases(ctx, base):
    cals, books = f"{base}/alice/calendars", f"{base}/alice/contacts"
    cal, friends = f"{cals}/personal", f"{books}/friends"
    depth0, depth1 = [("Depth", "0"), XML_TYPE], [("Depth", "1"), XML_TYPE]

    # ---- healthy
    yield Case("propfind-principal-depth0", "PROPFIND", f"{base}/alice/", "none", kind="healthy", headers=depth0,
               body=named_props("current-user-principal", f"{{{CALDAV}}}calendar-home-set",
                                f"{{{CARDDAV}}}addressbook-home-set", f"{{{CALDAV}}}schedule-inbox-URL"),
               notes="discovery PROPFIND on the principal: home sets and the scheduling inbox")
    yield Case("propfind-calendar-home-depth1-allprop", "PROPFIND", f"{cals}/", "none", kind="healthy",
               headers=depth1, body=ALLPROP, notes="allprop Depth 1 on alice's calendar home")
    yield Case("propfind-calendar-depth1-etags", "PROPFIND", f"{cal}/", "none", kind="healthy", headers=depth1,
               body=named_props("getetag", "getcontenttype", "{http://calendarserver.org/ns/}getctag"),
               notes="events with ETags; one event is named 'zürich offsite.ics' (space and umlaut)")
    yield Case("propfind-addressbook-propname", "PROPFIND", f"{friends}/", "none", kind="propname", headers=depth1,
               body=PROPNAME, notes="propname on an address book")
    yield Case("propfind-home-depth-infinity", "PROPFIND", f"{base}/alice/calendars/", "none", kind="healthy",
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="Depth infinity on the calendar home: Xandikos walks the whole tree (calendars and events)")
    yield Case("options-calendar", "OPTIONS", f"{cal}/", "none", kind="healthy",
               notes="OPTIONS: DAV 1, 2, 3, calendar-access, addressbook, sync-collection ...")
    yield Case("get-event", "GET", f"{cal}/review.ics", "none", kind="healthy", notes="GET one event")
    yield Case("head-contact", "HEAD", f"{friends}/carol.vcf", "none", kind="healthy", curl_args=["-I"],
               notes="HEAD one contact")
    yield Case("get-collection-html", "GET", f"{cal}/", "none", kind="healthy",
               notes="GET on a calendar: Xandikos answers a small HTML page")
    yield Case("put-event-new", "PUT", f"{cal}/holiday.ics", "none", kind="healthy",
               headers=[CAL_TYPE, ("If-None-Match", "*")], body=HOLIDAY, prepare=deleted(f"{cal}/holiday.ics"),
               notes="create-only PUT of a new event: 201")
    plan = [ical("plan-20261215@example.com", s, "20261215T100000Z")
            for s in ("Planning", "Planning (room 4)", "Planning (cancelled?)")]
    _, h, _ = ctx.curl("PUT", f"{cal}/plan.ics", [CAL_TYPE], plan[1])
    yield Case("put-event-if-match-current", "PUT", f"{cal}/plan.ics", "none", kind="healthy",
               headers=[CAL_TYPE, ("If-Match", h.get("etag", '"unknown"'))], body=plan[2],
               prepare=put_state(f"{cal}/plan.ics", plan[1]), notes="update with the current ETag: 204")
    yield Case("put-contact-new", "PUT", f"{friends}/erin.vcf", "none", kind="healthy", headers=[VCARD_TYPE],
               body=ERIN, prepare=deleted(f"{friends}/erin.vcf"), notes="a new contact: 201")
    yield Case("mkcalendar-new", "MKCALENDAR", f"{cals}/holidays/", "none", kind="healthy", headers=[XML_TYPE],
               body=MKCALENDAR, prepare=deleted(f"{cals}/holidays/"), notes="MKCALENDAR with displayname: 201")
    yield Case("mkcol-extended-addressbook", "MKCOL", f"{books}/work/", "none", kind="healthy", headers=[XML_TYPE],
               body=mkcol_addressbook("Work"), prepare=deleted(f"{books}/work/"),
               notes="extended MKCOL creating an address book: 201")
    yield Case("proppatch-calendar-color", "PROPPATCH", f"{cal}/", "none", kind="deviation", headers=[XML_TYPE],
               body=proppatch({"displayname": "Personal", "{http://apple.com/ns/ical/}calendar-color": "#00AA00"}),
               notes="displayname and calendar-color set: 207 200 (Xandikos answers an absolute href here)")
    yield Case("delete-event", "DELETE", f"{cal}/old-holiday.ics", "none", kind="healthy",
               prepare=put_state(f"{cal}/old-holiday.ics", ical("old-holiday@example.com", "Old holiday")),
               notes="DELETE an event: 204")
    yield Case("copy-event-to-other-calendar", "COPY", f"{cal}/review.ics", "none", kind="healthy",
               headers=[("Destination", f"{cals}/sync/review-copy.ics")], prepare=deleted(f"{cals}/sync/review-copy.ics"),
               notes="COPY an event from personal/ into the sync/ calendar: 201")
    yield Case("move-event-to-other-calendar", "MOVE", f"{cal}/draft.ics", "none", kind="healthy",
               headers=[("Destination", f"{cals}/sync/draft.ics")],
               prepare=in_turn(deleted(f"{cals}/sync/draft.ics"),
                               put_state(f"{cal}/draft.ics", ical("draft@example.com", "Draft"))),
               notes="MOVE an event from personal/ into another calendar: 201")
    yield Case("report-calendar-multiget", "REPORT", f"{cal}/", "none", kind="healthy", headers=depth1,
               body=multiget("calendar", ["/alice/calendars/personal/standup.ics", "/alice/calendars/personal/review.ics",
                                          "/alice/calendars/personal/z%C3%BCrich%20offsite.ics"]),
               notes="calendar-multiget of three events (one percent-encoded)")
    yield Case("report-addressbook-multiget", "REPORT", f"{friends}/", "none", kind="healthy", headers=depth1,
               body=multiget("addressbook", ["/alice/contacts/friends/carol.vcf", "/alice/contacts/friends/dave.vcf"]),
               notes="addressbook-multiget of both contacts")
    yield Case("report-calendar-query-timerange", "REPORT", f"{cal}/", "none", kind="healthy", headers=depth1,
               body=CALENDAR_QUERY, notes="calendar-query for December's VEVENTs")
    yield Case("report-addressbook-query", "REPORT", f"{friends}/", "none", kind="healthy", headers=depth1,
               body=ADDRESSBOOK_QUERY, notes="addressbook-query on EMAIL")
    yield Case("report-sync-initial", "REPORT", f"{friends}/", "none", kind="healthy", headers=[XML_TYPE],
               body=sync_body(props="<D:getetag/>"), notes="sync-collection with an empty token")
    token = ctx.sync_token(f"{cals}/sync/")
    review_sync = ical("review-sync@example.com", "Review (synced)", "20261210T150000Z")
    ctx.curl("PUT", f"{cals}/sync/review.ics", [CAL_TYPE], review_sync)
    yield Case("report-sync-incremental", "REPORT", f"{cals}/sync/", "none", kind="healthy", headers=[XML_TYPE],
               body=sync_body(token), prepare=put_state(f"{cals}/sync/review.ics", review_sync),
               notes="sync-collection with an older token Xandikos issued (a git tree id): 207 with the change")

    # ---- REPORT sent astray or not understood (added with the REPORT diagnosis; labels fixed before scoring)
    yield Case("report-calendar-query-on-addressbook", "REPORT", f"{friends}/", "path", ["/alice/contacts/friends/"],
               kind="report", headers=depth1, body=CALENDAR_QUERY,
               notes="a calendar-query sent to the address book instead of the calendar")
    yield Case("report-multiget-other-collection", "REPORT", f"{cal}/", "path", ["/alice/contacts/friends/carol.vcf"],
               kind="report", headers=depth1,
               body=multiget("calendar", ["/alice/calendars/personal/standup.ics", "/alice/contacts/friends/carol.vcf"]),
               notes="calendar-multiget on the calendar naming a vCard of the address book")
    yield Case("report-multiget-on-principal", "REPORT", f"{base}/alice/", "path", ["/alice/"], kind="report",
               headers=depth1, body=multiget("calendar", ["/alice/calendars/personal/standup.ics"]),
               notes="calendar-multiget sent to the principal URL (a client set up with the account URL)")
    yield Case("report-sync-depth1", "REPORT", f"{friends}/", "none", kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=sync_body(),
               notes="sync-collection with Depth 1, which RFC 6578 does not define; Xandikos answers it all the same")
    yield Case("report-principal-match", "REPORT", f"{base}/alice/", "server-config", ["/alice/"], kind="report",
               headers=depth0,
               body=b'<?xml version="1.0" encoding="utf-8"?>\n<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop></D:principal-match>',
               notes="a principal-match REPORT (RFC 3744), which Xandikos does not offer")
    yield Case("get-well-known-carddav", "GET", f"{base}/.well-known/carddav", "none", kind="healthy",
               notes="RFC 6764 discovery: a redirect to the service")
    yield Case("report-free-busy", "REPORT", f"{cal}/", "payload", ["/alice/calendars/personal/"], kind="report",
               headers=depth1,
               body=(f'<?xml version="1.0" encoding="utf-8"?>\n<C:free-busy-query xmlns:C="{CALDAV}">'
                     '<C:time-range start="20261201T000000Z" end="20261231T000000Z"/></C:free-busy-query>').encode(),
               notes="free-busy-query for December: the VFREEBUSY comes back labelled application/octet-stream, not text/calendar")

    # ---- path
    yield Case("propfind-missing-calendar", "PROPFIND", f"{cals}/persnal/", "path", ["/alice/calendars/persnal/"],
               headers=depth1, body=ALLPROP, kind="status-habit",
               notes="a typo in the calendar's name: Xandikos answers 207 holding one 404 response, not a plain 404")
    yield Case("get-missing-event", "GET", f"{cal}/lunch.ics", "path", ["/alice/calendars/personal/lunch.ics"],
               notes="an event that does not exist: 404")
    yield Case("get-wrong-case", "GET", f"{cal}/Standup.ics", "path", ["/alice/calendars/personal/Standup.ics"],
               notes="the event is standup.ics; the client asks for Standup.ics: 404")
    yield Case("report-multiget-missing-href", "REPORT", f"{cal}/", "path", ["/alice/calendars/personal/retro.ics"],
               headers=depth1, body=multiget("calendar", ["/alice/calendars/personal/standup.ics",
                                                          "/alice/calendars/personal/retro.ics"]),
               notes="multiget naming an event that does not exist: 207 with a 404 response for it")
    yield Case("mkcalendar-missing-parent", "MKCALENDAR", f"{cals}/2027/q1/", "path", ["/alice/calendars/2027/q1/"],
               notes="MKCALENDAR below a collection that does not exist: 409")
    yield Case("put-into-missing-calendar", "PUT", f"{cals}/travel/flight.ics", "path",
               ["/alice/calendars/travel/flight.ics"], headers=[CAL_TYPE], body=ical("flight@example.com", "Flight"),
               notes="PUT into a calendar that was never created")
    yield Case("delete-missing-contact", "DELETE", f"{friends}/frank.vcf", "path", ["/alice/contacts/friends/frank.vcf"],
               notes="DELETE of a contact that is not there: 404")

    # ---- cache (stale client state)
    team = [ical("team-20261216@example.com", s, "20261216T100000Z")
            for s in ("Team sync", "Team sync (room 2)", "Team sync (cancelled?)")]
    _, h, _ = ctx.curl("PUT", f"{cal}/team.ics", [CAL_TYPE], team[0])
    stale = h.get("etag", '"unknown"')
    yield Case("put-stale-if-match", "PUT", f"{cal}/team.ics", "cache", ["/alice/calendars/personal/team.ics"],
               headers=[CAL_TYPE, ("If-Match", stale)], body=team[2], kind="stale-state",
               prepare=put_state(f"{cal}/team.ics", team[1]),
               notes="the ETag is from before another device's edit: 412")
    yield Case("delete-stale-if-match", "DELETE", f"{cal}/team.ics", "cache", ["/alice/calendars/personal/team.ics"],
               headers=[("If-Match", stale)], kind="stale-state", prepare=put_state(f"{cal}/team.ics", team[1]),
               notes="DELETE with an ETag from before another device's edit: 412")
    yield Case("put-if-none-match-existing", "PUT", f"{friends}/dave.vcf", "cache", ["/alice/contacts/friends/dave.vcf"],
               headers=[VCARD_TYPE, ("If-None-Match", "*")], body=DAVE, kind="stale-state",
               prepare=put_state(f"{friends}/dave.vcf", DAVE, VCARD_TYPE),
               notes="create-only PUT of a contact another device already uploaded: 412 (stale view, right path)")
    yield Case("put-uid-conflict", "PUT", f"{cal}/standup-again.ics", "cache", ["/alice/calendars/personal/standup-again.ics"],
               headers=[CAL_TYPE], body=STANDUP, kind="error-body", prepare=deleted(f"{cal}/standup-again.ics"),
               notes="the UID already lives at standup.ics (a client that lost its href mapping): 412 with "
                     "CALDAV:no-uid-conflict 'UID already in use.'")
    yield Case("report-sync-made-up-token", "REPORT", f"{friends}/", "cache", ["/alice/contacts/friends/"],
               headers=[XML_TYPE], body=sync_body("0123456789abcdef0123456789abcdef01234567"), kind="stale-state",
               notes="a sync token Xandikos never issued: 412 with DAV:valid-sync-token (RFC 6578 names 403)")
    ctx.curl("DELETE", f"{cals}/rebuilt/")
    ctx.curl("MKCALENDAR", f"{cals}/rebuilt/")
    ctx.curl("PUT", f"{cals}/rebuilt/standup.ics", [CAL_TYPE], STANDUP)
    old_token = ctx.sync_token(f"{cals}/rebuilt/")
    ctx.curl("DELETE", f"{cals}/rebuilt/")
    ctx.curl("MKCALENDAR", f"{cals}/rebuilt/")
    ctx.curl("PUT", f"{cals}/rebuilt/review.ics", [CAL_TYPE], REVIEW)
    if old_token:
        yield Case("report-sync-token-after-restore", "REPORT", f"{cals}/rebuilt/", "cache", ["/alice/calendars/rebuilt/"],
                   headers=[XML_TYPE], body=sync_body(old_token), kind="stale-state",
                   notes="the calendar was deleted and created again (a new git repository); the client's old "
                         "token is unknown: 412 valid-sync-token")

    # ---- storage
    yield Case("put-event-full-disk", "PUT", f"{base}/shared/full/standup.ics", "storage", ["/shared/full/standup.ics"],
               headers=[CAL_TYPE], body=STANDUP, kind="full-disk",
               notes="the calendar's git repository is on a full 256 KiB tmpfs: 507")
    yield Case("proppatch-full-disk", "PROPPATCH", f"{base}/shared/full/", "storage", ["/shared/full/"],
               headers=[XML_TYPE], body=proppatch({"displayname": "Full calendar"}),
               kind="status-habit",
               notes="PROPPATCH rewrites the collection's .xandikos file and commits it on the full tmpfs: a bare 500, not 507")

    # ---- permission (a read-only mount)
    yield Case("put-readonly-mount", "PUT", f"{base}/shared/archive/new.ics", "permission", ["/shared/archive/new.ics"],
               headers=[CAL_TYPE], body=ical("archive-new@example.com", "Late entry", "20251220T090000Z"),
               kind="read-only", notes="the archive calendar is bind-mounted read-only: EROFS, a bare 500")
    yield Case("delete-readonly-mount", "DELETE", f"{base}/shared/archive/old.ics", "permission",
               ["/shared/archive/old.ics"], kind="read-only",
               notes="DELETE in the read-only archive: 500 'Server got itself in trouble'")
    yield Case("propfind-readonly-mount-allprop", "PROPFIND", f"{base}/shared/archive/", "permission",
               ["/shared/archive/"], headers=depth1, body=ALLPROP, kind="read-only",
               notes="even allprop fails: computing the collection's ETag commits the git index, which the "
                     "read-only mount refuses: 500")
    yield Case("propfind-readonly-mount-named", "PROPFIND", f"{base}/shared/archive/", "none", kind="healthy",
               headers=depth1, body=named_props("displayname", "resourcetype", "getcontenttype"),
               notes="named properties that need no write: the read-only archive lists fine")

    # ---- server-config
    yield Case("lock-not-supported", "LOCK", f"{cal}/standup.ics", "server-config",
               ["/alice/calendars/personal/standup.ics"], headers=[XML_TYPE, ("Timeout", "Second-600")],
               body=lockinfo("alice"),
               notes="no LOCK in Xandikos although its DAV header says 2: 405")
    yield Case("report-multiget-vertical-tab", "REPORT", f"{books}/outlook/", "payload",
               ["/alice/contacts/outlook/olga.vcf"], kind="broken-answer", headers=depth1,
               body=multiget("addressbook", ["/alice/contacts/outlook/olga.vcf", "/alice/contacts/outlook/erin.vcf"]),
               notes="a vCard imported from Outlook keeps a vertical tab (U+000B) in NOTE; Xandikos accepted the PUT and "
                     "writes the character raw into address-data: the 207 is not XML 1.0")
    yield Case("proppatch-dead-property", "PROPPATCH", f"{cal}/standup.ics", "server-config",
               ["/alice/calendars/personal/standup.ics"], headers=[XML_TYPE],
               body=proppatch({"{urn:schemas-microsoft-com:}Win32LastModifiedTime": "Mon, 07 Dec 2026 09:00:00 GMT"}),
               notes="Windows' mini-redirector sets a Win32 dead property; Xandikos stores no dead properties: 207 with 403")


SETUP = Setup(
    name="xandikos",
    describe="scripts/peers/start-xandikos.sh, PROFILE=faulty: xandikos serve --autocreate, principal /alice/, "
             "no authentication; calendars and address books created by MKCALENDAR / extended MKCOL; "
             "/shared/full/ a calendar on a full tmpfs, /shared/archive/ a calendar bind-mounted read-only; "
             "/alice/contacts/outlook/ holds a vCard whose NOTE has a vertical tab (an Outlook export).",
    start=start, cases=cases,
    versions=lambda: [f"Xandikos {pip_version('xandikos')} (PyPI), dulwich {pip_version('dulwich')}"],
)
