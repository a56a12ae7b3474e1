import DAVTesting
import Foundation
import Testing

/// Answers whose framing the HTTP client refuses: `check` reads their raw bytes itself, names the fault
/// with the header lines quoted, still diagnoses the multistatus inside, and never blames TLS; `analyze`
/// of the same bytes (as `curl --raw -i` saves them) says the same.
@Suite(.serialized)
struct FramingCommandTests {
    static let multistatus = #"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/docs/secret.txt</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response></D:multistatus>"#

    static func chunked(_ body: String) -> String { String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n" }

    /// Path → (answer bytes, the sign kind check must name).
    static let faults: [String: (String, String)] = [
        // The issue's own example: HTTP/1.0, chunked, and a Content-Length.
        "/te-and-cl/": ("HTTP/1.0 207 Multi-Status\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\nContent-Length: \(multistatus.utf8.count)\r\n\r\n" + chunked(multistatus),
                        "framing-transfer-encoding-with-content-length"),
        "/no-colon/": ("HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nX-Debug this line has no colon\r\nContent-Length: \(multistatus.utf8.count)\r\n\r\n" + multistatus,
                       "framing-header-line-without-colon"),
        "/two-lengths/": ("HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: \(multistatus.utf8.count)\r\nContent-Length: 12\r\n\r\n" + multistatus,
                          "framing-conflicting-content-lengths"),
    ]

    struct Report: Decodable {
        struct Sign: Decodable { var kind: String; var subject: String? }
        struct Finding: Decodable { var cause: String; var resources: [String]; var signs: [Sign]? }
        var findings: [Finding]
    }

    @Test(arguments: ["/te-and-cl/", "/no-colon/", "/two-lengths/"])
    func checkReadsTheRawAnswerAndNamesItsFraming(_ path: String) throws {
        let (answer, sign) = try #require(Self.faults[path])
        let server = try RawAnswerServer(answers: [path: Array(answer.utf8)])
        defer { server.stop() }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(server.port)\(path)", "--depth", "1", "--format", "json", "--timeout", "5"])
        #expect(!run.stderr.contains("TLS"), "\(run.stderr)")
        #expect(run.status == 1, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let framing = try #require(report.findings.first { ($0.signs ?? []).contains { $0.kind == sign } }, "\(report.findings.map(\.cause))")
        #expect(framing.cause == "payload")
        // And what the multistatus holds is still read: the member refused with 403.
        #expect(report.findings.contains { $0.cause == "permission" && $0.resources == ["/docs/secret.txt"] })

        // The same bytes saved by curl --raw -i, through analyze.
        let file = NSTemporaryDirectory() + "davdoctor-framing-\(UUID().uuidString).http"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(answer.utf8).write(to: URL(fileURLWithPath: file))
        let analyzed = try DavDoctorBinary.run(["analyze", file, "--method", "PROPFIND", "--url", "http://127.0.0.1/\(path)", "--format", "json"])
        let offline = try JSONDecoder().decode(Report.self, from: Data(analyzed.stdout.utf8))
        #expect(offline.findings.contains { ($0.signs ?? []).contains { $0.kind == sign } })
        #expect(offline.findings.contains { $0.cause == "permission" })
    }

    @Test(arguments: [
        ("/http09/", multistatus, "framing-http-0.9-answer"),
        ("/cut-head/", "HTTP/1.1 207 Multi-Status\r\nContent-Ty", "framing-closed-before-status-line"),
    ])
    func anAnswerWithoutAWholeHeadIsAFinding(_ path: String, _ answer: String, _ sign: String) throws {
        let server = try RawAnswerServer(answers: [path: Array(answer.utf8)])
        defer { server.stop() }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(server.port)\(path)", "--format", "json", "--timeout", "5"])
        #expect(!run.stderr.contains("TLS"), "\(run.stderr)")
        #expect(run.status == 1, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.findings.map { ($0.signs ?? []).map(\.kind) } == [[sign]])
    }

    @Test func aWriteIsNotSentTwice() throws {
        let (answer, _) = try #require(Self.faults["/no-colon/"])
        let server = try RawAnswerServer(answers: ["/no-colon/": Array(answer.utf8)])
        defer { server.stop() }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(server.port)/no-colon/", "--method", "MKCOL", "--timeout", "5"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("curl --raw -i"), "\(run.stderr)")
        #expect(!run.stderr.contains("TLS"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
