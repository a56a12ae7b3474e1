@testable import DAVClient
import Testing

/// The request line carries the path exactly as the URL writes it.
struct PrepareTests {
    /// A Latin-1 file name percent-encodes to bytes that are not UTF-8 (%E9); Foundation's decoded `path` is then
    /// empty, and the request once went to `/` instead of the file.
    @Test func pathWhoseBytesAreNotUTF8IsSentAsWritten() async throws {
        let client = try DAVClient(configuration: .init())
        defer { Task { try? await client.shutdown() } }
        let prepared = try client.prepare(DAVRequest(method: "GET", url: "http://127.0.0.1:8080/odd/caf%E9-latin1.txt"))
        #expect(prepared.target == "/odd/caf%E9-latin1.txt")
        #expect(try client.prepare(DAVRequest(method: "GET", url: "http://127.0.0.1:8080")).target == "/")
    }
}
