import DAVCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import DAVServer

/// The reads answered on the event loop (``InlineAnswerHandler``) against the same server with every
/// request going through Hummingbird's task: the same answers byte for byte, the same log lines, and the
/// order of a connection's answers kept when inline and task-based requests are pipelined.
struct InlineAnswerTests {
    static let propfindAll = #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#
    static let propname = #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>"#
    static let someProps = #"<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:missing-one/></D:prop></D:propfind>"#

    /// The requests compared: every kind the inline path takes, its failures, and kinds it declines.
    static let requests: [(method: String, uri: String, headers: [String: String], body: String?)] = [
        ("OPTIONS", "/", [:], nil),
        ("OPTIONS", "*", [:], nil),
        ("GET", "/plain.txt", [:], nil),
        ("HEAD", "/plain.txt", [:], nil),
        ("GET", "/a%20b.txt", ["Range": "bytes=1-3"], nil),
        ("GET", "/plain.txt", ["Range": "bytes=99-"], nil),
        ("GET", "/big.bin", [:], nil),  // over 256 KiB: declined, streamed by the task
        ("GET", "/sub%20dir/", [:], nil),
        ("GET", "/nothing-here", [:], nil),
        ("GET", "/../etc/passwd", [:], nil),
        ("PROPFIND", "/plain.txt", ["Depth": "0"], propfindAll),
        ("PROPFIND", "/", ["Depth": "0"], nil),
        ("PROPFIND", "/", ["Depth": "1"], propname),
        ("PROPFIND", "/many/", ["Depth": "1"], propfindAll),  // several 64 KiB pieces
        ("PROPFIND", "/many/", ["Depth": "1"], someProps),
        ("PROPFIND", "/", ["Depth": "0"], "<D:propfind xmlns:D=\"DAV:\"><D:allprop>"),  // malformed: 400
        ("PROPFIND", "/", ["Depth": "0"], "<!DOCTYPE x [<!ENTITY e \"e\">]><x/>"),  // DTD: 400
        ("PROPFIND", "/", ["Depth": "2"], nil),  // malformed Depth, declined: 400 from the task
        ("PROPFIND", "/gone/", ["Depth": "1"], nil),
        ("PROPFIND", "/", ["Depth": "infinity"], nil),  // declined
    ]

    static func fixture(_ backend: Backend, log: AccessLog? = nil) throws -> ServerFixture {
        let fixture = try ServerFixture(backend) { $0.accessLog = log }
        let storage = fixture.options.storage
        try ServerFixture.write(storage, path("big.bin"), String(repeating: "0123456789abcdef", count: 20_000))
        try storage.makeCollection(at: path("many"))
        for index in 0..<300 { try ServerFixture.write(storage, path("many", "member \(index).txt"), "\(index)") }
        return fixture
    }

    /// Status, headers (without Date) and body of each request, sent to a live server.
    static func answers(
        _ options: DAVServerOptions, _ requests: [(method: String, uri: String, headers: [String: String], body: String?)] = requests
    ) async throws -> [String] {
        let app = DAVServer.makeApplication(options: options, host: "127.0.0.1", port: 0, logger: Logger(label: "inline"))
        return try await app.test(.live) { client async throws in
            var answers: [String] = []
            for request in requests {
                let answer = try await client.send(request.method, request.uri, headers: request.headers, body: request.body)
                let headers = answer.headers.filter { $0.name != .date }.map { "\($0.name): \($0.value)" }.sorted()
                answers.append("\(request.method) \(request.uri) → \(answer.code)\n\(headers.joined(separator: "\n"))\n\(answer.text)")
            }
            return answers
        }
    }

