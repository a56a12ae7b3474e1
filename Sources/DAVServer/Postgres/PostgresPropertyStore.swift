import DAVCore
import Foundation
internal import PostgresNIO

/// Dead properties in PostgreSQL, shared by every server instance on one tree. One row per (path,
/// property), as in ``SQLitePropertyStore``, and the same contracts: `apply` in one transaction, a move's
/// rows carried (and the source's locks dropped) in the transaction that clears its recorded intent.
///
/// No in-memory index of which paths hold properties: another instance may write any of them, so every
/// read asks the database (a PROPFIND Depth 1 asks once per collection, for all its members).
final class PostgresPropertyStore: PropertyStore, @unchecked Sendable {
    private let pool: PostgresPool
    /// This server's key in ``PostgresSchema/LockKey/instanceSpace``, written with each recorded move.
    private let instance: Int32

    /// Held while a recorded move is settled, so that no live instance's change of those paths interleaves.
    private let gate: (any ClusterGate)?
    /// This instance's recorded moves whose store step could not be finished when they were made (PostgreSQL
    /// became unreachable), by intent id: whether the rename was done. The periodic settle finishes them.
    private let unsettled = Locked<[Int64: Bool]>([:])

    init(pool: PostgresPool, instance: Int32, gate: (any ClusterGate)? = nil) {
        self.pool = pool
        self.instance = instance
        self.gate = gate
    }

    private typealias Columns = (String, String, String, String)

    /// The element a row holds; one that does not decode is a 500 naming the resource and the property.
    private static func element(_ row: Columns) throws -> XMLElement {
        do {
            return try StoredElementReader.element(row.3)
        } catch {
            throw DAVError(500, "the stored value of dead property \(QualifiedName(row.1, row.2)) of \(row.0) cannot be read: \(error)")
        }
    }

    func properties(at path: ResourcePath) throws -> [XMLElement] {
        let key = path.description
        let rows = try pool.withSession { session in
            try session.query(At(path: key)).map { try $0.decode(Columns.self) }
        }
        return try rows.map { try Self.element($0) }
    }

    func propertiesOfMembers(of path: ResourcePath) throws -> [ResourcePath: [XMLElement]] {
        let key = path.description
        let rows = try pool.withSession { session in
            try session.query(Members(parent: key)).map { try $0.decode(Columns.self) }
        }
        return try StoreKey.grouped(rows, path: \.0, element: Self.element)
    }

    func apply(_ changes: [PropertyChange], at path: ResourcePath) throws {
        let key = path.description
        let parent = StoreKey.parent(key)
        let rows = changes.map { change -> (PropertyChange, String?) in
            guard case .set(let element) = change else { return (change, nil) }
            return (change, StoredElementWriter.json(element))
        }
        try pool.transaction { session in
            for (change, json) in rows {
                switch change {
                case .set(let element):
                    try session.execute(
                        Write(path: key, parent: parent, namespace: element.name.namespace, name: element.name.name, value: json ?? ""))
                case .remove(let name):
                    try session.execute(Erase(path: key, namespace: name.namespace, name: name.name))
                }
            }
        }
    }

    /// The statements PROPFIND and PROPPATCH send, prepared once per connection.
    private struct At: PostgresStoreStatement {
        static let sql = "SELECT path, namespace, name, value FROM dead_property WHERE path = $1 ORDER BY namespace, name"
        let path: String
        func makeBindings() -> PostgresBindings { PostgresBindings(path) }
    }

    private struct Members: PostgresStoreStatement {
        static let sql = "SELECT path, namespace, name, value FROM dead_property WHERE parent = $1 AND path <> $1 ORDER BY path, namespace, name"
        let parent: String
        func makeBindings() -> PostgresBindings { PostgresBindings(parent) }
    }

    private struct Write: PostgresStoreStatement {
        static let sql = """
            INSERT INTO dead_property (path, parent, namespace, name, value) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (path, namespace, name) DO UPDATE SET value = EXCLUDED.value
            """
        let path: String, parent: String, namespace: String, name: String, value: String
        func makeBindings() -> PostgresBindings { PostgresBindings(path, parent, namespace, name, value) }
    }

