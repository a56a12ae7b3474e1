import DAVCore
import Diagnosis

/// The JSON contract of docs/design.md (schema version 1). Fields may be added, never renamed;
/// `Schemas/report-v1.schema.json` describes it and the tests validate against it.
public struct ReportModel: Codable, Sendable {
    public var schemaVersion = 1
    public var request: Request
    public var status: Int?
    public var summary: Summary
    public var findings: [Finding]
    public var lint: [Lint]
    public var notes: [String]
    /// The notes' kinds as data (``AnalysisResult/noteSigns``); absent in reports written before them.
    public var noteSigns: [Sign]?
    /// When the answer was given (its Date header), ISO 8601 in UTC; `davdoctor logs` matches log lines around it.
    public var time: String?
    /// The exchange's number in a transcript (HAR entry, rclone request), counted from 1; absent for a single answer.
    public var entry: Int?

    public struct Request: Codable, Sendable {
        public var method: String
        public var url: String
        public var depth: String?
    }

    public struct Summary: Codable, Sendable {
        public var responses: Int
        public var byStatus: [String: Int]
        public var propertyStatuses: [String: Int]?
        public var server: String
        public var serverEvidence: String?
        public var bodyBytes: Int?
        public var capture: String
    }

    public struct Lint: Codable, Sendable {
        public var rule: String
        public var section: String
        public var message: String
        public var severity: String
        public var count: Int
        public var examples: [String]
        public var breaks: String
        public var catalog: String?
    }

    public init(_ result: AnalysisResult) {
        let request = result.context.request
        self.request = Request(method: request.method, url: request.url, depth: request.headers["Depth"] ?? request.depth?.description)
        status = result.status
        let collector = result.collector
        func keyed(_ counts: [Int: Int]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: counts.map { ($0.key == 0 ? "none" : String($0.key), $0.value) })
        }
        summary = Summary(
            responses: collector?.responseCount ?? 0,
            byStatus: collector.map { keyed($0.byStatus) } ?? (result.status.map { [String($0): 1] } ?? [:]),
            propertyStatuses: collector.map { keyed($0.propertyStatusCounts) },
            server: result.server.kind.rawValue, serverEvidence: result.server.evidence,
            bodyBytes: result.bodyInfo?.bytes, capture: result.format.rawValue)
        findings = result.findings
        lint = result.lint.map {
            Lint(
                rule: $0.rule.id, section: $0.rule.section, message: $0.message, severity: $0.rule.severity.rawValue,
                count: $0.count, examples: $0.examples, breaks: $0.rule.breaks, catalog: $0.rule.catalog)
        }
        notes = result.notes
        noteSigns = result.noteSigns
        time = result.head?.headers["Date"].flatMap(HTTPDate.parse).map(HTTPDate.iso8601)
    }

    /// ``time`` as seconds since 1970.
    public var epoch: Int? {
        guard let time else { return nil }
        let parts = time.split(whereSeparator: { "-T:.Z+".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 6 else { return nil }
        return HTTPDate.epoch(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
    }
}
