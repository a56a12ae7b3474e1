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
public struct ResponseCollector: Sendable {
    public let context: AnalysisContext
    /// Every resource is kept for the tree up to this many responses; past it only failing ones.
    public static let treeLimit = 20_000
    /// At most this many decoded paths are kept for near-match hints.
    public static let knownPathLimit = 20_000
    /// At most this many failing resources are kept by name (the counts stay exact).
    public static let failureLimit = 100_000
    /// Each kind of oddity (names not UTF-8, hrefs out of scope, files without ETag …) keeps this many
    /// examples for the report; its count stays exact.
    public static let examplesKept = 20

    public private(set) var responseCount = 0
    /// The decoded path of the last response read, to say where a body that breaks off stopped.
    public private(set) var lastPath: String?
    public private(set) var byStatus: [Int: Int] = [:]
    public private(set) var propertyStatusCounts: [Int: Int] = [:]
    /// 404 propstats on resources that exist: properties they simply lack (not a fault).
    public private(set) var absentProperties: [QualifiedName: Int] = [:]
    /// 401/403/409/424/500/507… propstats: property name and code → count and examples.
    public private(set) var failedProperties: [PropertyFailureKey: PropertyFailure] = [:]
    public private(set) var records: [ResourceRecord] = []
    public private(set) var failing: [ResourceRecord] = []
    public private(set) var failingCount = 0
    /// Direct members per collection path, for collapsing failures into subtrees.
    public private(set) var membersPerCollection: [String: Int] = [:]
    public private(set) var membersSaturated = false
    /// Every decoded path seen (bounded), for near-match hints.
    public private(set) var knownPaths: Set<String> = []
    public private(set) var outOfScope: [String] = []
    public private(set) var outOfScopeCount = 0
    public private(set) var tooDeep: [String] = []
    public private(set) var tooDeepCount = 0
    /// Absolute hrefs whose origin differs from the request's: origin → examples and count.
    public private(set) var foreignOrigins: [String: (examples: [String], count: Int)] = [:]
    public private(set) var negativeQuota: [(path: String, value: String)] = []
    public private(set) var filesWithoutETag: [String] = []
    public private(set) var filesWithoutETagCount = 0
    public private(set) var filesSeen = 0
    public private(set) var namesWithPercent: [String] = []
    /// Hrefs whose %XX bytes do not decode to UTF-8 (Latin-1 names written by a local user).
    public private(set) var namesNotUTF8: [String] = []
    public private(set) var namesNotUTF8Count = 0
    /// Decoded names holding control characters, which Windows cannot create or open.
    public private(set) var namesWithControls: [String] = []
    /// For a Depth infinity PROPFIND: collections one level down, and whether anything deeper came back.
    /// Properties named in no namespace at all (a writer that dropped its `D:` prefix), with a few names.
    public private(set) var unqualifiedProperties = 0
    public private(set) var unqualifiedExamples: [String] = []
    public private(set) var firstLevelCollections = 0
    public private(set) var sawBelowFirstLevel = false
    public private(set) var namespaces: Set<String> = []
    public private(set) var selfSeen = false
    /// The hrefs that name the Request-URI itself (with or without its trailing slash), the first few: a
    /// listing names it once, so a second is a member whose own name the server lost.
    public private(set) var selfHrefs: [String] = []
    public private(set) var selfCount = 0
    /// Sibling names that differ only in Unicode normalisation (NFC vs NFD).
    public private(set) var normalizationTwins: [(String, String)] = []
    /// Collections whose href lacks the trailing slash.
    public private(set) var collectionsWithoutSlash: [String] = []
    /// Per property name: on how many resources it came back 404.
    public var missingEverywhere: [QualifiedName] {
        absentProperties.filter { $0.value >= responseCount && responseCount > 0 }.keys.sorted()
    }
    public var linter = Linter()
    /// A REPORT's own accounting (removed members, truncation, object data); inert for other methods.
    public private(set) var report: ReportTally
    /// Whether this collector keeps the tree's records and the known paths. A reader of a later piece of a
    /// split body does without them when the first piece is sure to fill both (see ``SplitReading``).
    public var keepsTree = true
    /// Responses with no href: the lint names them by their position, which only a reader of the whole
    /// body knows (a split reading is done again in one piece when a later piece has any).
    public private(set) var responsesWithoutHref = 0
    /// The position (within this collector) of each record in ``failing``, to merge pieces exactly.
    private var failingPositions: [Int] = []
    /// ``knownPaths`` in the order first seen, so that merged pieces keep the same first paths.
    private var knownPathOrder: [String] = []

