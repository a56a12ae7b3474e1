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
    /// The one pending check, if any. It is not cancelled when a head arrives and re-armed after each
    /// response (two timer operations per request on a busy keep-alive connection): when it fires it looks
    /// at the state and waits again for what remains.
    private var timer: Scheduled<Void>?
    /// Heads read whose response has not ended yet; the deadline runs only when this is 0.
    private var requestsInProgress = 0
    /// When the current wait for a head began.
    private var waitingSince = NIODeadline.now()

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startWaiting(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startWaiting(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestsInProgress += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0 { startWaiting(context) }
        }
        context.write(data, promise: promise)
    }

    private func startWaiting(_ context: ChannelHandlerContext) {
        waitingSince = .now()
        if timer == nil { schedule(context, at: waitingSince + deadline) }
    }

    private func schedule(_ context: ChannelHandlerContext, at time: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: time) { [self] in
            timer = nil
            // A request is being answered: its end starts the next wait (and arms a check).
            guard requestsInProgress == 0 else { return }
            let end = waitingSince + deadline
            if end <= .now() {
                context.close(promise: nil)
            } else {
                schedule(context, at: end)
            }
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
