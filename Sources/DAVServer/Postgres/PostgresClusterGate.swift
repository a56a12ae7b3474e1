import DAVCore
internal import PostgresNIO

/// The cluster gate on PostgreSQL advisory locks (session-level, one-`int8` keys: a space apart from the
/// store's own two-`int4` keys). A holder takes a connection of its own for the change, its locks in
/// ascending key order, and releases them all when the change ends; if the connection dies meanwhile,
/// PostgreSQL releases them itself, so a killed instance never leaves a path locked.
final class PostgresClusterGate: ClusterGate, @unchecked Sendable {
    private let pool: PostgresPool

    init(pool: PostgresPool) {
        self.pool = pool
    }

    func serialize<T>(_ paths: [ResourcePath], _ body: () async throws -> T) async throws -> T {
        let connection = try await pool.checkOutAsync()
        do {
            for (key, exclusive) in Self.lockKeys(paths) {
                _ = try await (exclusive ? send(Lock(key: key), on: connection) : send(LockShared(key: key), on: connection)).get()
            }
        } catch {
            pool.checkIn(connection, broken: true)
            throw PostgresPool.isConnectionFailure(error) ? PostgresPool.unavailable() : error
        }
        let result: T
        do {
            result = try await body()
        } catch let unavailable as DAVError where unavailable.status == 503 {
            // PostgreSQL went away during the change: an unlock sent on a connection it is cutting can
            // wait for good (and every later change with it). Closing the connection gives the locks back.
            pool.checkIn(connection, broken: true)
            throw unavailable
        } catch {
            await release(connection)
            throw error
        }
        await release(connection)
        return result
    }

    /// Gives the locks back; a connection that cannot is closed, which gives them back as well.
    private func release(_ connection: PostgresConnection) async {
        do {
            _ = try await send(UnlockAll(), on: connection).get()
            pool.checkIn(connection, broken: false)
        } catch {
            pool.checkIn(connection, broken: true)
        }
    }

    private func send<Statement: PostgresStoreStatement>(_ statement: Statement, on connection: PostgresConnection)
        -> EventLoopFuture<[PostgresRow]>
    {
        PostgresPool.send(statement, on: connection, logger: pool.logger)
    }

    /// The statements of every change, prepared once per connection.
    private struct Lock: PostgresStoreStatement {
        static let sql = "SELECT pg_advisory_lock($1)"
        let key: Int64
        func makeBindings() -> PostgresBindings { PostgresBindings(key) }
    }

    private struct LockShared: PostgresStoreStatement {
        static let sql = "SELECT pg_advisory_lock_shared($1)"
        let key: Int64
        func makeBindings() -> PostgresBindings { PostgresBindings(key) }
    }

    private struct UnlockAll: PostgresFixedStatement {
        static let sql = "SELECT pg_advisory_unlock_all()"
    }

    func tryHolding<T>(_ paths: [ResourcePath], _ body: () throws -> T) throws -> T? {
        try pool.withSession { session in
            defer { _ = try? session.execute("SELECT pg_advisory_unlock_all()") }
            for (key, exclusive) in Self.lockKeys(paths) {
                let query: PostgresQuery =
                    exclusive ? "SELECT pg_try_advisory_lock(\(key))" : "SELECT pg_try_advisory_lock_shared(\(key))"
                guard try session.query(query).first!.decode(Bool.self) else { return nil }
            }
            return try body()
        }
    }
}
