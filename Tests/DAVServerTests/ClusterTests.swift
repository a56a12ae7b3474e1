import DAVCore
import DAVTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import DAVServer

/// Two server instances on one tree and one PostgreSQL database, as behind a load balancer.
@Suite(.needs(.postgres))
struct ClusterTests {
    /// Two instances' options over `root`, each with its own connection to the shared database.
    final class Cluster: @unchecked Sendable {
        let root = TemporaryDirectory()
        let stores: [PostgresStores]
        let options: [DAVServerOptions]

        let url: String

        /// `changeLogCapacity`: how many changes the shared sync log keeps (small, to make tokens expire).
        init(changeLogCapacity: Int = 100_000) throws {
            let url = try PostgresPeer.database()
            self.url = url
            stores = try (0..<2).map { _ in try PostgresStores(location: try PostgresLocation(url), changeLogCapacity: changeLogCapacity) }
            let root = self.root
            options = try stores.map { stores in
                var options = DAVServerOptions(
                    storage: try FileSystemStorage(root: root.path, uploadTag: stores.uploadTag), properties: stores.properties,
                    locks: stores.locks, changes: stores.changes)
                options.cluster = stores.cluster
                return options
            }
        }

        func app(_ index: Int) -> some ApplicationProtocol {
            Application(responder: DAVResponder(options: options[index]), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }

        deinit { for stores in stores { stores.close() } }
    }

    /// A PROPPATCH body setting `{urn:x}name` to `value`.
    static func propertyUpdate(_ name: String, _ value: String) -> String {
        #"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:x="urn:x">"#
            + "<D:set><D:prop><x:\(name)>\(value)</x:\(name)></D:prop></D:set></D:propertyupdate>"
    }

    /// A lock taken through one instance refuses a write without its token through the other; with the
    /// token, the write goes through; properties set through one are listed by the other.
    @Test func aLockOnOneInstanceBindsTheOther() async throws {
        let cluster = try Cluster()
        try await cluster.app(0).test(.router) { first in
            try await cluster.app(1).test(.router) { second in
                #expect(try await first.send("PUT", "/doc.txt", body: "v1").code == 201)
                let locked = try await first.send("LOCK", "/doc.txt", headers: ["Timeout": "Second-600"], body: lockBody())
                #expect(locked.code == 200)
                let token = try #require(locked.header("Lock-Token"))
                let refused = try await second.send("PUT", "/doc.txt", body: "lost update")
                #expect(refused.code == 423)
                #expect(try await second.send("PUT", "/doc.txt", headers: ["If": "(\(token))"], body: "v2").code == 204)
                #expect(try await first.send("GET", "/doc.txt").text == "v2")

                let patch = Self.propertyUpdate("color", "red")
                #expect(try await second.send("PROPPATCH", "/doc.txt", headers: ["If": "(\(token))"], body: patch).code == 207)
                let asked =
                    #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:x="urn:x">"#
                    + "<D:prop><x:color/><D:lockdiscovery/></D:prop></D:propfind>"
                let listing = try await first.send("PROPFIND", "/doc.txt", headers: ["Depth": "0"], body: asked)
                #expect(listing.text.contains("red"))
                #expect(listing.text.contains(token.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))))

                // A MOVE through the second instance carries the properties; the first sees them at the new path.
                #expect(try await second.send("UNLOCK", "/doc.txt", headers: ["Lock-Token": token]).code == 204)
                #expect(try await second.send("MOVE", "/doc.txt", headers: ["Destination": "/moved.txt"]).code == 201)
                #expect(try await first.send("PROPFIND", "/moved.txt", headers: ["Depth": "0"], body: asked).text.contains("red"))
            }
        }
    }

    /// The gate: a change of `/a/` held on one instance holds back a change of `/a/b` on the other until it
    /// ends, while a change of a sibling goes ahead; reads take nothing.
    @Test func aChangeOnOneInstanceHoldsBackAConflictingOneOnTheOther() async throws {
        let cluster = try Cluster()
        let (first, second) = (cluster.stores[0].cluster, cluster.stores[1].cluster)
        let events = Locked<[String]>([])
        let entered = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await first.serialize([path("a")]) {
                events.withLock { $0.append("first in") }
                entered.continuation.yield()
                for await _ in release.stream { break }
                events.withLock { $0.append("first out") }
            }
        }
        for await _ in entered.stream { break }
        #expect(try second.tryHolding([path("a", "b")]) { true } == nil, "a member of the held path waits")
        #expect(try second.tryHolding([path("other")]) { true } == true, "a sibling does not")
        #expect(try second.tryHolding([.root]) { true } == nil, "nor does an ancestor")
        let waiter = Task {
            try await second.serialize([path("a", "b")]) { events.withLock { $0.append("second in") } }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(events.withLock { $0 } == ["first in"], "the second instance is still waiting")
        release.continuation.yield()
        try await holder.value
        try await waiter.value
        #expect(events.withLock { $0 } == ["first in", "first out", "second in"])
    }

