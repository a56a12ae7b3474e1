import DAVCore
import DAVTesting
import Diagnosis
import Testing

@testable import Transcripts

/// HAR files written by real programs (mitmdump, headless Chromium through Playwright) are told apart
/// from the other capture forms and read into exchanges that each carry their own request.
@Suite struct HARReaderTests {
    static func transcript(_ relative: String) throws -> Transcript {
        var reader = try CaptureReader(path: Fixtures.url(relative).path)
        defer { reader.close() }
        return try Transcript.read(&reader)
    }

    static func format(_ relative: String) throws -> CaptureReader.Format {
        var reader = try CaptureReader(path: Fixtures.url(relative).path)
        defer { reader.close() }
        return try reader.readHead().format
    }

    @Test(arguments: [
        ("transcripts/mitmproxy-session.har", CaptureReader.Format.har),
        ("transcripts/chromium-session.har", .har),
        ("transcripts/rclone-purge-dump-headers-bodies.log", .rcloneDump),
        ("transcripts/rclone-copyto-dump-requests-responses.log", .rcloneDump),
        ("rclone/propfind-depth1.curl-v.txt", .curlVerbose),
        ("apache-2.4/propfind-depth1.http", .curlInclude),
        ("apache-2.4/propfind-depth1.xml", .bareBody),
        ("captures/gzip.http", .curlInclude),
    ])
    func detectsTheForm(_ file: String, _ expected: CaptureReader.Format) throws {
        #expect(try Self.format(file) == expected)
    }

