import DAVCore

/// One granted write lock (RFC 4918 §6, §14.1 `activelock`).
public struct ActiveLock: Sendable, Hashable {
    public var token: String
    /// The resource the lock was created on (`lockroot`).
    public var root: ResourcePath
    /// Whether the root was a collection when locked, so its `lockroot` href ends in `/`.
    public var rootIsCollection: Bool
    /// Depth infinity covers every member of a collection; depth 0 only the root.
    public var isDeep: Bool
    public var isExclusive: Bool
    /// The client's `<D:owner>` element, kept verbatim.
    public var owner: XMLElement?
    /// The authenticated user who created it, if any.
    public var principal: String?
    public var timeout: LockTimeout
    /// Seconds since 1970 when the lock ends; `.infinity` for an `Infinite` timeout.
    public var expires: Double

    public init(
        token: String, root: ResourcePath, rootIsCollection: Bool, isDeep: Bool, isExclusive: Bool, owner: XMLElement?,
        principal: String?, timeout: LockTimeout, now: Double
    ) {
        self.token = token
        self.root = root
        self.rootIsCollection = rootIsCollection
        self.isDeep = isDeep
        self.isExclusive = isExclusive
        self.owner = owner
        self.principal = principal
        self.timeout = timeout
        self.expires = Self.expiry(timeout, now: now)
    }

    static func expiry(_ timeout: LockTimeout, now: Double) -> Double {
        switch timeout {
        case .infinite: .infinity
        case .seconds(let seconds): now + Double(seconds)
        }
    }

    /// Whether this lock applies to `path`: it is the root, or a member of a deep lock's root.
    public func covers(_ path: ResourcePath) -> Bool {
        path == root || (isDeep && path.isDescendant(of: root))
    }

    /// The timeout still to run, as `<D:timeout>` writes it.
    public func remaining(now: Double) -> LockTimeout {
        if expires == .infinity { return .infinite }
        return .seconds(max(0, Int((expires - now).rounded(.up))))
    }
}
