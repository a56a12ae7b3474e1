import DAVCore

/// What a live check asks after a REPORT, and what the answers settle. One answer cannot tell a report
/// sent to the wrong resource from a server that lacks it, nor an empty query from a query of the wrong
/// collection: the target's own `resourcetype` and `supported-report-set` can. The user's principal, its
/// home sets and RFC 6764 discovery say where the calendars and address books really are.
enum ReportProbes {
    /// PROPFIND Depth 0 of the REPORT's target: what it is, what it offers, its change markers, and whose
    /// principal the request ran as.
    static let targetBody = Array(
        """
        <?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" \
        xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:prop>\
        <D:resourcetype/><D:supported-report-set/><D:sync-token/><CS:getctag/><D:current-user-principal/><D:displayname/>\
        <C:calendar-home-set/><CR:addressbook-home-set/></D:prop></D:propfind>
        """.utf8)

    /// The properties ``targetBody`` names, read from it: an answer with others proves the body never arrived.
    static let targetProperties: Set<QualifiedName> = {
        guard let root = try? XMLTreeParser.parse(targetBody, strict: false).root else { return [] }
        return Set(root.descendants(named: DAV.prop).first?.elements.map(\.name) ?? [])
    }()

    static let homeSetsBody = Array(
        """
        <?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" \
        xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:prop><C:calendar-home-set/><CR:addressbook-home-set/><D:displayname/></D:prop></D:propfind>
        """.utf8)

    /// The well-known path that discovers the service a report belongs to.
    static func wellKnownPath(_ kind: ReportKind?) -> String? {
        guard let kind else { return nil }
        if kind.isCalendar { return "/.well-known/caldav" }
        if kind.isAddressBook { return "/.well-known/carddav" }
        return nil
    }

    /// What the target's PROPFIND showed.
    struct Target {
        var isCollection = false
        var isCalendar = false
        var isAddressBook = false
        var isPrincipal = false
        /// Reports named in `supported-report-set`, when the server gave the property.
        var reports: [QualifiedName]?
        var syncToken: String?
        var ctag: String?
        var principal: String?

        init?(_ outcome: ProbeOutcome) {
            guard let response = outcome.multistatus?.responses.first else { return nil }
            if let type = response.value(of: DAV.resourcetype)?.element {
                isCollection = type.firstChild(DAV.collection) != nil
                isCalendar = type.firstChild(CalDAV.calendar) != nil
                isAddressBook = type.firstChild(CardDAV.addressbook) != nil
                isPrincipal = type.firstChild(DAV.principal) != nil
            }
            reports = response.value(of: DAV.supportedReportSet).map { set in
                set.element.descendants(named: DAV.report).flatMap(\.elements).map(\.name)
            }
            syncToken = response.value(of: DAV.syncToken)?.text.trimmingASCIIWhitespace().nonEmpty
            ctag = response.value(of: CalendarServer.getctag)?.text.trimmingASCIIWhitespace().nonEmpty
            principal = response.value(of: DAV.currentUserPrincipal)?.element.firstChild(DAV.href)?.text.trimmingASCIIWhitespace().nonEmpty
        }

        var described: String {
            if isCalendar { return "a calendar" }
            if isAddressBook { return "an address book" }
            if isPrincipal { return "a principal (the user's own URL, not a collection of objects)" }
            return isCollection ? "a plain collection" : "a single resource"
        }

        /// Whether it is the kind of resource `kind` is defined on.
        func fits(_ kind: ReportKind) -> Bool? {
            if kind.isCalendar { return isCalendar }
            if kind.isAddressBook { return isAddressBook }
            if kind == .syncCollection { return isCollection }
            return nil
        }
    }

