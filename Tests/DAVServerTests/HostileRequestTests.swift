import Foundation
import Testing

@testable import DAVServer

/// One hostile request target, sent byte for byte, and what every method must get for it.
struct HostileTarget: Sendable, CustomTestStringConvertible {
    enum Refusal: Sendable {
        /// The path cannot be decoded safely: 400 for every method, OPTIONS included.
        case badRequest
        /// The path decodes, but leads out of the root through a symbolic link: 403. OPTIONS touches
        /// nothing and answers 200; UNLOCK touches no file and finds no lock there (409).
        case leadsOutside
    }

    let name: String
    let bytes: [UInt8]
    let refusal: Refusal

    init(_ name: String, _ target: String, _ refusal: Refusal = .badRequest) {
        self.init(name, Array(target.utf8), refusal)
    }

    init(_ name: String, _ bytes: [UInt8], _ refusal: Refusal = .badRequest) {
        self.name = name
        self.bytes = bytes
        self.refusal = refusal
    }

    var testDescription: String { name }

    func expectedStatus(_ method: String) -> Int {
        switch refusal {
        case .badRequest: 400
        case .leadsOutside: method == "OPTIONS" ? 200 : method == "UNLOCK" ? 409 : 403
        }
    }

    /// Every spelling of "up and out" we know, each aimed at `outside/secret.txt` or a link to it.
    static let all: [HostileTarget] = [
        HostileTarget("dot-dot", "/../outside/secret.txt"),
        HostileTarget("dot-dot below a collection", "/sub/../../outside/secret.txt"),
        HostileTarget("%2e%2e", "/%2e%2e/outside/secret.txt"),
        HostileTarget("%2E%2E", "/%2E%2E/outside/secret.txt"),
        HostileTarget(".%2e", "/.%2e/outside/secret.txt"),
        HostileTarget("%2e%2e below a collection", "/sub/%2e%2e/%2e%2e/outside/secret.txt"),
        HostileTarget("encoded slashes", "/%2e%2e%2foutside%2fsecret.txt"),
        HostileTarget("dot-dot with %2F", "/..%2Foutside%2Fsecret.txt"),
        HostileTarget("raw backslashes", "/..\\outside\\secret.txt"),
        HostileTarget("encoded backslashes", "/..%5coutside%5csecret.txt"),
        HostileTarget("overlong UTF-8 dots, 2 bytes", "/%C0%AE%C0%AE/outside/secret.txt"),
        HostileTarget("overlong UTF-8 dots, 3 bytes", "/%E0%80%AE%E0%80%AE/outside/secret.txt"),
        HostileTarget("overlong UTF-8 slash", "/..%C0%AFoutside%C0%AFsecret.txt"),
        HostileTarget("raw overlong UTF-8 dots", [UInt8]("/".utf8) + [0xC0, 0xAE, 0xC0, 0xAE] + Array("/outside/secret.txt".utf8)),
        HostileTarget("encoded NUL", "/link-file%00.txt"),
        HostileTarget("raw NUL", "/link-file\u{0}.txt"),
        HostileTarget("single dot", "/sub/./inner.txt"),
        HostileTarget("absolute-form with dot-dot", "http://127.0.0.1/../outside/secret.txt"),
        HostileTarget("absolute-form to another host", "http://elsewhere.example/%2e%2e/outside/secret.txt"),
        HostileTarget("link to a file outside", "/link-file", .leadsOutside),
        HostileTarget("link to a directory outside", "/link-dir/", .leadsOutside),
        HostileTarget("file under a link outside", "/link-dir/inner.txt", .leadsOutside),
        HostileTarget("relative link up and out", "/sub/link-up/secret.txt", .leadsOutside),
        HostileTarget("dangling link to outside", "/link-dangling", .leadsOutside),
    ]
}

/// Requests that try to reach outside the served root: every spelling, every method, over a real socket.
/// Each must be refused with its status, no answer may carry the secret, nothing outside the root may
/// change, and the server must answer the next ordinary request.
// One case at a time: each case starts a server, and hundreds at once held nearly 3,000 descriptors in the
// test process, enough to trip a swift-corelibs-foundation bug in Process.run() (an over-read of
// /proc/self/fd entries, fixed upstream in swift-corelibs-foundation#5472) that crashed CI.
@Suite(.serialized)
struct HostileRequestTests {
    static let methods = ["OPTIONS", "GET", "HEAD", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "REPORT"]

