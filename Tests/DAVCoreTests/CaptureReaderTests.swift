import DAVCore
import DAVTesting
import Testing

/// Captures as users have them: bare bodies, `curl -i` (with every framing curl leaves), `curl -v`.
struct CaptureReaderTests {
    static func read(_ relative: String) throws -> (CaptureReader.Head, [UInt8], CaptureReader.BodyInfo) {
        var reader = try CaptureReader(path: Fixtures.url(relative).path)
        defer { reader.close() }
        let head = try reader.readHead()
        let (body, info) = try reader.readWholeBody()
        return (head, body, info)
    }

    @Test(arguments: [
        "captures/gzip.http", "captures/deflate.http", "captures/continue-chunked-raw.http",
        "captures/chunked-decoded.http", "captures/redirect-then-207.http",
    ])
    func everyFramingYieldsTheSameMultistatus(_ file: String) throws {
        let (head, body, info) = try Self.read(file)
        #expect(head.format == .curlInclude)
        #expect(head.response?.status == 207)
        #expect(!info.isTruncated)
        let document = try MultiStatusParser.parse(body).0
        #expect(document.responses.map(\.href) == ["/docs/", "/docs/private/"])
    }

    @Test func interimBlocksAreKept() throws {
        let (head, _, _) = try Self.read("captures/continue-chunked-raw.http")
        #expect(head.response?.interim.map(\.status) == [100])
        let (redirected, _, _) = try Self.read("captures/redirect-then-207.http")
        #expect(redirected.response?.interim.first?.headers["Location"] == "http://127.0.0.1:18081/docs/")
    }

    @Test func compressionAndChunkingAreReported() throws {
        #expect(try Self.read("captures/gzip.http").2.wasCompressed)
        #expect(try Self.read("captures/continue-chunked-raw.http").2.wasChunked)
        #expect(try !Self.read("captures/chunked-decoded.http").2.wasChunked)
        #expect(try Self.read("captures/chunked-truncated.http").2.isTruncated)
    }

    @Test func curlVerboseGivesTheRequestToo() throws {
        let (head, body, _) = try Self.read("apache-2.4/propfind-depth0-file.curl-v.txt")
        #expect(head.format == .curlVerbose)
        #expect(head.request?.method == "PROPFIND")
        #expect(head.request?.url.hasPrefix("http://127.0.0.1:18081/") == true)
        #expect(head.request?.headers["Depth"] == "0")
        #expect(head.response?.status == 207)
        #expect(try MultiStatusParser.parse(body).0.responses.count == 1)
    }

    /// curl writes its notes to stderr while the body goes to stdout; a note can land mid-line.
    @Test func curlVerboseNoteInsideTheBodyIsRemoved() throws {
        let (_, body, _) = try Self.read("nginx-proxy/correct-propfind-depth1.curl-v.txt")
        #expect(try MultiStatusParser.parse(body).0.responses.count > 1)
    }

    @Test func bareBody() throws {
        let (head, body, _) = try Self.read("apache-2.4/propfind-depth1.xml")
        #expect(head.format == .bareBody)
        #expect(head.response == nil)
        #expect(try MultiStatusParser.parse(body).0.responses.count > 1)
    }

    @Test func truncatedHeadIsAnError() {
        var reader = CaptureReader(bytes: Array("HTTP/1.1 207 Multi-Status\r\nContent-Type: text/xml\r\n".utf8))
        #expect(throws: DAVCoreError.self) { try reader.readHead() }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: DAVCoreError.self) { try CaptureReader(path: "/nonexistent/capture.http") }
        #expect(throws: DAVCoreError.self) { try CaptureReader(path: "/tmp") }
    }
}
