import DAVCore
import DAVTesting
import Foundation
import Testing

@testable import DAVServer

/// `davdoctor serve --store` while PostgreSQL goes away under it: what a request answers, and what the
/// instance puts right by itself once PostgreSQL is back.
@Suite(.serialized, .needs(.postgres))
struct ClusterOutageTests {
    static let namespace = CrashSafetyTests.namespace

    /// The connection of a MOVE's store step is cut after the rename (another connection holds the property
    /// table, so the step waits there; then its backend is terminated, as a PostgreSQL restart would): the
    /// MOVE answers 201, since the resource did move, and the instance's periodic settle carries the dead
    /// properties to the new place and drops the source's lock, though the instance never stopped.
    @Test func aMoveCutAfterItsRenameAnswersCreatedAndItsPropertiesFollow() async throws {
        let url = try PostgresPeer.database()
        let location = try PostgresLocation(url)
        let root = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root.path + "/a", withIntermediateDirectories: false)
        try Data("doc\n".utf8).write(to: URL(fileURLWithPath: root.path + "/a/doc"))
        let serve = try ServeProcess(root: root, store: url)
        try serve.start()
        defer { serve.stop() }
        try await WireClient.with(port: serve.port) { client async throws in
            for target in ["/a", "/a/doc"] {
                let patch = try await client.send("PROPPATCH", target, text: CrashSafetyTests.propertyUpdate(count: 1, value: "kept"))
                #expect(patch.status == 207)
            }
            let lock = try await client.send("LOCK", "/a", headers: ["Timeout": "Second-3600"], text: lockBody())
            #expect(lock.status == 200)
            let token = try #require(lock.headers.first(name: "Lock-Token"))

            let hold = try await PropertyTableHold(location)
            let move = Task { try await client.send("MOVE", "/a", headers: ["Destination": client.destination("/b"), "If": "(\(token))"]) }
            try await waitForRename(root, from: "/a", to: "/b")
            #expect(try await Self.terminateBackendWaitingOnThePropertyTable(location.database) == 1)
            let answer = try await move.value
            try await hold.release()
            #expect(answer.status == 201, "the resource moved: \(answer.status) \(answer.text)")

            let deadline = ContinuousClock.now + .seconds(30)
            var settled: Set<String> = []
            while ContinuousClock.now < deadline && settled.count < 2 {
                try await Task.sleep(for: .milliseconds(250))
                settled = try await Self.hrefsWithProperty(client, "/b/")
            }
            #expect(settled == ["/b/", "/b/doc"], "the properties followed the tree without a restart")
            let unlock = try await client.send("UNLOCK", "/a", headers: ["Lock-Token": token])
            #expect(unlock.status == 409, "the lock did not travel with the resource")
        }
        let database = location.database
        let pending = try PostgresPeer.psql(try PostgresPeer.shared(), "SELECT count(*) FROM pending_move", database: database)
        #expect(pending.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no move is left recorded")
        let locks = try PostgresPeer.psql(try PostgresPeer.shared(), "SELECT count(*) FROM active_lock", database: database)
        #expect(locks.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the source's lock is gone")
        let sourceRows = try PostgresPeer.psql(
            try PostgresPeer.shared(), "SELECT count(*) FROM dead_property WHERE path LIKE '/a%'", database: database)
        #expect(sourceRows.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// PostgreSQL stopped (a fast shutdown, as a restart begins) and started again under an instance while a
    /// client keeps sending PUT, PROPPATCH, LOCK and UNLOCK through it: every answer is the method's success
    /// or 503 with Retry-After, GET still answers while PostgreSQL is away, the instance serves again by
    /// itself once it is back, and nothing is half-written: every file whole, every PROPPATCH all or
    /// nothing, no lock but those the client was given, no upload file left.
    @Test
    func aPostgreSQLRestartUnderLoadIs503ThenRecovers() async throws {
        let postgres = try PostgresPeer.own()
        defer { postgres.stop() }
        let root = TemporaryDirectory()
        for name in OutageLoop.files + OutageLoop.lockable {
            try Data(OutageLoop.content(0)).write(to: URL(fileURLWithPath: root.path + name))
        }
        let serve = try ServeProcess(root: root, store: PostgresPeer.url(postgres))
        try serve.start()
        defer { serve.stop() }
        try await WireClient.with(port: serve.port) { client async throws in
            let loop = OutageLoop(client)
            let running = Task { await loop.run() }
            try await loop.waitUntil("every method succeeds before the outage") { $0.everyMethodSucceeded(since: 0) }
            PostgresPeer.stopServer(postgres)
            let down = loop.answerCount
            try await loop.waitUntil("every method answers 503 during the outage") { $0.everyMethodUnavailable(since: down) }
            #expect(try await client.send("GET", OutageLoop.files[0]).status == 200, "content needs no state")
            try PostgresPeer.startServer(postgres)
            let back = loop.answerCount
            try await loop.waitUntil("every method succeeds again after the restart") { $0.everyMethodSucceeded(since: back) }
            loop.stop()
            await running.value

            let answers = loop.answers
            let unexpected = answers.filter { !OutageLoop.expected[$0.method, default: []].contains($0.status) }
            #expect(unexpected.isEmpty, "only success or 503: \(unexpected.prefix(5))")
            #expect(answers.allSatisfy { $0.status != 503 || $0.retryAfter }, "every 503 says when to retry")
            for name in OutageLoop.files {
                let body = try await client.send("GET", name).body
                #expect(OutageLoop.isWhole(body), "\(name) holds one whole version")
                let answer = try await client.send("PROPFIND", name, headers: ["Depth": "0"], text: propfindAll)
                let values =
                    try MultiStatusParser.parse(answer.text).responses.first?.properties
                    .filter { $0.property.name.namespace == Self.namespace && $0.status?.code == 200 }.map(\.property.text) ?? []
                #expect(values.count == OutageLoop.propertyCount && Set(values).count == 1, "\(name): one PROPPATCH's values, all of them")
            }
            for (name, token) in loop.heldLocks {
                #expect(try await client.send("UNLOCK", name, headers: ["Lock-Token": token]).status == 204)
            }
        }
        let locks = try PostgresPeer.psql(postgres, "SELECT count(*) FROM active_lock", database: "davdoctor")
        #expect(locks.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no lock the client was not given")
        #expect(try serve.temporaryFiles() == [], "no upload file left")
    }

