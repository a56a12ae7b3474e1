import DAVTesting
import Foundation
import Testing

/// `davdoctor check` when the server cannot be asked: one line on stderr, nothing on stdout, exit 3; bad
/// usage exit 2. (What it says about servers that answer is CheckLiveTests.)
struct CheckCommandTests {
    @Test(arguments: [
        (["check", "ftp://example.com/"], "must be an absolute http:// or https:// URL"),
        (["check", "http://127.0.0.1:1/", "--depth", "7"], "--depth must be 0, 1 or infinity"),
        (["check", "http://127.0.0.1:1/", "--header", "no colon"], "--header must look like 'Name: value'"),
        (["check", "http://127.0.0.1:1/", "--method", "GET /x"], "--method must be an HTTP method name"),
    ])
    func badUsageIsOneLineAndExitTwo(_ arguments: [String], _ message: String) throws {
        let run = try DavDoctorBinary.run(arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func refusedConnectionExitsThree() throws {
        let port = Processes.freePort()
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(port)/"])
        #expect(run.status == 3)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr
                == "davdoctor: error: connection refused by 127.0.0.1:\(port): nothing listens there (is the server running, and is the port right?)\n"
        )
    }

    @Test func unresolvableHostExitsThree() throws {
        let run = try DavDoctorBinary.run(["check", "http://nonexistent.invalid/"])
        #expect(run.status == 3)
        #expect(run.stderr.hasPrefix("davdoctor: error: cannot reach nonexistent.invalid"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    /// A server that accepts the connection and never answers: the read timeout ends it.
    @Test func silentServerTimesOutAndExitsThree() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(listener, 4)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(port)/", "--timeout", "1"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("timed out"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    /// The password given with --user never reaches the output or the saved exchanges.
    @Test func passwordIsNeverPrintedOrSaved() throws {
        let port = Processes.freePort()
        let save = NSTemporaryDirectory() + "davdoctor-check-save-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: save) }
        let run = try DavDoctorBinary.run(["check", "http://127.0.0.1:\(port)/", "--user", "alice:s3cret-pw", "--save", save])
        #expect(run.status == 3)
        #expect(!run.stderr.contains("s3cret-pw") && !run.stdout.contains("s3cret-pw"))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: save)) ?? [] {
            let text = String(decoding: FileManager.default.contents(atPath: save + "/" + name) ?? Data(), as: UTF8.self)
            #expect(!text.contains("s3cret-pw") && !text.contains("YWxpY2U6czNjcmV0LXB3"), "\(name) holds the password")
        }
    }
}

/// Ctrl-C during a long answer: check stops reading, still analyzes what arrived, and says it was cut.
struct CheckInterruptTests {
    /// A server that sends a 207 head and then one response every 50 ms, forever.
    static let slowServer = #"""
        import socket, sys, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0)); s.listen(8); print(s.getsockname()[1], flush=True)
        while True:
            c, _ = s.accept()
            c.recv(65536)
            def chunk(b): c.sendall(b"%x\r\n%s\r\n" % (len(b), b))
            c.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk(b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">')
            i = 0
            try:
                while True:
                    status = "403 Forbidden" if i % 10 == 3 else "200 OK"
                    chunk(b"<D:response><D:href>/big/f%d.txt</D:href><D:propstat><D:prop><D:getetag>\"%d\"</D:getetag></D:prop><D:status>HTTP/1.1 %s</D:status></D:propstat></D:response>" % (i, i, status.encode()))
                    i += 1; time.sleep(0.05)
            except OSError:
                c.close()
        """#

    @Test(.needs(.python3)) func ctrlCPrintsWhatWasFoundSoFar() throws {
        let server = try Processes.Background(try Need.executable("python3"), ["-c", Self.slowServer])
        defer { server.stop() }
        let port = server.firstLine()
        let process = Process()
        process.executableURL = DavDoctorBinary.url
        process.arguments = ["check", "http://127.0.0.1:\(port)/big/", "--depth", "infinity", "--format", "json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(1_500_000)
        kill(process.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        struct Report: Decodable {
            struct Summary: Decodable { var responses: Int }
            struct Finding: Decodable { var cause: String }
            var summary: Summary
            var findings: [Finding]
            var noteSigns: [ReportSign]
        }
        let report = try JSONDecoder().decode(Report.self, from: data)
        #expect(process.terminationStatus == 1)
        #expect(report.summary.responses > 5, "only \(report.summary.responses) responses before Ctrl-C")
        #expect(report.findings.contains { $0.cause == "permission" })
        #expect(report.noteSigns.first("interrupted") != nil, "\(report.noteSigns)")
    }
}
