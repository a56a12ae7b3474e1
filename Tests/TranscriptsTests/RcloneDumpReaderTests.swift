import DAVCore
import DAVTesting
import Diagnosis
import Testing

@testable import Transcripts

/// rclone's own `--dump` logs, taken against WsgiDAV: requests and answers paired by rclone's `req` id.
@Suite struct RcloneDumpReaderTests {
    @Test func purgeLogPairsRequestsAndAnswers() throws {
        let transcript = try HARReaderTests.transcript("transcripts/rclone-purge-dump-headers-bodies.log")
        #expect(transcript.format == .rcloneDump)
        #expect(transcript.entries.map { $0.exchange.request?.method } == ["PROPFIND", "DELETE"])
        #expect(transcript.entries.map { $0.exchange.response?.status } == [207, 207])
        let delete = try #require(transcript.entries.last)
        #expect(delete.exchange.request?.url == "http://127.0.0.1:18784/locks/")
        #expect(delete.noteSigns.contains(Sign("credentials-redacted", subject: "Authorization", value: "XXXX")))
        #expect(String(decoding: delete.exchange.body ?? [], as: UTF8.self).hasSuffix("</D:multistatus>"))
    }

    @Test func purgeLogDiagnosesTheLockedMember() throws {
        let analysis = try TranscriptAnalysis.run(try HARReaderTests.transcript("transcripts/rclone-purge-dump-headers-bodies.log"))
        #expect(analysis.items.count == 2)
        #expect(analysis.items[0].result.collector?.responseCount == 4)
        let delete = analysis.items[1].result
        #expect(delete.context.method == "DELETE")
        #expect(delete.findings.first?.cause == .lock)
        #expect(delete.findings.first?.resources == ["/locks/held.txt"])
    }

    @Test func requestsResponsesLogReadsEveryExchange() throws {
        let transcript = try HARReaderTests.transcript("transcripts/rclone-copyto-dump-requests-responses.log")
        #expect(transcript.entries.map { $0.exchange.request?.method } == ["PROPFIND", "MKCOL", "PUT", "DELETE"])
        #expect(transcript.entries.map { $0.exchange.response?.status } == [207, 405, 423, 423])
        let put = try #require(transcript.entries[2].exchange.request)
        // Go's logger adds a line end only when the dump lacks one, so a body's own last one cannot be told from it.
        #expect(put.body.map { String(decoding: $0, as: UTF8.self) } == "changed by rclone")
        let analysis = try TranscriptAnalysis.run(transcript)
        #expect(analysis.items[2].result.findings.first?.cause == .lock)
    }

    @Test func headersOnlyDumpSaysTheBodyIsMissing() throws {
        let log = """
            2026/12/04 20:37:26 DEBUG : HTTP REQUEST (req 0xc1)
            2026/12/04 20:37:26 DEBUG : PROPFIND /d/ HTTP/1.1\r
            Host: h:1\r
            Depth: 1\r
            \r
            2026/12/04 20:37:26 DEBUG : >>>>>>>>>>>>>>>>>>>>>>>>>>
            2026/12/04 20:37:26 DEBUG : <<<<<<<<<<<<<<<<<<<<<<<<<<
            2026/12/04 20:37:26 DEBUG : HTTP RESPONSE (req 0xc1)
            2026/12/04 20:37:26 DEBUG : HTTP/1.1 207 Multi-Status\r
            Content-Length: 900\r
            \r
            2026/12/04 20:37:26 DEBUG : <<<<<<<<<<<<<<<<<<<<<<<<<<
            2026/12/04 20:37:27 DEBUG : HTTP REQUEST (req 0xc2)
            2026/12/04 20:37:27 DEBUG : DELETE /d/x HTTP/1.1\r
            Host: h:1\r
            \r
            2026/12/04 20:37:27 DEBUG : >>>>>>>>>>>>>>>>>>>>>>>>>>
            """
        let transcript = try Transcript.parse(Array(log.utf8), format: .rcloneDump)
        #expect(transcript.entries.count == 2)
        #expect(transcript.entries[0].bodyWithheld)
        #expect(transcript.entries[0].noteSigns == [Sign("scheme-assumed", value: "http"), Sign("response-body-missing", value: "900")])
        #expect(transcript.entries[1].exchange.response == nil)
        let analysis = try TranscriptAnalysis.run(transcript)
        #expect(analysis.items.map(\.entry) == [1])
        #expect(analysis.noteSigns == [Sign("scheme-assumed", value: "http"), Sign("no-answer", subject: "entry 2")])
        #expect(analysis.notes.count == analysis.noteSigns.count)
    }

    @Test func logWithoutDumpsIsAClearError() throws {
        let log =
            "2026/12/04 20:37:26 DEBUG : HTTP RESPONSE (req 0xc1)\n2026/12/04 20:37:26 DEBUG : HTTP/1.1 200 OK\r\n\r\n2026/12/04 20:37:26 DEBUG : <<<<<<<<\n"
        #expect(throws: DAVCoreError.self) { try Transcript.parse(Array(log.utf8), format: .rcloneDump, name: "r.log") }
    }
}
