import DAVCore
import DAVTesting
import Diagnosis
import Testing
import Transcripts

/// `diff` reads a HAR entry as it reads the same answer captured with curl.
@Suite struct TranscriptDiffTests {
    static let url = "http://127.0.0.1:8080/docs/"

    static func curlStates(_ file: String) throws -> ResourceStates {
        var reader = try CaptureReader(path: Fixtures.url(file).path)
        defer { reader.close() }
        return try ResourceStates(reader: &reader, request: RequestOverrides(url: url, depth: "1"))
    }

    /// The capture written as the second entry of a HAR, after an OPTIONS that is not compared.
    static func harStates(_ file: String, entry: Int?) throws -> ResourceStates {
        var capture = try CaptureReader(path: Fixtures.url(file).path)
        defer { capture.close() }
        let head = try #require(try capture.readHead().response)
        let body = try capture.readWholeBody().0
        var headers = HTTPFields()
        headers.add("Depth", "1")
        let options = Exchange(request: RequestInfo(method: "OPTIONS", url: url), response: ResponseHead(status: 200), body: [])
        let propfind = Exchange(request: RequestInfo(method: "PROPFIND", url: url, headers: headers), response: head, body: body)
        let har = try HARWriter.render([.init(exchange: options), .init(exchange: propfind)], creator: "test", version: "1")
        var reader = CaptureReader(bytes: har, name: "session.har")
        return try ResourceStates(reader: &reader, entry: entry)
    }

    @Test(arguments: ["captures/diff-before.http", "captures/diff-fixed.http", "captures/diff-regressed.http"])
    func harEntryReadsAsTheCapture(_ file: String) throws {
        let curl = try Self.curlStates(file)
        let har = try Self.harStates(file, entry: 2)
        #expect(har.states == curl.states)
        #expect(har.order == curl.order)
        #expect(har.status == curl.status)
        #expect(har.method == "PROPFIND")
    }

    @Test func diffOfTwoHARsIsTheDiffOfTheCaptures() throws {
        let curl = ResultDiff(before: try Self.curlStates("captures/diff-before.http"), after: try Self.curlStates("captures/diff-regressed.http"))
        let har = ResultDiff(
            before: try Self.harStates("captures/diff-before.http", entry: 2), after: try Self.harStates("captures/diff-regressed.http", entry: 2))
        #expect(har.hasRegression == curl.hasRegression)
        #expect(har.entries.map(\.change) == curl.entries.map(\.change))
    }

    /// Without --entry the first WebDAV exchange stands for the transcript (OPTIONS here: one whole answer).
    @Test func firstWebDAVExchangeByDefault() throws {
        let states = try Self.harStates("captures/diff-before.http", entry: nil)
        #expect(states.method == "OPTIONS")
        #expect(states.status == 200)
    }
}
