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

    /// What a capture saved by curl still shows of a fault. curl stops saving where it refuses an answer
    /// (a header line without a colon, a NUL, a chunk size that is not hex), de-chunks with `-i`, and
    /// stops reading at Content-Length; in a `-v` capture its notes say what it refused.
    enum CurlShows: Sendable {
        /// This sign, in a finding.
        case sign(String)
        /// No framing sign (curl repaired or dropped the evidence), but the broken body is a payload finding.
        case brokenBody
        /// Nothing: curl hides it (a `-v` capture shows no line ends).
        case nothing
    }

    struct CurlCase: Sendable, CustomTestStringConvertible {
        var fault: String
        var include: CurlShows
        var raw: CurlShows
        var verbose: CurlShows
        var testDescription: String { fault }
    }

    static let curlCases: [CurlCase] = [
        CurlCase(
            fault: "te-and-cl", include: .sign("framing-transfer-encoding-with-content-length"),
            raw: .sign("framing-transfer-encoding-with-content-length"), verbose: .sign("framing-transfer-encoding-with-content-length")),
        CurlCase(
            fault: "chunked-on-1.0", include: .sign("framing-chunked-on-http-1.0"), raw: .sign("framing-chunked-on-http-1.0"),
            verbose: .sign("framing-chunked-on-http-1.0")),
        CurlCase(
            fault: "two-lengths", include: .sign("framing-conflicting-content-lengths"), raw: .sign("framing-conflicting-content-lengths"),
            verbose: .sign("framing-conflicting-content-lengths")),
        CurlCase(
            fault: "chunk-size-not-hex", include: .brokenBody, raw: .sign("framing-chunk-size-not-hex"), verbose: .sign("framing-chunk-size-not-hex")),
        CurlCase(
            fault: "chunk-size-too-large", include: .brokenBody, raw: .sign("framing-chunk-size-not-hex"),
            verbose: .sign("framing-body-shorter-than-announced")),
        CurlCase(
            fault: "no-colon", include: .sign("framing-saved-head-stops-after-a-line"), raw: .sign("framing-saved-head-stops-after-a-line"),
            verbose: .sign("framing-header-line-without-colon")),
        CurlCase(
            fault: "folded", include: .sign("framing-obsolete-line-folding"), raw: .sign("framing-obsolete-line-folding"),
            verbose: .sign("framing-obsolete-line-folding")),
        CurlCase(fault: "bare-lf", include: .sign("framing-bare-lf-line-ends"), raw: .sign("framing-bare-lf-line-ends"), verbose: .nothing),
        CurlCase(
            fault: "nul-in-header", include: .sign("framing-saved-head-stops-after-a-line"), raw: .sign("framing-saved-head-stops-after-a-line"),
            verbose: .sign("framing-control-bytes-in-header")),
        CurlCase(
            fault: "body-shorter", include: .sign("framing-body-shorter-than-announced"), raw: .sign("framing-body-shorter-than-announced"),
            verbose: .sign("framing-body-shorter-than-announced")),
        CurlCase(fault: "body-longer", include: .brokenBody, raw: .brokenBody, verbose: .sign("framing-body-longer-than-announced")),
    ]

    /// Each fault saved by the real curl as a user saves it — `curl -i`, `curl --raw -i`, `curl -v … 2>&1` —
    /// and read by analyze: the sign curl left evidence of, or at least a broken body.
    @Test(.needs(.curl), arguments: curlCases)
    func analyzeOfWhatCurlSavedNamesTheFault(_ curlCase: CurlCase) throws {
        let fault = try #require(Self.faults.first { $0.name == curlCase.fault })
        let server = try Self.server(fault.answer)
        defer { server.stop() }
        let curl = try Need.executable("curl")
        let url = "http://127.0.0.1:\(server.port)/docs/"
        let forms: [(String, String, CurlShows)] = [
            ("-s -i", "2>/dev/null", curlCase.include), ("-s --raw -i", "2>/dev/null", curlCase.raw), ("-s -v", "2>&1", curlCase.verbose),
        ]
        for (flags, stderr, expected) in forms {
            let file = NSTemporaryDirectory() + "davdoctor-curl-\(UUID().uuidString).http"
            defer { try? FileManager.default.removeItem(atPath: file) }
            // curl exits non-zero where it refuses the answer; what it saved until then is the capture.
            _ = try Processes.run(
                "/bin/sh", ["-c", "\"$0\" \(flags) -X PROPFIND -H 'Depth: 1' --max-time 5 \"$1\" > \"$2\" \(stderr); exit 0", curl, url, file])
            let run = try DavDoctorBinary.run(["analyze", file, "--method", "PROPFIND", "--url", url, "--depth", "1", "--format", "json"])
            let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
            let seen = report.findings.map { ($0.cause, ($0.signs ?? []).map(\.kind)) }
            switch expected {
            case .sign(let kind): #expect(report.finding(signed: kind) != nil, "curl \(flags): \(seen)")
            case .brokenBody: #expect(report.findings.contains { $0.cause == "payload" }, "curl \(flags): \(seen)")
            case .nothing:
                #expect(!report.findings.contains { ($0.signs ?? []).contains { $0.kind.hasPrefix("framing-") } }, "curl \(flags): \(seen)")
            }
        }
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
