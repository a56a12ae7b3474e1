import DAVCore
import HTTPTypes
import Hummingbird
import NIOCore

/// What ``InlineAnswerHandler`` does with a request that ``DAVResponder/respondInline(head:body:requestID:)`` saw.
enum InlineOutcome {
    /// The whole answer, logged.
    case answer(Answer)
    /// A 207 whose body the stream produces piece by piece; it logs when the last piece is out.
    case stream(Answer, PropfindStream)
    /// Left to the task-based path (a large file to stream, say); nothing was logged or changed.
    case declined
}

extension DAVResponder {
    /// The largest request body an inline request may carry: a PROPFIND body is a few hundred bytes.
    static let inlineBodyLimit = 64 << 10

    /// Whether a request may be answered on the event loop, judged from its head: the reads that a
    /// listing or a download repeats (OPTIONS, GET, HEAD, PROPFIND Depth 0 and 1) with at most a small
    /// body of known length, on a connection that stays open. Everything else, and every method that
    /// changes the tree, goes through Hummingbird as before.
    static func mayAnswerInline(_ head: HTTPRequest) -> Bool {
        switch head.method {
        case .get, .head, .options: break
        case HTTPRequest.Method("PROPFIND")!:
            guard let depth = head.headerFields[HTTPField.Name("Depth")!] else { return false }
            guard depth == "0" || depth == "1" else { return false }
        default: return false
        }
        if head.headerFields[.transferEncoding] != nil || head.headerFields[.expect] != nil { return false }
        if let connection = head.headerFields[.connection], connection.lowercased().contains("close") { return false }
        if let length = head.headerFields[.contentLength] {
            guard let count = Int(length), count <= inlineBodyLimit else { return false }
        }
        return true
    }

    /// Answers a request whose whole body is in `body`, synchronously, with the same checks, answers and
    /// log lines as ``respond(to:context:)``. Only reads: a declined request has had no effect. Declined:
    /// a file too large to send at once, and credentials whose password hash was not checked recently.
    func respondInline(head: HTTPRequest, body: [UInt8], requestID: String) -> InlineOutcome {
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
        let exchange = Exchange(request: request, options: options, requestID: requestID)
        var outcome: InlineOutcome
        do {
            outcome = try routeInline(exchange, body: body)
        } catch let error as DAVError {
            outcome = .answer(Self.errorAnswer(error, method: head.method))
        } catch {
            outcome = .answer(Self.errorAnswer(DAVError(500, "\(error)"), method: head.method))
        }
        if case .answer(let answer) = outcome, let log = options.accessLog {
            log.write(exchange: exchange, status: answer.status.code, started: exchange.started)
        }
        return outcome
    }

    private func routeInline(_ exchange: Exchange, body: [UInt8]) throws -> InlineOutcome {
        let method = exchange.request.method
        if method == .options {
            if exchange.rawPath != "*" { _ = try exchange.requestPath() }
            return .answer(handleOptions(exchange))
        }
        // A password not verified recently costs a slow hash: that is left to a task, off the event loop.
        if options.access.requiresAuthentication, let header = exchange.header("Authorization"),
            credentials.user(for: header, now: now) == nil
        {
            return .declined
        }
        try authenticate(exchange)
        exchange.path = try exchange.requestPath()
        if method == .get || method == .head {
            switch try planGet(exchange, head: method == .head) {
            case .answer(let answer): return .answer(answer)
            case .stream: return .declined
            }
        }
        switch try planPropfind(exchange, body: try exchange.parseXMLBody(body)) {
        case .answer(let answer): return .answer(answer)
        case .stream(let stream):
            var headers = HTTPFields()
            headers[.contentType] = "application/xml; charset=utf-8"
            return .stream(Answer(status: .init(code: 207), headers: headers), stream)
        }
    }
}
