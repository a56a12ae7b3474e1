import DAVCore
import Diagnosis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON of a transcript with several exchanges: what the input held, then one report per WebDAV
/// exchange in `exchanges[]`, each shaped exactly as a single-answer report (with its `entry` number).
public struct TranscriptReportModel: Codable, Sendable {
    public var schemaVersion = 1
    public var input: Input
    public var notes: [String]
    /// The notes' kinds as data (``TranscriptAnalysis/noteSigns``); absent in reports written before them.
    public var noteSigns: [Sign]?
    public var exchanges: [ReportModel]

    public struct Input: Codable, Sendable {
        public var source: String
        public var format: String
        public var entries: Int
        public var analyzed: Int
        public var skipped: Int
    }

    public init(_ transcript: TranscriptAnalysis, source: String) {
        input = Input(
            source: source, format: transcript.format.rawValue, entries: transcript.entries, analyzed: transcript.items.count,
            skipped: transcript.skipped)
        notes = transcript.notes
        noteSigns = transcript.noteSigns
        exchanges = transcript.items.map { item in
            var model = ReportModel(item.result)
            model.entry = item.entry
            return model
        }
    }
}

extension JSONReport {
    /// One exchange (one WebDAV entry, or `--entry N`) keeps the single-answer contract; several give `exchanges[]`.
    public static func render(transcript: TranscriptAnalysis, source: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        if transcript.items.count == 1, let item = transcript.items.first {
            var model = ReportModel(item.result)
            model.entry = item.entry
            model.notes = transcript.notes + model.notes
            model.noteSigns = transcript.noteSigns + (model.noteSigns ?? [])
            data = try encoder.encode(model)
        } else {
            data = try encoder.encode(TranscriptReportModel(transcript, source: source))
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension TextReport {
    /// What the transcript held, in a line or two.
    static func transcriptSummary(_ transcript: TranscriptAnalysis) -> [String] {
        let withFindings = transcript.items.filter { !$0.result.findings.isEmpty }.count
        return [
            "\(transcript.entries) exchange\(transcript.entries == 1 ? "" : "s") read, \(transcript.items.count) WebDAV exchange\(transcript.items.count == 1 ? "" : "s") analyzed, \(withFindings) with findings"
        ]
    }

    /// One section per WebDAV exchange, in the transcript's order, each as a single answer's report.
    public func render(transcript: TranscriptAnalysis, source: String) -> String {
        var out = bold("\(source) (\(transcript.format.rawValue))") + "\n"
        for line in Self.transcriptSummary(transcript) + transcript.notes { out += line + "\n" }
        for item in transcript.items {
            out += "\n" + bold("── entry \(item.entry) " + String(repeating: "─", count: 40)) + "\n"
            out += render(item.result)
        }
        return out
    }
}
