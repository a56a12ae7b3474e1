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

