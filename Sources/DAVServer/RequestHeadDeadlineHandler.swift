import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request head (request line and headers) is not complete within a deadline,
/// counted from the moment the connection opens and again from the end of each response.
///
/// Hummingbird's idle timeout only fires when no byte at all arrives, so a slowloris client that trickles
/// one header byte a second would hold a connection for ever; this deadline bounds the whole head instead.
/// It is armed only while the server waits for a head: a slow body or a long response is not cut by it
/// (a stalled body still meets the idle timeout). On a kept-alive connection the wait for the next request
/// counts too, so an idle keep-alive connection is closed after the same time. The connection is closed
/// without an answer: nothing has been asked yet that could be answered.
final class RequestHeadDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// Heads read whose response has not ended yet; the deadline runs only when this is 0.
    private var requestsInProgress = 0

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            requestsInProgress += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) { [self] in
            timer = nil
            if requestsInProgress == 0 { context.close(promise: nil) }
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