    /// Concurrent PUTs of one file through both instances, each after a LOCK it holds: every LOCK either
    /// gets the lock or 423, and no PUT lands without holding the lock.
    @Test func concurrentLockAndWriteThroughBothInstances() async throws {
        let cluster = try Cluster()
        try await cluster.app(0).test(.router) { first in
            try await cluster.app(1).test(.router) { second in
                #expect(try await first.send("PUT", "/shared.txt", body: "start").code == 201)
                let clients: [any TestClientProtocol] = [first, second]
                let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                    for round in 0..<6 {
                        let client = clients[round % 2]
                        group.addTask {
                            let locked = try await client.send("LOCK", "/shared.txt", headers: ["Timeout": "Second-60"], body: lockBody())
                            guard locked.code == 200, let token = locked.header("Lock-Token") else { return (locked.code, 0) }
                            let put = try await client.send("PUT", "/shared.txt", headers: ["If": "(\(token))"], body: "round \(round)")
                            _ = try await client.send("UNLOCK", "/shared.txt", headers: ["Lock-Token": token])
                            return (locked.code, put.code)
                        }
                    }
                    return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
                }
                #expect(outcomes.allSatisfy { $0.0 == 200 || $0.0 == 423 }, "\(outcomes)")
                #expect(outcomes.filter { $0.0 == 200 }.allSatisfy { $0.1 == 204 }, "a holder's PUT is never refused: \(outcomes)")
                #expect(outcomes.contains { $0.0 == 200 })
            }
        }
    }

