import DAVCore
import DAVTesting
import Diagnosis
import Testing

@testable import Transcripts

/// OkHttp's HttpLoggingInterceptor lines as DAVx5's debug log carries them (exchanges with WsgiDAV, the
/// log's wording reproduced: see Tests/Fixtures/transcripts/SOURCE.md).
@Suite struct OkHttpLogReaderTests {
    static let file = "transcripts/davx5-okhttp.log"

    @Test func isToldApart() throws {
        #expect(try HARReaderTests.format(Self.file) == .okhttp)
    }

    @Test func everyExchangeWithItsRequest() throws {
        let transcript = try HARReaderTests.transcript(Self.file)
        #expect(transcript.entries.map { $0.exchange.request?.method } == ["PROPFIND", "PUT", "DELETE", "PROPFIND"])
        #expect(transcript.entries.map { $0.exchange.response?.status } == [207, 423, 207, 404])
        let propfind = try #require(transcript.entries.first)
        #expect(propfind.exchange.request?.url == "http://127.0.0.1:18784/docs/")
        #expect(propfind.exchange.request?.headers["Depth"] == "1")
        #expect(propfind.exchange.request?.body.map { String(decoding: $0, as: UTF8.self).contains("<d:getetag/>") } == true)
        #expect(propfind.exchange.response?.reason == "Multi-Status")
        #expect(propfind.noteSigns.contains(Sign("credentials-redacted", subject: "Authorization", value: "██")))
        #expect(String(decoding: propfind.exchange.body ?? [], as: UTF8.self).hasSuffix("</D:multistatus>"))
    }

    @Test func diagnosesEachExchange() throws {
        let analysis = try TranscriptAnalysis.run(try HARReaderTests.transcript(Self.file))
        #expect(analysis.items.count == 4)
        #expect(analysis.items[0].result.collector?.responseCount == 8)
        #expect(analysis.items[0].result.findings.isEmpty)
        #expect(analysis.items[1].result.findings.first?.cause == .lock)
        #expect(analysis.items[2].result.findings.first?.resources == ["/locks/held.txt"])
        #expect(analysis.items[3].result.findings.first?.cause == .path)
    }

    @Test func omittedBodiesAndFailuresAreNotes() throws {
        let log = """
            03-19 14:44:40.358  31031 31077 D okhttp.OkHttpClient: --> PROPFIND https://dav.example/files/ h2
            03-19 14:44:40.358  31031 31077 D okhttp.OkHttpClient: Depth: 1
            03-19 14:44:40.358  31031 31077 D okhttp.OkHttpClient: --> END PROPFIND (binary 120-byte body omitted)
            03-19 14:44:40.412  31031 31077 D okhttp.OkHttpClient: <-- 207 https://dav.example/files/ (54ms)
            03-19 14:44:40.412  31031 31077 D okhttp.OkHttpClient: content-type: application/xml
            03-19 14:44:40.413  31031 31077 D okhttp.OkHttpClient: <-- END HTTP (encoded body omitted)
            03-19 14:44:41.001  31031 31077 D okhttp.OkHttpClient: --> DELETE https://dav.example/files/a.txt h2
            03-19 14:44:41.001  31031 31077 D okhttp.OkHttpClient: --> END DELETE
            03-19 14:44:41.300  31031 31077 D okhttp.OkHttpClient: <-- HTTP FAILED: java.net.SocketTimeoutException: timeout
            """
        #expect(CaptureReader.Format.transcript(sniffing: ArraySlice(Array(log.utf8))) == .okhttp)
        let transcript = try Transcript.parse(Array(log.utf8), format: .okhttp)
        #expect(transcript.entries.count == 2)
        let first = transcript.entries[0]
        #expect(first.exchange.request?.body == nil)
        #expect(first.bodyWithheld)
        #expect(
            first.noteSigns == [
                Sign("request-body-missing", value: "binary 120-byte body omitted"), Sign("response-body-missing", value: "encoded body omitted"),
            ])
        #expect(transcript.entries[1].exchange.response == nil)
        #expect(
            transcript.entries[1].noteSigns == [Sign("no-answer", subject: "entry 2", value: "java.net.SocketTimeoutException: timeout")])
        let analysis = try TranscriptAnalysis.run(transcript)
        #expect(analysis.items.map(\.entry) == [1])
        #expect(!(analysis.items[0].result.lint.contains { $0.rule.id == LintRules.emptyBody.id }))
        #expect(analysis.items[0].result.findings.isEmpty)
    }

    /// An XML comment's `-->` in a bare body is not OkHttp.
    @Test func xmlCommentIsNotALog() {
        let body = #"<?xml version="1.0"?><!-- END of list --> <D:multistatus xmlns:D="DAV:"><!-- see https://example --> </D:multistatus>"#
        #expect(CaptureReader.Format.transcript(sniffing: ArraySlice(Array(body.utf8))) == nil)
    }
}