    public struct PropertyFailureKey: Sendable, Hashable {
        public var name: QualifiedName
        public var status: Int
    }

    public struct PropertyFailure: Sendable, Hashable {
        public var count: Int
        public var examples: [String]
        public var conditions: Set<String>
    }

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
        linter.valuesExpected = context.propfindKind == "allprop" || context.propfindKind == "prop"
    }

    public mutating func add(_ response: Response) {
        responseCount += 1
        if response.href == nil { responsesWithoutHref += 1 }
        let href = response.href.map(Href.init)
        let decoded = href?.decodedPath
        let path = decoded ?? href.map { URLPath.uppercasingEscapes($0.path) } ?? "(no href)"
        lastPath = path
        let responseIsCollection = response.isCollection
        linter.check(response, path: response.href == nil ? nil : path, isCollection: responseIsCollection)
        var status = response.resourceStatus
        if context.method == "PROPPATCH", response.status == nil, !response.propstats.isEmpty {
            // PROPPATCH reports per property; the resource itself is there.
            status = 200
        }
        if context.method == "REPORT", report.kind?.isMultiget != true, status == 404, response.status == nil, !response.propstats.isEmpty {
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
        byStatus[status ?? 0, default: 0] += 1
        let isCollection = responseIsCollection || path.hasSuffix("/")
        let protocolAnswer = report.take(response, path: path)

        if keepsTree, knownPaths.count < Self.knownPathLimit, status.map({ (200..<300).contains($0) }) ?? false {
            rememberPath(path)
        }
        if responseIsCollection, let href, !href.path.hasSuffix("/"), collectionsWithoutSlash.count < Self.examplesKept {
            collectionsWithoutSlash.append(href.raw)
        }
        if !membersSaturated { countMember(path) }
        if let href { checkScope(href, path: path) }

        var propertyStatuses: [ResourceRecord.PropertyStatus] = []
        let keepProperties = keepsTree && responseCount <= Self.treeLimit
        if keepProperties {
            // Exactly sized: twenty thousand kept records would otherwise carry arrays grown by doubling.
            propertyStatuses.reserveCapacity(response.propstats.reduce(0) { $0 + $1.properties.count })
        }
        var hasETag = false
        for propstat in response.propstats {
            let code = propstat.status?.code
            propertyStatusCounts[code ?? 0, default: 0] += propstat.properties.count
            // By index, not `for property in`: the loop would copy every property (names, value, attributes).
            let properties = propstat.properties
            for index in properties.indices {
                let name = properties[index].name
                if keepProperties { propertyStatuses.append(.init(name: clarkName(name), status: code)) }
                if name.namespace.isEmpty {
                    // `<getetag/>` with no prefix and no default namespace: not DAV:getetag, a property of no namespace.
                    unqualifiedProperties += 1
                    if unqualifiedExamples.count < 5, !unqualifiedExamples.contains(name.name) { unqualifiedExamples.append(name.name) }
                } else if namespaces.count < 64, name.namespace != lastNamespace {
                    namespaces.insert(name.namespace)
                    lastNamespace = name.namespace
                }
                guard let code else { continue }
                if (200..<300).contains(code) {
                    // The values read here are read in place: passing the property on would copy it.
                    switch properties[index].live {
                    case .getetag:
                        // In a propname answer (or one whose request is unknown) the name alone says it is there.
                        if !linter.valuesExpected || properties[index].text.hasNonWhitespace { hasETag = true }
                    case .quotaAvailableBytes, .quotaUsedBytes:
                        noteQuota(name, properties[index].text, path: path)
                    default:
                        break
                    }
                } else if code == 404 {
                    if status.map({ (200..<300).contains($0) }) ?? false { absentProperties[name, default: 0] += 1 }
                } else {
                    let key = PropertyFailureKey(name: name, status: code)
                    var failure = failedProperties[key] ?? PropertyFailure(count: 0, examples: [], conditions: [])
                    failure.count += 1
                    if failure.examples.count < Self.examplesKept { failure.examples.append(path) }
                    for condition in propstat.error?.elements ?? [] { failure.conditions.insert(condition.name.description) }
                    failedProperties[key] = failure
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
        if !isCollection, status.map({ (200..<300).contains($0) }) ?? false, context.method == "PROPFIND" {
            filesSeen += 1
            let etagAsked = context.requestedProperties.map { $0.contains(DAV.getetag) } ?? (context.propfindKind != "propname")
            if etagAsked && !hasETag {
                filesWithoutETagCount += 1
                if filesWithoutETag.count < Self.examplesKept { filesWithoutETag.append(path) }
            }
        }
        if let href, decoded == nil, href.path.utf8ContainsByte(0x25) {
            // %XX bytes that do not decode to UTF-8: a name in another encoding, not a literal %.
            if namesNotUTF8.count < Self.examplesKept { namesNotUTF8.append(href.path) }
            namesNotUTF8Count += 1
        } else if path.utf8ContainsByte(0x25), URLPath.lastSegment(of: path).contains("%"), namesWithPercent.count < Self.examplesKept {
            namesWithPercent.append(path)
        }
        if path.utf8.contains(where: { $0 < 0x20 }), namesWithControls.count < Self.examplesKept { namesWithControls.append(path) }
        if context.depth == .infinity, let depthBelow = depthBelowRequest(path) {
            if depthBelow >= 2 { sawBelowFirstLevel = true } else if depthBelow == 1, isCollection { firstLevelCollections += 1 }
        }

        let failed = !protocolAnswer && (status.map { !(200..<300).contains($0) } ?? true)
        let inTree = keepsTree && responseCount <= Self.treeLimit
        if failed || inTree {
            let record = ResourceRecord(
                path: isCollection && !path.hasSuffix("/") ? path + "/" : path,
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
            if inTree {
                if records.isEmpty { records.reserveCapacity(Self.treeLimit) }  // pages are only touched as records arrive
                records.append(record)
            }
            if failed {
                failingCount += 1
                if failing.count < Self.failureLimit {
                    failing.append(record)
                    failingPositions.append(responseCount)
                }
            }
        }
    }

    /// Clark names shared by every record that names the same property: twenty thousand records of nine
    /// properties each would otherwise hold 180,000 copies of a dozen strings.
    private var clarkNames: [QualifiedName: String] = [:]

    private mutating func clarkName(_ name: QualifiedName) -> String {
        if let known = clarkNames[name] { return known }
        let clark = name.description
        if clarkNames.count < 4096 { clarkNames[name] = clark }
        return clark
    }

    private mutating func rememberPath(_ path: String) {
        // Swift compares strings by canonical equivalence: a "duplicate" here with other bytes is an NFC/NFD twin.
        let (inserted, existing) = knownPaths.insert(path)
        if inserted {
            knownPathOrder.append(path)
        } else if Array(existing.utf8) != Array(path.utf8), normalizationTwins.count < Self.examplesKept {
            normalizationTwins.append((existing, path))
        }
    }

    /// Takes in what a collector gathered over the piece of the same body that follows this collector's
    /// piece (both finished), so the result is what one collector reading both pieces in order would hold.
    /// Bounded lists keep their first entries, counts add up.
    /// How many levels `path` lies below the Request-URI, or nil when it is not below it.
    private func depthBelowRequest(_ path: String) -> Int? {
        let base = URLPath.withoutTrailingSlash(context.requestPath)
        let bare = URLPath.withoutTrailingSlash(path)
        guard bare != base, URLPath.isWithin(bare, base == "/" ? "/" : base + "/") else { return bare == base ? 0 : nil }
        let rest = bare.dropFirst(base == "/" ? 1 : base.count + 1)
        return rest.split(separator: "/").count
    }

    public mutating func merge(_ later: ResponseCollector) {
        let offset = responseCount
        responseCount += later.responseCount
        lastPath = later.lastPath ?? lastPath
        namesNotUTF8 = Array((namesNotUTF8 + later.namesNotUTF8).prefix(Self.examplesKept))
        namesNotUTF8Count += later.namesNotUTF8Count
        namesWithControls = Array((namesWithControls + later.namesWithControls).prefix(Self.examplesKept))
        firstLevelCollections += later.firstLevelCollections
        unqualifiedProperties += later.unqualifiedProperties
        unqualifiedExamples = Array((unqualifiedExamples + later.unqualifiedExamples.filter { !unqualifiedExamples.contains($0) }).prefix(5))
        sawBelowFirstLevel = sawBelowFirstLevel || later.sawBelowFirstLevel
        responsesWithoutHref += later.responsesWithoutHref
        byStatus.merge(later.byStatus, uniquingKeysWith: +)
        propertyStatusCounts.merge(later.propertyStatusCounts, uniquingKeysWith: +)
        absentProperties.merge(later.absentProperties, uniquingKeysWith: +)
        for (key, failure) in later.failedProperties {
            var merged = failedProperties[key] ?? PropertyFailure(count: 0, examples: [], conditions: [])
            merged.count += failure.count
            merged.examples.append(contentsOf: failure.examples, upTo: Self.examplesKept)
            merged.conditions.formUnion(failure.conditions)
            failedProperties[key] = merged
        }
        records.append(contentsOf: later.records, upTo: Self.treeLimit)
        for (record, position) in zip(later.failing, later.failingPositions) where failing.count < Self.failureLimit {
            var record = record
            // One reader keeps per-property statuses only for the first responses of the whole body.
            if offset + position > Self.treeLimit { record.properties = [] }
            failing.append(record)
            failingPositions.append(offset + position)
        }
        failingCount += later.failingCount
        membersPerCollection.merge(later.membersPerCollection, uniquingKeysWith: +)
        membersSaturated = membersSaturated || later.membersSaturated || membersPerCollection.count > 500_000
        for path in later.knownPathOrder where knownPaths.count < Self.knownPathLimit { rememberPath(path) }
        normalizationTwins.append(contentsOf: later.normalizationTwins, upTo: Self.examplesKept)
        outOfScope.append(contentsOf: later.outOfScope, upTo: Self.examplesKept)
        outOfScopeCount += later.outOfScopeCount
        tooDeep.append(contentsOf: later.tooDeep, upTo: Self.examplesKept)
        tooDeepCount += later.tooDeepCount
        for (origin, entry) in later.foreignOrigins {
            var merged = foreignOrigins[origin] ?? ([], 0)
            merged.count += entry.count
            merged.examples.append(contentsOf: entry.examples, upTo: 5)
            foreignOrigins[origin] = merged
        }
        negativeQuota.append(contentsOf: later.negativeQuota, upTo: Self.examplesKept)
        filesWithoutETag.append(contentsOf: later.filesWithoutETag, upTo: Self.examplesKept)
        filesWithoutETagCount += later.filesWithoutETagCount
        filesSeen += later.filesSeen
        namesWithPercent.append(contentsOf: later.namesWithPercent, upTo: Self.examplesKept)
        for namespace in later.namespaces where namespaces.count < 64 { namespaces.insert(namespace) }
        selfSeen = selfSeen || later.selfSeen
        selfHrefs.append(contentsOf: later.selfHrefs, upTo: Self.examplesKept)
        selfCount += later.selfCount
        collectionsWithoutSlash.append(contentsOf: later.collectionsWithoutSlash, upTo: Self.examplesKept)
        linter.merge(later.linter)
        report.merge(later.report)
    }

    private var lastParent: String?
    /// The namespace last added to ``namespaces``: nearly every property repeats it.
    private var lastNamespace = ""
    private var lastParentCount = 0

    private mutating func flushParent() {
        guard let parent = lastParent else { return }
        membersPerCollection[parent, default: 0] += lastParentCount
        lastParent = nil
        lastParentCount = 0
        if membersPerCollection.count > 500_000 { membersSaturated = true }
    }

    /// Call when the last response has been added.
    public mutating func finish() { flushParent() }

    /// Takes the document's `<D:sync-token>`. An answer whose body was not given shows itself a sync only
    /// here: its bare 404s, counted as failing so far, are removed members.
    public mutating func finishReport(syncToken: String?) {
        guard report.finish(syncToken: syncToken) else { return }
        var kept: [ResourceRecord] = []
        var positions: [Int] = []
        for (record, position) in zip(failing, failingPositions) {
            if record.status == 404, record.properties.isEmpty {
                report.recountAsRemoved(record.path)
                failingCount -= 1
            } else {
                kept.append(record)
                positions.append(position)
            }
        }
        failing = kept
        failingPositions = positions
    }

    /// Counts `path` as a member of its parent collection. Members of one collection usually come
    /// together: they are counted in place until the parent changes, compared as bytes, so no string is
    /// made for the members of the same collection.
    private mutating func countMember(_ path: String) {
        var path = path
        path.withUTF8 { bytes in
            guard let length = Self.parentLength(bytes) else { return }
            if var last = lastParent, last.withUTF8({ $0.count == length && memcmp($0.baseAddress!, bytes.baseAddress!, length) == 0 }) {
                lastParentCount += 1
            } else {
                flushParent()
                lastParent = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
                lastParentCount = 1
            }
        }
    }

    /// The parent collection of a decoded path without its trailing slash (`/a/b/c` → `/a/b`), nil for `/`.
    static func parentKey(_ path: String) -> String? {
        var path = path
        return path.withUTF8 { bytes in
            parentLength(bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<$0]), as: UTF8.self) }
        }
    }

    /// How many of a path's bytes its parent's key takes (`/a/b/c` → 4 for `/a/b`, `/a` → 1 for `/`), nil
    /// when it has no parent.
    private static func parentLength(_ path: UnsafeBufferPointer<UInt8>) -> Int? {
        var end = path.count
        if end > 0, path[end - 1] == 0x2F { end -= 1 }
        guard end > 0 else { return nil }
        var slash = end - 1
        while slash >= 0, path[slash] != 0x2F { slash -= 1 }
        guard slash >= 0 else { return nil }
        return max(slash, 1)
    }

    private mutating func noteQuota(_ name: QualifiedName, _ text: String, path: String) {
        let value = text.trimmingASCIIWhitespace()
        if value.hasPrefix("-"), negativeQuota.count < Self.examplesKept { negativeQuota.append((path, "\(name.name) = \(value)")) }
    }

    private mutating func checkScope(_ href: Href, path: String) {
        guard context.urlKnown else { return }
        let request = context.requestHref
        if let authority = href.normalizedAuthority, request.authority != nil {
            let origin = (href.scheme ?? "") + "://" + authority
            let requestOrigin = (request.scheme ?? "") + "://" + (request.normalizedAuthority ?? "")
            if origin != requestOrigin {
                var entry = foreignOrigins[origin] ?? ([], 0)
                entry.count += 1
                if entry.examples.count < 5 { entry.examples.append(href.raw) }
                foreignOrigins[origin] = entry
            }
        }
        if let kind = report.kind, kind.answersOutsideRequestURI || kind.isMultiget { return }
        guard let levels = URLPath.levels(of: path, below: context.requestPath) else {
            outOfScopeCount += 1
            if outOfScope.count < Self.examplesKept { outOfScope.append(path) }
            return
        }
        if levels == 0 {
            selfSeen = true
            selfCount += 1
            if selfHrefs.count < Self.examplesKept { selfHrefs.append(href.raw) }
        }
        if let max = context.depth?.maximumLevels, context.method == "PROPFIND", levels > max {
            tooDeepCount += 1
            if tooDeep.count < Self.examplesKept { tooDeep.append(path) }
        }
    }

    public mutating func addProblem(_ problem: XMLProblem) {
        linter.check(problem)
    }
}

extension Array {
    /// Appends the first of `other` until this array holds `limit` elements: how a bounded list of examples
    /// takes in the examples of the piece that follows it.
    mutating func append(contentsOf other: [Element], upTo limit: Int) {
        if count < limit { append(contentsOf: other.prefix(limit - count)) }
    }
}
