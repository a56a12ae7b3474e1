import DAVCore
import Diagnosis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Renders a before/after comparison: counts per kind of change, then the resources that changed.
public enum DiffReport {
    public struct Side: Codable, Sendable {
        public var source: String
        public var method: String
        public var url: String
        public var status: Int?
        public var resources: Int
    }

    struct Model: Codable {
        var schemaVersion = 1
        var kind = "diff"
        var before: Side
        var after: Side
        var summary: [String: Int]
        var regressed: Bool
        var resources: [ResultDiff.Entry]
    }

    public static func side(_ states: ResourceStates, source: String) -> Side {
        Side(source: source, method: states.method, url: states.url, status: states.status, resources: states.order.count)
    }

    public static func json(_ diff: ResultDiff, before: Side, after: Side) throws -> String {
        let summary = Dictionary(uniqueKeysWithValues: ResultDiff.Change.allCases.map { ($0.rawValue, diff.count($0)) })
        let model = Model(before: before, after: after, summary: summary, regressed: diff.hasRegression, resources: diff.entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"
    }

    public static func text(_ diff: ResultDiff, before: Side, after: Side, color: Bool, unchangedLimit: Int = 0) -> String {
        func paint(_ text: String, _ code: String) -> String {
            color ? "\(TextReport.colourEscape)[\(code)m\(text)\(TextReport.colourEscape)[0m" : text
        }
        func describe(_ side: Side) -> String {
            "\(side.source) (\(side.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"), \(side.resources) resource\(side.resources == 1 ? "" : "s"))"
        }
        var out = "\(after.method) \(after.url.isEmpty ? before.url : after.url)\n"
        out += "before: \(describe(before))\n after: \(describe(after))\n\n"
        let counts: [(ResultDiff.Change, String)] = [
            (.fixed, "32"), (.regressed, "31"), (.stillFailing, "33"), (.new, "0"), (.gone, "0"), (.unchanged, "0"),
        ]
        out +=
            counts.map { change, tint in paint("\(diff.count(change)) \(change.rawValue)", diff.count(change) > 0 && tint != "0" ? tint : "0") }
            .joined(separator: " · ") + "\n"
        for (change, tint) in counts where change != .unchanged || unchangedLimit > 0 {
            let entries = diff.entries.filter { $0.change == change }
            guard !entries.isEmpty else { continue }
            out += "\n" + paint(change.rawValue + ":", tint) + "\n"
            let width = min(48, entries.map(\.path.count).max() ?? 0)
            for entry in entries.prefix(change == .unchanged ? unchangedLimit : 200) {
                let before = entry.before?.summary ?? "—"
                let after = entry.after?.summary ?? "—"
                let pad = String(repeating: " ", count: max(0, width - entry.path.count))
                out += "  \(entry.path)\(pad)  \(before) → \(after)\n"
            }
            if entries.count > 200 { out += "  … and \(entries.count - 200) more\n" }
        }
        if diff.hasRegression {
            out += "\n" + paint("Regressions: a resource that worked before fails now.", "31") + "\n"
        } else if diff.count(.stillFailing) == 0 && diff.count(.fixed) > 0 {
            out += "\n" + paint("Everything that failed before works now.", "32") + "\n"
        }
        return TextReport.visible(out)
    }
}
