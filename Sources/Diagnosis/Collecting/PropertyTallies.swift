import DAVCore

/// What the propstats said of each property: counts per status, properties absent (404) from resources
/// that are there, and the failures by property and status with a few examples.
public struct PropertyTally: Sendable, Equatable {
    /// Property status code (0 when there was none) → how many properties answered it.
    public private(set) var statusCounts: [Int: Int] = [:]
    /// 404 propstats on resources that exist: properties they simply lack (not a fault).
    public private(set) var absent: [QualifiedName: Int] = [:]
    /// 401/403/409/424/500/507… propstats: property name and code → count and examples.
    public private(set) var failed: [FailureKey: Failure] = [:]

    public struct FailureKey: Sendable, Hashable {
        public var name: QualifiedName
        public var status: Int
    }

    public struct Failure: Sendable, Hashable {
        public var count: Int
        public var examples: [String]
        public var conditions: Set<String>
        /// The server's own words for the failure (the propstat's `<D:responsedescription>`), the first few
        /// distinct ones: Apache names its property database here.
        public var descriptions: [String] = []

        /// The examples a finding lists (``Finding/resourcesListed`` at most; ``count`` says how many in all).
        public var listed: [String] { Array(examples.prefix(Finding.resourcesListed)) }
    }

    /// At most this many distinct descriptions are kept per property and status, each cut to this length.
    static let descriptionsKept = 3
    static let descriptionLength = 300

    /// Counts the properties of one propstat under its status.
    mutating func take(propstatOf count: Int, status: Int?) {
        statusCounts[status ?? 0, default: 0] += count
    }

    mutating func takeAbsent(_ name: QualifiedName) {
        absent[name, default: 0] += 1
    }

    /// A property that failed with `status` on the resource at `path`; `conditions` are its propstat's
    /// `<D:error>` elements.
    mutating func takeFailure(_ name: QualifiedName, status: Int, path: String, conditions: [XMLElement], description: String? = nil) {
        let key = FailureKey(name: name, status: status)
        var failure = failed[key] ?? Failure(count: 0, examples: [], conditions: [])
        failure.count += 1
        if failure.examples.count < ResponseCollector.examplesKept { failure.examples.append(path) }
        for condition in conditions { failure.conditions.insert(condition.name.description) }
        if let description { failure.keep(description) }
        failed[key] = failure
    }

    mutating func merge(_ later: Self) {
        statusCounts.merge(later.statusCounts, uniquingKeysWith: +)
        absent.merge(later.absent, uniquingKeysWith: +)
        for (key, failure) in later.failed {
            var merged = failed[key] ?? Failure(count: 0, examples: [], conditions: [])
            merged.count += failure.count
            merged.examples.append(contentsOf: failure.examples, upTo: ResponseCollector.examplesKept)
            merged.conditions.formUnion(failure.conditions)
            for description in failure.descriptions { merged.keep(description) }
            failed[key] = merged
        }
    }
}

extension PropertyTally.Failure {
    /// Keeps a description, trimmed and on one line, unless it is empty, known already, or one too many.
    mutating func keep(_ description: String) {
        let flat = description.split(whereSeparator: \.isNewline).map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
        guard !flat.isEmpty, descriptions.count < PropertyTally.descriptionsKept else { return }
        let kept = String(flat.prefix(PropertyTally.descriptionLength))
        if !descriptions.contains(kept) { descriptions.append(kept) }
    }
}

/// The namespaces the property names use (which tell servers apart), and the properties named in no
/// namespace at all (a writer that dropped its `D:` prefix).
public struct NamespaceTally: Sendable {
    /// At most this many namespaces are kept: a server's own are among its first few.
    public static let namespaceLimit = 64
    /// Names of unqualified properties kept as examples.
    public static let unqualifiedExampleLimit = 5

    public private(set) var namespaces: Set<String> = []
    /// ``namespaces`` in the order first seen, so that merged pieces keep the same first ones.
    private var namespaceOrder: [String] = []
    public private(set) var unqualifiedCount = 0
    /// Distinct local names of unqualified properties, the first few.
    public private(set) var unqualifiedExamples: [String] = []
    /// The namespace last added: nearly every property repeats it.
    private var lastNamespace = ""

    mutating func take(_ name: QualifiedName) {
        if name.namespace.isEmpty {
            // `<getetag/>` with no prefix and no default namespace: not DAV:getetag, a property of no namespace.
            unqualifiedCount += 1
            if unqualifiedExamples.count < Self.unqualifiedExampleLimit, !unqualifiedExamples.contains(name.name) {
                unqualifiedExamples.append(name.name)
            }
        } else if namespaces.count < Self.namespaceLimit, name.namespace != lastNamespace {
            insert(name.namespace)
            lastNamespace = name.namespace
        }
    }

    private mutating func insert(_ namespace: String) {
        if namespaces.insert(namespace).inserted { namespaceOrder.append(namespace) }
    }

    mutating func merge(_ later: Self) {
        for namespace in later.namespaceOrder where namespaces.count < Self.namespaceLimit { insert(namespace) }
        unqualifiedCount += later.unqualifiedCount
        for name in later.unqualifiedExamples where unqualifiedExamples.count < Self.unqualifiedExampleLimit && !unqualifiedExamples.contains(name) {
            unqualifiedExamples.append(name)
        }
    }
}

extension NamespaceTally: Equatable {
    /// Equal when they hold the same namespaces and unqualified names; the last namespace is only a shortcut.
    public static func == (a: Self, b: Self) -> Bool {
        a.namespaceOrder == b.namespaceOrder && a.unqualifiedCount == b.unqualifiedCount && a.unqualifiedExamples == b.unqualifiedExamples
    }
}
