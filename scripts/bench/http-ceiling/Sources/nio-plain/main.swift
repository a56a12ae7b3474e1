/// nio-plain: the floor for any Swift server built on SwiftNIO. Bare NIO HTTP/1.1 (the stock
/// `configureHTTPServerPipeline` plus one handler), one event loop per core, answering every GET
/// with the same 4096-byte buffer from memory. Whatever it costs per request, no framework on top of
/// NIO can cost less.
///
/// Usage: nio-plain PORT   (listens on 127.0.0.1 only)
import NIOCore
import NIOHTTP1
import NIOPosix

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 18181

let body: ByteBuffer = {
    var b = ByteBufferAllocator().buffer(capacity: 4096)
    b.writeRepeatingByte(UInt8(ascii: "a"), count: 4096)
    return b
}()

final class PlainHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var keepAlive = true
    private var isGet = true

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            isGet = head.method == .GET
        case .body:
            break
        case .end:
            let payload = isGet ? body : ByteBuffer()
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/octet-stream")
            headers.add(name: "Content-Length", value: String(payload.readableBytes))
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: isGet ? .ok : .methodNotAllowed, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !keepAlive { context.close(promise: nil) }
        }
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
            channel.pipeline.addHandler(PlainHandler())
        }
    }
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelOption(.maxMessagesPerRead, value: 16)
    .bind(host: "127.0.0.1", port: port).wait()
print("nio-plain listening on \(channel.localAddress!) with \(System.coreCount) event loops")
try channel.closeFuture.wait()
