import DAVCore

/// Reads rclone's `-vv --dump headers,bodies` (or `--dump requests,responses`) log: each request and
/// answer is logged between `>>>>` or `<<<<` lines after `HTTP REQUEST (req 0x…)` or `HTTP RESPONSE (req
/// 0x…)`, and the `req` pointer pairs them even when transfers run at once.
enum RcloneDumpReader {
    static func parse(_ bytes: [UInt8], name: String) throws -> Transcript {
        let text = String(decoding: bytes, as: UTF8.self)
        var requests: [(id: String, lines: [Substring])] = []
        var responses: [String: [Substring]] = [:]
        var unpairedResponses = 0
        var current: (id: String, isRequest: Bool, lines: [Substring])?
        var started = false
        // Go's dump ends header lines with CRLF, which Swift holds as one Character: split on both.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let message = logMessage(line)
            if let message {
                if let id = marker(message, "HTTP REQUEST (req ") {
                    current = (id, true, [])
                    started = true
                    continue
                }
                if let id = marker(message, "HTTP RESPONSE (req ") {
                    current = (id, false, [])
                    continue
                }
                if message.hasPrefix(">>>>>>>>") || message.hasPrefix("<<<<<<<<") {
                    if let done = current {
                        if done.isRequest {
                            requests.append((done.id, done.lines))
                        } else if requests.contains(where: { $0.id == done.id }) {
                            responses[done.id] = done.lines
                        } else {
                            unpairedResponses += 1
                        }
                    }
                    current = nil
                    continue
                }
                // The first line of a dump (the request or status line) follows the log prefix.
                if current != nil, current!.lines.isEmpty {
                    current!.lines.append(message)
                    continue
                }
                // Any other log line ends a dump that had no closing marker.
                if current != nil { current = nil }
                continue
            }
            if current != nil { current!.lines.append(line) }
        }
        guard started else { throw DAVCoreError(.malformedCapture, "\(name) holds no request dumped by rclone --dump") }
        var entries: [TranscriptEntry] = []
        var notes = TranscriptNotes()
        if unpairedResponses > 0 {
            notes.add(
                Sign("unpaired-answers", value: String(unpairedResponses)),
                "\(unpairedResponses) answers in the log have no request before them (the log starts after it was sent)")
        }
        for (index, dumped) in requests.enumerated() {
            let number = index + 1
            var entryNotes = TranscriptNotes()
            let request = try requestInfo(dumped.lines, name: name, number: number, notes: &entryNotes)
            entryNotes += Redaction.notes(request.headers, side: "request", hint: " (rclone hides it unless run with --dump auth)")
            guard let answer = responses[dumped.id] else {
                entryNotes.add(
                    Sign("no-answer", subject: "entry \(number)"),
                    "rclone logged no answer to this request (it failed before one came, or the log ends)")
                entries.append(TranscriptEntry(number: number, exchange: Exchange(request: request, response: nil), notes: entryNotes))
                continue
            }
            let (head, body) = try responseHead(answer, name: name, number: number)
            var withheld = false
            if body.isEmpty, let length = head.headers["Content-Length"].flatMap({ Int($0.trimmingASCIIWhitespace()) }), length > 0 {
                withheld = true
                entryNotes.add(
                    Sign("response-body-missing", value: String(length)),
                    "rclone logged the answer's headers only (--dump headers): its \(length)-byte body is not in the log; use --dump headers,bodies")
            }
            if request.body == nil, let length = request.headers["Content-Length"].flatMap({ Int($0.trimmingASCIIWhitespace()) }), length > 0 {
                entryNotes.add(Sign("request-body-missing", value: String(length)), "the request's \(length)-byte body is not in the log")
            }
            entries.append(
                TranscriptEntry(
                    number: number, exchange: Exchange(request: request, response: head, body: body), notes: entryNotes, bodyWithheld: withheld))
        }
        return Transcript(format: .rcloneDump, entries: entries, notes: notes)
    }

    /// The message after Go's log prefix (`2026/12/04 20:37:26 DEBUG : `), or nil for a continuation line.
    static func logMessage(_ line: Substring) -> Substring? {
        guard CaptureReader.startsLikeGoLog(Array(line.utf8.prefix(20))) else { return nil }
        guard let separator = line.firstRange(of: " : ") else { return nil }
        return line[separator.upperBound...]
    }

    static func marker(_ message: Substring, _ prefix: String) -> String? {
        guard message.hasPrefix(prefix) else { return nil }
        return String(message.dropFirst(prefix.count).prefix { $0 != ")" })
    }

    /// Header fields up to the first empty line; the rest is the body, less the line end before the closing
    /// marker (Go's logger adds one when the body has none, so a body's own last line end is dropped too).
    static func split(_ lines: [Substring]) -> (head: [String], body: [UInt8]) {
        var head: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            if line.isEmpty { break }
            head.append(String(line))
        }
        let body = lines[index...].joined(separator: "\n")
        return (head, Array(body.utf8))
    }

    static func fields(_ lines: ArraySlice<String>) -> HTTPFields {
        var fields = HTTPFields()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.add(String(line[..<colon]).trimmingASCIIWhitespace(), String(line[line.index(after: colon)...]).trimmingASCIIWhitespace())
        }
        return fields
    }

    static func requestInfo(_ lines: [Substring], name: String, number: Int, notes: inout TranscriptNotes) throws -> RequestInfo {
        let (head, body) = split(lines)
        let parts = head.first?.split(separator: " ") ?? []
        guard parts.count >= 2 else {
            throw DAVCoreError(.malformedCapture, "\(name): rclone's request \(number) has no request line")
        }
        let headers = fields(head.dropFirst())
        let target = String(parts[1])
        var url = target
        if !target.hasPrefix("http"), let host = headers["Host"] {
            // rclone sends its remote's root as Referer: the scheme comes from there.
            let scheme = headers["Referer"].flatMap { $0.hasPrefix("https://") ? "https" : $0.hasPrefix("http://") ? "http" : nil }
            if scheme == nil { notes.add(Sign("scheme-assumed", value: "http"), "the log does not show the scheme; http is assumed") }
            url = "\(scheme ?? "http")://\(host)\(target)"
        }
        return RequestInfo(method: String(parts[0]), url: url, headers: headers, body: body.isEmpty ? nil : body)
    }

    static func responseHead(_ lines: [Substring], name: String, number: Int) throws -> (ResponseHead, [UInt8]) {
        let (head, body) = split(lines)
        let parts = head.first?.split(separator: " ", maxSplits: 2) ?? []
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw DAVCoreError(.malformedCapture, "\(name): rclone's answer to request \(number) has no status line")
        }
        return (
            ResponseHead(
                version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: fields(head.dropFirst())), body
        )
    }
}
