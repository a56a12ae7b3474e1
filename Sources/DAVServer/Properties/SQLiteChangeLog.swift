import DAVCore
import Foundation
internal import GRDB

/// The change log in the SQLite store beside the dead properties and the locks, so that sync tokens
/// survive a restart. One row per entry; the revision is the row id (`AUTOINCREMENT`: never reused, also
/// after pruning). The log ID and the oldest revision a token may name are kept in `change_log_state`.
///
/// Only ``begin(_:)`` writes, one transaction per change (its rows and any pruning), committed before the
/// change is made. The counters ``window()`` reads are kept in memory: PROPFIND never queries the database.
public final class SQLiteChangeLog: ChangeLog, @unchecked Sendable {
    private let database: DatabaseQueue
    private let capacity: Int
    public let logID: String
    private let counters: Locked<ChangeCounters>
    /// Holds ``begin(_:)`` from its insert to its registration, so revisions join the counters in order.
    private let writer = Locked(())

    init(database: DatabaseQueue, capacity: Int) throws {
        self.database = database
        self.capacity = capacity
        let (id, oldest, latest) = try database.write { db -> (String, Int64, Int64) in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS change_log (
                        revision INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, parent TEXT NOT NULL,
                        kind TEXT NOT NULL, collection INTEGER NOT NULL);
                    CREATE INDEX IF NOT EXISTS change_log_parent ON change_log (parent, revision);
                    CREATE INDEX IF NOT EXISTS change_log_path ON change_log (path, revision);
                    CREATE TABLE IF NOT EXISTS change_log_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
            try db.execute(
                sql: "INSERT OR IGNORE INTO change_log_state (key, value) VALUES ('log_id', ?), ('oldest', '0')",
                arguments: [SyncToken.newLogID()])
            let id = try String.fetchOne(db, sql: "SELECT value FROM change_log_state WHERE key = 'log_id'") ?? ""
            let oldest = Int64(try String.fetchOne(db, sql: "SELECT value FROM change_log_state WHERE key = 'oldest'") ?? "") ?? 0
            let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'") ?? 0
            return (id, oldest, max(sequence, oldest))
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
            let (revisions, pruned) = try database.write { db -> (ClosedRange<Int64>, Int64?) in
                var first: Int64 = 0
                for entry in kept {
                    let key = entry.path.description
                    try db.execute(
                        sql: "INSERT INTO change_log (path, parent, kind, collection) VALUES (?, ?, ?, ?)",
                        arguments: [key, SQLitePropertyStore.parentKey(key), entry.kind.rawValue, entry.isCollection])
                    if first == 0 { first = db.lastInsertedRowID }
                }
                let revisions = first...db.lastInsertedRowID
                var next = counters.withLock { $0 }
                next.start(revisions)
                guard let target = next.pruneTarget(capacity: capacity, startingAt: first) else { return (revisions, nil) }
                try db.execute(sql: "DELETE FROM change_log WHERE revision <= ?", arguments: [target])
                try db.execute(sql: "UPDATE change_log_state SET value = ? WHERE key = 'oldest'", arguments: [String(target)])
                return (revisions, target)
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
            let prefix = collection.isRoot ? "/" : key + "/"
            let upper = String(prefix.dropLast()) + "0"
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
                    SQLitePropertyStore.path(key: row["path"]), ChangeKind(rawValue: row["kind"]) ?? .changed,
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
