import Testing

@testable import DAVClient

/// What the request line carries, or why a URL is refused before anything is sent.
struct PrepareTests {
    /// A Latin-1 file name percent-encodes to bytes that are not UTF-8 (%E9). AsyncHTTPClient rebuilds the
    /// request target from the URL's decoded path, which is empty for such bytes, and so asked for `/`: a check
    /// of the file silently checked the root. Such a URL is refused with its reason instead.
    @Test func aPathWhoseBytesAreNotUTF8IsRefusedNotSentAsTheRoot() async throws {
        let client = try DAVClient(configuration: .init())
        defer { Task { try? await client.shutdown() } }
        #expect(throws: DAVClientError.invalidURL) {
            try client.prepare(DAVRequest(method: "GET", url: "http://127.0.0.1:8080/odd/caf%E9-latin1.txt"))
        }
        #expect(try client.prepare(DAVRequest(method: "GET", url: "http://127.0.0.1:8080/odd/caf%C3%A9.txt")).target == "/odd/caf%C3%A9.txt")
        #expect(try client.prepare(DAVRequest(method: "GET", url: "http://127.0.0.1:8080")).target == "/")
    }
}
