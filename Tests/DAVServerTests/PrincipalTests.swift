import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// The live properties a REPORT-capable server adds (supported-report-set, sync-token,
/// current-user-principal) and the principals they point to, kept apart from the served tree.
struct PrincipalTests {
    static let principals = "/.davdoctor-principals/"
    static let ask =
        #"<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:displayname/><D:principal-URL/><D:current-user-principal/><D:sync-token/></D:prop></D:propfind>"#

    @Test func principalsAreAnsweredForTheirOwnUserOnly() async throws {
        let fixture = try SyncAccessTests.fixture(.memory)
        let alice = AccessTests.basic("alice")
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let current = #"<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>"#
            let found = try await client.send("PROPFIND", "/", headers: alice.merging(["Depth": "0"]) { $1 }, body: current)
            let principal = try #require(try found.multiStatus().responses.first?.value(of: DAV.currentUserPrincipal))
            #expect(principal.child(DAV.href)?.text == Self.principals + "alice/")

            let own = try await client.send("PROPFIND", Self.principals + "alice/", headers: alice.merging(["Depth": "0"]) { $1 }, body: Self.ask)
            #expect(own.code == 207)
            let response = try #require(try own.multiStatus().responses.first)
            #expect(response.href == Self.principals + "alice/")
            let type = try #require(response.value(of: DAV.resourcetype))
            #expect(type.child(DAV.principal) != nil && type.child(DAV.collection) != nil)
            #expect(response.value(of: DAV.displayname)?.text == "alice")
            #expect(response.value(of: DAV.principalURL)?.child(DAV.href)?.text == Self.principals + "alice/")
            #expect(response.value(of: DAV.syncToken) == nil, "a principal has no sync token")

            let listing = try await client.send("PROPFIND", Self.principals, headers: alice.merging(["Depth": "1"]) { $1 }, body: Self.ask)
            #expect(try listing.multiStatus().responses.compactMap(\.href) == [Self.principals, Self.principals + "alice/"])
            // Another user's principal is not shown, like a name that does not exist; anonymous is 401.
            #expect(try await client.send("PROPFIND", Self.principals + "bob/", headers: alice, body: Self.ask).code == 404)
            #expect(try await client.send("PROPFIND", Self.principals + "nobody/", headers: alice, body: Self.ask).code == 404)
            #expect(try await client.send("PROPFIND", Self.principals + "alice/", body: Self.ask).code == 401)
            // Nothing can be written there, nor copied or moved there; principals answer no report.
            #expect(try await client.send("PUT", Self.principals + "alice/x.txt", headers: alice, body: "x").code == 403)
            #expect(try await client.send("MKCOL", Self.principals + "carol/", headers: alice).code == 403)
            #expect(try await client.send("DELETE", Self.principals + "alice/", headers: alice).code == 403)
            #expect(try await client.send("PUT", "/a.txt", headers: alice, body: "a").code == 201)
            let copy = alice.merging(["Destination": Self.principals + "alice/a.txt"]) { $1 }
            #expect(try await client.send("COPY", "/a.txt", headers: copy).code == 403)
            #expect(
                try await client.refusal("REPORT", Self.principals + "alice/", headers: alice, body: syncBody(nil)) == (403, [DAV.supportedReport]))
            #expect(try await client.send("GET", Self.principals + "alice/", headers: alice).code == 405)
        }
    }

    /// A file or directory named `principals` in the root is an ordinary resource; the principals live elsewhere.
    @Test(arguments: Backend.allCases)
    func aRootEntryNamedPrincipalsIsAnOrdinaryResource(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            #expect(try await client.send("PUT", "/principals", body: "just a file").code == 201)
            #expect(try await client.send("GET", "/principals").text == "just a file")
            let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "1"], body: propfindAll)
            #expect(Set(try listing.multiStatus().responses.compactMap(\.href)) == ["/", "/principals"])
            // No users: no principal, and the current user is unauthenticated.
            #expect(try await client.send("PROPFIND", Self.principals + "anyone/", body: Self.ask).code == 404)
            let root = try await client.send("PROPFIND", "/", headers: ["Depth": "0"], body: Self.ask)
            let current = try #require(try root.multiStatus().responses.first?.value(of: DAV.currentUserPrincipal))
            #expect(current.child(DAV.unauthenticated) != nil)
        }
        let clash = try ServerFixture(backend, seed: false)
        try clash.options.storage.makeCollection(at: DAVServerOptions.defaultPrincipalsPath)
        #expect(throws: DAVError.self, "a tree entry where principals live is refused at start-up") {
            try DAVServer.checkPrincipalsPath(clash.options)
        }
        try DAVServer.checkPrincipalsPath(fixture.options)
    }

    @Test(arguments: Backend.allCases)
    func theNewLivePropertiesAreProtectedAndLeftOutOfAllprop(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            #expect(try await client.send("MKCOL", "/c/").code == 201)
            #expect(try await client.send("PUT", "/c/f.txt", body: "f").code == 201)
            let all = try await client.send("PROPFIND", "/c/", headers: ["Depth": "0"], body: propfindAll)
            let names = Set(try #require(try all.multiStatus().responses.first).properties.map(\.property.name))
            #expect(names.isDisjoint(with: [DAV.syncToken, DAV.supportedReportSet, DAV.currentUserPrincipal]), "RFC 6578 §4: not in allprop")
            let propname = #"<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>"#
            let listed = try await client.send("PROPFIND", "/c/", headers: ["Depth": "0"], body: propname)
            let listedNames = Set(try #require(try listed.multiStatus().responses.first).properties.map(\.property.name))
            #expect(listedNames.isSuperset(of: [DAV.syncToken, DAV.supportedReportSet, DAV.currentUserPrincipal]))

            let reports = #"<D:propfind xmlns:D="DAV:"><D:prop><D:supported-report-set/><D:sync-token/></D:prop></D:propfind>"#
            let collection = try #require(
                try await client.send("PROPFIND", "/c/", headers: ["Depth": "0"], body: reports).multiStatus().responses.first)
            let set = try #require(collection.value(of: DAV.supportedReportSet))
            #expect(set.element.descendants(named: DAV.syncCollection).count == 1)
            #expect(collection.value(of: DAV.syncToken)?.text.hasPrefix("http://davdoctor.invalid/sync/") == true)
            let file = try #require(
                try await client.send("PROPFIND", "/c/f.txt", headers: ["Depth": "0"], body: reports).multiStatus().responses.first)
            #expect(file.value(of: DAV.supportedReportSet)?.isEmpty == true, "a file answers no report")
            #expect(file.properties.first { $0.property.name == DAV.syncToken }?.status?.code == 404)

            let patch =
                #"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:sync-token>http://x.invalid/1</D:sync-token></D:prop></D:set></D:propertyupdate>"#
            let refused = try #require(try await client.send("PROPPATCH", "/c/", body: patch).multiStatus().responses.first)
            #expect(refused.propstats.first?.status?.code == 403)
            #expect(refused.propstats.first?.error?.elements.map(\.name) == [DAV.cannotModifyProtectedProperty])

            let options = try await client.send("OPTIONS", "/c/")
            #expect(options.header("DAV") == "1, 2", "no compliance class is claimed for REPORT")
            #expect(options.header("Allow")?.contains("REPORT") == true)
        }
    }

    @Test func theConfigNamesThePrincipalsPath() throws {
        #expect(try ServerConfiguration.parse("principals: /people/").principalsPath() == ResourcePath(segments: ["people"]))
        #expect(try ServerConfiguration.parse("users: []").principalsPath() == nil)
        for bad in ["/", "people", "/a/../b/"] {
            #expect(throws: DAVError.self, "\(bad)") { try ServerConfiguration.parse("principals: \"\(bad)\"").principalsPath() }
        }
        let limits = try ServerConfiguration.parse("limits: {syncResults: 50, syncHistory: 500}").limits
        #expect(limits?.syncResults == 50 && limits?.syncHistory == 500)
    }
}