    private struct Erase: PostgresStoreStatement {
        static let sql = "DELETE FROM dead_property WHERE path = $1 AND namespace = $2 AND name = $3"
        let path: String, namespace: String, name: String
        func makeBindings() -> PostgresBindings { PostgresBindings(path, namespace, name) }
    }

    /// The condition that selects `path` and, when `recursive`, everything below it (byte order: '/' + 1 is '0').
    private static func scope(_ path: ResourcePath, recursive: Bool, column: String = "path") -> PostgresQuery {
        let key = path.description
        guard recursive else {
            var bindings = PostgresBindings()
            bindings.append(key)
            return PostgresQuery(unsafeSQL: "\(column) = $1", binds: bindings)
        }
        let (prefix, upper) = StoreKey.below(path)
        var bindings = PostgresBindings()
        bindings.append(key)
        bindings.append(prefix)
        bindings.append(upper)
        return PostgresQuery(unsafeSQL: "(\(column) = $1 OR (\(column) >= $2 AND \(column) < $3))", binds: bindings)
    }

    private static func statement(_ prefix: String, _ scope: PostgresQuery) -> PostgresQuery {
        PostgresQuery(unsafeSQL: prefix + scope.sql, binds: scope.binds)
    }

    func remove(at path: ResourcePath, recursive: Bool) throws {
        try pool.withSession { session in
            try session.execute(Self.statement("DELETE FROM dead_property WHERE ", Self.scope(path, recursive: recursive)))
        }
    }