    @Test(arguments: Backend.allCases)
    func inlineAnswersEqualTheTaskBasedOnes(_ backend: Backend) async throws {
        let fixture = try Self.fixture(backend)
        var taskOnly = fixture.options
        taskOnly.answersReadsInline = false
        let inline = try await Self.answers(fixture.options)
        let tasks = try await Self.answers(taskOnly)
        #expect(inline.count == Self.requests.count)
        for (one, other) in zip(inline, tasks) { #expect(one == other) }
        // The comparison means something only if the answers are the real ones.
        #expect(inline[2].contains("→ 200") && inline[2].hasSuffix("\nplain"))
        #expect(inline[13].contains("→ 207") && inline[13].components(separatedBy: "<D:response>").count == 302)
        #expect(inline[15].contains("→ 400") && inline[16].contains("→ 400"))
        #expect(inline[0].lowercased().contains("server: davdoctor"))
        _ = fixture
    }

    /// Users and rules: 401 and 403 alike, listings that leave out what the user may not read, and a
    /// password checked (by a task) before its credentials are trusted inline.
    @Test func accessRulesHoldInline() async throws {
        let fixture = try AccessTests.fixture()
        let bob = AccessTests.basic("bob")
        let requests: [(method: String, uri: String, headers: [String: String], body: String?)] = [
            ("GET", "/plain.txt", [:], nil),
            ("GET", "/plain.txt", AccessTests.basic("bob", "wrong"), nil),
            ("GET", "/plain.txt", bob, nil),
            ("GET", "/plain.txt", bob, nil),
            ("GET", "/sub%20dir/nested.txt", bob, nil),
            ("PROPFIND", "/", bob.merging(["Depth": "1"]) { $1 }, nil),
            ("PROPFIND", "/", AccessTests.basic("alice").merging(["Depth": "1"]) { $1 }, Self.propfindAll),
            ("PROPFIND", "/sub%20dir/", bob.merging(["Depth": "0"]) { $1 }, nil),
            ("OPTIONS", "/sub%20dir/", [:], nil),
        ]
        var taskOnly = fixture.options
        taskOnly.answersReadsInline = false
        let inline = try await Self.answers(fixture.options, requests)
        let tasks = try await Self.answers(taskOnly, requests)
        for (one, other) in zip(inline, tasks) { #expect(one == other) }
        #expect(inline.map { $0.split(separator: "\n")[0].split(separator: " ").last! } == ["401", "401", "200", "200", "403", "207", "207", "403", "200"])
        #expect(!inline[5].contains("sub%20dir") && inline[6].contains("<D:href>/sub%20dir/</D:href>"))
        _ = fixture
    }

    @Test func inlineRequestsAreLoggedLikeTheOthers() async throws {
        let logDirectory = TemporaryDirectory()
        var lines: [[String]] = []
        for inline in [true, false] {
            let logPath = logDirectory.path + "/access-\(inline).log"
            let fixture = try Self.fixture(.persistent, log: try AccessLog(path: logPath))
            var options = fixture.options
            options.answersReadsInline = inline
            _ = try await Self.answers(options)
            _ = fixture
            let records = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map { line -> String in
                let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
                let statuses = (record["statuses"] as? [String: Int])?.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } ?? []
                return "\(record["method"] ?? "") \(record["path"] ?? "") \(record["depth"] ?? "-") \(record["status"] ?? "") \(statuses)"
            }
            lines.append(records)
        }
        #expect(lines[0].count == Self.requests.count)
        #expect(lines[0] == lines[1])
        #expect(lines[0].contains { $0.hasPrefix("PROPFIND /many/ 1 207 [\"200=") }, "\(lines[0])")
    }

    /// A PUT and a GET of the same file sent in one write: the GET (inline) must wait for the PUT (task).
    /// Then a Depth 1 answer of several pieces with an OPTIONS behind it on the same connection.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let fixture = try Self.fixture(.persistent)
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "inline"))
        try await app.test(.live) { client async throws in
            let port = try #require(client.port)
            let received = try await offThePool {
                let connection = try RawHTTPConnection(port: port, readTimeout: 20)
                var pipeline = "PUT /fresh.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nfresh"
                pipeline += "GET /fresh.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                pipeline += "PROPFIND /many/ HTTP/1.1\r\nHost: 127.0.0.1\r\nDepth: 1\r\nContent-Length: 0\r\n\r\n"
                pipeline += "OPTIONS / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                try connection.send(pipeline)
                return String(decoding: try connection.readUntilClosed(), as: UTF8.self)
            }
            // Status lines end in CRLF; the `<D:status>` lines of the 207 do not.
            let statusLines = received.matches(of: /HTTP\/1\.1 ([0-9]{3})[^\r\n<]*\r\n/).map { String($0.output.1) }
            #expect(statusLines == ["201", "200", "207", "200"])
            let afterPut = try #require(received.range(of: "HTTP/1.1 200 OK"))
            #expect(received[afterPut.upperBound...].contains("\r\n\r\nfresh"))
            #expect(received.contains("</D:multistatus>"))
            #expect(received.components(separatedBy: "<D:response>").count == 302)
            #expect(received.hasSuffix("\r\n\r\n") && received.contains("DAV: 1, 2"))
        }
    }
}
