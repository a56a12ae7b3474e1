import DAVCore

/// One diagnosis: a cause, how likely it is, the resources it covers, what shows it, and what to change.
public struct Finding: Sendable, Hashable, Codable {
    public var cause: Cause
    public var likelihood: Likelihood
    public var title: String
    /// Decoded paths; a collection path (ending in `/`) stands for its whole subtree.
    public var resources: [String]
    /// How many resources the finding covers in all (``resources`` may be cut short for very large answers).
    public var resourceCount: Int
    /// A rule lists at most this many resources of a finding: a report stays readable, the count stays exact.
    public static let resourcesListed = 1000
    public var evidence: [String]
    public var fixes: [Fix]
    /// The status the finding is about, when there is one (`403`).
    public var status: Int?
    /// What showed it, as data beside the evidence's words: scripts and tests read these, never the prose.
    public var signs: [Sign] = []
    /// The one evidence line that says why this cause, chosen by the rule that knows (the others restate
    /// the answer or cite the RFC): what one-line summaries such as `lab demo` print. Nil: the last line.
    public var because: String?

    public init(
        cause: Cause, likelihood: Likelihood? = nil, signs: [Sign] = [], title: String, resources: [String] = [], resourceCount: Int? = nil,
        evidence: [String] = [], seen: [String] = [], fixes: [Fix] = [], status: Int? = nil
    ) {
        self.signs = signs
        self.cause = cause
        self.likelihood = likelihood ?? cause.baseLikelihood
        self.title = title
        self.resources = resources
        self.resourceCount = resourceCount ?? resources.count
        // `seen`: header lines that show where the answer came from; the reason is the line before them.
        self.evidence = evidence + seen
        if !seen.isEmpty { because = evidence.last }
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

extension Finding {
    private enum CodingKeys: String, CodingKey {
        case cause, likelihood, title, resources, resourceCount, evidence, fixes, status, signs, because
    }

    /// The line a one-line summary shows: ``because``, else the last evidence line.
    public var tellingEvidence: String? { because ?? evidence.last }

    /// The first sign of `kind`: what scripts and tests ask of a finding instead of reading its evidence.
    public func sign(_ kind: String) -> Sign? { signs.first { $0.kind == kind } }

    /// Adds what a follow-up request proved: the line that now says why.
    public mutating func prove(_ line: String) {
        evidence.append(line)
        because = line
    }

    /// Reads reports written before findings carried signs, too.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            cause: try container.decode(Cause.self, forKey: .cause), likelihood: try container.decode(Likelihood.self, forKey: .likelihood),
            title: try container.decode(String.self, forKey: .title), resources: try container.decode([String].self, forKey: .resources),
            resourceCount: try container.decodeIfPresent(Int.self, forKey: .resourceCount),
            evidence: try container.decode([String].self, forKey: .evidence), fixes: try container.decode([Fix].self, forKey: .fixes),
            status: try container.decodeIfPresent(Int.self, forKey: .status))
        signs = try container.decodeIfPresent([Sign].self, forKey: .signs) ?? []
        because = try container.decodeIfPresent(String.self, forKey: .because)
    }
}
