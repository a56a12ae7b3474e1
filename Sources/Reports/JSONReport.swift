import Diagnosis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Renders the JSON contract: one object, keys sorted so output is stable for diffs and tests.
public enum JSONReport {
    public static func render(_ result: AnalysisResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(ReportModel(result))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
