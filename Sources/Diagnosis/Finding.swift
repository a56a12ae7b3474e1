/// One diagnosis: a cause, how likely it is, the resources it covers, what shows it, and what to change.
public struct Finding: Sendable, Hashable, Codable {
    public var cause: Cause
    public var likelihood: Likelihood
    public var title: String
    /// Decoded paths; a collection path (ending in `/`) stands for its whole subtree.
    public var resources: [String]
    /// How many resources the finding covers in all (``resources`` may be cut short for very large answers).
    public var resourceCount: Int
    public var evidence: [String]
    public var fixes: [Fix]
    /// The status the finding is about, when there is one (`403`).
    public var status: Int?

    public init(
        cause: Cause, likelihood: Likelihood? = nil, title: String, resources: [String] = [], resourceCount: Int? = nil,
        evidence: [String] = [], fixes: [Fix] = [], status: Int? = nil
    ) {
        self.cause = cause
        self.likelihood = likelihood ?? cause.baseLikelihood
        self.title = title
        self.resources = resources
        self.resourceCount = resourceCount ?? resources.count
        self.evidence = evidence
        self.fixes = fixes
        self.status = status
    }
}

public struct Fix: Sendable, Hashable, Codable {
    public var action: String
    public var difficulty: Difficulty

    public init(_ action: String, _ difficulty: Difficulty) {
        self.action = action
        self.difficulty = difficulty
    }
}

extension Array where Element == Finding {
    /// Most likely first; among equals, the finding covering more resources first, then the order found.
    public func rankedByLikelihood() -> [Finding] {
        enumerated().sorted { a, b in
            if a.element.likelihood != b.element.likelihood { return a.element.likelihood > b.element.likelihood }
            if a.element.resourceCount != b.element.resourceCount { return a.element.resourceCount > b.element.resourceCount }
            return a.offset < b.offset
        }.map(\.element)
    }
}
