import DAVCore
import DAVTesting
import Foundation
import Testing

/// `davdoctor logs` on the real servers' own logs, saved beside their captures.
struct LogsCommandTests {
    /// Analyzes a fixture row to a JSON report in a temporary file, then runs `logs` on its folder's logs.
    static func logs(_ row: Fixtures.Row, access: [String], errors: [String], extra: [String] = []) throws -> CommandResult {
        var arguments = ["analyze", "Tests/Fixtures/\(row.path)", "--format", "json", "--method", row.method, "--url", row.url]
        if let depth = row.depth { arguments += ["--depth", depth] }
        for (name, value) in row.headers { arguments += ["--header", "\(name): \(value)"] }
        if let body = row.requestBody { arguments += ["--request-body", "Tests/Fixtures/\(body)"] }
        let analyzed = try DavDoctorBinary.run(arguments)
        #expect(analyzed.status == 0 || analyzed.status == 1, "\(row): \(analyzed.stderr)")
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-report-\(UUID().uuidString).json")
        try analyzed.stdout.write(to: report, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: report) }
        var logArguments = ["logs", report.path, "--window", "1"] + extra
        for file in access { logArguments += ["--access", "Tests/Fixtures/\(row.folder)/logs/\(file)"] }
        for file in errors { logArguments += ["--error", "Tests/Fixtures/\(row.folder)/logs/\(file)"] }
        return try DavDoctorBinary.run(logArguments)
    }

    static func row(_ path: String) throws -> Fixtures.Row {
        try #require(try Fixtures.rows().first { $0.path == path })
    }

    static let failures: [Fixtures.Row] = ((try? Fixtures.rows()) ?? []).filter { row in
        ["apache-2.4", "nginx-dav-ext", "lighttpd"].contains(row.folder) && row.cause != "none" && !row.isLiveOnly
            && !row.file.contains("lockdb") && (row.notes.first.map { $0 != "2" } ?? true)
    }

    /// Every failure the real servers were driven into finds its own access log line.
    @Test(arguments: failures)
    func accessLineIsAttached(_ row: Fixtures.Row) throws {
        let result = try Self.logs(row, access: ["access.log"], errors: ["error.log"], extra: ["--output", "json"])
        #expect(result.status == 1, "\(row): \(result.stderr)")
        let target = Href(row.url).path
        let lines = try Self.decode(result).findings.flatMap(\.signs).filter { $0.kind == "access-log-line" }
        // The line the server logged for this request (its own words, a value).
        #expect(
            lines.contains { $0.value?.contains("\"\(row.method) \(target) HTTP/1.1\"") == true },
            "\(row): no access line for \(row.method) \(target) in \(lines)")
    }

    /// The enriched report as data; `logged` is a fragment of what the server itself wrote in its log.
    static func decode(_ result: CommandResult) throws -> Enriched {
        try JSONDecoder().decode(Enriched.self, from: Data(result.stdout.utf8))
    }

    static func expectSettled(_ result: CommandResult, cause: String, logged: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let first = try #require(try decode(result).findings.first, "\(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(first.cause == cause && first.likelihood == "high", "\(first.cause) \(first.likelihood)", sourceLocation: sourceLocation)
        #expect(
            first.signs.contains { $0.kind == "error-log-line" && $0.value?.contains(logged) == true }, "\(first.signs)",
            sourceLocation: sourceLocation)
    }

    @Test func errorLogSettlesNginxFullDisk() throws {
        let result = try Self.logs(
            try Self.row("nginx-dav-ext/put-quota.http"), access: ["access.log"], errors: ["error.log"], extra: ["--output", "json"])
        try Self.expectSettled(result, cause: "storage", logged: "write() has written only")
    }

    @Test func errorLogSettlesNginxMissingParent() throws {
        let result = try Self.logs(
            try Self.row("nginx-dav-ext/put-missing-parent.http"), access: ["access.log"], errors: ["error.log"], extra: ["--output", "json"])
        try Self.expectSettled(result, cause: "path", logged: "No such file or directory")
    }

    /// The 500 page says nothing; only Apache's error log names the lock database (catalog SC-03).
    @Test func lockDatabaseErrorOnlyTheLogShows() throws {
        let result = try Self.logs(
            try Self.row("apache-2.4/put-lockdb-unusable.http"),
            access: ["apache-lockdb-access.log"], errors: ["apache-lockdb-error.log"], extra: ["--output", "json"])
        #expect(result.status == 1)
        try Self.expectSettled(result, cause: "server-config", logged: "Could not open the lock database.")
        // The directive to change, a value the user pastes.
        #expect(try Self.decode(result).findings.first?.fixes.contains { $0.action.contains("DavLockDB") } == true)
    }

    @Test func gzipRotatedLogsAreRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gz = folder.appendingPathComponent("error.log.1.gz")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c '\(Fixtures.url("nginx-dav-ext/logs/error.log").path)' > '\(gz.path)'"]
        try process.run()
        process.waitUntilExit()
        let row = try Self.row("nginx-dav-ext/put-quota.http")
        var result = try Self.logs(row, access: [], errors: [])
        // run again with the gzipped error log given by absolute path
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-r-\(UUID().uuidString).json")
        let analyzed = try DavDoctorBinary.run(["analyze", "Tests/Fixtures/\(row.path)", "--format", "json", "--method", "PUT", "--url", row.url])
        try analyzed.stdout.write(to: report, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: report) }
        result = try DavDoctorBinary.run(["logs", report.path, "--error", gz.path, "--window", "1", "--output", "json"])
        let signs = try Self.decode(result).findings.flatMap(\.signs)
        #expect(signs.contains { $0.kind == "error-log-line" && $0.value?.contains("write() has written only") == true }, "\(signs) \(result.stderr)")
    }

    @Test(arguments: [
        (["logs", "--access", "x.log"], "give either REPORT.json or --save-dir DIR"),
        (["logs", "r.json"], "give at least one --access or --error log"),
        (["logs", "Tests/Fixtures/apache-2.4/SOURCE.md", "--access", "x"], "is not a davdoctor JSON report"),
        (["logs", "r.json", "--access", "x", "--format", "iis"], "iis"),
    ])
    func badUsage(_ arguments: [String], _ fragment: String) throws {
        let result = try DavDoctorBinary.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stdout)")
        #expect(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}

