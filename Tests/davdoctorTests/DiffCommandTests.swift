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
        let result = try DavDoctorBinary.run(["diff", Self.path("diff-before.http"), Self.path("diff-regressed.http"), "--format", "json"] + Self.flags)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["fixed": 1, "regressed": 1, "still-failing": 1, "unchanged": 1, "new": 1, "gone": 1])
        #expect(object["regressed"] as? Bool == true)
    }

    @Test func unreadableSideIsExit2() throws {
        let result = try DavDoctorBinary.run(["diff", Self.path("diff-before.http"), "/nonexistent"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
