import DAVCore
import Diagnosis

/// Renders a report for a terminal: the request and summary, a tree of resources with their statuses,
/// then the findings, most likely first. Colour only when asked (a TTY without NO_COLOR).
public struct TextReport {
    public var color: Bool
    /// Healthy members shown per collection before the rest are counted instead of listed.
    public var healthyPerCollection = 25

    public init(color: Bool) { self.color = color }

    public func render(_ result: AnalysisResult) -> String {
        var out = ""
        let request = result.context.request
        var line = "\(request.method) \(request.url.isEmpty ? "(URL not given)" : request.url)"
        if let depth = request.headers["Depth"] { line += "  Depth: \(depth)" }
        out += bold(line) + "\n"
        var summary: [String] = []
        if let head = result.head {
            summary.append(paint(head.statusLine, code: head.status))
        } else if result.collector != nil {
            summary.append("multistatus body")
        }
        if result.server.kind != .unknown {
            summary.append("\(result.server.kind.displayName)\(result.server.evidence.map { " (\($0))" } ?? "")")
        }
        out += summary.joined(separator: " · ") + "\n"
        if let collector = result.collector {
            let counts = collector.byStatus.sorted { $0.key < $1.key }.map { code, count in
                paint("\(count) × \(code == 0 ? "no status" : Wording.status(code))", code: code)
            }
            out +=
                "\(collector.responseCount) response\(collector.responseCount == 1 ? "" : "s")\(counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))\n"
            let tree = ResourceTree(collector: collector, root: result.context.urlKnown ? result.context.requestPath : nil)
            let lines = tree.render(healthyPerCollection: healthyPerCollection) { text, code in paint(text, code: code) }
            if !lines.isEmpty { out += "\n" + lines.joined(separator: "\n") + "\n" }
        }
        out += "\n"
        if result.findings.isEmpty {
            out += paint("No findings: every resource answered as it should.", code: 200) + "\n"
        } else {
            out += bold("Findings (most likely first)") + "\n"
            for (index, finding) in result.findings.enumerated() {
                out += "\(index + 1). [\(finding.cause.rawValue) · \(finding.likelihood.rawValue)] \(finding.title)\n"
                if !finding.resources.isEmpty {
                    let shown = finding.resources.prefix(8).joined(separator: ", ")
                    let more = finding.resourceCount > min(8, finding.resources.count) ? " (\(finding.resourceCount) in all)" : ""
                    out += "   resources: \(shown)\(more)\n"
                }
                for item in finding.evidence { out += "   evidence:  \(item)\n" }
                for fix in finding.fixes { out += "   fix (\(fix.difficulty.rawValue)): \(fix.action)\n" }
            }
        }
        for note in result.notes { out += "note: \(note)\n" }
        return Self.visible(out)
    }

    /// Stands for ESC in the report's own colour codes until ``visible(_:)`` has made every control character
    /// that came from the answer printable: a file name holding ESC must not drive the user's terminal.
    static let colourEscape: Character = "\u{E000}"

    /// The report with control characters from names and bodies shown as `\x1b`, and the colours put back.
    static func visible(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out.unicodeScalars.append(scalar)
            case 0xE000: out.unicodeScalars.append("\u{1B}")
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    func bold(_ text: String) -> String { color ? "\(Self.colourEscape)[1m\(text)\(Self.colourEscape)[0m" : text }

    private func paint(_ text: String, code: Int?) -> String {
        guard color, let code else { return text }
        let tint: String
        switch code {
        case 200..<300: tint = "32"
        case 300..<400, 424: tint = "33"
        default: tint = "31"
        }
        return "\(Self.colourEscape)[\(tint)m\(text)\(Self.colourEscape)[0m"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
