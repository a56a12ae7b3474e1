import DAVClient
import DAVTesting
import Foundation
import Testing

/// Each way of not getting an answer maps to one DAVClientError kind with a one-line message.
struct NetworkFailureTests {
    @Test func connectionRefused() async throws {
        let port = Processes.freePort()
        try await withClient { client in
            let error = await #expect(throws: DAVClientError.connectionRefused) {
                try await client.send(.options("http://127.0.0.1:\(port)/"))
            }
            #expect(error?.description.contains("127.0.0.1:\(port)") == true)
            #expect(error?.isNetworkFailure == true)
        }
    }

    /// The raw re-read (for answers the HTTP client refuses) fails the same way, and completes its reader
    /// on that path too: a debug build of NIO traps on a promise that is dropped uncompleted.
    @Test func rawReadOfARefusedPortIsRefused() async throws {
        let port = Processes.freePort()
        try await withClient { client in
            for _ in 0..<3 {
                await #expect(throws: DAVClientError.connectionRefused) {
                    _ = try await client.fetchRaw(.options("http://127.0.0.1:\(port)/"))
                }
            }
        }
    }

    @Test func unresolvableHost() async throws {
        try await withClient { client in
            let error = await #expect(throws: DAVClientError.unreachable) {
                try await client.send(.options("http://nonexistent.invalid/"))
            }
            #expect(error?.description.contains("nonexistent.invalid") == true)
        }
    }

    @Test(.needs(.python3)) func readTimeout() async throws {
        let (port, listener) = try Listeners.silent()
        defer { listener.stop() }
        let config = DAVClient.Configuration(connectTimeout: .seconds(2), readTimeout: .milliseconds(400))
        try await withClient(config) { client in
            let error = await #expect(throws: DAVClientError.timeout) {
                try await client.send(.propfind("http://127.0.0.1:\(port)/", depth: .zero))
            }
            // The message comes only from AsyncHTTPClient's read-timeout error, so it proves which timer fired
            // without timing the test (a wall-clock bound failed on a loaded CI machine: 34 s for a 400 ms timer,
            // the test process's concurrency pool busy with other suites' child processes).
            #expect(error?.description.contains("sent nothing for 400 ms (read timeout)") == true)
        }
    }

    /// A request that changes nothing, sent on a kept-alive connection the server closes as it arrives, is
    /// sent again on a new one and answered; one that changes something is not sent twice.
    @Test(.needs(.python3)) func aSafeRequestOnAConnectionClosedUnderItIsSentAgain() async throws {
        let (port, listener) = try Listeners.closesKeptConnections()
        defer { listener.stop() }
        try await withClient { client async throws in
            let url = "http://127.0.0.1:\(port)/"
            #expect(try await client.send(.options(url)).response.status == 200)
            #expect(try await client.send(.options(url)).response.status == 200)
            #expect(try await client.send(.propfind(url, depth: .zero)).response.status == 200)
            await #expect(throws: DAVClientError.connectionClosed) {
                try await client.send(.mkcol(url + "new/"))
            }
        }
    }

    @Test(.needs(.python3)) func requestTimeout() async throws {
        let (port, listener) = try Listeners.silent()
        defer { listener.stop() }
        let config = DAVClient.Configuration(connectTimeout: .seconds(2), readTimeout: .seconds(30), requestTimeout: .milliseconds(300))
        try await withClient(config) { client in
            await #expect(throws: DAVClientError.timeout) {
                try await client.send(.options("http://127.0.0.1:\(port)/"))
            }
        }
    }

    /// The last: %E9 is a Latin-1 byte, not UTF-8; AsyncHTTPClient would send the root instead, so it is refused.
    @Test(arguments: ["ftp://127.0.0.1/", "http:///nohost", "not a url", "", "http://127.0.0.1:9/latin1/caf%E9.txt"])
    func invalidURL(_ url: String) async throws {
        try await withClient { client in
            await #expect(throws: DAVClientError.invalidURL) { try await client.send(.options(url)) }
        }
    }

    @Test func invalidMethodAndHeader() async throws {
        try await withClient { client in
            await #expect(throws: DAVClientError.invalidRequest) {
                try await client.send(DAVRequest(method: "PROP FIND", url: "http://127.0.0.1:1/"))
            }
            await #expect(throws: DAVClientError.invalidRequest) {
                try await client.send(
                    DAVRequest(method: "GET", url: "http://127.0.0.1:\(Processes.freePort())/", headers: HTTPFieldsLiteral.injected))
            }
        }
    }

    @Test func descriptionsAreOneLine() {
        let errors: [DAVClientError] = [
            .unreachable("h"), .connectionRefused("h:1"), .tls("x"), .timeout("y"), .connectionClosed("h:1"), .network("z"),
            .invalidURL("u", reason: "r"), .invalidRequest("r"), .bodyTooLarge(limit: 64 << 20), .credentials("c"), .recording("r"),
        ]
        for error in errors { #expect(!error.description.contains("\n")) }
        #expect(DAVClientError.bodyTooLarge(limit: 64 << 20).description.contains("64 MiB"))
        #expect(errors.filter(\.isNetworkFailure).count == 6)
    }
}
