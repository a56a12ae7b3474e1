"""nginx in front of Radicale 3 under /radicale/, as Radicale's documentation sets it up and as admins get it
wrong: scripts/peers/start-radicale-proxy.sh, one server block per port (correct; X-Script-Name left out;
Authorization cleared; request bodies not passed; limit_except without the WebDAV methods; a 2 KiB body
limit) in front of scripts/peers/start-radicale.sh's faulty profile.

Added on 2026-12-05 as a setup none of the rules was written from: its first score is a measure of how the
diagnosis does on a setup nobody here had seen."""
from corpus import (ALICE, ALLPROP, BOB, CAL_TYPE, CALDAV, CALENDAR_QUERY, PROPNAME, VCARD_TYPE, XML_TYPE, Case, Setup,
                    deleted, ical, multiget, named_props, package_version, pip_version, put_state, sync_body, vcard)

BLOCKS = {"ok": 0, "noscript": 1, "noauth": 2, "nobody": 3, "limit": 4, "small": 5}
PREFIX = "/radicale"
MEETING = ical("meeting-20261209@example.com", "Budget meeting", "20261209T130000Z")
LUNCH = ical("lunch-20261211@example.com", "Team lunch", "20261211T120000Z")
# An event with a long description, as calendar apps write after a few edits and invitations (about 3 KiB).
BIG_EVENT = ical("offsite-20261218@example.com", "Offsite", "20261218T080000Z",
                 extra="DESCRIPTION:" + "Agenda, travel, rooms and the list of who brings what. " * 55 + "\r\n")


def start(ctx):
    backend = ctx.peer("start-radicale.sh", ctx.port(10), env={"PROFILE": "faulty"})
    ctx.peer("start-radicale-proxy.sh", ctx.port(0), env={"RADICALE_PORT": str(ctx.port(10))})
    # What a calendar app does on first sync, straight against Radicale (the admin's own set-up).
    ctx.curl("MKCALENDAR", f"{backend}/alice/calendar/", user=ALICE)
    ctx.curl("MKCALENDAR", f"{backend}/alice/team/", user=ALICE)
    ctx.curl("MKCALENDAR", f"{backend}/bob/calendar/", user=BOB)
    ctx.curl("MKCOL", f"{backend}/alice/contacts/", [XML_TYPE],
             b'<?xml version="1.0" encoding="utf-8"?>\n<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
             b'<D:set><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>'
             b'<D:displayname>Contacts</D:displayname></D:prop></D:set></D:mkcol>', ALICE)
    for path, data in (("calendar/meeting.ics", MEETING), ("calendar/lunch.ics", LUNCH), ("team/meeting.ics", MEETING)):
        ctx.curl("PUT", f"{backend}/alice/{path}", [CAL_TYPE], data, ALICE)
    ctx.curl("PUT", f"{backend}/alice/contacts/gina.vcf", [VCARD_TYPE],
             vcard("gina-0007@example.org", "Gina Rossi", "gina@example.org"), ALICE)
    urls = {"backend": backend}
    for name, offset in BLOCKS.items():
        urls[name] = f"http://127.0.0.1:{ctx.port(0) + offset}{PREFIX}"
    return urls


