import DAVTesting
import Foundation
import Testing

/// `davdoctor analyze` through the built binary: whole output and exit status, as a user sees them.
struct AnalyzeCommandTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// Compares with `Snapshots/NAME`; `DAVDOCTOR_UPDATE_SNAPSHOTS=1` rewrites it instead. The snapshots are
    /// where a report's wording is tested (one test per format); every other test asserts kinds and values.
    static func expectSnapshot(_ output: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = snapshots.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["DAVDOCTOR_UPDATE_SNAPSHOTS"] == "1" {
            try output.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(output == expected, "output differs from Snapshots/\(name)", sourceLocation: sourceLocation)
    }

    static func fixture(_ relative: String) -> String { Fixtures.url(relative).path }

    @Test(arguments: [
        ("apache-2.4/propfind-private.http", ["--url", "http://127.0.0.1:18081/private/", "--depth", "1"], "apache-private.txt", Int32(1)),
        (
            "wsgidav/delete-collection-locked-member.http", ["--url", "http://127.0.0.1:18084/locks/", "--method", "DELETE"],
            "wsgidav-locked-member.txt", Int32(1)
        ),
        (
            "apache-2.4/propfind-depth-infinity.http", ["--url", "http://127.0.0.1:18081/docs/", "--depth", "infinity"], "apache-depth-infinity.txt",
            Int32(1)
        ),
        (
            "nginx-proxy/prefix-stripped-propfind-depth1.http", ["--url", "http://127.0.0.1:18086/dav/docs/", "--depth", "1"],
            "proxy-prefix-stripped.txt", Int32(1)
        ),
        ("apache-2.4/propfind-depth1.http", ["--url", "http://127.0.0.1:18081/docs/", "--depth", "1"], "apache-clean.txt", Int32(0)),
    ])
    func textReport(_ file: String, _ flags: [String], _ snapshot: String, _ status: Int32) throws {
        let result = try DavDoctorBinary.run(["analyze", Self.fixture(file)] + flags)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        try Self.expectSnapshot(result.stdout, snapshot)
    }

    /// The answer the JSON and HTML snapshots pin: a finding with a sign, resources and a tree (as `proxy-prefix-stripped.txt`).
    static let representative = [
        "analyze", fixture("nginx-proxy/prefix-stripped-propfind-depth1.http"), "--url", "http://127.0.0.1:18086/dav/docs/", "--depth", "1",
    ]

    @Test func jsonReport() throws {
        let result = try DavDoctorBinary.run(Self.representative + ["--format", "json"])
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["schemaVersion"] as? Int == 1)
        #expect(((object?["findings"] as? [[String: Any]])?.first?["cause"]) as? String == "proxy")
        try Self.expectSnapshot(result.stdout, "proxy-prefix-stripped.json")
    }

    /// The HTML report's wording and markup (Chromium renders such pages in ReportsTests).
    @Test func htmlReport() throws {
        let result = try DavDoctorBinary.run(Self.representative + ["--format", "html"])
        #expect(result.status == 1, "\(result.stderr)")
        try Self.expectSnapshot(result.stdout, "proxy-prefix-stripped.html")
    }

    @Test func readsStandardInput() throws {
        let bytes = try Fixtures.bytes("apache-2.4/propfind-depth1.xml")
        let result = try DavDoctorBinary.run(["analyze", "-", "--format", "json"], input: bytes)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"responses\" : "))
    }

    @Test func colourOnlyWhenAllowed() throws {
        let plain = try DavDoctorBinary.run(["analyze", Self.fixture("apache-2.4/propfind-private.http")])
        #expect(!plain.stdout.contains("\u{1B}["))
    }

    static let hostile: [(String, String)] = [
        (
            "doctype-external-entity.xml",
            #"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><D:multistatus xmlns:D="DAV:">&x;</D:multistatus>"#
        ),
        (
            "entity-bomb.xml",
            #"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><D:multistatus xmlns:D="DAV:">&lol2;</D:multistatus>"#
        ),
        ("not-xml.txt", "Forbidden\n"),
        ("wrong-root.xml", #"<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#),
        ("empty.xml", ""),
    ]

    @Test(arguments: hostile)
    func hostileInputGivesOneLineAndExit2(_ name: String, _ content: String) throws {
        let result = try Self.analyzeFile(name, content, measureMemory: false)
        #expect(result.status == 2, "\(name): \(result.stdout) \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(name): \(result.stderr)")
        #expect(lines.first?.hasPrefix("davdoctor: error: ") == true)
    }

    /// The same inputs under GNU time: refusing them costs little memory.
    @Test(.needs(.gnuTime), arguments: hostile)
    func hostileInputIsRefusedInLittleMemory(_ name: String, _ content: String) throws {
        let result = try Self.analyzeFile(name, content, measureMemory: true)
        #expect(result.status == 2, "\(name): \(result.stdout) \(result.stderr)")
        #expect((result.maxRSSKiB ?? Int.max) < 64 * 1024, "\(name): peak RSS \(result.maxRSSKiB ?? -1) KiB")
    }

    static func analyzeFile(_ name: String, _ content: String, measureMemory: Bool) throws -> CommandResult {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-\(UUID().uuidString)-\(name)")
        try content.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try DavDoctorBinary.run(["analyze", file.path], measureMemory: measureMemory)
    }

    /// A multistatus cut short is a broken answer, not unreadable input: what came before it is read and the
    /// break is a payload finding that says where it stopped.
    @Test func truncatedMultistatusIsAPayloadFinding() throws {
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response><D:response><D:href>/b</D:href><D:status>HTTP/1.1 200"#
        let result = try DavDoctorBinary.run(["analyze", "-", "--format", "json"], input: Array(body.utf8))
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: Any]] ?? []
        #expect(findings.first?["cause"] as? String == "payload")
        #expect(findings.first?["resources"] as? [String] == ["/a"])  // the last whole response before the break
        #expect((report?["summary"] as? [String: Any])?["responses"] as? Int == 1)
    }

    @Test func deepNestingThroughTheBinary() throws {
        var body = #"<D:multistatus xmlns:D="DAV:">"#
        body += String(repeating: "<a>", count: 100_000)
        let result = try DavDoctorBinary.run(["analyze", "-"], input: Array(body.utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("nesting depth"))
    }

    /// A 1 GB text node, streamed through stdin: refused at the text limit, memory stays bounded.
    @Test(.needs(.gnuTime)) func gigabyteTextNodeIsRefusedInBoundedMemory() throws {
        let result = try DavDoctorBinary.run(["analyze", "-"], measureMemory: true) { handle in
            try? handle.write(contentsOf: Data(#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>"#.utf8))
            let chunk = Data(repeating: 0x61, count: 1 << 20)
            for _ in 0..<1024 {
                do { try handle.write(contentsOf: chunk) } catch { break }
            }
        }
        #expect(result.status == 2)
        #expect(result.stderr.contains("text node size"))
        #expect((result.maxRSSKiB ?? Int.max) < 64 * 1024, "peak RSS \(result.maxRSSKiB ?? -1) KiB")
    }

    @Test(arguments: [
        (["analyze"], "Missing expected argument"),
        (["analyze", "/nonexistent/file.http"], "cannot read /nonexistent/file.http"),
        (["analyze", "/tmp"], "it is a directory"),
        (["analyze", "x", "--depth", "2"], "--depth must be 0, 1 or infinity"),
        (["analyze", "x", "--header", "NoColon"], "--header must look like"),
        (["analyze", "x", "--format", "yaml"], "yaml"),
        (["analyze", "x", "--bogus"], "--bogus"),
        (["analyze", "x", "--jobs", "0"], "--jobs must be between 1 and 64"),
        (["analyze", "x", "--jobs", "many"], "many"),
        (["frobnicate"], "frobnicate"),
    ])
    func badUsageGivesOneLineAndExit2(_ arguments: [String], _ fragment: String) throws {
        let result = try DavDoctorBinary.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
    }

    @Test func helpListsTheCommands() throws {
        let result = try DavDoctorBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("analyze"))
    }
}
