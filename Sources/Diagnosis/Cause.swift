/// The fixed vocabulary of causes (docs/design.md). Raw values are the ids in reports, tests and JSON.
public enum Cause: String, Sendable, Hashable, Codable, CaseIterable {
    case path
    case permission
    case lock
    case proxy
    case serverConfig = "server-config"
    case storage
    case cache
    case payload
    case client

    /// The troubleshooting guide's likelihood for the cause before any evidence; causes the guide's
    /// table does not list start at medium.
    public var baseLikelihood: Likelihood {
        switch self {
        case .path, .permission: .high
        case .lock: .medium
        case .proxy, .serverConfig: .low
        case .storage, .cache, .payload, .client: .medium
        }
    }
}

public enum Likelihood: String, Sendable, Hashable, Codable, Comparable {
    case high, medium, low

    var rank: Int {
        switch self {
        case .high: 0
        case .medium: 1
        case .low: 2
        }
    }

    public static func < (lhs: Likelihood, rhs: Likelihood) -> Bool { lhs.rank > rhs.rank }

    /// One step up (strong, unambiguous evidence such as a precondition element).
    public var raised: Likelihood { self == .low ? .medium : .high }
    /// One step down (the evidence is indirect).
    public var lowered: Likelihood { self == .high ? .medium : .low }
}

public enum Difficulty: String, Sendable, Hashable, Codable {
    case easy, medium, hard
}
