import DAVCore
import Foundation
import Testing

@testable import DAVServer

/// Requests from someone the access rules refuse, on every method: anonymous is 401, a signed-in user
/// without the right 403, and the refused request changes nothing, not even through the other end of a
/// COPY or MOVE, a lock, or the members of a Depth infinity request.
// One case at a time: each case starts a server, and hundreds at once held nearly 3,000 descriptors in the
// test process, enough to trip a swift-corelibs-foundation bug in Process.run() (an over-read of
// /proc/self/fd entries, fixed upstream in swift-corelibs-foundation#5472) that crashed CI.
@Suite(.serialized)
struct HostileAuthTests {
    /// alice reads and writes everywhere; bob reads `/` and writes only `/bobs/`; `/private/` is alice's alone.
    static func sandbox() throws -> HostileSandbox {
        let hash = PasswordHash(password: "pw", iterations: 100).description
        let yaml = """
            users:
              - {name: alice, password: "\(hash)"}
              - {name: bob, password: "\(hash)"}
            rules:
              - {path: /, read: ["*"], write: [alice]}
              - {path: /private/, read: [alice], write: [alice]}
              - {path: /bobs/, read: [bob], write: [bob]}
              - {path: /sub/hidden/, read: [alice], write: [alice]}
            """
        let access = try AccessRules(configuration: ServerConfiguration.parse(yaml))
        let sandbox = try HostileSandbox { $0.access = access }
        for directory in ["private", "bobs", "sub/hidden"] {
            try FileManager.default.createDirectory(atPath: sandbox.root + "/" + directory, withIntermediateDirectories: true)
        }
        try "alice's".write(toFile: sandbox.root + "/private/doc.txt", atomically: false, encoding: .utf8)
        try "hidden".write(toFile: sandbox.root + "/sub/hidden/note.txt", atomically: false, encoding: .utf8)
        try "bob's".write(toFile: sandbox.root + "/bobs/mine.txt", atomically: false, encoding: .utf8)
        return sandbox
    }

