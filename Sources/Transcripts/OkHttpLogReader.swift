import DAVCore

/// Reads what OkHttp's `HttpLoggingInterceptor` writes at level BODY, as DAVx5's debug log (and other
/// Android and JVM clients) carry it: `--> METHOD URL`, headers, an empty line, the body, `--> END METHOD
/// (N-byte body)`, then `<-- STATUS [reason] URL (Nms)`, headers, body, `<-- END HTTP (N-byte body)`.
/// Each line may stand behind a logger's prefix (time, tag), which is taken from the `-->` line; a body
/// logged in one piece continues on lines without it.
enum OkHttpLogReader {
    static func parse(_ bytes: [UInt8], name: String) throws -> Transcript {
        let text = String(decoding: bytes, as: UTF8.self)
        var prefix: Substring?
        var entries: [TranscriptEntry] = []
        /// The lines of the request or answer being read, its first line first.
        var request: [Substring]?
        var response: [Substring]?
        var pendingRequest: (info: RequestInfo, notes: TranscriptNotes)?
        var notes = TranscriptNotes()

        func message(_ line: Substring) -> Substring? {
            guard let prefix else { return nil }
            guard line.count >= prefix.count, Self.shape(line.prefix(prefix.count)) == Self.shape(prefix) else { return nil }
            return line.dropFirst(prefix.count)
        }

        func finishExchange(_ head: Substring, _ lines: [Substring], _ end: Substring) throws {
            let number = entries.count + 1
            guard let pending = pendingRequest else {
                notes.add(Sign("unpaired-answers", value: "1"), "an answer at \"\(head.prefix(60))\" has no request before it in the log")
                return
            }
            var entryNotes = pending.notes
            let (response, body, withheld) = try Self.response(head, lines, end, notes: &entryNotes)
            entries.append(
                TranscriptEntry(
                    number: number, exchange: Exchange(request: pending.info, response: response, body: body), notes: entryNotes,
                    bodyWithheld: withheld))
            pendingRequest = nil
        }

        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if let range = line.firstRange(of: "--> "), Self.isRequestStart(line[range.upperBound...]) {
                if let pending = pendingRequest {
                    entries.append(
                        TranscriptEntry(
                            number: entries.count + 1, exchange: Exchange(request: pending.info),
                            notes: pending.notes
                                + .one(Sign("no-answer", subject: "entry \(entries.count + 1)"), "the log holds no answer to this request")))
                    pendingRequest = nil
                }
                prefix = line[..<range.lowerBound]
                request = [line[range.upperBound...]]
                continue
            }
            let content = message(line)
            if let current = request {
                if let content, content.hasPrefix("--> END ") {
                    var entryNotes = TranscriptNotes()
                    let info = try Self.request(current, end: content, name: name, notes: &entryNotes)
                    pendingRequest = (info, entryNotes)
                    request = nil
                } else {
                    request!.append(content ?? line)
                }
                continue
            }
            if let content, content.hasPrefix("<-- "), !content.hasPrefix("<-- END "), response == nil {
                if content.hasPrefix("<-- HTTP FAILED") {
                    if let pending = pendingRequest {
                        entries.append(
                            TranscriptEntry(
                                number: entries.count + 1, exchange: Exchange(request: pending.info),
                                notes: pending.notes
                                    + .one(
                                        Sign(
                                            "no-answer", subject: "entry \(entries.count + 1)",
                                            value: String(content.dropFirst("<-- HTTP FAILED".count).drop { $0 == ":" || $0 == " " })),
                                        "no answer: \(content.dropFirst(4))")))
                        pendingRequest = nil
                    }
                    continue
                }
                response = [content]
                continue
            }
            if let current = response {
                if let content, content.hasPrefix("<-- END HTTP") {
                    try finishExchange(current[0], Array(current.dropFirst()), content)
                    response = nil
                } else {
                    response!.append(content ?? line)
                }
            }
        }
        if let pending = pendingRequest {
            entries.append(
                TranscriptEntry(
                    number: entries.count + 1, exchange: Exchange(request: pending.info),
                    notes: pending.notes + .one(Sign("no-answer", subject: "entry \(entries.count + 1)"), "the log ends before the answer")))
        }
        guard !entries.isEmpty else {
            throw DAVCoreError(.malformedCapture, "\(name) holds no exchange logged by OkHttp (--> METHOD URL … <-- STATUS)")
        }
        return Transcript(format: .okhttp, entries: entries, notes: notes)
    }

    /// `PROPFIND https://…`: a method in capitals, then an absolute URL.
    static func isRequestStart(_ rest: Substring) -> Bool {
        let words = rest.split(separator: " ", maxSplits: 2)
        return words.count >= 2 && !words[0].isEmpty && words[0].allSatisfy { $0.isUppercase } && words[0] != "END"
            && (words[1].hasPrefix("http://") || words[1].hasPrefix("https://"))
    }

    /// A prefix with its digits levelled, so that the prefixes of one logger's lines compare equal.
    static func shape(_ text: Substring) -> String {
        String(text.map { $0.isNumber ? "0" : $0 })
    }

    /// Header lines, an empty line, then the body (when one was logged).
    static func split(_ lines: ArraySlice<Substring>) -> (headers: HTTPFields, body: [UInt8]?) {
        var headers = HTTPFields()
        var index = lines.startIndex
        while index < lines.endIndex, !lines[index].isEmpty, let colon = lines[index].firstIndex(of: ":") {
            headers.add(
                String(lines[index][..<colon]).trimmingASCIIWhitespace(),
                String(lines[index][lines[index].index(after: colon)...]).trimmingASCIIWhitespace())
            index += 1
        }
        guard index < lines.endIndex else { return (headers, nil) }
        let bodyLines = lines[(lines[index].isEmpty ? index + 1 : index)...]
        return (headers, bodyLines.isEmpty ? nil : Array(bodyLines.joined(separator: "\n").utf8))
    }

    /// What the `END` line says of a body that was not logged: `(binary 1234-byte body omitted)`, `(encoded body omitted)`.
    static func omitted(_ end: Substring) -> String? {
        guard end.contains("omitted") else { return nil }
        return end.firstIndex(of: "(").map { String(end[end.index(after: $0)...].dropLast()) } ?? "omitted"
    }

    static func request(_ lines: [Substring], end: Substring, name: String, notes: inout TranscriptNotes) throws -> RequestInfo {
        let words = lines[0].split(separator: " ")
        let (headers, body) = split(lines[1...])
        var info = RequestInfo(method: String(words[0]), url: String(words[1]), headers: headers, body: body)
        if let reason = omitted(end) {
            info.body = nil
            notes.add(Sign("request-body-missing", value: reason), "OkHttp did not log the request body (\(reason))")
        }
        notes += Redaction.notes(headers, side: "request", hint: " (OkHttp's redactHeader)")
        return info
    }

    static func response(_ head: Substring, _ lines: [Substring], _ end: Substring, notes: inout TranscriptNotes) throws -> (
        ResponseHead, [UInt8], Bool
    ) {
        // `<-- 207 Multi-Status https://… (45ms)`; HTTP/2 answers have no reason phrase.
        let words = head.dropFirst(4).split(separator: " ")
        guard let status = words.first.flatMap({ Int($0) }) else {
            throw DAVCoreError(.malformedCapture, "OkHttp's answer line \"\(head.prefix(60))\" has no status")
        }
        let urlIndex = words.firstIndex { $0.hasPrefix("http://") || $0.hasPrefix("https://") } ?? words.endIndex
        let reason = words[1..<urlIndex].joined(separator: " ")
        let (headers, body) = split(lines[...])
        let response = ResponseHead(version: "HTTP/1.1", status: status, reason: reason, headers: headers)
        if let reason = omitted(end) {
            notes.add(
                Sign("response-body-missing", value: reason), "OkHttp did not log the response body (\(reason)): only the status and headers are read"
            )
            return (response, [], true)
        }
        return (response, body ?? [], false)
    }
}
