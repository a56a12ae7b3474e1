import DAVCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One request as the handlers see it (named apart from DAVCore's `Exchange`, a captured request and
/// response, so neither hides the other): the decoded path, the user, parsed headers, and what the access
/// log will record. A class so that handlers and the streamed body can add to it.
final class ServerExchange: @unchecked Sendable {
    let request: Request
    let options: DAVServerOptions
    /// The request's logger (its metadata carries the request id): where a failure's text goes.
    let logger: Logger
    /// The request's connection; nil where there is none (a handler called directly).
    let channel: (any Channel)?
    var user: String?
    var path: ResourcePath = .root
    /// Per-resource statuses of a 207, for the access log.
    var statusCounts: [Int: Int] = [:]
    /// Set by a streamed 207, which writes its own log line when the last byte is out.
    var logIsDeferred = false
    let started = ContinuousClock.now
    private var parsedIf: IfHeader??

    init(request: Request, options: DAVServerOptions, logger: Logger, channel: (any Channel)? = nil) {
        self.request = request
        self.options = options
        self.logger = logger
        self.channel = channel
    }

    /// Hummingbird's id of the request (`RequestContext.id`), formatted only when a log line or a 500
    /// needs it: most requests never do.
    var requestID: String { logger[metadataKey: "hb.request.id"]?.description ?? "" }

    /// Logs an error the client is not told about, with what the request was.
    func logFailure(_ error: any Error) {
        logger.error("request failed", metadata: ["error": "\(error)", "method": "\(method)", "path": "\(rawPath)"])
    }

    var method: String { request.method.rawValue }

    func header(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        let values = request.headers[values: field]
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The raw request target, absolute-form reduced to its path.
    var rawPath: String {
        let target = request.head.path ?? "/"
        if target.hasPrefix("/") { return target }
        return Destination(headerValue: target)?.path ?? target
    }

    func requestPath() throws -> ResourcePath {
        try ResourcePath(encodedPath: rawPath)
    }

    /// Whether the request-URI ends in `/`.
    var hasTrailingSlash: Bool {
        var path = Substring(rawPath)
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        return path.hasSuffix("/")
    }

    func depth(default value: Depth) throws -> Depth {
        guard let text = header("Depth") else { return value }
        guard let depth = Depth(headerValue: text) else { throw DAVError.badRequest("malformed Depth header: \(text)") }
        return depth
    }

    /// The If header, parsed once; 400 when malformed.
    func ifHeader() throws -> IfHeader? {
        if let parsed = parsedIf { return parsed }
        guard let text = header("If") else {
            parsedIf = .some(nil)
            return nil
        }
        guard let parsed = IfHeader(headerValue: text) else { throw DAVError.badRequest("malformed If header") }
        parsedIf = .some(parsed)
        return parsed
    }

    /// Whether the request carries a body (Content-Length above 0, or chunked).
    var hasBody: Bool {
        if let length = header("Content-Length").flatMap({ Int($0.trimmingASCIIWhitespace()) }) { return length > 0 }
        return header("Transfer-Encoding") != nil
    }

    /// Collects a body up to `limit` bytes (413 beyond).
    func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = header("Content-Length").flatMap({ Int($0.trimmingASCIIWhitespace()) }), length > limit {
            throw DAVError(413, "the request body is larger than \(limit) bytes")
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            bytes.append(contentsOf: buffer.readableBytesView)
            if bytes.count > limit { throw DAVError(413, "the request body is larger than \(limit) bytes") }
        }
        return bytes
    }

    /// Reads an XML request body; nil when there is none; 400 for XML that is malformed or has a DTD.
    func xmlBody() async throws -> XMLElement? {
        try Self.parseXMLBody(try await collectBody(limit: options.maxXMLBodyBytes))
    }

    /// Parses a collected XML request body, as ``xmlBody()`` does.
    static func parseXMLBody(_ bytes: [UInt8]) throws -> XMLElement? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return nil }
        do {
            return try XMLTreeParser.parse(bytes, limits: .requestBody, strict: true).root
        } catch let error as DAVCoreError {
            throw DAVError.badRequest("the XML body cannot be used: \(error.message)")
        }
    }

    /// The href the server writes for a path.
    func href(_ path: ResourcePath, isCollection: Bool) -> String {
        path.href(isCollection: isCollection)
    }
}
