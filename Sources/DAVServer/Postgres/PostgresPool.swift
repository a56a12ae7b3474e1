import DAVCore
import Logging
import NIOCore
import NIOPosix
internal import PostgresNIO

/// Connections to one PostgreSQL database, opened when needed and reused.
///
/// The stores call it synchronously, as they call SQLite: the handlers make every store call on the
/// ``BlockingPool``, where waiting is allowed, and the wait here is on an `EventLoopFuture` that NIO's
/// event loops complete (never on the blocking pool or Swift's cooperative threads, so it cannot wait on
/// itself). Only the cluster gate, whose wait for an advisory lock has no bound, uses the async side.
///
/// A connection that fails (PostgreSQL stopped, restarted, unreachable) is dropped, and the call throws
/// 503 with `Retry-After`: the next call opens a new one, so the server reconnects by itself.
final class PostgresPool: @unchecked Sendable {
    let location: PostgresLocation
    private let idle = Locked<[PostgresConnection]>([])
    private let counter = Locked(0)
    let logger: Logger
    /// Whether the last attempt reached PostgreSQL: an outage is logged when it starts, not on every request.
    private let reachable = Locked(true)
    /// Idle connections kept at most; more are opened under load and closed when returned.
    static let maxIdle = 8

    init(location: PostgresLocation, logger: Logger = Logger(label: "davdoctor.postgres")) {
        self.location = location
        self.logger = logger
    }

    private var configuration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// The answer a request gets while PostgreSQL cannot be used: the client may retry; the cause is logged.
    static func unavailable() -> DAVError {
        DAVError(503, "the server's property and lock store is unavailable; try again shortly", headers: [("Retry-After", "5")])
    }

