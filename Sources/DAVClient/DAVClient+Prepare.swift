import DAVCore
import Foundation

extension DAVClient {
    /// The parts of the URL the client needs: where to connect and what to put on the request line.
    struct PreparedRequest: Sendable {
        var url: String
        var scheme: String
        var host: String
        var port: Int
        /// `host:port`, for messages.
        var endpoint: String
        /// The `Host` field: the host, with the port when it is not the scheme's default.
        var hostField: String
        /// The request-target as AsyncHTTPClient writes it: percent-encoded path (`/` when empty) and query.
        var target: String
    }

    /// The request as it goes on the wire (with the real `Authorization`) and as it is kept (redacted).
    struct SentRequest {
        var wire: HTTPFields
        var redacted: RequestInfo
    }

    func prepare(_ request: DAVRequest) throws -> PreparedRequest {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(Self.isTokenByte) else {
            throw DAVClientError.invalidRequest("\"\(request.method)\" is not an HTTP method token")
        }
        guard let url = URL(string: request.url) else {
            throw DAVClientError.invalidURL(request.url, reason: "it does not parse (spaces and non-ASCII must be percent-encoded)")
        }
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw DAVClientError.invalidURL(request.url, reason: "only http:// and https:// URLs are supported")
        }
        guard var host = url.host, !host.isEmpty else {
            throw DAVClientError.invalidURL(request.url, reason: "it has no host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port ?? defaultPort
        let bracketed = host.contains(":") ? "[\(host)]" : host
        // The path as written: `url.path` decodes it and is empty when %XX bytes are not UTF-8 (a Latin-1 name).
        var path = URLComponents(url: url, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? url.path
        if path.isEmpty { path = "/" }
        // AsyncHTTPClient rebuilds the path from its decoded form, so %XX bytes that are not UTF-8 would be
        // lost and another URL (the root) asked instead: refuse, rather than check the wrong resource.
        if path.utf8ContainsByte(0x25), URLPath.decode(path) == nil {
            throw DAVClientError.invalidURL(
                request.url,
                reason:
                    "its path holds %XX bytes that are not UTF-8 (a Latin-1 name); the HTTP client cannot send it unchanged (use curl -i and davdoctor analyze)"
            )
        }
        let target = url.query.map { path + "?" + $0 } ?? path
        return PreparedRequest(
            url: request.url,
            scheme: scheme,
            host: host,
            port: port,
            endpoint: "\(bracketed):\(port)",
            hostField: port == defaultPort ? bracketed : "\(bracketed):\(port)",
            target: target
        )
    }

    /// Header fields in the order they are written: `Host`, `User-Agent` (unless the request has one),
    /// the request's own, `Authorization`, then `Content-Length` as AsyncHTTPClient frames the body.
    func requestInfo(_ request: DAVRequest, _ prepared: PreparedRequest, authorization: Authorization?) -> SentRequest {
        var fields = HTTPFields()
        if !request.headers.contains("Host") { fields.add("Host", prepared.hostField) }
        if !request.headers.contains("User-Agent") { fields.add("User-Agent", configuration.userAgent) }
        for field in request.headers {
            let lower = field.name.lowercased()
            // Framing is AsyncHTTPClient's; an Authorization of our own replaces the caller's.
            if lower == "content-length" || lower == "transfer-encoding" { continue }
            if lower == "authorization", authorization != nil { continue }
            fields.add(field.name, field.value)
        }
        if let authorization { fields.add("Authorization", authorization.value) }
        if !request.body.isEmpty {
            fields.add("Content-Length", String(request.body.count))
        } else if !["GET", "HEAD", "DELETE", "CONNECT", "TRACE"].contains(request.method) {
            fields.add("Content-Length", "0")
        }
        let info = RequestInfo(
            method: request.method,
            url: request.url,
            headers: RecordedExchange.redacted(fields),
            body: request.body.isEmpty ? nil : request.body
        )
        return SentRequest(wire: fields, redacted: info)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
