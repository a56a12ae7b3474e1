import DAVCore

/// The bookkeeping of write locks as a plain value: conflicts, coverage, refresh and expiry, with the clock
/// passed in. No I/O, so it is tested with values alone; ``MemoryLockManager`` and ``SQLiteLockManager``
/// wrap it.
public struct LockTable: Sendable {
    public private(set) var locks: [String: ActiveLock] = [:]

    public init(locks: [ActiveLock] = []) {
        for lock in locks { self.locks[lock.token] = lock }
    }

    /// Drops expired locks; returns their tokens.
    @discardableResult
    public mutating func expire(now: Double) -> [String] {
        let gone = locks.values.filter { $0.expires <= now }.map(\.token)
        for token in gone { locks[token] = nil }
        return gone
    }

    /// Locks that apply to `path` (its own and deep locks of its ancestors), and with `descendants`,
    /// also locks rooted below it.
    public func locks(covering path: ResourcePath, descendants: Bool = false) -> [ActiveLock] {
        locks.values.filter { $0.covers(path) || (descendants && $0.root.isDescendant(of: path)) }
            .sorted { $0.token < $1.token }
    }

    /// Locks a new lock would conflict with: any exclusive lock in its way, or any lock at all when it is exclusive.
    public func conflicts(with candidate: ActiveLock) -> [ActiveLock] {
        locks.values.filter { existing in
            let overlaps = existing.covers(candidate.root) || (candidate.isDeep && existing.root.isDescendant(of: candidate.root))
            return overlaps && (existing.isExclusive || candidate.isExclusive)
        }
    }

    /// Adds a lock; throws 423 with `DAV:no-conflicting-lock` (RFC 4918 §9.10.6) when it conflicts.
    public mutating func add(_ lock: ActiveLock) throws {
        let conflicting = conflicts(with: lock)
        guard conflicting.isEmpty else {
            throw DAVError(
                423, "a conflicting lock exists", condition: DAV.noConflictingLock,
                hrefs: conflicting.map { $0.root.href(isCollection: $0.rootIsCollection) })
        }
        locks[lock.token] = lock
    }

    /// Extends a lock that applies to `path`; throws 412 `DAV:lock-token-matches-request-uri` when it does not.
    public mutating func refresh(token: String, path: ResourcePath, timeout: LockTimeout, now: Double) throws -> ActiveLock {
        guard var lock = locks[token], lock.covers(path) else {
            throw DAVError(412, "no lock with this token applies to the resource", condition: DAV.lockTokenMatchesRequestURI)
        }
        lock.timeout = timeout
        lock.expires = ActiveLock.expiry(timeout, now: now)
        locks[token] = lock
        return lock
    }

    /// Removes the lock with `token` if it applies to `path` (§9.11: 409 with `lock-token-matches-request-uri`).
    public mutating func unlock(token: String, path: ResourcePath) throws -> ActiveLock {
        guard let lock = locks[token], lock.covers(path) else {
            throw DAVError(409, "no lock with this token applies to the resource", condition: DAV.lockTokenMatchesRequestURI)
        }
        locks[token] = nil
        return lock
    }

    /// Removes every lock rooted at or below `path` (the resources were deleted or moved away).
    @discardableResult
    public mutating func removeAll(under path: ResourcePath) -> [String] {
        let gone = locks.values.filter { $0.root.isDescendant(of: path) }.map(\.token)
        for token in gone { locks[token] = nil }
        return gone
    }
}

/// The reads both in-process lock managers answer from their table: expired locks forgotten first, as
/// ``LockManager``'s contract asks.
extension Locked where Value == LockTable {
    func live(covering path: ResourcePath, descendants: Bool, now: Double) -> [ActiveLock] {
        withLock {
            $0.expire(now: now)
            return $0.locks(covering: path, descendants: descendants)
        }
    }

    func live(token: String, now: Double) -> ActiveLock? {
        withLock {
            $0.expire(now: now)
            return $0.locks[token]
        }
    }
}
