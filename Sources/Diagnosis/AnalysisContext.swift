import DAVCore

/// What is known about the request that produced an answer: from the capture, the user's flags, or
/// the request `check` made. Every rule reads it; nothing in it needs the network.
public struct AnalysisContext: Sendable {
    public var request: RequestInfo
    /// Whether the URL was given (or captured), so scope and origin checks can run.
    public var urlKnown: Bool
    public var requestHref: Href
    /// The Request-URI's path, decoded.
    public var requestPath: String
    /// Properties a PROPFIND asked for by name (`<D:prop>`), when its body is known.
    public var requestedProperties: [QualifiedName]?
    /// `allprop`, `propname` or `prop`, when the PROPFIND body is known (an empty body is allprop).
    public var propfindKind: String?
    /// What a REPORT asked for, when its body is known and is XML.
    public var report: ReportRequest?

    public init(request: RequestInfo) {
        self.request = request
        method = request.method.uppercased()
        depth = request.depth
        urlKnown = !request.url.isEmpty
        requestHref = Href(request.url.isEmpty ? "/" : request.url)
        requestPath = requestHref.displayPath
        if method == "PROPFIND" {
            if let body = request.body, !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                if let root = try? XMLTreeParser.parse(body, strict: false).root {
                    if let prop = root.firstChild(DAV.prop) {
                        propfindKind = "prop"
                        requestedProperties = prop.elements.map(\.name)
                    } else if root.firstChild(DAV.propname) != nil {
                        propfindKind = "propname"
                    } else {
                        propfindKind = "allprop"
                    }
                }
            } else if request.body != nil {
                propfindKind = "allprop"
            }
        }
        if method == "REPORT", let body = request.body { report = ReportRequest.parse(body) }
    }

    public let method: String
    public let depth: Depth?
}
