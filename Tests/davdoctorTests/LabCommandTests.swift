import DAVTesting
import Foundation
import Testing

/// `davdoctor lab`: every shipped scenario reproduces its failure on an in-process davdoctor serve and
/// check names the scenario's cause, with the scenario's resources; the list is machine-readable; bad
/// names are one-line errors; the scenarios live in the binary itself.
struct LabCommandTests {
    struct Entry: Decodable {
        var name: String
        var cause: String
        var description: String
        var resources: [String]
    }

    static func list() throws -> [Entry] {
        let run = try DavDoctorBinary.run(["lab", "--list", "--format", "json"])
        #expect(run.status == 0)
        return try JSONDecoder().decode([Entry].self, from: Data(run.stdout.utf8))
    }

    @Test func listNamesEveryScenarioWithItsCause() throws {
        let entries = try Self.list()
        #expect(entries.count >= 30)
        let causes = Set(entries.map(\.cause))
        for cause in ["none", "path", "permission", "lock", "proxy", "server-config", "storage", "cache", "payload", "client"] {
            #expect(causes.contains(cause), "no scenario for \(cause)")
        }
        #expect(entries.allSatisfy { !$0.description.isEmpty })
        // Every failing scenario records the resources its diagnosis must name; the clean one none.
        for entry in entries {
            #expect(entry.cause == "none" ? entry.resources.isEmpty : !entry.resources.isEmpty, "\(entry.name): resources \(entry.resources)")
        }
    }

    @Test func demoDiagnosesEveryScenarioAsItsCause() throws {
        let run = try DavDoctorBinary.run(["lab", "demo"])
        #expect(run.status == 0, "\(run.stdout.suffix(2000))")
        // Exit 0 says every scenario was diagnosed as its cause; one section each (the words are the snapshots' business).
        let names = run.stdout.split(separator: "\n").filter { $0.hasPrefix("== ") }.map { $0.dropFirst(3).prefix { $0 != ":" } }
        #expect(names.map(String.init) == (try Self.list().map(\.name)))
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    /// Each scenario's check: its own cause first, and the first finding names the resources the
    /// scenario's file records (`lab demo --format json` runs them all in one process).
    @Test func everyScenarioNamesItsCauseFirstAndItsResources() throws {
        struct Outcome: Decodable {
            var name: String
            var cause: String
            var diagnosed: String
            var title: String?
            var resources: [String]
        }
        let expected = Dictionary(uniqueKeysWithValues: try Self.list().map { ($0.name, $0) })
        let run = try DavDoctorBinary.run(["lab", "demo", "--format", "json"])
        #expect(run.status == 0, "\(run.stdout.suffix(3000))")
        let outcomes = try JSONDecoder().decode([Outcome].self, from: Data(run.stdout.utf8))
        #expect(outcomes.count == expected.count)
        for outcome in outcomes {
            let entry = try #require(expected[outcome.name])
            #expect(
                outcome.diagnosed == entry.cause, "\(outcome.name): diagnosed \(outcome.diagnosed) (\(outcome.title ?? "")), made for \(entry.cause)")
            for resource in entry.resources {
                #expect(outcome.resources.contains(resource), "\(outcome.name): \(resource) not among \(outcome.resources)")
            }
        }
    }

    /// With --format json, standard output is the JSON report and nothing else; the lab's preamble
    /// (URLs, users, the commands that reproduce the failure) goes to standard error.
    @Test func checkOneScenarioAsJSON() throws {
        let run = try DavDoctorBinary.run(["lab", "locked-member", "--check", "--format", "json"])
        #expect(run.status == 1)
        struct Report: Decodable {
            struct Finding: Decodable {
                var cause: String
                var resources: [String]
            }
            var schemaVersion: Int
            var findings: [Finding]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.schemaVersion == 1)
        #expect(report.findings.first?.cause == "lock")
        #expect(report.findings.first?.resources == ["/locks/held.txt"])
        #expect(run.stdout.hasPrefix("{"))
        #expect(run.stderr.contains("reproduce:\n  curl -i -X DELETE -u 'alice:alice-pw'"))
    }

