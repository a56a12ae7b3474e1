import DAVCore
import Logging
internal import PostgresNIO

/// The stores of one server instance in a shared PostgreSQL database, and the instance's identity there.
///
/// On opening, the schema is migrated, then the instance picks a random key and holds the advisory lock
/// ("DAVI", key) on a connection of its own for as long as it runs. Others tell it is alive by that lock:
/// PostgreSQL frees it when the connection ends, a `kill -9` included. The key tags this instance's
/// recorded moves and its upload files (`p<key>`), which start-up recovery elsewhere leaves alone while it lives.
/// When that connection is lost (PostgreSQL restarted), the same key is taken again on a new one within
/// ``registrationCheck``, so the instance is not taken for dead for longer than PostgreSQL was away.
public final class PostgresStores: @unchecked Sendable {
    public let location: PostgresLocation
    public var properties: any PropertyStore { propertyStore }
    private let propertyStore: PostgresPropertyStore
    public let locks: any LockManager
    /// The sync-collection change log, one for every instance on the database.
    public var changes: any ChangeLog { changeLog }
    let changeLog: PostgresChangeLog
    /// Serialises this instance's changes with the other instances' (``DAVServerOptions/cluster``).
    public let cluster: any ClusterGate
    /// The tag for ``FileSystemStorage/init(root:uploadTag:)``.
    public let uploadTag: String
    let pool: PostgresPool
    let instance: Int32
    private let liveness: Locked<Registration>
    private var keeper: RepeatedTask?
    /// How often the registration connection is checked (and replaced when it was lost).
    static let registrationCheck = TimeAmount.seconds(2)

    /// Connects, migrates and registers this instance; throws a one-line error when PostgreSQL cannot be used.
    /// `changeLogCapacity`: how many changes the sync log keeps at least (each instance prunes by its own).
    public init(location: PostgresLocation, changeLogCapacity: Int = 100_000) throws {
        self.location = location
        let pool = PostgresPool(location: location)
        do {
            try PostgresSchema.migrate(pool)
        } catch let error as DAVError where error.status == 503 {
            throw DAVError(503, "cannot reach the PostgreSQL store \(location)")
        } catch let error as PSQLError {
            throw DAVError(500, "the PostgreSQL store \(location) refused the schema migration: \(Self.describe(error))")
        }
        let connection = try pool.checkOut()
        var key: Int32 = 0
        do {
            for _ in 0..<16 {
                let candidate = Int32.random(in: 1...Int32.max)
                if try Self.register(candidate, PostgresSession(connection: connection, logger: pool.logger)) {
                    key = candidate
                    break
                }
            }
        } catch {
            PostgresPool.discard(connection)
            throw PostgresPool.isConnectionFailure(error) ? PostgresPool.unavailable() : error
        }
        guard key != 0 else {
            PostgresPool.discard(connection)
            throw DAVError(500, "no free instance key in the PostgreSQL store \(location)")
        }
        self.pool = pool
        self.instance = key
        self.liveness = Locked(Registration(connection: connection))
        self.uploadTag = Self.tag(key)
        let cluster = PostgresClusterGate(pool: pool)
        self.cluster = cluster
        self.propertyStore = PostgresPropertyStore(pool: pool, instance: key, gate: cluster)
        self.locks = PostgresLockManager(pool: pool)
        do {
            self.changeLog = try PostgresChangeLog(pool: pool, instance: key, capacity: changeLogCapacity)
        } catch {
            _ = try? PostgresSession(connection: connection, logger: pool.logger)
                .execute("SELECT pg_advisory_unlock(\(PostgresSchema.LockKey.instanceSpace), \(key))")
            PostgresPool.discard(connection)
            pool.close()
            throw error
        }
        // On an event loop, not on Swift's cooperative threads: those may all be busy (a test process's
        // other work, a caller blocking one), and a registration that waits for them stays lost meanwhile.
        keeper = MultiThreadedEventLoopGroup.singleton.next().scheduleRepeatedAsyncTask(
            initialDelay: Self.registrationCheck, delay: Self.registrationCheck
        ) { [pool, liveness, key] task in
            Self.registerAgainIfLost(key, pool: pool, liveness: liveness, on: task)
        }
    }

