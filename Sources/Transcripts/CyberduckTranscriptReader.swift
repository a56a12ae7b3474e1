import DAVCore

/// Reads Cyberduck's transcript: request and answer heads only, as its transcript window shows them
/// (`> PROPFIND /dav/ HTTP/1.1`, `> Depth: 1`, `< HTTP/1.1 207 Multi-Status`, `< DAV: 1,2`) or as macOS's
/// unified log holds them (each line after `[ch.sudo.cyberduck:transcript] `). Bodies are not in it, so a
/// 207 is read from its status and headers only, and a note says so.
enum CyberduckTranscriptReader {
    static let logMarker = "[ch.sudo.cyberduck:transcript] "

    static func parse(_ bytes: [UInt8], name: String) throws -> Transcript {
        let text = String(decoding: bytes, as: UTF8.self)
        var requests: [(line: Substring, headers: HTTPFields)] = []
        var responses: [(line: Substring, headers: HTTPFields)] = []
        // Which list the header lines that follow belong to.
        var inResponse = false
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let message = Self.message(line) else { continue }
            if message.isEmpty { continue }
            if Self.isRequestLine(message) {
                requests.append((message, HTTPFields()))
                inResponse = false
            } else if message.hasPrefix("HTTP/"), message.split(separator: " ").count >= 2 {
                responses.append((message, HTTPFields()))
                inResponse = true
            } else if let colon = message.firstIndex(of: ":") {
                let field = (
                    String(message[..<colon]).trimmingASCIIWhitespace(), String(message[message.index(after: colon)...]).trimmingASCIIWhitespace()
                )
                if inResponse, !responses.isEmpty {
                    responses[responses.count - 1].headers.add(field.0, field.1)
                } else if !requests.isEmpty {
                    requests[requests.count - 1].headers.add(field.0, field.1)
                }
            }
        }
        guard !requests.isEmpty else {
            throw DAVCoreError(.malformedCapture, "\(name) holds no request of a Cyberduck transcript (> METHOD /path HTTP/1.1)")
        }
        var entries: [TranscriptEntry] = []
        for (index, request) in requests.enumerated() {
            let number = index + 1
            let words = request.line.split(separator: " ")
            let target = String(words[1])
            var notes = Redaction.notes(request.headers, side: "request")
            var url = target
            if !target.hasPrefix("http") {
                if let host = request.headers["Host"] {
                    // The transcript does not show the scheme; port 443 or an https Origin tells it.
                    let https = host.hasSuffix(":443") || request.headers["Origin"]?.hasPrefix("https") == true
                    url = "\(https ? "https" : "http")://\(host)\(target)"
                    if !https, !host.contains(":") {
                        notes.add(Sign("scheme-assumed", value: "http"), "the transcript does not show the scheme; http is assumed")
                    }
                } else {
                    notes.add(Sign("host-missing"), "the transcript shows no Host, so the URL is the path alone")
                }
            }
            let info = RequestInfo(method: String(words[0]), url: url, headers: request.headers)
            guard index < responses.count else {
                entries.append(
                    TranscriptEntry(
                        number: number, exchange: Exchange(request: info),
                        notes: notes + .one(Sign("no-answer", subject: "entry \(number)"), "the transcript holds no answer to this request")))
                continue
            }
            let parts = responses[index].line.split(separator: " ", maxSplits: 2)
            guard let status = Int(parts[1]) else {
                throw DAVCoreError(.malformedCapture, "\(name): the status line \"\(responses[index].line.prefix(60))\" has no status")
            }
            let head = ResponseHead(
                version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: responses[index].headers)
            let length = head.headers["Content-Length"].flatMap { Int($0.trimmingASCIIWhitespace()) }
            let hasBody = (length ?? 0) > 0 || head.headers["Transfer-Encoding"] != nil || status == 207
            if hasBody {
                notes.add(
                    Sign("response-body-missing", value: length.map(String.init)),
                    "Cyberduck's transcript shows heads only: the body\(length.map { " (\($0) bytes)" } ?? "") is not in it, so only the status and headers are read"
                )
            }
            entries.append(
                TranscriptEntry(number: number, exchange: Exchange(request: info, response: head, body: []), notes: notes, bodyWithheld: hasBody))
        }
        var notes = TranscriptNotes()
        if responses.count > requests.count {
            let unpaired = responses.count - requests.count
            notes.add(Sign("unpaired-answers", value: String(unpaired)), "\(unpaired) answers in the transcript have no request before them")
        }
        return Transcript(format: .cyberduck, entries: entries, notes: notes)
    }

    /// The transcript text of a line: after `> ` or `< `, or after the unified log's marker; nil otherwise.
    static func message(_ line: Substring) -> Substring? {
        if let marker = line.firstRange(of: logMarker) { return line[marker.upperBound...] }
        if line.hasPrefix("> ") || line.hasPrefix("< ") { return line.dropFirst(2) }
        if line == ">" || line == "<" { return "" }
        return nil
    }

    /// `PROPFIND /dav/ HTTP/1.1`.
    static func isRequestLine(_ text: Substring) -> Bool {
        let words = text.split(separator: " ")
        return words.count == 3 && words[0].allSatisfy(\.isUppercase) && words[2].hasPrefix("HTTP/")
    }
}
