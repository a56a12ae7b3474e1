import DAVCore
import Foundation
internal import GRDB

/// Dead properties in SQLite (GRDB), in a data directory outside the served tree, so they survive a
/// restart and travel with COPY and MOVE. One row per (path, property); `apply` runs in one transaction.
///
/// An in-memory index of the paths that hold any property (and of their parents) answers the common case,
/// a resource with none, without a database read; it costs memory in proportion to those paths only. The
/// members' properties of recently listed folders are kept decoded (``MemberPropertiesCache``). Both hold
/// because one server has the data directory to itself.
public final class SQLitePropertyStore: PropertyStore, @unchecked Sendable {
    private let database: DatabaseQueue
    private let index = Locked(PathIndex())
    let memberProperties: MemberPropertiesCache

    /// Paths with properties, and how many such paths each parent has; keyed by bytes (NFC ≠ NFD).
    struct PathIndex {
        var paths: Set<[UInt8]> = []
        var parents: [[UInt8]: Int] = [:]

        mutating func insert(_ key: String) {
            guard paths.insert(Array(key.utf8)).inserted else { return }
            parents[Array(StoreKey.parent(key).utf8), default: 0] += 1
        }

        mutating func remove(_ key: [UInt8]) {
            guard paths.remove(key) != nil else { return }
            let parent = Array(StoreKey.parent(String(decoding: key, as: UTF8.self)).utf8)
            parents[parent, default: 1] -= 1
            if parents[parent] == 0 { parents[parent] = nil }
        }

        /// Forgets `key` and everything below it.
        mutating func removeSubtree(_ key: String) {
            let exact = Array(key.utf8)
            let prefix = Array((key == "/" ? "/" : key + "/").utf8)
            for path in paths where path == exact || path.starts(with: prefix) { remove(path) }
        }
    }

