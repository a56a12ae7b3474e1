import DAVCore
import DAVTesting
import Diagnosis
import Foundation
import Testing

/// The labelled corpus of real answers (Tests/Corpus): its shape, one case of each class of the diagnosis by
/// kind and value, and a floor under the whole score so that no rule change loses ground unnoticed.
/// `scripts/corpus.sh` prints the full score and confusion matrix; this suite keeps them honest in `swift test`.
struct CorpusDiagnosisTests {
    static let cases: [Corpus.Case] = (try? Corpus.cases()) ?? []

    static func analyze(_ item: Corpus.Case) throws -> AnalysisResult {
        let body = try item.bodyURL.map { Array(try Data(contentsOf: $0)) }
        let overrides = RequestOverrides(method: item.method, url: item.url, headers: item.requestHeaders, body: body)
        var reader = try CaptureReader(path: item.capture.path)
        defer { reader.close() }
        return try Analysis.run(reader: &reader, request: overrides, pieces: 1)
    }

    static func top(_ result: AnalysisResult) -> String { result.findings.first?.cause.rawValue ?? "none" }

    @Test func theCorpusIsLargeVariedAndLabelled() {
        let setups = Set(Self.cases.map(\.setup))
        #expect(Self.cases.count >= 400)
        #expect(setups.count >= 9, "\(setups.sorted())")
        var byCause: [String: Int] = [:]
        for item in Self.cases { byCause[item.cause, default: 0] += 1 }
        for cause in Cause.allCases.map(\.rawValue) {
            #expect(byCause[cause, default: 0] >= 25, "\(cause): \(byCause[cause, default: 0]) cases")
        }
        #expect(byCause["none", default: 0] >= 40)
        // A quarter is held out of rule-writing, picked by a hash of the id (scripts/corpus/corpus.py).
        let held = Self.cases.filter(\.holdout).count
        #expect(held * 5 > Self.cases.count && held * 3 < Self.cases.count, "\(held) of \(Self.cases.count) held out")
        for item in Self.cases {
            #expect(FileManager.default.fileExists(atPath: item.capture.path), "\(item): no capture")
        }
    }

    /// One real case per class of the diagnosis, each named first with its resources.
    static let classes: [(id: String, cause: String, resource: String?)] = [
        // 1. what reached the server
        ("apache-proxy/bodylost-lock", "proxy", nil),
        ("nginx-proxy/depth-dropped-wsgidav-depth1", "proxy", nil),
        ("haproxy/strip-lock-depth0-infinity", "proxy", nil),
        ("nginx-proxy/prefix-put-location", "proxy", nil),
        // 2. broken answers
        ("nginx-proxy/tempfull-big-listing-cut", "proxy", nil),
        ("apache/propfind-latin1-names", "payload", nil),
        // 3. stale client state
        ("wsgidav/put-stale-if-match", "cache", nil),
        ("radicale/report-sync-made-up-token", "cache", nil),
        ("varnish/default-get-cached-404", "cache", nil),
        // 4. read-only shares and full disks
        ("apache/put-readonly-allowmethods", "permission", nil),
        // 5. error bodies
        ("wsgidav/propfind-control-chars", "payload", nil),
        // 6. status habits
        ("apache/move-missing-parent", "path", nil),
        ("apache/unlock-other-users-lock", "lock", nil),
        // 7. no false alarm
        ("nginx/get-if-none-match-current-etag", "none", nil),
        ("apache/head-file", "none", nil),
    ]

    @Test(arguments: classes)
    func namesTheCauseOfEachClass(_ expected: (id: String, cause: String, resource: String?)) throws {
        guard let item = Self.cases.first(where: { $0.description == expected.id }) else {
            Issue.record("\(expected.id) is not in the corpus")
            return
        }
        #expect(item.cause == expected.cause, "\(expected.id) is labelled \(item.cause)")
        let result = try Self.analyze(item)
        #expect(Self.top(result) == expected.cause, "\(expected.id): \(result.findings.map { "\($0.cause.rawValue): \($0.title)" })")
        if expected.cause != "none" {
            let named = result.findings.filter { $0.cause.rawValue == expected.cause }.flatMap(\.resources)
            for resource in item.resources.prefix(3) {
                let hit = named.contains {
                    URLPath.withoutTrailingSlash($0) == URLPath.withoutTrailingSlash(resource) || URLPath.isWithin(resource, $0)
                        || URLPath.isWithin($0, resource)
                }
                #expect(hit, "\(expected.id): \(resource) not among \(named)")
            }
        }
    }

    /// The floor under the whole offline score: raise it when the diagnosis improves, never lower it to pass.
    @Test func theOfflineScoreHoldsItsFloor() throws {
        var right = 0
        var falseAlarms = 0
        var heldRight = 0
        var held = 0
        for item in Self.cases {
            let diagnosed = Self.top(try Self.analyze(item))
            if diagnosed == item.cause { right += 1 }
            if item.cause == "none", diagnosed != "none" { falseAlarms += 1 }
            if item.holdout {
                held += 1
                if diagnosed == item.cause { heldRight += 1 }
            }
        }
        let total = max(Self.cases.count, 1)
        #expect(Double(right) / Double(total) >= Self.floor.top1, "top-1 \(right)/\(total)")
        #expect(Double(heldRight) / Double(max(held, 1)) >= Self.floor.heldOut, "held out \(heldRight)/\(held)")
        #expect(falseAlarms <= Self.floor.falseAlarms, "\(falseAlarms) false alarms")
    }

    static let floor = (top1: 0.95, heldOut: 0.905, falseAlarms: 1)
}
