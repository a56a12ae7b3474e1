import DAVCore
import DAVTesting
import Diagnosis
import Testing
import Transcripts

/// Every capture of the fixture corpus, written as a one-entry HAR by the writer `check --save-har` uses
/// and analyzed from it, names the same findings as its curl form: the request comes from the HAR entry
/// instead of flags. Bare bodies (no status to put in a HAR) and bodies cut short (HAR has no way to say
/// so) are left out.
@Suite struct CorpusAsHARTests {
    static let rows: [Fixtures.Row] = ((try? Fixtures.rows()) ?? []).filter { !$0.file.hasSuffix(".xml") }

    struct Summary: Equatable, CustomStringConvertible {
        var cause: Cause
        var likelihood: Likelihood
        var resources: [String]
        var description: String { "\(cause.rawValue)/\(likelihood) \(resources)" }
    }

    static func summary(_ result: AnalysisResult) -> [Summary] {
        result.findings.map { Summary(cause: $0.cause, likelihood: $0.likelihood, resources: $0.resources.sorted()) }
    }

    @Test func theCorpusIsThere() { #expect(Self.rows.count > 150) }

    @Test(arguments: rows)
    func harGivesTheSameFindings(_ row: Fixtures.Row) throws {
        var body: [UInt8]?
        if let file = row.requestBody { body = try Fixtures.bytes(file) }
        let overrides = RequestOverrides(method: row.method, url: row.url, depth: row.depth, headers: row.headers, body: body)
        var reader = try CaptureReader(path: Fixtures.url(row.path).path)
        defer { reader.close() }
        let curl = try Analysis.run(reader: &reader, request: overrides, pieces: 1)
        guard curl.bodyInfo?.isTruncated != true, let head = curl.head else { return }

        // The same capture taken apart as check --save-har sees an exchange: request, head, decoded body.
        var again = try CaptureReader(path: Fixtures.url(row.path).path)
        defer { again.close() }
        _ = try again.readHead()
        let (decoded, _) = try again.readWholeBody()
        let exchange = Exchange(request: curl.context.request, response: head, body: decoded)
        let har = try HARWriter.render([HARWriter.Item(exchange: exchange)], creator: "davdoctor test", version: "1")
        let fromHAR = try TranscriptAnalysis.run(try Transcript.parse(har, format: .har), only: 1)
        let result = try #require(fromHAR.items.first?.result)
        #expect(Self.summary(result) == Self.summary(curl), "\(row)")
        #expect(result.collector?.responseCount == curl.collector?.responseCount, "\(row)")
    }
}
