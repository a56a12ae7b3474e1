/// Why a request could not be made or its answer could not be read.
///
/// An opaque value with a stable code, in the shape of AsyncHTTPClient's `HTTPClientError`: callers
/// compare with the static members (`error == .timeout`), and new kinds can be added without breaking
/// them. Two errors are equal when their kinds are; the detail (host, reason) is for people.
///
/// ``description`` is one line that a command can print after `davdoctor: error: `; it says what went
/// wrong and, where it helps, what to try. ``isNetworkFailure`` marks the errors that mean "the server
/// could not be reached or did not answer" (exit status 3).
public struct DAVClientError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unreachable
        case connectionRefused
        case tls
        case timeout
        case connectionClosed
        case unparseable
        case network
        case invalidURL
        case invalidRequest
        case bodyTooLarge
        case credentials
        case recording
        case shutDown
    }

    private let code: Code
    private let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// True for failures to reach the server or to get its answer: DNS, refused, TLS, timeout, a
    /// connection closed early. A command exits 3 for these.
    public var isNetworkFailure: Bool {
        switch code {
        case .unreachable, .connectionRefused, .tls, .timeout, .connectionClosed, .unparseable, .network: true
        case .invalidURL, .invalidRequest, .bodyTooLarge, .credentials, .recording, .shutDown: false
        }
    }

    public static func == (lhs: DAVClientError, rhs: DAVClientError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    // MARK: - Kinds, for comparing

    /// The host name did not resolve (DNS), or no route leads to it.
    public static let unreachable = DAVClientError(.unreachable, "the host could not be found")
    /// Nothing listens on the port: the connection was refused.
    public static let connectionRefused = DAVClientError(.connectionRefused, "connection refused")
    /// The TLS handshake failed (untrusted certificate, wrong host name, not TLS at all …).
    public static let tls = DAVClientError(.tls, "TLS handshake failed")
    /// Connecting, or waiting for the answer, took longer than the configured timeout.
    public static let timeout = DAVClientError(.timeout, "timed out")
    /// The server closed the connection before a whole answer came.
    public static let connectionClosed = DAVClientError(.connectionClosed, "the server closed the connection")
    /// An answer came, but the HTTP client could not parse it (its framing breaks RFC 9112): `check` then
    /// reads the raw bytes itself (``DAVClient/fetchRaw(_:limit:)``).
    public static let unparseable = DAVClientError(.unparseable, "the answer is not parseable HTTP/1.1")
    /// Another network failure (reset, unreachable network …).
    public static let network = DAVClientError(.network, "network failure")
    /// The URL is not an absolute `http://` or `https://` URL with a host.
    public static let invalidURL = DAVClientError(.invalidURL, "invalid URL")
    /// The request cannot be sent as given (a header value with a line break, a bad method token).
    public static let invalidRequest = DAVClientError(.invalidRequest, "invalid request")
    /// The response body was larger than the limit given to ``DAVClient/send(_:bodyLimit:recorder:)``.
    public static let bodyTooLarge = DAVClientError(.bodyTooLarge, "the response body is too large")
    /// No usable credentials: a user without a password, an unreadable netrc file.
    public static let credentials = DAVClientError(.credentials, "no usable credentials")
    /// Saving an exchange (`--save DIR`) failed.
    public static let recording = DAVClientError(.recording, "cannot save the exchange")
    /// The client was used after ``DAVClient/shutdown()``.
    public static let shutDown = DAVClientError(.shutDown, "the client is shut down")

    // MARK: - With detail, for people

    public static func unparseable(_ endpoint: String, _ detail: String) -> DAVClientError {
        DAVClientError(.unparseable, "\(endpoint) answered with something the HTTP client cannot parse (\(detail))")
    }

    public static func unreachable(_ host: String, reason: String? = nil) -> DAVClientError {
        DAVClientError(.unreachable, "cannot reach \(host): \(reason ?? "the host name does not resolve") (check the URL's host name and DNS)")
    }

    public static func connectionRefused(_ endpoint: String) -> DAVClientError {
        DAVClientError(.connectionRefused, "connection refused by \(endpoint): nothing listens there (is the server running, and is the port right?)")
    }

    public static func tls(_ reason: String) -> DAVClientError {
        DAVClientError(.tls, "TLS failed: \(reason)")
    }

    public static func timeout(_ what: String) -> DAVClientError {
        DAVClientError(.timeout, "timed out: \(what)")
    }

    public static func connectionClosed(_ endpoint: String, hintTLS: Bool = false) -> DAVClientError {
        let hint = hintTLS ? "; if that port speaks TLS, use https://" : ""
        return DAVClientError(
            .connectionClosed, "\(endpoint) closed the connection before a complete answer (a proxy or server crash may cut responses\(hint))")
    }

    public static func network(_ reason: String) -> DAVClientError {
        DAVClientError(.network, "network failure: \(reason)")
    }

    public static func invalidURL(_ url: String, reason: String) -> DAVClientError {
        DAVClientError(.invalidURL, "invalid URL \"\(url)\": \(reason)")
    }

    public static func invalidRequest(_ reason: String) -> DAVClientError {
        DAVClientError(.invalidRequest, "cannot send the request: \(reason)")
    }

    public static func bodyTooLarge(limit: Int) -> DAVClientError {
        DAVClientError(
            .bodyTooLarge, "the response body exceeds the limit of \(DAVClientError.byteCount(limit)); stream it instead of holding it in memory")
    }

    public static func credentials(_ reason: String) -> DAVClientError {
        DAVClientError(.credentials, reason)
    }

    public static func recording(_ reason: String) -> DAVClientError {
        DAVClientError(.recording, "cannot save the exchange: \(reason)")
    }

    static func byteCount(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
