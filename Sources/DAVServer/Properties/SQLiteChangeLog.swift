import DAVCore
import Foundation
internal import GRDB

/// The change log in the SQLite store beside the dead properties and the locks, so that sync tokens
/// survive a restart. One row per entry, keyed by its revision; the log ID and the oldest revision a token
/// may name (the highest pruned) are kept in `change_log_state`, so a revision is never handed out twice.
///
/// Only ``begin(_:)`` writes, one transaction per change (its rows and any pruning), committed before the
/// change is made. The counters ``window()`` reads are kept in memory: PROPFIND never queries the database.
///
/// No secondary index and no `AUTOINCREMENT`: a one-row change writes one table page, which keeps the cost
/// a PUT pays for being logged low. Reports read the revisions after their token, a range of the primary
/// key, and filter those by path: the work follows the changes since the token, not the size of the log.
public final class SQLiteChangeLog: ChangeLog, @unchecked Sendable {
    private let database: DatabaseQueue
    private let capacity: Int
    public let logID: String
    private let counters: Locked<ChangeCounters>
    /// Holds ``begin(_:)`` from numbering its entries to registering them, so revisions are handed out once, in order.
    private let writer = Locked(())

    init(database: DatabaseQueue, capacity: Int) throws {
        self.database = database
        self.capacity = capacity
        let (id, oldest, latest) = try database.write { db -> (String, Int64, Int64) in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS change_log (
                        revision INTEGER PRIMARY KEY, path TEXT NOT NULL, parent TEXT NOT NULL,
                        kind TEXT NOT NULL, collection INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS change_log_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
            try db.execute(
                sql: "INSERT OR IGNORE INTO change_log_state (key, value) VALUES ('log_id', ?), ('oldest', '0')",
                arguments: [SyncToken.newLogID()])
            let id = try String.fetchOne(db, sql: "SELECT value FROM change_log_state WHERE key = 'log_id'") ?? ""
            let oldest = Int64(try String.fetchOne(db, sql: "SELECT value FROM change_log_state WHERE key = 'oldest'") ?? "") ?? 0
            let newest = try Int64.fetchOne(db, sql: "SELECT MAX(revision) FROM change_log") ?? 0
            return (id, oldest, max(newest, oldest))
        }
        guard SyncToken.isLogID(id) else {
            throw DAVError(500, "the change log's ID in the data directory is damaged (\(id.prefix(40))); sync tokens cannot be checked")
        }
        logID = id
        var loaded = ChangeCounters()
        loaded.latest = latest
        loaded.oldest = oldest
        counters = Locked(loaded)
    }

    public func window() -> ChangeWindow { counters.withLock { $0.window } }

    public func begin(_ entries: [ChangeEntry]) throws -> ChangeTicket {
        let kept = entries.filter { !$0.path.isRoot }
        return try writer.withLock { _ in
            guard !kept.isEmpty else {
                let next = counters.withLock { $0.latest } + 1
                return ChangeTicket(revisions: next...next)
            }
            var next = counters.withLock { $0 }
            let first = next.latest + 1
            let revisions = first...(first + Int64(kept.count) - 1)
            next.start(revisions)
            let pruned = next.pruneTarget(capacity: capacity, startingAt: first)
            try database.writeInPreparedTransaction { db in
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO change_log (revision, path, parent, kind, collection) VALUES (?, ?, ?, ?, ?)")
                for (offset, entry) in kept.enumerated() {
                    let key = entry.path.description
                    try insert.execute(arguments: [
                        first + Int64(offset), key, StoreKey.parent(key), entry.kind.rawValue, entry.isCollection,
                    ])
                }
                if let pruned {
                    try db.execute(sql: "DELETE FROM change_log WHERE revision <= ?", arguments: [pruned])
                    try db.execute(sql: "UPDATE change_log_state SET value = ? WHERE key = 'oldest'", arguments: [String(pruned)])
                }
            }
            // Registered only once committed: a failed transaction leaves the counters as they were.
            counters.withLock { counters in
                counters.start(revisions)
                if let pruned { counters.oldest = pruned }
            }
            return ChangeTicket(revisions: revisions)
        }
    }

    public func end(_ ticket: ChangeTicket) {
        counters.withLock { $0.finish(ticket) }
    }

    public func changes(in collection: ResourcePath, infinite: Bool, after: Int64, through: Int64) throws -> [LoggedChange] {
        let key = collection.description
        let rows = try database.read { db -> [Row] in
            if !infinite {
                return try Row.fetchAll(
                    db,
                    sql: "SELECT revision, path, kind, collection FROM change_log WHERE parent = ? AND revision > ? AND revision <= ? "
                        + "AND path != ? ORDER BY revision",
                    arguments: [key, after, through, key])
            }
            // Byte order: everything below `/a` lies in ["/a/", "/a0"), '0' being '/' + 1.
            let (prefix, upper) = StoreKey.below(collection)
            return try Row.fetchAll(
                db,
                sql: "SELECT revision, path, kind, collection FROM change_log WHERE revision > ? AND revision <= ? "
                    + "AND path >= ? AND path < ? ORDER BY revision",
                arguments: [after, through, prefix, upper])
        }
        return rows.map { row in
            LoggedChange(
                revision: row["revision"],
                entry: ChangeEntry(
                    StoreKey.path(row["path"]), ChangeKind(rawValue: row["kind"]) ?? .changed,
                    isCollection: row["collection"]))
        }
    }

    public func wasReplaced(_ path: ResourcePath, after: Int64, through: Int64) throws -> Bool {
        var keys: [String] = []
        var current: ResourcePath? = path
        while let step = current, !step.isRoot {
            keys.append(step.description)
            current = step.parent
        }
        guard !keys.isEmpty else { return false }
        let marks = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        return try database.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS(SELECT 1 FROM change_log WHERE path IN (\(marks)) AND kind != 'changed' AND revision > ? AND revision <= ?)",
                arguments: StatementArguments(keys.map { $0 as (any DatabaseValueConvertible)? } + [after, through])) ?? false
        }
    }
}
