import DAVCore
import Foundation
import HummingbirdTesting
import Logging
import Testing

@testable import DAVServer

/// Many clients at once on a small set of overlapping paths over a real socket, then the invariants
/// (TortureInvariants) and the beliefs each client checked on the way (TortureClient).
struct TortureTests {
    static let clients = 16
    static let operationsPerClient = 40
    /// Fixed, so a run's choices can be replayed; `DAVDOCTOR_TORTURE_SEED=N` tries another mix.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["DAVDOCTOR_TORTURE_SEED"].flatMap { UInt64($0) } ?? 0x0007_0003

    @Test(arguments: Backend.stores)
    func concurrentClientsKeepTheInvariants(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        let ledger = try Self.seedTree(fixture)
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "torture"))
        try await app.test(.live) { testClient async throws in
            try await Self.torture(fixture, ledger, ports: [try #require(testClient.port)])
        }
        Self.expectRaces(ledger)
    }

    /// The same, with the server's tasks on the blocking executor as `serve` runs them (no trips to NIO's
    /// pool: every storage and SQLite call made where the handler runs).
    @Test func concurrentClientsKeepTheInvariantsOnTheBlockingExecutor() async throws {
        let fixture = try ServerFixture(.persistent, seed: false)
        let ledger = try Self.seedTree(fixture)
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "torture"))
        try await withTaskExecutorPreference(BlockingExecutor.shared) {
            try await app.test(.live) { testClient async throws in
                try await Self.torture(fixture, ledger, ports: [try #require(testClient.port)])
            }
        }
        Self.expectRaces(ledger)
    }

    /// The collections and files the clients start from, each content in the ledger.
    static func seedTree(_ fixture: ServerFixture) throws -> TortureLedger {
        let ledger = TortureLedger()
        for collection in ["/c0", "/c1"] { try fixture.options.storage.makeCollection(at: try ResourcePath(encodedPath: collection)) }
        for file in ["/f0", "/c0/m0", "/c1/m0"] {
            let content = "seeded \(file)\n"
            ledger.wrote(Array(content.utf8))
            try ServerFixture.write(fixture.options.storage, try ResourcePath(encodedPath: file), content)
        }
        return ledger
    }

    /// The clients run against the servers on `ports` (each request to one picked at random), then the
    /// invariants are checked on `fixture`'s stores and every held lock is released.
    static func torture(_ fixture: ServerFixture, _ ledger: TortureLedger, ports: [Int]) async throws {
        try await WireClient.with(ports: ports) { client async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<Self.clients {
                    group.addTask {
                        var torturer = TortureClient(number: number, seed: Self.seed, client: client, ledger: ledger)
                        try await torturer.run(operations: Self.operationsPerClient)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try TortureInvariants.problems(fixture, ledger) == [])
            for lock in ledger.heldLocks {
                #expect(try await client.send("GET", lock.file).body == lock.content, "the locked \(lock.file) changed")
                #expect(try await client.send("UNLOCK", lock.root, headers: ["Lock-Token": "<\(lock.token)>"]).status == 204)
            }
            #expect(try fixture.options.locks.locks(covering: .root, descendants: true, now: Date().timeIntervalSince1970).isEmpty)
        }
    }

    /// No client's belief failed, and the mix really raced: locks were granted and refused, writes landed
    /// and were refused.
    static func expectRaces(_ ledger: TortureLedger) {
        #expect(ledger.allFailures == [])
        let counts = ledger.allCounts
        #expect(counts["LOCK 200", default: 0] + counts["LOCK 201", default: 0] >= Self.clients)
        #expect(counts["LOCK 423", default: 0] > 0)
        #expect(counts["PUT 423", default: 0] > 0)
        #expect(counts["MOVE 201", default: 0] + counts["MOVE 204", default: 0] > 0)
    }
}
