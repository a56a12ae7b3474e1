import DAVCore

/// Reads davfs2's `debug most` output (`debug httpbody` adds the bodies) from syslog: neon's own trace of
/// each request, in messages tagged `mount.davfs` — `Sending request headers:` with the request head,
/// `Body block (N bytes):` with the request body, `[status-line] < HTTP/1.1 207 …`, `[hdr] Name: value`,
/// `Read block (N bytes):` with the answer's body (split over several messages when long), and `Request
/// ends, status …`. rsyslog's `#012` escapes of line ends are undone.
enum Davfs2LogReader {
    static func parse(_ bytes: [UInt8], name: String) throws -> Transcript {
        let text = String(decoding: bytes, as: UTF8.self)
        var entries: [TranscriptEntry] = []
        var request: RequestInfo?
        var response: ResponseHead?
        var body: [UInt8] = []
        var sawBody = false
        var announced: Int?
        /// Where the text of an open `[ … ]` block goes.
        enum Block { case request, response }
        var block: Block?
        var blockText = ""

        func closeBlock() {
            guard let open = block else { return }
            let content = Array(blockText.utf8)
            if open == .request, var current = request {
                current.body = (current.body ?? []) + content
                request = current
            } else if open == .response {
                body += content
                sawBody = true
            }
            block = nil
            blockText = ""
        }

        /// `noAnswer`: what to say when the request got no answer in the log.
        func finish(noAnswer: String? = nil) {
            guard let current = request else { return }
            let number = entries.count + 1
            var notes = Redaction.notes(current.headers, side: "request")
            var withheld = false
            if let response, !sawBody, (announced ?? 0) > 0 {
                withheld = true
                notes.add(
                    Sign("response-body-missing", value: String(announced!)),
                    "davfs2 logged no body (\(announced!) bytes) for this \(response.status): add `debug httpbody` to davfs2.conf to log it")
            }
            if response == nil, let noAnswer { notes.add(Sign("no-answer", subject: "entry \(number)"), noAnswer) }
            entries.append(
                TranscriptEntry(
                    number: number, exchange: Exchange(request: current, response: response, body: response == nil ? nil : body), notes: notes,
                    bodyWithheld: withheld))
            request = nil
            response = nil
            body = []
            sawBody = false
            announced = nil
        }

        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard var message = Self.message(line) else { continue }
            if block != nil {
                // A long block goes on in the next messages, cut anywhere, until one ends with `]`.
                if message.hasSuffix("]\n") || message.hasSuffix("]") {
                    blockText += message.hasSuffix("]\n") ? String(message.dropLast(2)) : String(message.dropLast())
                    closeBlock()
                } else {
                    blockText += message
                }
                continue
            }
            if message.hasSuffix("\n") { message.removeLast() }
            if message.hasPrefix("Sending request headers:") {
                finish(noAnswer: "davfs2 logged no answer to this request")
                let head = message.dropFirst("Sending request headers:".count).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                guard let first = head.first, let url = Self.url(first) else { continue }
                var headers = HTTPFields()
                for field in head.dropFirst() {
                    guard let colon = field.firstIndex(of: ":") else { continue }
                    headers.add(
                        String(field[..<colon]).trimmingASCIIWhitespace(), String(field[field.index(after: colon)...]).trimmingASCIIWhitespace())
                }
                let method = String(first.split(separator: " ")[0])
                request = RequestInfo(method: method, url: Self.absolute(url, host: headers["Host"]), headers: headers)
            } else if message.hasPrefix("Body block ("), let open = message.firstIndex(of: "[") {
                block = .request
                blockText = String(message[message.index(after: open)...])
                if blockText.hasSuffix("]") {
                    blockText.removeLast()
                    closeBlock()
                }
            } else if message.hasPrefix("Read block ("), let open = message.firstIndex(of: "[") {
                block = .response
                blockText = String(message[message.index(after: open)...])
                if blockText.hasSuffix("]") {
                    blockText.removeLast()
                    closeBlock()
                }
            } else if message.hasPrefix("[status-line] < ") {
                let parts = message.dropFirst("[status-line] < ".count).trimmingASCIIWhitespace().split(separator: " ", maxSplits: 2)
                if parts.count >= 2, let status = Int(parts[1]) {
                    response = ResponseHead(version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "")
                }
            } else if message.hasPrefix("[hdr] "), response != nil {
                let field = message.dropFirst("[hdr] ".count).trimmingASCIIWhitespace()
                if let colon = field.firstIndex(of: ":") {
                    response!.headers.add(
                        String(field[..<colon]).trimmingASCIIWhitespace(), String(field[field.index(after: colon)...]).trimmingASCIIWhitespace())
                }
            } else if message.hasPrefix("Reading "), message.hasSuffix(" bytes of response body.") {
                announced = Int(message.dropFirst("Reading ".count).prefix { $0.isNumber })
            } else if message.hasPrefix("Request ends, status ") {
                finish()
            }
        }
        finish(noAnswer: "the log ends before the answer")
        guard !entries.isEmpty else {
            throw DAVCoreError(.malformedCapture, "\(name) holds no request davfs2 logged (set `debug most` in davfs2.conf)")
        }
        return Transcript(format: .davfs2, entries: entries)
    }

    /// The message of a `mount.davfs` syslog line, with rsyslog's `#ooo` escapes undone; nil for other lines.
    static func message(_ line: Substring) -> String? {
        guard let tag = line.firstRange(of: "mount.davfs") else { return nil }
        var rest = line[tag.upperBound...]
        if rest.first == "[" { rest = rest.drop { $0 != "]" }.dropFirst() }
        guard rest.hasPrefix(": ") else { return nil }
        return unescape(rest.dropFirst(2))
    }

    /// `#012` → line feed, `#015` → carriage return, `#011` → tab (rsyslog's escapes of control characters).
    static func unescape(_ text: Substring) -> String {
        guard text.contains("#0") else { return String(text) }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "#", let end = text.index(index, offsetBy: 4, limitedBy: text.endIndex),
                let code = UInt8(text[text.index(after: index)..<end], radix: 8), code < 0x20
            {
                // Carriage returns (the `\r\n` of head lines) are dropped; the line feed stands for both.
                if code != 0x0D { out.unicodeScalars.append(Unicode.Scalar(code)) }
                index = end
            } else {
                out.append(text[index])
                index = text.index(after: index)
            }
        }
        return out
    }

    /// The target of `PROPFIND /dav/ HTTP/1.1`.
    static func url(_ requestLine: Substring) -> String? {
        let words = requestLine.split(separator: " ")
        guard words.count == 3, words[2].hasPrefix("HTTP/") else { return nil }
        return String(words[1])
    }

    static func absolute(_ target: String, host: String?) -> String {
        guard !target.hasPrefix("http"), let host else { return target }
        return (host.hasSuffix(":443") ? "https://" : "http://") + host + target
    }
}
