import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// `DAV:sync-collection` (RFC 6578) end to end, in process, over every set of backends: what a first
/// synchronisation lists, what later ones report after each kind of change, truncation and its
/// continuation, refused tokens and requests, and a restart of the persistent store.
struct SyncCollectionTests {
    /// `/c/` with a.txt, b.txt and sub/s.txt, and the token of a first synchronisation of it.
    static func seeded(_ client: some TestClientProtocol) async throws -> String {
        #expect(try await client.send("MKCOL", "/c/").code == 201)
        #expect(try await client.send("PUT", "/c/a.txt", body: "a").code == 201)
        #expect(try await client.send("PUT", "/c/b.txt", body: "b").code == 201)
        #expect(try await client.send("MKCOL", "/c/sub/").code == 201)
        #expect(try await client.send("PUT", "/c/sub/s.txt", body: "s").code == 201)
        let first = try await client.sync("/c/", nil)
        #expect(first.changedHrefs == ["/c/a.txt", "/c/b.txt", "/c/sub/"])
        #expect(first.removed.isEmpty, "a first synchronisation reports no removed member (RFC 6578 §3.4)")
        #expect(!first.truncated)
        return try #require(first.token)
    }

    @Test(arguments: Backend.stores)
    func firstSynchronisationListsTheMembersWithAURIToken(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let token = try await Self.seeded(client)
            let uri = try #require(URL(string: token))
            #expect(uri.scheme == "http" && uri.host == "davdoctor.invalid", "a sync token is an absolute URI (RFC 6578 §3.2)")
            let etag = try #require(try await client.send("GET", "/c/a.txt").header("ETag"))
            #expect(try await client.sync("/c/", nil).changed["/c/a.txt"] == etag)
            // Nothing changed: nothing reported, the same token back.
            let again = try await client.sync("/c/", token)
            #expect(again.hrefs.isEmpty)
            #expect(again.token == token)
            // The collection's DAV:sync-token property is the token a report would give now (RFC 6578 §4).
            let asked = #"<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>"#
            let property = try await client.send("PROPFIND", "/c/", headers: ["Depth": "0"], body: asked)
            #expect(try property.multiStatus().responses.first?.value(of: DAV.syncToken)?.text == token)
        }
    }

    @Test(arguments: Backend.stores)
    func addChangeDeleteAndPropertiesAreReported(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let token = try await Self.seeded(client)
            #expect(try await client.send("PUT", "/c/new.txt", body: "new").code == 201)
            let replaced = try await client.send("PUT", "/c/a.txt", body: "a, changed")
            #expect(replaced.code == 204)
            #expect(try await client.send("DELETE", "/c/b.txt").code == 204)
            #expect(try await client.send("PUT", "/c/sub/deep.txt", body: "deep").code == 201)
            let patch =
                #"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:colour>red</Z:colour></D:prop></D:set></D:propertyupdate>"#
            #expect(try await client.send("PROPPATCH", "/c/sub/", body: patch).code == 207)
            let answer = try await client.sync("/c/", token)
            #expect(answer.changedHrefs == ["/c/new.txt", "/c/a.txt", "/c/sub/"])
            #expect(answer.changed["/c/a.txt"] == replaced.header("ETag"))
            #expect(answer.removed == ["/c/b.txt"])
            #expect(answer.hrefs == ["/c/new.txt", "/c/a.txt", "/c/b.txt", "/c/sub/"], "in the order the changes were made")
            #expect(answer.token != token)
            // Created and deleted between two synchronisations: reported removed (RFC 6578 §3.5.2).
            #expect(try await client.send("PUT", "/c/brief.txt", body: "x").code == 201)
            #expect(try await client.send("DELETE", "/c/brief.txt").code == 204)
            let brief = try await client.sync("/c/", answer.token)
            #expect(brief.removed == ["/c/brief.txt"])
            #expect(brief.changed.isEmpty)
            // Removed then mapped again: changed, never removed (RFC 6578 §3.5.1).
            #expect(try await client.send("DELETE", "/c/a.txt").code == 204)
            #expect(try await client.send("PUT", "/c/a.txt", body: "back").code == 201)
            let back = try await client.sync("/c/", brief.token)
            #expect(back.changedHrefs == ["/c/a.txt"])
            #expect(back.removed.isEmpty)
        }
    }

    @Test(arguments: Backend.stores)
    func moveIsARemovalAndACreationAndCopyACreation(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let token = try await Self.seeded(client)
            #expect(try await client.send("MKCOL", "/other/").code == 201)
            let otherToken = try #require(try await client.sync("/other/", nil).token)
            #expect(try await client.send("MOVE", "/c/a.txt", headers: ["Destination": "/c/renamed.txt"]).code == 201)
            #expect(try await client.send("MOVE", "/c/b.txt", headers: ["Destination": "/other/b.txt"]).code == 201)
            #expect(try await client.send("COPY", "/c/sub/", headers: ["Destination": "/other/sub/"]).code == 201)
            let here = try await client.sync("/c/", token)
            #expect(here.removed.sorted() == ["/c/a.txt", "/c/b.txt"])
            #expect(here.changedHrefs == ["/c/renamed.txt"])
            let there = try await client.sync("/other/", otherToken)
            #expect(there.changedHrefs == ["/other/b.txt", "/other/sub/"])
            #expect(there.removed.isEmpty)
            let deep = try await client.sync("/other/", otherToken, level: "infinite")
            #expect(deep.changedHrefs == ["/other/b.txt", "/other/sub/", "/other/sub/s.txt"], "what a COPY brought, member by member")
        }
    }

    @Test(arguments: Backend.stores)
    func infiniteLevelReportsMembersAtAnyDepth(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            _ = try await Self.seeded(client)
            let first = try await client.sync("/c/", nil, level: "infinite")
            #expect(first.hrefs == ["/c/a.txt", "/c/b.txt", "/c/sub/", "/c/sub/s.txt"], "names in byte order, a collection before its members")
            let token = try #require(first.token)
            #expect(try await client.send("PUT", "/c/sub/s.txt", body: "s, changed").code == 204)
            #expect(try await client.send("MKCOL", "/c/sub/deeper/").code == 201)
            #expect(try await client.send("PUT", "/c/sub/deeper/d.txt", body: "d").code == 201)
            let deep = try await client.sync("/c/", token, level: "infinite")
            #expect(deep.changedHrefs == ["/c/sub/s.txt", "/c/sub/deeper/", "/c/sub/deeper/d.txt"])
            #expect(try await client.sync("/c/", token, level: "1").hrefs.isEmpty, "level 1 sees direct members only")
            // A removed collection stands for its members (RFC 6578 §3.5.2)...
            #expect(try await client.send("DELETE", "/c/sub/").code == 204)
            let gone = try await client.sync("/c/", deep.token, level: "infinite")
            #expect(gone.removed == ["/c/sub/"])
            #expect(gone.changed.isEmpty)
            // ... but one mapped again must not keep the old members alive in the client.
            #expect(try await client.send("MKCOL", "/c/sub/").code == 201)
            let remapped = try await client.sync("/c/", deep.token, level: "infinite")
            #expect(remapped.changedHrefs == ["/c/sub/"])
            #expect(Set(remapped.removed) == ["/c/sub/s.txt", "/c/sub/deeper/"], "deeper/ removed stands for d.txt")
        }
    }

    @Test(arguments: Backend.stores)
    func truncatedAnswersContinueFromTheirToken(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false) { $0.maxSyncResults = 2 }
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            #expect(try await client.send("MKCOL", "/t/").code == 201)
            for name in ["e", "a", "d", "b", "c"] { #expect(try await client.send("PUT", "/t/\(name).txt", body: name).code == 201) }
            let first = try await client.syncAll("/t/", nil)
            #expect(first.count == 3)
            #expect(first.map(\.hrefs.count) == [2, 2, 1])
            #expect(first.map(\.truncated) == [true, true, false])
            #expect(first.flatMap(\.hrefs) == ["a", "b", "c", "d", "e"].map { "/t/\($0).txt" })
            // A change made between two parts, to a member already listed, comes in the next part.
            let part = try await client.sync("/t/", nil)
            #expect(try await client.send("PUT", "/t/a.txt", body: "a, changed").code == 204)
            let rest = try await client.sync("/t/", part.token)
            #expect(rest.hrefs == ["/t/a.txt", "/t/c.txt"])
            #expect(rest.truncated)

            let token = try #require(first.last?.token)
            for name in ["e", "d", "c"] { #expect(try await client.send("DELETE", "/t/\(name).txt").code == 204) }
            #expect(try await client.send("PUT", "/t/b.txt", body: "b, changed").code == 204)
            let changes = try await client.syncAll("/t/", token)
            #expect(changes.map(\.truncated) == [true, true, false])
            #expect(changes.flatMap(\.hrefs) == ["/t/a.txt", "/t/e.txt", "/t/d.txt", "/t/c.txt", "/t/b.txt"], "in the order they were made")
            #expect(changes.flatMap(\.removed) == ["/t/e.txt", "/t/d.txt", "/t/c.txt"])
            #expect(changes.flatMap(\.changedHrefs) == ["/t/a.txt", "/t/b.txt"])
            // The client's own DAV:limit, lower than the server's.
            let one = try await client.syncAll("/t/", token, nresults: "1")
            #expect(one.map(\.hrefs.count) == [1, 1, 1, 1, 1])
            #expect(one.flatMap(\.hrefs) == changes.flatMap(\.hrefs))
            // Larger than anything: the server's limit applies.
            let huge = try await client.sync("/t/", token, nresults: String(repeating: "9", count: 400))
            #expect(huge.hrefs.count == 2 && huge.truncated)
        }
    }

    @Test(arguments: Backend.stores)
    func aLimitThatCannotBeHonouredIs507(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let token = try await Self.seeded(client)
            #expect(try await client.sync("/c/", token, nresults: "0").hrefs.isEmpty, "nothing due: a limit of 0 is honoured")
            #expect(try await client.send("PUT", "/c/a.txt", body: "changed").code == 204)
            let (status, conditions) = try await client.refusal("REPORT", "/c/", body: syncBody(token, nresults: "0"))
            #expect(status == 507)
            #expect(conditions == [DAV.numberOfMatchesWithinLimits])
        }
    }

    @Test(arguments: Backend.stores)
    func unknownForeignExpiredAndFutureTokensAreRefused(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false, changeLogCapacity: 4)
        let stranger = try ServerFixture(backend, seed: false)
        let foreign = SyncToken(logID: stranger.options.changes.logID, revision: 0).uri
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let token = try await Self.seeded(client)
            let current = try #require(SyncToken(uri: token))
            let refused = [
                "bogus", "urn:uuid:00000000-0000-4000-8000-000000000000", foreign,
                SyncToken(logID: current.logID, revision: current.revision + 1).uri,
                SyncToken(logID: current.logID, revision: current.revision, cursor: path("elsewhere", "x")).uri,
                "http://davdoctor.invalid/sync/" + String(repeating: "7", count: 10 << 10),
            ]
            for text in refused {
                let (status, conditions) = try await client.refusal("REPORT", "/c/", body: syncBody(text))
                #expect(status == 403, "\(text.prefix(60))")
                #expect(conditions == [DAV.validSyncToken], "\(text.prefix(60))")
            }
            // Older than the log keeps: more changes than its capacity since.
            for index in 0..<8 { #expect(try await client.send("PUT", "/c/n\(index).txt", body: "n").code == 201) }
            let (status, conditions) = try await client.refusal("REPORT", "/c/", body: syncBody(token))
            #expect(status == 403)
            #expect(conditions == [DAV.validSyncToken])
            // The collection was removed and made again: its old token names another collection.
            let fresh = try #require(try await client.sync("/c/sub/", nil).token)
            #expect(try await client.send("DELETE", "/c/sub/").code == 204)
            #expect(try await client.send("MKCOL", "/c/sub/").code == 201)
            #expect(try await client.refusal("REPORT", "/c/sub/", body: syncBody(fresh)).1 == [DAV.validSyncToken])
        }
    }

    @Test(arguments: Backend.stores)
    func wrongDepthUnknownReportsAndBadBodiesAreRefused(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            _ = try await Self.seeded(client)
            for depth in ["1", "infinity", "2", ""] {
                let answer = try await client.send("REPORT", "/c/", headers: ["Depth": depth], body: syncBody(nil))
                #expect(answer.code == 400, "Depth: \(depth)")
                #expect(answer.header("Content-Type")?.hasPrefix("text/plain") == true)
            }
            #expect(try await client.send("REPORT", "/c/", headers: ["Depth": "0"], body: syncBody(nil)).code == 207)
            let unknown = #"<?xml version="1.0"?><D:expand-property xmlns:D="DAV:"/>"#
            #expect(try await client.refusal("REPORT", "/c/", body: unknown) == (403, [DAV.supportedReport]))
            let calendar = #"<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>"#
            #expect(try await client.refusal("REPORT", "/c/", body: calendar) == (403, [DAV.supportedReport]))
            #expect(try await client.refusal("REPORT", "/c/a.txt", body: syncBody(nil)) == (403, [DAV.supportedReport]), "files answer no report")
            #expect(try await client.send("REPORT", "/missing/", body: syncBody(nil)).code == 404)
            let bad = [
                "", "<D:sync-collection xmlns:D=\"DAV:\">", "not xml at all",
                #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><D:sync-collection xmlns:D="DAV:"><D:sync-token>&e;</D:sync-token><D:sync-level>1</D:sync-level><D:prop/></D:sync-collection>"#,
                #"<D:sync-collection xmlns:D="DAV:"><D:sync-level>1</D:sync-level><D:prop/></D:sync-collection>"#,
                #"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:prop/></D:sync-collection>"#,
                syncBody(nil, level: "2"), syncBody(nil, level: "infinity"), syncBody(nil, nresults: "-1"), syncBody(nil, nresults: "ten"),
                syncBody(nil, nresults: ""), syncBody(nil, nresults: "1 2"),
                #"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:limit/><D:prop/></D:sync-collection>"#,
                #"<D:sync-collection xmlns:D="DAV:"><D:sync-token><D:href>x</D:href></D:sync-token><D:sync-level>1</D:sync-level><D:prop/></D:sync-collection>"#,
            ]
            for body in bad {
                #expect(try await client.send("REPORT", "/c/", body: body).code == 400, "\(body.prefix(80))")
            }
            #expect(try await client.send("GET", "/c/a.txt").text == "a", "still serving")
        }
    }

    /// The SQLite store reopened, as after a restart: the log ID, the revisions and the log are kept, so a
    /// token from before the restart still works and reports what changed while the server was up.
    @Test func aRestartKeepsTokensAndTheChangeLog() async throws {
        let root = TemporaryDirectory()
        let data = TemporaryDirectory()
        func options() throws -> DAVServerOptions {
            let stores = try DAVServer.persistentStores(dataDirectory: data.path)
            return DAVServerOptions(
                storage: try FileSystemStorage(root: root.path), properties: stores.properties, locks: stores.locks, changes: stores.changes)
        }
        let fixture = try ServerFixture(.persistent, seed: false)
        fixture.options = try options()
        let token = try await makeApp(fixture).test(.router) { client async throws in
            let token = try await Self.seeded(client)
            #expect(try await client.send("PUT", "/c/a.txt", body: "before the restart").code == 204)
            #expect(try await client.send("DELETE", "/c/b.txt").code == 204)
            return token
        }
        fixture.options = try options()
        try await makeApp(fixture).test(.router) { client async throws in
            let answer = try await client.sync("/c/", token)
            #expect(answer.changedHrefs == ["/c/a.txt"])
            #expect(answer.removed == ["/c/b.txt"])
            let after = try #require(answer.token)
            #expect(try await client.send("PUT", "/c/z.txt", body: "after").code == 201)
            #expect(try await client.sync("/c/", after).changedHrefs == ["/c/z.txt"])
        }
    }
}
