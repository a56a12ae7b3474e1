import DAVCore
import DAVTesting
import Foundation
import PostgresNIO
import Testing

@testable import DAVServer

/// The store URL and where its password comes from; no server needed.
struct PostgresLocationTests {
    @Test func theURLNamesHostPortUserAndDatabase() throws {
        let location = try PostgresLocation("postgres://alice:s3cret@db.example:6543/dav", environment: [:], home: "/nonexistent")
        #expect(location.host == "db.example" && location.port == 6543 && location.user == "alice" && location.database == "dav")
        #expect(location.password == "s3cret")
        #expect(location.description == "postgres://alice@db.example:6543/dav", "the description never shows the password")
        let defaults = try PostgresLocation("postgresql://bob@127.0.0.1/dav", environment: [:], home: "/nonexistent")
        #expect(defaults.port == 5432 && defaults.password == nil)
    }

    @Test func thePasswordComesFromPGPASSWORDThenPgpass() throws {
        let home = TemporaryDirectory()
        let pgpass = """
            # comment
            other:5432:*:bob:wrong
            127.0.0.1:5432:dav:bob:from\\:file
            *:*:*:*:fallback
            """
        try pgpass.write(toFile: home.path + "/.pgpass", atomically: true, encoding: .utf8)
        let url = "postgres://bob@127.0.0.1:5432/dav"
        #expect(try PostgresLocation(url, environment: ["PGPASSWORD": "env"], home: home.path).password == "env")
        #expect(try PostgresLocation(url, environment: [:], home: home.path).password == "from:file")
        #expect(try PostgresLocation("postgres://carol@h/x", environment: [:], home: home.path).password == "fallback")
        let elsewhere = home.path + "/pass"
        try "*:*:*:*:named".write(toFile: elsewhere, atomically: true, encoding: .utf8)
        #expect(try PostgresLocation(url, environment: ["PGPASSFILE": elsewhere], home: home.path).password == "named")
    }

    @Test(arguments: [
        "mysql://a@b/c", "postgres://a@b", "postgres://a@b/", "postgres://@b/c", "postgres:///c", "postgres://a@b/c?sslmode=require",
        "postgres://a:hidden@b:99999/c",
    ])
    func anUnusableURLIsOneLineThatHidesThePassword(_ url: String) throws {
        let error = #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url, environment: [:], home: "/nonexistent") }
        #expect(error?.description.contains("hidden") == false)
        #expect(error?.description.contains("\n") == false)
    }
}

/// The PostgreSQL store as several instances share it: one database, two `PostgresStores`.
@Suite(.needs(.postgres))
struct PostgresStoreTests {
    static func open(_ url: String) throws -> PostgresStores { try PostgresStores(location: try PostgresLocation(url)) }

    static func schemaVersion(_ url: String) throws -> String {
        let database = String(url.split(separator: "/").last!)
        return try PostgresPeer.psql(try PostgresPeer.shared(), "SELECT version FROM davdoctor_schema", database: database)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Two instances starting at once on a new database: one migrates, the other waits and finds it done.
    @Test func twoInstancesMigrateANewDatabaseAtOnce() async throws {
        let url = try PostgresPeer.database()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 { group.addTask { try Self.open(url).close() } }
            try await group.waitForAll()
        }
        #expect(try Self.schemaVersion(url) == String(PostgresSchema.currentVersion))
        let again = try Self.open(url)
        defer { again.close() }
        #expect(try PostgresSchema.migrate(again.pool) == PostgresSchema.currentVersion, "a migrated database is left as it is")
    }

    @Test func aDatabaseMigratedByANewerServerIsRefused() throws {
        let url = try PostgresPeer.database()
        try Self.open(url).close()
        let database = String(url.split(separator: "/").last!)
        try PostgresPeer.psql(try PostgresPeer.shared(), "UPDATE davdoctor_schema SET version = 999", database: database)
        let error = #expect(throws: DAVError.self) { try Self.open(url) }
        #expect(error?.message.contains("999") == true)
        #expect(error?.message.contains(PostgresPeer.password(try PostgresPeer.shared())) == false)
    }