def cases(ctx, u):
    R = u["backend"]
    depth0, depth1 = [("Depth", "0"), XML_TYPE], [("Depth", "1"), XML_TYPE]
    discovery = named_props("current-user-principal", f"{{{CALDAV}}}calendar-home-set", "principal-collection-set")

    # ---- the correct proxy: healthy answers, hrefs under /radicale/
    ok = u["ok"]
    yield Case("ok-discovery-root", "PROPFIND", f"{ok}/", "none", user=ALICE, kind="healthy", headers=depth0,
               body=discovery, notes="a client's first PROPFIND at the service root: the principal under /radicale/")
    yield Case("ok-home-depth1", "PROPFIND", f"{ok}/alice/calendar/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=named_props("getetag", "getcontenttype", "displayname"),
               notes="the calendar's events with their ETags; hrefs carry /radicale/ (X-Script-Name)")
    yield Case("ok-allprop-event", "PROPFIND", f"{ok}/alice/calendar/meeting.ics", "none", user=ALICE, kind="healthy",
               headers=depth0, body=ALLPROP, notes="allprop on one event")
    yield Case("ok-propname-contacts", "PROPFIND", f"{ok}/alice/contacts/", "none", user=ALICE, kind="propname",
               headers=depth1, body=PROPNAME, notes="propname on the address book: names only, empty elements")
    yield Case("ok-calendar-query", "REPORT", f"{ok}/alice/calendar/", "none", user=ALICE, kind="healthy",
               headers=depth1, body=CALENDAR_QUERY, notes="calendar-query for December's events through the proxy")
    yield Case("ok-multiget", "REPORT", f"{ok}/alice/calendar/", "none", user=ALICE, kind="healthy", headers=depth1,
               body=multiget("calendar", [f"{PREFIX}/alice/calendar/meeting.ics", f"{PREFIX}/alice/calendar/lunch.ics"]),
               notes="calendar-multiget naming the events by the hrefs the proxy's listing gave")
    yield Case("ok-sync-initial", "REPORT", f"{ok}/alice/contacts/", "none", user=ALICE, kind="healthy",
               headers=[XML_TYPE], body=sync_body(), notes="sync-collection with an empty token through the proxy")
    yield Case("ok-get-event", "GET", f"{ok}/alice/calendar/lunch.ics", "none", user=ALICE, kind="healthy",
               notes="GET one event")
    yield Case("ok-put-new", "PUT", f"{ok}/alice/calendar/standup-new.ics", "none", user=ALICE, kind="healthy",
               headers=[CAL_TYPE, ("If-None-Match", "*")],
               body=ical("standup-new@example.com", "New standup", "20261208T090000Z"),
               prepare=deleted(f"{R}/alice/calendar/standup-new.ics", user=ALICE), notes="a new event: 201")
    yield Case("ok-delete", "DELETE", f"{ok}/alice/calendar/old.ics", "none", user=ALICE, kind="deviation",
               prepare=put_state(f"{R}/alice/calendar/old.ics", ical("old@example.com", "Old"), user=ALICE),
               notes="DELETE of an event: Radicale answers 200 with a small multistatus (its habit, not a fault)")
    yield Case("ok-options", "OPTIONS", f"{ok}/alice/calendar/", "none", kind="healthy",
               notes="OPTIONS through the proxy, without credentials: 200 with DAV and Allow")

    # ---- the correct proxy, faults behind it (Radicale's own answers)
    yield Case("ok-other-users-calendar", "PROPFIND", f"{ok}/alice/calendar/", "permission", ["/alice/calendar/"],
               user=BOB, headers=depth1, body=named_props("getetag"), notes="rights file: bob has no rule for alice/calendar: 403")
    yield Case("ok-wrong-password", "PROPFIND", f"{ok}/alice/", "permission", ["/alice/"], user="alice:alice-pass",
               headers=depth0, body=discovery, notes="a wrong password: Radicale's 401 passed through")
    yield Case("ok-readonly-team", "PUT", f"{ok}/alice/team/bob.ics", "permission", ["/alice/team/bob.ics"], user=BOB,
               headers=[CAL_TYPE], body=ical("bob-team@example.com", "Bob's slot"), kind="read-only",
               notes="bob may only read alice/team: 403")
    yield Case("ok-missing-event", "GET", f"{ok}/alice/calendar/dinner.ics", "path", ["/alice/calendar/dinner.ics"],
               user=ALICE, notes="an event that does not exist: 404")
    yield Case("ok-missing-calendar", "PUT", f"{ok}/alice/work/dentist.ics", "path", ["/alice/work/dentist.ics"],
               user=ALICE, headers=[CAL_TYPE], body=ical("dentist2@example.com", "Dentist"),
               notes="PUT into a calendar that was never created: 409")
    _, h, _ = ctx.curl("PUT", f"{R}/alice/calendar/plan.ics", [CAL_TYPE], ical("plan2@example.com", "Plan v1"), ALICE)
    stale = h.get("etag", '"unknown"')
    yield Case("ok-stale-if-match", "PUT", f"{ok}/alice/calendar/plan.ics", "cache", ["/alice/calendar/plan.ics"],
               user=ALICE, headers=[CAL_TYPE, ("If-Match", stale)], body=ical("plan2@example.com", "Plan v3"),
               kind="stale-state", prepare=put_state(f"{R}/alice/calendar/plan.ics", ical("plan2@example.com", "Plan v2"), user=ALICE),
               notes="the phone's ETag is from before the laptop changed the event: 412")
    yield Case("ok-sync-made-up-token", "REPORT", f"{ok}/alice/contacts/", "cache", ["/alice/contacts/"], user=ALICE,
               headers=[XML_TYPE], body=sync_body("http://radicale.org/ns/sync/0123456789abcdef"), kind="stale-state",
               notes="a sync token Radicale never issued (the client kept one from before a reinstall): 403 valid-sync-token")
    yield Case("ok-full-calendar", "PUT", f"{ok}/alice/full/meeting.ics", "storage", ["/alice/full/meeting.ics"],
               user=ALICE, headers=[CAL_TYPE], body=MEETING, kind="full-disk",
               notes="the calendar's file system is full: Radicale answers 507")

    # ---- X-Script-Name left out: the prefix is stripped on the way in and never written back
    ns = u["noscript"]
    yield Case("noscript-discovery-root", "PROPFIND", f"{ns}/", "proxy", ["/"], user=ALICE, kind="received",
               headers=depth0, body=discovery,
               notes="no X-Script-Name: Radicale names the principal /alice/, outside /radicale/, which the client cannot reach")
    yield Case("noscript-calendar-depth1", "PROPFIND", f"{ns}/alice/calendar/", "proxy", ["/alice/calendar/"], user=ALICE,
               kind="received", headers=depth1, body=named_props("getetag", "displayname"),
               notes="the listing's hrefs are /alice/calendar/…, the request was /radicale/alice/calendar/")
    yield Case("noscript-calendar-query", "REPORT", f"{ns}/alice/calendar/", "proxy", ["/alice/calendar/"], user=ALICE,
               kind="received", headers=depth1, body=CALENDAR_QUERY,
               notes="calendar-query answered with hrefs without the /radicale/ prefix")
    yield Case("noscript-sync", "REPORT", f"{ns}/alice/contacts/", "proxy", ["/alice/contacts/"], user=ALICE,
               kind="received", headers=[XML_TYPE], body=sync_body(), notes="sync-collection hrefs without the prefix")
    yield Case("noscript-put", "PUT", f"{ns}/alice/calendar/put-noscript.ics", "none", user=ALICE, kind="healthy",
               headers=[CAL_TYPE], body=ical("put-noscript@example.com", "Put"),
               prepare=deleted(f"{R}/alice/calendar/put-noscript.ics", user=ALICE),
               notes="a PUT carries no href back: 201, healthy as far as this answer goes")
    yield Case("noscript-get", "GET", f"{ns}/alice/calendar/lunch.ics", "none", user=ALICE, kind="healthy",
               notes="GET of an event: nothing in it names a path")

    # ---- Authorization cleared at the proxy
    na = u["noauth"]
    yield Case("noauth-discovery", "PROPFIND", f"{na}/", "proxy", ["/"], user=ALICE, kind="received", headers=depth0,
               body=discovery, notes="the client sends credentials; the proxy clears them: 401 every time")
    yield Case("noauth-report", "REPORT", f"{na}/alice/calendar/", "proxy", ["/alice/calendar/"], user=ALICE,
               kind="received", headers=depth1, body=CALENDAR_QUERY, notes="REPORT with credentials: 401 all the same")
    yield Case("noauth-put", "PUT", f"{na}/alice/calendar/noauth.ics", "proxy", ["/alice/calendar/noauth.ics"],
               user=ALICE, kind="received", headers=[CAL_TYPE], body=ical("noauth@example.com", "No auth"),
               notes="PUT with credentials: 401")

    # ---- request bodies not passed
    nb = u["nobody"]
    yield Case("nobody-propfind-named", "PROPFIND", f"{nb}/alice/calendar/", "proxy", ["/alice/calendar/"], user=ALICE,
               kind="received", headers=depth0, body=named_props("getetag"),
               notes="PROPFIND for getetag; the body never arrives, so Radicale answers allprop")
    yield Case("nobody-calendar-query", "REPORT", f"{nb}/alice/calendar/", "proxy", ["/alice/calendar/"], user=ALICE,
               kind="received", headers=depth1, body=CALENDAR_QUERY, notes="REPORT whose body never arrives")
    yield Case("nobody-put", "PUT", f"{nb}/alice/calendar/empty.ics", "proxy", ["/alice/calendar/empty.ics"],
               user=ALICE, kind="received", headers=[CAL_TYPE], body=ical("empty@example.com", "Empty"),
               prepare=deleted(f"{R}/alice/calendar/empty.ics", user=ALICE),
               notes="PUT of an event whose body never arrives: Radicale cannot read an empty calendar object")

    # ---- limit_except without the WebDAV methods
    li = u["limit"]
    yield Case("limit-propfind", "PROPFIND", f"{li}/alice/calendar/", "permission", ["/alice/calendar/"], user=ALICE,
               headers=depth1, body=named_props("getetag"),
               notes="limit_except GET HEAD PUT DELETE OPTIONS { deny all; } at the proxy: 403 from nginx")
    yield Case("limit-report", "REPORT", f"{li}/alice/calendar/", "permission", ["/alice/calendar/"], user=ALICE,
               headers=depth1, body=CALENDAR_QUERY, notes="REPORT refused by nginx's limit_except: 403")
    yield Case("limit-put-allowed", "PUT", f"{li}/alice/calendar/limit-put.ics", "none", user=ALICE, kind="healthy",
               headers=[CAL_TYPE], body=ical("limit-put@example.com", "Allowed"),
               prepare=deleted(f"{R}/alice/calendar/limit-put.ics", user=ALICE), notes="PUT is in the list: 201")

    # ---- a 2 KiB body limit at the proxy
    sm = u["small"]
    yield Case("small-put-big-event", "PUT", f"{sm}/alice/calendar/offsite.ics", "server-config",
               ["/alice/calendar/offsite.ics"], user=ALICE, headers=[CAL_TYPE], body=BIG_EVENT, kind="error-body",
               prepare=deleted(f"{R}/alice/calendar/offsite.ics", user=ALICE),
               notes="client_max_body_size 2k at the proxy: a 3 KiB event is refused with 413 before Radicale sees it")
    yield Case("small-put-small-event", "PUT", f"{sm}/alice/calendar/short.ics", "none", user=ALICE, kind="healthy",
               headers=[CAL_TYPE], body=ical("short@example.com", "Short"),
               prepare=deleted(f"{R}/alice/calendar/short.ics", user=ALICE), notes="a small event fits: 201")


SETUP = Setup(
    name="radicale-proxy",
    describe="nginx in front of Radicale under /radicale/ (scripts/peers/start-radicale-proxy.sh, one server block per "
             "fault, in front of start-radicale.sh's faulty profile): as Radicale's documentation says (X-Script-Name), "
             "X-Script-Name left out, Authorization cleared, proxy_pass_request_body off, limit_except without the "
             "WebDAV methods, client_max_body_size 2k. Added as a setup no rule was written from.",
    start=start, cases=cases,
    versions=lambda: [f"Debian nginx-light {package_version('nginx-light')}", f"Radicale {pip_version('radicale')}"],
)
