import DAVCore

/// Which server answered, recognised from its headers, its error bodies and its XML habits, so that
/// fixes can be written in that server's own configuration language.
public enum ServerKind: String, Sendable, Hashable, Codable, CaseIterable {
    case apache, nginx, lighttpd, iis, sabre, wsgidav, rclone, radicale, xandikos, davdoctor, haproxy, varnish, unknown

    public var displayName: String {
        switch self {
        case .apache: "Apache httpd (mod_dav)"
        case .nginx: "nginx (dav + dav-ext)"
        case .lighttpd: "lighttpd (mod_webdav)"
        case .iis: "Microsoft IIS"
        case .sabre: "SabreDAV (Nextcloud/ownCloud)"
        case .wsgidav: "WsgiDAV"
        case .rclone: "rclone serve webdav"
        case .radicale: "Radicale"
        case .xandikos: "Xandikos"
        case .haproxy: "HAProxy (a proxy, not a WebDAV server)"
        case .varnish: "Varnish (a caching proxy, not a WebDAV server)"
        case .davdoctor: "davdoctor serve"
        case .unknown: "an unrecognised server"
        }
    }
}

public struct ServerProfile: Sendable, Hashable {
    public var kind: ServerKind
    /// What gave it away (`Server: Apache/2.4.62`).
    public var evidence: String?

    public init(kind: ServerKind, evidence: String? = nil) {
        self.kind = kind
        self.evidence = evidence
    }

    public static let unknown = ServerProfile(kind: .unknown)

    /// Whether the answer came from a proxy's own error page rather than from a WebDAV server behind it.
    public var isProxy: Bool { kind == .haproxy || kind == .varnish }

    /// When the Server header names one server and the multistatus is written in another's hand (Apache's
    /// lp1/lp2 namespaces under `Server: nginx`), the first is a proxy in front of the second: the evidence.
    public static func proxyInFront(headers: HTTPFields?, namespaces: [String]) -> String? {
        guard let header = headers?["Server"] else { return nil }
        let front = recognise(headers: headers)
        let writer = recognise(headers: nil, namespaces: namespaces)
        guard front.kind != .unknown, writer.kind != .unknown, front.kind != writer.kind else { return nil }
        return
            "Server: \(header), yet the multistatus is written by \(writer.kind.displayName) (\(writer.evidence ?? "")): \(front.kind.displayName) is a proxy in front"
    }

    /// Signs that something relayed the answer, beyond the headers proxies add (Via, X-Cache …): header
    /// names in lower case on an HTTP/1 answer from a server that writes them capitalised (HAProxy re-writes
    /// them so), and an error page in one server's hand under another's Server header.
    public static func relaySigns(_ head: ResponseHead?, bodyExcerpt: String) -> [String] {
        guard let head, let server = head.headers["Server"] else { return [] }
        let named = recognise(headers: head.headers).kind
        var signs: [String] = []
        let capitalising: Set<ServerKind> = [.apache, .nginx, .lighttpd]
        let names = head.headers.fields.map(\.name).filter { $0.contains { $0.isLetter } }
        if head.version.hasPrefix("HTTP/1"), capitalising.contains(named), !names.isEmpty, names.allSatisfy({ $0 == $0.lowercased() }) {
            signs.append(
                "every header name arrives in lower case (\(names.prefix(3).joined(separator: ", ")) …), which \(named.displayName) never writes on HTTP/1: something in between (HAProxy, an HTTP/2 hop) re-wrote the answer"
            )
        }
        let lower = bodyExcerpt.lowercased()
        let apachePage = lower.contains("-//w3c//dtd html 4.01//en") && lower.contains("<h1>") && lower.contains("<p>")
        let nginxPage = lower.contains("<center>nginx")
        if apachePage, named != .apache, named != .unknown {
            signs.append(
                "the error page is Apache's (its HTML 4.01 page), yet Server: \(server): \(named.displayName) relays the answer of an Apache behind it"
            )
        } else if nginxPage, named != .nginx, named != .unknown {
            signs.append("the error page is nginx's, yet Server: \(server): something relays nginx's answer")
        }
        return signs
    }

    /// golang.org/x/net/webdav sends no Server header and answers every failure with its reason phrase as
    /// the whole body ("Method Not Allowed", no newline), which Go's net/http labels text/plain.
    static func isGoWebDAVError(headers: HTTPFields?, body: String) -> Bool {
        guard let headers, headers["Server"] == nil, headers["Content-Type"]?.lowercased().hasPrefix("text/plain") == true, !body.isEmpty else {
            return false
        }
        return goReasonPhrases.contains(body)
    }

    /// Radicale and Xandikos name themselves in no Server header: each answers through a Python HTTP server
    /// that names itself instead. Radicale's built-in server is wsgiref's (`WSGIServer/0.2 CPython/3.11`), and
    /// its error bodies are its own fixed texts (radicale/httputils.py) or, on the same server, its DAV header
    /// (`1, 2, 3, calendar-access, addressbook, extended-mkcol`); `xandikos serve` runs on aiohttp.
    static func pythonDAVServer(headers: HTTPFields?, body: String) -> ServerProfile? {
        guard let headers, let server = headers["Server"] else { return nil }
        let lower = server.lowercased()
        if lower.contains("aiohttp") {
            return ServerProfile(kind: .xandikos, evidence: "Server: \(server): an aiohttp server, which is what xandikos serve runs on")
        }
        if lower.hasPrefix("wsgiserver/") {
            let text = body.trimmingASCIIWhitespace()
            if radicaleTexts.contains(text) {
                return ServerProfile(
                    kind: .radicale,
                    evidence: "Server: \(server) (Python's wsgiref, Radicale's built-in server) and Radicale's own error text \"\(text)\"")
            }
            if headers["DAV"]?.trimmingASCIIWhitespace() == radicaleDAV {
                return ServerProfile(
                    kind: .radicale, evidence: "Server: \(server) (Python's wsgiref, Radicale's built-in server) and Radicale's DAV header")
            }
        }
        return nil
    }

