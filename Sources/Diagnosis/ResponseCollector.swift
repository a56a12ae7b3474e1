import DAVCore

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
    /// At most this many failing resources are kept by name (the counts stay exact).
    public static let failureLimit = 100_000

    public private(set) var responseCount = 0
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
    public private(set) var namespaces: Set<String> = []
    public private(set) var selfSeen = false
    /// Sibling names that differ only in Unicode normalisation (NFC vs NFD).
    public private(set) var normalizationTwins: [(String, String)] = []
    /// Collections whose href lacks the trailing slash.
    public private(set) var collectionsWithoutSlash: [String] = []
    /// Per property name: on how many resources it came back 404.
    public var missingEverywhere: [QualifiedName] {
        absentProperties.filter { $0.value >= responseCount && responseCount > 0 }.keys.sorted()
    }
    public var linter = Linter()

    public struct PropertyFailureKey: Sendable, Hashable {
        public var name: QualifiedName
        public var status: Int
    }

    public struct PropertyFailure: Sendable, Hashable {
        public var count: Int
        public var examples: [String]
        public var conditions: Set<String>
    }

    public init(context: AnalysisContext) {
        self.context = context
    }

    public mutating func add(_ response: Response) {
        responseCount += 1
        let href = response.href.map(Href.init)
        let path = href.map { $0.decodedPath ?? $0.path } ?? "(no href)"
        linter.check(response, path: response.href == nil ? nil : path)
        var status = response.resourceStatus
        if context.method == "PROPPATCH", response.status == nil, !response.propstats.isEmpty {
            // PROPPATCH reports per property; the resource itself is there.
            status = 200
        }
        byStatus[status ?? 0, default: 0] += 1
        let isCollection = response.isCollection || path.hasSuffix("/")

        if knownPaths.count < 20_000, status.map({ (200..<300).contains($0) }) ?? false {
            // Swift compares strings by canonical equivalence: a "duplicate" here with other bytes is an NFC/NFD twin.
            let (inserted, existing) = knownPaths.insert(path)
            if !inserted, Array(existing.utf8) != Array(path.utf8), normalizationTwins.count < 20 {
                normalizationTwins.append((existing, path))
            }
        }
        if response.isCollection, let href, !href.path.hasSuffix("/"), collectionsWithoutSlash.count < 20 {
            collectionsWithoutSlash.append(href.raw)
        }
        if !membersSaturated, let parent = Self.parentKey(path) {
            // Members of one collection usually come together: count in place until the parent changes.
            if parent == lastParent {
                lastParentCount += 1
            } else {
                flushParent()
                lastParent = parent
                lastParentCount = 1
            }
        }
        if let href { checkScope(href, path: path) }

        var propertyStatuses: [ResourceRecord.PropertyStatus] = []
        let keepProperties = responseCount <= Self.treeLimit
        var hasETag = false
        for propstat in response.propstats {
            let code = propstat.status?.code
            propertyStatusCounts[code ?? 0, default: 0] += propstat.properties.count
            for property in propstat.properties {
                if keepProperties { propertyStatuses.append(.init(name: property.name.description, status: code)) }
                if namespaces.count < 64, !property.name.namespace.isEmpty { namespaces.insert(property.name.namespace) }
                guard let code else { continue }
                if (200..<300).contains(code) {
                    inspectValue(property, path: path, hasETag: &hasETag)
                } else if code == 404 {
                    if status.map({ (200..<300).contains($0) }) ?? false { absentProperties[property.name, default: 0] += 1 }
                } else {
                    let key = PropertyFailureKey(name: property.name, status: code)
                    var failure = failedProperties[key] ?? PropertyFailure(count: 0, examples: [], conditions: [])
                    failure.count += 1
                    if failure.examples.count < 20 { failure.examples.append(path) }
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
                if filesWithoutETag.count < 20 { filesWithoutETag.append(path) }
            }
        }
        if path.utf8.contains(0x25), URLPath.lastSegment(of: path).contains("%"), namesWithPercent.count < 20 { namesWithPercent.append(path) }

        let failed = status.map { !(200..<300).contains($0) } ?? true
        if failed || responseCount <= Self.treeLimit {
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
            if responseCount <= Self.treeLimit { records.append(record) }
            if failed {
                failingCount += 1
                if failing.count < Self.failureLimit { failing.append(record) }
            }
        }
    }

    private var lastParent: String?
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

    /// The parent collection of a decoded path without its trailing slash (`/a/b/c` → `/a/b`), nil for `/`.
    static func parentKey(_ path: String) -> String? {
        var utf8 = Substring(path).utf8
        if utf8.last == 0x2F { utf8 = utf8.dropLast() }
        guard !utf8.isEmpty, let slash = utf8.lastIndex(of: 0x2F) else { return nil }
        if slash == utf8.startIndex { return "/" }
        return String(Substring(utf8[utf8.startIndex..<slash]))
    }

    private mutating func inspectValue(_ property: Property, path: String, hasETag: inout Bool) {
        guard property.name.namespace == DAV.namespace else { return }
        switch property.name.name {
        case "getetag":
            if !property.text.trimmingASCIIWhitespace().isEmpty { hasETag = true }
        case "quota-available-bytes", "quota-used-bytes":
            let value = property.text.trimmingASCIIWhitespace()
            if value.hasPrefix("-"), negativeQuota.count < 20 { negativeQuota.append((path, "\(property.name.name) = \(value)")) }
        default:
            break
        }
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
        guard let levels = URLPath.levels(of: path, below: context.requestPath) else {
            outOfScopeCount += 1
            if outOfScope.count < 20 { outOfScope.append(path) }
            return
        }
        if levels == 0 { selfSeen = true }
        if let max = context.depth?.maximumLevels, context.method == "PROPFIND", levels > max {
            tooDeepCount += 1
            if tooDeep.count < 20 { tooDeep.append(path) }
        }
    }

    public mutating func addProblem(_ problem: XMLProblem) {
        linter.check(problem)
    }
}
