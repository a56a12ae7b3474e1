import DAVClient
import DAVCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The lab's fault switch: what a scenario asks to go wrong between the client and `davdoctor serve`.
/// These live only here, in a reverse proxy the lab puts in front of the server, never in the server
/// or its configuration: a real proxy's mistakes (a stripped path prefix, hrefs naming the backend, a
/// changed Content-Type, a cut body, a 207 turned into 200) and a misbehaving server's (unstable ETags,
/// non-GMT dates, `HTTP/0.0` status lines, an unbound prefix, negative quota, a full disk) alike.
public struct Faults: Sendable, Decodable {
    /// The proxy serves `prefix/…` and strips the prefix before the backend, which knows nothing of it.
    public var prefix: String?
    /// Hrefs are rewritten to absolute URLs on this origin (the backend's own address, say).
    public var hrefOrigin: String?
    /// The Content-Type of a multistatus answer, replaced (text/html, as a proxy error page would have).
    public var contentType: String?
    /// Only the first N bytes of a multistatus body get through.
    public var cutBody: Int?
    /// A 207 reaches the client as 200 OK.
    public var statusTo200: Bool?
    /// Every answer carries a different ETag and getetag.
    public var unstableETags: Bool?
    /// getlastmodified in ISO 8601 instead of RFC 1123.
    public var isoDates: Bool?
    /// `<D:status>` lines with this HTTP version (`HTTP/0.0`, as old nginx dav-ext wrote).
    public var statusVersion: String?
    /// The `xmlns:D="DAV:"` declaration removed, leaving the D: prefix unbound.
    public var unboundPrefix: Bool?
    /// quota-available-bytes answered with this value (Nextcloud's -3 sentinel, say).
    public var quotaAvailable: String?
    /// PUT answered with 507 Insufficient Storage (a full disk, without filling one).
    public var diskFull: Bool?
    /// A shared cache in front: GET and PROPFIND answers are kept and served again.
    public var cache: Bool?
    /// Methods the proxy answers itself with a status (PROPPATCH: 405, say), with an Allow that lacks them.
    public var refuse: [String: Int]?
    /// OPTIONS needs credentials too (401 without an Authorization header).
    public var optionsNeedAuth: Bool?
    /// Hrefs with their percent-escapes decoded (a space as a raw space).
    public var rawHrefs: Bool?
    /// A collection asked without its trailing slash is answered 301 to the URL with one.
    public var slashRedirect: Bool?
    /// Hrefs encoded once more (`%20` becomes `%2520`), as a server or proxy that escapes an escaped name does.
    public var doubleEncodedHrefs: Bool?
    /// Request headers the proxy does not pass on (`If`, `Lock-Token`: a header allow-list or an explicit unset).
    public var dropHeaders: [String]?
    /// The backend serves only this scheme and, like Apache mod_dav and WsgiDAV, answers 502 to a COPY or MOVE
    /// whose Destination names its own host with another scheme: what a TLS-terminating proxy that passes
    /// `Destination: https://…` on unchanged leads to. (davdoctor serve accepts such a Destination, so the
    /// lab plays the stricter backend here.)
    public var destinationScheme: String?
    /// The proxy answers RFC 6764's `/.well-known/caldav` and `/.well-known/carddav` itself with a 301 to this
    /// URL: the backend's own address where the public one belongs (a redirect written for the LAN).
    public var wellKnownLocation: String?
    /// Methods whose request bodies the proxy does not pass on (nginx `proxy_pass_request_body off`, a
    /// filter that only forwards bodies of PUT): the method and its headers arrive, the body does not.
    public var dropBodies: [String]?
}