    /// The error texts of radicale/httputils.py (3.x) that no other server writes; wsgiref's own 500 text is
    /// Radicale's too.
    static let radicaleTexts: Set<String> = [
        "Access to the requested resource forbidden.", "Action on the requested resource refused.",
        "The requested resource could not be found.", "Conflict in the request.", "The method is not allowed on the requested resource.",
        "Precondition failed.", "Request body too large.", "Remote destination not supported.", "Directory listings are not supported.",
        "Insufficient Storage.  Please contact the administrator.", "A server error occurred.  Please contact the administrator.",
    ]
    static let radicaleDAV = "1, 2, 3, calendar-access, addressbook, extended-mkcol"

    private static let goReasonPhrases: Set<String> = Set((400..<600).map(HTTPStatus.reason(for:)).filter { !$0.isEmpty })

    /// Recognises the server from response headers, then from a body excerpt and the namespaces it used.
    public static func recognise(headers: HTTPFields?, bodyExcerpt: String = "", namespaces: [String] = []) -> ServerProfile {
        if let server = headers?["Server"] {
            let lower = server.lowercased()
            let table: [(String, ServerKind)] = [
                ("apache", .apache), ("nginx", .nginx), ("openresty", .nginx), ("lighttpd", .lighttpd),
                ("microsoft-iis", .iis), ("wsgidav", .wsgidav), ("cheroot", .wsgidav), ("rclone", .rclone),
                ("davdoctor", .davdoctor), ("sabre", .sabre),
                ("radicale", .radicale), ("xandikos", .xandikos),
            ]
            for (needle, kind) in table where lower.contains(needle) {
                return ServerProfile(kind: kind, evidence: "Server: \(server)")
            }
        }
        if let python = pythonDAVServer(headers: headers, body: bodyExcerpt) { return python }
        if isGoWebDAVError(headers: headers, body: bodyExcerpt) {
            return ServerProfile(
                kind: .rclone,
                evidence:
                    "no Server header and a body that is the reason phrase alone (\"\(bodyExcerpt)\"), as text/plain: golang.org/x/net/webdav, the handler of rclone serve webdav"
            )
        }
        let lowerBody = bodyExcerpt.lowercased()
        // A proxy's own error pages: HAProxy writes "<html><body><h1>403 Forbidden</h1>" with no Server header;
        // Varnish's synthetic pages say "Guru Meditation".
        if lowerBody.contains("guru meditation") {
            return ServerProfile(kind: .varnish, evidence: "Varnish's own error page (Guru Meditation)")
        }
        if headers?["Server"] == nil, lowerBody.hasPrefix("<html><body><h1>"), lowerBody.contains("</h1>\n") {
            return ServerProfile(kind: .haproxy, evidence: "HAProxy's own error page (<html><body><h1>…, no Server header)")
        }
        if let powered = headers?["X-Powered-By"], powered.lowercased().contains("asp.net") {
            return ServerProfile(kind: .iis, evidence: "X-Powered-By: \(powered)")
        }
        if let dav = headers?["DAV"], dav.contains("nextcloud") || dav.contains("owncloud") || dav.contains("sabre") {
            return ServerProfile(kind: .sabre, evidence: "DAV: \(dav)")
        }
        if headers?["X-Sabre-Version"] != nil || headers?["OC-ETag"] != nil || headers?["OC-FileId"] != nil {
            return ServerProfile(kind: .sabre, evidence: "Nextcloud/ownCloud headers")
        }
        let body = bodyExcerpt.lowercased()
        if body.contains("sabre\\dav\\exception") || body.contains("http://sabredav.org/ns") {
            return ServerProfile(kind: .sabre, evidence: "a Sabre\\DAV exception in the body")
        }
        if body.contains("<center>nginx") { return ServerProfile(kind: .nginx, evidence: "nginx's error page") }
        if body.contains("<address>apache") || body.contains("http://apache.org/dav/xmlns") {
            return ServerProfile(kind: .apache, evidence: "Apache's error body")
        }
        if body.contains("wsgidav") { return ServerProfile(kind: .wsgidav, evidence: "WsgiDAV's error page") }
        if namespaces.contains("http://apache.org/dav/props/") {
            return ServerProfile(kind: .apache, evidence: "the http://apache.org/dav/props/ namespace (lp1:/lp2:)")
        }
        if namespaces.contains(where: { $0.contains("owncloud.org") || $0.contains("nextcloud.org") || $0.contains("sabredav.org") }) {
            return ServerProfile(kind: .sabre, evidence: "ownCloud/Nextcloud namespaces in the payload")
        }
        if namespaces.contains("urn:uuid:c2f41010-65b3-11d1-a29f-00aa00c14882/") {
            return ServerProfile(kind: .iis, evidence: "the Microsoft (urn:uuid:c2f41010…) namespace")
        }
        return .unknown
    }
}
