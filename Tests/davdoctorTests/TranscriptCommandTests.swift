import DAVTesting
import Foundation
import Testing

/// `davdoctor analyze` on transcripts (HAR, rclone --dump logs) and `logs` on nextcloud.log, through the
/// built binary: one section per WebDAV exchange in every output form.
struct TranscriptCommandTests {
    static let chromium = "Tests/Fixtures/transcripts/chromium-session.har"

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func textHasOneSectionPerExchange() throws {
        let result = try DavDoctorBinary.run(["analyze", Self.chromium])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let sections = result.stdout.split(separator: "\n").filter { $0.hasPrefix("── entry ") }
        #expect(sections.map { $0.split(separator: " ")[2] } == ["4", "5", "6", "7", "8"])  // the skipped three: jsonHasExchanges…
    }

    @Test func jsonHasExchangesEachInTheSingleAnswerShape() throws {
        let result = try DavDoctorBinary.run(["analyze", Self.chromium, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let object = try Self.json(result.stdout)
        let input = try #require(object["input"] as? [String: Any])
        #expect(input["format"] as? String == "HAR")
        #expect(input["entries"] as? Int == 8)
        #expect(input["skipped"] as? Int == 3)
        let exchanges = try #require(object["exchanges"] as? [[String: Any]])
        #expect(exchanges.map { $0["entry"] as? Int } == [4, 5, 6, 7, 8])
        #expect(exchanges.map { ($0["request"] as? [String: Any])?["method"] as? String } == ["PROPFIND", "PUT", "PROPFIND", "DELETE", "MKCOL"])
        #expect(exchanges.allSatisfy { $0["schemaVersion"] as? Int == 1 && $0["summary"] != nil && $0["findings"] != nil })
        let delete = exchanges[3]
        #expect(((delete["findings"] as? [[String: Any]])?.first?["cause"]) as? String == "lock")
        #expect(((delete["summary"] as? [String: Any])?["capture"]) as? String == "HAR")
    }

    @Test func oneEntryKeepsTheSingleAnswerContract() throws {
        let result = try DavDoctorBinary.run(["analyze", Self.chromium, "--entry", "7", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let object = try Self.json(result.stdout)
        #expect(object["exchanges"] == nil)
        #expect(object["entry"] as? Int == 7)
        #expect((object["request"] as? [String: Any])?["url"] as? String == "http://127.0.0.1:18784/locks/")
        #expect(((object["findings"] as? [[String: Any]])?.first?["resources"]) as? [String] == ["/locks/held.txt"])
    }

    @Test func htmlHasOneArticlePerExchange() throws {
        let result = try DavDoctorBinary.run(["analyze", Self.chromium, "--format", "html"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "<article id=\"entry-").count - 1 == 5)
        #expect(result.stdout.contains("id=\"entry-7-findings\""))
    }

    @Test func rcloneLogIsAnalyzed() throws {
        let result = try DavDoctorBinary.run(["analyze", "Tests/Fixtures/transcripts/rclone-purge-dump-headers-bodies.log", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let exchanges = try #require(try Self.json(result.stdout)["exchanges"] as? [[String: Any]])
        #expect(exchanges.count == 2)
        #expect(((exchanges[1]["findings"] as? [[String: Any]])?.first?["cause"]) as? String == "lock")
        let signs = try #require(exchanges[1]["noteSigns"] as? [[String: Any]])
        #expect(signs.contains { $0["kind"] as? String == "credentials-redacted" && $0["value"] as? String == "XXXX" })
    }

    @Test(arguments: [
        (["analyze", "Tests/Fixtures/apache-2.4/propfind-depth1.http", "--entry", "2"], "--entry applies to a HAR file"),
        (["analyze", chromium, "--entry", "12"], "there is no entry 12"),
    ])
    func badUsageIsOneLine(_ arguments: [String], _ fragment: String) throws {
        let result = try DavDoctorBinary.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }

    @Test func cutHARIsOneLine() throws {
        let bytes = try Fixtures.bytes("transcripts/mitmproxy-session.har")
        let result = try DavDoctorBinary.run(["analyze", "-"], input: Array(bytes.prefix(bytes.count / 2)))
        #expect(result.status == 2)
        #expect(result.stderr == "davdoctor: error: standard input is not a HAR 1.2 file: the JSON is not whole or not valid (cut short?)\n")
    }

    /// nextcloud.log lines (Nextcloud's JSON shape around SabreDAV's own exception text): the Locked line of
    /// the PUT is attached and settles the cause; the MKCOL's Conflict line, another request's, is not.
    @Test func nextcloudLogSettlesTheLock() throws {
        let analyzed = try DavDoctorBinary.run([
            "analyze", "Tests/Fixtures/transcripts/nextcloud/put-locked.http", "--method", "PUT",
            "--url", "http://127.0.0.1:18788/locks/held.txt", "--format", "json",
        ])
        #expect(analyzed.status == 1, "\(analyzed.stderr)")
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-nc-\(UUID().uuidString).json")
        try analyzed.stdout.write(to: report, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: report) }
        let result = try DavDoctorBinary.run([
            "logs", report.path, "--error", "Tests/Fixtures/transcripts/nextcloud/nextcloud.log", "--output", "json",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(try Self.json(result.stdout)["findings"] as? [[String: Any]])
        let first = try #require(findings.first)
        #expect(first["cause"] as? String == "lock")
        #expect(first["likelihood"] as? String == "high")
        func logLines(_ finding: [String: Any]) -> [[String: Any]] {
            ((finding["signs"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "error-log-line" }
        }
        // The line Nextcloud logged for this PUT (its own words, a value), and only that one.
        #expect(
            logLines(first).contains {
                $0["subject"] as? String == "nextcloud.log:2"
                    && ($0["value"] as? String)?.hasPrefix("PUT /locks/held.txt — Sabre\\DAV\\Exception\\Locked") == true
            },
            "\(logLines(first))")
        #expect(Set(findings.flatMap(logLines).compactMap { $0["subject"] as? String }) == ["nextcloud.log:2"])
    }

    /// `check --save-har`: a live run against davdoctor serve, written as HAR, read back by analyze to the
    /// same findings as the saved capture of the same first exchange.
    @Test(.needs(.peer("davdoctor"))) func checkSaveHARReadsBackToTheSameFindings() throws {
        let peer = try Peer.start("davdoctor")
        defer { peer.stop() }
        let work = try Processes.temporaryDirectory("save-har")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let url = peer.url("/secret/alice/")
        let checked = try DavDoctorBinary.run([
            "check", url, "--user", "bob:bob-pw", "--save", work + "/run", "--save-har", work + "/run.har", "--format", "json",
        ])
        #expect(checked.status == 1, "\(checked.stderr)")
        let har = String(decoding: FileManager.default.contents(atPath: work + "/run.har") ?? Data(), as: UTF8.self)
        #expect(!har.contains("bob-pw"))
        #expect(har.contains("\"creator\" : {"))

        let all = try DavDoctorBinary.run(["analyze", work + "/run.har", "--format", "json"])
        #expect(all.status == 1, "\(all.stderr)")
        let exchanges = try #require(try Self.json(all.stdout)["exchanges"] as? [[String: Any]])
        #expect(exchanges.count > 1)

        let fromHAR = try DavDoctorBinary.run(["analyze", work + "/run.har", "--entry", "1", "--format", "json"])
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: work + "/run").sorted().first { $0.hasSuffix("-response.http") })
        let fromCapture = try DavDoctorBinary.run(["analyze", work + "/run/" + first, "--url", url, "--depth", "1", "--format", "json"])
        func causes(_ text: String) throws -> [String] {
            ((try Self.json(text)["findings"] as? [[String: Any]]) ?? []).compactMap { "\($0["cause"] ?? "")/\($0["resources"] ?? "")" }
        }
        #expect(try causes(fromHAR.stdout) == causes(fromCapture.stdout))
        #expect(try causes(fromHAR.stdout).first?.hasPrefix("permission") == true, "\(fromHAR.stdout)")
    }
}
