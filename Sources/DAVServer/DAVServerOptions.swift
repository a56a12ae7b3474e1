import DAVCore

/// Everything the responder needs: the stores, the access rules and the limits.
public struct DAVServerOptions: Sendable {
    public var storage: any Storage
    public var properties: any PropertyStore
    public var locks: any LockManager
    /// Every change of the tree, numbered: where `DAV:sync-collection` tokens come from.
    public var changes: any ChangeLog
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
    /// Most members one `DAV:sync-collection` answer lists; beyond it the answer ends with a 507 for the
    /// collection and a token to continue from (RFC 6578 §3.6). A client's `DAV:limit` may ask for fewer.
    public var maxSyncResults: Int
    /// Where principals live (`<path>/<user>/`, RFC 3744 §2): answered by the server, never by the storage.
    /// Reserved: nothing below it is read from or written to the served tree.
    public var principalsPath: ResourcePath
    /// Set when other instances serve the same tree with the same stores: changes are serialised with
    /// theirs (``ClusterGate``). nil for a server that has the tree to itself.
    public var cluster: (any ClusterGate)?
    /// Most bytes of listed members' responses kept for the next listing of their folders
    /// (``MemberResponseCache``); 0 keeps none.
    public var listingCacheBytes = 16 << 20
    /// Large GET bodies on their way to the bottom of their connection's pipeline, sent from the file by
    /// the kernel: one table per server (the secret that marks them included).
    let fileRegions = FileRegionHandoff()

    public init(
        storage: any Storage, properties: any PropertyStore = MemoryPropertyStore(), locks: any LockManager = MemoryLockManager(),
        changes: any ChangeLog = MemoryChangeLog(), access: AccessRules = .open, maxBodyBytes: Int = 8 << 30,
        maxXMLBodyBytes: Int = 1 << 20, allowsDepthInfinity: Bool = true, maxLockSeconds: Int = 7 * 24 * 3600,
        accessLog: AccessLog? = nil, requestHeadTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(120),
        maxSyncResults: Int = 1000, principalsPath: ResourcePath = DAVServerOptions.defaultPrincipalsPath
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
        self.changes = changes
        self.maxSyncResults = maxSyncResults
        self.principalsPath = principalsPath
    }

    /// `/.davdoctor-principals/`: a dot name in the project's own `.davdoctor-` spelling, so that an ordinary
    /// file or directory (`principals`, `users`) in the served root never meets it.
    public static let defaultPrincipalsPath = ResourcePath(segments: [".davdoctor-principals"])

    /// In-memory stores and no authentication: for tests and the lab.
    public static func inMemory() -> DAVServerOptions {
        DAVServerOptions(storage: MemoryStorage())
    }
}

extension DAVServerOptions {
    /// A limit in the configuration that cannot be served as it is written.
    public struct InvalidLimit: Error, CustomStringConvertible {
        public let description: String
    }

    /// The configuration's limits, checked and applied: the one place `serve` and the lab read them, so a
    /// new limit cannot reach one and miss the other. Flags that override a limit are applied after this.
    public mutating func apply(_ limits: ServerConfiguration.Limits?) throws {
        guard let limits else { return }
        for (name, value) in [("syncResults", limits.syncResults), ("syncHistory", limits.syncHistory)] {
            if let value, value < 1 { throw InvalidLimit(description: "limits: \(name) must be 1 or more, not \(value)") }
        }
        for seconds in [limits.requestHeadSeconds, limits.idleSeconds].compactMap({ $0 }) where !(seconds > 0) {
            throw InvalidLimit(description: "limits: requestHeadSeconds and idleSeconds must be above 0, not \(seconds)")
        }
        if let bytes = limits.maxBodyBytes { maxBodyBytes = bytes }
        if let results = limits.syncResults { maxSyncResults = results }
        if let allowed = limits.depthInfinity { allowsDepthInfinity = allowed }
        if let seconds = limits.requestHeadSeconds { requestHeadTimeout = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = limits.idleSeconds { idleTimeout = .milliseconds(Int64(seconds * 1000)) }
        if let megabytes = limits.listingCacheMiB {
            guard (0...65_536).contains(megabytes) else {
                throw InvalidLimit(description: "limits: listingCacheMiB must be 0 to 65536, not \(megabytes)")
            }
            listingCacheBytes = megabytes << 20
        }
    }
}
