import DAVCore

/// Everything the responder needs: the three stores, the access rules and the limits.
public struct DAVServerOptions: Sendable {
    public var storage: any Storage
    public var properties: any PropertyStore
    public var locks: any LockManager
    public var access: AccessRules
    /// Largest PUT body accepted; larger ones get 413.
    public var maxBodyBytes: Int
    /// Largest XML request body (PROPFIND, PROPPATCH, LOCK).
    public var maxXMLBodyBytes: Int
    /// When false, PROPFIND Depth infinity gets 403 with `DAV:propfind-finite-depth` (RFC 4918 §9.1).
    public var allowsDepthInfinity: Bool
    /// Longest lock timeout granted, in seconds; `Infinite` requests are granted this much too.
    public var maxLockSeconds: Int
    public var accessLog: AccessLog?
    /// Longest wait for a complete request head (request line and headers), from the connection's opening
    /// or the end of the previous response; the connection is closed beyond it (slowloris clients).
    public var requestHeadTimeout: Duration
    /// Longest time a connection may stay without any byte read or written before it is closed.
    public var idleTimeout: Duration

    public init(
        storage: any Storage, properties: any PropertyStore = MemoryPropertyStore(), locks: any LockManager = MemoryLockManager(),
        access: AccessRules = .open, maxBodyBytes: Int = 8 << 30, maxXMLBodyBytes: Int = 1 << 20, allowsDepthInfinity: Bool = true,
        maxLockSeconds: Int = 7 * 24 * 3600, accessLog: AccessLog? = nil, requestHeadTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(120)
    ) {
        self.storage = storage
        self.properties = properties
        self.locks = locks
        self.access = access
        self.maxBodyBytes = maxBodyBytes
        self.maxXMLBodyBytes = maxXMLBodyBytes
        self.allowsDepthInfinity = allowsDepthInfinity
        self.maxLockSeconds = maxLockSeconds
        self.accessLog = accessLog
        self.requestHeadTimeout = requestHeadTimeout
        self.idleTimeout = idleTimeout
    }

    /// In-memory stores and no authentication: for tests and the lab.
    public static func inMemory() -> DAVServerOptions {
        DAVServerOptions(storage: MemoryStorage())
    }
}