    static func basic(_ user: String, _ password: String = "pw") -> [String: String] {
        ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    static let methods = HostileRequestTests.methods.filter { $0 != "OPTIONS" }

    /// Headers and body that make `method` otherwise valid; COPY and MOVE land in a place bob may write.
    static func request(_ method: String, as credentials: [String: String]) -> (headers: [String: String], body: String?) {
        let (pairs, bytes) = HostileRequestTests.parts(of: method)
        var headers = credentials
        for (name, value) in pairs { headers[name] = value }
        if method == "COPY" || method == "MOVE" { headers["Destination"] = "/bobs/taken.txt" }
        if method == "PROPFIND" { headers["Depth"] = "infinity" }
        return (headers, bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
    }

    /// Nothing in the tree, the dead properties or the locks of `/private/` changed.
    static func expectNothingChanged(_ sandbox: HostileSandbox, since before: [String: String], sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(sandbox.rootState == before, "the tree changed", sourceLocation: sourceLocation)
        let doc = path("private", "doc.txt")
        #expect(try sandbox.options.properties.properties(at: doc).isEmpty, sourceLocation: sourceLocation)
        #expect(
            try sandbox.options.locks.locks(covering: path("private"), descendants: true, now: Date().timeIntervalSince1970).isEmpty,
            sourceLocation: sourceLocation)
        #expect(sandbox.outsideIsUntouched, sourceLocation: sourceLocation)
    }

    @Test(arguments: methods, ["anonymous", "wrong password", "bob"])
    func refusedOnEveryMethod(_ method: String, _ who: String) async throws {
        let sandbox = try Self.sandbox()
        let before = sandbox.rootState
        let credentials = who == "anonymous" ? [:] : who == "bob" ? Self.basic("bob") : Self.basic("alice", "guess")
        try await sandbox.serve(.router) { _, client in
            let (headers, body) = Self.request(method, as: credentials)
            let answer = try await client.send(method, "/private/doc.txt", headers: headers, body: body)
            #expect(answer.code == (who == "bob" ? 403 : 401))
            if answer.code == 401 { #expect(answer.header("WWW-Authenticate")?.hasPrefix("Basic") == true) }
            #expect(!answer.text.contains("alice's"))
            try Self.expectNothingChanged(sandbox, since: before)
            #expect(try await client.send("OPTIONS", "/private/doc.txt").code == 200, "OPTIONS needs no credentials")
            #expect(try await client.send("GET", "/private/doc.txt", headers: Self.basic("alice")).text == "alice's")
        }
    }

    /// COPY and MOVE where bob may touch the source but not the Destination, or the top but not a member.
    static let copyMoveCases: [(name: String, method: String, source: String, destination: String)] = [
        ("COPY into a place bob may not write", "COPY", "/plain.txt", "/private/planted.txt"),
        ("COPY over a file bob may not write", "COPY", "/bobs/mine.txt", "/private/doc.txt"),
        ("COPY of a file bob may not read", "COPY", "/private/doc.txt", "/bobs/leak.txt"),
        ("COPY of a tree with a member bob may not read", "COPY", "/sub/", "/bobs/sub/"),
        ("MOVE into a place bob may not write", "MOVE", "/bobs/mine.txt", "/private/mine.txt"),
        ("MOVE over a file bob may read but not write", "MOVE", "/bobs/mine.txt", "/plain.txt"),
        ("MOVE of a file bob may not write", "MOVE", "/plain.txt", "/bobs/plain.txt"),
        ("COPY of bob's tree over a tree with a member bob may not write", "COPY", "/bobs/", "/sub/"),
    ]

    @Test(arguments: copyMoveCases.indices)
    func copyAndMoveCheckBothEnds(_ index: Int) async throws {
        let (name, method, source, destination) = Self.copyMoveCases[index]
        let sandbox = try Self.sandbox()
        if name.hasSuffix("may not write") && destination == "/sub/" {
            // Let bob write /sub/ but not /sub/hidden/: only the member refuses.
            let hash = PasswordHash(password: "pw", iterations: 100).description
            sandbox.options.access = try AccessRules(
                configuration: ServerConfiguration.parse(
                    """
                    users: [{name: alice, password: "\(hash)"}, {name: bob, password: "\(hash)"}]
                    rules:
                      - {path: /, read: ["*"], write: [alice, bob]}
                      - {path: /sub/hidden/, read: [alice], write: [alice]}
                    """))
        }
        let before = sandbox.rootState
        try await sandbox.serve(.router) { _, client in
            var headers = Self.basic("bob")
            headers["Destination"] = destination
            headers["Overwrite"] = "T"
            headers["Depth"] = "infinity"
            let anonymous = try await client.send(method, source, headers: ["Destination": destination])
            #expect(anonymous.code == 401, "\(name), anonymous")
            let answer = try await client.send(method, source, headers: headers)
            #expect(answer.code == 403, "\(name)")
            try Self.expectNothingChanged(sandbox, since: before)
        }
    }

    @Test func lockOnForbiddenPathsCreatesNothing() async throws {
        let sandbox = try Self.sandbox()
        let before = sandbox.rootState
        try await sandbox.serve(.router) { _, client in
            var headers = Self.basic("bob")
            for target in ["/private/doc.txt", "/private/new.txt", "/private/", "/plain.txt"] {
                headers["Depth"] = "infinity"
                #expect(try await client.send("LOCK", target, headers: headers, body: lockBody()).code == 403, "\(target)")
                #expect(try await client.send("LOCK", target, body: lockBody()).code == 401, "\(target)")
            }
            // A refresh (no body) is refused the same way.
            headers["If"] = "(<urn:uuid:00000000-0000-4000-8000-000000000000>)"
            #expect(try await client.send("LOCK", "/private/doc.txt", headers: headers).code == 403, "refresh")
            try Self.expectNothingChanged(sandbox, since: before)
            #expect(try await client.send("LOCK", "/private/doc.txt", headers: Self.basic("alice"), body: lockBody()).code == 200)
        }
    }

    @Test func depthInfinityListsOnlyWhatTheUserMayRead() async throws {
        let sandbox = try Self.sandbox()
        try await sandbox.serve { _, client in
            var headers = Self.basic("bob")
            headers["Depth"] = "infinity"
            let listing = try await client.send("PROPFIND", "/", headers: headers, body: propfindAll)
            #expect(listing.code == 207)
            let hrefs = try listing.multiStatus().responses.compactMap(\.href)
            #expect(hrefs.contains("/bobs/mine.txt") && hrefs.contains("/sub/inner.txt"))
            #expect(!hrefs.contains { $0.hasPrefix("/private") || $0.hasPrefix("/sub/hidden") })
            #expect(!listing.text.contains("alice's") && !listing.text.contains("hidden"))
            #expect(try await client.send("PROPFIND", "/private/", headers: headers).code == 403)
            #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"]).code == 401)
            let index = try await client.send("GET", "/sub/", headers: Self.basic("bob"))
            #expect(index.code == 200 && !index.text.contains("hidden"))
            try await sandbox.expectStillServingAndConfined(client, headers: Self.basic("bob"))
        }
    }
}
