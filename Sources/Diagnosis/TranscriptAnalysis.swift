import DAVCore
import Transcripts

/// The analysis of a transcript (a HAR file, an rclone `--dump` log, an OkHttp log): every WebDAV exchange in order,
/// each read with its own request as the context, so no `--url`, `--depth` or `--request-body` is needed.
public struct TranscriptAnalysis: Sendable {
    public struct Item: Sendable {
        /// The exchange's number in the transcript (HAR entry, rclone request), counted from 1.
        public var entry: Int
        public var result: AnalysisResult
    }

    public var format: CaptureReader.Format
    public var items: [Item]
    /// Exchanges in the transcript.
    public var entries: Int
    /// Exchanges that are not WebDAV (a page's scripts, styles and images) and were left out.
    public var skipped: Int
    /// What the transcript says of itself, and the exchanges it holds no answer for.
    public var notes: [String]
    /// The same notes as data, one sign a note, in the same order (an unanswered entry's sign
    /// `no-answer` names it as its subject: `entry 3`).
    public var noteSigns: [Sign]

    /// Analyzes `transcript`'s WebDAV exchanges, or only entry `only` (whatever its method). Flags in
    /// `overrides` win over what each exchange's request says.
    public static func run(_ transcript: Transcript, only: Int? = nil, request overrides: RequestOverrides = RequestOverrides()) throws
        -> TranscriptAnalysis
    {
        var notes = transcript.notes
        var noteSigns = transcript.noteSigns
        var items: [Item] = []
        var skipped = 0
        if let only {
            let entry = try Self.entry(only, of: transcript)
            items.append(Item(entry: only, result: try analyze(entry, format: transcript.format, overrides: overrides)))
        } else {
            for entry in transcript.entries {
                if entry.exchange.response == nil {
                    // Said of the transcript as a whole now, so each note names its entry.
                    notes += entry.notes.map { "entry \(entry.number): \($0)" }
                    noteSigns += entry.noteSigns
                    continue
                }
                guard entry.isWebDAV else {
                    skipped += 1
                    continue
                }
                items.append(Item(entry: entry.number, result: try analyze(entry, format: transcript.format, overrides: overrides)))
            }
            // A transcript of one exchange (a pasted `>`/`<` head) is the user's exchange, WebDAV or not.
            let answered = transcript.entries.filter { $0.exchange.response != nil }
            if items.isEmpty, answered.count == 1, let only = answered.first {
                items.append(Item(entry: only.number, result: try analyze(only, format: transcript.format, overrides: overrides)))
                skipped = 0
            }
            if skipped > 0 {
                noteSigns.append(Sign("not-webdav-skipped", value: String(skipped)))
                notes.append(
                    "\(skipped) exchange\(skipped == 1 ? " is" : "s are") not WebDAV (pages, scripts, images) and \(skipped == 1 ? "was" : "were") skipped"
                )
            }
            guard !items.isEmpty else {
                throw DAVCoreError(
                    .notMultiStatus,
                    "the \(transcript.format.rawValue) holds no WebDAV exchange with an answer (\(transcript.entries.count) entries read)")
            }
        }
        return TranscriptAnalysis(
            format: transcript.format, items: items, entries: transcript.entries.count, skipped: skipped, notes: notes, noteSigns: noteSigns)
    }

    /// Entry `number` (with an answer), or without a number the first WebDAV exchange that has one.
    public static func entry(_ number: Int?, of transcript: Transcript) throws -> TranscriptEntry {
        guard let number else {
            guard let first = transcript.entries.first(where: { $0.isWebDAV }) else {
                throw DAVCoreError(
                    .notMultiStatus,
                    "the \(transcript.format.rawValue) holds no WebDAV exchange with an answer (\(transcript.entries.count) entries read)")
            }
            return first
        }
        guard let entry = transcript.entries.first(where: { $0.number == number }) else {
            throw DAVCoreError(
                .malformedCapture,
                "there is no entry \(number): the transcript holds \(transcript.entries.count) exchange\(transcript.entries.count == 1 ? "" : "s")")
        }
        guard entry.exchange.response != nil else {
            throw DAVCoreError(.malformedCapture, "entry \(number) has no answer to analyze: \(entry.notes.joined(separator: "; "))")
        }
        return entry
    }

    /// One exchange: its body is already whole and decoded, so it is fed to a session as it is.
    static func analyze(_ entry: TranscriptEntry, format: CaptureReader.Format, overrides: RequestOverrides) throws -> AnalysisResult {
        var request = entry.exchange.request ?? RequestInfo(method: "PROPFIND", url: "")
        overrides.apply(to: &request)
        var session = AnalysisSession(request: request, head: entry.exchange.response, format: format, sourceName: "entry \(entry.number)")
        session.bodyWithheld = entry.bodyWithheld
        let body = entry.exchange.body ?? []
        try session.feed(body)
        var info = CaptureReader.BodyInfo(bytes: body.count)
        info.wasCompressed =
            entry.exchange.response?.headers["Content-Encoding"].map { $0.lowercased().contains("gzip") || $0.lowercased().contains("deflate") }
            ?? false
        var result = try session.finish(bodyInfo: info)
        result.notes = entry.notes + result.notes
        result.noteSigns = entry.noteSigns + result.noteSigns
        return result
    }

    /// Whether any exchange has findings.
    public var hasFindings: Bool { items.contains { !$0.result.findings.isEmpty } }
}
