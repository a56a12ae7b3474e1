import DAVCore
import DAVTesting
import Diagnosis
import Testing

@testable import Transcripts

/// davfs2 1.6.1 mounted on WsgiDAV with `debug most` and `debug httpbody`: its syslog messages, as
/// rsyslog's traditional file format writes them (see Tests/Fixtures/transcripts/SOURCE.md).
@Suite struct Davfs2LogReaderTests {
    static let file = "transcripts/davfs2-debug-syslog.log"

    @Test func isToldApart() throws {
        #expect(try HARReaderTests.format(Self.file) == .davfs2)
    }

    @Test func requestsAnswersAndBodiesAreRead() throws {
        let transcript = try HARReaderTests.transcript(Self.file)
        let methods = transcript.entries.map { $0.exchange.request?.method ?? "" }
        #expect(methods.first == "OPTIONS")
        #expect(methods.contains("DELETE"))
        #expect(transcript.entries.allSatisfy { $0.exchange.response != nil })
        let listing = try #require(
            transcript.entries.first { $0.exchange.request?.method == "PROPFIND" && $0.exchange.request?.url == "http://127.0.0.1:18784/" })
        #expect(listing.exchange.request?.headers["Depth"] == "1")
        #expect(listing.exchange.request?.body.map { String(decoding: $0, as: UTF8.self).contains("<getetag xmlns=\"DAV:\"/>") } == true)
        // The answer's body, split over several syslog messages, comes back whole.
        let length = try #require(listing.exchange.response?.headers["Content-Length"].flatMap { Int($0) })
        #expect(listing.exchange.body?.count == length)
        #expect(!listing.bodyWithheld)
    }

    @Test func lockedDeleteIsALock() throws {
        let analysis = try TranscriptAnalysis.run(try HARReaderTests.transcript(Self.file))
        let delete = try #require(analysis.items.first { $0.result.context.method == "DELETE" }?.result)
        #expect(delete.status == 423)
        #expect(delete.findings.first?.cause == .lock)
        #expect(delete.context.request.url == "http://127.0.0.1:18784/locks/held.txt")
        let listing = try #require(analysis.items.first { $0.result.context.method == "PROPFIND" }?.result)
        #expect((listing.collector?.responseCount ?? 0) > 1)
    }

    @Test func withoutHttpbodyTheBodyIsSaidMissing() throws {
        let log = """
            Dec  4 21:26:17 host mount.davfs[812]: Sending request headers:#012PROPFIND /d/ HTTP/1.1#015#012Host: h:1#015#012Depth: 1#015#012#015#012
            Dec  4 21:26:17 host mount.davfs[812]: [status-line] < HTTP/1.1 207 Multi-Status#015#012
            Dec  4 21:26:17 host mount.davfs[812]: [hdr] Content-Length: 3429#015#012
            Dec  4 21:26:17 host mount.davfs[812]: [hdr] #015#012
            Dec  4 21:26:17 host mount.davfs[812]: Reading 3429 bytes of response body.#012
            Dec  4 21:26:17 host mount.davfs[812]: Got 3429 bytes.#012
            Dec  4 21:26:17 host mount.davfs[812]: Request ends, status 207 class 2xx, error line:#012207 Multi-Status#012
            """
        let transcript = try Transcript.parse(Array(log.utf8), format: .davfs2)
        let entry = try #require(transcript.entries.first)
        #expect(entry.exchange.request?.url == "http://h:1/d/")
        #expect(entry.bodyWithheld)
        #expect(entry.noteSigns == [Sign("response-body-missing", value: "3429")])
        let result = try #require(try TranscriptAnalysis.run(transcript).items.first?.result)
        #expect(result.findings.isEmpty)
    }
}
