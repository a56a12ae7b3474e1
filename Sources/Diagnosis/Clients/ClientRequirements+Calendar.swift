import DAVCore

/// What calendar and contacts clients need beyond file access: to find the user's collections from the
/// URL (or the host name) they are given, and to tell cheaply whether a collection changed.
extension ClientRequirement {
    static let calendarClients: [ClientRequirement] = [
        ClientRequirement(
            id: "davx5-discovery", client: .davx5, need: "discovery from the base URL: DAV:current-user-principal there, or the well-known redirects",
            symptom: "account setup says no CalDAV/CardDAV service was found at the URL",
            source:
                "catalog: DAVx5 manual, accounts and collections (service discovery from a base URL, /.well-known/caldav and /carddav as 302s); RFC 5397, RFC 6764",
            judge: { discovery($0, wellKnown: ["/.well-known/caldav", "/.well-known/carddav"]) }, fixes: ClientFixes.discovery),
        ClientRequirement(
            id: "davx5-change-markers", client: .davx5, need: "sync-collection or getctag on its collections",
            symptom: "every sync lists and compares the whole collection: slow, battery-hungry syncs of large calendars",
            source: "catalog: Purelymail/purelymail-issues#310 (calendar apps need sync-token or ctag); RFC 6578",
            judge: changeMarkers, fixes: ClientFixes.changeMarkers),
        ClientRequirement(
            id: "thunderbird-discovery", client: .thunderbird,
            need: "the calendar found from the URL given (the calendar itself, or its principal and home set)",
            symptom: "\"Find Calendars\" finds nothing unless the user pastes the calendar's own URL",
            source: "catalog: nextcloud/server#21744 (Thunderbird needs the calendar's URL where discovery fails); jobisoft/DAV-4-TbSync#322",
            judge: { discovery($0, wellKnown: ["/.well-known/caldav"]) }, fixes: ClientFixes.discovery),
        ClientRequirement(
            id: "thunderbird-change-markers", client: .thunderbird, need: "sync-collection or getctag, so a refresh can stop early",
            symptom: "each refresh downloads every event again",
            source: "catalog: Purelymail/purelymail-issues#310; RFC 6578",
            judge: changeMarkers, fixes: ClientFixes.changeMarkers),
        ClientRequirement(
            id: "apple-well-known", client: .apple, need: "/.well-known/caldav and /.well-known/carddav redirecting to the service",
            symptom: "adding an account by server name fails (\"cannot connect\", or the account verifies forever)",
            source: "catalog: RFC 6764 §5, Purelymail/purelymail-issues#310 (the iPhone calendar could not connect)",
            judge: { wellKnownOnly($0, ["/.well-known/caldav", "/.well-known/carddav"]) }, fixes: ClientFixes.discovery),
        ClientRequirement(
            id: "apple-change-markers", client: .apple, need: "sync-token or getctag on calendars and address books",
            symptom: "the account is refused, or syncs everything on every refresh",
            source: "catalog: Purelymail/purelymail-issues#310 (\"does not support sync-token or ctag\")",
            judge: changeMarkers, fixes: ClientFixes.changeMarkers),
    ]

    /// A plain file share owes calendar clients nothing: their needs are judged only where the server shows
    /// it keeps calendars or address books (its DAV header, a principal with home sets, such a collection).
    static func offersNoCalendars(_ evidence: ClientEvidence) -> Verdict? {
        let classes = evidence.davClasses ?? []
        let view = evidence.calendarView
        let calendars =
            classes.contains("calendar-access") || classes.contains("addressbook")
            || view.map { $0.isCalendarOrAddressBook || !$0.homeSets.isEmpty } ?? false
        return calendars
            ? nil : .notChecked("the server shows no calendars or address books (DAV: \(evidence.options?.headers["DAV"] ?? "absent"), no home set)")
    }

    /// Met when the URL names the user's principal (or is a calendar or address book itself), or a
    /// well-known path redirects on the same origin.
    static func discovery(_ evidence: ClientEvidence, wellKnown paths: [String]) -> Verdict {
        if let plain = offersNoCalendars(evidence) { return plain }
        let redirects = paths.filter { redirectsHome(evidence, $0) }
        if let view = evidence.calendarView {
            if view.isCalendarOrAddressBook { return .met("the URL is a calendar or address book itself") }
            if let principal = view.principal {
                return .met(
                    "the URL names the principal \(principal)\(view.homeSets.isEmpty ? "" : " and its homes \(view.homeSets.joined(separator: ", "))")"
                )
            }
        }
        if !redirects.isEmpty { return .met("\(redirects.joined(separator: " and ")) redirect\(redirects.count == 1 ? "s" : "") on the same origin") }
        guard evidence.calendarView != nil || !evidence.wellKnown.isEmpty else {
            return .notChecked("neither the URL's PROPFIND nor the well-known paths answered")
        }
        let seen = paths.map { path in evidence.wellKnown[path].map { "\(path) answered \($0.status)" } ?? "\(path) did not answer" }
        return .unmet("the URL names no DAV:current-user-principal and \(seen.joined(separator: ", "))")
    }

    static func wellKnownOnly(_ evidence: ClientEvidence, _ paths: [String]) -> Verdict {
        if let plain = offersNoCalendars(evidence) { return plain }
        guard !evidence.wellKnown.isEmpty else { return .notChecked("the well-known paths did not answer") }
        let missing = paths.filter { !redirectsHome(evidence, $0) }
        guard !missing.isEmpty else { return .met("\(paths.joined(separator: " and ")) redirect on the same origin") }
        return .unmet(
            missing.map { path in
                guard let seen = evidence.wellKnown[path] else { return "\(path) did not answer" }
                return seen.location.map { "\(path) redirects to \($0), another origin" } ?? "\(path) answered \(seen.status), not a redirect"
            }.joined(separator: "; "))
    }

    /// A 3xx whose Location stays on the origin the client used (a Location elsewhere leaks a backend).
    static func redirectsHome(_ evidence: ClientEvidence, _ path: String) -> Bool {
        guard let seen = evidence.wellKnown[path], (300..<400).contains(seen.status), let location = seen.location else { return false }
        return !DiscoveryRule.leavesOrigin(location, asked: Href(evidence.url))
    }

    static func changeMarkers(_ evidence: ClientEvidence) -> Verdict {
        if let plain = offersNoCalendars(evidence) { return plain }
        guard let view = evidence.calendarView else { return .notChecked("the URL's PROPFIND did not answer 207") }
        guard view.isCalendarOrAddressBook else { return .notChecked("the URL is no calendar or address book (check one of them)") }
        if view.offersSync { return .met("the collection offers sync-collection (a DAV:sync-token)") }
        if view.hasCTag { return .met("the collection has a getctag") }
        return .unmet("the collection has neither a DAV:sync-token nor a getctag")
    }
}