    /// Takes this instance's liveness lock on `session`'s connection; false when another holds that key.
    private static func register(_ key: Int32, _ session: PostgresSession) throws -> Bool {
        try session.query("SELECT pg_try_advisory_lock(\(PostgresSchema.LockKey.instanceSpace), \(key))").first!.decode(Bool.self)
    }

    /// The connection that holds the liveness lock; `closed` once ``close()`` ran (nothing is registered after).
    private struct Registration {
        var connection: PostgresConnection
        var closed = false
    }

    /// Replaces a lost registration connection with a new one holding the same key; done at once when the
    /// registration is alive or closed on purpose. A failure waits for the next check.
    private static func registerAgainIfLost(_ key: Int32, pool: PostgresPool, liveness: Locked<Registration>, on task: RepeatedTask)
        -> EventLoopFuture<Void>
    {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        guard liveness.withLock({ $0.connection.isClosed && !$0.closed }) else { return loop.makeSucceededVoidFuture() }
        return pool.checkOutFuture().flatMap { connection in
            // Through PostgresPool.send: an answer PostgresNIO leaves pending on a cut connection ends as 503.
            PostgresPool.send(
                "SELECT pg_try_advisory_lock(\(PostgresSchema.LockKey.instanceSpace), \(key))", on: connection, logger: pool.logger
            ).flatMapThrowing { result in
                guard try result.rows.first?.decode(Bool.self) == true else {
                    // The cut connection's backend may not have ended yet and still hold the key: try again
                    // at the next check rather than give up being registered for good.
                    PostgresPool.discard(connection)
                    pool.logger.warning("instance key \(key) is held by another connection; trying again")
                    return
                }
                let unused = liveness.withLock { registration -> PostgresConnection in
                    if registration.closed { return connection }
                    defer { registration.connection = connection }
                    return registration.connection
                }
                PostgresPool.discard(unused)
            }.flatMapErrorThrowing { error in
                PostgresPool.discard(connection)
                throw error
            }
        }.recover { _ in }
    }

    static func tag(_ key: Int32) -> String { "p\(key)" }

    /// Whether the writer of an upload tagged `tag` still runs: an untagged or foreign-format one does not
    /// (it is from a server that had the tree to itself); this instance's own does.
    public func isLive(_ tag: String?) throws -> Bool {
        guard let tag, tag.hasPrefix("p"), let key = Int32(tag.dropFirst()) else { return false }
        return try propertyStore.isLive(key)
    }

    /// Settles, every `period` until cancelled, the recorded moves no request is making: those that
    /// instances which died since did not finish (what their own start-up would do, done without waiting for
    /// them to come back), and this instance's own whose rename was done while PostgreSQL could not be
    /// reached (once it can). A path `storage` refuses to reach counts as existing, as in start-up recovery.
    /// The change log is tidied on the same beat (``PostgresChangeLog/tidy()``): the ends of changes that
    /// PostgreSQL's absence kept from being recorded, and the changes of dead instances, stop holding back
    /// the sync token.
    public func settleUnfinishedMoves(in storage: any Storage, every period: Duration = .seconds(5)) async {
        let properties = propertyStore
        let changes = changeLog
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            _ = try? await BlockingPool.run {
                try properties.finishInterruptedMoves { path in
                    do { return try storage.info(at: path) != nil } catch { return true }
                }
            }
            _ = try? await BlockingPool.run { try changes.tidy() }
        }
    }

    /// Ends this instance's registration and closes the connections.
    public func close() {
        keeper?.cancel()
        let connection = liveness.withLock { registration in
            registration.closed = true
            return registration.connection
        }
        // Closing the connection releases the liveness lock only once PostgreSQL has seen the disconnect,
        // which may be after another instance has already asked: release it first, and wait for that. A
        // connection already gone has released it by itself, so a failure here changes nothing.
        if !connection.isClosed {
            _ = try? PostgresSession(connection: connection, logger: pool.logger)
                .execute("SELECT pg_advisory_unlock(\(PostgresSchema.LockKey.instanceSpace), \(instance))")
        }
        PostgresPool.discard(connection)
        pool.close()
    }

    /// A PostgreSQL error as one line: the server's message and SQL state when it sent one.
    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        return "\(error.code)"
    }
}
