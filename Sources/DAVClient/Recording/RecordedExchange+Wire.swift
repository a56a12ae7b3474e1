import DAVCore

/// The exchange written the way it went over the wire, for `--save DIR` files that `davdoctor analyze`
/// (DAVCore's `CaptureReader`) reads back.
extension RecordedExchange {
    /// `METHOD target HTTP/1.1`, the header fields (with `Authorization: [redacted]`), an empty line, the body.
    public var requestBytes: [UInt8] {
        Self.requestHeadBytes(method: request.method, target: requestTarget, headers: request.headers) + (request.body ?? [])
    }

    /// The status line, the header fields, an empty line and the body as received. A chunked response is
    /// written back as one chunk, so its `Transfer-Encoding: chunked` header stays true to the bytes.
    public var responseBytes: [UInt8] {
        var bytes = Self.responseHeadBytes(response)
        if Self.isChunked(response.headers) {
            bytes += Self.chunk(body) + Self.lastChunk
        } else {
            bytes += body
        }
        return bytes
    }

    static func requestHeadBytes(method: String, target: String, headers: HTTPFields) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\n"
        for field in redacted(headers) { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    static func responseHeadBytes(_ head: ResponseHead) -> [UInt8] {
        var text = head.statusLine + "\r\n"
        for field in head.headers { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Header fields with credentials replaced: `Authorization` and `Proxy-Authorization` become `[redacted]`.
    static func redacted(_ headers: HTTPFields) -> HTTPFields {
        HTTPFields(
            headers.map { field in
                let lower = field.name.lowercased()
                return lower == "authorization" || lower == "proxy-authorization" ? (field.name, "[redacted]") : field
            })
    }

    static func isChunked(_ headers: HTTPFields) -> Bool {
        headers.values("Transfer-Encoding").contains { $0.lowercased().contains("chunked") }
    }

    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        return Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [0x0D, 0x0A]
    }

    static func chunk(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        return Array((String(bytes.count, radix: 16) + "\r\n").utf8) + Array(bytes) + [0x0D, 0x0A]
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
