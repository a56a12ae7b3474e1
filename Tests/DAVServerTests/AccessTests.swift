import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// Authentication and access rules through the responder: every method, both ends of COPY and MOVE,
/// and listings that never show what the user may not read.
struct AccessTests {
    static func fixture(
        rules: String = """
          - {path: /, read: ["*"], write: [alice]}
          - {path: /sub dir/, read: [alice], write: [alice]}
        """
    ) throws -> ServerFixture {
        let hash = PasswordHash(password: "pw", iterations: 100).description
        let yaml = """
            users:
              - {name: alice, password: "\(hash)", groups: [staff]}
              - {name: bob, password: "\(hash)"}
            rules:
            \(rules)
            """
        let access = try AccessRules(configuration: ServerConfiguration.parse(yaml))
        return try ServerFixture(.memory) { $0.access = access }
    }

    static func basic(_ user: String, _ password: String = "pw") -> [String: String] {
        ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    @Test func authenticationAndRules() async throws {
        let fixture = try Self.fixture()
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            #expect(try await client.send("OPTIONS", "/").code == 200)
            let anonymous = try await client.send("GET", "/plain.txt")
            #expect(anonymous.code == 401)
            #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Basic") == true)
            #expect(try await client.send("GET", "/plain.txt", headers: Self.basic("bob", "wrong")).code == 401)
            #expect(try await client.send("GET", "/plain.txt", headers: Self.basic("bob")).code == 200)
            #expect(try await client.send("PUT", "/plain.txt", headers: Self.basic("bob"), body: "x").code == 403)
            #expect(try await client.send("PUT", "/plain.txt", headers: Self.basic("alice"), body: "x").code == 204)
            #expect(try await client.send("GET", "/sub%20dir/nested.txt", headers: Self.basic("bob")).code == 403)
            var headers = Self.basic("bob")
            headers["Destination"] = "/stolen.txt"
            #expect(try await client.send("COPY", "/sub%20dir/nested.txt", headers: headers).code == 403)
            headers = Self.basic("alice")
            headers["Destination"] = "/sub%20dir/copied.txt"
            #expect(try await client.send("COPY", "/plain.txt", headers: headers).code == 201)
        }
    }

    @Test func locksBelongToTheirCreator() async throws {
        let fixture = try Self.fixture(rules: "  - {path: /, read: [\"*\"], write: [\"*\"]}")
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let locked = try await client.send("LOCK", "/plain.txt", headers: Self.basic("alice"), body: lockBody())
            let token = try #require(locked.header("Lock-Token"))
            // bob may write, and knows alice's token, but the lock is not his (RFC 4918 §6.4).
            var headers = Self.basic("bob")
            headers["If"] = "(\(token))"
            #expect(try await client.send("PUT", "/plain.txt", headers: headers, body: "bob's").code == 423)
            headers["Lock-Token"] = token
            #expect(try await client.send("UNLOCK", "/plain.txt", headers: headers).code == 403)
            headers = Self.basic("alice")
            headers["If"] = "(\(token))"
            #expect(try await client.send("PUT", "/plain.txt", headers: headers, body: "mine").code == 204)
            headers["Lock-Token"] = token
            #expect(try await client.send("UNLOCK", "/plain.txt", headers: headers).code == 204)
        }
    }

    @Test func listingsHideWhatTheUserMayNotRead() async throws {
        let fixture = try Self.fixture()
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            var headers = Self.basic("bob")
            headers["Depth"] = "infinity"
            let hrefs = try await client.send("PROPFIND", "/", headers: headers).multiStatus().responses.compactMap(\.href)
            #expect(!hrefs.contains { $0.hasPrefix("/sub%20dir") })
            #expect(hrefs.contains("/plain.txt"))
            headers["Depth"] = "1"
            let shallow = try await client.send("PROPFIND", "/", headers: headers).multiStatus().responses.compactMap(\.href)
            #expect(!shallow.contains { $0.hasPrefix("/sub%20dir") })
            headers = Self.basic("alice")
            headers["Depth"] = "1"
            #expect(try await client.send("PROPFIND", "/", headers: headers).multiStatus().responses.compactMap(\.href).contains("/sub%20dir/"))
        }
    }
}
