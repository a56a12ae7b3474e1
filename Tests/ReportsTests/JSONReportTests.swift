import DAVCore
import DAVTesting
import Diagnosis
import Foundation
import Reports
import Testing

/// The JSON report keeps DESIGN.md's contract: every fixture's report validates against
/// `Schemas/report-v1.schema.json` (checked by Python's jsonschema, the reference validator).
struct JSONReportTests {
    static func report(_ row: Fixtures.Row) throws -> String {
        var body: [UInt8]?
        if let file = row.requestBody { body = try Fixtures.bytes(file) }
        var reader = try CaptureReader(path: Fixtures.url(row.path).path)
        defer { reader.close() }
        let result = try Analysis.run(
            reader: &reader, request: RequestOverrides(method: row.method, url: row.url, depth: row.depth, headers: row.headers, body: body))
        return try JSONReport.render(result)
    }

    @Test(.needs(.pythonModule("jsonschema"))) func everyFixtureReportValidatesAgainstTheSchema() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var count = 0
        for row in try Fixtures.rows() {
            try Self.report(row).write(to: folder.appendingPathComponent("\(count).json"), atomically: true, encoding: .utf8)
            count += 1
        }
        let script = """
            import json, sys, glob, jsonschema
            schema = json.load(open(sys.argv[1]))
            bad = 0
            for path in sorted(glob.glob(sys.argv[2] + '/*.json')):
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(path))))
                for e in errors[:3]: print(path, e.message)
                bad += bool(errors)
            print('validated', len(glob.glob(sys.argv[2] + '/*.json')), 'invalid', bad)
            sys.exit(1 if bad else 0)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Need.executable("python3"))
        process.arguments = ["-c", script, Fixtures.packageRoot.appendingPathComponent("Schemas/report-v1.schema.json").path, folder.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("validated \(count) invalid 0"), "\(output)")
    }

    @Test func contractFields() throws {
        let row = try #require(try Fixtures.rows().first { $0.path == "apache-2.4/propfind-private.http" })
        let object = try JSONSerialization.jsonObject(with: Data(try Self.report(row).utf8)) as! [String: Any]
        #expect(object["schemaVersion"] as? Int == 1)
        #expect((object["request"] as? [String: Any])?["method"] as? String == "PROPFIND")
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.first?["cause"] as? String == "permission")
        #expect((findings.first?["fixes"] as? [[String: Any]])?.first?["difficulty"] != nil)
    }
}
