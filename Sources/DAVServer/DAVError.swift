import DAVCore

/// A failure a handler reports to the client: the HTTP status, and when RFC 4918 §16 names one, the
/// precondition or postcondition element that explains it, rendered as a `<D:error>` body.
///
/// Handlers throw it; the responder turns it into the response in one place (x/net/webdav's
/// `(status, err)` return, sabre/dav's exceptions that serialise their condition).
public struct DAVError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    /// The `<D:error>` child, e.g. `{DAV:}lock-token-submitted`.
    public var condition: QualifiedName?
    /// Hrefs inside the condition element (`lock-token-submitted` names the locked resources).
    public var conditionHrefs: [String]
    /// A one-line explanation for logs and the plain-text body.
    public var message: String
    /// Extra response headers (`Allow` on 405, `WWW-Authenticate` on 401).
    public var headers: [(String, String)]

    public init(
        _ status: Int, _ message: String = "", condition: QualifiedName? = nil, hrefs: [String] = [], headers: [(String, String)] = []
    ) {
        self.status = status
        self.message = message.isEmpty ? HTTPStatus.reason(for: status) : message
        self.condition = condition
        self.conditionHrefs = hrefs
        self.headers = headers
    }

    public var description: String {
        if let condition { return "\(status) \(condition): \(message)" }
        return "\(status): \(message)"
    }

    /// The `<D:error>` element, when there is a condition to report.
    public var errorElement: XMLElement? {
        guard let condition else { return nil }
        let hrefs = conditionHrefs.map { XMLNode.element(XMLElement(DAV.href, children: [.text($0)])) }
        return XMLElement(DAV.error, children: [.element(XMLElement(condition, children: hrefs))])
    }

    public static func badRequest(_ message: String) -> DAVError { DAVError(400, message) }
    public static func forbidden(_ message: String) -> DAVError { DAVError(403, message) }
    public static func notFound(_ message: String = "no resource at this URL") -> DAVError { DAVError(404, message) }
    public static func conflict(_ message: String) -> DAVError { DAVError(409, message) }
    public static func preconditionFailed(_ message: String) -> DAVError { DAVError(412, message) }
    public static func locked(_ hrefs: [String]) -> DAVError {
        DAVError(423, "the resource is locked and no matching lock token was submitted", condition: DAV.lockTokenSubmitted, hrefs: hrefs)
    }
}
