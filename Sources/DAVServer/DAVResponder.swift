import DAVCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The one HTTP responder of the WebDAV server: decode the path, authenticate, check the access
/// rules, then hand the request to the handler for its method (`Methods/`). Errors thrown as
/// ``DAVError`` become their status and `<D:error>` body here, in one place; the access log is written here.
/// A 500 and any error that is not a ``DAVError`` say nothing to the client but the request id: their
/// text (paths, SQL, system errors) goes to the server's log under that id.
public struct DAVResponder: HTTPResponder {
    public typealias Context = DAVRequestContext
    public let options: DAVServerOptions
    let credentials = CredentialCache()
    /// What recent PROPFIND bodies asked for, so a body sent again is not parsed again.
    let propfindRequests = PropfindRequestCache()
    /// Listed members' `allprop` responses, for the next listing of the same folders.
    let memberResponses: MemberResponseCache
    /// Serialises the changing methods' check-then-act sections (``NamespaceGate``).
    let gate: NamespaceGate

    public init(options: DAVServerOptions) {
        self.options = options
        self.gate = NamespaceGate(cluster: options.cluster)
        self.memberResponses = MemberResponseCache(capacity: options.listingCacheBytes)
    }

    public static let allowedMethods = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK, REPORT"

    public func respond(to request: Request, context: DAVRequestContext) async throws -> Response {
        let exchange = ServerExchange(request: request, options: options, logger: context.logger, channel: context.channel)
        var response: Response
        do {
            response = try await route(exchange)
        } catch let error as DAVError where error.status != 500 {
            response = Self.render(error, method: request.method)
        } catch {
            exchange.logFailure(error)
            response = Self.render(
                DAVError(500, "internal server error; the server's log has the cause under request id \(exchange.requestID)"), method: request.method)
        }
        if let log = options.accessLog, !exchange.logIsDeferred {
            log.write(exchange: exchange, status: response.status.code, started: exchange.started)
        }
        return response
    }

    func route(_ exchange: ServerExchange) async throws -> Response {
        let method = exchange.request.method.rawValue.uppercased()
        if method == "OPTIONS" {
            // OPTIONS * asks about the server; any other target is refused when unsafe, as for every method.
            if exchange.rawPath != "*" { _ = try exchange.requestPath() }
            return try handleOptions(exchange)
        }
        try await authenticate(exchange)
        exchange.path = try exchange.requestPath()
        if exchange.path.isDescendant(of: options.principalsPath) { return try await handlePrincipal(exchange, method: method) }
        switch method {
        case "GET": return try await handleGet(exchange, head: false)
        case "HEAD": return try await handleGet(exchange, head: true)
        case "PUT": return try await handlePut(exchange)
        case "DELETE": return try await gate.serialize([exchange.path]) { try await BlockingPool.run { try handleDelete(exchange) } }
        case "MKCOL": return try await handleMkcol(exchange)
        case "COPY":
            return try await gate.serialize(copyMovePaths(exchange)) { try await BlockingPool.run { try handleCopyMove(exchange, isMove: false) } }
        case "MOVE":
            return try await gate.serialize(copyMovePaths(exchange)) { try await BlockingPool.run { try handleCopyMove(exchange, isMove: true) } }
        case "PROPFIND": return try await handlePropfind(exchange)
        case "PROPPATCH": return try await handleProppatch(exchange)
        case "LOCK": return try await handleLock(exchange)
        case "UNLOCK": return try await BlockingPool.run { try handleUnlock(exchange) }
        case "REPORT": return try await handleReport(exchange)
        default:
            throw DAVError(405, "\(method) is not a WebDAV method this server supports", headers: [("Allow", Self.allowedMethods)])
        }
    }

    /// Reads Basic credentials, if any; a wrong password is 401 at once. A password not in the cache is
    /// hashed on the blocking pool: PBKDF2's 210,000 rounds would hold a cooperative thread for a while.
    func authenticate(_ exchange: ServerExchange) async throws {
        guard options.access.requiresAuthentication else { return }
        guard let header = exchange.header("Authorization") else { return }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { throw unauthorized() }
        let now = Date().timeIntervalSince1970
        if let user = credentials.user(for: header, now: now) {
            exchange.user = user
            return
        }
        guard let data = Data(base64Encoded: String(parts[1])), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { throw unauthorized() }
        let name = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        guard let account = options.access.accounts[name],
            try await BlockingPool.run({ account.password.verify(password) })
        else { throw unauthorized() }
        credentials.remember(header, user: name, now: now)
        exchange.user = name
    }

    func unauthorized() -> DAVError {
        DAVError(401, "authentication required", headers: [("WWW-Authenticate", "Basic realm=\"davdoctor\", charset=\"UTF-8\"")])
    }

    /// Throws 401 (anonymous) or 403 (signed in) when the access rules refuse.
    func authorize(_ exchange: ServerExchange, _ permission: Permission, _ path: ResourcePath) throws {
        guard options.access.allows(exchange.user, permission, path) else {
            if exchange.user == nil { throw unauthorized() }
            throw DAVError.forbidden("\(exchange.user ?? "") may not \(permission == .read ? "read" : "write") \(path)")
        }
    }

    static func render(_ error: DAVError, method: HTTPRequest.Method) -> Response {
        var headers = HTTPFields()
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let bytes: [UInt8]
        if let element = error.errorElement {
            headers[.contentType] = "application/xml; charset=utf-8"
            bytes = XMLBody.document(element)
        } else if error.status == 304 {
            bytes = []
        } else {
            headers[.contentType] = "text/plain; charset=utf-8"
            bytes = Array((error.message + "\n").utf8)
        }
        headers[.contentLength] = String(bytes.count)
        let body = method == .head || bytes.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return Response(status: .init(code: error.status), headers: headers, body: body)
    }
}
