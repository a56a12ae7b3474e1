import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One resource as the report shows it.
public struct ResourceRecord: Sendable, Hashable, Codable {
    /// Decoded path (`/docs/a b.txt`); collections end in `/`.
    public var path: String
    public var href: String
    /// The resource's status: its own, or 200 when any propstat succeeded.
    public var status: Int?
    public var isCollection: Bool
    /// Property name (Clark) → status, for propstat answers.
    public var properties: [PropertyStatus]
    /// Precondition elements from `<D:error>` (Clark names).
    public var conditions: [String]
    /// Hrefs named inside `<D:error>` (lock roots for `lock-token-submitted`).
    public var conditionHrefs: [String]
    public var description: String?
    /// `getetag`, `getlastmodified` and `getcontentlength` as reported (kept for the first resources only),
    /// so a live check can compare them with a repeat and with HEAD.
    public var etag: String?
    public var lastModified: String?
    public var contentLength: String?

    public struct PropertyStatus: Sendable, Hashable, Codable {
        public var name: String
        public var status: Int?
    }
}

/// Takes responses one at a time and keeps what the rules need, in memory that does not grow with the
/// number of healthy resources beyond a few counters per collection.
///
/// What it keeps lives in small accumulators, one per concern, each able to take in what the same
/// accumulator gathered over the piece of the body that follows (``merge(_:)``, for ``SplitReading``).
public struct ResponseCollector: Sendable {
    public let context: AnalysisContext
    /// Each kind of oddity (names not UTF-8, hrefs out of scope, files without ETag …) keeps this many
    /// examples for the report; its count stays exact.
    public static let examplesKept = 20
    /// Clark names are shared for at most this many property names (a body naming more repeats few).
    static let clarkNameCacheLimit = 4096

    public private(set) var progress = ReadingProgress()
    public private(set) var statuses = StatusTally()
    public private(set) var tree = TreeRecords()
    public private(set) var members = MemberCounts()
    public private(set) var paths = KnownPaths()
    public private(set) var properties = PropertyTally()
    public private(set) var propertyNamespaces = NamespaceTally()
    public private(set) var names = NameTally()
    public private(set) var scope: ScopeTally
    public private(set) var depthLevels: DepthTally
    public private(set) var files = FileETags()
    public private(set) var negativeQuotas = CountedExamples<NegativeQuota>()
    public var linter = Linter()
    /// A REPORT's own accounting (removed members, truncation, object data); inert for other methods.
    public private(set) var report: ReportTally
    /// Whether this collector keeps the tree's records and the known paths. A reader of a later piece of a
    /// split body does without them when the first piece is sure to fill both (see ``SplitReading``).
    public var keepsTree = true
    /// The request's method, compared once here rather than as a string for every response.
    private let isPROPFIND: Bool
    private let isPROPPATCH: Bool

    /// Clark names shared by every record that names the same property: twenty thousand records of nine
    /// properties each would otherwise hold 180,000 copies of a dozen strings. A cache, never merged.
    private var clarkNames: [QualifiedName: String] = [:]

    /// The only property values the collector and the lint read; a parser feeding a collector need keep no
    /// other (``MultiStatusParser/init(limits:keepingValueTrees:keepingValuesOf:)``). A rule that reads
    /// another value must add its name here.
    public static let valuesRead: Set<QualifiedName> = [
        DAV.resourcetype, DAV.getetag, DAV.getlastmodified, DAV.creationdate, DAV.getcontentlength,
        QualifiedName(DAV.namespace, "quota-available-bytes"), QualifiedName(DAV.namespace, "quota-used-bytes"),
    ]

    /// A parser set up to feed a collector: trees only for `resourcetype`, values only for ``valuesRead``,
    /// responses recycled (``add(_:)`` keeps nothing of a response but strings).
    public static func parser(for context: AnalysisContext) -> MultiStatusParser {
        let values = context.method == "REPORT" ? valuesRead.union(ReportTally.valuesRead) : valuesRead
        return MultiStatusParser(keepingValueTrees: [DAV.resourcetype], keepingValuesOf: values, recyclingResponses: true)
    }

    public init(context: AnalysisContext) {
        self.context = context
        report = ReportTally(context: context)
        isPROPFIND = context.method == "PROPFIND"
        isPROPPATCH = context.method == "PROPPATCH"
        scope = ScopeTally(context: context)
        depthLevels = DepthTally(requestPath: context.requestPath)
        linter.valuesExpected = context.propfindKind == "allprop" || context.propfindKind == "prop"
    }