extension LogsCommandTests {
    struct Enriched: Decodable {
        struct Fix: Decodable { var action: String }
        struct Finding: Decodable {
            var cause: String
            var likelihood: String
            var signs: [ReportSign]
            var fixes: [Fix]
        }
        var findings: [Finding]
    }

    /// lighttpd's error lines: one names the path (bob's password checked against alice's rule), the
    /// other only the status it answered, and both land on the finding of their cause.
    @Test(arguments: [
        (
            "lighttpd/propfind-secret-wrong-user.http", "permission", "error.log:2",
            "2026-11-25 11:41:09: (mod_auth.c.850) password doesn't match for /secret/alice/ username: bob IP: 127.0.0.1"
        ),
        ("lighttpd/put-over-limit.http", "server-config", "error.log:3", "2026-11-25 11:41:10: (response.c.377) request-size too long: 4096 -> 413"),
    ])
    func lighttpdErrorLineIsAttached(_ path: String, _ cause: String, _ source: String, _ line: String) throws {
        let result = try Self.logs(try Self.row(path), access: ["access.log"], errors: ["error.log"], extra: ["--output", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try Self.decode(result)
        let finding = report.findings.first { $0.signs.contains(ReportSign("error-log-line", subject: source, value: line)) }
        #expect(finding?.cause == cause, "\(report.findings.map { ($0.cause, $0.signs) })")
    }
}

/// `davdoctor logs` on runs saved by a live `check --save` against real servers, read back from the
/// logs those servers wrote while the check ran.
@Suite(.serialized)
struct LogsLiveTests {
    /// Servers write their logs a little after answering: wait for the line, with a loose bound.
    func waitForLine(in file: String, containing text: String) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: file), String(decoding: data, as: UTF8.self).contains(text) { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("\(file) never logged \(text)")
    }

    func enriched(_ arguments: [String]) throws -> LogsCommandTests.Enriched {
        let result = try DavDoctorBinary.run(["logs"] + arguments + ["--output", "json"])
        #expect(result.status == 1, "logs \(arguments): exit \(result.status) \(result.stderr)")
        return try JSONDecoder().decode(LogsCommandTests.Enriched.self, from: Data(result.stdout.utf8))
    }

    /// `--save-dir`: the run check saved against real lighttpd, with its access and error logs.
    @Test(.needs(.peer("lighttpd"))) func saveDirReadsTheSavedCheckRun() throws {
        let peer = try Peer.start("lighttpd")
        defer { peer.stop() }
        let work = try Processes.temporaryDirectory("logs-save-dir")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data(repeating: 0x78, count: 4096).write(to: URL(fileURLWithPath: work + "/4k.bin"))
        let checked = try DavDoctorBinary.run([
            "check", peer.url("/upload/big.bin"), "--method", "PUT", "--body", work + "/4k.bin", "--save", work + "/run", "--format", "json",
        ])
        #expect(checked.status == 1, "\(checked.stderr)")
        let logs = peer.workDirectory + "/lighttpd/logs/"
        try waitForLine(in: logs + "access.log", containing: "\"PUT /upload/big.bin HTTP/1.1\" 413")

        let report = try enriched(["--save-dir", work + "/run", "--access", logs + "access.log", "--error", logs + "error.log"])
        let limit = try #require(report.findings.first { $0.cause == "server-config" })
        #expect(
            limit.signs.contains {
                $0.kind == "access-log-line" && $0.subject?.hasPrefix("access.log:") == true
                    && $0.value?.contains("\"PUT /upload/big.bin HTTP/1.1\" 413") == true
            },
            "\(limit.signs)")
        #expect(
            limit.signs.contains {
                $0.kind == "error-log-line" && $0.subject?.hasPrefix("error.log:") == true
                    && $0.value?.hasSuffix("request-size too long: 4096 -> 413") == true
            },
            "\(limit.signs)")
    }

    /// `--format davdoctor`: davdoctor serve's own JSON access log, written live while check asked as bob.
    @Test(.needs(.peer("davdoctor"))) func davdoctorServeAccessLogIsRead() throws {
        let peer = try Peer.start("davdoctor")
        defer { peer.stop() }
        let work = try Processes.temporaryDirectory("logs-davdoctor")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let checked = try DavDoctorBinary.run([
            "check", peer.url("/secret/alice/"), "--user", "bob:bob-pw", "--save", work + "/run", "--format", "json",
        ])
        #expect(checked.status == 1, "\(checked.stderr)")
        let log = peer.workDirectory + "/davdoctor/logs/access.log"
        try waitForLine(in: log, containing: #""path":"/secret/alice/","status":403"#)

        let report = try enriched(["--save-dir", work + "/run", "--access", log, "--format", "davdoctor"])
        let permission = try #require(report.findings.first { $0.cause == "permission" })
        #expect(
            permission.signs.contains { sign in
                sign.kind == "access-log-line" && sign.subject?.hasPrefix("access.log:") == true
                    && [#""method":"PROPFIND""#, #""path":"/secret/alice/","status":403"#, #""user":"bob""#].allSatisfy {
                        sign.value?.contains($0) == true
                    }
            }, "\(permission.signs)")
    }
}
