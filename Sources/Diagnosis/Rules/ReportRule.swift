import DAVCore

/// A REPORT judged by the RFC of its report: the Depth each report is defined for, a query that covered
/// only the collection itself, a sync answer without its token, and object data that clients will refuse.
/// What is the protocol working (a sync's removed members, an answer cut at the server's limit) is said
/// in notes, never as a finding.
enum ReportRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard input.context.method == "REPORT" else { return [] }
        if let broken = requestBroken(input) { return broken }
        guard let kind = kind(input) else { return [] }
        var findings: [Finding] = []
        if let finding = depthRefused(kind, input) { findings.append(finding) }
        if let finding = queryOfCollectionItself(kind, input) { findings.append(finding) }
        if let finding = wrongTarget(kind, input) { findings.append(finding) }
        if let finding = ignored(kind, input) { findings.append(finding) }
        if let finding = freeBusyMediaType(kind, input) { findings.append(finding) }
        if let finding = cutSilently(kind, input) { findings.append(finding) }
        if let outside = input.collector?.report.foundOutside, !outside.isEmpty {
            findings.append(
                Finding(
                    cause: .path, likelihood: .high, signs: outside.map { Sign("multiget-href-in-other-collection", subject: $0) },
                    title: "the multiget fetched \(Wording.resources(outside.count)) from outside \(input.context.requestPath)",
                    resources: outside,
                    evidence: [
                        "\(Wording.list(outside)) \(outside.count == 1 ? "is" : "are") not inside the collection asked: \(kind.rfc) names only objects within the Request-URI",
                        "this server answered anyway; a stricter one answers 404 or 403, and the client may file another collection's object under this one",
                    ],
                    fixes: FixBook.multigetMissing(collection: input.context.requestPath)))
        }
        if let tally = input.collector?.report {
            if kind == .syncCollection, input.head?.status ?? 207 == 207, tally.syncToken == nil, input.collector?.linter.results.isEmpty ?? true {
                findings.append(
                    Finding(
                        cause: .payload, likelihood: .medium, signs: [Sign("sync-token-missing")], title: "the sync answer carries no DAV:sync-token",
                        resources: [input.context.requestPath],
                        evidence: [
                            "RFC 6578 §3.2: every sync-collection answer ends with the token to send next time",
                            "without it the client cannot ask for changes only, and lists the whole collection on every sync",
                        ],
                        fixes: [Fix("Fix the server (or whatever rewrites its answers) so the multistatus keeps its <D:sync-token>", .medium)]))
            }
            if !tally.objectProblems.isEmpty { findings.append(objectData(tally, input)) }
            if tally.objectDataMissingCount > 0 {
                findings.append(
                    Finding(
                        cause: .payload, likelihood: .medium, signs: tally.objectDataMissing.map { Sign("object-data-missing", subject: $0) },
                        title:
                            "\(Wording.resources(tally.objectDataMissingCount)) came back without the \(kind.isAddressBook ? "address-data" : "calendar-data") asked for",
                        resources: tally.objectDataMissing, resourceCount: tally.objectDataMissingCount,
                        evidence: [
                            "the REPORT asked for the objects' data; RFC 4791 §9.6 / RFC 6352 §10.4 return it for every object found",
                            "clients that fetch by multiget keep an empty item, or fetch the same objects again on every sync",
                        ],
                        fixes: [
                            Fix(
                                "Fetch the objects with GET to see whether the server can read them at all; a server that stores them but cannot return them has a broken store",
                                .medium)
                        ]))
            }
        }
        return findings
    }

    /// What is normal for this report but worth knowing.
    static func notes(_ input: RuleInput) -> [String] {
        guard input.context.method == "REPORT", let kind = kind(input), let tally = input.collector?.report else { return [] }
        var notes: [String] = []
        if input.context.report == nil {
            notes.append("the REPORT's body is not known: read as a \(kind) from the answer's shape (give --request-body for a surer reading)")
        }
        if tally.removedCount > 0 {
            notes.append(
                "\(Wording.resources(tally.removedCount)) removed since the client's sync token (\(Wording.list(tally.removed))): a 404 without propstat is how RFC 6578 §3.5.2 reports a deletion, not a fault"
            )
        }
        if tally.truncated {
            let limit = input.context.report?.resultLimit.map { " (the client asked for at most \($0))" } ?? ""
            notes.append(
                "the answer stops at the server's limit\(limit): 507 with DAV:number-of-matches-within-limits on the Request-URI (RFC 6578 §3.6); the client must ask again with the new sync-token to get the rest"
            )
        }
        if let token = tally.syncToken {
            notes.append("sync-token \(token): the client keeps it and sends it with its next sync-collection")
        }
        if kind.isQuery, input.head?.status ?? 207 == 207, tally.matched == 0, queryOfCollectionItself(kind, input) == nil {
            let filter = input.context.report.map { $0.componentFilters.joined(separator: "/") + ($0.hasTimeRange ? " with a time-range" : "") } ?? ""
            notes.append(
                "the \(kind) matched nothing\(filter.isEmpty ? "" : " (filter \(filter))"): an empty result is an answer, not a fault — unless \(input.context.requestPath) is not the \(kind.isCalendar ? "calendar" : "address book") meant (davdoctor check reads its resourcetype)"
            )
        }
        if kind.requiresDepthZero, let depth = input.context.depth, depth != .zero, input.head?.status ?? 207 < 300 {
            notes.append(
                "the \(kind) was sent with Depth: \(depth), which \(kind.rfc) does not define (only Depth: 0); this server tolerated it, a stricter one answers 400"
            )
        }
        return notes
    }

    /// Why one href of a multiget failed, as far as the answer and the request show.
    enum MultigetMiss: Equatable {
        /// It names a collection (a principal's, a home's, a calendar's URL), not an object.
        case collection
        /// It lies outside the collection the multiget was sent to.
        case otherCollection
        /// Another href of the answer differs from it only in case.
        case caseDiffers(found: String)
        /// The client wrote spaces or non-ASCII bytes into the href as they are.
        case sentUnencoded(String)
        /// The client encoded it twice (`%25`).
        case encodedTwice(String)
        /// Nothing else explains it: the object is not (or no longer) there.
        case notThere

        /// The miss as data for the finding's signs.
        func sign(_ path: String) -> Sign {
            switch self {
            case .collection: Sign("multiget-href-is-collection", subject: path)
            case .otherCollection: Sign("multiget-href-in-other-collection", subject: path)
            case .caseDiffers(let found): Sign("multiget-href-case-differs", subject: path, value: found)
            case .sentUnencoded(let sent): Sign("multiget-href-unencoded", subject: path, value: sent)
            case .encodedTwice(let sent): Sign("multiget-href-encoded-twice", subject: path, value: sent)
            case .notThere: Sign("multiget-href-not-there", subject: path)
            }
        }

        func explain(_ path: String, collection: String, kind: ReportKind) -> String {
            let objects = kind == .calendarMultiget ? "calendar objects" : "vCards"
            return switch self {
            case .collection: "\(path) is a collection (a principal's, a home's or a calendar's URL), not one of the \(objects) a multiget fetches"
            case .otherCollection:
                "\(path) is not inside \(collection)/, the collection asked: a multiget names only \(objects) within its Request-URI (\(kind.rfc))"
            case .caseDiffers(let found): "\(path) differs only in case from \(found), which was found: hrefs are case-sensitive"
            case .sentUnencoded(let sent):
                "\(path) was sent unencoded (\"\(sent)\"): an href is a URI, with spaces and non-ASCII bytes percent-encoded"
            case .encodedTwice(let sent): "\(path) was sent encoded twice (\"\(sent)\" holds %25): the server looked for a name with a literal %"
            case .notThere: "\(path) is not in \(collection)/: removed since the client's last sync, or never stored"
            }
        }
    }

    /// Each failing href of a multiget with why it failed.
    static func multigetMisses(_ missing: [ResourceRecord], _ input: RuleInput) -> [(path: String, miss: MultigetMiss)] {
        guard let report = input.context.report, report.kind.isMultiget else { return [] }
        let collection = URLPath.withoutTrailingSlash(input.context.requestPath)
        var byLowercase: [String: String] = [:]
        for path in input.collector?.report.found ?? [] { byLowercase[path.lowercased()] = path }
        return missing.prefix(ResponseCollector.examplesKept).map { record in
            let path = record.path
            let sent = report.hrefs.first { Href($0).displayPath == path || Href($0).decodedPath == path }
            if path.hasSuffix("/") { return (path, .collection) }
            if !URLPath.isWithin(path, collection + "/") { return (path, .otherCollection) }
            if let twin = byLowercase[path.lowercased()], twin != path { return (path, .caseDiffers(found: twin)) }
            if let sent, sent.utf8.contains(where: { $0 == 0x20 || $0 >= 0x80 }) { return (path, .sentUnencoded(sent)) }
            if let sent, sent.contains("%25") { return (path, .encodedTwice(sent)) }
            return (path, .notThere)
        }
    }

    /// The misses in words, for a finding's evidence.
    static func explain(_ misses: [(path: String, miss: MultigetMiss)], _ input: RuleInput) -> [String] {
        guard let kind = input.context.report?.kind else { return [] }
        let collection = URLPath.withoutTrailingSlash(input.context.requestPath)
        return misses.map { $0.miss.explain($0.path, collection: collection, kind: kind) }
    }

    /// A REPORT the server could not read: a body that is not XML, lacks what its report requires, or is
    /// not there at all (which a proxy that drops request bodies also leaves behind).
    private static func requestBroken(_ input: RuleInput) -> [Finding]? {
        let request = input.context.request
        let path = input.context.requestPath
        let status = input.head?.status
        let declaredEmpty = request.headers["Content-Length"]?.trimmingASCIIWhitespace() == "0"
        let body = request.body ?? []
        if declaredEmpty || (request.body != nil && !body.contains { $0 > 0x20 }) {
            guard status == nil || status == 400 || status == 207 || status == 422 else { return nil }
            let answered = status.map { " and was answered \(Wording.status($0))" } ?? ""
            // A proxy that says it is there is the likelier thief of a body the client meant to send.
            let proxied = !ProxyRule.proxyHeaders(input.head).isEmpty
            return [
                Finding(
                    cause: .client, likelihood: proxied ? .low : .medium, signs: [Sign("report-body-absent", subject: path)],
                    title: "the REPORT carried no body\(answered)", resources: [path],
                    evidence: [
                        "a REPORT names its report in its body (RFC 3253 §3.6); without one the server cannot know what was asked",
                        request.headers["Content-Type"].map { "the request says Content-Type: \($0) but carries no bytes" }
                            ?? "the request has no body",
                    ],
                    fixes: [Fix("Send the report's XML body (calendar-multiget, sync-collection …) with the REPORT", .easy)], status: status),
                Finding(
                    cause: .proxy, likelihood: proxied ? .high : .medium, signs: [Sign("request-body-lost", subject: path)],
                    title: proxied
                        ? "the REPORT's body was lost on its way through the proxy"
                        : "if the client did send a body, something in between dropped it",
                    resources: [path],
                    evidence: ["proxies that drop request bodies leave exactly this: the method and Content-Type arrive, the XML does not"],
                    seen: ProxyRule.proxyHeaders(input.head),
                    fixes: FixBook.proxyDroppedBody(method: "REPORT"), status: status),
            ]
        }
        guard status == 400 || status == 422, request.body != nil else { return nil }
        guard let report = input.context.report, report.isWellFormed else {
            return [
                Finding(
                    cause: .client, likelihood: .high, signs: [Sign("report-body-malformed", subject: path)],
                    title: "the REPORT's body is not well-formed XML, and the server refused it (\(status ?? 400))", resources: [path],
                    evidence: ["davdoctor cannot read the request body as XML either: the fault is in the request, not in the server"],
                    fixes: [Fix("Fix the client (or script) that builds the REPORT body: it must be one well-formed XML document", .easy)],
                    status: status)
            ]
        }
        guard !report.missingElements.isEmpty else { return nil }
        let missing = report.missingElements.map(\.description)
        return [
            Finding(
                cause: .client, likelihood: .high,
                signs: report.missingElements.map { Sign("report-body-incomplete", subject: report.kind.description, value: $0.description) },
                title: "the \(report.kind) lacks \(Wording.list(missing)), and the server refused it (\(status ?? 400))", resources: [path],
                evidence: ["\(report.kind.rfc) requires \(Wording.list(missing)) in the body"],
                fixes: [
                    Fix(
                        "Send a complete \(report.kind) body\(report.kind == .syncCollection ? ": <D:sync-token/> (empty for a first sync), <D:sync-level>1</D:sync-level> and <D:prop>" : "")",
                        .easy)
                ],
                status: status)
        ]
    }

    /// A calendar, address-book or sync report refused as unsupported: most often sent to the wrong
    /// resource (a principal, a home, the other kind of collection, one object) rather than to a server
    /// that lacks it.
    private static func wrongTarget(_ kind: ReportKind, _ input: RuleInput) -> Finding? {
        guard kind.isCalendar || kind.isAddressBook || kind == .syncCollection else { return nil }
        let path = input.context.requestPath
        let object = !path.hasSuffix("/")
        let refused = input.errorBody?.elements.contains(where: { $0.name == DAV.supportedReport }) ?? false
        // A server that answers anyway for the object's collection shows it by hrefs beside the Request-URI.
        let answeredForParent = object && !kind.isMultiget && input.head?.status ?? 207 == 207 && (input.collector?.outOfScopeCount ?? 0) > 0
        // A complete, well-formed calendar or address-book report refused with a bare 400: the server could not
        // apply it to this resource (Radicale answers a calendar-query on an address book so).
        let bareRefusal =
            input.head?.status == 400 && input.errorBody == nil && !kind.isMultiget && kind != .syncCollection
            && input.context.report.map { $0.isWellFormed && $0.missingElements.isEmpty } ?? false
        guard refused || answeredForParent || bareRefusal else { return nil }
        // Calendar and address-book reports are refused mostly for being sent to the wrong URL (a principal, a
        // home, the other kind of collection); a sync-collection mostly by a server without a change log.
        let likelihood: Likelihood = object || (refused && kind != .syncCollection) ? .high : .medium
        let wanted =
            kind.isCalendar
            ? "a calendar collection"
            : kind.isAddressBook ? "an address book" : "a collection that keeps a change log (a calendar or an address book on most servers)"
        return Finding(
            cause: .path, likelihood: likelihood, signs: [Sign("report-wrong-target", subject: path, value: kind.description)],
            title: object
                ? "the \(kind) was sent to \(path), one object, not to the collection that holds it"
                : "the \(kind) may have gone to the wrong collection: \(path) does not offer it",
            resources: [path],
            evidence: [
                "a \(kind) must be sent to \(wanted) (\(kind.rfc))",
                object
                    ? "\(path) does not end in / : it names a single resource"
                    : bareRefusal
                        ? "the body is a complete, well-formed \(kind), and the server still answered 400: it cannot apply it to \(path)"
                        : "a principal URL, a calendar home or the other kind of collection refuses it with DAV:supported-report",
            ],
            fixes: [
                Fix(
                    "Send the \(kind) to \(wanted): find it from DAV:current-user-principal, then \(kind.isAddressBook ? "CARD:addressbook-home-set" : "CAL:calendar-home-set") and a Depth 1 PROPFIND of the home (davdoctor check does this)",
                    .easy)
            ],
            status: input.head?.status)
    }

    /// A 207 that is not the report asked for: an unknown report answered as a listing, a report the
    /// server advertises but does not carry out (nothing the report asked for comes back).
    private static func ignored(_ kind: ReportKind, _ input: RuleInput) -> Finding? {
        guard input.head?.status ?? 207 == 207, let collector = input.collector else { return nil }
        let granted = collector.propertyStatusCounts.filter { (200..<300).contains($0.key) }.values.reduce(0, +)
        let path = input.context.requestPath
        let reason: String
        switch kind {
        case .other(let name):
            reason = "\(name) is no report the server knows, yet it answered 207: RFC 3253 §3.6 calls for 403 with DAV:supported-report"
        case .expandProperty where collector.responseCount == 0 || granted == 0:
            reason =
                collector.responseCount == 0
                ? "an expand-property answer holds the Request-URI with the properties expanded (RFC 3253 §3.8); this one is empty"
                : "no property asked for came back (\(collector.unqualifiedProperties > 0 ? "the server named them in no namespace: it dropped RFC 3253's default namespace DAV:" : "all 404"))"
        case .versionTree where granted > 0 && collector.outOfScopeCount == 0:
            // A version is a resource of its own, with a URL in the version history, never the resource itself.
            reason =
                "a version-tree answer lists versions, each a resource with its own URL (RFC 3253 §3.7); this one lists \(path)\(collector.responseCount > 1 ? " and its members" : "") themselves, so the server answered it as a listing; a server without versioning refuses it with 403 and DAV:supported-report (§3.6)"
        case _ where kind.isPrincipalReport:
            guard collector.responseCount > 0, granted == 0 else { return nil }
            reason =
                "the answer lists \(Wording.resources(collector.responseCount)) without one property the report asked for: a listing of \(path), not principals"
        default:
            return nil
        }
        return Finding(
            cause: .serverConfig, likelihood: .high, signs: [Sign("report-not-carried-out", subject: path, value: kind.description)],
            title: "the server does not carry out the \(kind) it was asked for", resources: [path],
            evidence: [
                reason,
                "clients that rely on it (\(kind == .expandProperty || kind.isPrincipalReport ? "sharing and delegation in Apple Calendar, Evolution and Thunderbird" : "the client that sent it")) see an empty or wrong result instead of an error",
            ],
            fixes: [
                Fix(
                    "Read the resource's DAV:supported-report-set and use only the reports it lists; fetch the same data with PROPFIND where the server lacks the report",
                    .easy)
            ])
    }

    /// A free-busy answer is an iCalendar object (RFC 4791 §7.10); clients read it by its media type.
    private static func freeBusyMediaType(_ kind: ReportKind, _ input: RuleInput) -> Finding? {
        guard kind == .freeBusyQuery, let head = input.head, head.status == 200 else { return nil }
        let type = head.headers["Content-Type"] ?? "(none)"
        guard !type.lowercased().hasPrefix("text/calendar") else { return nil }
        return Finding(
            cause: .payload, likelihood: .high, signs: [Sign("free-busy-media-type", subject: input.context.requestPath, value: type)],
            title: "the free-busy answer is sent as \(type), not text/calendar", resources: [input.context.requestPath],
            evidence: [
                "RFC 4791 §7.10: a free-busy-query is answered 200 OK with a VFREEBUSY in text/calendar",
                "clients that check the media type (Thunderbird's and Evolution's scheduling views) show no busy times",
            ],
            fixes: [Fix("Have the server label free-busy answers Content-Type: text/calendar; charset=utf-8", .medium)], status: 200)
    }

    /// A sync answer that stops at the client's DAV:limit without the 507 that says more changes wait.
    private static func cutSilently(_ kind: ReportKind, _ input: RuleInput) -> Finding? {
        guard kind == .syncCollection, let limit = input.context.report?.resultLimit, limit > 0, let tally = input.collector?.report,
            input.head?.status ?? 207 == 207, !tally.truncated, tally.matched + tally.removedCount == limit
        else { return nil }
        return Finding(
            cause: .payload, likelihood: .medium, signs: [Sign("sync-cut-without-507", subject: input.context.requestPath, value: String(limit))],
            title: "the sync answer stops at the client's limit of \(limit) without saying more changes wait", resources: [input.context.requestPath],
            evidence: [
                "\(Wording.resources(tally.matched + tally.removedCount)) came back for <D:nresults>\(limit)</D:nresults>, with no 507 on the Request-URI",
                "RFC 6578 §3.6: a truncated answer ends with 507 and DAV:number-of-matches-within-limits, and its token covers only what was sent",
                "if changes were left out, the client stores a token past them and never learns of them",
            ],
            fixes: [
                Fix(
                    "Sync again without a limit and compare; if more changes come back, the server's truncation is broken: send no DAV:limit to it",
                    .easy)
            ])
    }

    static func kind(_ input: RuleInput) -> ReportKind? {
        input.context.report?.kind ?? input.collector?.report.kind
    }

    /// A report only defined for Depth 0, sent with another Depth and refused.
    private static func depthRefused(_ kind: ReportKind, _ input: RuleInput) -> Finding? {
        guard kind.requiresDepthZero, let depth = input.context.depth, depth != .zero, let status = input.head?.status,
            status == 400 || (400..<600).contains(status) && input.errorBody == nil && input.bodyExcerpt.lowercased().contains("depth")
        else { return nil }
        return Finding(
            cause: .path, likelihood: .high, signs: [Sign("report-depth-not-zero", subject: kind.description, value: depth.description)],
            title: "the \(kind) was refused because it was sent with Depth: \(depth)",
            resources: [input.context.requestPath],
            evidence: [
                "\(kind.rfc): this report is only defined for Depth: 0, and any other value is a 400",
                kind == .syncCollection
                    ? "the scope of a sync is set by DAV:sync-level (1 or infinite), not by Depth"
                    : "the report's own elements set its scope, not Depth",
                "\(input.context.method) \(input.context.requestPath) answered \(Wording.status(status))",
            ],
            fixes: [Fix("Send the \(kind) with Depth: 0 (or no Depth header, which means 0 for REPORT)", .easy)], status: status)
    }

    /// A calendar-query or addressbook-query of Depth 0 on a collection: only the collection itself was
    /// searched, and it is no calendar object, so the answer is empty although the collection is not.
    private static func queryOfCollectionItself(_ kind: ReportKind, _ input: RuleInput) -> Finding? {
        guard kind.isQuery, input.head?.status ?? 207 == 207, let tally = input.collector?.report, tally.matched == 0,
            input.context.depth ?? .zero == .zero, input.context.requestPath.hasSuffix("/")
        else { return nil }
        let sent = input.context.depth == nil ? "no Depth header (which means Depth: 0 for this report)" : "Depth: 0"
        return Finding(
            cause: .path, likelihood: .medium,
            signs: [Sign("query-of-collection-itself", subject: input.context.requestPath, value: input.context.depth?.description)],
            title: "the \(kind) searched only \(input.context.requestPath) itself, not its members",
            resources: [input.context.requestPath],
            evidence: [
                "the request carried \(sent): \(kind.rfc) then matches the collection itself, which is no \(kind.isCalendar ? "calendar object" : "vCard")",
                "the answer holds \(tally.requestURIMatched ? "only the collection" : "nothing")",
            ],
            fixes: [Fix("Send the \(kind) with Depth: 1 to search the \(kind.isCalendar ? "calendar's events" : "address book's cards")", .easy)])
    }

    private static func objectData(_ tally: ReportTally, _ input: RuleInput) -> Finding {
        let paths = Array(Set(tally.objectProblems.map(\.path))).sorted()
        // One example of each kind of problem, with the clients it breaks.
        var evidence: [String] = []
        var shown = Set<String>()
        for entry in tally.objectProblems where shown.insert(entry.problem.kind).inserted {
            evidence.append("\(entry.path): \(describe(entry.problem, format: entry.format)) — \(entry.problem.rule)")
            evidence.append(entry.problem.clientEffect)
        }
        let formats = Set(tally.objectProblems.map(\.format.rawValue)).sorted().joined(separator: " and ")
        return Finding(
            cause: .payload, likelihood: .high,
            signs: tally.objectProblems.map { Sign("object-data-\($0.problem.kind)", subject: $0.path, value: $0.format.rawValue) },
            title: "\(formats) data that clients refuse or misread in \(Wording.resources(paths.count))",
            resources: paths, resourceCount: paths.count, evidence: evidence,
            fixes: [
                Fix(
                    "Repair the stored objects (add the missing UID or VERSION, fold long lines with a leading space) and upload them again with PUT; the server should validate what it stores (RFC 4791 valid-calendar-data, RFC 6352 valid-address-data)",
                    .medium)
            ])
    }

    static func describe(_ problem: ObjectDataCheck.Problem, format: ObjectDataCheck.Format) -> String {
        switch problem {
        case .empty: "the \(format == .iCalendar ? "calendar-data" : "address-data") is empty"
        case .notThisFormat(let first): "does not start with BEGIN:\(format == .iCalendar ? "VCALENDAR" : "VCARD") (\"\(first)\")"
        case .missingVersion: "no VERSION"
        case .missingUID: "no UID"
        case .severalUIDs(let uids): "\(uids.count) different UIDs (\(uids.prefix(3).joined(separator: ", ")))"
        case .brokenFolding(let line, let text): "line \(line) \"\(text)\" is neither a property nor a folded continuation"
        case .unbalanced(let what): what
        }
    }
}
