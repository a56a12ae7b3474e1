/// The text of a `<D:status>` element: an HTTP status-line such as `HTTP/1.1 423 Locked` (RFC 4918 §14.28).
///
/// Read leniently, so that `HTTP/0.0 200 OK` (catalog PAY-01) or a bare `404` still yields a code;
/// ``isWellFormed`` says whether the text is what strict clients demand.
public struct StatusLine: Sendable, Hashable, CustomStringConvertible {
    public var raw: String
    /// The HTTP version as written (`HTTP/1.1`), if any.
    public var version: String?
    public var code: Int?
    public var reason: String
    /// The byte `0`, to read a digit as its value.
    private static let digitZero = Int(UInt8(ascii: "0"))

    public init(raw: String) {
        self.raw = raw
        // Fast path: exactly "HTTP/1.1 NNN Reason".
        var fast: (Int, String)?
        var copy = raw
        copy.withUTF8 { b in
            guard b.count >= 12, b[0] == 0x48, b[1] == 0x54, b[2] == 0x54, b[3] == 0x50, b[4] == 0x2F, b[5] == 0x31, b[6] == 0x2E,
                b[7] == 0x31, b[8] == 0x20, b.count == 12 || b[12] == 0x20
            else { return }
            let d0 = Int(b[9]) - Self.digitZero
            let d1 = Int(b[10]) - Self.digitZero
            let d2 = Int(b[11]) - Self.digitZero
            guard (1...5).contains(d0), (0...9).contains(d1), (0...9).contains(d2) else { return }
            let last = b[b.count - 1]
            guard last != 0x20, last != 0x0A, last != 0x0D, last != 0x09 else { return }
            fast = (d0 * 100 + d1 * 10 + d2, b.count > 13 ? String(decoding: UnsafeBufferPointer(rebasing: b[13...]), as: UTF8.self) : "")
        }
        if let fast {
            version = "HTTP/1.1"
            code = fast.0
            reason = fast.1
            return
        }
        let trimmed = raw.trimmingASCIIWhitespace()
        var parts = trimmed.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        if let first = parts.first, first.uppercased().hasPrefix("HTTP/") {
            version = first
            parts.removeFirst()
        } else {
            version = nil
        }
        if let first = parts.first, first.count == 3, let value = Int(first), (100...599).contains(value) {
            code = value
            parts.removeFirst()
        } else {
            code = nil
        }
        reason = parts.joined(separator: " ")
    }

    public init(code: Int, reason: String? = nil) {
        let reason = reason ?? HTTPStatus.reason(for: code)
        self.init(raw: "HTTP/1.1 \(code) \(reason)")
    }

    public var description: String { raw.trimmingASCIIWhitespace() }

    /// `HTTP/1.x NNN reason`, the only form every client parses (dav4jvm requires `HTTP/1.`).
    public var isWellFormed: Bool {
        guard let version, code != nil else { return false }
        return version == "HTTP/1.1" || version == "HTTP/1.0"
    }

    /// `404 Not Found`: code and the standard reason (or the one given).
    public var short: String {
        guard let code else { return description }
        return "\(code) \(reason.isEmpty ? HTTPStatus.reason(for: code) : reason)"
    }
}

/// Reason phrases for the statuses WebDAV uses.
public enum HTTPStatus {
    public static func reason(for code: Int) -> String {
        switch code {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 206: "Partial Content"
        case 207: "Multi-Status"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Range Not Satisfiable"
        case 422: "Unprocessable Content"
        case 423: "Locked"
        case 424: "Failed Dependency"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 507: "Insufficient Storage"
        default: ""
        }
    }
}