    public mutating func add(_ response: Response) {
        let href = response.href.map(Href.init)
        let decoded = href?.decodedPath
        let path = decoded ?? href.map { URLPath.uppercasingEscapes($0.path) } ?? "(no href)"
        progress.take(path: path, hasHref: response.href != nil)
        let responseIsCollection = response.isCollection
        linter.check(response, path: response.href == nil ? nil : path, isCollection: responseIsCollection)
        var status = response.resourceStatus
        if isPROPPATCH, response.status == nil, !response.propstats.isEmpty {
            // PROPPATCH reports per property; the resource itself is there.
            status = 200
        }
        if report.isReport, report.kind?.isMultiget != true, status == 404, response.status == nil, !response.propstats.isEmpty {
            // A report names resources it found; a 404 propstat only says a property asked for is absent
            // (a missing resource of a multiget or sync comes back as href and status).
            status = 200
        }
        if status == 404, response.status == nil, let asked = context.requestedProperties, !asked.contains(DAV.resourcetype) {
            // Named properties that all came back 404 belong to a resource that is there (its href is listed)
            // and simply lacks them: a folder has no getcontentlength. Only resourcetype, which every resource
            // has, would make an all-404 answer mean the resource itself is missing.
            status = 200
        }
        let succeeded = status.map { (200..<300).contains($0) } ?? false
        let isCollection = responseIsCollection || path.endsWithSlash
        let protocolAnswer = report.take(response, path: path)

        if keepsTree, succeeded { paths.take(path) }
        members.take(path)
        if let href { scope.take(href, path: path, reportKind: report.kind) }
        names.take(href, decoded: decoded, path: path, isCollection: responseIsCollection)
        if context.depth == .infinity { depthLevels.take(path, isCollection: isCollection) }

        let inTree = keepsTree && progress.responses <= TreeRecords.limit
        var propertyStatuses: [ResourceRecord.PropertyStatus] = []
        if inTree {
            // Exactly sized: twenty thousand kept records would otherwise carry arrays grown by doubling.
            propertyStatuses.reserveCapacity(response.propstats.reduce(0) { $0 + $1.properties.count })
        }
        var hasETag = false
        for propstat in response.propstats {
            let code = propstat.status?.code
            properties.take(propstatOf: propstat.properties.count, status: code)
            // By index, not `for property in`: the loop would copy every property (names, value, attributes).
            let listed = propstat.properties
            for index in listed.indices {
                let name = listed[index].name
                if inTree { propertyStatuses.append(.init(name: clarkName(name), status: code)) }
                propertyNamespaces.take(name)
                guard let code else { continue }
                if (200..<300).contains(code) {
                    // The values read here are read in place: passing the property on would copy it.
                    switch listed[index].live {
                    case .getetag:
                        // In a propname answer (or one whose request is unknown) the name alone says it is there.
                        if !linter.valuesExpected || listed[index].text.hasNonWhitespace { hasETag = true }
                    case .quotaAvailableBytes, .quotaUsedBytes:
                        noteQuota(name, listed[index].text, path: path)
                    default:
                        break
                    }
                } else if code == 404 {
                    if succeeded { properties.takeAbsent(name) }
                } else {
                    properties.takeFailure(
                        name, status: code, path: path, conditions: propstat.error?.elements ?? [], description: propstat.responseDescription)
                }
            }
        }
        if let requested = context.requestedProperties, !response.propstats.isEmpty {
            let reported = Set(response.propstats.flatMap { $0.properties.map(\.name) })
            let omitted = requested.filter { !reported.contains($0) }
            if !omitted.isEmpty {
                linter.report(LintRules.propertyOmitted, "\(path) leaves out \(omitted.map(\.description).joined(separator: ", "))", at: path)
            }
        }
        if !isCollection, succeeded, isPROPFIND {
            let etagAsked = context.requestedProperties.map { $0.contains(DAV.getetag) } ?? (context.propfindKind != "propname")
            files.take(path, lacksETag: etagAsked && !hasETag)
        }

        let failed = !protocolAnswer && !succeeded
        var record: ResourceRecord?
        if failed || inTree {
            record = ResourceRecord(
                path: isCollection && !path.endsWithSlash ? path + "/" : path,
                href: response.href ?? "",
                status: status,
                isCollection: isCollection,
                properties: propertyStatuses,
                conditions: response.conditions.map(\.description) + response.propstats.flatMap { $0.error?.elements.map(\.name.description) ?? [] },
                conditionHrefs: (response.error?.descendants(named: DAV.href).map { $0.text.trimmingASCIIWhitespace() }) ?? [],
                description: response.responseDescription,
                etag: response.value(of: DAV.getetag)?.text,
                lastModified: response.value(of: DAV.getlastmodified)?.text,
                contentLength: response.value(of: DAV.getcontentlength)?.text)
        }
        if inTree, let record { tree.take(record) }
        statuses.take(status, failure: failed ? record : nil)
    }

    private mutating func clarkName(_ name: QualifiedName) -> String {
        if let known = clarkNames[name] { return known }
        let clark = name.description
        if clarkNames.count < Self.clarkNameCacheLimit { clarkNames[name] = clark }
        return clark
    }

    private mutating func noteQuota(_ name: QualifiedName, _ text: String, path: String) {
        let value = text.trimmingASCIIWhitespace()
        if value.hasPrefix("-") { negativeQuotas.take(NegativeQuota(path: path, value: "\(name.name) = \(value)")) }
    }

