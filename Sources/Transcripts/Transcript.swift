import DAVCore

/// One exchange a transcript holds, numbered as the transcript counts them (the first HAR entry is 1).
public struct TranscriptEntry: Sendable {
    public var number: Int
    public var exchange: Exchange
    /// What the transcript left out or replaced in this exchange (a body the exporter dropped, a redacted
    /// Authorization header), said so that the analysis never fills it in. About this entry, so without its number.
    public var notes: [String]
    /// The same notes as data, one sign a note, in the same order.
    public var noteSigns: [Sign]
    /// The answer had a body that the transcript does not hold: only its status and headers can be read.
    public var bodyWithheld: Bool

    init(number: Int, exchange: Exchange, notes: TranscriptNotes = TranscriptNotes(), bodyWithheld: Bool = false) {
        self.number = number
        self.exchange = exchange
        self.notes = notes.lines
        self.noteSigns = notes.signs
        self.bodyWithheld = bodyWithheld
    }

    /// Methods only WebDAV (and its CalDAV/CardDAV extensions) sends.
    static let webDAVMethods: Set<String> = [
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "ACL",
        "OPTIONS", "PUT", "DELETE",
    ]

    /// Whether this is a WebDAV exchange: a WebDAV method, a 207, or a request or answer that carries
    /// WebDAV's headers. A browser's or proxy's GET of a page, script or image is not, and is skipped.
    public var isWebDAV: Bool {
        guard let request = exchange.request, exchange.response != nil else { return false }
        if Self.webDAVMethods.contains(request.method.uppercased()) { return true }
        if exchange.response?.status == 207 { return true }
        let davRequestHeaders = ["Depth", "Destination", "If", "Lock-Token", "Overwrite"]
        return davRequestHeaders.contains { request.headers.contains($0) } || exchange.response?.headers.contains("DAV") == true
    }
}

/// Several exchanges read from one file: a HAR export, or a client's log (rclone `--dump`, OkHttp/DAVx5,
/// Cyberduck's transcript, davfs2's debug syslog).
public struct Transcript: Sendable {
    public var format: CaptureReader.Format
    public var entries: [TranscriptEntry]
    /// What the transcript as a whole says about itself (its creator, exchanges it could not pair).
    public var notes: [String]
    /// The same notes as data, one sign a note, in the same order.
    public var noteSigns: [Sign]

    init(format: CaptureReader.Format, entries: [TranscriptEntry], notes: TranscriptNotes = TranscriptNotes()) {
        self.format = format
        self.entries = entries
        self.notes = notes.lines
        self.noteSigns = notes.signs
    }

    /// Reads the whole transcript `reader` holds (its format told by ``CaptureReader/readHead()``).
    public static func read(_ reader: inout CaptureReader) throws -> Transcript {
        let format = try reader.readHead().format
        let bytes = try reader.readTranscript()
        return try parse(bytes, format: format, name: reader.name)
    }

    public static func parse(_ bytes: [UInt8], format: CaptureReader.Format, name: String = "input") throws -> Transcript {
        switch format {
        case .har: return try HARReader.parse(bytes, name: name)
        case .rcloneDump: return try RcloneDumpReader.parse(bytes, name: name)
        case .okhttp: return try OkHttpLogReader.parse(bytes, name: name)
        case .cyberduck: return try CyberduckTranscriptReader.parse(bytes, name: name)
        case .davfs2: return try Davfs2LogReader.parse(bytes, name: name)
        default: throw DAVCoreError(.malformedCapture, "\(name) is \(format.rawValue) output, not a transcript of several exchanges")
        }
    }
}

/// Notes as a reader writes them: each line beside its sign, so that the two lists stay in step.
struct TranscriptNotes {
    var lines: [String] = []
    var signs: [Sign] = []

    mutating func add(_ sign: Sign, _ line: String) {
        signs.append(sign)
        lines.append(line)
    }

    static func one(_ sign: Sign, _ line: String) -> TranscriptNotes { TranscriptNotes(lines: [line], signs: [sign]) }

    static func + (first: TranscriptNotes, second: TranscriptNotes) -> TranscriptNotes {
        TranscriptNotes(lines: first.lines + second.lines, signs: first.signs + second.signs)
    }

    static func += (first: inout TranscriptNotes, second: TranscriptNotes) { first = first + second }
}

/// Header values that clients and exporters write in place of a secret.
enum Redaction {
    static let placeholders: Set<String> = [
        "██", "xxxx", "xxx", "********", "***", "[redacted]", "<redacted>", "redacted", "[filtered]", "hidden", "<hidden>", "[hidden]",
    ]
    static let secretHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"]

    /// Says which secret headers hold a placeholder instead of their value (sign `credentials-redacted`:
    /// the header, and the placeholder as written).
    static func notes(_ headers: HTTPFields, side: String, hint: String = "") -> TranscriptNotes {
        var notes = TranscriptNotes()
        for name in secretHeaders {
            guard let value = headers[name] else { continue }
            let bare = value.trimmingASCIIWhitespace()
            let words = bare.split(separator: " ")
            // `Basic XXXX` keeps the scheme and hides the credentials.
            guard placeholders.contains(bare.lowercased()) || words.count == 2 && placeholders.contains(words[1].lowercased()) else { continue }
            notes.add(
                Sign("credentials-redacted", subject: name, value: bare),
                "the \(side)'s \(name) header was replaced by \"\(bare)\" in the transcript: its credentials cannot be checked\(hint)")
        }
        return notes
    }
}
