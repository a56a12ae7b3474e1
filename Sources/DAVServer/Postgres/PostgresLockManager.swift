import DAVCore
import Foundation
internal import PostgresNIO

/// Write locks in PostgreSQL, so a lock taken through one server instance binds every other one.
///
/// Nothing is cached: each check reads the rows that can apply. A change (create, refresh, unlock) runs
/// in a transaction that first takes a transaction-scoped advisory lock on the lock table, then decides
/// with the same ``LockTable`` bookkeeping the other managers use: two LOCKs on different instances cannot
/// both find no conflict. Expired rows are never returned, and are deleted by the next change.
final class PostgresLockManager: LockManager, @unchecked Sendable {
    private let pool: PostgresPool

    init(pool: PostgresPool) {
        self.pool = pool
    }

    private typealias Columns = (String, String, Bool, Bool, Bool, String?, String?, String, Double)
    private static let columns = "token, root, root_is_collection, deep, exclusive, owner, principal, timeout, expires"

    private static func lock(_ row: PostgresRow) throws -> ActiveLock {
        let (token, root, rootIsCollection, deep, exclusive, owner, principal, timeoutText, expires) = try row.decode(Columns.self)
        guard let timeout = LockTimeout(timeoutText) else { throw DAVError(500, "the stored timeout of lock \(token) cannot be read") }
        let ownerElement = try owner.map { text in
            do {
                return try JSONDecoder().decode(StoredElement.self, from: Data(text.utf8)).element
            } catch {
                throw DAVError(500, "the stored owner of lock \(token) on \(root) cannot be read: \(error)")
            }
        }
        var lock = ActiveLock(
            token: token, root: StoreKey.path(root), rootIsCollection: rootIsCollection, isDeep: deep,
            isExclusive: exclusive, owner: ownerElement, principal: principal, timeout: timeout, now: 0)
        lock.expires = expires >= Double.greatestFiniteMagnitude ? .infinity : expires
        return lock
    }

    /// Locks that may apply to `path`: rooted at it or an ancestor, and with `descendants`, below it.
    private static func candidates(_ path: ResourcePath, descendants: Bool, now: Double, _ session: PostgresSession) throws -> [ActiveLock] {
        var keys: [String] = []
        var current: ResourcePath? = path
        while let step = current {
            keys.append(step.description)
            current = step.parent
        }
        let (prefix, upper) = StoreKey.below(path)
        let rows = try session.query(
            """
            SELECT \(unescaped: columns) FROM active_lock WHERE expires > \(now)
            AND (root = ANY(\(keys)::text[]) OR (\(descendants) AND root >= \(prefix) AND root < \(upper)))
            """)
        return try rows.map(lock)
    }

    func locks(covering path: ResourcePath, descendants: Bool, now: Double) throws -> [ActiveLock] {
        let found = try pool.withSession { try Self.candidates(path, descendants: descendants, now: now, $0) }
        return LockTable(locks: found).locks(covering: path, descendants: descendants)
    }

    func lock(token: String, now: Double) throws -> ActiveLock? {
        try pool.withSession { session in
            try session.query("SELECT \(unescaped: Self.columns) FROM active_lock WHERE token = \(token) AND expires > \(now)").first.map(Self.lock)
        }
    }

    /// A transaction holding the lock table's advisory lock, with the expired rows gone.
    private func changing<T>(now: Double, _ body: (PostgresSession) throws -> T) throws -> T {
        try pool.transaction { session in
            try session.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.LockKey.space), \(PostgresSchema.LockKey.lockTable))")
            try session.execute("DELETE FROM active_lock WHERE expires <= \(now)")
            return try body(session)
        }
    }

    func create(_ lock: ActiveLock, now: Double) throws {
        let owner = try lock.owner.map { String(decoding: try JSONEncoder().encode(StoredElement($0)), as: UTF8.self) }
        try changing(now: now) { session in
            var table = LockTable(locks: try Self.candidates(lock.root, descendants: lock.isDeep, now: now, session))
            try table.add(lock)
            let expires = lock.expires == .infinity ? Double.greatestFiniteMagnitude : lock.expires
            try session.execute(
                """
                INSERT INTO active_lock (\(unescaped: Self.columns)) VALUES (
                    \(lock.token), \(lock.root.description), \(lock.rootIsCollection), \(lock.isDeep), \(lock.isExclusive),
                    \(owner), \(lock.principal), \(lock.timeout.description), \(expires))
                """)
        }
    }

    func refresh(token: String, path: ResourcePath, timeout: LockTimeout, now: Double) throws -> ActiveLock {
        try changing(now: now) { session in
            let found = try session.query("SELECT \(unescaped: Self.columns) FROM active_lock WHERE token = \(token)").map(Self.lock)
            var table = LockTable(locks: found)
            let refreshed = try table.refresh(token: token, path: path, timeout: timeout, now: now)
            let expires = refreshed.expires == .infinity ? Double.greatestFiniteMagnitude : refreshed.expires
            try session.execute(
                "UPDATE active_lock SET timeout = \(refreshed.timeout.description), expires = \(expires) WHERE token = \(token)")
            return refreshed
        }
    }

    func unlock(token: String, path: ResourcePath, now: Double) throws {
        try changing(now: now) { session in
            let found = try session.query("SELECT \(unescaped: Self.columns) FROM active_lock WHERE token = \(token)").map(Self.lock)
            var table = LockTable(locks: found)
            _ = try table.unlock(token: token, path: path)
            try session.execute("DELETE FROM active_lock WHERE token = \(token)")
        }
    }

    func removeAll(under path: ResourcePath) throws {
        let key = path.description
        let (prefix, upper) = StoreKey.below(path)
        try pool.withSession { session in
            try session.execute("DELETE FROM active_lock WHERE root = \(key) OR (root >= \(prefix) AND root < \(upper))")
        }
    }
}
