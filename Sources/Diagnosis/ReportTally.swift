import DAVCore

/// What a REPORT's multistatus holds beyond a listing's: members a sync reports removed, the marker of a
/// truncated answer, the sync token, and the calendar and address data the clients will parse.
///
/// Some of a REPORT's non-2xx responses are the protocol working, not faults: a 404 without propstat in a
/// sync-collection is a member removed since the client's token (RFC 6578 §3.5.2), a 507 on the
/// Request-URI says the answer was cut at the server's limit and the client must ask again (§3.6).
/// ``take(_:path:)`` recognises them so the collector does not count them as failing resources.
public struct ReportTally: Sendable {
    /// The report asked for, or the one the answer's shape shows when the body is not known.
    public private(set) var kind: ReportKind?
    let requestPath: String
    let asksForObjectData: Bool

    /// Members a sync reports removed (a 404 without propstat).
    public private(set) var removed: [String] = []
    public private(set) var removedCount = 0
    /// The Request-URI answered 507: the results stop at the server's limit.
    public private(set) var truncated = false
    /// 2xx responses for resources other than the Request-URI.
    public private(set) var matched = 0
    /// Whether the Request-URI itself came back with a 2xx (a query of Depth 0 finds only that).
    public private(set) var requestURIMatched = false
    /// Resources a multiget was given from outside the collection it was sent to.
    public private(set) var foundOutside: [String] = []
    /// Decoded paths of the resources that came back 2xx (bounded), for telling why a multiget href failed.
    public private(set) var found: [String] = []
    /// `calendar-data` / `address-data` that a client's parser will refuse or misread, per resource.
    public private(set) var objectProblems: [(path: String, format: ObjectDataCheck.Format, problem: ObjectDataCheck.Problem)] = []
    public private(set) var objectProblemCount = 0
    /// Object data asked for but reported 404 (or not reported) on a resource that is there.
    public private(set) var objectDataMissing: [String] = []
    public private(set) var objectDataMissingCount = 0
    /// `<D:sync-token>` of the answer (read once the document ends).
    public var syncToken: String?

    init(context: AnalysisContext) {
        kind = context.report?.kind
        requestPath = context.requestPath
        asksForObjectData = context.report?.asksForObjectData ?? false
        isReport = context.method == "REPORT"
    }

    let isReport: Bool

    /// Property values a REPORT's rules read, on top of the collector's.
    static let valuesRead: Set<QualifiedName> = [CalDAV.calendarData, CardDAV.addressData]

    /// Takes one response; true when it is the protocol working (a sync's removed member, the truncation
    /// marker) rather than a failing resource.
    mutating func take(_ response: Response, path: String) -> Bool {
        guard isReport else { return false }
        let isRequestURI = URLPath.withoutTrailingSlash(path) == URLPath.withoutTrailingSlash(requestPath)
        let code = response.resourceStatus
        if code == 507, isRequestURI, response.conditions.contains(DAV.numberOfMatchesWithinLimits) || kind == .syncCollection {
            truncated = true
            return true
        }
        if kind == .syncCollection, response.status?.code == 404, response.propstats.isEmpty {
            removedCount += 1
            if removed.count < ResponseCollector.examplesKept { removed.append(path) }
            return true
        }
        guard let code, (200..<300).contains(code) else { return false }
        if isRequestURI { requestURIMatched = true } else { matched += 1 }
        if found.count < KnownPaths.limit { found.append(path) }
        if kind?.isMultiget == true, !URLPath.isWithin(path, URLPath.withoutTrailingSlash(requestPath) + "/") {
            if foundOutside.count < ResponseCollector.examplesKept { foundOutside.append(path) }
            return false  // what it holds is another collection's object: its data is not judged as this one's
        }
        readObjectData(response, path: path)
        return false
    }

    private mutating func readObjectData(_ response: Response, path: String) {
        var sawData = false
        for (name, format) in [(CalDAV.calendarData, ObjectDataCheck.Format.iCalendar), (CardDAV.addressData, .vCard)] {
            guard let property = response.value(of: name) else { continue }
            sawData = true
            if kind == nil { kind = format == .iCalendar ? .calendarQuery : .addressbookQuery }
            for problem in ObjectDataCheck.problems(property.text, format: format) {
                objectProblemCount += 1
                if objectProblems.count < ResponseCollector.examplesKept { objectProblems.append((path, format, problem)) }
            }
        }
        if asksForObjectData, !sawData, !path.hasSuffix("/") {
            objectDataMissingCount += 1
            if objectDataMissing.count < ResponseCollector.examplesKept { objectDataMissing.append(path) }
        }
    }

    /// Once the document is read: a top-level sync token names a sync answer even when the body was not given.
    /// Returns true when that made it a sync answer only now, so its bare 404s were counted as failing.
    mutating func finish(syncToken token: String?) -> Bool {
        syncToken = token
        guard isReport, kind == nil, token != nil else { return false }
        kind = .syncCollection
        return true
    }

    /// A bare 404 recounted as a removed member, once the document showed itself a sync answer.
    mutating func recountAsRemoved(_ path: String) {
        removedCount += 1
        if removed.count < ResponseCollector.examplesKept { removed.append(path) }
    }

    /// Takes in what the piece after this one held (see ``SplitReading``).
    mutating func merge(_ later: ReportTally) {
        removed.append(contentsOf: later.removed, upTo: ResponseCollector.examplesKept)
        removedCount += later.removedCount
        truncated = truncated || later.truncated
        matched += later.matched
        requestURIMatched = requestURIMatched || later.requestURIMatched
        found.append(contentsOf: later.found, upTo: KnownPaths.limit)
        foundOutside.append(contentsOf: later.foundOutside, upTo: ResponseCollector.examplesKept)
        objectProblems.append(contentsOf: later.objectProblems, upTo: ResponseCollector.examplesKept)
        objectProblemCount += later.objectProblemCount
        objectDataMissing.append(contentsOf: later.objectDataMissing, upTo: ResponseCollector.examplesKept)
        objectDataMissingCount += later.objectDataMissingCount
        if kind == nil { kind = later.kind }
    }
}
