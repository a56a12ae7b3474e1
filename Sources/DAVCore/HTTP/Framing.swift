/// A fault in how an HTTP/1.x answer is framed: something RFC 9112 forbids, or leaves the recipient to
/// guess at. curl reads past most of them; AsyncHTTPClient, nginx, HAProxy, .NET and OkHttp refuse the
/// answer, and a proxy in front may split or join answers on it (response smuggling).
public struct FramingFault: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case lengthWithChunked = "transfer-encoding-with-content-length"
        case chunkedOnHTTP10 = "chunked-on-http-1.0"
        case conflictingLengths = "conflicting-content-lengths"
        case badChunkSize = "chunk-size-not-hex"
        case lineWithoutColon = "header-line-without-colon"
        case obsoleteFolding = "obsolete-line-folding"
        case bareLineFeeds = "bare-lf-line-ends"
        case controlBytes = "control-bytes-in-header"
        case http09 = "http-0.9-answer"
        case closedBeforeStatusLine = "closed-before-status-line"
        /// A saved head that stops at a line's end: the saver (curl) refused the line after it.
        case savedHeadStops = "saved-head-stops-after-a-line"
        case bodyShorter = "body-shorter-than-announced"
        case bodyLonger = "body-longer-than-announced"

        /// The section of RFC 9112 (or 9110) that the answer breaks.
        public var section: String {
            switch self {
            case .lengthWithChunked: "RFC 9112 §6.1 and §6.3"
            case .chunkedOnHTTP10: "RFC 9112 §6.1"
            case .conflictingLengths: "RFC 9112 §6.3 and RFC 9110 §8.6"
            case .badChunkSize: "RFC 9112 §7.1"
            case .lineWithoutColon: "RFC 9112 §5"
            case .obsoleteFolding: "RFC 9112 §5.2"
            case .bareLineFeeds: "RFC 9112 §2.2"
            case .controlBytes: "RFC 9110 §5.5"
            case .http09: "RFC 9112 §4 (HTTP/0.9 is gone)"
            case .closedBeforeStatusLine: "RFC 9112 §4"
            case .savedHeadStops: "RFC 9112 §5 and RFC 9110 §5.5"
            case .bodyShorter, .bodyLonger: "RFC 9112 §6.3"
            }
        }
    }

    public var kind: Kind
    /// The header lines that show it, as received (control bytes escaped).
    public var lines: [String]
    /// What was measured: a byte count, the sizes that disagree.
    public var detail: String?

    public init(_ kind: Kind, lines: [String] = [], detail: String? = nil) {
        self.kind = kind
        self.lines = lines
        self.detail = detail
    }
}

/// Reads the framing of an answer from its raw bytes, strictly, to name what a lenient reader forgave.
public enum FramingCheck {
    /// Faults in a header block: the status line and fields up to (not including) the blank line.
    /// `lineEndsAsSent`: the bytes came straight off the wire; a saved file's line ends may have been
    /// changed by an editor, a paste or git, so bare LFs count only then, or when the head mixes both ends.
    public static func headerFaults(_ block: some Collection<UInt8>, version: String, lineEndsAsSent: Bool = true) -> [FramingFault] {
        let bytes = Array(block)
        var faults: [FramingFault] = []
        var rawLines: [[UInt8]] = []
        var bareLF = 0
        var crlf = 0
        var line: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A {
                if index == 0 || bytes[index - 1] != 0x0D {
                    bareLF += 1
                } else {
                    crlf += 1
                    line.removeLast()
                }
                rawLines.append(line)
                line = []
            } else {
                line.append(byte)
            }
        }
        if !line.isEmpty { rawLines.append(line.last == 0x0D ? Array(line.dropLast()) : line) }
        // A saved file may have had every line end rewritten (an editor, a paste, git); a head that mixes CRLF
        // and bare LF was not rewritten, it was sent so (a CGI printing its own lines after the server's).
        if bareLF > 0, lineEndsAsSent || crlf > 0 {
            faults.append(FramingFault(.bareLineFeeds, detail: "\(bareLF) line(s) end in LF without CR" + (crlf > 0 ? ", \(crlf) in CRLF" : "")))
        }
        var lengths: [String] = []
        var lengthLines: [String] = []
        var chunkedLine: String?
        for raw in rawLines.dropFirst() where !raw.isEmpty {
            let shown = show(raw)
            if raw.first == 0x20 || raw.first == 0x09 {
                faults.append(FramingFault(.obsoleteFolding, lines: [shown]))
                continue
            }
            if raw.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) {
                faults.append(FramingFault(.controlBytes, lines: [shown]))
            }
            guard let colon = raw.firstIndex(of: 0x3A) else {
                faults.append(FramingFault(.lineWithoutColon, lines: [shown]))
                continue
            }
            let name = String(decoding: raw[..<colon], as: UTF8.self).trimmingASCIIWhitespace().lowercased()
            let value = String(decoding: raw[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
            if name == "content-length" {
                lengths.append(contentsOf: value.split(separator: ",").map { $0.trimmingASCIIWhitespace() })
                lengthLines.append(shown)
            } else if name == "transfer-encoding", value.lowercased().contains("chunked") {
                chunkedLine = shown
            }
        }
        if Set(lengths).count > 1 { faults.append(FramingFault(.conflictingLengths, lines: lengthLines, detail: lengths.joined(separator: " vs "))) }
        if let chunkedLine, !lengthLines.isEmpty { faults.append(FramingFault(.lengthWithChunked, lines: [chunkedLine] + lengthLines)) }
        if let chunkedLine, version == "HTTP/1.0" { faults.append(FramingFault(.chunkedOnHTTP10, lines: [show(rawLines.first ?? []), chunkedLine])) }
        return faults
    }

    /// The faults still visible in a head an HTTP client already parsed (it refuses most others): chunked
    /// on HTTP/1.0, Content-Length beside chunked, lengths that disagree. Line-level faults (bare LF,
    /// folding, a line without a colon) are gone from parsed fields; only the raw bytes show those.
    public static func parsedHeadFaults(_ head: ResponseHead) -> [FramingFault] {
        var block = Array(head.statusLine.utf8) + [0x0D, 0x0A]
        for field in head.headers.fields { block += Array("\(field.name): \(field.value)\r\n".utf8) }
        return headerFaults(block, version: head.version, lineEndsAsSent: false)
    }

    /// A header line as it can be quoted: control bytes as `\xNN`.
    static func show(_ raw: [UInt8]) -> String {
        var out = ""
        for byte in raw.prefix(200) {
            if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                out += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(UnicodeScalar(byte))
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
