import DAVCore

/// A request as it was sent and the response as it came back, with timings: the evidence `check` keeps.
///
/// The `Authorization` value is never held: ``request`` shows `Authorization: [redacted]`, and
/// ``authenticationScheme`` says which scheme was used. The body is kept as received: chunked framing
/// is removed by the HTTP layer, but a content coding (gzip) is not; ``decodedBody(limit:)`` removes it.
public struct RecordedExchange: Sendable {
    /// The request as sent: method, absolute URL, every header field we put on the wire (`Host`,
    /// `User-Agent`, `Content-Length` included) and the body.
    public var request: RequestInfo
    /// The request-target on the request line (`/dav/a%20b.txt?x=1`).
    public var requestTarget: String
    /// `Basic` or `Digest` when the request carried credentials.
    public var authenticationScheme: String?
    public var response: ResponseHead
    public var body: [UInt8]
    public var timings: ExchangeTimings
    /// Answers that came before this one for the same request: the 401 whose Digest challenge was
    /// answered by sending the request again.
    public var earlierAttempts: [RecordedExchange]

    public init(
        request: RequestInfo,
        requestTarget: String,
        authenticationScheme: String? = nil,
        response: ResponseHead,
        body: [UInt8],
        timings: ExchangeTimings,
        earlierAttempts: [RecordedExchange] = []
    ) {
        self.request = request
        self.requestTarget = requestTarget
        self.authenticationScheme = authenticationScheme
        self.response = response
        self.body = body
        self.timings = timings
        self.earlierAttempts = earlierAttempts
    }

    public var status: Int { response.status }

    /// The body with a gzip or deflate content coding removed (through DAVCore's capture reader), or
    /// as received when it has none.
    public func decodedBody(limit: Int = 64 << 20) throws -> [UInt8] {
        guard let coding = response.headers["Content-Encoding"]?.lowercased(), coding.contains("gzip") || coding.contains("deflate") else {
            return body
        }
        var head = HTTPFields()
        head.add("Content-Encoding", coding)
        var reader = CaptureReader(
            bytes: Self.responseHeadBytes(ResponseHead(version: response.version, status: response.status, reason: response.reason, headers: head))
                + body)
        return try reader.readWholeBody(limit: limit).0
    }
}

extension RecordedExchange: CustomStringConvertible {
    /// `PROPFIND http://… → 207 Multi-Status (12.3 ms, 4,096 bytes)`: no header values, so nothing secret.
    public var description: String {
        "\(request.method) \(request.url) → \(response.status) \(response.reason) (\(timings.totalMilliseconds) ms, \(body.count) bytes)"
    }
}
