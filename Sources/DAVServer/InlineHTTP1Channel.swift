import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with an ``InlineAnswerHandler`` placed after Hummingbird's
/// connection-state handler, so that idle timeouts and graceful shutdown see the inline requests too.
struct InlineHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel
    let responder: DAVResponder
    let serverName: String

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            guard responder.options.answersReadsInline else { return value }
            let operations = channel.pipeline.syncOperations
            let state = try operations.handler(type: HTTPConnectionStateHandler.self)
            try operations.addHandler(InlineAnswerHandler(responder: responder, serverName: serverName), position: .after(state))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
