import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// A sync-collection REPORT is a read: the access rules decide on the request-URI before the report runs,
/// and no answer (first listing or later changes) names a member the user may not read.
struct SyncAccessTests {
    static func fixture(_ backend: Backend) throws -> ServerFixture {
        let hash = PasswordHash(password: "pw", iterations: 100).description
        let yaml = """
            users:
              - {name: alice, password: "\(hash)"}
              - {name: bob, password: "\(hash)"}
            rules:
              - {path: /, read: ["*"], write: ["*"]}
              - {path: /c/secret/, read: [alice], write: [alice]}
              - {path: /c/hidden.txt, read: [alice], write: [alice]}
            """
        let access = try AccessRules(configuration: ServerConfiguration.parse(yaml))
        return try ServerFixture(backend, seed: false) { $0.access = access }
    }

    @Test(arguments: Backend.allCases)
    func membersTheUserMayNotReadAreNeverListed(_ backend: Backend) async throws {
        let fixture = try Self.fixture(backend)
        let alice = AccessTests.basic("alice")
        let bob = AccessTests.basic("bob")
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            for (method, uri) in [
                ("MKCOL", "/c/"), ("PUT", "/c/a.txt"), ("PUT", "/c/hidden.txt"), ("MKCOL", "/c/secret/"), ("PUT", "/c/secret/x.txt"),
            ] {
                #expect(try await client.send(method, uri, headers: alice, body: method == "PUT" ? "content" : nil).code == 201)
            }
            let everything = try await client.sync("/c/", nil, level: "infinite", headers: alice)
            #expect(everything.changedHrefs == ["/c/a.txt", "/c/hidden.txt", "/c/secret/", "/c/secret/x.txt"])
            let first = try await client.sync("/c/", nil, level: "infinite", headers: bob)
            #expect(first.changedHrefs == ["/c/a.txt"])
            let token = try #require(first.token)

            #expect(try await client.send("PUT", "/c/hidden.txt", headers: alice, body: "changed").code == 204)
            #expect(try await client.send("PUT", "/c/secret/y.txt", headers: alice, body: "new").code == 201)
            #expect(try await client.send("DELETE", "/c/secret/x.txt", headers: alice).code == 204)
            #expect(try await client.send("PUT", "/c/b.txt", headers: bob, body: "bob's").code == 201)
            let later = try await client.sync("/c/", token, level: "infinite", headers: bob)
            #expect(later.changedHrefs == ["/c/b.txt"])
            #expect(later.removed.isEmpty)
            let aliceLater = try await client.sync("/c/", token, level: "infinite", headers: alice)
            #expect(aliceLater.changedHrefs == ["/c/hidden.txt", "/c/secret/y.txt", "/c/b.txt"])
            #expect(aliceLater.removed == ["/c/secret/x.txt"])

            // Decided before the report runs: 401 anonymous, 403 for bob on a collection he may not read.
            #expect(try await client.send("REPORT", "/c/", body: syncBody(nil)).code == 401)
            #expect(try await client.send("REPORT", "/c/secret/", headers: bob, body: syncBody(nil)).code == 403)
        }
    }
}
