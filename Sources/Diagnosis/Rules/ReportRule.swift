import DAVCore

/// A REPORT judged by the RFC of its report: the Depth each report is defined for, a query that covered
/// only the collection itself, a sync answer without its token, and object data that clients will refuse.
/// What is the protocol working (a sync's removed members, an answer cut at the server's limit) is said
/// in notes, never as a finding.
enum ReportRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard input.context.method == "REPORT", let kind = kind(input) else { return [] }
        var findings: [Finding] = []
        if let finding = depthRefused(kind, input) { findings.append(finding) }
        if let finding = queryOfCollectionItself(kind, input) { findings.append(finding) }
        if let tally = input.collector?.report {
            if kind == .syncCollection, input.head?.status ?? 207 == 207, tally.syncToken == nil, input.collector?.linter.results.isEmpty ?? true {
                findings.append(Finding(
                    cause: .payload, likelihood: .medium, signs: [Sign("sync-token-missing")], title: "the sync answer carries no DAV:sync-token",
                    resources: [input.context.requestPath],
                    evidence: ["RFC 6578 §3.2: every sync-collection answer ends with the token to send next time",
                               "without it the client cannot ask for changes only, and lists the whole collection on every sync"],
                    fixes: [Fix("Fix the server (or whatever rewrites its answers) so the multistatus keeps its <D:sync-token>", .medium)]))
            }
            if !tally.objectProblems.isEmpty { findings.append(objectData(tally, input)) }
            if tally.objectDataMissingCount > 0 {
                findings.append(Finding(
                    cause: .payload, likelihood: .medium, signs: tally.objectDataMissing.map { Sign("object-data-missing", subject: $0) },
                    title: "\(Wording.resources(tally.objectDataMissingCount)) came back without the \(kind.isAddressBook ? "address-data" : "calendar-data") asked for",
                    resources: tally.objectDataMissing, resourceCount: tally.objectDataMissingCount,
                    evidence: ["the REPORT asked for the objects' data; RFC 4791 §9.6 / RFC 6352 §10.4 return it for every object found",
                               "clients that fetch by multiget keep an empty item, or fetch the same objects again on every sync"],
                    fixes: [Fix("Fetch the objects with GET to see whether the server can read them at all; a server that stores them but cannot return them has a broken store", .medium)]))
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
            notes.append("\(Wording.resources(tally.removedCount)) removed since the client's sync token (\(Wording.list(tally.removed))): a 404 without propstat is how RFC 6578 §3.5.2 reports a deletion, not a fault")
        }
        if tally.truncated {
            let limit = input.context.report?.resultLimit.map { " (the client asked for at most \($0))" } ?? ""
            notes.append("the answer stops at the server's limit\(limit): 507 with DAV:number-of-matches-within-limits on the Request-URI (RFC 6578 §3.6); the client must ask again with the new sync-token to get the rest")
        }
        if let token = tally.syncToken {
            notes.append("sync-token \(token): the client keeps it and sends it with its next sync-collection")
        }
        if kind.isQuery, input.head?.status ?? 207 == 207, tally.matched == 0, queryOfCollectionItself(kind, input) == nil {
            let filter = input.context.report.map { $0.componentFilters.joined(separator: "/") + ($0.hasTimeRange ? " with a time-range" : "") } ?? ""
            notes.append("the \(kind) matched nothing\(filter.isEmpty ? "" : " (filter \(filter))"): an empty result is an answer, not a fault — unless \(input.context.requestPath) is not the \(kind.isCalendar ? "calendar" : "address book") meant (davdoctor check reads its resourcetype)")
        }
        if kind.requiresDepthZero, let depth = input.context.depth, depth != .zero, input.head?.status ?? 207 < 300 {
            notes.append("the \(kind) was sent with Depth: \(depth), which \(kind.rfc) does not define (only Depth: 0); this server tolerated it, a stricter one answers 400")
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
            case .otherCollection: "\(path) is not inside \(collection)/, the collection asked: a multiget names only \(objects) within its Request-URI (\(kind.rfc))"
            case .caseDiffers(let found): "\(path) differs only in case from \(found), which was found: hrefs are case-sensitive"
            case .sentUnencoded(let sent): "\(path) was sent unencoded (\"\(sent)\"): an href is a URI, with spaces and non-ASCII bytes percent-encoded"
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
        return missing.prefix(20).map { record in
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
    static func multigetReasons(_ missing: [ResourceRecord], _ input: RuleInput) -> [String] {
        guard let kind = input.context.report?.kind else { return [] }
        let collection = URLPath.withoutTrailingSlash(input.context.requestPath)
        return multigetMisses(missing, input).map { $0.miss.explain($0.path, collection: collection, kind: kind) }
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
            evidence: ["\(kind.rfc): this report is only defined for Depth: 0, and any other value is a 400",
                       kind == .syncCollection ? "the scope of a sync is set by DAV:sync-level (1 or infinite), not by Depth" : "the report's own elements set its scope, not Depth",
                       "\(input.context.method) \(input.context.requestPath) answered \(Wording.status(status))"],
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
            cause: .path, likelihood: .medium, signs: [Sign("query-of-collection-itself", subject: input.context.requestPath, value: input.context.depth?.description)],
            title: "the \(kind) searched only \(input.context.requestPath) itself, not its members",
            resources: [input.context.requestPath],
            evidence: ["the request carried \(sent): \(kind.rfc) then matches the collection itself, which is no \(kind.isCalendar ? "calendar object" : "vCard")",
                       "the answer holds \(tally.requestURIMatched ? "only the collection" : "nothing")"],
            fixes: [Fix("Send the \(kind) with Depth: 1 to search the \(kind.isCalendar ? "calendar's events" : "address book's cards")", .easy)])
    }

    private static func objectData(_ tally: ReportTally, _ input: RuleInput) -> Finding {
        let paths = Array(Set(tally.objectProblems.map(\.path))).sorted()
        var evidence: [String] = []
        var seen = Set<String>()
        for entry in tally.objectProblems where evidence.count < 6 {
            let line = "\(entry.path): \(describe(entry.problem, format: entry.format)) — \(entry.problem.rule)"
            let key = "\(entry.problem.rule)"
            if seen.insert(key).inserted || evidence.count < 3 {
                evidence.append(line)
                evidence.append(entry.problem.clientEffect)
            }
        }
        let formats = Set(tally.objectProblems.map(\.format.rawValue)).sorted().joined(separator: " and ")
        return Finding(
            cause: .payload, likelihood: .high, signs: tally.objectProblems.map { Sign("object-data-\($0.problem.kind)", subject: $0.path, value: $0.format.rawValue) },
            title: "\(formats) data that clients refuse or misread in \(Wording.resources(paths.count))",
            resources: paths, resourceCount: paths.count, evidence: evidence,
            fixes: [Fix("Repair the stored objects (add the missing UID or VERSION, fold long lines with a leading space) and upload them again with PUT; the server should validate what it stores (RFC 4791 valid-calendar-data, RFC 6352 valid-address-data)", .medium)])
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
