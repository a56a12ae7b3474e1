"""Radicale 3 (pip radicale), CalDAV/CardDAV, configured as scripts/peers/start-radicale.sh's faulty profile."""
import json
import os
import subprocess

from corpus import (ADDRESSBOOK_QUERY, ALICE, ALLPROP, BOB, CAL_TYPE, CALDAV, CALENDAR_QUERY, CARDDAV, CAROL, DAVE, ERIN,
                    HOLIDAY, MKCALENDAR, PROPNAME, REVIEW, STANDUP, VCARD_TYPE, XML_TYPE, Case, Setup, deleted, ical,
                    in_turn, lockinfo, mkcol_addressbook, multiget, named_props, pip_version, proppatch, put_state, sync_body)

CAFE = ical("cafe-20261211@example.com", "Café with Zoë", "20261211T100000Z")
PLAN_V1 = ical("plan-20261215@example.com", "Planning", "20261215T100000Z")
PLAN_V2 = ical("plan-20261215@example.com", "Planning (moved to room 4)", "20261215T100000Z")
PLAN_V3 = ical("plan-20261215@example.com", "Planning (cancelled?)", "20261215T100000Z")


def start(ctx):
    base = ctx.peer("start-radicale.sh", ctx.port(0), env={"PROFILE": "faulty"})
    # carol's calendars were migrated from the old server by a script that wrote Radicale's storage directly;
    # the on-call calendar's name kept the old system's ANSI bold sequence (ESC [1m).
    subprocess.run(["htpasswd", "-bm", os.path.join(ctx.workdir, "radicale", "htpasswd"), "carol", "carol-pw"],
                   check=True, capture_output=True)
    home = os.path.join(ctx.workdir, "radicale", "collections", "collection-root", "carol")
    for name, props in (("oncall", {"tag": "VCALENDAR", "D:displayname": "\x1b[1mOn-call\x1b[0m rota",
                                    "C:calendar-description": "migrated from the old groupware"}),
                        ("work", {"tag": "VCALENDAR", "D:displayname": "Work"})):
        os.makedirs(os.path.join(home, name), exist_ok=True)
        with open(os.path.join(home, name, ".Radicale.props"), "w") as f:
            json.dump(props, f)
    # The client side of the set-up: what a calendar app does on first sync.
    ctx.curl("MKCALENDAR", f"{base}/alice/calendar/", user=ALICE)
    ctx.curl("MKCALENDAR", f"{base}/alice/team/", user=ALICE)
    ctx.curl("MKCALENDAR", f"{base}/alice/sync/", user=ALICE)
    ctx.curl("MKCOL", f"{base}/alice/contacts/", [XML_TYPE], mkcol_addressbook("Contacts"), ALICE)
    ctx.curl("MKCALENDAR", f"{base}/bob/calendar/", user=BOB)
    for path, data in (("calendar/standup.ics", STANDUP), ("calendar/review.ics", REVIEW),
                       ("calendar/café.ics", CAFE), ("team/standup.ics", STANDUP),
                       ("sync/standup.ics", STANDUP)):
        ctx.curl("PUT", f"{base}/alice/{path}", [CAL_TYPE], data, ALICE)
    for path, data in (("contacts/carol.vcf", CAROL), ("contacts/dave.vcf", DAVE)):
        ctx.curl("PUT", f"{base}/alice/{path}", [VCARD_TYPE], data, ALICE)
    return base


