import DAVTesting
import Foundation
import Testing

/// `davdoctor diff` through the built binary.
struct DiffCommandTests {
    static func path(_ name: String) -> String { "Tests/Fixtures/captures/\(name)" }
    static let flags = ["--url", "http://127.0.0.1:8080/docs/", "--depth", "1"]

    @Test func everythingFixed() throws {
        let result = try DavDoctorBinary.run(["diff", Self.path("diff-before.http"), Self.path("diff-fixed.http")] + Self.flags)
        #expect(result.status == 0, "\(result.stderr)")
        try AnalyzeCommandTests.expectSnapshot(result.stdout, "diff-fixed.txt")
    }

    @Test func regressionExitsOne() throws {
        let result = try DavDoctorBinary.run(["diff", Self.path("diff-before.http"), Self.path("diff-regressed.http")] + Self.flags)
        #expect(result.status == 1)
        try AnalyzeCommandTests.expectSnapshot(result.stdout, "diff-regressed.txt")
    }

    @Test func jsonNamesEveryChange() throws {
        let result = try DavDoctorBinary.run(
            ["diff", Self.path("diff-before.http"), Self.path("diff-regressed.http"), "--format", "json"] + Self.flags)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["fixed": 1, "regressed": 1, "still-failing": 1, "unchanged": 1, "new": 1, "gone": 1])
        #expect(object["regressed"] as? Bool == true)
    }

    /// A DELETE refused for a locked member (207) that later answers 204: the member is fixed, not gone.
    @Test func wholeSuccessFixesTheMembersThatFailed() throws {
        let folder = try Processes.temporaryDirectory("diff-whole")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let before =
            "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\n\r\n"
            + #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/locks/held.txt</D:href><D:status>HTTP/1.1 423 Locked</D:status></D:response></D:multistatus>"#
        try before.write(toFile: folder + "/before.http", atomically: true, encoding: .utf8)
        try "HTTP/1.1 204 No Content\r\n\r\n".write(toFile: folder + "/after.http", atomically: true, encoding: .utf8)
        let result = try DavDoctorBinary.run([
            "diff", folder + "/before.http", folder + "/after.http", "--method", "DELETE", "--url", "http://127.0.0.1:8080/locks/", "--format",
            "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let entries = (object["resources"] as? [[String: Any]] ?? []).map { "\($0["path"] ?? "") \($0["change"] ?? "")" }
        #expect(entries.sorted() == ["/locks new", "/locks/held.txt fixed"], "\(entries)")
    }

    @Test func aDirectoryIsASavedRunOnlyWithItsIndex() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-diff-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A response file alone does not make a saved run: the recorder's index says which exchange is the user's.
        try FileManager.default.copyItem(atPath: Self.path("diff-before.http"), toPath: folder + "/001-PROPFIND-response.http")
        let result = try DavDoctorBinary.run(["diff", folder, Self.path("diff-fixed.http")])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("exchanges.json"))
    }

    @Test func unreadableSideIsExit2() throws {
        let result = try DavDoctorBinary.run(["diff", Self.path("diff-before.http"), "/nonexistent"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