    func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
        try pool.transaction { session in
            try Self.carryRows(from: source, to: destination, recursive: recursive, removingSource: false, session)
        }
    }

    func move(from source: ResourcePath, to destination: ResourcePath) throws {
        try pool.transaction { session in
            try Self.carryRows(from: source, to: destination, recursive: true, removingSource: true, session)
        }
    }

    /// Records the intent, renames, then carries the rows, drops the source's locks and clears the intent in
    /// one transaction: a crash leaves no intent (nothing or everything done) or one that recovery resolves.
    ///
    /// Once `rename` has returned, the resource has moved, and the call returns normally even when PostgreSQL
    /// cannot be reached for the rest (a 503 here would tell the client the MOVE was not made: RFC 9110
    /// §15.6.4; its retry would then meet a source that is gone). The intent stays recorded, this instance
    /// remembers it in ``unsettled``, and ``finishInterruptedMoves(exists:)`` (the periodic settle) carries
    /// the rows and drops the locks once PostgreSQL answers again. Until then the moved resource shows no dead
    /// properties, and a resource made anew at the source meanwhile would be given the old ones by the settle.
    func move(from source: ResourcePath, to destination: ResourcePath, renaming rename: () throws -> Void) throws {
        let sourceKey = source.description
        let destinationKey = destination.description
        let instance = self.instance
        let intent = try pool.withSession { session in
            try session.query(
                "INSERT INTO pending_move (source, destination, instance) VALUES (\(sourceKey), \(destinationKey), \(instance)) RETURNING id"
            ).first!.decode(Int64.self)
        }
        do {
            try rename()
        } catch {
            do {
                try pool.withSession { session in try session.execute("DELETE FROM pending_move WHERE id = \(intent)") }
            } catch {
                unsettled.withLock { $0[intent] = false }
            }
            throw error
        }
        do {
            try pool.transaction { session in try Self.finishMove(intent, from: source, to: destination, session) }
        } catch {
            unsettled.withLock { $0[intent] = true }
            guard let unavailable = error as? DAVError, unavailable.status == 503 else { throw error }
            pool.logger.warning("moved \(source) to \(destination); its dead properties and locks follow once PostgreSQL answers again")
        }
    }

    /// What a renamed move does in the store, in the caller's transaction: the rows follow the tree, the
    /// source's locks go (RFC 4918 §7.7: locks do not move), the intent is cleared.
    private static func finishMove(_ intent: Int64, from source: ResourcePath, to destination: ResourcePath, _ session: PostgresSession) throws {
        try carryRows(from: source, to: destination, recursive: true, removingSource: true, session)
        try session.execute(statement("DELETE FROM active_lock WHERE ", scope(source, recursive: true, column: "root")))
        try session.execute("DELETE FROM pending_move WHERE id = \(intent)")
    }

    func paths() throws -> [ResourcePath] {
        try pool.withSession { session in
            try session.query("SELECT DISTINCT path FROM dead_property").map { StoreKey.path(try $0.decode(String.self)) }
        }
    }

    /// Resolves the recorded moves that no running request is making: those of instances no longer running
    /// (their liveness lock is free), where a move whose source is gone and whose destination exists was
    /// renamed, and its rows follow and its locks go, as the move would have done, and any other did not
    /// happen and is forgotten; and this instance's own ``unsettled`` ones, whose outcome it knows. Another
    /// live instance's moves are in progress and left alone, and so is any move while a live instance
    /// holds its paths.
    @discardableResult
    func finishInterruptedMoves(exists: (ResourcePath) throws -> Bool) throws -> [ResourcePath] {
        var inProgress: [ResourcePath] = []
        let pending = try pool.withSession { session in
            try session.query("SELECT id, source, destination, instance FROM pending_move ORDER BY id").map {
                try $0.decode((Int64, String, String, Int32).self)
            }
        }
        for (id, sourceKey, destinationKey, owner) in pending {
            let source = StoreKey.path(sourceKey)
            let destination = StoreKey.path(destinationKey)
            let known: Bool?
            if owner == instance {
                known = unsettled.withLock { $0[id] }
                // Still in its request's hands.
                if known == nil {
                    inProgress += [source, destination]
                    continue
                }
            } else {
                known = nil
                if try isLive(owner) {
                    inProgress += [source, destination]
                    continue
                }
            }
            func settle() throws {
                let renamed = try known ?? (!exists(source) && exists(destination))
                try pool.transaction { session in
                    // Another instance may have settled it first, or the commit went through unseen.
                    guard try !session.query("SELECT id FROM pending_move WHERE id = \(id) FOR UPDATE").isEmpty else { return }
                    if renamed {
                        try Self.finishMove(id, from: source, to: destination, session)
                    } else {
                        try session.execute("DELETE FROM pending_move WHERE id = \(id)")
                    }
                }
                unsettled.withLock { _ = $0.removeValue(forKey: id) }
            }
            guard let gate else {
                try settle()
                continue
            }
            if try gate.tryHolding([source, destination], settle) == nil { inProgress += [source, destination] }
        }
        return inProgress
    }

    /// Whether the instance with key `owner` still holds its liveness lock (``PostgresSchema/instanceIsLive(_:)``).
    /// Keys are positive.
    func isLive(_ owner: Int32) throws -> Bool {
        guard owner > 0 else { return false }
        return try pool.withSession { session in
            try session.query("SELECT \(unescaped: PostgresSchema.instanceIsLive(String(owner)))").first!.decode(Bool.self)
        }
    }

    /// Writes the rows of `source` (and below, if `recursive`) at `destination`'s paths; a move deletes them
    /// at the source. One statement each way, the new rows as arrays.
    private static func carryRows(
        from source: ResourcePath, to destination: ResourcePath, recursive: Bool, removingSource: Bool, _ session: PostgresSession
    ) throws {
        let scope = Self.scope(source, recursive: recursive)
        let rows = try session.query(Self.statement("SELECT path, namespace, name, value FROM dead_property WHERE ", scope))
            .map { try $0.decode(Columns.self) }
        if removingSource { try session.execute(Self.statement("DELETE FROM dead_property WHERE ", scope)) }
        guard !rows.isEmpty else { return }
        let sourceKey = source.description
        let destinationKey = destination.description
        var paths: [String] = []
        var parents: [String] = []
        for row in rows {
            let target = destinationKey + String(decoding: row.0.utf8.dropFirst(sourceKey.utf8.count), as: UTF8.self)
            paths.append(target)
            parents.append(StoreKey.parent(target))
        }
        let namespaces = rows.map(\.1)
        let names = rows.map(\.2)
        let values = rows.map(\.3)
        try session.execute(
            """
            INSERT INTO dead_property (path, parent, namespace, name, value)
            SELECT * FROM unnest(\(paths)::text[], \(parents)::text[], \(namespaces)::text[], \(names)::text[], \(values)::text[])
            ON CONFLICT (path, namespace, name) DO UPDATE SET value = EXCLUDED.value
            """)
    }
}
