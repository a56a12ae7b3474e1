import DAVCore
import DAVTesting
import Diagnosis
import Testing

@testable import Transcripts

/// Cyberduck's transcript: heads only (exchanges with WsgiDAV, the transcript's wording reproduced: see
/// Tests/Fixtures/transcripts/SOURCE.md), and macOS's unified log of it.
@Suite struct CyberduckTranscriptReaderTests {
    static let file = "transcripts/cyberduck-transcript.txt"

    @Test func isToldApartFromCurlVerbose() throws {
        #expect(try HARReaderTests.format(Self.file) == .cyberduck)
        #expect(try HARReaderTests.format("rclone/propfind-depth1.curl-v.txt") == .curlVerbose)
    }

    @Test func headsAreReadAndBodiesSaidMissing() throws {
        let transcript = try HARReaderTests.transcript(Self.file)
        #expect(transcript.entries.map { $0.exchange.request?.method } == ["PROPFIND", "MKCOL", "DELETE", "PROPFIND"])
        #expect(transcript.entries.map { $0.exchange.response?.status } == [207, 409, 423, 404])
        let first = try #require(transcript.entries.first)
        #expect(first.exchange.request?.url == "http://127.0.0.1:18784/docs/")
        #expect(first.exchange.request?.headers["Depth"] == "1")
        #expect(first.bodyWithheld)
        #expect(first.noteSigns.contains(Sign("response-body-missing", value: "5942")))
        #expect(first.noteSigns.contains(Sign("credentials-redacted", subject: "Authorization", value: "********")))
    }

    @Test func diagnosesFromHeads() throws {
        let analysis = try TranscriptAnalysis.run(try HARReaderTests.transcript(Self.file))
        #expect(analysis.items.count == 4)
        #expect(analysis.items[0].result.findings.isEmpty)
        #expect(!analysis.items[0].result.lint.contains { $0.rule.id == LintRules.emptyBody.id })
        #expect(analysis.items[1].result.findings.first?.cause == .path)
        #expect(analysis.items[2].result.findings.first?.cause == .lock)
        #expect(analysis.items[2].result.findings.first?.resources == ["/locks/held.txt"])
        #expect(analysis.items[3].result.findings.first?.cause == .path)
    }

    @Test func unifiedLogLinesAreRead() throws {
        let log = """
            2025-09-08 23:11:46.155 0x3a0e21 Info 0x0 50816 0 Cyberduck: (libcore.dylib) [ch.sudo.cyberduck:transcript] PROPFIND /dav/spaces/x/ HTTP/1.1
            2025-09-08 23:11:46.156 0x3a0e21 Info 0x0 50816 0 Cyberduck: (libcore.dylib) [ch.sudo.cyberduck:transcript] Depth: 1
            2025-09-08 23:11:46.156 0x3a0e21 Info 0x0 50816 0 Cyberduck: (libcore.dylib) [ch.sudo.cyberduck:transcript] Host: cloud.example:443
            2025-09-08 23:11:46.308 0x3a0e21 Info 0x0 50816 0 Cyberduck: (libcore.dylib) [ch.sudo.cyberduck:transcript] HTTP/1.1 404 Not Found
            2025-09-08 23:11:46.309 0x3a0e21 Info 0x0 50816 0 Cyberduck: (libcore.dylib) [ch.sudo.cyberduck:transcript] Content-Length: 228
            """
        #expect(CaptureReader.Format.transcript(sniffing: ArraySlice(Array(log.utf8))) == .cyberduck)
        let transcript = try Transcript.parse(Array(log.utf8), format: .cyberduck)
        let entry = try #require(transcript.entries.first)
        #expect(entry.exchange.request?.url == "https://cloud.example:443/dav/spaces/x/")
        #expect(entry.exchange.response?.status == 404)
        #expect(entry.exchange.response?.headers["Content-Length"] == "228")
        let result = try #require(try TranscriptAnalysis.run(transcript).items.first?.result)
        #expect(result.findings.first?.cause == .path)
    }

    /// A pasted pair of `>`/`<` heads without curl's `*` notes holds one exchange: it is analyzed whatever its method.
    @Test func oneExchangeIsAnalyzedEvenIfNotWebDAV() throws {
        let text = "> GET /index.html HTTP/1.1\n> Host: h\n< HTTP/1.1 404 Not Found\n< Content-Length: 0\n"
        let analysis = try TranscriptAnalysis.run(try Transcript.parse(Array(text.utf8), format: .cyberduck))
        #expect(analysis.items.map(\.entry) == [1])
        #expect(analysis.skipped == 0)
        #expect(analysis.items[0].result.status == 404)
    }
}
