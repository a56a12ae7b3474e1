import DAVCore
import Diagnosis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Renders a live check: the analysis, what each probe asked and got, and the server's capabilities.
public enum CheckReport {
    public struct ProbeSummary: Codable, Sendable {
        public var kind: String
        public var purpose: String
        public var method: String
        public var url: String
        public var identity: String
        public var status: Int?
        public var milliseconds: Int
        public var failure: String?
    }

    /// One client need and its verdict (`met`, `unmet`, `not-checked`), with why and where the need comes from.
    public struct ClientNeed: Codable, Sendable {
        public var client: String
        public var requirement: String
        public var need: String
        public var verdict: String
        public var detail: String
        public var source: String
    }

    struct Model: Codable {
        var report: ReportModel
        var probes: [ProbeSummary]
        var capabilities: [String: String]
        var clients: [ClientNeed]

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(probes, forKey: .probes)
            try container.encode(capabilities, forKey: .capabilities)
            if !clients.isEmpty { try container.encode(clients, forKey: .clients) }
        }

        enum Keys: String, CodingKey { case probes, capabilities, clients }
    }

    static func needs(_ result: CheckResult) -> [ClientNeed] {
        result.clientOutcomes.map { outcome in
            let (verdict, detail): (String, String)
            switch outcome.verdict {
            case .met(let why): (verdict, detail) = ("met", why)
            case .unmet(let why): (verdict, detail) = ("unmet", why)
            case .notChecked(let why): (verdict, detail) = ("not-checked", why)
            }
            return ClientNeed(
                client: outcome.client.rawValue, requirement: outcome.requirement, need: outcome.need, verdict: verdict, detail: detail,
                source: outcome.source)
        }
    }

    static func summaries(_ result: CheckResult) -> [ProbeSummary] {
        result.probes.map {
            ProbeSummary(
                kind: $0.probe.kind.rawValue, purpose: $0.probe.purpose, method: $0.probe.method, url: $0.probe.url,
                identity: $0.probe.identity.rawValue, status: $0.head?.status, milliseconds: $0.milliseconds, failure: $0.failure)
        }
    }

    /// The JSON report of docs/design.md plus `probes` and `capabilities`.
    public static func json(_ result: CheckResult) throws -> String {
        let model = Model(report: ReportModel(result.analysis), probes: summaries(result), capabilities: result.capabilities, clients: needs(result))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"
    }

    public static func text(_ result: CheckResult, color: Bool) -> String {
        let analysis = TextReport(color: color).render(result.analysis)
        // The rest uses no colour: its names and server words are made visible in one go below.
        var out = ""
        if !result.probes.isEmpty {
            out +=
                result.probes.allSatisfy(\.probe.isSafe)
                ? "\nProbes (read-only)\n" : "\nProbes (writes only inside a scratch collection, removed after)\n"
            for probe in result.probes {
                let answer = probe.head.map { "\($0.status) \(HTTPStatus.reason(for: $0.status))" } ?? "failed: \(probe.failure ?? "?")"
                let who = probe.probe.identity == .user ? "" : " as \(probe.probe.identity == .anonymous ? "anonymous" : "the second user")"
                out += "  \(probe.probe.method) \(probe.probe.url)\(who) → \(answer) (\(probe.milliseconds) ms) — \(probe.probe.purpose)\n"
            }
        }
        if !result.clientOutcomes.isEmpty {
            out += "\nClients\n"
            for client in Client.allCases {
                let mine = needs(result).filter { $0.client == client.rawValue }
                guard !mine.isEmpty else { continue }
                let met = mine.filter { $0.verdict == "met" }.count
                out += "  \(client.displayName): \(met) of \(mine.count) needs met\n"
                for need in mine {
                    let mark = need.verdict == "met" ? "ok  " : need.verdict == "unmet" ? "FAIL" : "--  "
                    out += "    \(mark) \(need.need) — \(need.detail)\n"
                }
            }
        }
        if !result.capabilities.isEmpty {
            let keys = ["DAV", "Allow", "MS-Author-Via", "Server"].filter { result.capabilities[$0] != nil }
            out += "Server says: " + keys.map { "\($0): \(result.capabilities[$0]!)" }.joined(separator: " · ") + "\n"
            if let anonymous = result.capabilities["anonymousOptions"] { out += "OPTIONS without credentials: \(anonymous)\n" }
        }
        return analysis + TextReport.visible(out)
    }
}
