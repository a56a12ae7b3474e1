import Diagnosis

/// Renders findings as the text report does, for commands that work on a saved report (`logs`).
public enum FindingsText {
    public static func render(_ findings: [Finding], notes: [String] = [], heading: String? = nil) -> String {
        var out = heading.map { $0 + "\n\n" } ?? ""
        if findings.isEmpty {
            out += "No findings.\n"
        } else {
            out += "Findings (most likely first)\n"
            for (index, finding) in findings.enumerated() {
                out += "\(index + 1). [\(finding.cause.rawValue) · \(finding.likelihood.rawValue)] \(finding.title)\n"
                if !finding.resources.isEmpty { out += "   resources: \(finding.resources.prefix(8).joined(separator: ", "))\n" }
                for item in finding.evidence { out += "   evidence:  \(item)\n" }
                for fix in finding.fixes { out += "   fix (\(fix.difficulty.rawValue)): \(fix.action)\n" }
            }
        }
        for note in notes { out += "note: \(note)\n" }
        return out
    }
}
