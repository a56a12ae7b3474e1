import DAVCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads a HAR 1.2 file into exchanges: each entry's request (method, URL, headers, body) and its answer
/// (status, headers, the body as the exporter decoded it, plain or base64).
enum HARReader {
    static let bodyLimit = 64 << 20

    static func parse(_ bytes: [UInt8], name: String) throws -> Transcript {
        let har: HAR
        do {
            har = try JSONDecoder().decode(HAR.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw DAVCoreError(.malformedCapture, "\(name) is not a HAR 1.2 file: \(describe(error))")
        } catch {
            throw DAVCoreError(.malformedCapture, "\(name) is not a HAR 1.2 file: \(error)")
        }
        var notes = TranscriptNotes()
        if let creator = har.log.creator {
            notes.add(
                Sign("har-creator", subject: creator.name, value: creator.version),
                "HAR \(har.log.version ?? "?") written by \(creator.name) \(creator.version)")
        }
        let entries = try har.log.entries.enumerated().map { index, entry in try read(entry, number: index + 1) }
        return Transcript(format: .har, entries: entries, notes: notes)
    }

    static func read(_ entry: HAR.Entry, number: Int) throws -> TranscriptEntry {
        var notes = TranscriptNotes()
        var requestHeaders = HTTPFields()
        // HTTP/2 pseudo-headers (:method, :authority) repeat what the request line says.
        for header in entry.request.headers where !header.name.hasPrefix(":") { requestHeaders.add(header.name, header.value) }
        var request = RequestInfo(method: entry.request.method.uppercased(), url: entry.request.url, headers: requestHeaders)
        if let post = entry.request.postData, let text = post.text {
            request.body = try decode(text, encoding: post.encoding, what: "request body", number: number, notes: &notes)
        } else if let size = entry.request.bodySize, size > 0 {
            notes.add(
                Sign("request-body-missing", value: String(size)),
                "the request body (\(size) bytes) is not in the HAR, so what the request asked for is not known")
        }
        notes += Redaction.notes(requestHeaders, side: "request")
        guard entry.response.status > 0 else {
            // Chromium writes status 0 for a request that got no answer (refused, blocked, cancelled).
            let error = entry.response._error
            notes.add(Sign("no-answer", subject: "entry \(number)", value: error), "no answer was received\(error.map { " (\($0))" } ?? "")")
            return TranscriptEntry(number: number, exchange: Exchange(request: request, response: nil), notes: notes)
        }
        var responseHeaders = HTTPFields()
        for header in entry.response.headers where !header.name.hasPrefix(":") { responseHeaders.add(header.name, header.value) }
        let response = ResponseHead(
            version: httpVersion(entry.response.httpVersion), status: entry.response.status,
            reason: entry.response.statusText ?? "", headers: responseHeaders)
        var body: [UInt8] = []
        var withheld = false
        let content = entry.response.content
        if let text = content.text {
            if let decoded = try decode(text, encoding: content.encoding, what: "response body", number: number, notes: &notes) {
                body = decoded
            } else {
                withheld = true
            }
        } else if (content.size ?? 0) > 0 || (entry.response.bodySize ?? 0) > 0 {
            withheld = true
            let size = content.size ?? entry.response.bodySize ?? 0
            notes.add(
                Sign("response-body-missing", value: String(size)),
                "the exporter left the response body (\(size) bytes) out of the HAR: only the status and headers are read")
        }
        return TranscriptEntry(
            number: number, exchange: Exchange(request: request, response: response, body: body), notes: notes, bodyWithheld: withheld)
    }

    /// A body as HAR holds it: text, or base64 when `encoding` says so. nil (with a note) when it does not decode.
    static func decode(_ text: String, encoding: String?, what: String, number: Int, notes: inout TranscriptNotes) throws -> [UInt8]? {
        let bytes: [UInt8]
        if encoding?.lowercased() == "base64" {
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                notes.add(Sign("body-not-decoded", subject: what), "the \(what) is marked base64 but does not decode, so it is left out")
                return nil
            }
            bytes = Array(data)
        } else {
            bytes = Array(text.utf8)
        }
        guard bytes.count <= bodyLimit else {
            throw DAVCoreError(.limitExceeded, "entry \(number)'s \(what) exceeds \(bodyLimit >> 20) MiB")
        }
        return bytes
    }

    /// `h2`, `http/2.0` and `HTTP/1.1` as a status line writes them.
    static func httpVersion(_ version: String?) -> String {
        guard let version, !version.isEmpty else { return "HTTP/1.1" }
        switch version.lowercased() {
        case "h2", "http/2", "http/2.0": return "HTTP/2"
        case "h3", "http/3", "http/3.0": return "HTTP/3"
        default: return version.uppercased()
        }
    }

    /// A decoding error in one line: where in the file and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "\(at.isEmpty ? "" : at + ".")\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return at.isEmpty ? "the JSON is not whole or not valid (cut short?)" : "\(at) is not valid"
        @unknown default:
            return "it does not decode"
        }
    }
}
