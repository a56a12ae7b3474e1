import DAVCore

/// Where write locks live (RFC 4918 §6–§7). A small protocol so that locks can later be shared by
/// several server instances (a PostgreSQL store) behind one load balancer.
///
/// Contract: every call first forgets locks that expired by `now`. `create` throws a 423 ``DAVError``
/// with `DAV:no-conflicting-lock` on a conflict; `refresh` throws 412 and `unlock` 409 with
/// `DAV:lock-token-matches-request-uri` when the token does not apply to the path.
public protocol LockManager: Sendable {
    func locks(covering path: ResourcePath, descendants: Bool, now: Double) throws -> [ActiveLock]
    func lock(token: String, now: Double) throws -> ActiveLock?
    func create(_ lock: ActiveLock, now: Double) throws
    func refresh(token: String, path: ResourcePath, timeout: LockTimeout, now: Double) throws -> ActiveLock
    func unlock(token: String, path: ResourcePath, now: Double) throws
    /// Forgets every lock rooted at or below `path`.
    func removeAll(under path: ResourcePath) throws
}

/// Locks in memory: gone when the process ends.
public final class MemoryLockManager: LockManager, @unchecked Sendable {
    private let table = Locked(LockTable())

    public init() {}

    public func locks(covering path: ResourcePath, descendants: Bool, now: Double) throws -> [ActiveLock] {
        table.live(covering: path, descendants: descendants, now: now)
    }

    public func lock(token: String, now: Double) throws -> ActiveLock? {
        table.live(token: token, now: now)
    }

    public func create(_ lock: ActiveLock, now: Double) throws {
        try table.withLock {
            $0.expire(now: now)
            try $0.add(lock)
        }
    }

    public func refresh(token: String, path: ResourcePath, timeout: LockTimeout, now: Double) throws -> ActiveLock {
        try table.withLock {
            $0.expire(now: now)
            return try $0.refresh(token: token, path: path, timeout: timeout, now: now)
        }
    }

    public func unlock(token: String, path: ResourcePath, now: Double) throws {
        try table.withLock {
            $0.expire(now: now)
            _ = try $0.unlock(token: token, path: path)
        }
    }

    public func removeAll(under path: ResourcePath) throws {
        table.withLock { _ = $0.removeAll(under: path) }
    }
}
