import DAVTesting
import Foundation
import Testing

/// Answers whose framing the HTTP client refuses: `check` reads their raw bytes itself, names the fault
/// with the header lines quoted, still diagnoses the multistatus inside, and never blames TLS; `analyze`
/// of the same bytes (as `curl --raw -i` saves them) says the same.
@Suite(.serialized)
struct FramingCommandTests {
    static let multistatus =
        #"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/docs/secret.txt</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response></D:multistatus>"#

    static func chunked(_ body: String) -> String { String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n" }

    /// One misframed answer to `PROPFIND /docs/`, the sign every reader must name, and the header line it
    /// must quote (nil when the fault is not in one line).
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var answer: String
        var sign: String
        var quoted: String?
        /// Whether the multistatus inside can still be read (a body that never arrives, or whose framing
        /// breaks before it, cannot).
        var multistatusInside = true
        /// Whether `analyze` of the bytes saved by `curl --raw -i` can tell: curl refuses an HTTP/0.9
        /// answer and saves nothing, so a file without a head is read as a bare body.
        var offline = true
        var testDescription: String { name }
    }

    static let ms = multistatus
    static let length = multistatus.utf8.count
    static let head = "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\n"

    /// Every fault issue 21 names, as a server (or something in front of it) would send it.
    static let faults: [Fault] = [
        Fault(
            name: "te-and-cl",
            answer: "HTTP/1.0 207 Multi-Status\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\nContent-Length: \(length)\r\n\r\n"
                + chunked(ms),
            sign: "framing-transfer-encoding-with-content-length", quoted: "Transfer-Encoding: chunked"),
        Fault(
            name: "chunked-on-1.0",
            answer: "HTTP/1.0 207 Multi-Status\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(ms),
            sign: "framing-chunked-on-http-1.0", quoted: "HTTP/1.0 207 Multi-Status"),
        Fault(
            name: "two-lengths", answer: head + "Content-Length: \(length)\r\nContent-Length: 12\r\n\r\n" + ms,
            sign: "framing-conflicting-content-lengths", quoted: "Content-Length: \(length)"),
        Fault(
            name: "chunk-size-not-hex", answer: head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + ms + "\r\n0\r\n\r\n",
            sign: "framing-chunk-size-not-hex", quoted: "zz", multistatusInside: false),
        Fault(
            name: "chunk-size-too-large",
            answer: head + "Transfer-Encoding: chunked\r\n\r\n" + String(length + 40, radix: 16) + "\r\n" + ms + "\r\n0\r\n\r\n",
            sign: "framing-chunk-size-not-hex"),
        Fault(
            name: "no-colon", answer: head + "X-Debug this line has no colon\r\nContent-Length: \(length)\r\n\r\n" + ms,
            sign: "framing-header-line-without-colon", quoted: "X-Debug this line has no colon"),
        Fault(
            name: "folded", answer: head + "X-Note: first\r\n  folded on\r\nContent-Length: \(length)\r\n\r\n" + ms,
            sign: "framing-obsolete-line-folding", quoted: "  folded on"),
        // A CGI's own lines in bare LF after the server's CRLF status line.
        Fault(
            name: "bare-lf", answer: "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\nContent-Length: \(length)\n\n" + ms,
            sign: "framing-bare-lf-line-ends"),
        Fault(
            name: "nul-in-header", answer: head + "X-Debug: a\u{0}b\r\nContent-Length: \(length)\r\n\r\n" + ms,
            sign: "framing-control-bytes-in-header", quoted: "X-Debug: a\\x00b"),
        Fault(name: "http-0.9", answer: ms, sign: "framing-http-0.9-answer", multistatusInside: false, offline: false),
        Fault(
            name: "closed-in-head", answer: "HTTP/1.1 207 Multi-Status\r\nContent-Ty", sign: "framing-closed-before-status-line",
            multistatusInside: false),
        Fault(name: "body-shorter", answer: head + "Content-Length: \(length + 100)\r\n\r\n" + ms, sign: "framing-body-shorter-than-announced"),
        Fault(name: "body-longer", answer: head + "Content-Length: \(length - 20)\r\n\r\n" + ms, sign: "framing-body-longer-than-announced"),
    ]

    /// OPTIONS answered as a WebDAV server would, so the probes judge only the misframed PROPFIND.
    static let options = "HTTP/1.1 200 OK\r\nDAV: 1, 2\r\nAllow: OPTIONS, GET, HEAD, PROPFIND\r\nContent-Length: 0\r\n\r\n"
    static let wellFramed = head + "Content-Length: \(length)\r\n\r\n" + ms

    static func server(_ answer: String) throws -> RawAnswerServer {
        try RawAnswerServer(answers: ["/docs/": Array(answer.unicodeScalars.map { UInt8($0.value) }), "OPTIONS /docs/": Array(options.utf8)])
    }

