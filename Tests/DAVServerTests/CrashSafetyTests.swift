import DAVCore
import DAVTesting
import Foundation
import Testing

@testable import DAVServer

/// `kill -9` of a real `davdoctor serve` process in the middle of a PUT, a MOVE of a large collection and a
/// PROPPATCH of many properties, then a restart on the same tree and stores: every file is its old or its new
/// content, no temporary file is left or listed, the stores open and agree with the tree.
@Suite(.serialized)
struct CrashSafetyTests {
    static let namespace = "urn:davdoctor:crash"

    /// A 64 MiB PUT replacing a file, killed once 8 MiB of it are on disk.
    @Test func aKilledUploadLeavesTheOldContentAndNoTemporaryFile() async throws {
        let serve = try ServeProcess()
        let old = Array(repeating: UInt8(ascii: "o"), count: 1 << 20)
        try Data(old).write(to: URL(fileURLWithPath: serve.root.path + "/big.bin"))
        try serve.start()
        try await WireClient.with(port: serve.port) { client async throws in
            let upload = SlowUpload(client, "/big.bin", length: 64 << 20, first: Array(repeating: UInt8(ascii: "n"), count: 16 << 20))
            try await upload.waitUntilWriting(in: serve.root.path, bytes: 8 << 20)
            serve.kill9()
            await upload.abandon()
        }
        // The killed server could not clean up: the partial upload is on disk, under its hidden name only.
        #expect(try serve.temporaryFiles().count == 1)
        #expect(FileManager.default.contents(atPath: serve.root.path + "/big.bin") == Data(old))

        try serve.start()
        try await WireClient.with(port: serve.port) { client async throws in
            #expect(try await client.send("GET", "/big.bin").body == old)
            let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"], text: propfindAll)
            let hrefs = try MultiStatusParser.parse(listing.text).responses.flatMap(\.hrefs)
            #expect(hrefs.count == 2 && !hrefs.contains { $0.contains(FileSystemStorage.uploadPrefix) })
        }
        serve.stop()
        #expect(try serve.temporaryFiles() == [], "start-up removes what a killed upload left")
        try serve.withStores { properties, locks throws in
            #expect(try properties.paths() == [])
            #expect(try locks.locks(covering: .root, descendants: true, now: Date().timeIntervalSince1970).isEmpty)
        }
    }

    static let members = 2_000

    /// MOVE of a locked collection of 2,000 files with two dead properties each, killed until one kill lands
    /// between the rename and the properties' move: every other round as soon as the rename shows on disk, the
    /// rounds between after a delay that bisection moves. Under load a timed kill lands tens of milliseconds
    /// off its aim (in CI 13 of 16 bisected kills landed before the rename, 3 after, none between); a kill
    /// that follows the rename it sees is late only by the polling and the scheduler.
    @Test func aKilledCollectionMoveLeavesPropertiesWithTheTree() async throws {
        let serve = try ServeProcess()
        try seedCollection(serve, "/a")
        var current = "/a"
        var search = KillDelaySearch(milliseconds: 0...1_000)
        var landings: [KillLanding] = []
        for round in 0..<16 {
            let source = current
            let other = source == "/a" ? "/b" : "/a"
            try serve.start()
            let delay = search.next
            let followsTheRename = round % 2 == 0
            let token = try await WireClient.with(port: serve.port) { client async throws in
                let lock = try await client.send("LOCK", source, headers: ["Timeout": "Second-3600"], text: lockBody())
                #expect(lock.status == 200)
                let token = try #require(lock.headers.first(name: "Lock-Token"))
                let move = Task {
                    try await client.send("MOVE", source, headers: ["Destination": client.destination(other), "If": "(\(token))"])
                }
                if followsTheRename {
                    try await waitForRename(serve.root, from: source, to: other)
                } else {
                    try await Task.sleep(for: .milliseconds(delay))
                }
                serve.kill9()
                _ = try? await move.value
                return token
            }
            let landing = try observeMove(serve, from: source, to: other)
            landings.append(landing)
            if !followsTheRename { search.record(landing, at: delay) }
            let location = landing == .before ? source : other

            try serve.start()
            try await WireClient.with(port: serve.port) { client async throws in
                try await expectListing(client, location)
                // The lock survives only with the resource it was taken on.
                let unlock = try await client.send("UNLOCK", source, headers: ["Lock-Token": token])
                #expect(unlock.status == (landing == .before ? 204 : 409), "round \(round)")
            }
            serve.stop()
            try expectStoresAgree(serve, location)
            current = location
            if landings.contains(.middle) && round >= 2 { break }
        }
        #expect(landings.contains(.middle), "no kill landed mid-move: \(landings)")
    }