    /// What one instance writes, the other reads; a lock taken through one refuses a conflicting one through the other.
    @Test func instancesShareThePropertiesAndTheLocks() throws {
        let url = try PostgresPeer.database()
        let first = try Self.open(url)
        let second = try Self.open(url)
        defer {
            first.close()
            second.close()
        }
        try first.properties.apply([.set(PropertyStoreConformanceTests.value("red"))], at: path("shared"))
        #expect(try second.properties.properties(at: path("shared")) == [PropertyStoreConformanceTests.value("red")])
        let now = Date().timeIntervalSince1970
        try first.locks.create(LockConformanceTests.lock("urn:t:one", path("dir"), now: now), now: now)
        let error = #expect(throws: DAVError.self) {
            try second.locks.create(LockConformanceTests.lock("urn:t:two", path("dir", "f"), deep: false, now: now), now: now)
        }
        #expect(error?.status == 423)
        #expect(try second.locks.locks(covering: path("dir", "f"), descendants: false, now: now).map(\.token) == ["urn:t:one"])
    }

    /// Concurrent LOCKs of one resource through two instances: exactly one is granted.
    @Test func concurrentExclusiveLocksThroughTwoInstancesGrantOne() async throws {
        let url = try PostgresPeer.database()
        let instances = [try Self.open(url), try Self.open(url)]
        defer { for instance in instances { instance.close() } }
        let now = Date().timeIntervalSince1970
        let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<8 {
                let locks = instances[attempt % 2].locks
                group.addTask {
                    try await BlockingPool.run {
                        do {
                            try locks.create(LockConformanceTests.lock("urn:t:\(attempt)", path("contested"), now: now), now: now)
                            return true
                        } catch let error as DAVError where error.status == 423 {
                            return false
                        }
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 1)
    }

    /// Start-up recovery on one instance leaves a live instance's recorded move and upload files alone, and
    /// finishes (or drops) those of an instance that is gone.
    @Test func recoveryLeavesALiveInstanceAlone() throws {
        let url = try PostgresPeer.database()
        let live = try Self.open(url)
        let gone = try Self.open(url)
        let fixture = TemporaryDirectory()
        let storage = try FileSystemStorage(root: fixture.path, uploadTag: live.uploadTag)
        try storage.makeCollection(at: path("from"))
        let value = PropertyStoreConformanceTests.value("moving")
        try live.properties.apply([.set(value)], at: path("from"))
        try gone.properties.apply([.set(value)], at: path("old"))
        for tag in [live.uploadTag, gone.uploadTag] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: fixture.path + "/" + FileSystemStorage.uploadPrefix + tag + "-x1"))
        }
        // The gone instance recorded a move of /old to /new, renamed, and died before moving the rows.
        let database = String(url.split(separator: "/").last!)
        try PostgresPeer.psql(
            try PostgresPeer.shared(),
            "INSERT INTO pending_move (source, destination, instance) VALUES ('/old', '/new', \(gone.instance))", database: database)
        try storage.makeCollection(at: path("new"))
        gone.close()

        let restarted = try Self.open(url)
        defer {
            restarted.close()
            live.close()
        }
        var options = DAVServerOptions(storage: storage, properties: restarted.properties, locks: restarted.locks)
        options.changes = MemoryChangeLog()
        // The live instance is in the middle of moving /from to /to: recovery elsewhere runs meanwhile.
        var report = RecoveryReport()
        try live.properties.move(from: path("from"), to: path("to")) {
            try storage.move(from: path("from"), to: path("to"))
            report = try DAVServer.recover(options, now: Date().timeIntervalSince1970, isLive: restarted.isLive)
            #expect(try restarted.properties.properties(at: path("from")) == [value], "a live instance's move is not finished for it")
        }
        #expect(report.staleUploads == 1, "only the gone instance's upload file")
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.path).filter { $0.hasPrefix(FileSystemStorage.uploadPrefix) }
        #expect(left == [FileSystemStorage.uploadPrefix + live.uploadTag + "-x1"])
        #expect(try restarted.properties.properties(at: path("new")) == [value], "the gone instance's move is finished")
        #expect(try restarted.properties.properties(at: path("to")) == [value])
        #expect(try Set(restarted.properties.paths()) == [path("new"), path("to")])
    }

    /// A PostgreSQL restart cuts the connection that holds an instance's liveness lock: the instance takes it
    /// again by itself, so others soon see it alive again rather than for dead until it restarts.
    @Test func anInstanceRegistersAgainAfterItsConnectionIsCut() async throws {
        let url = try PostgresPeer.database()
        let first = try Self.open(url)
        let second = try Self.open(url)
        defer {
            first.close()
            second.close()
        }
        #expect(try second.isLive(first.uploadTag))
        let database = String(url.split(separator: "/").last!)
        let key = try #require(Int32(first.uploadTag.dropFirst()))
        // The backend holding the registration: after the cut, a live registration must be another one's.
        let holderQuery =
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = \(Int64(PostgresSchema.LockKey.instanceSpace))::oid AND objid = \(key)::bigint::oid"
        let holderBefore = try PostgresPeer.psql(try PostgresPeer.shared(), holderQuery, database: database)
        #expect(!holderBefore.isEmpty)
        try PostgresPeer.psql(
            try PostgresPeer.shared(),
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
        var seenDead = false
        var seenAlive = false
        // Generous: the whole suite on two cores keeps the cooperative threads the keeper runs on busy. The
        // check itself waits on the blocking pool, as the server's own store calls do, not on those threads.
        let deadline = ContinuousClock.now + .seconds(60)
        let tag = first.uploadTag
        while ContinuousClock.now < deadline && !seenAlive {
            if let live = try? await BlockingPool.run({ try second.isLive(tag) }) {
                if live { seenAlive = true } else { seenDead = true }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seenAlive, "registered again within 60 s")
        // The cut released the lock (else this test proves nothing): seen dead for a moment, or, when the
        // keeper took it again before a check came, held now by another backend than before.
        let holderAfter = try PostgresPeer.psql(try PostgresPeer.shared(), holderQuery, database: database)
        #expect(seenDead || (!holderAfter.isEmpty && holderAfter != holderBefore), "before \(holderBefore), after \(holderAfter)")
    }

    static func created(_ name: String) -> ChangeEntry { ChangeEntry(path(name), .created, isCollection: false) }

    /// A database at schema version 1 (properties and locks, no change log) gains the change log when a
    /// newer server opens it; the log keeps its ID and goes on numbering across restarts of every instance.
    @Test func theChangeLogIsMigratedInAndOutlivesItsInstances() throws {
        let url = try PostgresPeer.database()
        let database = String(url.split(separator: "/").last!)
        let peer = try PostgresPeer.shared()
        for statement in PostgresSchema.steps[0] { try PostgresPeer.psql(peer, statement, database: database) }
        try PostgresPeer.psql(
            peer, "CREATE TABLE davdoctor_schema (version integer NOT NULL); INSERT INTO davdoctor_schema VALUES (1)", database: database)
        try PostgresPeer.psql(peer, "INSERT INTO dead_property VALUES ('/kept', '/', 'urn:x', 'n', '{}')", database: database)

        let id: String
        do {
            let first = try Self.open(url)
            defer { first.close() }
            #expect(try Self.schemaVersion(url) == String(PostgresSchema.currentVersion))
            #expect(try first.properties.paths() == [path("kept")], "the migration leaves the properties alone")
            id = first.changes.logID
            #expect(SyncToken.isLogID(id))
            for name in ["a", "b", "c"] { first.changes.end(try first.changes.begin([Self.created(name)])) }
            #expect(try first.changes.window() == ChangeWindow(oldest: 0, newest: 3))
        }
        let second = try Self.open(url)
        defer { second.close() }
        #expect(second.changes.logID == id, "the log is the database's, not the instance's")
        let next = try second.changes.begin([Self.created("d"), Self.created("e")])
        #expect(next.revisions == 4...5, "revisions go on from where the closed instance left them")
        second.changes.end(next)
        #expect(try second.changes.changes(in: .root, infinite: false, after: 2, through: 5).map(\.entry.path) == [path("c"), path("d"), path("e")])
        let other = try Self.open(try PostgresPeer.database())
        defer { other.close() }
        #expect(other.changes.logID != id, "each database has its own log")
    }

    /// Revisions begun at once on two instances are handed out once each, one per entry, without gaps.
    @Test func concurrentBeginsOnTwoInstancesShareOneSequenceOfRevisions() async throws {
        let url = try PostgresPeer.database()
        let instances = [try Self.open(url), try Self.open(url)]
        defer { for instance in instances { instance.close() } }
        let tickets = try await withThrowingTaskGroup(of: ChangeTicket.self) { group in
            for attempt in 0..<16 {
                let log = instances[attempt % 2].changes
                group.addTask {
                    try await BlockingPool.run {
                        let ticket = try log.begin((0...(attempt % 3)).map { Self.created("f\(attempt)-\($0)") })
                        log.end(ticket)
                        return ticket
                    }
                }
            }
            return try await group.reduce(into: [ChangeTicket]()) { $0.append($1) }
        }
        let revisions = tickets.flatMap { Array($0.revisions) }.sorted()
        #expect(revisions == Array(1...Int64(revisions.count)), "every revision once, no gap")
        #expect(try instances[1].changes.window().newest == Int64(revisions.count))
        let logged = try instances[0].changes.changes(in: .root, infinite: false, after: 0, through: Int64(revisions.count))
        #expect(logged.map(\.revision) == revisions)
    }

    /// A change begun by an instance that then died (its registration gone) holds back the window until
    /// another instance's tidy has seen it dead twice in a row; one that is alive is never cleared.
    @Test func aDeadInstancesUnfinishedChangeIsClearedByTheOthers() throws {
        let url = try PostgresPeer.database()
        let survivor = try Self.open(url)
        let victim = try Self.open(url)
        defer { survivor.close() }
        let ticket = try victim.changes.begin([Self.created("cut")])
        #expect(ticket.revisions == 1...1)
        let quick = try survivor.changes.begin([Self.created("quick")])
        survivor.changes.end(quick)
        #expect(try survivor.changes.window().newest == 0, "the victim's change under way holds the window")
        try survivor.changeLog.tidy()
        try survivor.changeLog.tidy()
        #expect(try survivor.changes.window().newest == 0, "a live instance's change is never cleared")

        victim.close()
        try survivor.changeLog.tidy()
        #expect(try survivor.changes.window().newest == 0, "seen dead once: not yet")
        try survivor.changeLog.tidy()
        #expect(try survivor.changes.window().newest == 2, "seen dead twice: cleared")
        #expect(try survivor.changes.changes(in: .root, infinite: false, after: 0, through: 2).map(\.entry.path) == [path("cut"), path("quick")])
    }

    /// The end of a change that PostgreSQL's absence kept from being recorded is recorded once it answers
    /// again (the window stays behind it meanwhile), with the next end or by the periodic tidy.
    @Test func anEndPostgreSQLMissedIsRecordedOnceItIsBack() throws {
        let url = try PostgresPeer.database()
        let stores = try Self.open(url)
        defer { stores.close() }
        let database = String(url.split(separator: "/").last!)
        let peer = try PostgresPeer.shared()
        let ticket = try stores.changes.begin([Self.created("during")])
        try PostgresPeer.psql(peer, "ALTER DATABASE \(database) ALLOW_CONNECTIONS false")
        defer { _ = try? PostgresPeer.psql(peer, "ALTER DATABASE \(database) ALLOW_CONNECTIONS true") }
        try PostgresPeer.psql(peer, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'")
        stores.changes.end(ticket)
        let refused = #expect(throws: DAVError.self) { try stores.changes.begin([Self.created("refused")]) }
        #expect(refused?.status == 503)
        #expect(refused?.headers.contains { $0.0 == "Retry-After" } == true)
        #expect((try? stores.changes.window()) == nil, "no window while PostgreSQL is away")

        try PostgresPeer.psql(peer, "ALTER DATABASE \(database) ALLOW_CONNECTIONS true")
        #expect(try stores.changes.window().newest == 0, "the missed end still holds the window")
        try stores.changeLog.tidy()
        let window = try stores.changes.window()
        #expect(window.newest >= 1, "recorded by the tidy")
        // The refused begin may or may not have reached PostgreSQL; if it did, its revision is logged too
        // (an entry for a change never made, which the contract allows) and its mark was cleared with it.
        #expect(try stores.changes.changes(in: .root, infinite: false, after: 0, through: window.newest).first?.entry.path == path("during"))
    }

    /// The statements of every request are prepared once per connection, not parsed and planned each time.
    @Test func aRequestsStatementsArePreparedOncePerConnection() throws {
        let stores = try Self.open(try PostgresPeer.database())
        defer { stores.close() }
        for _ in 0..<3 {
            _ = try stores.properties.properties(at: path("r"))
            _ = try stores.locks.locks(covering: path("r"), descendants: false, now: 0)
        }
        // The pool lends the connection returned last: the one those calls used.
        let prepared = try stores.pool.withSession { session in
            try session.query("SELECT statement FROM pg_prepared_statements").map { try $0.decode(String.self) }
        }
        #expect(prepared.filter { $0.contains("FROM dead_property WHERE path = $1") }.count == 1, "\(prepared)")
        #expect(prepared.filter { $0.contains("FROM active_lock WHERE expires > $1") }.count == 1, "\(prepared)")
    }

    /// PostgresNIO fails a statement whose preparation failed for the rest of its connection's life: the
    /// connection is not reused, so the statement works once its cause is gone.
    @Test func aStatementThatFailedWorksOnceItsCauseIsGone() throws {
        let pool = PostgresPool(location: try PostgresLocation(try PostgresPeer.database()))
        defer { pool.close() }
        #expect(throws: (any Error).self) { try pool.withSession { try $0.query(FromLater()) } }
        try pool.withSession { try $0.execute("CREATE TABLE later (n integer)") }
        #expect(try pool.withSession { try $0.query(FromLater()) }.isEmpty)
    }

    struct FromLater: PostgresFixedStatement { static let sql = "SELECT n FROM later" }

    /// An answer that never comes (PostgresNIO can leave one pending when PostgreSQL cuts the connection)
    /// ends as 503 once its connection closes, and at once on a connection closed already: never a hang.
    @Test func anAnswerLeftPendingIs503WhenItsConnectionCloses() async throws {
        let pool = PostgresPool(location: try PostgresLocation(try PostgresPeer.database()))
        defer { pool.close() }
        let connection = try await pool.checkOutAsync()
        let loop = connection.eventLoop
        let never = loop.makePromise(of: Int.self)
        let pending = PostgresPool.watched(never.futureResult, on: connection)
        try await connection.close().get()
        let late = loop.makePromise(of: Int.self)
        for answer in [pending, PostgresPool.watched(late.futureResult, on: connection)] {
            let bounded = loop.makePromise(of: Int.self)
            answer.cascade(to: bounded)
            loop.scheduleTask(in: .seconds(10)) { bounded.fail(CancellationError()) }
            let error = await #expect(throws: DAVError.self) { try await bounded.futureResult.get() }
            #expect(error?.status == 503)
        }
        // Answered after all: ignored.
        never.succeed(1)
        late.succeed(2)
    }

    /// PostgreSQL out of reach: the store answers 503 with Retry-After, and once it is back, the same store
    /// carries on by itself (its broken connections are replaced).
    @Test func anUnreachableStoreIs503AndReconnects() throws {
        let nowhere = try PostgresLocation("postgres://davdoctor:x@127.0.0.1:\(Processes.freePort())/none")
        let unreachable = PostgresPropertyStore(pool: PostgresPool(location: nowhere), instance: 1)
        let error = #expect(throws: DAVError.self) { try unreachable.properties(at: path("x")) }
        #expect(error?.status == 503)
        #expect(error?.headers.contains { $0.0 == "Retry-After" } == true)

        let url = try PostgresPeer.database()
        let stores = try Self.open(url)
        defer { stores.close() }
        try stores.properties.apply([.set(PropertyStoreConformanceTests.value("kept"))], at: path("r"))
        let database = String(url.split(separator: "/").last!)
        // Every connection to the database is cut, as a PostgreSQL restart cuts them.
        try PostgresPeer.psql(
            try PostgresPeer.shared(),
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
        var answers: [Int] = []
        for _ in 0..<3 {
            do {
                #expect(try stores.properties.properties(at: path("r")) == [PropertyStoreConformanceTests.value("kept")])
                answers.append(200)
            } catch let error as DAVError {
                answers.append(error.status)
            }
        }
        #expect(answers.last == 200, "the store reconnected by itself: \(answers)")
        #expect(answers.allSatisfy { $0 == 200 || $0 == 503 }, "a broken connection is a 503, never a 500: \(answers)")
    }
}