    /// Folds the target's PROPFIND into the findings: proves a wrong target, or a server that lacks the report.
    static func judgeTarget(_ analysis: AnalysisResult, outcome: ProbeOutcome, findings: inout [Finding], notes: inout [String]) {
        let path = analysis.context.requestPath
        guard let head = outcome.head, head.status == 207, let target = Target(outcome) else {
            if let status = outcome.head?.status { notes.append("PROPFIND of the REPORT's target \(path) answered \(Wording.status(status))") }
            return
        }
        let refusedOrEmpty =
            analysis.head.map { $0.status >= 400 } ?? false || (analysis.status == 207 && (analysis.collector?.report.matched ?? 0) == 0)
        if refusedOrEmpty, case let unasked = unaskedProperties(outcome), !unasked.isEmpty {
            // The PROPFIND's body never reached the server: the REPORT's did not either.
            findings.insert(bodiesNeverArrive(analysis, probePath: path, unasked: unasked), at: 0)
            return
        }
        var facts = ["\(path) is \(target.described)"]
        if let reports = target.reports { facts.append("it offers \(reports.isEmpty ? "no report" : reports.map(\.name).joined(separator: ", "))") }
        if let token = target.syncToken { facts.append("sync-token now \(token)") }
        if let ctag = target.ctag { facts.append("getctag now \(ctag)") }
        notes.append("the REPORT's target: " + facts.joined(separator: "; "))
        if let principal = target.principal { notes.append("the request ran as the principal \(principal)") }

        guard let kind = analysis.context.report?.kind ?? analysis.collector?.report.kind else { return }
        let offered = target.reports.map { $0.contains(kind.element) }
        let fits = target.fits(kind)
        let refused = analysis.head.map { $0.status >= 400 } ?? false
        let emptyQuery = kind.isQuery && analysis.status == 207 && (analysis.collector?.report.matched ?? 0) == 0
        if fits == false, refused || emptyQuery || offered == false {
            // Proven: the report went to the wrong resource.
            ProbeInterpreter.demote(.serverConfig, in: &findings)
            let wanted = kind.isCalendar ? "a calendar" : kind.isAddressBook ? "an address book" : "a collection"
            let evidence = "PROPFIND of \(path) shows it is \(target.described); a \(kind) is defined on \(wanted) (\(kind.rfc))"
            if let index = findings.firstIndex(where: {
                $0.cause == .path && $0.signs.contains { $0.kind == "report-wrong-target" || $0.kind == "query-of-collection-itself" }
            }) {
                findings[index].likelihood = .high
                findings[index].title = "the \(kind) went to \(path), which is \(target.described), not \(wanted)"
                findings[index].evidence.append(evidence)
                findings.insert(findings.remove(at: index), at: 0)
            } else {
                findings.insert(
                    Finding(
                        cause: .path, likelihood: .high, signs: [Sign("report-wrong-target", subject: path, value: kind.description)],
                        title: "the \(kind) went to \(path), which is \(target.described), not \(wanted)", resources: [path],
                        evidence: [evidence] + (emptyQuery ? ["so the query matched nothing: there was nothing of the right kind to search"] : []),
                        fixes: [
                            Fix(
                                "Send the \(kind) to \(wanted): find it from DAV:current-user-principal, then the home set and a Depth 1 PROPFIND of the home",
                                .easy)
                        ],
                        status: analysis.status), at: 0)
            }
        } else if offered == false, refused {
            // The right kind of resource, and still not offered: the server lacks the report.
            ProbeInterpreter.demote(.path, in: &findings)
            let evidence =
                "PROPFIND of \(path) shows \(target.described) whose supported-report-set does not list \(kind): the server does not implement it here"
            if let index = findings.firstIndex(where: { $0.cause == .serverConfig }) {
                findings[index].likelihood = .high
                findings[index].evidence.append(evidence)
                findings.insert(findings.remove(at: index), at: 0)
            }
        } else if offered == false, !refused, !(kind.isCalendar || kind.isAddressBook || kind == .syncCollection), !(target.reports ?? []).isEmpty,
            !findings.contains(where: { $0.signs.contains { $0.kind == "report-not-carried-out" } })
        {
            // Answered 207 all the same: the server took the report for something else (a listing). Only for the
            // rarer reports: a server may leave the calendar, contacts and sync reports it does carry out unlisted.
            findings.insert(
                Finding(
                    cause: .serverConfig, likelihood: .high, signs: [Sign("report-not-carried-out", subject: path, value: kind.description)],
                    title: "the server answered a \(kind) that \(path) does not offer", resources: [path],
                    evidence: [
                        "PROPFIND of \(path) shows a supported-report-set without \(kind), yet the REPORT answered \(analysis.status.map { Wording.status($0) } ?? "207")",
                        "RFC 3253 §3.6 calls for 403 with DAV:supported-report: what came back is not that report's answer (a listing, most often)",
                    ],
                    fixes: [
                        Fix(
                            "Use only the reports \(path) lists in DAV:supported-report-set; fetch the same data with PROPFIND where the server lacks the report",
                            .easy)
                    ],
                    status: analysis.status), at: 0)
        } else if offered == true, fits != false {
            for index in findings.indices
            where findings[index].cause == .serverConfig && findings[index].signs.contains(where: { $0.kind == "report-not-carried-out" }) {
                findings[index].evidence.append("\(path) lists \(kind) in its supported-report-set: advertised, and still not carried out")
            }
        }
    }

