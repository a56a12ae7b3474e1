import DAVCore
import DAVTesting
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import DAVServer

/// Two `davdoctor serve` processes on one tree and one PostgreSQL database; one is killed with SIGKILL in
/// the middle of a MOVE of a locked collection. The other keeps answering and settles the move the dead one
/// left (its properties to the tree's place, its lock gone) within seconds; once the killed one is started
/// again, the tree is wholly at one place with every member's properties there and no lock left.
///
/// The first kill lands between the rename and the store's update every time: another connection holds
/// PostgreSQL's write lock on the property table, so the MOVE renames and then waits, and the kill comes
/// once the rename is seen on disk. (That window is a few milliseconds otherwise; a search by delay alone
/// missed it on a loaded machine.) The rounds after it kill after delays chosen by bisection, landing
/// before or after.
@Suite(.serialized, .needs(.postgres))
struct ClusterCrashTests {
    static let namespace = "urn:davdoctor:crash"
    static let members = 1_000

    /// When a round kills the instance doing the MOVE.
    enum KillMoment {
        /// Once the tree is renamed, while the property table is held.
        case betweenRenameAndStore
        /// This many milliseconds after the MOVE was sent.
        case after(milliseconds: Double)
    }

    @Test func aKilledInstanceMidMoveLeavesTheClusterConsistent() async throws {
        let url = try PostgresPeer.database()
        let location = try PostgresLocation(url)
        let root = TemporaryDirectory()
        try seedCollection(root, "/a", location)
        let victim = try ServeProcess(root: root, store: url)
        let survivor = try ServeProcess(root: root, store: url)
        try survivor.start()
        var current = "/a"
        var search = KillDelaySearch(milliseconds: 0...600)
        var landings: [KillLanding] = []
        for round in 0..<4 {
            let source = current
            let other = source == "/a" ? "/b" : "/a"
            let moment: KillMoment = round == 0 ? .betweenRenameAndStore : .after(milliseconds: search.next)
            try victim.start()
            var hold: PropertyTableHold?
            let token = try await WireClient.with(port: victim.port) { client async throws in
                let lock = try await client.send("LOCK", source, headers: ["Timeout": "Second-3600"], text: lockBody())
                #expect(lock.status == 200)
                let token = try #require(lock.headers.first(name: "Lock-Token"))
                hold = moment.isHeld ? try await PropertyTableHold(location) : nil
                let move = Task {
                    try await client.send("MOVE", source, headers: ["Destination": client.destination(other), "If": "(\(token))"])
                }
                switch moment {
                case .betweenRenameAndStore: try await waitForRename(root, from: source, to: other)
                case .after(let delay): try await Task.sleep(for: .milliseconds(delay))
                }
                victim.kill9()
                _ = try? await move.value
                return token
            }
            // The survivor answers at once, whatever the victim left half done (reads pass the hold).
            try await WireClient.with(port: survivor.port) { client async throws in
                #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "1"], text: propfindAll).status == 207, "round \(round)")
            }
            // Seen while the table is still held: once released, the survivor's settling may carry the rows at once.
            let landing = try observeMove(root, from: source, to: other, location)
            try await hold?.release()
            landings.append(landing)
            if case .after(let delay) = moment { search.record(landing, at: delay) }
            if moment.isHeld { #expect(landing == .middle, "the kill while the store was held landed \(landing)") }
            let place = landing == .before ? source : other
            if landing == .middle {
                // The survivor settles the dead instance's move by itself, without waiting for its restart.
                let deadline = ContinuousClock.now + .seconds(30)
                var listed = 0
                while ContinuousClock.now < deadline {
                    listed = try await WireClient.with(port: survivor.port) { try await membersWithProperties($0, place) }
                    if listed == Self.members { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(listed == Self.members, "round \(round): the survivor settled the abandoned move")
            }

            try victim.start()  // its start-up recovery finishes or forgets the dead instance's move, if still recorded
            try await WireClient.with(port: survivor.port) { client async throws in
                try await expectListing(client, place)
                let unlock = try await client.send("UNLOCK", source, headers: ["Lock-Token": token])
                #expect(unlock.status == (landing == .before ? 204 : 409), "round \(round): the lock stays only with its resource")
            }
            victim.stop()
            try expectStoresAgree(root, place, location)
            current = place
        }
        survivor.stop()
    }

    /// One instance killed mid-PUT (a 64 MiB body replacing a file, 8 MiB of it on disk): a second instance
    /// started meanwhile leaves the live upload's temporary file alone at its start-up, keeps answering after
    /// the kill with the old content, and leaves the dead instance's file to it; the restarted instance
    /// removes it once PostgreSQL has seen the old one go.
    @Test func aKilledInstanceMidPutLeavesTheOldContentAndItsUploadToItsRestart() async throws {
        let url = try PostgresPeer.database()
        let location = try PostgresLocation(url)
        let root = TemporaryDirectory()
        let old = Array(repeating: UInt8(ascii: "o"), count: 1 << 20)
        try Data(old).write(to: URL(fileURLWithPath: root.path + "/big.bin"))
        let victim = try ServeProcess(root: root, store: url)
        let survivor = try ServeProcess(root: root, store: url)
        defer {
            victim.stop()
            survivor.stop()
        }
        try victim.start()
        let partial = try await WireClient.with(port: victim.port) { client async throws in
            let upload = SlowUpload(client, "/big.bin", length: 64 << 20, first: Array(repeating: UInt8(ascii: "n"), count: 16 << 20))
            try await upload.waitUntilWriting(in: root.path, bytes: 8 << 20)
            let writing = try victim.temporaryFiles()
            // Its start-up recovery runs before it listens: the live instance's upload is left alone.
            try survivor.start()
            #expect(try victim.temporaryFiles() == writing, "the survivor's start-up kept the live upload")
            victim.kill9()
            await upload.abandon()
            return writing
        }
        #expect(partial.count == 1)
        try await WireClient.with(port: survivor.port) { client async throws in
            #expect(try await client.send("GET", "/big.bin").body == old)
            let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "1"], text: propfindAll)
            let hrefs = try MultiStatusParser.parse(listing.text).responses.flatMap(\.hrefs)
            #expect(Set(hrefs) == ["/", "/big.bin"], "the partial upload is never listed")
            #expect(try await client.send("PUT", "/after.txt", body: Array("written".utf8)).status == 201)
        }
        #expect(try victim.temporaryFiles() == partial, "the survivor does not remove an upload it cannot judge finished")

        // The dead instance's key is free once PostgreSQL has seen its connection go; then it restarts.
        let tag = try #require(partial.first.flatMap { FileSystemStorage.uploadTag(ofName: Array(($0 as NSString).lastPathComponent.utf8)) })
        do {
            let observer = try PostgresStores(location: location)
            defer { observer.close() }
            try await waitUntilGone(observer, tag)
        }
        try victim.start()
        #expect(try victim.temporaryFiles() == [], "the restarted instance removed what its killed upload left")
        try await WireClient.with(port: victim.port) { client async throws in
            #expect(try await client.send("GET", "/big.bin").body == old)
            #expect(try await client.send("GET", "/after.txt").body == Array("written".utf8))
        }
    }

    // MARK: - Helpers

    /// Polls until the instance whose upload tag is `tag` no longer holds its registration, for at most 20 s.
    private func waitUntilGone(_ stores: PostgresStores, _ tag: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await !BlockingPool.run({ try stores.isLive(tag) }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("instance \(tag) still registered 20 s after its kill")
    }

    /// Opens the shared stores as one more instance would, for the duration of `body`.
    private func withStores<T>(_ location: PostgresLocation, _ body: (PostgresStores) throws -> T) throws -> T {
        let stores = try PostgresStores(location: location)
        defer { stores.close() }
        return try body(stores)
    }

    private func seedCollection(_ root: TemporaryDirectory, _ name: String, _ location: PostgresLocation) throws {
        try FileManager.default.createDirectory(atPath: root.path + name, withIntermediateDirectories: false)
        for index in 0..<Self.members {
            try Data("member \(index)\n".utf8).write(to: URL(fileURLWithPath: root.path + name + "/m\(index)"))
        }
        try withStores(location) { stores in
            let collection = try ResourcePath(encodedPath: name)
            try stores.properties.apply([.set(XMLElement(QualifiedName(Self.namespace, "tag"), children: [.text("collection")]))], at: collection)
            for index in 0..<Self.members {
                try stores.properties.apply(
                    [.set(XMLElement(QualifiedName(Self.namespace, "index"), children: [.text("\(index)")]))],
                    at: collection.appending("m\(index)"))
            }
        }
    }

    /// Right after the kill: the tree is wholly at one place with every file intact; where the properties
    /// are tells whether the kill hit between the rename and the store's update.
    private func observeMove(_ root: TemporaryDirectory, from source: String, to destination: String, _ location: PostgresLocation) throws
        -> KillLanding
    {
        let storage = try FileSystemStorage(root: root.path)
        let sourceExists = try storage.info(at: try ResourcePath(encodedPath: source)) != nil
        let destinationExists = try storage.info(at: try ResourcePath(encodedPath: destination)) != nil
        #expect(sourceExists != destinationExists, "the tree is in one place, never two or none")
        let place = sourceExists ? source : destination
        for index in 0..<Self.members {
            #expect(FileManager.default.contents(atPath: root.path + place + "/m\(index)") == Data("member \(index)\n".utf8))
        }
        let atSource = try withStores(location) { try $0.properties.paths() }.filter { $0.description.hasPrefix(source) }.count
        if sourceExists {
            #expect(atSource == Self.members + 1)
            return .before
        }
        return atSource > 0 ? .middle : .after
    }

    /// Through the survivor: the collection and every member, each with its dead property.
    private func expectListing(_ client: WireClient, _ place: String) async throws {
        #expect(try await membersWithProperties(client, place) == Self.members, "every member kept its dead property")
    }

    /// How many members a listing of `place` shows with their dead property.
    private func membersWithProperties(_ client: WireClient, _ place: String) async throws -> Int {
        let answer = try await client.send("PROPFIND", place + "/", headers: ["Depth": "1"], text: propfindAll)
        let members = try MultiStatusParser.parse(answer.text).responses.filter { $0.href?.hasPrefix(place + "/m") == true }
        return members.filter { response in
            response.properties.contains { $0.property.name == QualifiedName(Self.namespace, "index") && $0.status?.code == 200 }
        }.count
    }

    /// Properties only for paths in the tree, all at the tree's place; no lock left; no move left recorded.
    private func expectStoresAgree(_ root: TemporaryDirectory, _ place: String, _ location: PostgresLocation) throws {
        let storage = try FileSystemStorage(root: root.path)
        try withStores(location) { stores in
            let paths = try stores.properties.paths()
            #expect(paths.count == Self.members + 1)
            #expect(paths.allSatisfy { $0.description.hasPrefix(place) })
            #expect(try paths.allSatisfy { try storage.info(at: $0) != nil })
            #expect(try stores.locks.locks(covering: .root, descendants: true, now: Date().timeIntervalSince1970).isEmpty)
        }
        let database = String(location.database)
        let pending = try PostgresPeer.psql(try PostgresPeer.shared(), "SELECT count(*) FROM pending_move", database: database)
        #expect(pending.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no move is left recorded")
    }
}

extension ClusterCrashTests.KillMoment {
    var isHeld: Bool {
        if case .betweenRenameAndStore = self { return true }
        return false
    }
}

/// A transaction on its own connection holding PostgreSQL's EXCLUSIVE lock on `dead_property`: reads go on,
/// every write to the table waits until ``release()``.
final class PropertyTableHold: Sendable {
    private let pool: PostgresPool
    private let connection: PostgresConnection
    private let logger = Logger(label: "davdoctor.tests.hold")

    init(_ location: PostgresLocation) async throws {
        pool = PostgresPool(location: location)
        connection = try await pool.checkOutAsync()
        try await connection.query("BEGIN", logger: logger)
        try await connection.query("LOCK TABLE dead_property IN EXCLUSIVE MODE", logger: logger)
    }

    /// Rolls the holding transaction back and closes its connection.
    func release() async throws {
        try await connection.query("ROLLBACK", logger: logger)
        try await connection.close()
        pool.close()
    }
}