    /// Whether `error` means the connection is gone (rather than a statement that failed on a live one).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .server:
            // Class 08 (connection exception) and 57P0x (shutting down, cannot connect now).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        case .clientClosedConnection, .serverClosedConnection, .connectionError, .uncleanShutdown, .messageDecodingFailure,
            .unexpectedBackendMessage:
            return true
        default:
            return false
        }
    }

    private func noteFailure(_ error: any Error) {
        let wasReachable = reachable.withLock { state in
            defer { state = false }
            return state
        }
        if wasReachable { logger.error("PostgreSQL store \(location) unavailable: \(String(reflecting: error))") }
    }

    private func noteSuccess() {
        let wasReachable = reachable.withLock { state in
            defer { state = true }
            return state
        }
        if !wasReachable { logger.notice("PostgreSQL store \(location) reachable again") }
    }

    /// The future form of ``checkOut()``, for callers on an event loop.
    func checkOutFuture() -> EventLoopFuture<PostgresConnection> {
        if let connection = openIdleConnection() { return connection.eventLoop.makeSucceededFuture(connection) }
        return connecting().flatMapThrowing { try self.connected(.success($0)) }.flatMapErrorThrowing { error in
            _ = try self.connected(.failure(error))
            throw error
        }
    }

    /// A connection from the idle ones, or a new one.
    func checkOut() throws -> PostgresConnection {
        if let connection = openIdleConnection() { return connection }
        return try connected(Result { try connecting().wait() })
    }

    /// The async form of ``checkOut()``, for callers on the cooperative pool.
    func checkOutAsync() async throws -> PostgresConnection {
        if let connection = openIdleConnection() { return connection }
        let result: Result<PostgresConnection, any Error>
        do { result = .success(try await connecting().get()) } catch { result = .failure(error) }
        return try connected(result)
    }

    /// The most recently returned idle connection still open; closed ones met on the way are dropped.
    private func openIdleConnection() -> PostgresConnection? {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        return nil
    }

    private func connecting() -> EventLoopFuture<PostgresConnection> {
        let id = counter.withLock { value in
            value += 1
            return value
        }
        return PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger)
    }

    /// A new connection, or 503 when none could be opened (the cause logged once per outage).
    private func connected(_ result: Result<PostgresConnection, any Error>) throws -> PostgresConnection {
        switch result {
        case .success(let connection):
            noteSuccess()
            return connection
        case .failure(let error):
            noteFailure(error)
            throw Self.unavailable()
        }
    }

    /// Returns a healthy connection for reuse; closes a broken one or one beyond ``maxIdle``.
    func checkIn(_ connection: PostgresConnection, broken: Bool) {
        if broken || connection.isClosed {
            Self.discard(connection)
            return
        }
        let kept = idle.withLock { idle -> Bool in
            guard idle.count < Self.maxIdle else { return false }
            idle.append(connection)
            return true
        }
        if !kept { Self.discard(connection) }
    }

    /// Runs `body` with one connection. A connection failure drops the connection and becomes 503.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let result = try body(PostgresSession(connection: connection, logger: logger))
            checkIn(connection, broken: false)
            return result
        } catch {
            let broken = Self.isConnectionFailure(error)
            // PostgresNIO keeps a statement whose preparation failed failing for the connection's lifetime
            // (one first prepared in a transaction already aborted, say): a connection a statement failed on
            // is not reused. A refusal of the store's own (a lock conflict) leaves it in use.
            checkIn(connection, broken: broken || error is PSQLError)
            if broken {
                noteFailure(error)
                throw Self.unavailable()
            }
            throw error
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withSession { session in
            try session.execute(Begin())
            do {
                let result = try body(session)
                try session.execute(Commit())
                return result
            } catch {
                if !session.connection.isClosed { _ = try? session.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Sends `query` on `connection`; the answer, or 503 once the connection has closed without one
    /// (``watched(_:on:)``). For a statement sent once in a while: PostgreSQL parses and plans it each time.
    static func send(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) -> EventLoopFuture<PostgresQueryResult> {
        watched(connection.query(query, logger: logger), on: connection)
    }

    /// Runs `statement` on `connection`, prepared there the first time (PostgresNIO keeps the connection's
    /// prepared statements): its rows, or 503 once the connection has closed without an answer.
    ///
    /// PostgresNIO runs prepared statements only from `async` code. The task runs on the connection's own
    /// event loop (``EventLoopTaskExecutor``), as a `query` would: no hop through Swift's cooperative threads,
    /// and the caller's wait is still on an `EventLoopFuture` that the event loop completes.
    static func send<Statement: PostgresStoreStatement>(_ statement: Statement, on connection: PostgresConnection, logger: Logger)
        -> EventLoopFuture<[PostgresRow]>
    {
        let promise = connection.eventLoop.makePromise(of: [PostgresRow].self)
        let watch = ClosingWatch.of(connection)
        let waiting = watch.add { promise.fail(unavailable()) }
        let executor = EventLoopTaskExecutor(connection.eventLoop)
        Task(executorPreference: executor) {
            do {
                var rows: [PostgresRow] = []
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                promise.succeed(rows)
            } catch {
                promise.fail(error)
            }
            watch.remove(waiting)
            // The task only prefers the executor: it is kept alive here until the task ends.
            withExtendedLifetime(executor) {}
        }
        return promise.futureResult
    }

    /// `answer`, or 503 once `connection` has closed without it.
    ///
    /// PostgresNIO can leave a statement's answer pending for good when PostgreSQL cuts the connection under
    /// it (seen at a fast shutdown, on a COMMIT and on an advisory lock): the request, and every change
    /// queued behind it on the gate, would wait with it. The connection's close settles it instead
    /// (``ClosingWatch``); a long statement on a live connection (one waiting for a lock) is waited for as
    /// long as it takes. Whichever comes second, the answer or the close, is ignored (NIO completes a promise
    /// once).
    static func watched<Answer: Sendable>(_ answer: EventLoopFuture<Answer>, on connection: PostgresConnection) -> EventLoopFuture<Answer> {
        let promise = answer.eventLoop.makePromise(of: Answer.self)
        let watch = ClosingWatch.of(connection)
        let waiting = watch.add { promise.fail(unavailable()) }
        answer.whenComplete { result in
            watch.remove(waiting)
            promise.completeWith(result)
        }
        return promise.futureResult
    }

    struct Begin: PostgresFixedStatement { static let sql = "BEGIN" }
    struct Commit: PostgresFixedStatement { static let sql = "COMMIT" }

    /// Closes a connection without waiting for it. The connection is kept until it has closed: PostgresNIO
    /// insists that none goes away open.
    static func discard(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit { close() }

    func close() {
        for connection in idle.withLock({ idle in
            defer { idle = [] }
            return idle
        }) {
            Self.discard(connection)
        }
    }
}

/// One connection lent to a store call: statements run and waited for in turn.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try PostgresPool.send(query, on: connection, logger: logger).wait().rows
    }

    func execute(_ query: PostgresQuery) throws {
        _ = try PostgresPool.send(query, on: connection, logger: logger).wait()
    }

    @discardableResult
    func query<Statement: PostgresStoreStatement>(_ statement: Statement) throws -> [PostgresRow] {
        try PostgresPool.send(statement, on: connection, logger: logger).wait()
    }

    func execute<Statement: PostgresStoreStatement>(_ statement: Statement) throws {
        _ = try PostgresPool.send(statement, on: connection, logger: logger).wait()
    }
}

/// A statement a store runs on most requests, prepared once per connection: PostgreSQL then only binds and
/// executes it, where a statement sent as text is parsed, analysed and planned every time. Measured with
/// pgbench on PROPFIND Depth 0's two statements: 198-207 µs of PostgreSQL CPU as text, 60-68 µs prepared.
///
/// Its SQL is fixed (``sql``); the values are bound in ``makeBindings()``, their types from the values
/// bound the first time on a connection, so a nullable value gets a cast in the SQL (`$6::text`).
protocol PostgresStoreStatement: PostgresPreparedStatement where Row == PostgresRow {}

extension PostgresStoreStatement {
    /// The name it is prepared under: from its SQL (FNV-1a), so one text is one statement. PostgresNIO's
    /// default, the type's full name, runs past PostgreSQL's 63 bytes for a private type
    /// (`DAVServer.PostgresLockManager.(unknown context at $…).Insert`), and the cut names collide.
    static var name: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return "davdoctor_" + String(hash, radix: 16)
    }

    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// A statement without values: `BEGIN`, `COMMIT`.
protocol PostgresFixedStatement: PostgresStoreStatement {}

extension PostgresFixedStatement {
    func makeBindings() -> PostgresBindings { PostgresBindings() }
}

extension PostgresBindings {
    /// Bindings of `values`, `$1` first.
    init(_ values: any PostgresDynamicTypeEncodable...) {
        self.init(capacity: values.count)
        for value in values { append(value) }
    }
}

/// Runs a task's jobs on one event loop: ``PostgresPool`` runs PostgresNIO's `async` prepared statements on
/// their connection's loop, where the answer arrives.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

/// The statements waiting on one connection, failed when it closes: one callback on the connection's
/// `closeFuture` for its whole life. It replaced a repeated 1 s timer per statement that looked whether the
/// connection had closed: a task scheduled on the event loop from the calling thread and cancelled, for
/// every statement.
final class ClosingWatch: Sendable {
    private struct State {
        var closed = false
        var last = 0
        var waiting: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Locked(State())

    /// The watch of every connection used and not closed yet. The entry holds the connection, so its
    /// identifier cannot be another connection's until the close has removed it.
    private static let watches = Locked<[ObjectIdentifier: (connection: PostgresConnection, watch: ClosingWatch)]>([:])

    /// The watch of `connection`, made and tied to its close the first time.
    static func of(_ connection: PostgresConnection) -> ClosingWatch {
        let id = ObjectIdentifier(connection)
        let (watch, isNew) = watches.withLock { watches -> (ClosingWatch, Bool) in
            if let entry = watches[id] { return (entry.watch, false) }
            let watch = ClosingWatch()
            watches[id] = (connection, watch)
            return (watch, true)
        }
        if isNew {
            // On a connection closed already, this runs at once.
            connection.closeFuture.whenComplete { _ in
                watches.withLock { _ = $0.removeValue(forKey: id) }
                watch.close()
            }
        }
        return watch
    }

    /// Keeps `fail` until ``remove(_:)``, to run if the connection closes first; runs it at once when
    /// the connection has closed already. Returns the key to remove it by.
    func add(_ fail: @escaping @Sendable () -> Void) -> Int {
        let key = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.last += 1
            state.waiting[state.last] = fail
            return state.last
        }
        guard let key else {
            fail()
            return 0
        }
        return key
    }

    func remove(_ key: Int) {
        state.withLock { _ = $0.waiting.removeValue(forKey: key) }
    }

    private func close() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.waiting = [:] }
            return state.waiting
        }
        for fail in waiting.values { fail() }
    }
}