    /// The properties the target's answer holds with a 2xx status that ``targetBody`` did not name, sorted.
    static func unaskedProperties(_ outcome: ProbeOutcome) -> [String] {
        guard let response = outcome.multistatus?.responses.first, !targetProperties.isEmpty else { return [] }
        let given = response.propstats.filter { ($0.status?.code).map { (200..<300).contains($0) } ?? false }.flatMap(\.properties)
        return Set(given.map(\.name).filter { !targetProperties.contains($0) }.map(\.description)).sorted()
    }

    /// A PROPFIND naming its properties answered with others is the allprop an empty body means: request
    /// bodies do not reach the server on this path, so the REPORT's query never did.
    static func bodiesNeverArrive(_ analysis: AnalysisResult, probePath: String, unasked: [String]) -> Finding {
        let method = analysis.context.method
        return Finding(
            cause: .proxy, likelihood: .high, signs: [Sign("request-body-lost", subject: probePath, value: method)],
            title: "request bodies never reach the server on this path: the \(method) was answered without its body",
            resources: [analysis.context.requestPath],
            evidence: [
                "a PROPFIND of \(probePath) naming \(targetProperties.count) properties came back with others (\(unasked.prefix(4).joined(separator: ", "))): the allprop answer to a PROPFIND without a body (RFC 4918 §9.1)",
                "the \(method) carried its XML body the same way; what the server answered was its answer to an empty one",
            ],
            seen: ProxyRule.proxyHeaders(analysis.head),
            fixes: FixBook.proxyDroppedBody(method: method), status: analysis.status)
    }

    /// The principal's home sets, said where a report went astray.
    static func judgeHomes(_ outcome: ProbeOutcome, findings: inout [Finding], notes: inout [String]) {
        guard let response = outcome.multistatus?.responses.first else { return }
        var homes: [String] = []
        for (name, label) in [(CalDAV.calendarHomeSet, "calendar home"), (CardDAV.addressbookHomeSet, "address book home")] {
            if let href = response.value(of: name)?.element.firstChild(DAV.href)?.text.trimmingASCIIWhitespace(), !href.isEmpty {
                homes.append("\(label) \(Href(href).displayPath)")
            }
        }
        guard !homes.isEmpty else { return }
        let text =
            "the principal \(outcome.probe.subject) names its \(homes.joined(separator: " and ")): the collections to send reports to are its members"
        let concerned = findings.indices.filter { index in
            findings[index].signs.contains { $0.kind == "report-wrong-target" || $0.kind.hasPrefix("multiget-href") }
        }
        for index in concerned { findings[index].evidence.append(text) }
        if concerned.isEmpty { notes.append(text) }
    }

    /// RFC 6764 discovery as the client would meet it: where the well-known path leads, and whether a
    /// proxy leaks the backend's address there.
    static func judgeWellKnown(_ analysis: AnalysisResult, outcome: ProbeOutcome, findings: inout [Finding], notes: inout [String]) {
        guard let head = outcome.head else { return }
        let path = Href(outcome.probe.url).displayPath
        guard (300..<400).contains(head.status), let location = head.headers["Location"] else {
            if head.status == 404 {
                notes.append(
                    "\(path) answers 404: clients that discover the service from a host name or an e-mail address alone (Apple Calendar and Contacts, DAVx5, Thunderbird) find nothing there and need the full URL"
                )
            } else {
                notes.append("\(path) answers \(Wording.status(head.status)) (RFC 6764 §5 expects a redirect to the service)")
            }
            return
        }
        if DiscoveryRule.leavesOrigin(location, asked: Href(outcome.probe.url)) {
            findings.append(DiscoveryRule.otherOrigin(path, location: location, asked: outcome.probe.url, status: head.status))
        } else {
            notes.append("discovery: \(path) leads to \(Href(location).displayPath) (RFC 6764)")
        }
    }
}

extension String {
    /// nil for an empty string: optional chains that read a property's text stop there.
    var nonEmpty: String? { isEmpty ? nil : self }
}
