import DAVTesting
import Foundation
import Testing

/// `davdoctor lab`: every shipped scenario reproduces its failure on an in-process davdoctor serve and
/// check names the scenario's cause; the list is machine-readable; bad names are one-line errors.
struct LabCommandTests {
    struct Entry: Decodable { var name: String; var cause: String; var description: String }

    @Test func listNamesEveryScenarioWithItsCause() throws {
        let run = try DavDoctorBinary.run(["lab", "--list", "--format", "json"])
        #expect(run.status == 0)
        let entries = try JSONDecoder().decode([Entry].self, from: Data(run.stdout.utf8))
        #expect(entries.count >= 20)
        let causes = Set(entries.map(\.cause))
        for cause in ["none", "path", "permission", "lock", "proxy", "server-config", "storage", "cache", "payload", "client"] {
            #expect(causes.contains(cause), "no scenario for \(cause)")
        }
        #expect(entries.allSatisfy { !$0.description.isEmpty })
    }

    @Test func demoDiagnosesEveryScenarioAsItsCause() throws {
        let run = try DavDoctorBinary.run(["lab", "demo"])
        #expect(run.status == 0, "\(run.stdout.suffix(2000))")
        let count = try JSONDecoder().decode([Entry].self, from: Data(try DavDoctorBinary.run(["lab", "--list", "--format", "json"]).stdout.utf8)).count
        #expect(run.stdout.contains("\(count) of \(count) scenarios diagnosed as their cause"))
        #expect(run.stdout.contains("== locked-member:"))
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    @Test func checkOneScenarioAsJSON() throws {
        let run = try DavDoctorBinary.run(["lab", "locked-member", "--check", "--format", "json"])
        #expect(run.status == 1)
        // The lab prints the server, the users and the reproduction first, then the report.
        #expect(run.stdout.contains("reproduce:\n  curl -i -X DELETE -u 'alice:alice-pw'"))
        let json = String(run.stdout[run.stdout.range(of: "\n{")!.lowerBound...])
        struct Report: Decodable { struct Finding: Decodable { var cause: String; var resources: [String] }; var findings: [Finding] }
        let report = try JSONDecoder().decode(Report.self, from: Data(json.utf8))
        #expect(report.findings.first?.cause == "lock")
        #expect(report.findings.first?.resources == ["/locks/held.txt"])
    }

    @Test func unknownScenarioIsOneLine() throws {
        let run = try DavDoctorBinary.run(["lab", "no-such-scenario"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("davdoctor: error: no scenario named 'no-such-scenario'"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
