import DAVCore
import Testing

/// The framing of a header block, read strictly from its bytes: each fault by kind, with the lines that show it.
struct FramingCheckTests {
    static func faults(_ text: String, version: String = "HTTP/1.1") -> [FramingFault] {
        FramingCheck.headerFaults(Array(text.utf8), version: version)
    }

    @Test func aCleanHeadHasNoFault() {
        #expect(Self.faults("HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 10").isEmpty)
        // The same length twice is allowed (RFC 9110 §8.6).
        #expect(Self.faults("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 10").isEmpty)
    }

    @Test func eachFaultIsNamedWithItsLines() {
        let both = Self.faults("HTTP/1.0 207 Multi-Status\r\nTransfer-Encoding: chunked\r\nContent-Length: 5", version: "HTTP/1.0")
        #expect(Set(both.map(\.kind)) == [.lengthWithChunked, .chunkedOnHTTP10])
        #expect(both.first { $0.kind == .lengthWithChunked }?.lines == ["Transfer-Encoding: chunked", "Content-Length: 5"])
        #expect(Self.faults("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7").map(\.kind) == [.conflictingLengths])
        #expect(Self.faults("HTTP/1.1 200 OK\r\nX-Broken line").first?.lines == ["X-Broken line"])
        #expect(Self.faults("HTTP/1.1 200 OK\r\nX-Long: a\r\n  continued").map(\.kind) == [.obsoleteFolding])
        #expect(Self.faults("HTTP/1.1 200 OK\nServer: x").map(\.kind) == [.bareLineFeeds])
        let control = Self.faults("HTTP/1.1 200 OK\r\nX-Id: a\u{0}b")
        #expect(control.map(\.kind) == [.controlBytes])
        #expect(control.first?.lines == ["X-Id: a\\x00b"])
    }

    /// A saved file's line ends may have been rewritten as a whole; a head that mixes CRLF and bare LF was not.
    @Test func bareLineFeedsInASavedFileCountOnlyWhenTheHeadMixesBoth() {
        let allLF = "HTTP/1.1 200 OK\nServer: x\nContent-Length: 0\n"
        let mixed = "HTTP/1.1 200 OK\r\nServer: x\nContent-Length: 0\n"
        #expect(FramingCheck.headerFaults(Array(allLF.utf8), version: "HTTP/1.1", lineEndsAsSent: false).isEmpty)
        #expect(FramingCheck.headerFaults(Array(mixed.utf8), version: "HTTP/1.1", lineEndsAsSent: false).map(\.kind) == [.bareLineFeeds])
        #expect(FramingCheck.headerFaults(Array(allLF.utf8), version: "HTTP/1.1", lineEndsAsSent: true).map(\.kind) == [.bareLineFeeds])
    }

    /// What an HTTP client that parsed the head leaves visible: chunked on HTTP/1.0, length beside chunked.
    @Test func aParsedHeadStillShowsItsFieldFaults() {
        let head = ResponseHead(
            version: "HTTP/1.0", status: 207, headers: HTTPFields([("Transfer-Encoding", "chunked"), ("Content-Length", "9")]))
        #expect(Set(FramingCheck.parsedHeadFaults(head).map(\.kind)) == [.chunkedOnHTTP10, .lengthWithChunked])
        #expect(FramingCheck.parsedHeadFaults(ResponseHead(status: 207, headers: HTTPFields([("Content-Length", "9")]))).isEmpty)
    }
}
