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
                return try StoredElementReader.element(text)
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
        let rows = try session.query(Candidates(now: now, keys: keys, descendants: descendants, prefix: prefix, upper: upper))
        return try rows.map(lock)
    }

    /// The statements of ``candidates(_:descendants:now:_:)`` and of the changes, prepared once per connection.
    private struct Candidates: PostgresStoreStatement {
        static let sql = """
            SELECT \(PostgresLockManager.columns) FROM active_lock WHERE expires > $1
            AND (root = ANY($2::text[]) OR ($3 AND root >= $4 AND root < $5))
            """
        let now: Double, keys: [String], descendants: Bool, prefix: String, upper: String
        func makeBindings() -> PostgresBindings { PostgresBindings(now, keys, descendants, prefix, upper) }
    }

    private struct Unexpired: PostgresStoreStatement {
        static let sql = "SELECT \(PostgresLockManager.columns) FROM active_lock WHERE token = $1 AND expires > $2"
        let token: String, now: Double
        func makeBindings() -> PostgresBindings { PostgresBindings(token, now) }
    }

    private struct Holding: PostgresStoreStatement {
        static let sql = "SELECT \(PostgresLockManager.columns) FROM active_lock WHERE token = $1"
        let token: String
        func makeBindings() -> PostgresBindings { PostgresBindings(token) }
    }

    private struct TakeTableLock: PostgresFixedStatement {
        static let sql = "SELECT pg_advisory_xact_lock(\(PostgresSchema.LockKey.space), \(PostgresSchema.LockKey.lockTable))"
    }

    private struct DeleteExpired: PostgresStoreStatement {
        static let sql = "DELETE FROM active_lock WHERE expires <= $1"
        let now: Double
        func makeBindings() -> PostgresBindings { PostgresBindings(now) }
    }

    private struct Insert: PostgresStoreStatement {
        static let sql = "INSERT INTO active_lock (\(PostgresLockManager.columns)) VALUES ($1, $2, $3, $4, $5, $6::text, $7::text, $8, $9)"
        let token: String, root: String, rootIsCollection: Bool, deep: Bool, exclusive: Bool
        let owner: String?, principal: String?, timeout: String, expires: Double

        init(_ lock: ActiveLock, owner: String?, expires: Double) {
            token = lock.token
            root = lock.root.description
            rootIsCollection = lock.rootIsCollection
            deep = lock.isDeep
            exclusive = lock.isExclusive
            self.owner = owner
            principal = lock.principal
            timeout = lock.timeout.description
            self.expires = expires
        }

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(token, root, rootIsCollection, deep, exclusive)
            bindings.append(owner)
            bindings.append(principal)
            bindings.append(timeout)
            bindings.append(expires)
            return bindings
        }
    }

    private struct Refresh: PostgresStoreStatement {
        static let sql = "UPDATE active_lock SET timeout = $1, expires = $2 WHERE token = $3"
        let timeout: String, expires: Double, token: String
        func makeBindings() -> PostgresBindings { PostgresBindings(timeout, expires, token) }
    }

    private struct Delete: PostgresStoreStatement {
        static let sql = "DELETE FROM active_lock WHERE token = $1"
        let token: String
        func makeBindings() -> PostgresBindings { PostgresBindings(token) }
    }

    func locks(covering path: ResourcePath, descendants: Bool, now: Double) throws -> [ActiveLock] {
        let found = try pool.withSession { try Self.candidates(path, descendants: descendants, now: now, $0) }
        return LockTable(locks: found).locks(covering: path, descendants: descendants)
    }

    func lock(token: String, now: Double) throws -> ActiveLock? {
        try pool.withSession { session in
            try session.query(Unexpired(token: token, now: now)).first.map(Self.lock)
        }
    }

    /// A transaction holding the lock table's advisory lock, with the expired rows gone.
    private func changing<T>(now: Double, _ body: (PostgresSession) throws -> T) throws -> T {
        try pool.transaction { session in
            try session.execute(TakeTableLock())
            try session.execute(DeleteExpired(now: now))
            return try body(session)
        }
    }

    func create(_ lock: ActiveLock, now: Double) throws {
        let owner = lock.owner.map(StoredElementWriter.json)
        try changing(now: now) { session in
            var table = LockTable(locks: try Self.candidates(lock.root, descendants: lock.isDeep, now: now, session))
            try table.add(lock)
            let expires = lock.expires == .infinity ? Double.greatestFiniteMagnitude : lock.expires
            try session.execute(Insert(lock, owner: owner, expires: expires))
        }
    }

    func refresh(token: String, path: ResourcePath, timeout: LockTimeout, now: Double) throws -> ActiveLock {
        try changing(now: now) { session in
            let found = try session.query(Holding(token: token)).map(Self.lock)
            var table = LockTable(locks: found)
            let refreshed = try table.refresh(token: token, path: path, timeout: timeout, now: now)
            let expires = refreshed.expires == .infinity ? Double.greatestFiniteMagnitude : refreshed.expires
            try session.execute(Refresh(timeout: refreshed.timeout.description, expires: expires, token: token))
            return refreshed
        }
    }

    func unlock(token: String, path: ResourcePath, now: Double) throws {
        try changing(now: now) { session in
            let found = try session.query(Holding(token: token)).map(Self.lock)
            var table = LockTable(locks: found)
            _ = try table.unlock(token: token, path: path)
            try session.execute(Delete(token: token))
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