    @Test func mitmproxySessionGivesEveryRequestItsContext() throws {
        let transcript = try Self.transcript("transcripts/mitmproxy-session.har")
        #expect(transcript.entries.count == 8)
        #expect(
            transcript.entries.map { $0.exchange.request?.method } == ["OPTIONS", "PROPFIND", "GET", "PUT", "LOCK", "DELETE", "MKCOL", "PROPFIND"])
        let propfind = try #require(transcript.entries[1].exchange.request)
        #expect(propfind.url == "http://127.0.0.1:18784/docs/")
        #expect(propfind.headers["Depth"] == "1")
        // mitmdump 11 leaves a non-form request body out of the HAR (bodySize 128, no postData): said, not guessed.
        #expect(propfind.body == nil)
        #expect(transcript.entries[1].noteSigns.contains(Sign("request-body-missing", value: "128")))
        #expect(transcript.entries[1].notes.count == transcript.entries[1].noteSigns.count)
        #expect(transcript.entries[1].exchange.response?.status == 207)
        #expect(transcript.entries.filter(\.isWebDAV).count == 7)
        #expect(transcript.noteSigns == [Sign("har-creator", subject: "mitmproxy", value: "11.0.2")])
    }

    @Test func mitmproxySessionDiagnosesEachExchange() throws {
        let analysis = try TranscriptAnalysis.run(try Self.transcript("transcripts/mitmproxy-session.har"))
        #expect(analysis.entries == 8)
        #expect(analysis.skipped == 1)
        #expect(analysis.items.map(\.entry) == [1, 2, 4, 5, 6, 7, 8])
        let delete = try #require(analysis.items.first { $0.entry == 6 }?.result)
        #expect(delete.context.method == "DELETE")
        #expect(delete.findings.first?.cause == .lock)
        #expect(delete.findings.first?.resources == ["/locks/held.txt"])
        let mkcol = try #require(analysis.items.first { $0.entry == 7 }?.result)
        #expect(mkcol.findings.first?.cause == .path)
        let missing = try #require(analysis.items.first { $0.entry == 8 }?.result)
        #expect(missing.status == 404)
        #expect(missing.findings.first?.cause == .path)
        let listing = try #require(analysis.items.first { $0.entry == 2 }?.result)
        #expect(listing.collector?.responseCount == 8)
        #expect(listing.format == .har)
    }

    @Test func chromiumSessionSkipsThePageAndItsAssets() throws {
        let transcript = try Self.transcript("transcripts/chromium-session.har")
        #expect(transcript.entries.count == 8)
        let analysis = try TranscriptAnalysis.run(transcript)
        #expect(analysis.skipped == 3)
        #expect(analysis.items.map { $0.result.context.method } == ["PROPFIND", "PUT", "PROPFIND", "DELETE", "MKCOL"])
        let listing = try #require(analysis.items.first?.result)
        #expect(listing.context.request.headers["Depth"] == "1")
        #expect(listing.context.request.body.map { String(decoding: $0, as: UTF8.self).contains("<D:allprop/>") } == true)
        #expect(listing.findings.isEmpty)
        let delete = try #require(analysis.items.first { $0.entry == 7 }?.result)
        #expect(delete.findings.first?.cause == .lock)
        #expect(delete.findings.first?.resources == ["/locks/held.txt"])
    }

    @Test func oneEntryIsAnalyzedWhateverItsMethod() throws {
        let transcript = try Self.transcript("transcripts/chromium-session.har")
        let page = try TranscriptAnalysis.run(transcript, only: 1)
        #expect(page.items.map(\.entry) == [1])
        #expect(page.items.first?.result.context.method == "GET")
        #expect(throws: DAVCoreError.self) { try TranscriptAnalysis.run(transcript, only: 9) }
    }

    static func har(_ entries: String) -> [UInt8] {
        Array(#"{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[\#(entries)]}}"#.utf8)
    }

    static let multistatus =
        #"<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a/b.txt</D:href><D:status>HTTP/1.1 423 Locked</D:status></D:response></D:multistatus>"#

    @Test func base64BodyIsDecoded() throws {
        let encoded =
            "PD94bWwgdmVyc2lvbj0iMS4wIj8+PEQ6bXVsdGlzdGF0dXMgeG1sbnM6RD0iREFWOiI+PEQ6cmVzcG9uc2U+PEQ6aHJlZj4vYS9iLnR4dDwvRDpocmVmPjxEOnN0YXR1cz5IVFRQLzEuMSA0MjMgTG9ja2VkPC9EOnN0YXR1cz48L0Q6cmVzcG9uc2U+PC9EOm11bHRpc3RhdHVzPg=="
        let bytes = Self.har(
            #"{"request":{"method":"DELETE","url":"http://h/a/","headers":[]},"response":{"status":207,"headers":[],"content":{"size":150,"text":"\#(encoded)","encoding":"base64"}}}"#
        )
        let transcript = try Transcript.parse(bytes, format: .har)
        let analysis = try TranscriptAnalysis.run(transcript)
        #expect(analysis.items.first?.result.findings.first?.cause == .lock)
        #expect(analysis.items.first?.result.findings.first?.resources == ["/a/b.txt"])
    }

    @Test func elidedBodyAndRedactedAuthorizationAreNotes() throws {
        let bytes = Self.har(
            #"{"request":{"method":"PROPFIND","url":"http://h/a/","headers":[{"name":"Authorization","value":"[redacted]"},{"name":"Depth","value":"1"}]},"response":{"status":207,"headers":[],"content":{"size":4096,"mimeType":"application/xml"}}}"#
        )
        let transcript = try Transcript.parse(bytes, format: .har)
        let entry = try #require(transcript.entries.first)
        #expect(entry.bodyWithheld)
        let result = try #require(try TranscriptAnalysis.run(transcript).items.first?.result)
        #expect(result.noteSigns.contains(Sign("response-body-missing", value: "4096")))
        #expect(result.noteSigns.contains(Sign("credentials-redacted", subject: "Authorization", value: "[redacted]")))
        #expect(!result.lint.contains { $0.rule.id == LintRules.emptyBody.id })
        #expect(result.findings.isEmpty, "\(result.findings.map(\.title))")
    }

    @Test func unansweredEntryIsANoteNotAnExchange() throws {
        let bytes = Self.har(
            #"{"request":{"method":"PROPFIND","url":"http://h/a/","headers":[]},"response":{"status":0,"headers":[],"content":{"size":0},"_error":"net::ERR_CONNECTION_REFUSED"}},{"request":{"method":"DELETE","url":"http://h/a/","headers":[]},"response":{"status":207,"headers":[],"content":{"text":"\#(Self.multistatus)"}}}"#
        )
        let analysis = try TranscriptAnalysis.run(try Transcript.parse(bytes, format: .har))
        #expect(analysis.items.map(\.entry) == [2])
        #expect(analysis.noteSigns.contains(Sign("no-answer", subject: "entry 1", value: "net::ERR_CONNECTION_REFUSED")))
    }

    @Test(arguments: [
        (#"{"log":{"entries":[{"request":{"method":"GET"}}]}}"#, "log.entries[0].request.url is missing"),
        (#"{"log":{"version":"1.2","entries":[{"request":"#, "not whole"),
        (#"{"log":{"version":"1.2"}}"#, "log.entries is missing"),
    ])
    func brokenHARIsOneClearError(_ text: String, _ expected: String) throws {
        do {
            _ = try Transcript.parse(Array(text.utf8), format: .har, name: "x.har")
            Issue.record("no error")
        } catch let error as DAVCoreError {
            #expect(error.description.hasPrefix("x.har is not a HAR 1.2 file: "))
            #expect(error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }
}