/// The reverse proxy that applies ``Faults``: forwards every request to the backend (any method, headers
/// and body as they came, Authorization included) and changes the answer as the faults say.
struct FaultLayer: HTTPResponder {
    typealias Context = BasicRequestContext
    let backend: String
    let faults: Faults
    let client: DAVClient
    let cache = CacheStore()

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let method = request.method.rawValue.uppercased()
        // The request target as sent, still percent-encoded (a decoded '#' or '%' would change the URL).
        let target = request.head.path ?? "/"
        let query = target.firstIndex(of: "?").map { String(target[$0...]) } ?? ""
        var path = String(target.prefix { $0 != "?" })
        if let prefix = faults.prefix {
            guard path.hasPrefix(prefix) else { return Response(status: .notFound) }
            path = String(path.dropFirst(prefix.count))
            if path.isEmpty { path = "/" }
        }
        if let location = faults.wellKnownLocation, ["/.well-known/caldav", "/.well-known/carddav"].contains(path.lowercased()) {
            return Response(status: .movedPermanently, headers: [.location: location + (path.hasSuffix("carddav") ? "carddav/" : "caldav/")])
        }
        if let status = faults.refuse?[method] {
            var fields = HTTPTypes.HTTPFields()
            fields[.allow] =
                "OPTIONS, GET, HEAD, PROPFIND, "
                + ["PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPPATCH", "LOCK", "UNLOCK"].filter { $0 != method }.joined(separator: ", ")
            return Response(status: .init(code: status), headers: fields)
        }
        if faults.optionsNeedAuth == true, method == "OPTIONS", request.headers[.authorization] == nil {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"lab\""])
        }
        if faults.slashRedirect == true, !path.hasSuffix("/"), !(path.split(separator: "/").last ?? "").contains(".") {
            let host = request.head.authority ?? "127.0.0.1"
            return Response(status: .movedPermanently, headers: [.location: "http://\(host)\(faults.prefix ?? "")\(path)/"])
        }
        if let scheme = faults.destinationScheme, method == "COPY" || method == "MOVE",
            let destination = request.headers[.init("Destination")!].flatMap(Destination.init(headerValue:)),
            let given = destination.scheme, given != scheme, destination.isSameAuthority(asHost: request.head.authority)
        {
            let text =
                "Destination URI refers to scheme \(given) on this host; this server speaks \(scheme) only (\(scheme)://\(request.head.authority ?? ""))\n"
            return Response(status: .badGateway, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if faults.diskFull == true, method == "PUT" {
            return Response(status: .init(code: 507, reasonPhrase: "Insufficient Storage"))
        }
        var headers = DAVCore.HTTPFields()
        let dropped = ["host", "connection", "content-length", "transfer-encoding", "expect"] + (faults.dropHeaders ?? []).map { $0.lowercased() }
        for field in request.headers where !dropped.contains(field.name.canonicalName) {
            headers.add(field.name.rawName, field.value)
        }
        var body = try await request.body.collect(upTo: 64 << 20)
        if faults.dropBodies?.contains(method) == true { body.clear() }
        let cacheKey = "\(method) \(path) \(headers["Depth"] ?? "") \(headers["Authorization"] ?? "")"
        // Like most shared caches, this one revalidates when asked to (no-cache); it just never expires on its own.
        let revalidate = (headers["Cache-Control"] ?? "").contains("no-cache") || (headers["Pragma"] ?? "").contains("no-cache")
        if faults.cache == true, !revalidate, ["GET", "PROPFIND"].contains(method), let kept = cache.get(cacheKey) {
            return kept.response(age: true)
        }
        var forwarded = DAVRequest(method: method, url: backend + path + query, headers: headers, body: Array(buffer: body))
        forwarded.authentication = .anonymous
        let answer = try await client.send(forwarded, bodyLimit: 256 << 20)
        var status = answer.status
        var bytes = answer.body
        let isMultistatus = status == 207
        if isMultistatus { bytes = rewrite(bytes) }
        if isMultistatus, let cut = faults.cutBody { bytes = Array(bytes.prefix(cut)) }
        if isMultistatus, faults.statusTo200 == true { status = 200 }
        var fields = HTTPTypes.HTTPFields()
        for (name, value) in answer.response.headers {
            // Content-Length is the framing of the body sent here, except for HEAD, where it describes GET's.
            let dropped = ["connection", "transfer-encoding", "date"] + (method == "HEAD" ? [] : ["content-length"])
            guard let fieldName = HTTPField.Name(name), !dropped.contains(fieldName.canonicalName) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        if faults.unstableETags == true, fields[.eTag] != nil { fields[.eTag] = "\"\(UUID().uuidString.prefix(8))\"" }
        if isMultistatus, let type = faults.contentType { fields[.contentType] = type }
        if let via = HTTPField.Name("Via") { fields[via] = "1.1 davdoctor-lab-proxy" }
        let kept = KeptResponse(status: status, reason: answer.response.reason, headers: fields, body: bytes)
        if faults.cache == true, ["GET", "PROPFIND"].contains(method), (200..<300).contains(status) { cache.put(cacheKey, kept) }
        return kept.response(age: false)
    }

    /// The body faults, on the text of a multistatus.
    func rewrite(_ bytes: [UInt8]) -> [UInt8] {
        var text = String(decoding: bytes, as: UTF8.self)
        if let origin = faults.hrefOrigin {
            text = text.replacingOccurrences(of: "<D:href>/", with: "<D:href>\(origin)/")
        }
        if faults.doubleEncodedHrefs == true {
            text = replacing(in: text, open: "<D:href>", close: "</D:href>") { $0.replacingOccurrences(of: "%", with: "%25") }
        }
        if faults.rawHrefs == true {
            text = replacing(in: text, open: "<D:href>", close: "</D:href>") { URLPath.decode($0) ?? $0 }
        }
        if faults.unstableETags == true {
            text = replacing(in: text, open: "<D:getetag>", close: "</D:getetag>") { _ in "\"\(UUID().uuidString.prefix(8))\"" }
        }
        if faults.isoDates == true {
            text = replacing(in: text, open: "<D:getlastmodified>", close: "</D:getlastmodified>") { value in
                HTTPDate.parse(value).map(HTTPDate.iso8601) ?? value
            }
        }
        if let version = faults.statusVersion {
            text = text.replacingOccurrences(of: "<D:status>HTTP/1.1 ", with: "<D:status>\(version) ")
        }
        if faults.unboundPrefix == true {
            text = text.replacingOccurrences(of: " xmlns:D=\"DAV:\"", with: "")
        }
        if let quota = faults.quotaAvailable {
            text = replacing(in: text, open: "<D:quota-available-bytes>", close: "</D:quota-available-bytes>") { _ in quota }
        }
        return Array(text.utf8)
    }

    private func replacing(in text: String, open: String, close: String, _ transform: (String) -> String) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            out += rest[..<start.upperBound] + transform(String(rest[start.upperBound..<end.lowerBound])) + close
            rest = rest[end.upperBound...]
        }
        return out + rest
    }
}

/// An answer as the proxy keeps it (for its cache) and sends it.
struct KeptResponse: Sendable {
    var status: Int
    var reason: String
    var headers: HTTPTypes.HTTPFields
    var body: [UInt8]

    func response(age: Bool) -> Response {
        var headers = self.headers
        if age, let name = HTTPField.Name("Age") { headers[name] = "42" }
        if age, let name = HTTPField.Name("X-Cache") { headers[name] = "HIT" }
        return Response(
            status: .init(code: status, reasonPhrase: reason), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The fault layer's shared cache: what a stale proxy cache in front of a DAV server keeps.
final class CacheStore: Sendable {
    private let kept = Locked<[String: KeptResponse]>([:])

    func get(_ key: String) -> KeptResponse? {
        kept.withLock { $0[key] }
    }

    func put(_ key: String, _ response: KeptResponse) {
        kept.withLock { $0[key] = response }
    }
}