    /// foreign-lock submits a real token: bob's, taken in the setup, which the reproduction shows.
    @Test func foreignLockSubmitsAnotherUsersRealToken() throws {
        let run = try DavDoctorBinary.run(["lab", "foreign-lock", "--check", "--format", "json"])
        #expect(run.status == 1)
        let lockLine = try #require(run.stderr.split(separator: "\n").first { $0.hasPrefix("lock:   /locks/held.txt held with ") }, "\(run.stderr)")
        let token = String(lockLine.split(separator: " ").last!)
        #expect(token.hasPrefix("urn:uuid:") || token.hasPrefix("opaquelocktoken:"))
        #expect(run.stderr.contains("-H 'If: (<\(token)>)'"))
        struct Report: Decodable {
            struct Finding: Decodable {
                var cause: String
                var signs: [ReportSign]
            }
            var findings: [Finding]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let lock = try #require(report.findings.first { $0.cause == "lock" })
        #expect(lock.signs.first("token-of-another-users-lock")?.subject == "/locks/held.txt", "\(lock.signs)")
    }

    @Test func unknownScenarioIsOneLine() throws {
        let run = try DavDoctorBinary.run(["lab", "no-such-scenario"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("davdoctor: error: no scenario named 'no-such-scenario'"))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    /// README's install step copies only the binary: the scenarios must come with it. A copy of the binary
    /// alone in an empty folder (no resource bundle beside it) lists them all and reproduces one.
    @Test func installedBinaryAloneHasItsScenarios() throws {
        let folder = try Processes.temporaryDirectory("lab-installed")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let installed = folder + "/davdoctor"
        try FileManager.default.copyItem(atPath: DavDoctorBinary.url.path, toPath: installed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["davdoctor"])
        let listed = try JSONDecoder().decode([Entry].self, from: Data(try Processes.run(installed, ["lab", "--list", "--format", "json"]).utf8))
        #expect(listed.map(\.name) == (try Self.list().map(\.name)))
        #expect(listed.count >= 30)
        struct Finding: Decodable { var cause: String }
        struct Report: Decodable {
            var status: Int?
            var findings: [Finding]
        }
        let clean = try JSONDecoder().decode(
            Report.self, from: Data(try Processes.run(installed, ["lab", "clean", "--check", "--format", "json"]).utf8))
        #expect(clean.status == 207 && clean.findings.isEmpty)
        // On this machine a bundle-loading binary would still find the build folder's bundle by its absolute
        // path (and on any other machine crash with a fatalError); the binary must not look for one at all.
        let binary = try Data(contentsOf: URL(fileURLWithPath: installed), options: .alwaysMapped)
        #expect(binary.range(of: Data("davdoctor_Lab.resources".utf8)) == nil)
    }

    /// The scenarios compiled into the binary are the YAML files, byte for byte: regenerating
    /// EmbeddedScenarios.swift from them changes nothing (scripts/embed-scenarios.sh).
    @Test func embeddedScenariosMatchTheYAMLFiles() throws {
        let fresh = try Processes.temporaryDirectory("embedded-scenarios") + "/EmbeddedScenarios.swift"
        defer { try? FileManager.default.removeItem(atPath: (fresh as NSString).deletingLastPathComponent) }
        try Processes.run("/bin/bash", [Fixtures.packageRoot.appendingPathComponent("scripts/embed-scenarios.sh").path, fresh])
        let committed = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Sources/Lab/EmbeddedScenarios.swift"), encoding: .utf8)
        #expect(try String(contentsOfFile: fresh, encoding: .utf8) == committed, "run scripts/embed-scenarios.sh after changing a scenario")
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot.appendingPathComponent("Sources/Lab/Scenarios").path)
        #expect(files.filter { $0.hasSuffix(".yaml") }.count == (try Self.list().count))
    }
}