    init(database: DatabaseQueue, memberProperties: MemberPropertiesCache = MemberPropertiesCache()) throws {
        self.database = database
        self.memberProperties = memberProperties
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS dead_property (
                        path TEXT NOT NULL, parent TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY (path, namespace, name));
                    CREATE INDEX IF NOT EXISTS dead_property_parent ON dead_property (parent);
                    CREATE TABLE IF NOT EXISTS pending_move (source TEXT NOT NULL, destination TEXT NOT NULL);
                    """)
        }
        let paths = try database.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT path FROM dead_property") }
        index.withLock { index in for path in paths { index.insert(path) } }
    }

    /// Re-reads which paths under `key` (itself included) hold properties, inside the writing transaction.
    private func reindex(_ key: String, _ db: Database) throws {
        let (prefix, upper) = StoreKey.below(StoreKey.path(key))
        let paths = try String.fetchAll(
            db, sql: "SELECT DISTINCT path FROM dead_property WHERE path = ? OR (path >= ? AND path < ?)", arguments: [key, prefix, upper])
        index.withLock { index in
            index.removeSubtree(key)
            for path in paths { index.insert(path) }
        }
    }

    public func properties(at path: ResourcePath) throws -> [XMLElement] {
        let key = path.description
        guard index.withLock({ $0.paths.contains(Array(key.utf8)) }) else { return [] }
        let rows = try database.read { db in
            try Self.rows(db, sql: "SELECT path, namespace, name, value FROM dead_property WHERE path = ? ORDER BY namespace, name", key)
        }
        return try rows.map(Self.element)
    }

    /// A dead property as a row holds it.
    private typealias StoredRow = (path: String, namespace: String, name: String, value: String)

    /// The rows of a query for the four columns above, read by position (a column looked up by its name
    /// costs a comparison per column, for each of a listing's thousands of rows).
    private static func rows(_ db: Database, sql: String, _ argument: String) throws -> [StoredRow] {
        var rows: [StoredRow] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: [argument])
        while let row = try cursor.next() { rows.append((row[0], row[1], row[2], row[3])) }
        return rows
    }

    /// The value a row holds. One that no longer decodes (edited by hand, a damaged disk) is an error that
    /// names the resource and the property: the answer is a 500 and the server's log says which, where
    /// leaving the property out would have made it vanish from PROPFIND without a word.
    private static func element(of row: StoredRow) throws -> XMLElement {
        do {
            return try StoredElementReader.element(row.value)
        } catch {
            let name = QualifiedName(row.namespace, row.name)
            throw DAVError(500, "the stored value of dead property \(name) of \(row.path) cannot be read: \(error)")
        }
    }

    public func propertiesOfMembers(of path: ResourcePath) throws -> [ResourcePath: [XMLElement]] {
        let key = path.description
        guard index.withLock({ $0.parents[Array(key.utf8)] != nil }) else { return [:] }
        let (kept, generation) = memberProperties.lookup(path)
        if let kept { return kept }
        let rows = try database.read { db in
            try Self.rows(
                db, sql: "SELECT path, namespace, name, value FROM dead_property WHERE parent = ? ORDER BY path, namespace, name", key)
        }
        let found = try StoreKey.grouped(rows, path: \.path, element: Self.element)
        // What a decoded row costs, roughly: its texts and the element, strings and arrays around them.
        let bytes = rows.reduce(0) { $0 + $1.path.utf8.count + $1.value.utf8.count + 128 }
        memberProperties.store(found, bytes: bytes, of: path, readAt: generation)
        return found
    }

    public func apply(_ changes: [PropertyChange], at path: ResourcePath) throws {
        defer { memberProperties.forget(members: [path]) }
        let key = path.description
        try database.writeInPreparedTransaction { db in
            for change in changes {
                switch change {
                case .set(let element):
                    try db.cachedStatement(sql: Self.insertRow).execute(arguments: [
                        key, StoreKey.parent(key), element.name.namespace, element.name.name, StoredElementWriter.json(element),
                    ])
                case .remove(let name):
                    try db.cachedStatement(sql: "DELETE FROM dead_property WHERE path = ? AND namespace = ? AND name = ?")
                        .execute(arguments: [key, name.namespace, name.name])
                }
            }
            let exists = try db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM dead_property WHERE path = ?)")
            let has = try Bool.fetchOne(exists, arguments: [key]) ?? false
            index.withLock { has ? $0.insert(key) : $0.remove(Array(key.utf8)) }
        }
    }

    private static let insertRow = "INSERT OR REPLACE INTO dead_property (path, parent, namespace, name, value) VALUES (?, ?, ?, ?, ?)"

    /// SQL that selects `path` and, when recursive, everything below it (byte order: '/' + 1 is '0').
    private func scope(_ path: ResourcePath, recursive: Bool) -> (String, StatementArguments) {
        let key = path.description
        guard recursive else { return ("path = ?", [key]) }
        let (prefix, upper) = StoreKey.below(path)
        return ("(path = ? OR (path >= ? AND path < ?))", [key, prefix, upper])
    }

    public func remove(at path: ResourcePath, recursive: Bool) throws {
        defer { memberProperties.forget(members: [path], subtrees: recursive ? [path] : []) }
        let (condition, arguments) = scope(path, recursive: recursive)
        try database.writeInPreparedTransaction { db in
            try db.execute(sql: "DELETE FROM dead_property WHERE " + condition, arguments: arguments)
            try reindex(path.description, db)
        }
    }

    public func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
        defer { memberProperties.forget(members: [destination], subtrees: recursive ? [destination] : []) }
        try database.writeInPreparedTransaction { db in
            try carryRows(from: source, to: destination, recursive: recursive, removingSource: false, db)
        }
    }

    public func move(from source: ResourcePath, to destination: ResourcePath) throws {
        defer { memberProperties.forget(members: [], subtrees: [source, destination]) }
        try database.writeInPreparedTransaction { db in try moveRows(from: source, to: destination, db) }
    }

    /// Writes the intent, renames, then moves the rows and clears the intent in one transaction: a crash
    /// leaves either no intent (nothing or everything done) or an intent that start-up resolves.
    public func move(from source: ResourcePath, to destination: ResourcePath, renaming rename: () throws -> Void) throws {
        defer { memberProperties.forget(members: [], subtrees: [source, destination]) }
        let intent = try database.writeInPreparedTransaction { db in
            try db.execute(
                sql: "INSERT INTO pending_move (source, destination) VALUES (?, ?)", arguments: [source.description, destination.description])
            return db.lastInsertedRowID
        }
        do {
            try rename()
        } catch {
            // Should this fail too, the intent stays, and start-up drops it: the source is still there.
            try? database.writeInPreparedTransaction { db in try db.execute(sql: "DELETE FROM pending_move WHERE rowid = ?", arguments: [intent]) }
            throw error
        }
        try database.writeInPreparedTransaction { db in
            try moveRows(from: source, to: destination, db)
            try db.execute(sql: "DELETE FROM pending_move WHERE rowid = ?", arguments: [intent])
        }
    }

    public func paths() throws -> [ResourcePath] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT path FROM dead_property") }.map { StoreKey.path($0) }
    }

    /// A recorded move whose source is gone and whose destination exists was renamed before the crash: its
    /// rows follow. Any other recorded move did not happen: the intent is dropped and the rows stay.
    /// One server has the data directory to itself: no move is left in progress by another.
    @discardableResult
    public func finishInterruptedMoves(exists: (ResourcePath) throws -> Bool) throws -> [ResourcePath] {
        defer { memberProperties.forgetAll() }
        let pending = try database.read { db in try Row.fetchAll(db, sql: "SELECT rowid, source, destination FROM pending_move ORDER BY rowid") }
        for row in pending {
            let source = StoreKey.path(row["source"])
            let destination = StoreKey.path(row["destination"])
            let renamed = try !exists(source) && exists(destination)
            let intent: Int64 = row["rowid"]
            try database.writeInPreparedTransaction { db in
                if renamed { try moveRows(from: source, to: destination, db) }
                try db.execute(sql: "DELETE FROM pending_move WHERE rowid = ?", arguments: [intent])
            }
        }
        return []
    }

    private func moveRows(from source: ResourcePath, to destination: ResourcePath, _ db: Database) throws {
        try carryRows(from: source, to: destination, recursive: true, removingSource: true, db)
    }

    /// Writes the properties of `source` (and below, if `recursive`) at `destination`'s paths; a move also
    /// deletes them at the source. The indexes of the changed subtrees are rebuilt.
    private func carryRows(from source: ResourcePath, to destination: ResourcePath, recursive: Bool, removingSource: Bool, _ db: Database) throws {
        let (condition, arguments) = scope(source, recursive: recursive)
        let sourceKey = source.description
        let destinationKey = destination.description
        let rows = try Row.fetchAll(db, sql: "SELECT path, namespace, name, value FROM dead_property WHERE " + condition, arguments: arguments)
        if removingSource { try db.execute(sql: "DELETE FROM dead_property WHERE " + condition, arguments: arguments) }
        for row in rows {
            let path: String = row["path"]
            let target = destinationKey + String(path.utf8.dropFirst(sourceKey.utf8.count))!
            try db.cachedStatement(sql: Self.insertRow).execute(
                arguments: [target, StoreKey.parent(target), row["namespace"] as String, row["name"] as String, row["value"] as String])
        }
        if removingSource { try reindex(sourceKey, db) }
        try reindex(destinationKey, db)
    }
}