    struct Report: Decodable {
        struct Sign: Decodable {
            var kind: String
            var subject: String?
        }
        struct Finding: Decodable {
            var cause: String
            var resources: [String]
            var signs: [Sign]?
        }
        var findings: [Finding]
        func finding(signed kind: String) -> Finding? { findings.first { ($0.signs ?? []).contains { $0.kind == kind } } }
        func sign(_ kind: String) -> Sign? { findings.lazy.compactMap { $0.signs?.first { $0.kind == kind } }.first }
        var readsTheRefusedMember: Bool { findings.contains { $0.cause == "permission" && $0.resources == ["/docs/secret.txt"] } }
    }

    @Test(arguments: faults)
    func checkReadsTheRawAnswerAndNamesItsFraming(_ fault: Fault) throws {
        let server = try Self.server(fault.answer)
        defer { server.stop() }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(server.port)/docs/", "--depth", "1", "--format", "json", "--timeout", "5"])
        #expect(!run.stderr.contains("TLS"), "\(run.stderr)")
        #expect(run.status == 1, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let framing = try #require(report.finding(signed: fault.sign), "\(report.findings.map { ($0.cause, ($0.signs ?? []).map(\.kind)) })")
        #expect(framing.cause == "payload")
        if let quoted = fault.quoted { #expect(report.sign(fault.sign)?.subject == quoted) }
        // And what the multistatus holds is still read: the member refused with 403.
        if fault.multistatusInside { #expect(report.readsTheRefusedMember) }
    }

    /// The same fault seen only through the proxy is the proxy's: `proxy` names it with cause proxy.
    @Test(arguments: faults)
    func proxyNamesAFaultOnlyItsSideHas(_ fault: Fault) throws {
        let backend = try Self.server(Self.wellFramed)
        defer { backend.stop() }
        let front = try Self.server(fault.answer)
        defer { front.stop() }
        let run = try DavDoctorBinary.run([
            "proxy", "--direct", "http://127.0.0.1:\(backend.port)/docs/", "--via", "http://127.0.0.1:\(front.port)/docs/", "--format", "json",
            "--timeout", "5",
        ])
        #expect(!run.stderr.contains("TLS"), "\(run.stderr)")
        #expect(run.status == 1, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let framing = try #require(report.finding(signed: fault.sign), "\(report.findings.map { ($0.cause, ($0.signs ?? []).map(\.kind)) })")
        #expect(framing.cause == "proxy")
        if let quoted = fault.quoted { #expect(report.sign(fault.sign)?.subject == quoted) }
    }

    /// The bytes as `curl --raw -i` saves them, through analyze.
    @Test(arguments: faults.filter(\.offline))
    func analyzeOfTheSavedBytesSaysTheSame(_ fault: Fault) throws {
        let file = NSTemporaryDirectory() + "davdoctor-framing-\(UUID().uuidString).http"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(fault.answer.unicodeScalars.map { UInt8($0.value) }).write(to: URL(fileURLWithPath: file))
        let run = try DavDoctorBinary.run(["analyze", file, "--method", "PROPFIND", "--url", "http://127.0.0.1/docs/", "--format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.finding(signed: fault.sign) != nil, "\(report.findings.map { ($0.cause, ($0.signs ?? []).map(\.kind)) })")
        if let quoted = fault.quoted { #expect(report.sign(fault.sign)?.subject == quoted) }
        if fault.multistatusInside { #expect(report.readsTheRefusedMember) }
    }

    /// A probe whose answer the HTTP client refuses is read raw too: OPTIONS answered with a header line
    /// without a colon still tells the DAV classes.
    @Test func aProbeReadsARefusedAnswerRaw() throws {
        let brokenOptions =
            "HTTP/1.1 200 OK\r\nDAV: 1, 2\r\nX-Debug no colon here\r\nAllow: OPTIONS, GET, HEAD, PROPFIND\r\nContent-Length: 0\r\n\r\n"
        let server = try RawAnswerServer(answers: ["/docs/": Array(Self.wellFramed.utf8), "OPTIONS /docs/": Array(brokenOptions.utf8)])
        defer { server.stop() }
        struct Full: Decodable {
            struct Probe: Decodable {
                var method: String
                var status: Int?
            }
            var probes: [Probe]?
            var capabilities: [String: String]?
        }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(server.port)/docs/", "--depth", "1", "--format", "json", "--timeout", "5"])
        let report = try JSONDecoder().decode(Full.self, from: Data(run.stdout.utf8))
        #expect(report.probes?.first { $0.method == "OPTIONS" }?.status == 200, "\(run.stdout.prefix(2000))")
        #expect(report.capabilities?["DAV"] == "1, 2")
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
        let fault = try #require(Self.faults.first { $0.name == "no-colon" })
        let server = try Self.server(fault.answer)
        defer { server.stop() }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(server.port)/docs/", "--method", "MKCOL", "--timeout", "5"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("curl --raw -i"), "\(run.stderr)")
        #expect(!run.stderr.contains("TLS"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