    public mutating func addProblem(_ problem: XMLProblem) {
        linter.check(problem)
    }

    /// Call when the last response has been added.
    public mutating func finish() { members.finish() }

    /// Takes the document's `<D:sync-token>`. An answer whose body was not given shows itself a sync only
    /// here: its bare 404s, counted as failing so far, are removed members.
    public mutating func finishReport(syncToken: String?) {
        guard report.finish(syncToken: syncToken) else { return }
        for path in statuses.drop(where: { $0.status == 404 && $0.properties.isEmpty }) { report.recountAsRemoved(path) }
    }

    /// Takes in what a collector gathered over the piece of the same body that follows this collector's
    /// piece (both finished), so the result is what one collector reading both pieces in order would hold.
    /// Bounded lists keep their first entries, counts add up.
    public mutating func merge(_ later: ResponseCollector) {
        progress.merge(later.progress)
        statuses.merge(later.statuses)
        tree.merge(later.tree)
        members.merge(later.members)
        paths.merge(later.paths)
        properties.merge(later.properties)
        propertyNamespaces.merge(later.propertyNamespaces)
        names.merge(later.names)
        scope.merge(later.scope)
        depthLevels.merge(later.depthLevels)
        files.merge(later.files)
        negativeQuotas.merge(later.negativeQuotas)
        linter.merge(later.linter)
        report.merge(later.report)
    }
}

/// The reading API the rules and reports use, each a view of one accumulator.
extension ResponseCollector {
    public var responseCount: Int { progress.responses }
    /// The decoded path of the last response read, to say where a body that breaks off stopped.
    public var lastPath: String? { progress.lastPath }

    public var byStatus: [Int: Int] { statuses.byStatus }
    public var failing: [ResourceRecord] { statuses.failing }
    public var failingCount: Int { statuses.failingCount }
    public var records: [ResourceRecord] { tree.records }
    /// Direct members per collection path, for collapsing failures into subtrees.
    public var membersPerCollection: [String: Int] { members.perCollection }

    /// Every decoded path seen (bounded), for near-match hints.
    public var knownPaths: Set<String> { paths.paths }
    /// Sibling names that differ only in Unicode normalisation (NFC vs NFD).
    public var normalizationTwins: [(String, String)] { paths.twins.examples.map { ($0.first, $0.second) } }

    public var propertyStatusCounts: [Int: Int] { properties.statusCounts }
    /// 404 propstats on resources that exist: properties they simply lack (not a fault).
    public var absentProperties: [QualifiedName: Int] { properties.absent }
    /// 401/403/409/424/500/507… propstats: property name and code → count and examples.
    public var failedProperties: [PropertyTally.FailureKey: PropertyTally.Failure] { properties.failed }
    /// Per property name: on how many resources it came back 404.
    public var missingEverywhere: [QualifiedName] {
        absentProperties.filter { $0.value >= responseCount && responseCount > 0 }.keys.sorted()
    }
    public var namespaces: Set<String> { propertyNamespaces.namespaces }
    /// Properties named in no namespace at all (a writer that dropped its `D:` prefix), with a few names.
    public var unqualifiedProperties: Int { propertyNamespaces.unqualifiedCount }
    public var unqualifiedExamples: [String] { propertyNamespaces.unqualifiedExamples }

    /// Hrefs whose %XX bytes do not decode to UTF-8 (Latin-1 names written by a local user).
    public var namesNotUTF8: [String] { names.notUTF8.examples }
    public var namesNotUTF8Count: Int { names.notUTF8.count }
    public var namesWithPercent: [String] { names.withPercent.examples }
    /// Decoded names holding control characters, which Windows cannot create or open.
    public var namesWithControls: [String] { names.withControls.examples }
    /// Collections whose href lacks the trailing slash.
    public var collectionsWithoutSlash: [String] { names.collectionsWithoutSlash.examples }

    public var outOfScope: [String] { scope.outOfScope.examples }
    public var outOfScopeCount: Int { scope.outOfScope.count }
    public var tooDeep: [String] { scope.tooDeep.examples }
    public var tooDeepCount: Int { scope.tooDeep.count }
    /// Absolute hrefs whose origin differs from the request's: origin → examples and count.
    public var foreignOrigins: [String: CountedExamples<String>] { scope.foreignOrigins }
    /// The hrefs that name the Request-URI itself, the first few: a listing names it once, so a second is
    /// a member whose own name the server lost.
    public var selfHrefs: [String] { scope.selfHrefs.examples }
    public var selfCount: Int { scope.selfHrefs.count }

    /// For a Depth infinity PROPFIND: collections one level down, and whether anything deeper came back.
    public var firstLevelCollections: Int { depthLevels.firstLevelCollections }
    public var sawBelowFirstLevel: Bool { depthLevels.sawBelowFirstLevel }

    public var filesSeen: Int { files.filesSeen }
    public var filesWithoutETagCount: Int { files.withoutETag.count }
    public var negativeQuota: [NegativeQuota] { negativeQuotas.examples }
}