    // MARK: - Helpers

    /// Terminates the backend of `database` whose statement waits for the property table's lock, once one
    /// does (at most 20 s); how many it terminated.
    static func terminateBackendWaitingOnThePropertyTable(_ database: String) async throws -> Int {
        let waiting = """
            FROM pg_stat_activity WHERE datname = '\(database)' AND wait_event_type = 'Lock' \
            AND query LIKE '%dead_property%' AND pid <> pg_backend_pid()
            """
        let peer = try PostgresPeer.shared()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let found = try PostgresPeer.psql(peer, "SELECT count(*) " + waiting).trimmingCharacters(in: .whitespacesAndNewlines)
            if found != "0" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let ended = try PostgresPeer.psql(peer, "SELECT count(pg_terminate_backend(pid)) " + waiting)
        return Int(ended.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The hrefs in a Depth 1 listing of `collection` that show the test's dead property.
    static func hrefsWithProperty(_ client: WireClient, _ collection: String) async throws -> Set<String> {
        let answer = try await client.send("PROPFIND", collection, headers: ["Depth": "1"], text: propfindAll)
        guard answer.status == 207 else { return [] }
        let responses = try MultiStatusParser.parse(answer.text).responses.filter { response in
            response.properties.contains { $0.property.name == QualifiedName(namespace, "p0") && $0.status?.code == 200 }
        }
        return Set(responses.compactMap(\.href))
    }
}

/// The client of ``ClusterOutageTests/aPostgreSQLRestartUnderLoadIs503ThenRecovers()``: PUT, PROPPATCH, then
/// LOCK or UNLOCK (in turn, per resource) in a loop until stopped, each answer recorded.
final class OutageLoop: Sendable {
    struct Answer: Sendable, CustomStringConvertible {
        var method: String
        /// 0 when no answer came (the client's error is in `failure`).
        var status: Int
        var retryAfter: Bool
        var failure: String? = nil
        var description: String { "\(method) \(status)" + (failure.map { " \($0)" } ?? "") }
    }

    static let files = ["/f0", "/f1", "/f2"]
    static let lockable = ["/l0", "/l1"]
    static let propertyCount = 20
    static let methods = ["PUT", "PROPPATCH", "LOCK", "UNLOCK"]
    /// Each method's answers that are right: success, or 503 while PostgreSQL is away.
    static let expected: [String: Set<Int>] = ["PUT": [204, 503], "PROPPATCH": [207, 503], "LOCK": [200, 503], "UNLOCK": [204, 503]]

    /// Version `version` of a file: one line repeated, so that a mix of two versions shows.
    static func content(_ version: Int) -> [UInt8] { Array(String(repeating: "version \(version)\n", count: 2_000).utf8) }

    static func isWhole(_ body: [UInt8]) -> Bool {
        let text = String(decoding: body, as: UTF8.self)
        guard let first = text.split(separator: "\n").first, let version = Int(first.dropFirst("version ".count)) else { return false }
        return body == content(version)
    }

    private let client: WireClient
    private let state = Locked(State())

    private struct State {
        var answers: [Answer] = []
        var held: [String: String] = [:]
        var stopped = false
    }

    init(_ client: WireClient) { self.client = client }

    var answers: [Answer] { state.withLock { $0.answers } }
    var answerCount: Int { state.withLock { $0.answers.count } }
    /// The locks granted and not yet released: resource, token.
    var heldLocks: [String: String] { state.withLock { $0.held } }

    func stop() { state.withLock { $0.stopped = true } }

    func run() async {
        var round = 0
        while !state.withLock({ $0.stopped }) {
            let file = Self.files[round % Self.files.count]
            await send("PUT", file, body: Self.content(round + 1))
            let update = CrashSafetyTests.propertyUpdate(count: Self.propertyCount, value: "v\(round + 1)")
            await send("PROPPATCH", file, body: Array(update.utf8))
            let resource = Self.lockable[round % Self.lockable.count]
            if let token = state.withLock({ $0.held[resource] }) {
                let answer = await send("UNLOCK", resource, headers: ["Lock-Token": token])
                if answer?.status == 204 { state.withLock { _ = $0.held.removeValue(forKey: resource) } }
            } else {
                let answer = await send("LOCK", resource, headers: ["Timeout": "Second-600"], body: Array(lockBody().utf8))
                if answer?.status == 200, let token = answer?.headers.first(name: "Lock-Token") {
                    state.withLock { $0.held[resource] = token }
                }
            }
            round += 1
        }
    }

    /// Sends one request and records its answer, or the client's error when none came.
    @discardableResult
    private func send(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil) async -> WireClient.Answer? {
        do {
            let answer = try await client.send(method, path, headers: headers, body: body)
            let entry = Answer(method: method, status: answer.status, retryAfter: answer.headers.first(name: "Retry-After") != nil)
            state.withLock { $0.answers.append(entry) }
            return answer
        } catch {
            let entry = Answer(method: method, status: 0, retryAfter: false, failure: String(describing: error))
            state.withLock { $0.answers.append(entry) }
            return nil
        }
    }

    /// Whether each of `methods` has had at least two answers since answer `start` that satisfy `matches`.
    private func each(of methods: [String], since start: Int, _ matches: (Answer) -> Bool) -> Bool {
        let recent = state.withLock { Array($0.answers.dropFirst(start)) }
        return methods.allSatisfy { method in recent.filter { $0.method == method && matches($0) }.count >= 2 }
    }

    func everyMethodSucceeded(since start: Int) -> Bool { each(of: Self.methods, since: start) { $0.status < 300 } }
    /// UNLOCK is sent only for a lock granted, and no LOCK is granted while PostgreSQL is away: not awaited.
    func everyMethodUnavailable(since start: Int) -> Bool { each(of: ["PUT", "PROPPATCH", "LOCK"], since: start) { $0.status == 503 } }

    /// Waits for `condition` (polled every 50 ms, for at most 60 s); records an issue naming `what` when it never holds.
    func waitUntil(_ what: String, _ condition: (OutageLoop) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if condition(self) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("never happened within 60 s: \(what); answers: \(answers.suffix(12))")
    }
}
