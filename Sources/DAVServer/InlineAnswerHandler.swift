import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Answers the common reads (OPTIONS, GET, HEAD, PROPFIND Depth 0 and 1; ``DAVResponder/mayAnswerInline(_:)``)
/// on the connection's event loop, and passes every other request on to Hummingbird unchanged.
///
/// Hummingbird runs each request in a Swift task off the event loop: the request crosses to a pool thread
/// and the answer crosses back, and for a small answer those crossings cost more than the answer itself
/// (a PROPFIND Depth 0 or a 4 KiB GET ran at about half of nginx's rate). These reads only touch the file
/// system and the stores, which are synchronous anyway, so they are answered where the request is read, as
/// nginx's worker does. Same checks, same answers, same log lines: the answers come from the responder's own
/// `plan…` functions.
///
/// Order on a connection is kept: while a request passed to Hummingbird has not been answered, later ones
/// go there too. A Depth 1 answer is written as the socket takes it (``PropfindStream``); meanwhile no more
/// is read from the connection.
final class InlineAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// An inline request's body is arriving.
        case collecting(HTTPRequest, [UInt8])
        /// The rest of a request that Hummingbird answers is passing through.
        case forwarding
        /// A streamed 207 is being written.
        case streaming(PropfindStream)
    }

    private let responder: DAVResponder
    private let serverName: String
    private var state = State.idle
    /// Requests passed to Hummingbird whose answer has not ended: an inline answer would overtake them.
    private var answersAwaited = 0
    /// Parts read while a stream was being written, handled after it.
    private var queued: [HTTPRequestPart] = []
    /// A read the pipeline asked for while a stream was being written.
    private var readHeldBack = false
    private var pumping = false
    private var needsFlush = false

    init(responder: DAVResponder, serverName: String) {
        self.responder = responder
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .streaming = state {
            queued.append(part)
            return
        }
        handle(part, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context)
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .streaming = state, context.channel.isWritable { pump(context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .streaming(let stream) = state {
            stream.logEnd(status: 500)
            state = .idle
        }
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { answersAwaited = max(0, answersAwaited - 1) }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        if case .streaming = state {
            readHeldBack = true
            return
        }
        context.read()
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if answersAwaited == 0 && DAVResponder.mayAnswerInline(head) {
                state = .collecting(head, [])
            } else {
                answersAwaited += 1
                state = .forwarding
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.collecting(let head, var body), .body(let buffer)):
            state = .idle  // drop the array's other reference before appending
            body.append(contentsOf: buffer.readableBytesView)
            state = .collecting(head, body)
        case (.collecting(let head, let body), .end):
            state = .idle
            answer(head, body, context: context)
        case (.forwarding, .end):
            state = .idle
            context.fireChannelRead(wrapInboundOut(part))
        default:
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    private func answer(_ head: HTTPRequest, _ body: [UInt8], context: ChannelHandlerContext) {
        switch responder.respondInline(head: head, body: body, requestID: RequestID().description) {
        case .declined:
            answersAwaited += 1
            context.fireChannelRead(wrapInboundOut(.head(head)))
            if !body.isEmpty { context.fireChannelRead(wrapInboundOut(.body(ByteBuffer(bytes: body)))) }
            context.fireChannelRead(wrapInboundOut(.end(nil)))
        case .answer(let answer):
            writeHead(answer, context: context)
            if let body = answer.body, head.method != .head { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            needsFlush = true
        case .stream(let answer, let stream):
            writeHead(answer, context: context)
            state = .streaming(stream)
            pump(context)
        }
    }

    /// Writes the stream's pieces while the socket takes them; resumed by `channelWritabilityChanged`.
    private func pump(_ context: ChannelHandlerContext) {
        guard case .streaming(let stream) = state, !pumping else { return }
        pumping = true
        defer { pumping = false }
        while true {
            if !context.channel.isWritable {
                context.flush()
                needsFlush = false
                if !context.channel.isWritable { return }
            }
            let piece: ByteBuffer?
            do {
                piece = try stream.nextChunk()
            } catch {
                // As when Hummingbird's body writer fails: the answer is cut, the connection closed.
                stream.logEnd(status: 500)
                state = .idle
                context.close(promise: nil)
                return
            }
            guard let piece else { break }
            context.write(wrapOutboundOut(.body(piece)), promise: nil)
            needsFlush = true
        }
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        context.flush()
        needsFlush = false
        stream.logEnd(status: 207)
        state = .idle
        resumeAfterStream(context)
    }

    /// Handles what arrived during a stream, then lets reading go on.
    private func resumeAfterStream(_ context: ChannelHandlerContext) {
        while !queued.isEmpty {
            if case .streaming = state { return }
            handle(queued.removeFirst(), context: context)
        }
        if case .streaming = state { return }
        flushIfNeeded(context)
        if readHeldBack {
            readHeldBack = false
            context.read()
        }
    }

    private func writeHead(_ answer: Answer, context: ChannelHandlerContext) {
        var headers = answer.headers
        if headers[.contentLength] == nil, answer.body != nil || answer.status.code != 207 {
            headers[.contentLength] = String(answer.body?.readableBytes ?? 0)
        }
        headers[.date] = DateHeader.shared.value
        headers[.server] = serverName
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }
}

/// The `Date` header's value, formatted once a second.
final class DateHeader: Sendable {
    static let shared = DateHeader()
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    var value: String {
        let now = Date().timeIntervalSince1970
        let second = Int(now)
        return cached.withLock { cache in
            if cache.second != second { cache = (second, HTTPDate.rfc1123(Double(second))) }
            return cache.text
        }
    }
}