def cases(ctx, base):
    a = f"{base}/alice"
    cal, team, contacts = f"{a}/calendar", f"{a}/team", f"{a}/contacts"
    depth0, depth1 = [("Depth", "0"), XML_TYPE], [("Depth", "1"), XML_TYPE]

    # ---- healthy
    yield Case("propfind-principal-depth0", "PROPFIND", f"{a}/", "none", user=ALICE, kind="healthy", headers=depth0,
               body=named_props("current-user-principal", f"{{{CALDAV}}}calendar-home-set", f"{{{CARDDAV}}}addressbook-home-set"),
               notes="a client's discovery PROPFIND on alice's principal: 207 with the home sets")
    yield Case("propfind-home-depth1-allprop", "PROPFIND", f"{base}/bob/", "none", user=BOB, kind="healthy",
               headers=depth1, body=ALLPROP, notes="bob lists his calendars (allprop, Depth 1)")
    yield Case("propfind-home-depth1-named", "PROPFIND", f"{a}/", "none", user=ALICE, kind="healthy", headers=depth1,
               body=named_props("resourcetype", "displayname", "{http://calendarserver.org/ns/}getctag"),
               notes="alice lists her calendars and address books by name, with the CalendarServer ctag")
    yield Case("propfind-calendar-depth1-etags", "PROPFIND", f"{cal}/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=named_props("getetag", "getcontenttype", "displayname"),
               notes="the calendar's events with their ETags; one event is named café.ics (percent-encoded href)")
    yield Case("propfind-contacts-propname", "PROPFIND", f"{contacts}/", "none", user=ALICE, kind="propname",
               headers=depth1, body=PROPNAME, notes="propname on the address book")
    yield Case("propfind-calendar-depth-infinity", "PROPFIND", f"{cal}/", "none", user=ALICE, kind="healthy",
               headers=[("Depth", "infinity")], notes="Depth infinity on a calendar: it has no sub-collections, "
               "so Radicale's depth-1 answer is the whole tree")
    yield Case("propfind-no-body-depth0", "PROPFIND", f"{contacts}/carol.vcf", "none", user=ALICE, kind="healthy",
               headers=[("Depth", "0")], notes="PROPFIND without a body (allprop) on one contact")
    yield Case("options-calendar-anonymous", "OPTIONS", f"{cal}/", "none", kind="healthy",
               notes="OPTIONS without credentials: Radicale answers 200 with DAV and Allow (no auth needed)")
    yield Case("get-event", "GET", f"{cal}/standup.ics", "none", user=ALICE, kind="healthy", notes="GET one event")
    yield Case("head-contact", "HEAD", f"{contacts}/dave.vcf", "none", user=ALICE, kind="healthy",
               curl_args=["-I"], notes="HEAD one contact")
    yield Case("get-calendar-export", "GET", f"{cal}/", "none", user=ALICE, kind="healthy",
               notes="GET on a calendar collection: Radicale exports the whole calendar as one text/calendar")
    yield Case("put-event-new", "PUT", f"{cal}/holiday.ics", "none", user=ALICE, kind="healthy",
               headers=[CAL_TYPE, ("If-None-Match", "*")], body=HOLIDAY, prepare=deleted(f"{cal}/holiday.ics", user=ALICE),
               notes="a new event with If-None-Match: * (create only): 201")
    _, h, _ = ctx.curl("PUT", f"{cal}/plan.ics", [CAL_TYPE], PLAN_V2, ALICE)
    plan_v2_etag = h.get("etag", '"unknown"')
    yield Case("put-event-if-match-current", "PUT", f"{cal}/plan.ics", "none", user=ALICE, kind="healthy",
               headers=[CAL_TYPE, ("If-Match", plan_v2_etag)], body=PLAN_V3,
               prepare=put_state(f"{cal}/plan.ics", PLAN_V2, user=ALICE),
               notes="an update with the current ETag in If-Match: 204")
    yield Case("put-contact-new", "PUT", f"{contacts}/erin.vcf", "none", user=ALICE, kind="healthy",
               headers=[VCARD_TYPE], body=ERIN, prepare=deleted(f"{contacts}/erin.vcf", user=ALICE), notes="a new contact: 201")
    yield Case("mkcalendar-new", "MKCALENDAR", f"{a}/holidays/", "none", user=ALICE, kind="healthy",
               headers=[XML_TYPE], body=MKCALENDAR, prepare=deleted(f"{a}/holidays/", user=ALICE),
               notes="MKCALENDAR with a displayname and a component set: 201")
    yield Case("mkcol-extended-addressbook", "MKCOL", f"{a}/work-contacts/", "none", user=ALICE, kind="healthy",
               headers=[XML_TYPE], body=mkcol_addressbook("Work"), prepare=deleted(f"{a}/work-contacts/", user=ALICE),
               notes="extended MKCOL (RFC 5689) creating an address book: 201")
    yield Case("proppatch-calendar-color", "PROPPATCH", f"{cal}/", "none", user=ALICE, kind="healthy",
               headers=[XML_TYPE], body=proppatch({"displayname": "Work", "{http://apple.com/ns/ical/}calendar-color": "#FF0000"}),
               notes="set displayname and an Apple calendar-color: 207, both 200")
    yield Case("delete-event", "DELETE", f"{cal}/holiday-old.ics", "none", user=ALICE, kind="deviation",
               prepare=put_state(f"{cal}/holiday-old.ics", ical("holiday-old@example.com", "Old holiday"), user=ALICE),
               notes="DELETE of an event: Radicale answers 200 with a multistatus body (a quirk, not a fault)")
    yield Case("move-event", "MOVE", f"{cal}/review-draft.ics", "none", user=ALICE, kind="healthy",
               headers=[("Destination", f"{cal}/review-final.ics")],
               prepare=in_turn(deleted(f"{cal}/review-final.ics", user=ALICE),  # first: it holds the UID after a MOVE
                               put_state(f"{cal}/review-draft.ics", ical("review-draft@example.com", "Review draft"),
                                         user=ALICE)),
               notes="MOVE an event to a new name in the same calendar: 201")
    yield Case("report-calendar-multiget", "REPORT", f"{cal}/", "none", user=ALICE, kind="healthy", headers=depth1,
               body=multiget("calendar", ["/alice/calendar/standup.ics", "/alice/calendar/review.ics",
                                          "/alice/calendar/caf%C3%A9.ics"]),
               notes="calendar-multiget of three existing events (one percent-encoded)")
    yield Case("report-addressbook-multiget", "REPORT", f"{contacts}/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=multiget("addressbook", ["/alice/contacts/carol.vcf", "/alice/contacts/dave.vcf"]),
               notes="addressbook-multiget of both contacts")
    yield Case("report-calendar-query-timerange", "REPORT", f"{cal}/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=CALENDAR_QUERY, notes="calendar-query for December's VEVENTs")
    yield Case("report-addressbook-query", "REPORT", f"{contacts}/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=ADDRESSBOOK_QUERY, notes="addressbook-query on EMAIL contains example.org")
    yield Case("report-sync-initial", "REPORT", f"{contacts}/", "none", user=ALICE, kind="healthy",
               headers=[XML_TYPE], body=sync_body(props="<D:getetag/><D:getcontenttype/>"),
               notes="sync-collection with an empty token (initial sync)")
    token = ctx.sync_token(f"{a}/sync/", ALICE)
    review_sync = ical("review-sync@example.com", "Review (synced)", "20261210T150000Z")
    ctx.curl("PUT", f"{a}/sync/review.ics", [CAL_TYPE], review_sync, ALICE)
    yield Case("report-sync-incremental", "REPORT", f"{a}/sync/", "none", user=ALICE, kind="healthy",
               headers=[XML_TYPE], body=sync_body(token), prepare=put_state(f"{a}/sync/review.ics", review_sync, user=ALICE),
               notes="sync-collection with a token Radicale issued before one more event was added: 207 with the change")

    # ---- REPORT sent astray or not understood (added with the REPORT diagnosis; labels fixed before scoring)
    yield Case("report-calendar-query-on-addressbook", "REPORT", f"{contacts}/", "path", ["/alice/contacts/"], user=ALICE,
               kind="report", headers=depth1, body=CALENDAR_QUERY,
               notes="a calendar-query sent to the address book instead of the calendar")
    yield Case("report-multiget-other-collection", "REPORT", f"{cal}/", "path", ["/alice/contacts/carol.vcf"], user=ALICE,
               kind="report", headers=depth1,
               body=multiget("calendar", ["/alice/calendar/standup.ics", "/alice/contacts/carol.vcf"]),
               notes="calendar-multiget on the calendar naming a vCard of the address book")
    yield Case("report-multiget-on-principal", "REPORT", f"{a}/", "path", ["/alice/"], user=ALICE, kind="report",
               headers=depth1, body=multiget("calendar", ["/alice/calendar/standup.ics"]),
               notes="calendar-multiget sent to the principal URL (a client set up with the account URL)")
    yield Case("report-sync-depth1", "REPORT", f"{contacts}/", "none", user=ALICE, kind="healthy",
               headers=[("Depth", "1"), XML_TYPE], body=sync_body(),
               notes="sync-collection with Depth 1, which RFC 6578 does not define; Radicale answers it all the same")
    yield Case("report-unknown-type", "REPORT", f"{cal}/", "server-config", ["/alice/calendar/"], user=ALICE,
               kind="report", headers=depth1,
               body=b'<?xml version="1.0" encoding="utf-8"?>\n<D:version-tree xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:version-tree>',
               notes="a version-tree REPORT (RFC 3253), which Radicale does not offer")
    yield Case("get-well-known-caldav", "GET", f"{base}/.well-known/caldav", "none", user=ALICE, kind="healthy",
               notes="RFC 6764 discovery: a redirect to the service")

    # ---- path
    yield Case("propfind-missing-calendar", "PROPFIND", f"{a}/calender/", "path", ["/alice/calender/"], user=ALICE,
               headers=depth1, body=ALLPROP, notes="a typo in the calendar's name: 404")
    yield Case("get-missing-event", "GET", f"{cal}/lunch.ics", "path", ["/alice/calendar/lunch.ics"], user=ALICE,
               notes="an event that does not exist: 404")
    yield Case("get-nfd-name", "GET", f"{cal}/cafe%CC%81.ics", "path", ["/alice/calendar/café.ics"], user=ALICE,
               notes="the event is stored as NFC café.ics; the client asks for the NFD spelling: 404")
    yield Case("report-multiget-missing-href", "REPORT", f"{cal}/", "path", ["/alice/calendar/retro.ics"],
               user=ALICE, headers=depth1,
               body=multiget("calendar", ["/alice/calendar/standup.ics", "/alice/calendar/retro.ics"]),
               notes="calendar-multiget naming an event that does not exist: 207 with a 404 response for it")
    yield Case("put-into-missing-calendar", "PUT", f"{a}/personal/dentist.ics", "path", ["/alice/personal/dentist.ics"],
               user=ALICE, headers=[CAL_TYPE], body=ical("dentist@example.com", "Dentist"),
               notes="PUT into a calendar that was never created: 409 Conflict (missing parent)")
    yield Case("move-to-missing-calendar", "MOVE", f"{cal}/review.ics", "path", ["/alice/archive/review.ics"],
               user=ALICE, headers=[("Destination", f"{a}/archive/review.ics")],
               notes="MOVE to a calendar that does not exist: 409 Conflict")
    yield Case("delete-missing-contact", "DELETE", f"{contacts}/frank.vcf", "path", ["/alice/contacts/frank.vcf"],
               user=ALICE, notes="DELETE of a contact that is not there: 404")

    # ---- permission
    yield Case("propfind-no-credentials", "PROPFIND", f"{cal}/", "permission", ["/alice/calendar/"],
               headers=depth1, body=ALLPROP, notes="htpasswd auth: no credentials sent: 401 with a Basic challenge")
    yield Case("report-wrong-password", "REPORT", f"{contacts}/", "permission", ["/alice/contacts/"],
               user="alice:alice-password", headers=depth1, body=ADDRESSBOOK_QUERY,
               notes="htpasswd auth: a wrong password: 401")
    yield Case("propfind-other-users-calendar", "PROPFIND", f"{cal}/", "permission", ["/alice/calendar/"], user=BOB,
               headers=depth1, body=named_props("getetag"),
               notes="rights file: bob has no rule for alice/calendar: 403")
    yield Case("put-readonly-shared-calendar", "PUT", f"{team}/bobs-idea.ics", "permission", ["/alice/team/bobs-idea.ics"],
               user=BOB, headers=[CAL_TYPE], body=ical("bobs-idea@example.com", "Bob's idea"), kind="read-only",
               notes="rights file gives bob 'r' on alice/team: his PUT gets 403")
    yield Case("delete-readonly-shared-event", "DELETE", f"{team}/standup.ics", "permission", ["/alice/team/standup.ics"],
               user=BOB, kind="read-only", notes="bob may only read alice/team: DELETE 403")
    yield Case("mkcalendar-in-other-home", "MKCALENDAR", f"{a}/bobs/", "permission", ["/alice/bobs/"], user=BOB,
               notes="bob creates a calendar in alice's home: 403 (rights file)")

    # ---- cache (stale client state)
    plan_team = [ical("plan-team-20261216@example.com", summary, "20261216T100000Z")
                 for summary in ("Team planning", "Team planning (room 2)", "Team planning (cancelled?)")]
    _, h, _ = ctx.curl("PUT", f"{cal}/plan-team.ics", [CAL_TYPE], plan_team[0], ALICE)
    stale = h.get("etag", '"unknown"')
    plan_team_v2 = plan_team[1]
    yield Case("put-stale-if-match", "PUT", f"{cal}/plan-team.ics", "cache", ["/alice/calendar/plan-team.ics"],
               user=ALICE, headers=[CAL_TYPE, ("If-Match", stale)], body=plan_team[2], kind="stale-state",
               prepare=put_state(f"{cal}/plan-team.ics", plan_team_v2, user=ALICE),
               notes="the phone's ETag is from before the laptop changed the event: 412")
    yield Case("delete-stale-if-match", "DELETE", f"{cal}/plan-team.ics", "cache", ["/alice/calendar/plan-team.ics"],
               user=ALICE, headers=[("If-Match", stale)], kind="stale-state",
               prepare=put_state(f"{cal}/plan-team.ics", plan_team_v2, user=ALICE),
               notes="DELETE with an ETag from before another device's edit: 412")
    yield Case("put-if-none-match-existing", "PUT", f"{cal}/standup.ics", "cache", ["/alice/calendar/standup.ics"],
               user=ALICE, headers=[CAL_TYPE, ("If-None-Match", "*")], body=STANDUP, kind="stale-state",
               prepare=put_state(f"{cal}/standup.ics", STANDUP, user=ALICE),
               notes="create-only PUT of an event that another device already uploaded: 412 "
                     "(the client's view of the calendar is stale; the path itself is right)")
    yield Case("put-uid-conflict", "PUT", f"{cal}/standup-copy.ics", "cache", ["/alice/calendar/standup-copy.ics"],
               user=ALICE, headers=[CAL_TYPE], body=STANDUP, kind="error-body",
               prepare=deleted(f"{cal}/standup-copy.ics", user=ALICE),
               notes="the event's UID already lives at standup.ics (a client that lost its href mapping "
                     "re-uploads): 409 with CALDAV:no-uid-conflict")
    yield Case("report-sync-made-up-token", "REPORT", f"{contacts}/", "cache", ["/alice/contacts/"], user=ALICE,
               headers=[XML_TYPE], body=sync_body("http://radicale.org/ns/sync/0123456789abcdef"), kind="stale-state",
               notes="a sync token Radicale never issued: 403 DAV:valid-sync-token")
    stale_token = ctx.sync_token(f"{a}/sync/", ALICE)
    ctx.curl("DELETE", f"{a}/rebuilt/", user=ALICE)
    ctx.curl("MKCALENDAR", f"{a}/rebuilt/", user=ALICE)
    ctx.curl("PUT", f"{a}/rebuilt/standup.ics", [CAL_TYPE], STANDUP, ALICE)
    old_token = ctx.sync_token(f"{a}/rebuilt/", ALICE)
    ctx.curl("DELETE", f"{a}/rebuilt/", user=ALICE)
    ctx.curl("MKCALENDAR", f"{a}/rebuilt/", user=ALICE)
    ctx.curl("PUT", f"{a}/rebuilt/review.ics", [CAL_TYPE], REVIEW, ALICE)
    if old_token and old_token != stale_token:
        yield Case("report-sync-token-after-restore", "REPORT", f"{a}/rebuilt/", "cache", ["/alice/rebuilt/"],
                   user=ALICE, headers=[XML_TYPE], body=sync_body(old_token), kind="stale-state",
                   notes="the calendar was deleted and created again (a restore); the client's old token is unknown: 403 valid-sync-token")

    # ---- storage
    yield Case("put-event-full-disk", "PUT", f"{a}/full/standup.ics", "storage", ["/alice/full/standup.ics"],
               user=ALICE, headers=[CAL_TYPE], body=STANDUP, kind="full-disk",
               notes="the calendar's directory is a full 256 KiB tmpfs: 507 Insufficient Storage")
    yield Case("put-contact-full-disk", "PUT", f"{a}/full-contacts/erin.vcf", "storage", ["/alice/full-contacts/erin.vcf"],
               user=ALICE, headers=[VCARD_TYPE], body=ERIN, kind="full-disk",
               notes="the address book's directory is a full tmpfs: 507")
    yield Case("proppatch-full-disk", "PROPPATCH", f"{a}/full/", "storage", ["/alice/full/"], user=ALICE,
               headers=[XML_TYPE], body=proppatch({"displayname": "Full calendar"}), kind="full-disk",
               notes="PROPPATCH rewrites .Radicale.props on the full tmpfs")

    yield Case("propfind-home-allprop-full-disk", "PROPFIND", f"{a}/", "storage", ["/alice/"], user=ALICE,
               headers=depth1, body=ALLPROP, kind="status-habit",
               notes="allprop on alice's home makes Radicale write each calendar's sync-token cache; on the full "
                     "tmpfs under /alice/full/ that fails (ENOSPC) and the whole listing answers a bare 500")

    # ---- server-config
    yield Case("lock-not-supported", "LOCK", f"{cal}/standup.ics", "server-config", ["/alice/calendar/standup.ics"],
               user=ALICE, headers=[XML_TYPE, ("Timeout", "Second-600")],
               body=lockinfo("alice"),
               notes="Radicale has no LOCK (though its DAV header says 2): 405")
    yield Case("copy-not-supported", "COPY", f"{cal}/review.ics", "server-config", ["/alice/calendar/review.ics"],
               user=ALICE, headers=[("Destination", f"{cal}/review-copy.ics")],
               notes="Radicale implements MOVE but not COPY: 405")
    yield Case("put-over-max-content-length", "PUT", f"{cal}/offsite.ics", "server-config", ["/alice/calendar/offsite.ics"],
               user=ALICE, headers=[CAL_TYPE],
               body=ical("offsite@example.com", "Offsite agenda", "20261216T090000Z",
                         "DESCRIPTION:" + ("Agenda item. " * 6000)[:78000] + "\r\n"),
               notes="[server] max_content_length = 65536; an 80 KB event: 413")
    yield Case("propfind-home-depth-infinity", "PROPFIND", f"{a}/", "server-config", ["/alice/"], user=ALICE,
               headers=[("Depth", "infinity"), XML_TYPE], body=named_props("resourcetype", "getetag"),
               notes="Depth infinity on alice's home: Radicale silently answers Depth 1 (the calendars' events "
                     "are missing), where RFC 4918 wants the whole tree or 403 propfind-finite-depth")

    # ---- payload
    yield Case("propfind-home-migrated-displayname", "PROPFIND", f"{base}/carol/", "payload", ["/carol/oncall/"],
               user="carol:carol-pw", kind="broken-answer", headers=depth1,
               body=named_props("resourcetype", "displayname", "{http://calendarserver.org/ns/}getctag"),
               notes="a calendar client's discovery of carol's home; the migrated on-call calendar's displayname holds ESC "
                     "(U+001B) from the old system, which Radicale writes raw: the 207 is not XML 1.0")


SETUP = Setup(
    name="radicale",
    describe="scripts/peers/start-radicale.sh, PROFILE=faulty: Radicale's built-in server, multifilesystem storage, "
             "htpasswd auth (alice, bob), rights from_file (each user owns /<user>/, bob reads /alice/team/ only), "
             "max_content_length 65536, /alice/full/ and /alice/full-contacts/ on full tmpfs mounts. Calendars and "
             "address books created by MKCALENDAR / extended MKCOL, events and contacts by PUT; carol (added to the htpasswd "
             "file) has calendars written into the storage by a migration script, one named with an ANSI escape.",
    start=start, cases=cases,
    versions=lambda: [f"Radicale {pip_version('radicale')} (PyPI)"],
)
