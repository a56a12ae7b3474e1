import DAVCore
import DAVTesting
import Diagnosis
import Testing

/// Every real capture is analyzed as its SOURCE.md describes the request, and must name the cause the
/// table records first (or, for answers two faults share byte for byte, among the findings).
struct FixtureDiagnosisTests {
    static let rows: [Fixtures.Row] = (try? Fixtures.rows()) ?? []

    static func analyze(_ row: Fixtures.Row) throws -> AnalysisResult {
        var body: [UInt8]?
        if let file = row.requestBody { body = try Fixtures.bytes(file) }
        let overrides = RequestOverrides(method: row.method, url: row.url, depth: row.depth, headers: row.headers, body: body)
        var reader = try CaptureReader(path: Fixtures.url(row.path).path)
        defer { reader.close() }
        return try Analysis.run(reader: &reader, request: overrides)
    }

    @Test func everyFolderHasRows() {
        let folders = Set(Self.rows.map(\.folder))
        #expect(folders.isSuperset(of: ["apache-2.4", "nginx-dav-ext", "wsgidav", "lighttpd", "rclone", "nginx-proxy"]))
        #expect(Self.rows.count > 150)
    }

    @Test(arguments: rows)
    func namesTheRecordedCause(_ row: Fixtures.Row) throws {
        let result = try Self.analyze(row)
        let causes = result.findings.map(\.cause.rawValue)
        if row.isLiveOnly {
            // Only a live check or the server's log shows these; offline the analysis must still run cleanly.
            #expect(result.status != nil)
            return
        }
        if row.cause == "none" {
            #expect(causes.isEmpty, "\(row): \(result.findings.map(\.title))")
            return
        }
        if row.isAmbiguous {
            #expect(causes.contains(row.cause), "\(row): \(causes)")
        } else {
            #expect(causes.first == row.cause, "\(row): \(causes) \(result.findings.first?.title ?? "")")
        }
    }

    /// The resources the table names are covered by a finding of the recorded cause.
    @Test(arguments: rows.filter { !$0.resources.isEmpty && $0.cause != "none" && !$0.isLiveOnly })
    func namesTheRecordedResources(_ row: Fixtures.Row) throws {
        let result = try Self.analyze(row)
        let covered = result.findings.filter { $0.cause.rawValue == row.cause }.flatMap(\.resources)
        for expected in row.resources {
            let hit = covered.contains {
                URLPath.withoutTrailingSlash($0) == URLPath.withoutTrailingSlash(expected) || URLPath.isWithin(expected, $0)
            }
            #expect(hit, "\(row): \(expected) not in \(covered)")
        }
    }

    @Test func everyCauseAPayloadCanShowComesFromARealServer() {
        let real = Self.rows.filter { $0.folder != "captures" && !$0.isLiveOnly }
        let causes = Set(real.map(\.cause))
        for cause in ["path", "permission", "lock", "proxy", "server-config", "storage", "payload", "client"] {
            #expect(causes.contains(cause), "no real fixture for \(cause)")
        }
    }
}