    /// The headers and body that make `method` a complete, otherwise valid request.
    static func parts(of method: String) -> (headers: [(String, String)], body: [UInt8]) {
        switch method {
        case "PUT": ([], Array("planted".utf8))
        case "COPY", "MOVE": ([("Destination", "/copied.txt")], [])
        case "PROPFIND": ([("Depth", "1")], Array(propfindAll.utf8))
        case "PROPPATCH":
            (
                [],
                Array(
                    #"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:p>planted</Z:p></D:prop></D:set></D:propertyupdate>"#
                        .utf8)
            )
        case "LOCK": ([], Array(lockBody().utf8))
        case "REPORT": ([("Depth", "0")], Array(syncBody(nil).utf8))
        case "UNLOCK": ([("Lock-Token", "<urn:uuid:00000000-0000-4000-8000-000000000000>")], [])
        default: ([], [])
        }
    }

    @Test(arguments: HostileTarget.all, methods)
    func traversalIsRefused(_ target: HostileTarget, _ method: String) async throws {
        let sandbox = try HostileSandbox()
        try await sandbox.serve { port, client in
            let (headers, body) = Self.parts(of: method)
            let answer = try #require(try await rawExchange(port: port, rawRequest(method, target.bytes, headers: headers, body: body)))
            #expect(answer.status == target.expectedStatus(method))
            #expect(!answer.text.contains(sandbox.secret))
            #expect(sandbox.fileInRoot("copied.txt") == nil)
            try await sandbox.expectStillServingAndConfined(client)
        }
    }

    /// Destinations of COPY and MOVE that lead out of the root or off this server.
    static let destinations: [(name: String, value: String, status: Int)] = [
        ("absolute URL with dot-dot", "http://127.0.0.1/../outside/planted.txt", 400),
        ("%2e%2e", "/%2e%2e/outside/planted.txt", 400),
        ("encoded slashes", "/..%2foutside%2fplanted.txt", 400),
        ("overlong UTF-8 dots", "/%C0%AE%C0%AE/outside/planted.txt", 400),
        ("backslashes", "/..%5coutside%5cplanted.txt", 400),
        ("into a link to a directory outside", "/link-dir/planted.txt", 403),
        ("over a link to a file outside", "/link-file", 403),
        ("through a dangling link to outside", "/link-dangling", 403),
        ("through a relative link up", "/sub/link-up/planted.txt", 403),
        ("another host", "http://elsewhere.example/planted.txt", 502),
        ("another port", "http://127.0.0.1:1/planted.txt", 502),
    ]

    @Test(arguments: ["COPY", "MOVE"], destinations.indices)
    func destinationOutsideIsRefused(_ method: String, _ index: Int) async throws {
        let destination = Self.destinations[index]
        let sandbox = try HostileSandbox()
        try await sandbox.serve { port, client in
            let request = rawRequest(method, "/sub/inner.txt", headers: [("Destination", destination.value), ("Overwrite", "T")])
            let answer = try #require(try await rawExchange(port: port, request), "\(destination.name)")
            #expect(answer.status == destination.status, "\(destination.name)")
            #expect(sandbox.fileInRoot("sub/inner.txt") == "inner", "the source must stay where it was")
            try await sandbox.expectStillServingAndConfined(client)
        }
    }

    /// Spellings that look like a way out but only name something inside the root: 404, nothing else.
    @Test(arguments: ["//outside/secret.txt", "/%EF%BC%8E%EF%BC%8E/outside/secret.txt", "/.../outside/secret.txt", "/..../secret.txt"])
    func lookalikesStayInside(_ target: String) async throws {
        let sandbox = try HostileSandbox()
        try await sandbox.serve { port, client in
            let answer = try #require(try await rawExchange(port: port, rawRequest("GET", target)))
            #expect(answer.status == 404)
            #expect(!answer.text.contains(sandbox.secret))
            try await sandbox.expectStillServingAndConfined(client)
        }
    }

    /// A Depth infinity listing and a deep COPY leave links that lead out alone: not listed, not followed, not copied.
    @Test func depthInfinityListingNeverFollowsLinksOut() async throws {
        let sandbox = try HostileSandbox()
        try await sandbox.serve { port, client in
            let answer = try #require(
                try await rawExchange(port: port, rawRequest("PROPFIND", "/", headers: [("Depth", "infinity")], body: Array(propfindAll.utf8))))
            #expect(answer.status == 207)
            #expect(answer.text.contains("/sub/inner.txt"))
            #expect(!answer.text.contains("link-file") && !answer.text.contains("link-dir") && !answer.text.contains("link-up"))
            #expect(!answer.text.contains(sandbox.secret))
            let copy = try await client.send("COPY", "/sub/", headers: ["Destination": "/sub-copy/", "Depth": "infinity"])
            #expect(copy.code == 201)
            #expect(sandbox.namesInRoot("sub-copy") == ["inner.txt"], "a link leading out is not copied")
            try await sandbox.expectStillServingAndConfined(client)
        }
    }
}
