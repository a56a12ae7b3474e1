/// HTTP header fields in the order they came, looked up case-insensitively.
public struct HTTPFields: Sendable, Hashable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    public subscript(_ name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
    }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPFields, rhs: HTTPFields) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}

/// The request side of an exchange, as far as a capture or the user's flags tell it.
public struct RequestInfo: Sendable, Hashable {
    public var method: String
    /// The URL asked for: absolute when known, else the request target (`/dav/docs/`).
    public var url: String
    public var headers: HTTPFields
    public var body: [UInt8]?
    /// Whether the client signed in by itself (davdoctor check's --user): its Authorization is added on the
    /// wire and never copied into `headers`, which probes reuse.
    public var signedIn = false

    /// Whether the request carried credentials: an Authorization of its own, or the client's.
    public var carriesCredentials: Bool { signedIn || headers["Authorization"] != nil }

    public init(method: String = "PROPFIND", url: String = "", headers: HTTPFields = HTTPFields(), body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The Depth header as sent, or the method's default when none was sent (RFC 4918: PROPFIND and LOCK
    /// default to infinity; COPY, MOVE and DELETE on collections act as infinity).
    public var depth: Depth? {
        if let value = headers["Depth"] { return Depth(headerValue: value) }
        switch method.uppercased() {
        case "PROPFIND", "LOCK", "COPY", "MOVE", "DELETE": return .infinity
        default: return nil
        }
    }

    public var depthWasSent: Bool { headers["Depth"] != nil }
}

/// The response side: the final status line and headers, plus any interim blocks before it
/// (`100 Continue`, redirects followed by `curl -L`).
public struct ResponseHead: Sendable, Hashable {
    public var version: String
    public var status: Int
    public var reason: String
    public var headers: HTTPFields
    public var interim: [ResponseHead]
    /// What is wrong with how the head was framed on the wire (read where the raw bytes are known).
    public var framingFaults: [FramingFault] = []

    public init(version: String = "HTTP/1.1", status: Int, reason: String = "", headers: HTTPFields = HTTPFields(), interim: [ResponseHead] = []) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.interim = interim
    }

    public var statusLine: String { "\(version) \(status) \(reason.isEmpty ? HTTPStatus.reason(for: status) : reason)" }

    /// The media type without parameters, lower-cased (`application/xml`).
    public var mediaType: String? {
        headers["Content-Type"].map { String($0.split(separator: ";").first ?? "").trimmingASCIIWhitespace().lowercased() }
    }
}

/// A request and its response as seen on the wire: what a capture holds and what `check` records.
public struct Exchange: Sendable {
    public var request: RequestInfo?
    public var response: ResponseHead?
    /// The decoded body (transfer and content codings removed), when held in memory.
    public var body: [UInt8]?

    public init(request: RequestInfo? = nil, response: ResponseHead? = nil, body: [UInt8]? = nil) {
        self.request = request
        self.response = response
        self.body = body
    }
}