    /// A PROPPATCH setting 3,000 properties, killed after delays chosen by bisection: each time the stored
    /// set is entirely the previous one or entirely the new one.
    @Test func aKilledProppatchIsAllOrNothing() async throws {
        let serve = try ServeProcess()
        try Data("doc".utf8).write(to: URL(fileURLWithPath: serve.root.path + "/doc"))
        try serve.start()
        let count = 3_000
        // The first, uncut PROPPATCH also says how long one takes on this machine now: the kills are searched
        // for within twice that, so a loaded machine still sees kills land on both sides.
        let started = ContinuousClock.now
        try await WireClient.with(port: serve.port) { client async throws in
            #expect(try await client.send("PROPPATCH", "/doc", text: Self.propertyUpdate(count: count, value: "v0")).status == 207)
        }
        let took = ContinuousClock.now - started
        let milliseconds = Double(took.components.seconds) * 1_000 + Double(took.components.attoseconds) / 1e15
        var previous = "v0"
        var search = KillDelaySearch(milliseconds: 0...max(1_000, 2 * milliseconds))
        var landings: [KillLanding] = []
        for round in 1...6 {
            let value = "v\(round)"
            let delay = search.next
            try await WireClient.with(port: serve.port) { client async throws in
                let patch = Task { try await client.send("PROPPATCH", "/doc", text: Self.propertyUpdate(count: count, value: value)) }
                try await Task.sleep(for: .milliseconds(delay))
                serve.kill9()
                _ = try? await patch.value
            }
            let stored = try serve.withStores { properties, _ in try properties.properties(at: try ResourcePath(encodedPath: "/doc")) }
            let values = Set(stored.map(\.text))
            #expect(stored.count == count && (values == [previous] || values == [value]), "round \(round): \(values.count) distinct values")
            let landing: KillLanding = values == [value] ? .after : .before
            landings.append(landing)
            search.record(landing, at: delay)
            if landing == .after { previous = value }
            try serve.start()
            try await WireClient.with(port: serve.port) { client async throws in
                let answer = try await client.send("PROPFIND", "/doc", headers: ["Depth": "0"], text: propfindAll)
                let dead = try MultiStatusParser.parse(answer.text).responses.first?.properties.filter {
                    $0.property.name.namespace == Self.namespace
                }
                #expect(dead?.count == count && Set(dead?.map(\.property.text) ?? []) == [previous])
            }
        }
        serve.stop()
        #expect(landings.contains(.before) && landings.contains(.after), "the kills all landed on one side: \(landings)")
    }

    // MARK: - Helpers

    static func propertyUpdate(count: Int, value: String) -> String {
        var body = #"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:C="\#(namespace)"><D:set><D:prop>"#
        for index in 0..<count { body += "<C:p\(index)>\(value)</C:p\(index)>" }
        return body + "</D:prop></D:set></D:propertyupdate>"
    }

    /// The collection and its members written straight to disk, their properties straight to the store.
    private func seedCollection(_ serve: ServeProcess, _ name: String) throws {
        try FileManager.default.createDirectory(atPath: serve.root.path + name, withIntermediateDirectories: false)
        for index in 0..<Self.members {
            try Data("member \(index)\n".utf8).write(to: URL(fileURLWithPath: serve.root.path + name + "/m\(index)"))
        }
        try serve.withStores { properties, _ throws in
            let collection = try ResourcePath(encodedPath: name)
            try properties.apply([.set(XMLElement(QualifiedName(Self.namespace, "tag"), children: [.text("collection")]))], at: collection)
            for index in 0..<Self.members {
                try properties.apply(
                    [
                        .set(XMLElement(QualifiedName(Self.namespace, "index"), children: [.text("\(index)")])),
                        .set(XMLElement(QualifiedName(Self.namespace, "tag"), children: [.text("member")])),
                    ], at: collection.appending("m\(index)"))
            }
        }
    }

    /// With the server dead: the tree is wholly at one place with every file intact; where the properties
    /// are tells whether the kill hit between the rename and the store's update.
    private func observeMove(_ serve: ServeProcess, from source: String, to destination: String) throws -> KillLanding {
        let storage = try serve.storage
        let sourceExists = try storage.info(at: try ResourcePath(encodedPath: source)) != nil
        let destinationExists = try storage.info(at: try ResourcePath(encodedPath: destination)) != nil
        #expect(sourceExists != destinationExists, "the tree is in one place, never two or none")
        let location = sourceExists ? source : destination
        for index in 0..<Self.members {
            let bytes = FileManager.default.contents(atPath: serve.root.path + location + "/m\(index)")
            #expect(bytes == Data("member \(index)\n".utf8))
        }
        let propertyPaths = try serve.withStores { properties, _ in try properties.paths() }
        let atSource = propertyPaths.filter { $0.description.hasPrefix(source) }.count
        if sourceExists {
            #expect(atSource == Self.members + 1)
            return .before
        }
        return atSource > 0 ? .middle : .after
    }

    /// Over HTTP after the restart: the collection and all its members, each with its dead properties, and
    /// no temporary file.
    private func expectListing(_ client: WireClient, _ location: String) async throws {
        let answer = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"], text: propfindAll)
        let responses = try MultiStatusParser.parse(answer.text).responses
        #expect(responses.count == Self.members + 2)
        let members = responses.filter { $0.href?.hasPrefix(location + "/m") == true }
        #expect(members.count == Self.members)
        let withProperties = members.filter { response in
            response.properties.contains { $0.property.name == QualifiedName(Self.namespace, "index") && $0.status?.code == 200 }
        }
        #expect(withProperties.count == Self.members, "every member kept its dead properties")
        #expect(!responses.contains { $0.href?.contains(FileSystemStorage.uploadPrefix) == true })
    }

    /// With the server stopped: properties only for paths in the tree, all of them at the tree's place, and
    /// no lock left.
    private func expectStoresAgree(_ serve: ServeProcess, _ location: String) throws {
        let storage = try serve.storage
        try serve.withStores { properties, locks throws in
            let paths = try properties.paths()
            #expect(paths.count == Self.members + 1)
            #expect(paths.allSatisfy { $0.description.hasPrefix(location) })
            #expect(try paths.allSatisfy { try storage.info(at: $0) != nil })
            #expect(try locks.locks(covering: .root, descendants: true, now: Date().timeIntervalSince1970).isEmpty)
        }
    }
}
