import DAVCore
import Foundation
internal import GRDB

/// Locks kept in a ``LockTable`` in memory and written through to SQLite, so a restart keeps them;
/// locks that expired while the server was down are dropped when it starts.
public final class SQLiteLockManager: LockManager, @unchecked Sendable {
    private let database: DatabaseQueue
    private let table: Locked<LockTable>

    init(database: DatabaseQueue, now: Double) throws {
        self.database = database
        let loaded: [ActiveLock] = try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS active_lock (
                        token TEXT PRIMARY KEY, root TEXT NOT NULL, root_is_collection INTEGER NOT NULL,
                        deep INTEGER NOT NULL, exclusive INTEGER NOT NULL, owner TEXT, principal TEXT,
                        timeout TEXT NOT NULL, expires REAL NOT NULL)
                    """)
            try db.execute(sql: "DELETE FROM active_lock WHERE expires <= ?", arguments: [now])
            return try Row.fetchAll(db, sql: "SELECT * FROM active_lock").compactMap { row in
                let rootText: String = row["root"]
                guard let root = try? ResourcePath(encodedPath: ResourcePath.encodeKey(rootText)),
                    let timeout = LockTimeout(row["timeout"] as String)
                else { return nil }
                let ownerText: String? = row["owner"]
                var lock = ActiveLock(
                    token: row["token"], root: root, rootIsCollection: row["root_is_collection"], isDeep: row["deep"],
                    isExclusive: row["exclusive"],
                    owner: ownerText.flatMap { try? StoredElementReader.element($0) },
                    principal: row["principal"], timeout: timeout, now: now)
                let expires: Double = row["expires"]
                lock.expires = expires >= 1e300 ? .infinity : expires
                return lock
            }
        }
        table = Locked(LockTable(locks: loaded))
    }

    private func persist(_ body: (Database) throws -> Void) throws {
        try database.writeInPreparedTransaction(body)
    }

    private func save(_ lock: ActiveLock, _ db: Database) throws {
        let owner = lock.owner.map(StoredElementWriter.json)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO active_lock VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)").execute(
            arguments: [
                lock.token, lock.root.description, lock.rootIsCollection, lock.isDeep, lock.isExclusive, owner, lock.principal,
                lock.timeout.description, lock.expires == .infinity ? Double.greatestFiniteMagnitude : lock.expires,
            ])
    }

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
            try persist { try save(lock, $0) }
        }
    }

    public func refresh(token: String, path: ResourcePath, timeout: LockTimeout, now: Double) throws -> ActiveLock {
        try table.withLock {
            $0.expire(now: now)
            let lock = try $0.refresh(token: token, path: path, timeout: timeout, now: now)
            try persist { try save(lock, $0) }
            return lock
        }
    }

    public func unlock(token: String, path: ResourcePath, now: Double) throws {
        try table.withLock {
            $0.expire(now: now)
            _ = try $0.unlock(token: token, path: path)
            try persist { try $0.cachedStatement(sql: "DELETE FROM active_lock WHERE token = ?").execute(arguments: [token]) }
        }
    }

    public func removeAll(under path: ResourcePath) throws {
        try table.withLock {
            let gone = $0.removeAll(under: path)
            guard !gone.isEmpty else { return }
            try persist { db in
                for token in gone { try db.cachedStatement(sql: "DELETE FROM active_lock WHERE token = ?").execute(arguments: [token]) }
            }
        }
    }
}

extension ResourcePath {
    /// Re-encodes a decoded key (`/a b/c`) so it can go through ``init(encodedPath:)`` again.
    static func encodeKey(_ key: String) -> String {
        let path = ResourcePath(segments: key.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
        return path.href(isCollection: false)
    }
}