    /// PostgreSQL out of reach mid-run (the database refuses connections and every open one is cut): what
    /// needs the stores answers 503 with Retry-After, a GET of content still answers, nothing is half
    /// written, and once PostgreSQL is back the same server answers again without a restart.
    @Test func anOutageIs503AndTheServerRecoversByItself() async throws {
        let cluster = try Cluster()
        let database = String(cluster.url.split(separator: "/").last!)
        let peer = try PostgresPeer.shared()
        let patch = Self.propertyUpdate("n", "1")
        try await cluster.app(0).test(.router) { server in
            #expect(try await server.send("PUT", "/f.txt", body: "content").code == 201)
            let token = try #require(try await server.sync("/", nil).token)
            try PostgresPeer.psql(peer, "ALTER DATABASE \(database) ALLOW_CONNECTIONS false")
            try PostgresPeer.psql(
                peer, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'")
            let needingTheStore = [
                ("PROPPATCH", "/f.txt", patch), ("PUT", "/g.txt", "new"), ("LOCK", "/f.txt", lockBody()),
                ("REPORT", "/", syncBody(token)), ("PROPFIND", "/", Self.syncTokenPropfind),
            ]
            for (method, uri, body) in needingTheStore {
                let answer = try await server.send(method, uri, headers: ["Depth": "0"], body: body)
                #expect(answer.code == 503, "\(method) while PostgreSQL is away")
                #expect(answer.header("Retry-After") == "5")
            }
            #expect(try await server.send("GET", "/f.txt").text == "content", "content needs no store")
            #expect(try await server.send("GET", "/g.txt").code == 404, "the refused PUT left nothing")

            try PostgresPeer.psql(peer, "ALTER DATABASE \(database) ALLOW_CONNECTIONS true")
            #expect(try await server.send("PROPPATCH", "/f.txt", body: patch).code == 207)
            #expect(try await server.send("PUT", "/g.txt", body: "new").code == 201)
            #expect(try await server.sync("/", token).changedHrefs == ["/f.txt", "/g.txt"], "the token from before the outage goes on")
        }
    }

    /// A PROPFIND body asking for `DAV:sync-token` alone.
    static let syncTokenPropfind = #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>"#

    /// The `DAV:sync-token` property of `collection`, read with PROPFIND Depth 0.
    static func syncTokenProperty(_ client: some TestClientProtocol, _ collection: String) async throws -> String? {
        let answer = try await client.send("PROPFIND", collection, headers: ["Depth": "0"], body: syncTokenPropfind)
        #expect(answer.code == 207)
        return try answer.multiStatus().responses.first?.value(of: DAV.syncToken)?.text
    }

    /// The sync-collection log is the cluster's: a token handed out by one instance is continued by the
    /// other, and a report through one names exactly the members changed through the other.
    @Test func aChangeThroughOneInstanceIsReportedThroughTheOther() async throws {
        let cluster = try Cluster()
        try await cluster.app(0).test(.router) { first in
            try await cluster.app(1).test(.router) { second in
                #expect(try await first.send("MKCOL", "/cal/").code == 201)
                for name in ["kept", "edited", "gone"] {
                    #expect(try await first.send("PUT", "/cal/\(name).ics", body: name).code == 201)
                }
                let token = try #require(try await first.sync("/cal/", nil).token)
                #expect(try await Self.syncTokenProperty(second, "/cal/") == token, "both instances hand out the same token")

                #expect(try await second.send("PUT", "/cal/new.ics", body: "new").code == 201)
                let edited = try await second.send("PUT", "/cal/edited.ics", body: "edited again")
                #expect(edited.code == 204)
                #expect(try await second.send("DELETE", "/cal/gone.ics").code == 204)
                let answer = try await first.sync("/cal/", token)
                #expect(answer.hrefs == ["/cal/new.ics", "/cal/edited.ics", "/cal/gone.ics"], "in the order they were made")
                #expect(answer.changed["/cal/edited.ics"] == edited.header("ETag"))
                #expect(answer.removed == ["/cal/gone.ics"])
                #expect(answer.token != token)
                let fromSecond = try await second.sync("/cal/", token)
                #expect(fromSecond.hrefs == answer.hrefs)
                #expect(fromSecond.token == answer.token)

                // And the other way: a token from the second, a change through the first.
                let later = try #require(fromSecond.token)
                #expect(try await first.send("PROPPATCH", "/cal/kept.ics", body: Self.propertyUpdate("colour", "red")).code == 207)
                #expect(try await first.send("MOVE", "/cal/new.ics", headers: ["Destination": "/cal/moved.ics"]).code == 201)
                let moved = try await second.sync("/cal/", later)
                #expect(moved.changedHrefs == ["/cal/kept.ics", "/cal/moved.ics"])
                #expect(moved.removed == ["/cal/new.ics"])
            }
        }
    }

    /// A change begun on one instance and not yet made holds back the token the other hands out, though
    /// the other's own later change is done: a client listing meanwhile must hear of the first change later.
    @Test func aChangeUnderWayOnOneInstanceHoldsBackTheOthersToken() async throws {
        let cluster = try Cluster()
        try await cluster.app(1).test(.router) { second in
            #expect(try await second.send("MKCOL", "/c/").code == 201)
            let before = try #require(try await second.sync("/c/", nil).token)
            let firstLog = cluster.stores[0].changes
            let ticket = try await BlockingPool.run {
                try firstLog.begin([ChangeEntry(path("c", "slow.txt"), .created, isCollection: false)])
            }
            #expect(try await second.send("PUT", "/c/quick.txt", body: "quick").code == 201)
            let held = try await second.sync("/c/", before)
            #expect(held.token == before, "the window stops below the change under way on the first instance")
            #expect(held.hrefs.isEmpty)
            #expect(try await Self.syncTokenProperty(second, "/c/") == before)

            // The first instance makes its change and ends it: both changes are reported, in order.
            try Data("slow".utf8).write(to: URL(fileURLWithPath: cluster.root.path + "/c/slow.txt"))
            try await BlockingPool.run { firstLog.end(ticket) }
            let after = try await second.sync("/c/", before)
            #expect(after.hrefs == ["/c/slow.txt", "/c/quick.txt"])
            #expect(after.removed.isEmpty)
            #expect(try await Self.syncTokenProperty(second, "/c/") == after.token)
        }
    }

    /// Past the capacity, the oldest entries go for the whole cluster: a token older than the log keeps is
    /// refused by both instances, whichever pruned.
    @Test func aTokenOlderThanTheSharedLogKeepsIsRefusedByEveryInstance() async throws {
        let cluster = try Cluster(changeLogCapacity: 4)
        try await cluster.app(0).test(.router) { first in
            try await cluster.app(1).test(.router) { second in
                #expect(try await second.send("MKCOL", "/c/").code == 201)
                let old = try #require(try await second.sync("/c/", nil).token)
                for index in 0..<8 { #expect(try await first.send("PUT", "/c/n\(index).txt", body: "n").code == 201) }
                for client in [first, second] as [any TestClientProtocol] {
                    let (status, conditions) = try await client.refusal("REPORT", "/c/", body: syncBody(old))
                    #expect(status == 403)
                    #expect(conditions == [DAV.validSyncToken])
                }
                let fresh = try #require(try await first.sync("/c/", nil).token)
                #expect(try await second.send("PUT", "/c/last.txt", body: "last").code == 201)
                #expect(try await second.sync("/c/", fresh).changedHrefs == ["/c/last.txt"])
            }
        }
    }

    /// The torture suite with its requests spread over two instances at random (one tree, one database):
    /// the same invariants and beliefs as on one server.
    @Test func tortureAcrossTwoInstances() async throws {
        let fixture = try ServerFixture(.postgres, seed: false)
        let ledger = try TortureTests.seedTree(fixture)
        let second = try PostgresStores(location: try PostgresLocation(try #require(fixture.postgresURL)))
        defer { second.close() }
        var options = fixture.options
        options.storage = try FileSystemStorage(root: fixture.root.path, uploadTag: second.uploadTag)
        options.properties = second.properties
        options.locks = second.locks
        options.changes = second.changes
        options.cluster = second.cluster
        let apps = [fixture.options, options].map {
            DAVServer.makeApplication(options: $0, host: "127.0.0.1", port: 0, logger: Logger(label: "torture"))
        }
        try await apps[0].test(.live) { first async throws in
            try await apps[1].test(.live) { second async throws in
                try await TortureTests.torture(fixture, ledger, ports: [try #require(first.port), try #require(second.port)])
            }
        }
        TortureTests.expectRaces(ledger)
    }
}
