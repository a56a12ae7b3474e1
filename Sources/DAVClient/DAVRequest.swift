import DAVCore

/// One WebDAV request as the caller means it: any method token, the URL, header fields in order, and
/// a body. The client adds `Host`, `User-Agent` (unless given), framing and `Authorization`;
/// ``RecordedExchange/request`` shows the request as it was actually sent.
///
/// Builders for the common requests are in `DAVRequest+Builders.swift`; anything else is
/// `DAVRequest(method: "PROPPATCH", url: …, headers: …, body: …)`.
public struct DAVRequest: Sendable, Hashable {
    /// The method token, sent as given (`PROPFIND`, `MKCOL`, `REPORT`, `VERSION-CONTROL` …).
    public var method: String
    /// An absolute `http://` or `https://` URL; its path is sent as written (percent-encoding kept).
    public var url: String
    public var headers: HTTPFields
    public var body: [UInt8]
    public var authentication: Authentication

    public init(
        method: String,
        url: String,
        headers: HTTPFields = HTTPFields(),
        body: [UInt8] = [],
        authentication: Authentication = .default
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.authentication = authentication
    }

    /// The same request sent as someone else (or nobody): what the permission probe compares.
    public func sent(as authentication: Authentication) -> DAVRequest {
        var copy = self
        copy.authentication = authentication
        return copy
    }

    /// The `Depth` header, when set.
    public var depth: Depth? { headers["Depth"].flatMap(Depth.init(headerValue:)) }
}
